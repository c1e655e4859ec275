use crate::{
    error::BallastError,
    events::{CollateralOutEvent, RedeemEvent},
    instructions::shared::*,
    operations::{collateral, controls::Action, deposit, isolation},
    oracle::PriceUse,
    state::Market,
};
use crate::oracle::{secondary_among, Now};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[event_cpi]
#[derive(Accounts)]
pub struct WithdrawCollateralAndRedeem<'info> {
    pub position: Position<'info>,
    /// Receives the liquidity.
    #[account(mut)]
    pub user_liquidity: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The vaults' market again, writable: redeems count against its quote outflow limit.
    #[account(mut, address = position.vaults.market.key() @ BallastError::ReserveMarketMismatch)]
    pub market: AccountLoader<'info, Market>,
    /// The reserve's primary price account, read only when the market outflow limiter is on; its secondary is
    /// taken from the remaining accounts by address when passed there.
    /// CHECK: address-checked against the reserve's oracle config in `record_outflow`.
    pub price: UncheckedAccount<'info>,
}

impl<'info> WithdrawCollateralAndRedeem<'info> {
    /// 1. accrue
    /// 2. remove the pledge
    /// 3. require borrow power (remaining accounts)
    /// 4. settle isolated counts: release those of an isolated reserve no longer held; count the debt left on isolated collateral now alone, within its ceiling
    /// 5. redeem (rounded down), counted against the outflow limits
    /// 6. burn the cTokens in the collateral vault, pay liquidity
    /// 7. reconcile, emit
    #[access_control(ctx.accounts.position.vaults.require_allowed(Action::Redeem))]
    pub fn handle(ctx: Context<'info, Self>, ctoken_amount: u64) -> Result<()> {
        let clock = Now::get()?;
        let now = clock.ts;
        let reserve_key = ctx.accounts.position.vaults.reserve.key();
        let (obligation_key, market_key) = (ctx.accounts.position.obligation.key(), ctx.accounts.market.key());
        let remaining = ctx.remaining_accounts;
        let (liquidity_amount, isolated) = {
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
            let paid = deposit::redeem_for_depositor(&mut reserve, ctoken_amount)?;
            let prices = secondary_among(&ctx.accounts.price, remaining, &reserve.config);
            record_outflow(&ctx.accounts.market, &mut reserve, prices, paid, clock)?;
            obligation.invariant()?;
            reserve.invariant()?;
            (paid, events)
        };
        let a = &ctx.accounts;
        a.position.vaults.burn_vault_ctokens(ctoken_amount)?;
        a.position.vaults.push_liquidity(a.user_liquidity.to_account_info(), liquidity_amount)?;
        ctx.accounts.position.vaults.reconcile()?;
        let a = &ctx.accounts;
        emit_cpi!(CollateralOutEvent { obligation: obligation_key, reserve: reserve_key, ctoken_amount });
        emit_cpi!(RedeemEvent { reserve: reserve_key, user: a.position.owner.key(), ctoken_amount, liquidity_amount });
        for event in isolated.into_iter().flatten() {
            emit_cpi!(event);
        }
        Ok(())
    }
}
