use crate::{
    events::DelistingStoppedEvent,
    operations::{delisting, governance},
    state::{Market, Reserve},
    error::BallastError,
};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct StopDelisting<'info> {
    /// The admin, or the risk council: a stop only makes obligations healthier.
    pub authority: Signer<'info>,
    pub market: AccountLoader<'info, Market>,
    #[account(mut, has_one = market @ BallastError::ReserveMarketMismatch)]
    pub reserve: AccountLoader<'info, Reserve>,
}

impl StopDelisting<'_> {
    /// 1. the signer is the admin or the risk council  2. accrue  3. clear the delisting: the config's thresholds
    /// and bonuses apply again at once, and the reserve backs new borrows  4. emit
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let signer = ctx.accounts.authority.key();
        let by_admin = governance::require_admin_or_council(&*ctx.accounts.market.load()?, &signer)?;
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        reserve.accrue_interest(Clock::get()?.unix_timestamp)?;
        let started_at = reserve.delisting_start_ts;
        delisting::stop(&mut reserve)?;
        reserve.invariant()?;
        emit_cpi!(DelistingStoppedEvent { reserve: ctx.accounts.reserve.key(), signer, by_admin, started_at });
        Ok(())
    }
}
