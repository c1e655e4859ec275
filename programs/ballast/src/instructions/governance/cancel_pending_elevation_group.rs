use crate::{events::ElevationGroupCancelledEvent, operations::governance, state::Market};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct CancelPendingElevationGroup<'info> {
    /// The admin, or the risk council: cancelling is a brake, never an accelerator.
    pub authority: Signer<'info>,
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
}

impl CancelPendingElevationGroup<'_> {
    /// 1. the signer is the admin or the risk council  2. drop the pending group change  3. emit
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let signer = ctx.accounts.authority.key();
        let mut market = ctx.accounts.market.load_mut()?;
        governance::require_admin_or_council(&market, &signer)?;
        let (id, dropped) = governance::cancel_pending_elevation_group(&mut market)?;
        market.invariant()?;
        emit_cpi!(ElevationGroupCancelledEvent { market: ctx.accounts.market.key(), id, dropped: dropped.into(), signer });
        Ok(())
    }
}
