use crate::{
    error::BallastError,
    events::ConfigCancelledEvent,
    operations::governance,
    state::{Market, Reserve},
};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct CancelPendingReserveConfig<'info> {
    /// The admin, or the risk council: cancelling is a brake, never an accelerator.
    pub authority: Signer<'info>,
    pub market: AccountLoader<'info, Market>,
    #[account(mut, has_one = market @ BallastError::ReserveMarketMismatch)]
    pub reserve: AccountLoader<'info, Reserve>,
}

impl CancelPendingReserveConfig<'_> {
    /// 1. the signer is the admin or the risk council  2. drop the pending config  3. emit
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let signer = ctx.accounts.authority.key();
        let by_admin = governance::require_admin_or_council(&*ctx.accounts.market.load()?, &signer)?;
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        governance::reserve_slots(&mut reserve).cancel()?;
        reserve.invariant()?;
        emit!(ConfigCancelledEvent { target: ctx.accounts.reserve.key(), by_admin, signer });
        Ok(())
    }
}
