use crate::{
    constants::BPS,
    events::ReserveRefreshedEvent,
    math::{self, from_u64, Sf},
    oracle::{load_price, PriceUse},
    state::Reserve,
};
use crate::oracle::{Side};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct RefreshReserve<'info> {
    #[account(mut)]
    pub reserve: AccountLoader<'info, Reserve>,
    /// CHECK: checked by `load_price` against the reserve's oracle config (address, owner, feed, age).
    pub price: UncheckedAccount<'info>,
}

impl RefreshReserve<'_> {
    /// Optional, permissionless crank: never a precondition of any other instruction.
    /// 1. accrue  2. cache a fresh, verified spot price for dashboards  3. emit
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        reserve.accrue_interest(now)?;
        let price = load_price(&ctx.accounts.price.to_account_info(), &reserve.config.oracle, now, PriceUse::Liquidation)?;
        reserve.cached_price_sf = Sf::from(price.spot(Side::Collateral));
        reserve.cached_price_ts = now;
        reserve.invariant()?;
        let borrow_rate_bps = math::to_floor_u64(math::mul(reserve.borrow_apr()?, from_u64(BPS))?)?;
        emit!(ReserveRefreshedEvent {
            reserve: ctx.accounts.reserve.key(),
            cumulative_borrow_index_bits: reserve.cumulative_borrow_index_sf.get().to_bits(),
            borrow_rate_bps: u32::try_from(borrow_rate_bps).unwrap_or(u32::MAX),
        });
        Ok(())
    }
}
