use crate::{
    error::BallastError,
    events::{IsolatedDebtEvent, LiquidateEvent},
    instructions::shared::*,
    operations::{isolation, liquidate, repay},
    oracle::PriceUse,
    state::{Obligation, Reserve},
};
use crate::oracle::Now;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct LiquidateArgs {
    /// Most the liquidator will repay, native units of the repay reserve (the largest u64 = as much as allowed).
    pub max_repay_amount: u64,
    /// Least the liquidator accepts: liquidity if paid in underlying, else cTokens.
    pub min_seized_out: u64,
    /// Receive the withdraw reserve's liquidity instead of cTokens when it has enough available.
    pub receive_underlying: bool,
}

#[event_cpi]
#[derive(Accounts)]
pub struct Liquidate<'info> {
    pub liquidator: Signer<'info>,
    /// The reserve whose debt is repaid.
    pub repay: ReserveVaults<'info>,
    /// The reserve whose collateral is seized (may be the same reserve).
    pub withdraw: ReserveVaults<'info>,
    #[account(
        mut,
        constraint = obligation.load()?.market == repay.market.key() @ BallastError::ObligationMarketMismatch,
        constraint = withdraw.market.key() == repay.market.key() @ BallastError::ReserveMarketMismatch,
    )]
    pub obligation: AccountLoader<'info, Obligation>,
    /// Pays the repayment, owned by the liquidator.
    #[account(mut)]
    pub liquidator_repay_liquidity: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Receives seized cTokens.
    #[account(mut)]
    pub liquidator_withdraw_ctokens: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Receives seized liquidity when paid in underlying (the repay account again when one reserve is on
    /// both sides; token accounts are not serialized on exit, so `dup` is safe).
    #[account(mut, dup)]
    pub liquidator_withdraw_liquidity: Box<InterfaceAccount<'info, TokenAccount>>,
}

struct Settlement {
    plan: liquidate::LiquidationPlan,
    liquidator_ctokens: u64,
    underlying: Option<u64>,
    isolated: [Option<IsolatedDebtEvent>; 3],
}

