//! Sizing one liquidation call from the accounts it reads: the instruction and client projections both use it,
//! so a keeper's expected payout is computed by the very code that will pay it.
use super::{compute_health, price_of};
use crate::{
    operations::liquidate::{self, LiquidationInputs, LiquidationPlan, LiquidationSide},
    oracle::{Now, PriceUse, Side},
    state::{ElevationGroup, MarketConfig, Obligation, Reserve},
};
use anchor_lang::prelude::*;

/// The market's side of a liquidation's sizing.
pub struct LiquidationTerms<'a> {
    pub market: &'a Pubkey,
    /// The market's settings in force (close factor, dust threshold, flags).
    pub config: &'a MarketConfig,
    /// The obligation's elevation group, if it is in one.
    pub group: Option<&'a ElevationGroup>,
    pub max_repay_amount: u64,
}

/// Sizes a liquidation of `obligation` repaying `repay` and seizing `withdraw` (both accrued to now), on
/// liquidation prices from `pairs` (the health accounts).
pub fn size_liquidation<'info>(
    obligation: &Obligation,
    terms: &LiquidationTerms,
    (repay_key, repay_reserve): (&Pubkey, &Reserve),
    (withdraw_key, withdraw_reserve): (&Pubkey, &Reserve),
    pairs: &'info [AccountInfo<'info>],
    clock: Now,
) -> Result<LiquidationPlan> {
    let positions = LiquidationInputs::positions(obligation, repay_key, withdraw_key)?;
    let held = [(repay_key, repay_reserve), (withdraw_key, withdraw_reserve)];
    let health = compute_health(obligation, terms.market, terms.group, pairs, &held, clock, PriceUse::Liquidation)?;
    let repay_price = price_of(pairs, repay_key, repay_reserve, clock, PriceUse::Liquidation)?;
    let withdraw_price = price_of(pairs, withdraw_key, withdraw_reserve, clock, PriceUse::Liquidation)?;
    let repay = LiquidationSide { key: repay_key, reserve: repay_reserve, spot: repay_price.spot(Side::Debt) };
    let withdraw = LiquidationSide { key: withdraw_key, reserve: withdraw_reserve, spot: withdraw_price.spot(Side::Collateral) };
    liquidate::plan(&LiquidationInputs::for_call(obligation, positions, terms.config, terms.group, &repay, &withdraw, health, terms.max_repay_amount, clock.ts)?)
}
