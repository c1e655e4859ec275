use crate::{
    error::BallastError,
    events::{ConfigCancelledEvent, ReserveConfigUpdatedEvent},
    operations::governance,
    state::{Market, Reserve, ReserveConfig},
};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct UpdateReserveConfig<'info> {
    pub admin: Signer<'info>,
    #[account(has_one = admin @ BallastError::NotMarketAdmin)]
    pub market: AccountLoader<'info, Market>,
    #[account(mut, has_one = market @ BallastError::ReserveMarketMismatch)]
    pub reserve: AccountLoader<'info, Reserve>,
}

impl UpdateReserveConfig<'_> {
    /// Loosening changes go through `queue_reserve_config` instead.
    /// 1. accrue under the old curve, so a new rate never applies retroactively
    /// 2. validate the whole config and replace it if it loosens nothing (it supersedes any pending change)
    /// 3. emit
    pub fn handle(ctx: Context<Self>, config: ReserveConfig) -> Result<()> {
        let key = ctx.accounts.reserve.key();
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        reserve.accrue_interest(Clock::get()?.unix_timestamp)?;
        let dropped = governance::reserve_slots(&mut reserve).set_at_once(config, BallastError::ConfigChangeLoosens)?;
        reserve.invariant()?;
        if dropped {
            emit!(ConfigCancelledEvent { target: key, by_admin: true });
        }
        emit!(ReserveConfigUpdatedEvent { reserve: key });
        Ok(())
    }
}
