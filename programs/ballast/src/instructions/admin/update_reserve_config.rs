use crate::{
    error::BallastError,
    events::{ReserveConfigCancelledEvent, ReserveConfigChangedEvent},
    operations::governance,
    state::{Market, Reserve, ReserveConfig},
};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct UpdateReserveConfig<'info> {
    pub admin: Signer<'info>,
    #[account(has_one = admin @ BallastError::NotMarketAdmin)]
    pub market: AccountLoader<'info, Market>,
    #[account(mut, has_one = market @ BallastError::ReserveMarketMismatch)]
    pub reserve: AccountLoader<'info, Reserve>,
}

impl UpdateReserveConfig<'_> {
    /// Loosening changes go through `queue_reserve_config` instead; so do rate and fee rises, except a rate
    /// curve rise of at most MAX_RATE_STEP_BPS per point, once per RATE_STEP_COOLDOWN_SECS.
    /// 1. accrue under the old curve, so a new rate never applies retroactively
    /// 2. validate the whole config and replace it if it loosens nothing or is a bounded rate step (it
    ///    supersedes any pending change)
    /// 3. emit
    pub fn handle(ctx: Context<Self>, config: ReserveConfig) -> Result<()> {
        let key = ctx.accounts.reserve.key();
        let now = Clock::get()?.unix_timestamp;
        let timelock_secs = ctx.accounts.market.load()?.config.config_timelock_secs;
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        reserve.accrue_interest(now)?;
        let (old, pending, apply_ts) = (reserve.config, reserve.pending_config, reserve.pending_config_apply_ts);
        let dropped = governance::update_reserve_at_once(&mut reserve, config, now, timelock_secs)?;
        reserve.invariant()?;
        let signer = ctx.accounts.admin.key();
        if dropped {
            emit_cpi!(ReserveConfigCancelledEvent { reserve: key, signer, by_admin: true, dropped: pending.into(), apply_ts });
        }
        emit_cpi!(ReserveConfigChangedEvent { reserve: key, signer, by_admin: true, old: old.into(), new: config.into() });
        Ok(())
    }
}
