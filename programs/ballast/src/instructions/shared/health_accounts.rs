//! Walks the (reserve, price) pairs in `remaining_accounts` and computes health (DESIGN §4).
use crate::{
    error::BallastError,
    operations::health::{require_elevation_rules, Health},
    oracle::{load_price, PriceUse, Side},
    state::{ElevationGroup, HealthPosition, Market, Obligation, Reserve},
};
use anchor_lang::prelude::*;

/// Health of `obligation` from one (reserve, price) pair per distinct reserve, deposits first, then borrows.
/// `held` are the reserves this instruction already holds mutably (key and state); they are not loaded twice.
/// `group` is the obligation's elevation group; for borrow and withdraw (`PriceUse::Risk`) its membership
/// rules are enforced, while liquidation only applies the group's parameters to member collateral.
#[allow(clippy::too_many_arguments)]
pub fn compute_health<'info>(
    obligation: &Obligation,
    market: &Pubkey,
    group: Option<&ElevationGroup>,
    remaining: &'info [AccountInfo<'info>],
    held: &[(&Pubkey, &Reserve)],
    now_ts: i64,
    use_: PriceUse,
) -> Result<Health> {
    let expected = obligation.health_reserve_count();
    require!(remaining.len() >= expected * 2, BallastError::HealthAccountsMissing);
    require!(remaining.len() == expected * 2, BallastError::HealthAccountMismatch);
    let mut health = Health::default();
    for (position, pair) in obligation.health_positions().zip(remaining.chunks_exact(2)) {
        let (reserve_info, price_info) = (&pair[0], &pair[1]);
        require_keys_eq!(reserve_info.key(), position.reserve, BallastError::HealthAccountMismatch);
        if let Some((_, reserve)) = held.iter().find(|(k, _)| **k == position.reserve) {
            add_reserve(&mut health, obligation, &position, reserve, price_info, group, now_ts, use_)?;
        } else {
            let loader = AccountLoader::<Reserve>::try_from(reserve_info)?;
            let reserve = loader.load()?;
            require_keys_eq!(reserve.market, *market, BallastError::ReserveMarketMismatch);
            add_reserve(&mut health, obligation, &position, &reserve, price_info, group, now_ts, use_)?;
        }
    }
    Ok(health)
}

#[allow(clippy::too_many_arguments)]
fn add_reserve(
    health: &mut Health,
    obligation: &Obligation,
    position: &HealthPosition,
    reserve: &Reserve,
    price_info: &AccountInfo,
    group: Option<&ElevationGroup>,
    now_ts: i64,
    use_: PriceUse,
) -> Result<()> {
    if use_ == PriceUse::Risk {
        require_elevation_rules(obligation, position, &reserve.config, group)?;
    }
    let price = load_price(price_info, &reserve.config.oracle, now_ts, use_)?;
    health.add_position(obligation, position, reserve, &price, group, now_ts, use_)
}

/// Rejects with `error` unless the obligation's weighted debt stays within its borrow power, under its
/// elevation group's parameters. An obligation without debt needs no prices.
pub fn require_borrow_power<'info>(
    obligation: &Obligation,
    market: &AccountLoader<Market>,
    remaining: &'info [AccountInfo<'info>],
    held: (&Pubkey, &Reserve),
    now_ts: i64,
    error: BallastError,
) -> Result<()> {
    if obligation.active_borrows().is_empty() {
        return Ok(());
    }
    let group = market.load()?.elevation_group(obligation.elevation_group).copied();
    let health = compute_health(obligation, &market.key(), group.as_ref(), remaining, &[held], now_ts, PriceUse::Risk)?;
    if !health.within_borrow_power() {
        // Name the isolation rule when isolated collateral sharing the obligation is why power fell short.
        return Err(error!(if health.isolated_not_alone { BallastError::IsolatedCollateralNotAlone } else { error }));
    }
    Ok(())
}

/// The price account paired with `reserve_key` in `remaining`.
pub fn price_account_of<'a, 'info>(remaining: &'a [AccountInfo<'info>], reserve_key: &Pubkey) -> Result<&'a AccountInfo<'info>> {
    let pair = remaining
        .chunks_exact(2)
        .find(|pair| pair[0].key() == *reserve_key)
        .ok_or(BallastError::HealthAccountsMissing)?;
    Ok(&pair[1])
}

/// The validated price of `reserve` from its pair in `remaining` (compute_health has checked the pairs).
pub fn price_of(remaining: &[AccountInfo], reserve_key: &Pubkey, reserve: &Reserve, now_ts: i64, use_: PriceUse) -> Result<crate::oracle::Price> {
    load_price(price_account_of(remaining, reserve_key)?, &reserve.config.oracle, now_ts, use_)
}

/// Pledging into a reserve the obligation holds no collateral in makes its price a dependency of every later
/// health check and liquidation: the reserve's price account must come first in `remaining` and pass the
/// checks liquidation makes, so a borrower cannot block its own liquidation with a crumb of collateral whose
/// price is dead. Topping up an existing position needs nothing.
pub fn require_price_for_new_collateral(obligation: &Obligation, reserve_key: &Pubkey, reserve: &Reserve, remaining: &[AccountInfo], now_ts: i64) -> Result<()> {
    if obligation.find_deposit(reserve_key).is_some() {
        return Ok(());
    }
    let price_info = remaining.first().ok_or(BallastError::NewCollateralPriceMissing)?;
    let price = load_price(price_info, &reserve.config.oracle, now_ts, PriceUse::Liquidation)?;
    price.require_within_band(&reserve.config.oracle, Side::Collateral)
}
