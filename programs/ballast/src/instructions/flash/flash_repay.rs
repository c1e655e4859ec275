use super::require_top_level;
use crate::{events::FlashRepayEvent, instructions::shared::*, operations::flash};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[event_cpi]
#[derive(Accounts)]
pub struct FlashRepay<'info> {
    /// Anyone may repay the open loan; the signer pays.
    pub user: Signer<'info>,
    pub vaults: ReserveVaults<'info>,
    /// Source of the principal and the fee, owned by `user`.
    #[account(mut)]
    pub user_liquidity: Box<InterfaceAccount<'info, TokenAccount>>,
    /// CHECK: the Instructions sysvar, by address; proves this is a top-level instruction.
    #[account(address = solana_instructions_sysvar::ID)]
    pub instructions: UncheckedAccount<'info>,
}

impl FlashRepay<'_> {
    /// Flags and emergency mode never block a repay, so an open loan can always close.
    ///
    /// 1. top level only
    /// 2. accrue
    /// 3. close the open loan of exactly `liquidity_amount`, booking the fee (rounded up) to protocol
    ///    fees and insurance
    /// 4. pull principal + fee
    /// 5. reconcile, emit
    pub fn handle(ctx: Context<Self>, liquidity_amount: u64) -> Result<()> {
        require_top_level(&ctx.accounts.instructions.to_account_info())?;
        let reserve_key = ctx.accounts.vaults.reserve.key();
        let fee = {
            let mut reserve = ctx.accounts.vaults.reserve.load_mut()?;
            reserve.accrue_interest(Clock::get()?.unix_timestamp)?;
            let fee = flash::flash_repay(&mut reserve, liquidity_amount)?;
            reserve.invariant()?;
            fee
        };
        let repaid = crate::math::checked_add_u64(liquidity_amount, fee.fee_amount)?;
        let a = &ctx.accounts;
        a.vaults.pull_liquidity(&a.user_liquidity, &a.user, repaid)?;
        ctx.accounts.vaults.reconcile()?;
        emit_cpi!(FlashRepayEvent {
            reserve: reserve_key,
            user: ctx.accounts.user.key(),
            liquidity_amount,
            fee_amount: fee.fee_amount,
            protocol_fee_amount: fee.to_protocol,
            insurance_fee_amount: fee.to_insurance,
        });
        Ok(())
    }
}
