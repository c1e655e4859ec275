use crate::{
    error::BallastError,
    events::ReserveConfigUpdatedEvent,
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
    /// 1. validate the whole config  2. accrue under the old curve, so a new rate never applies retroactively
    /// 3. replace the config  4. emit
    #[access_control(config.validate())]
    pub fn handle(ctx: Context<Self>, config: ReserveConfig) -> Result<()> {
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        reserve.accrue_interest(Clock::get()?.unix_timestamp)?;
        reserve.config = config;
        reserve.invariant()?;
        emit!(ReserveConfigUpdatedEvent { reserve: ctx.accounts.reserve.key() });
        Ok(())
    }
}
