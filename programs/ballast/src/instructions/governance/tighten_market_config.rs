use crate::{
    error::BallastError,
    events::{MarketConfigCancelledEvent, MarketConfigChangedEvent},
    operations::governance,
    state::{Market, MarketConfig},
};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct TightenMarketConfig<'info> {
    pub risk_council: Signer<'info>,
    #[account(mut, has_one = risk_council @ BallastError::NotRiskCouncil)]
    pub market: AccountLoader<'info, Market>,
}

impl TightenMarketConfig<'_> {
    /// The risk council's market-wide brake: emergency mode, lower outflow limit, at once.
    /// 1. apply `config` if it loosens nothing (it supersedes any pending change)  2. emit
    pub fn handle(ctx: Context<Self>, config: MarketConfig) -> Result<()> {
        let key = ctx.accounts.market.key();
        let mut market = ctx.accounts.market.load_mut()?;
        let (old, pending, apply_ts) = (market.config, market.pending_config, market.pending_config_apply_ts);
        let dropped = governance::market_slots(&mut market).set_at_once(config, BallastError::RiskCouncilCannotLoosen)?;
        market.invariant()?;
        let signer = ctx.accounts.risk_council.key();
        if dropped {
            emit_cpi!(MarketConfigCancelledEvent { market: key, signer, by_admin: false, dropped: pending.into(), apply_ts });
        }
        emit_cpi!(MarketConfigChangedEvent { market: key, signer, by_admin: false, old: old.into(), new: config.into() });
        Ok(())
    }
}
