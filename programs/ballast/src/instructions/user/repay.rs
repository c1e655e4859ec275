use crate::{
    error::BallastError,
    events::RepayEvent,
    instructions::shared::*,
    operations::{controls::Action, repay},
    state::Obligation,
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[derive(Accounts)]
pub struct Repay<'info> {
    /// Anyone may repay any obligation.
    pub payer: Signer<'info>,
    pub vaults: ReserveVaults<'info>,
    #[account(
        mut,
        constraint = obligation.load()?.market == vaults.market.key() @ BallastError::ObligationMarketMismatch,
    )]
    pub obligation: AccountLoader<'info, Obligation>,
    /// Source of the repayment, owned by `payer`.
    #[account(mut)]
    pub payer_liquidity: Box<InterfaceAccount<'info, TokenAccount>>,
}

impl Repay<'_> {
    /// 1. accrue  2. settle up to `max_liquidity_amount` (u64::MAX = all; debt rounded up)  3. pull liquidity
    /// 4. reconcile, emit. Needs no prices: repaying only ever improves health.
    #[access_control(ctx.accounts.vaults.require_allowed(Action::Repay))]
    pub fn handle(ctx: Context<Self>, max_liquidity_amount: u64) -> Result<()> {
        let reserve_key = ctx.accounts.vaults.reserve.key();
        let repayment = {
            let mut reserve = ctx.accounts.vaults.reserve.load_mut()?;
            reserve.accrue_interest(Clock::get()?.unix_timestamp)?;
            let mut obligation = ctx.accounts.obligation.load_mut()?;
            let r = repay::repay(&mut reserve, &mut obligation, &reserve_key, max_liquidity_amount)?;
            obligation.invariant()?;
            reserve.invariant()?;
            r
        };
        let a = &ctx.accounts;
        a.vaults.pull_liquidity(&a.payer_liquidity, &a.payer, repayment.liquidity_amount)?;
        ctx.accounts.vaults.reconcile()?;
        emit!(RepayEvent {
            obligation: ctx.accounts.obligation.key(),
            reserve: reserve_key,
            payer: ctx.accounts.payer.key(),
            liquidity_amount: repayment.liquidity_amount,
            closed: repayment.closed,
        });
        Ok(())
    }
}
