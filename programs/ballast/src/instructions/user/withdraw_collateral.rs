use crate::{
    error::BallastError,
    events::CollateralOutEvent,
    instructions::shared::*,
    operations::{collateral, controls::Action},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[derive(Accounts)]
pub struct WithdrawCollateral<'info> {
    pub position: Position<'info>,
    /// Receives the cTokens.
    #[account(mut)]
    pub user_ctokens: Box<InterfaceAccount<'info, TokenAccount>>,
}

impl<'info> WithdrawCollateral<'info> {
    /// 1. accrue  2. remove the pledge  3. require borrow power over every position (remaining accounts)
    /// 4. move cTokens out of the collateral vault  5. emit
    #[access_control(ctx.accounts.position.vaults.require_allowed(Action::WithdrawCollateral))]
    pub fn handle(ctx: Context<'info, Self>, ctoken_amount: u64) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let reserve_key = ctx.accounts.position.vaults.reserve.key();
        {
            let mut reserve = ctx.accounts.position.vaults.reserve.load_mut()?;
            reserve.accrue_interest(now)?;
            let mut obligation = ctx.accounts.position.obligation.load_mut()?;
            collateral::unpledge(&mut obligation, &reserve_key, ctoken_amount)?;
            let held = (&reserve_key, &*reserve);
            require_borrow_power(&obligation, &ctx.accounts.position.vaults.market, ctx.remaining_accounts, held, now, BallastError::WithdrawExceedsLtv)?;
            obligation.invariant()?;
            reserve.invariant()?;
        }
        let a = &ctx.accounts;
        a.position.vaults.push_collateral(&a.user_ctokens, ctoken_amount)?;
        emit!(CollateralOutEvent { obligation: a.position.obligation.key(), reserve: reserve_key, ctoken_amount });
        Ok(())
    }
}
