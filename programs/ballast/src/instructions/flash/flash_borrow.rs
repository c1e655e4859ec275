use super::require_matching_repay;
use crate::{
    events::FlashBorrowEvent,
    instructions::shared::*,
    operations::{controls::Action, flash},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[event_cpi]
#[derive(Accounts)]
pub struct FlashBorrow<'info> {
    pub user: Signer<'info>,
    pub vaults: ReserveVaults<'info>,
    /// Receives the loan.
    #[account(mut)]
    pub user_liquidity: Box<InterfaceAccount<'info, TokenAccount>>,
    /// CHECK: the Instructions sysvar, by address; read to find this transaction's flash_repay.
    #[account(address = solana_instructions_sysvar::ID)]
    pub instructions: UncheckedAccount<'info>,
}

impl FlashBorrow<'_> {
    /// 0. circuit breakers (pause, reduce-only, emergency)
    /// 1. through the sysvar: top level only, one loan per reserve per transaction, a flash_repay of the same
    /// reserve and amount follows  2. accrue  3. open the loan (flash enabled, not paused, liquidity, none
    /// open)  4. pay out  5. reconcile, emit
    #[access_control(ctx.accounts.vaults.require_allowed(Action::FlashLoan))]
    pub fn handle(ctx: Context<Self>, liquidity_amount: u64) -> Result<()> {
        let reserve_key = ctx.accounts.vaults.reserve.key();
        require_matching_repay(&ctx.accounts.instructions.to_account_info(), &reserve_key, liquidity_amount)?;
        {
            let mut reserve = ctx.accounts.vaults.reserve.load_mut()?;
            reserve.accrue_interest(Clock::get()?.unix_timestamp)?;
            flash::flash_borrow(&mut reserve, liquidity_amount)?;
            reserve.invariant()?;
        }
        let a = &ctx.accounts;
        a.vaults.push_liquidity(a.user_liquidity.to_account_info(), liquidity_amount)?;
        ctx.accounts.vaults.reconcile()?;
        emit_cpi!(FlashBorrowEvent { reserve: reserve_key, user: ctx.accounts.user.key(), liquidity_amount });
        Ok(())
    }
}
