use super::OutflowWindow;
use crate::{
    constants::{BPS, MAX_DUST_THRESHOLD_QUOTE, MAX_LIQUIDATION_BONUS_BPS},
    error::BallastError,
};
use crate::wire::layout_and_wire;
use anchor_lang::prelude::*;
use bytemuck::Zeroable;

/// Market flag: emergency mode (only repay, withdraw and liquidate).
pub const MARKET_FLAG_EMERGENCY: u16 = 1 << 0;
/// Market flag: every liquidation call repays at most the close factor's share, however deep the shortfall or
/// small the debt (no full liquidation at health ≤ 0.95 or below the dust threshold), as SPL's lending
/// program does. For comparisons (the simulator's baseline) and markets that want it; set or cleared only
/// after the timelock.
pub const MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY: u16 = 1 << 1;
const KNOWN_MARKET_FLAGS: u16 = MARKET_FLAG_EMERGENCY | MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY;
/// Elevation groups a market can define (ids 1..=16; 0 = none).
pub const MAX_ELEVATION_GROUPS: usize = 16;

layout_and_wire! {
/// Market-wide settings governance changes (loosening ones through the timelock).
pub struct MarketConfig / MarketConfigWire {
    /// Debts below this value may be liquidated in full, whole quote units.
    pub dust_threshold_quote: u64,
    /// Delay before a loosening config change may apply, seconds.
    pub config_timelock_secs: u64,
    /// Most value withdraw + borrow may take out of the whole market per window, whole quote units.
    pub outflow_limit_quote: u64,
    /// Length of the market outflow window, seconds (0 = limiter off).
    pub outflow_window_secs: u32,
    /// Share of debt value one liquidation call may repay, bps.
    pub close_factor_bps: u16,
    /// MARKET_FLAG_* bits.
    pub flags: u16,
}
}

layout_and_wire! {
/// An elevation group (eMode): correlated assets borrow against each other at higher LTV.
#[derive(Default)]
pub struct ElevationGroup / ElevationGroupWire {
    /// The one reserve obligations in this group may borrow from (default = group unused).
    pub debt_reserve: Pubkey,
    /// LTV for members, bps.
    pub ltv_bps: u16,
    /// Liquidation threshold for members, bps.
    pub liquidation_threshold_bps: u16,
    /// Liquidation bonus cap for members, bps.
    pub max_liquidation_bonus_bps: u16,
    /// Reserved.
    pub padding: u16,
}
}

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
    /// Settings in force.
    pub config: MarketConfig,
    /// A queued loosening change; applies once `pending_config_apply_ts` has passed.
    pub pending_config: MarketConfig,
    /// Earliest time the pending config may apply, unix seconds (0 = nothing queued).
    pub pending_config_apply_ts: i64,
    /// Value taken out by redeem + borrow across reserves, per sliding window, whole quote units.
    pub outflow: OutflowWindow,
    /// Elevation groups; group id g lives at index g - 1.
    pub elevation_groups: [ElevationGroup; MAX_ELEVATION_GROUPS],
    /// Bump of the authority PDA.
    pub authority_bump: u8,
    /// Layout version.
    pub version: u8,
    /// Id (1..=16) of the elevation group change waiting in `pending_elevation_group` (0 = none).
    pub pending_elevation_group_id: u8,
    /// Keeps the fields below 8-aligned.
    pub padding0: [u8; 5],
    /// Earliest time the pending elevation group change may apply, unix seconds (0 = nothing queued).
    pub pending_elevation_group_apply_ts: i64,
    /// A queued elevation group creation or loosening; applies once its time has passed.
    pub pending_elevation_group: ElevationGroup,
    /// Proposed next risk council (default = none); it accepts once `pending_risk_council_apply_ts` has passed.
    pub pending_risk_council: Pubkey,
    /// Earliest time the proposed risk council may accept, unix seconds (0 = nothing proposed).
    pub pending_risk_council_apply_ts: i64,
    /// Address lookup table holding the market's accounts, for clients building v0 transactions (default =
    /// none). A hint only: the program never reads it, and a table can only shorten keys, never change them.
    pub lookup_table: Pubkey,
    /// The authority PDA itself, written at init (default in a market made before it was kept: derived then).
    /// Every instruction that moves tokens checks its authority account against it; deriving it again cost a
    /// curve check (about 1,500 CU on chain) per instruction.
    pub authority: Pubkey,
}

