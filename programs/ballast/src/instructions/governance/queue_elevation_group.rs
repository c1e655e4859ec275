use crate::{
    error::BallastError,
    events::ElevationGroupQueuedEvent,
    instructions::admin::ConfigureElevationGroupArgs,
    operations::governance,
    state::{Market, Reserve},
};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct QueueElevationGroup<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ BallastError::NotMarketAdmin)]
    pub market: AccountLoader<'info, Market>,
    /// The one reserve the group's obligations may borrow.
    #[account(has_one = market @ BallastError::ReserveMarketMismatch)]
    pub debt_reserve: AccountLoader<'info, Reserve>,
}

impl QueueElevationGroup<'_> {
    /// Creating or loosening a group waits the market's timelock (one group change at a time).
    /// 1. validate id and parameters  2. queue for now + the timelock  3. emit
    pub fn handle(ctx: Context<Self>, args: ConfigureElevationGroupArgs) -> Result<()> {
        let group = args.group(ctx.accounts.debt_reserve.key());
        let mut market = ctx.accounts.market.load_mut()?;
        let timelock_secs = market.config.config_timelock_secs;
        let apply_ts = governance::queue_elevation_group(&mut market, args.id, group, Clock::get()?.unix_timestamp, timelock_secs)?;
        market.invariant()?;
        emit_cpi!(ElevationGroupQueuedEvent { market: ctx.accounts.market.key(), id: args.id, group: group.into(), apply_ts });
        Ok(())
    }
}
