use crate::{
    error::BallastError,
    events::MarketConfigQueuedEvent,
    operations::governance,
    state::{Market, MarketConfig},
};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct QueueMarketConfig<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ BallastError::NotMarketAdmin)]
    pub market: AccountLoader<'info, Market>,
}

impl QueueMarketConfig<'_> {
    /// A shorter timelock is itself queued under the timelock in force, so it cannot shortcut itself.
    /// 1. validate the whole config  2. queue it for now + the current timelock (one at a time)  3. emit
    pub fn handle(ctx: Context<Self>, config: MarketConfig) -> Result<()> {
        let mut market = ctx.accounts.market.load_mut()?;
        let timelock_secs = market.config.config_timelock_secs;
        let apply_ts = governance::market_slots(&mut market).queue(config, Clock::get()?.unix_timestamp, timelock_secs)?;
        market.invariant()?;
        emit_cpi!(MarketConfigQueuedEvent { market: ctx.accounts.market.key(), current: market.config.into(), pending: config.into(), apply_ts });
        Ok(())
    }
}
