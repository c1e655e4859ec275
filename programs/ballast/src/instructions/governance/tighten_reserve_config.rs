use crate::{
    error::BallastError,
    events::{ReserveConfigCancelledEvent, ReserveConfigChangedEvent},
    operations::governance,
    state::{Market, Reserve, ReserveConfig},
};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct TightenReserveConfig<'info> {
    pub risk_council: Signer<'info>,
    #[account(has_one = risk_council @ BallastError::NotRiskCouncil)]
    pub market: AccountLoader<'info, Market>,
    #[account(mut, has_one = market @ BallastError::ReserveMarketMismatch)]
    pub reserve: AccountLoader<'info, Reserve>,
}

impl TightenReserveConfig<'_> {
    /// The risk council's emergency brake: pause, reduce-only, lower caps or LTV, at once.
    ///
    /// 1. accrue under the old config
    /// 2. refuse repricing (rates and fees are the admin's)
    /// 3. apply `config` if it loosens nothing (it supersedes any pending change)
    /// 4. emit
    pub fn handle(ctx: Context<Self>, config: ReserveConfig) -> Result<()> {
        let key = ctx.accounts.reserve.key();
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        reserve.accrue_interest(Clock::get()?.unix_timestamp)?;
        require!(!governance::reserve_change_reprices(&reserve.config, &config), BallastError::RiskCouncilCannotReprice);
        let (old, pending, apply_ts) = (reserve.config, reserve.pending_config, reserve.pending_config_apply_ts);
        let dropped = governance::reserve_slots(&mut reserve).set_at_once(config, BallastError::RiskCouncilCannotLoosen)?;
        reserve.invariant()?;
        let signer = ctx.accounts.risk_council.key();
        if dropped {
            emit_cpi!(ReserveConfigCancelledEvent { reserve: key, signer, by_admin: false, dropped: pending.into(), apply_ts });
        }
        emit_cpi!(ReserveConfigChangedEvent { reserve: key, signer, by_admin: false, old: old.into(), new: config.into() });
        Ok(())
    }
}
