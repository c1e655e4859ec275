use crate::{
    error::BallastError,
    events::{MarketConfigCancelledEvent, MarketConfigChangedEvent},
    operations::governance,
    state::{Market, MarketConfig},
};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct UpdateMarketConfig<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ BallastError::NotMarketAdmin)]
    pub market: AccountLoader<'info, Market>,
}

impl UpdateMarketConfig<'_> {
    /// Loosening changes go through `queue_market_config` instead.
    /// 1. apply `config` if it loosens nothing (it supersedes any pending change)  2. emit
    pub fn handle(ctx: Context<Self>, config: MarketConfig) -> Result<()> {
        let key = ctx.accounts.market.key();
        let mut market = ctx.accounts.market.load_mut()?;
        let (old, pending, apply_ts) = (market.config, market.pending_config, market.pending_config_apply_ts);
        let dropped = governance::market_slots(&mut market).set_at_once(config, BallastError::ConfigChangeLoosens)?;
        market.invariant()?;
        let signer = ctx.accounts.admin.key();
        if dropped {
            emit_cpi!(MarketConfigCancelledEvent { market: key, signer, by_admin: true, dropped: pending.into(), apply_ts });
        }
        emit_cpi!(MarketConfigChangedEvent { market: key, signer, by_admin: true, old: old.into(), new: config.into() });
        Ok(())
    }
}
