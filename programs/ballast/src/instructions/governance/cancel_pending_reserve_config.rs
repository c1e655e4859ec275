use crate::{
    error::BallastError,
    events::ConfigCancelledEvent,
    operations::governance,
    state::{Market, Reserve},
};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct CancelPendingReserveConfig<'info> {
    pub admin: Signer<'info>,
    #[account(has_one = admin @ BallastError::NotMarketAdmin)]
    pub market: AccountLoader<'info, Market>,
    #[account(mut, has_one = market @ BallastError::ReserveMarketMismatch)]
    pub reserve: AccountLoader<'info, Reserve>,
}

impl CancelPendingReserveConfig<'_> {
    /// 1. drop the pending config  2. emit
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        governance::reserve_slots(&mut reserve).cancel()?;
        reserve.invariant()?;
        emit!(ConfigCancelledEvent { target: ctx.accounts.reserve.key(), by_admin: true });
        Ok(())
    }
}
