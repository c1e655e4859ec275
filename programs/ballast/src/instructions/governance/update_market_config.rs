use crate::{
    error::BallastError,
    events::{ConfigCancelledEvent, MarketConfigUpdatedEvent},
    operations::governance,
    state::{Market, MarketConfig},
};
use anchor_lang::prelude::*;

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
        let dropped = governance::market_slots(&mut market).set_at_once(config, BallastError::ConfigChangeLoosens)?;
        market.invariant()?;
        if dropped {
            emit!(ConfigCancelledEvent { target: key, by_admin: true, signer: ctx.accounts.admin.key() });
        }
        emit!(MarketConfigUpdatedEvent { market: key });
        Ok(())
    }
}
