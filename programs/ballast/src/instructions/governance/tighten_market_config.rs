use crate::{
    error::BallastError,
    events::{ConfigCancelledEvent, ConfigTightenedEvent},
    operations::governance,
    state::{Market, MarketConfig},
};
use anchor_lang::prelude::*;

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
        let dropped = governance::market_slots(&mut market).set_at_once(config, BallastError::RiskCouncilCannotLoosen)?;
        market.invariant()?;
        if dropped {
            emit!(ConfigCancelledEvent { target: key, by_admin: false, signer: ctx.accounts.risk_council.key() });
        }
        emit!(ConfigTightenedEvent { target: key, risk_council: ctx.accounts.risk_council.key() });
        Ok(())
    }
}
