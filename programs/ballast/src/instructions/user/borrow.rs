use crate::{
    error::BallastError,
    events::BorrowEvent,
    instructions::shared::*,
    math::checked_add_u64,
    operations::{borrow, controls::Action},
    state::Market,
};
use crate::oracle::{Now};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[event_cpi]
#[derive(Accounts)]
pub struct Borrow<'info> {
    pub position: Position<'info>,
    /// Receives the borrowed liquidity.
    #[account(mut)]
    pub user_liquidity: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The vaults' market again, writable: borrows count against its quote outflow limit.
    #[account(mut, address = position.vaults.market.key() @ BallastError::ReserveMarketMismatch)]
    pub market: AccountLoader<'info, Market>,
}

impl<'info> Borrow<'info> {
    /// 1. accrue
    /// 2. record the debt plus origination fee (caps, utilization ceiling)
    /// 3. require borrow power over every position, priced from remaining accounts
    /// 4. record the outflow (reserve and market limiters)
    /// 5. when the sole collateral is isolated, count the new debt against its ceiling
    /// 6. pay out
    /// 7. reconcile, emit
    #[access_control(ctx.accounts.position.vaults.require_allowed(Action::Borrow))]
    pub fn handle(ctx: Context<'info, Self>, liquidity_amount: u64) -> Result<()> {
        let clock = Now::get()?;
        let now = clock.ts;
        let reserve_key = ctx.accounts.position.vaults.reserve.key();
        let (origination_fee, isolated) = {
            let mut reserve = ctx.accounts.position.vaults.reserve.load_mut()?;
            reserve.accrue_interest(now)?;
            let mut obligation = ctx.accounts.position.obligation.load_mut()?;
            let fee = borrow::borrow(&mut reserve, &mut obligation, &reserve_key, liquidity_amount)?;
            let held = (&reserve_key, &*reserve);
            require_borrow_power(&obligation, &ctx.accounts.position.vaults.market, ctx.remaining_accounts, held, clock, BallastError::BorrowExceedsLtv)?;
            // Within borrow power is solvent: the insolvent auction's clock, if any was left running, clears.
            obligation.insolvent_since = 0;
            let prices = price_accounts_of(ctx.remaining_accounts, &reserve_key, &reserve)?;
            record_outflow(&ctx.accounts.market, &mut reserve, prices, liquidity_amount, clock)?;
            let obligation_key = ctx.accounts.position.obligation.key();
            let market_key = ctx.accounts.market.key();
            let debt_added = checked_add_u64(liquidity_amount, fee)?;
            let isolated = count_isolated_borrow(&obligation_key, &mut obligation, &market_key, &reserve_key, &mut reserve, debt_added, ctx.remaining_accounts, clock)?;
            obligation.invariant()?;
            reserve.invariant()?;
            (fee, isolated)
        };
        let a = &ctx.accounts;
        a.position.vaults.push_liquidity(a.user_liquidity.to_account_info(), liquidity_amount)?;
        ctx.accounts.position.vaults.reconcile()?;
        emit_cpi!(BorrowEvent {
            obligation: ctx.accounts.position.obligation.key(),
            reserve: reserve_key,
            liquidity_amount,
            origination_fee,
        });
        if let Some(event) = isolated {
            emit_cpi!(event);
        }
        Ok(())
    }
}
