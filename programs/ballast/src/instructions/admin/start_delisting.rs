use crate::{
    error::BallastError,
    events::DelistingStartedEvent,
    operations::delisting,
    state::{Market, Reserve},
};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct StartDelisting<'info> {
    pub admin: Signer<'info>,
    #[account(has_one = admin @ BallastError::NotMarketAdmin)]
    pub market: AccountLoader<'info, Market>,
    #[account(mut, has_one = market @ BallastError::ReserveMarketMismatch)]
    pub reserve: AccountLoader<'info, Reserve>,
}

impl StartDelisting<'_> {
    /// 1. accrue  2. mark the reserve (it backs no new borrows from now; thresholds fall after the notice)
    /// 3. emit
    pub fn handle(ctx: Context<Self>, notice_secs: u64, threshold_step_bps_per_day: u16, bonus_step_bps_per_day: u16) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let timelock_secs = ctx.accounts.market.load()?.config.config_timelock_secs;
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        reserve.accrue_interest(now)?;
        let starts_at = delisting::start(&mut reserve, now, notice_secs, threshold_step_bps_per_day, bonus_step_bps_per_day, timelock_secs)?;
        reserve.invariant()?;
        emit_cpi!(DelistingStartedEvent { reserve: ctx.accounts.reserve.key(), starts_at, threshold_step_bps_per_day, bonus_step_bps_per_day });
        Ok(())
    }
}
