//! Sizing one liquidation call from the accounts it reads: the instruction and client projections both use it,
//! so a keeper's expected payout is computed by the very code that will pay it.
use super::{compute_health, price_of};
use crate::{
    constants::MAX_LIQUIDATION_BONUS_BPS,
    error::BallastError,
    operations::liquidate::{self, LiquidationInputs, LiquidationPlan},
    oracle::{Now, PriceUse, Side},
    state::{ElevationGroup, MarketConfig, Obligation, Reserve, MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY},
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
    let debt_index = obligation.find_borrow(repay_key).ok_or(BallastError::BorrowPositionNotFound)?;
    let deposit_index = obligation.find_deposit(withdraw_key).ok_or(BallastError::DepositPositionNotFound)?;
    let held = [(repay_key, repay_reserve), (withdraw_key, withdraw_reserve)];
    let health = compute_health(obligation, terms.market, terms.group, pairs, &held, clock, PriceUse::Liquidation)?;
    let repay_price = price_of(pairs, repay_key, repay_reserve, clock, PriceUse::Liquidation)?;
    let withdraw_price = price_of(pairs, withdraw_key, withdraw_reserve, clock, PriceUse::Liquidation)?;
    let cfg = &withdraw_reserve.config;
    // Member collateral of the obligation's elevation group is liquidated with the group's bonus cap; never
    // above the program's, whatever is stored.
    let max_bonus_bps = match terms.group {
        Some(g) if cfg.in_elevation_group(obligation.elevation_group) => g.max_liquidation_bonus_bps,
        _ => cfg.max_liquidation_bonus_bps,
    }
    .min(MAX_LIQUIDATION_BONUS_BPS);
    liquidate::plan(&LiquidationInputs {
        health,
        debt: obligation.borrows[debt_index].debt_at(repay_reserve.cumulative_borrow_index_sf.get())?,
        repay_price: repay_price.spot(Side::Debt),
        repay_decimals: repay_reserve.liquidity_decimals,
        collateral_ctokens: obligation.deposits[deposit_index].ctoken_amount,
        liquidity_per_ctoken: withdraw_reserve.ctokens_to_liquidity(1)?,
        withdraw_price: withdraw_price.spot(Side::Collateral),
        withdraw_decimals: withdraw_reserve.liquidity_decimals,
        close_factor_bps: terms.config.close_factor_bps,
        dust_threshold_quote: terms.config.dust_threshold_quote,
        partial_only: terms.config.has_flag(MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY),
        min_bonus_bps: cfg.min_liquidation_bonus_bps.min(max_bonus_bps),
        max_bonus_bps,
        protocol_fee_bps: cfg.protocol_liquidation_fee_bps,
        max_repay_amount: terms.max_repay_amount,
        insolvent_auction_secs: cfg.insolvent_auction_secs,
        insolvent_for_secs: liquidate::insolvent_for_secs(obligation, clock.ts),
        target_health_bps: cfg.liquidation_target_health_bps,
        withdraw_threshold_bps: match terms.group {
            Some(g) if cfg.in_elevation_group(obligation.elevation_group) => g.liquidation_threshold_bps,
            _ => cfg.liquidation_threshold_bps,
        },
        repay_borrow_factor_bps: repay_reserve.config.borrow_factor_bps,
    })
}
