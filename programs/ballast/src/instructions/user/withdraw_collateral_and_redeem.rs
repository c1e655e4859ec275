use crate::{
    error::BallastError,
    events::{CollateralOutEvent, RedeemEvent},
    instructions::shared::*,
    operations::{collateral, controls::{self, Action}, deposit},
    state::Market,
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[derive(Accounts)]
pub struct WithdrawCollateralAndRedeem<'info> {
    pub position: Position<'info>,
    /// Receives the liquidity.
    #[account(mut)]
    pub user_liquidity: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The vaults' market again, writable: redeems count against its quote outflow limit.
    #[account(mut, address = position.vaults.market.key() @ BallastError::ReserveMarketMismatch)]
    pub market: AccountLoader<'info, Market>,
    /// CHECK: the reserve's price account, read by `load_price` only when the market outflow limiter is on.
    pub price: UncheckedAccount<'info>,
}

impl<'info> WithdrawCollateralAndRedeem<'info> {
    /// 1. accrue  2. remove the pledge  3. require borrow power (remaining accounts)  4. redeem (rounded down)
    /// 5. burn the cTokens in the collateral vault, pay liquidity  6. reconcile, emit both events
    #[access_control(ctx.accounts.position.vaults.require_allowed(Action::Redeem))]
    pub fn handle(ctx: Context<'info, Self>, ctoken_amount: u64) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let reserve_key = ctx.accounts.position.vaults.reserve.key();
        let liquidity_amount = {
            let mut reserve = ctx.accounts.position.vaults.reserve.load_mut()?;
            reserve.accrue_interest(now)?;
            let mut obligation = ctx.accounts.position.obligation.load_mut()?;
            collateral::unpledge(&mut obligation, &reserve_key, ctoken_amount)?;
            let held = (&reserve_key, &*reserve);
            require_borrow_power(&obligation, &ctx.accounts.position.vaults.market, ctx.remaining_accounts, held, now, BallastError::WithdrawExceedsLtv)?;
            let paid = deposit::redeem_ctokens(&mut reserve, ctoken_amount)?;
            controls::record_reserve_outflow(&mut reserve, paid, now)?;
            record_market_outflow(&ctx.accounts.market, &reserve, &ctx.accounts.price, paid, now)?;
            obligation.invariant()?;
            reserve.invariant()?;
            paid
        };
        let a = &ctx.accounts;
        a.position.vaults.burn_vault_ctokens(ctoken_amount)?;
        a.position.vaults.push_liquidity(a.user_liquidity.to_account_info(), liquidity_amount)?;
        ctx.accounts.position.vaults.reconcile()?;
        let a = &ctx.accounts;
        emit!(CollateralOutEvent { obligation: a.position.obligation.key(), reserve: reserve_key, ctoken_amount });
        emit!(RedeemEvent { reserve: reserve_key, user: a.position.owner.key(), ctoken_amount, liquidity_amount });
        Ok(())
    }
}
