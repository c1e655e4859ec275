use crate::{
    error::BallastError,
    events::BadDebtSocializedEvent,
    instructions::shared::release_isolated_debt,
    operations::bad_debt,
    state::{Market, Obligation, Reserve},
};
use anchor_lang::prelude::*;

#[event_cpi]
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

impl<'info> SocializeBadDebt<'info> {
    /// Permissionless.
    ///
    /// 1. accrue
    /// 2. require no collateral left and debt in this reserve
    /// 3. write it off: insurance first, then unswept protocol fees, the rest through a lower exchange rate
    /// 4. release the position's isolated debt from the obligation's isolated reserve
    ///    (`remaining_accounts[0]`, writable, when set and not this reserve)
    /// 5. emit both parts
    pub fn handle(ctx: Context<'info, Self>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let reserve_key = ctx.accounts.reserve.key();
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        reserve.accrue_interest(now)?;
        let mut obligation = ctx.accounts.obligation.load_mut()?;
        let isolated_key = obligation.isolated_reserve;
        let write_off = bad_debt::socialize(&mut reserve, &mut obligation, &reserve_key)?;
        let isolated = release_isolated_debt(
            &ctx.accounts.obligation.key(),
            &isolated_key,
            write_off.isolated_released_micro_quote,
            &ctx.accounts.market.key(),
            &mut [(&reserve_key, &mut *reserve)],
            ctx.remaining_accounts,
            now,
        )?;
        obligation.invariant()?;
        reserve.invariant()?;
        emit_cpi!(BadDebtSocializedEvent {
            obligation: ctx.accounts.obligation.key(),
            reserve: ctx.accounts.reserve.key(),
            debt_amount: write_off.debt_amount,
            from_insurance: write_off.from_insurance,
            from_protocol_fees: write_off.from_protocol_fees,
            from_depositors: write_off.from_depositors,
        });
        if let Some(event) = isolated {
            emit_cpi!(event);
        }
        Ok(())
    }
}
