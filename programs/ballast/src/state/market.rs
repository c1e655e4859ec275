use crate::{constants::BPS, error::BallastError};
use anchor_lang::prelude::*;

/// Market flag: emergency mode (only repay, withdraw and liquidate).
pub const MARKET_FLAG_EMERGENCY: u16 = 1 << 0;

/// A lending market: a set of reserves under one admin and one authority PDA.
#[account(zero_copy)]
#[repr(C)]
pub struct Market {
    /// Does everything; hands over in two steps.
    pub admin: Pubkey,
    /// Proposed next admin (default = none).
    pub pending_admin: Pubkey,
    /// May only make things safer, at once.
    pub risk_council: Pubkey,
    /// Quote currency of all prices, ASCII, zero-padded (e.g. "USD").
    pub quote_currency: [u8; 32],
    /// Debts below this value may be liquidated in full, whole quote units.
    pub dust_threshold_quote: u64,
    /// Delay before a loosening config change may apply, seconds.
    pub config_timelock_secs: u64,
    /// Share of debt value one liquidation call may repay, bps.
    pub close_factor_bps: u16,
    /// MARKET_FLAG_* bits.
    pub flags: u16,
    /// Bump of the authority PDA.
    pub authority_bump: u8,
    /// Layout version.
    pub version: u8,
    /// Reserved for growth.
    pub padding: [u8; 250],
}

const _: () = assert!(core::mem::size_of::<Market>() == 400);

impl Market {
    pub const SPACE: usize = 8 + core::mem::size_of::<Market>();

    /// Cross-field rules, checked at the end of every instruction that writes the market.
    pub fn invariant(&self) -> Result<()> {
        require!(
            (1..=BPS as u16).contains(&self.close_factor_bps),
            BallastError::CloseFactorInvalid
        );
        Ok(())
    }
}
