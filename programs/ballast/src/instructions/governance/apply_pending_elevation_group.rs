use crate::{events::ElevationGroupConfiguredEvent, operations::governance, state::Market};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct ApplyPendingElevationGroup<'info> {
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
}

impl ApplyPendingElevationGroup<'_> {
    /// Permissionless: the timelock, not a signer, is the safeguard.
    /// 1. apply the pending group change once due, validating it again  2. emit
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let mut market = ctx.accounts.market.load_mut()?;
        let (id, old) = governance::apply_pending_elevation_group(&mut market, Clock::get()?.unix_timestamp)?;
        market.invariant()?;
        let group = market.elevation_groups[id as usize - 1];
        emit_cpi!(ElevationGroupConfiguredEvent { market: ctx.accounts.market.key(), id, old: old.into(), group: group.into() });
        Ok(())
    }
}
