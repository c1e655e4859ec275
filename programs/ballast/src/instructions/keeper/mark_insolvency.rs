use crate::{
    error::BallastError,
    events::InsolvencyMarkedEvent,
    instructions::shared::compute_health,
    operations::liquidate,
    oracle::{Now, PriceUse},
    state::{Market, Obligation},
};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct MarkInsolvency<'info> {
    pub market: AccountLoader<'info, Market>,
    #[account(
        mut,
        constraint = obligation.load()?.market == market.key() @ BallastError::ObligationMarketMismatch,
    )]
    pub obligation: AccountLoader<'info, Obligation>,
}

impl<'info> MarkInsolvency<'info> {
    /// Permissionless: records what the obligation is now, on liquidation prices it verifies. Found insolvent
    /// (collateral worth less than debt) and not yet recorded: the insolvent auction's clock starts now. Found
    /// solvent: the clock clears. Anything else changes nothing. Nobody can start the clock early (the prices
    /// decide) or keep it running after a recovery (anyone, the owner first, can clear it; a borrow or withdrawal
    /// clears it too).
    ///
    /// Remaining accounts: the health pairs, as for `liquidate` (read-only).
    /// 1. liquidation health on fresh spot prices
    /// 2. record: start, keep or clear `insolvent_since`
    /// 3. emit the record as it stands
    pub fn handle(ctx: Context<'info, Self>) -> Result<()> {
        let clock = Now::get()?;
        let market_key = ctx.accounts.market.key();
        let mut obligation = ctx.accounts.obligation.load_mut()?;
        let group = ctx.accounts.market.load()?.elevation_group(obligation.elevation_group).copied();
        let health = compute_health(&obligation, &market_key, group.as_ref(), ctx.remaining_accounts, &[], clock, PriceUse::Liquidation)?;
        let insolvent = health.debt_value > crate::math::Fraction::ZERO && health.collateral_value < health.debt_value;
        let since = liquidate::next_insolvent_since(&obligation, insolvent, clock.ts);
        obligation.insolvent_since = since;
        obligation.invariant()?;
        drop(obligation);
        emit_cpi!(InsolvencyMarkedEvent { obligation: ctx.accounts.obligation.key(), insolvent_since: since });
        Ok(())
    }
}
