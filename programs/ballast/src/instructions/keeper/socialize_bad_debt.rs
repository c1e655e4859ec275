use crate::{
    error::BallastError,
    events::BadDebtSocializedEvent,
    operations::bad_debt,
    state::{Market, Obligation, Reserve},
};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct SocializeBadDebt<'info> {
    pub market: AccountLoader<'info, Market>,
    #[account(mut, has_one = market @ BallastError::ReserveMarketMismatch)]
    pub reserve: AccountLoader<'info, Reserve>,
    #[account(
        mut,
        constraint = obligation.load()?.market == market.key() @ BallastError::ObligationMarketMismatch,
    )]
    pub obligation: AccountLoader<'info, Obligation>,
}

impl SocializeBadDebt<'_> {
    /// Permissionless. 1. accrue  2. require no collateral left and debt in this reserve  3. write it off,
    /// insurance first, the rest through a lower exchange rate  4. emit both parts
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        reserve.accrue_interest(Clock::get()?.unix_timestamp)?;
        let mut obligation = ctx.accounts.obligation.load_mut()?;
        let write_off = bad_debt::socialize(&mut reserve, &mut obligation, &ctx.accounts.reserve.key())?;
        obligation.invariant()?;
        reserve.invariant()?;
        emit!(BadDebtSocializedEvent {
            obligation: ctx.accounts.obligation.key(),
            reserve: ctx.accounts.reserve.key(),
            debt_amount: write_off.debt_amount,
            from_insurance: write_off.from_insurance,
            from_depositors: write_off.from_depositors,
        });
        Ok(())
    }
}
