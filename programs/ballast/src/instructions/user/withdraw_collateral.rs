use crate::{
    error::BallastError,
    events::CollateralOutEvent,
    instructions::shared::*,
    operations::{collateral, controls::Action, isolation},
    oracle::PriceUse,
};
use crate::oracle::{Now};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[event_cpi]
#[derive(Accounts)]
pub struct WithdrawCollateral<'info> {
    pub position: Position<'info>,
    /// Receives the cTokens.
    #[account(mut)]
    pub user_ctokens: Box<InterfaceAccount<'info, TokenAccount>>,
}

impl<'info> WithdrawCollateral<'info> {
    /// 1. accrue
    /// 2. remove the pledge
    /// 3. require borrow power over every position (remaining accounts)
    /// 4. settle isolated counts: release those of an isolated reserve no longer held; count the debt left on isolated collateral now alone, within its ceiling
    /// 5. move cTokens out of the collateral vault
    /// 6. emit
    #[access_control(ctx.accounts.position.vaults.require_allowed(Action::WithdrawCollateral))]
    pub fn handle(ctx: Context<'info, Self>, ctoken_amount: u64) -> Result<()> {
        let clock = Now::get()?;
        let now = clock.ts;
        let reserve_key = ctx.accounts.position.vaults.reserve.key();
        let (obligation_key, market_key) = (ctx.accounts.position.obligation.key(), ctx.accounts.position.vaults.market.key());
        let remaining = ctx.remaining_accounts;
        let isolated = {
            let mut reserve = ctx.accounts.position.vaults.reserve.load_mut()?;
            reserve.accrue_interest(now)?;
            let mut obligation = ctx.accounts.position.obligation.load_mut()?;
            let sole_before = isolation::sole_collateral(&obligation);
            collateral::unpledge(&mut obligation, &reserve_key, ctoken_amount)?;
            let held = (&reserve_key, &*reserve);
            require_borrow_power(&obligation, &ctx.accounts.position.vaults.market, remaining, held, clock, BallastError::WithdrawExceedsLtv)?;
            // Within borrow power is solvent: the insolvent auction's clock, if any was left running, clears.
            obligation.insolvent_since = 0;
            let held = &mut [(&reserve_key, &mut *reserve)];
            let events = settle_isolated_collateral(&obligation_key, &mut obligation, sole_before, &market_key, held, remaining, remaining, clock, PriceUse::Risk, true)?;
            obligation.invariant()?;
            reserve.invariant()?;
            events
        };
        let a = &ctx.accounts;
        a.position.vaults.push_collateral(&a.user_ctokens, ctoken_amount)?;
        emit_cpi!(CollateralOutEvent { obligation: obligation_key, reserve: reserve_key, ctoken_amount });
        for event in isolated.into_iter().flatten() {
            emit_cpi!(event);
        }
        Ok(())
    }
}
