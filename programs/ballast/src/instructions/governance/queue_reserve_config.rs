use crate::{
    error::BallastError,
    events::ReserveConfigQueuedEvent,
    operations::governance,
    state::{Market, Reserve, ReserveConfig},
};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct QueueReserveConfig<'info> {
    pub admin: Signer<'info>,
    #[account(has_one = admin @ BallastError::NotMarketAdmin)]
    pub market: AccountLoader<'info, Market>,
    #[account(mut, has_one = market @ BallastError::ReserveMarketMismatch)]
    pub reserve: AccountLoader<'info, Reserve>,
}

impl QueueReserveConfig<'_> {
    /// The config in force is untouched, so no accrual is needed until it applies.
    /// 1. validate the whole config  2. queue it for now + the market's timelock (one at a time)  3. emit
    pub fn handle(ctx: Context<Self>, config: ReserveConfig) -> Result<()> {
        let timelock_secs = ctx.accounts.market.load()?.config.config_timelock_secs;
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        let apply_ts = governance::reserve_slots(&mut reserve).queue(config, Clock::get()?.unix_timestamp, timelock_secs)?;
        reserve.invariant()?;
        emit_cpi!(ReserveConfigQueuedEvent { reserve: ctx.accounts.reserve.key(), current: reserve.config.into(), pending: config.into(), apply_ts });
        Ok(())
    }
}