const _: () = assert!(core::mem::size_of::<MarketConfig>() == 32);
const _: () = assert!(core::mem::size_of::<Market>() == 1024);
const _: () = assert!(core::mem::offset_of!(Market, pending_elevation_group_apply_ts) % 8 == 0);
const _: () = assert!(core::mem::offset_of!(Market, pending_risk_council_apply_ts) % 8 == 0);

impl Market {
    pub const SPACE: usize = 8 + core::mem::size_of::<Market>();

    /// The configured group with this id (1..=16); None for 0 or an unconfigured group.
    pub fn elevation_group(&self, id: u8) -> Option<&ElevationGroup> {
        let group = self.elevation_groups.get((id as usize).checked_sub(1)?)?;
        (group.debt_reserve != Pubkey::default()).then_some(group)
    }

    /// The market's authority PDA: as written at init, or (an older market) derived with its stored bump, what
    /// `find_program_address` found at init.
    pub fn authority_address(&self, market: &Pubkey) -> Result<Pubkey> {
        if self.authority != Pubkey::default() {
            return Ok(self.authority);
        }
        Pubkey::create_program_address(&[crate::seeds::AUTHORITY, market.as_ref(), &[self.authority_bump]], &crate::ID)
            .map_err(|_| error!(BallastError::InvalidMarketAuthority))
    }

    /// Structural rules, checked at the end of every instruction that writes the market: a pending slot is
    /// all zeros exactly when nothing waits in it. Config rules are checked where a config is set.
    pub fn invariant(&self) -> Result<()> {
        super::require_known_version(self.version)?;
        let empty_group = self.pending_elevation_group == ElevationGroup::default() && self.pending_elevation_group_id == 0;
        let valid = (self.pending_config_apply_ts != 0 || self.pending_config == MarketConfig::zeroed())
            && ((self.pending_elevation_group_apply_ts == 0) == empty_group)
            && ((self.pending_risk_council_apply_ts == 0) == (self.pending_risk_council == Pubkey::default()));
        require!(valid, BallastError::MarketPendingStateInvalid);
        Ok(())
    }
}

impl ElevationGroup {
    /// ltv < liquidation threshold < 100%, threshold · (1 + max bonus) < 100%, and the bonus within the
    /// program-wide cap.
    pub fn validate(&self) -> Result<()> {
        let bps = BPS;
        require!(self.max_liquidation_bonus_bps <= MAX_LIQUIDATION_BONUS_BPS, BallastError::LiquidationBonusTooHigh);
        let valid = self.ltv_bps < self.liquidation_threshold_bps
            && (self.liquidation_threshold_bps as u64) < bps
            && (self.liquidation_threshold_bps as u64) * (bps + self.max_liquidation_bonus_bps as u64) < bps * bps
            && self.debt_reserve != Pubkey::default()
            && self.padding == 0;
        require!(valid, BallastError::ElevationGroupConfigInvalid);
        Ok(())
    }
}

impl MarketConfig {
    pub fn has_flag(&self, flag: u16) -> bool {
        self.flags & flag == flag
    }

    /// Every rule a market config must satisfy, each with its own error.
    pub fn validate(&self) -> Result<()> {
        require!(
            (1..=BPS as u16).contains(&self.close_factor_bps),
            BallastError::CloseFactorInvalid
        );
        require!(self.flags & !KNOWN_MARKET_FLAGS == 0, BallastError::UnknownMarketFlags);
        require!(
            self.config_timelock_secs <= crate::constants::MAX_CONFIG_TIMELOCK_SECS,
            BallastError::TimelockTooLong
        );
        require!(self.dust_threshold_quote <= MAX_DUST_THRESHOLD_QUOTE, BallastError::DustThresholdTooHigh);
        Ok(())
    }
}
