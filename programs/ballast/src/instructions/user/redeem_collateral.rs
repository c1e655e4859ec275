use crate::{
    error::BallastError,
    events::RedeemEvent,
    instructions::shared::*,
    operations::{controls::Action, deposit},
    state::Market,
};
use crate::oracle::{trailing_secondary, Now};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[event_cpi]
#[derive(Accounts)]
pub struct RedeemCollateral<'info> {
    pub owner: Signer<'info>,
    pub vaults: ReserveVaults<'info>,
    /// Receives the liquidity.
    #[account(mut)]
    pub user_liquidity: Box<InterfaceAccount<'info, TokenAccount>>,
    /// cTokens to burn, owned by `owner`.
    #[account(mut)]
    pub user_ctokens: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The vaults' market again, writable: redeems count against its quote outflow limit.
    #[account(mut, address = vaults.market.key() @ BallastError::ReserveMarketMismatch)]
    pub market: AccountLoader<'info, Market>,
    /// The reserve's primary price account, read only when the market outflow limiter is on; its secondary,
    /// when configured, may follow as the one remaining account (the oracle sources module).
    /// CHECK: address-checked against the reserve's oracle config in `record_outflow`.
    pub price: UncheckedAccount<'info>,
}

impl<'info> RedeemCollateral<'info> {
    /// 0. circuit breakers  1. accrue  2. price the liquidity (rounded down)  3. count it against the reserve
    /// and market outflow limits  4. burn cTokens, pay liquidity  5. reconcile, emit
    #[access_control(ctx.accounts.vaults.require_allowed(Action::Redeem))]
    pub fn handle(ctx: Context<'info, Self>, ctoken_amount: u64) -> Result<()> {
        let clock = Now::get()?;
        let now = clock.ts;
        let liquidity_amount = {
            let mut reserve = ctx.accounts.vaults.reserve.load_mut()?;
            reserve.accrue_interest(now)?;
            let paid = deposit::redeem_for_depositor(&mut reserve, ctoken_amount)?;
            let prices = trailing_secondary(&ctx.accounts.price, ctx.remaining_accounts, &reserve.config)?;
            record_outflow(&ctx.accounts.market, &mut reserve, prices, paid, clock)?;
            reserve.invariant()?;
            paid
        };
        let a = &ctx.accounts;
        a.vaults.burn_user_ctokens(&a.user_ctokens, &a.owner, ctoken_amount)?;
        a.vaults.push_liquidity(a.user_liquidity.to_account_info(), liquidity_amount)?;
        ctx.accounts.vaults.reconcile()?;
        emit_cpi!(RedeemEvent {
            reserve: ctx.accounts.vaults.reserve.key(),
            user: ctx.accounts.owner.key(),
            ctoken_amount,
            liquidity_amount,
        });
        Ok(())
    }
}
