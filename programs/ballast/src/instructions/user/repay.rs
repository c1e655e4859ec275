use crate::{
    error::BallastError,
    events::RepayEvent,
    instructions::shared::*,
    operations::{controls::Action, repay},
    state::Obligation,
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[event_cpi]
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

impl<'info> Repay<'info> {
    /// Needs no prices: repaying only ever improves health. Never refused by the isolated debt ceiling.
    ///
    /// 1. accrue
    /// 2. settle up to `max_liquidity_amount` (the largest u64 = all; debt rounded up)
    /// 3. release the settled share of the position's isolated debt from the obligation's isolated reserve
    ///    (`remaining_accounts[0]`, writable, when set and not this reserve)
    /// 4. credit the repayment to the reserve's net outflow window
    /// 5. pull liquidity
    /// 6. reconcile, emit
    #[access_control(ctx.accounts.vaults.require_allowed(Action::Repay))]
    pub fn handle(ctx: Context<'info, Self>, max_liquidity_amount: u64) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let reserve_key = ctx.accounts.vaults.reserve.key();
        let (repayment, isolated) = {
            let mut reserve = ctx.accounts.vaults.reserve.load_mut()?;
            reserve.accrue_interest(now)?;
            let mut obligation = ctx.accounts.obligation.load_mut()?;
            let isolated_key = obligation.isolated_reserve;
            let r = repay::repay(&mut reserve, &mut obligation, &reserve_key, max_liquidity_amount)?;
            let isolated = release_isolated_debt(
                &ctx.accounts.obligation.key(),
                &isolated_key,
                r.isolated_released_micro_quote,
                &ctx.accounts.vaults.market.key(),
                &mut [(&reserve_key, &mut *reserve)],
                ctx.remaining_accounts,
                now,
            )?;
            record_inflow(&ctx.accounts.vaults.market, &mut reserve, r.liquidity_amount, now)?;
            obligation.invariant()?;
            reserve.invariant()?;
            (r, isolated)
        };
        let a = &ctx.accounts;
        a.vaults.pull_liquidity(&a.payer_liquidity, &a.payer, repayment.liquidity_amount)?;
        ctx.accounts.vaults.reconcile()?;
        emit_cpi!(RepayEvent {
            obligation: ctx.accounts.obligation.key(),
            reserve: reserve_key,
            payer: ctx.accounts.payer.key(),
            liquidity_amount: repayment.liquidity_amount,
            closed: repayment.closed,
        });
        if let Some(event) = isolated {
            emit_cpi!(event);
        }
        Ok(())
    }
}
