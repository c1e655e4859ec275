use crate::{
    error::BallastError,
    events::ReserveConfigCancelledEvent,
    operations::governance,
    state::{Market, Reserve},
};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct CancelPendingReserveConfig<'info> {
    /// The admin, or the risk council: cancelling is a brake, never an accelerator.
    pub authority: Signer<'info>,
    pub market: AccountLoader<'info, Market>,
    #[account(mut, has_one = market @ BallastError::ReserveMarketMismatch)]
    pub reserve: AccountLoader<'info, Reserve>,
}

impl CancelPendingReserveConfig<'_> {
    /// 1. the signer is the admin or the risk council  2. drop the pending config  3. emit
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let signer = ctx.accounts.authority.key();
        let by_admin = governance::require_admin_or_council(&*ctx.accounts.market.load()?, &signer)?;
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        let apply_ts = reserve.pending_config_apply_ts;
        let dropped = governance::reserve_slots(&mut reserve).cancel()?;
        reserve.invariant()?;
        emit_cpi!(ReserveConfigCancelledEvent { reserve: ctx.accounts.reserve.key(), signer, by_admin, dropped: dropped.into(), apply_ts });
        Ok(())
    }
}