impl<'info> Liquidate<'info> {
    /// Permissionless. Never blocked by caps, limits or the isolated debt ceiling: only health, prices and
    /// positions decide.
    ///
    /// 1. accrue both reserves
    /// 2. require both positions
    /// 3. liquidation health on fresh spot prices
    /// 4. size the call (close factor, dust, bonus, collateral cap, protocol fee); the insolvent auction's clock
    ///    starts if the obligation is found insolvent, and clears if it is solvent
    /// 5. settle the debt and seize collateral, the fee into insurance
    /// 6. release the settled share of the position's isolated debt from the obligation's isolated reserve
    /// 7. settle isolated counts: release those of an isolated reserve no longer held; count the debt left on isolated collateral now alone (past its ceiling if need be)
    /// 8. pay the liquidator in underlying or cTokens
    /// 9. emit
    pub fn handle(ctx: Context<'info, Self>, args: LiquidateArgs) -> Result<()> {
        let clock = Now::get()?;
        let now = clock.ts;
        let a = &ctx.accounts;
        let market_key = a.repay.market.key();
        let (market_config, group) = {
            let market = a.repay.market.load()?;
            let group = market.elevation_group(a.obligation.load()?.elevation_group).copied();
            (market.config, group)
        };
        let repay_key = a.repay.reserve.key();
        let withdraw_key = a.withdraw.reserve.key();
        let s = {
            let mut repay_reserve = a.repay.reserve.load_mut()?;
            repay_reserve.accrue_interest(now)?;
            // The same reserve on both sides is loaded once.
            let mut withdraw_guard = if repay_key == withdraw_key { None } else { Some(a.withdraw.reserve.load_mut()?) };
            if let Some(w) = withdraw_guard.as_deref_mut() {
                w.accrue_interest(now)?;
            }
            let mut obligation = a.obligation.load_mut()?;
            let isolated_key = obligation.isolated_reserve;
            let sole_before = isolation::sole_collateral(&obligation);
            let pairs = liquidation_health_accounts(&obligation, &isolated_key, ctx.remaining_accounts)?;
            let plan = {
                let withdraw_reserve: &Reserve = withdraw_guard.as_deref().unwrap_or(&repay_reserve);
                let terms = LiquidationTerms {
                    market: &market_key,
                    config: &market_config,
                    group: group.as_ref(),
                    max_repay_amount: args.max_repay_amount,
                };
                size_liquidation(&obligation, &terms, (&repay_key, &repay_reserve), (&withdraw_key, withdraw_reserve), pairs, clock)?
            };
            obligation.insolvent_since = liquidate::next_insolvent_since(&obligation, plan.insolvent, now);

            let repayment = repay::repay(&mut repay_reserve, &mut obligation, &repay_key, plan.repay_amount)?;
            let withdraw_reserve: &mut Reserve = match withdraw_guard.as_deref_mut() {
                Some(w) => w,
                None => &mut repay_reserve,
            };
            let payout = liquidate::settle(withdraw_reserve, &mut obligation, &withdraw_key, &plan, args.receive_underlying, args.min_seized_out)?;
            let obligation_key = a.obligation.key();
            let remaining = ctx.remaining_accounts;
            let mut settle_isolated = |held: &mut [(&Pubkey, &mut Reserve)]| -> Result<[Option<IsolatedDebtEvent>; 3]> {
                let released = repayment.isolated_released_micro_quote;
                let release = release_isolated_debt(&obligation_key, &isolated_key, released, &market_key, held, remaining, now)?;
                let [moved, counted] = settle_isolated_collateral(&obligation_key, &mut obligation, sole_before, &market_key, held, pairs, remaining, clock, PriceUse::Liquidation, false)?;
                Ok([release, moved, counted])
            };
            let isolated = match withdraw_guard.as_deref_mut() {
                Some(w) => settle_isolated(&mut [(&repay_key, &mut *repay_reserve), (&withdraw_key, w)])?,
                None => settle_isolated(&mut [(&repay_key, &mut *repay_reserve)])?,
            };
            repay_reserve.invariant()?;
            if let Some(w) = withdraw_guard.as_deref() {
                w.invariant()?;
            }
            obligation.invariant()?;
            Settlement { plan, liquidator_ctokens: payout.ctoken_amount, underlying: payout.underlying, isolated }
        };

        a.repay.pull_liquidity(&a.liquidator_repay_liquidity, &a.liquidator, s.plan.repay_amount)?;
        if s.plan.protocol_fee_ctokens > 0 {
            a.withdraw.burn_vault_ctokens(s.plan.protocol_fee_ctokens)?;
        }
        match s.underlying {
            Some(liquidity) => {
                a.withdraw.burn_vault_ctokens(s.liquidator_ctokens)?;
                a.withdraw.push_liquidity(a.liquidator_withdraw_liquidity.to_account_info(), liquidity)?;
            }
            None => a.withdraw.push_collateral(&a.liquidator_withdraw_ctokens, s.liquidator_ctokens)?,
        }
        ctx.accounts.repay.reconcile()?;
        ctx.accounts.withdraw.reconcile()?;
        emit_cpi!(LiquidateEvent {
            obligation: ctx.accounts.obligation.key(),
            liquidator: ctx.accounts.liquidator.key(),
            repay_reserve: repay_key,
            withdraw_reserve: withdraw_key,
            repay_amount: s.plan.repay_amount,
            seized_ctokens: s.plan.seized_ctokens,
            protocol_fee_ctokens: s.plan.protocol_fee_ctokens,
            bonus_bps: liquidate::to_bps(s.plan.bonus)?,
            received_underlying: s.underlying.is_some(),
            received_amount: s.underlying.unwrap_or(s.liquidator_ctokens),
        });
        for event in s.isolated.into_iter().flatten() {
            emit_cpi!(event);
        }
        Ok(())
    }
}
