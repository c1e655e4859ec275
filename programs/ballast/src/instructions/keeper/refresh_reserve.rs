use crate::{
    constants::BPS,
    events::ReserveRefreshedEvent,
    math::{self, from_u64, Sf},
    operations,
    oracle::{load_reserve_price, trailing_secondary, Now, PriceUse},
    state::Reserve,
};
use crate::oracle::{Side};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct RefreshReserve<'info> {
    #[account(mut)]
    pub reserve: AccountLoader<'info, Reserve>,
    /// The reserve's primary price account; its secondary, when configured, may follow as the one remaining
    /// account (the oracle sources module).
    /// CHECK: checked against the reserve's oracle config (address, owner, feed, age) in `load_reserve_price`.
    pub price: UncheckedAccount<'info>,
}

impl<'info> RefreshReserve<'info> {
    /// Optional, permissionless crank: never a precondition of any other instruction.
    /// 1. accrue (at the regime's rate up to now)  2. cache a fresh, verified spot price for dashboards
    /// 3. feed the same price to the volatility regime  4. emit
    pub fn handle(ctx: Context<'info, Self>) -> Result<()> {
        let clock = Now::get()?;
        let now = clock.ts;
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        reserve.accrue_interest(now)?;
        let prices = trailing_secondary(&ctx.accounts.price, ctx.remaining_accounts, &reserve.config)?;
        let price = load_reserve_price(prices, &reserve.config, clock, PriceUse::Liquidation)?;
        reserve.cached_price_sf = Sf::from(price.spot(Side::Collateral));
        reserve.cached_price_ts = now;
        operations::regime::observe(&mut reserve, price.spot(Side::Collateral), now);
        reserve.invariant()?;
        let borrow_rate_bps = math::to_floor_u64(math::mul(reserve.borrow_apr()?, from_u64(BPS))?)?;
        emit_cpi!(ReserveRefreshedEvent {
            reserve: ctx.accounts.reserve.key(),
            cumulative_borrow_index_bits: reserve.cumulative_borrow_index_sf.get().to_bits(),
            borrow_rate_bps: u32::try_from(borrow_rate_bps).unwrap_or(u32::MAX),
            price_bits: reserve.cached_price_sf.get().to_bits(),
            borrowed_bits: reserve.borrowed_sf.get().to_bits(),
            available_liquidity: reserve.available_liquidity,
            regime_variance_nano: reserve.regime_variance_nano,
            regime_level_bps: reserve.regime_level_bps(),
        });
        Ok(())
    }
}
