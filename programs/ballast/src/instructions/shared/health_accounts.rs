//! Walks the health accounts in `remaining_accounts` and computes health (DESIGN §4). Per distinct reserve of
//! the obligation, deposits first, then borrows: the reserve, its primary price account, then its secondary
//! price account when it has one and the use needs or wants it (`oracle::sources`).
use crate::{
    error::BallastError,
    operations::health::{require_elevation_rules, Health},
    oracle::{load_reserve_price, split_price_accounts, Now, PriceAccounts, PriceUse, Side},
    state::{ElevationGroup, HealthPosition, Market, Obligation, Reserve},
};
use anchor_lang::prelude::*;

/// Health of `obligation` from one group of health accounts per distinct reserve, deposits first, then borrows.
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
    now: Now,
    use_: PriceUse,
) -> Result<Health> {
    require!(remaining.len() >= obligation.health_reserve_count() * 2, BallastError::HealthAccountsMissing);
    let mut health = Health::default();
    let mut rest = remaining;
    for position in obligation.health_positions() {
        let (reserve_info, after) = rest.split_first().ok_or(BallastError::HealthAccountsMissing)?;
        require_keys_eq!(reserve_info.key(), position.reserve, BallastError::HealthAccountMismatch);
        rest = if let Some((_, reserve)) = held.iter().find(|(k, _)| **k == position.reserve) {
            let (prices, after) = split_price_accounts(after, &reserve.config)?;
            add_reserve(&mut health, obligation, &position, reserve, prices, group, now, use_)?;
            after
        } else {
            let loader = AccountLoader::<Reserve>::try_from(reserve_info)?;
            let reserve = loader.load()?;
            require_keys_eq!(reserve.market, *market, BallastError::ReserveMarketMismatch);
            crate::state::require_known_version(reserve.version)?;
            let (prices, after) = split_price_accounts(after, &reserve.config)?;
            add_reserve(&mut health, obligation, &position, &reserve, prices, group, now, use_)?;
            after
        };
    }
    require!(rest.is_empty(), BallastError::HealthAccountMismatch);
    Ok(health)
}

#[allow(clippy::too_many_arguments)]
fn add_reserve(
    health: &mut Health,
    obligation: &Obligation,
    position: &HealthPosition,
    reserve: &Reserve,
    prices: PriceAccounts,
    group: Option<&ElevationGroup>,
    now: Now,
    use_: PriceUse,
) -> Result<()> {
    if use_ == PriceUse::Risk {
        require_elevation_rules(obligation, position, &reserve.config, group)?;
    }
    let price = load_reserve_price(prices, &reserve.config, now, use_)?;
    health.add_position(obligation, position, reserve, &price, group, now.ts, use_)
}

/// Rejects with `error` unless the obligation's weighted debt stays within its borrow power, under its
/// elevation group's parameters. An obligation without debt needs no prices.
pub fn require_borrow_power<'info>(
    obligation: &Obligation,
    market: &AccountLoader<Market>,
    remaining: &'info [AccountInfo<'info>],
    held: (&Pubkey, &Reserve),
    now: Now,
    error: BallastError,
) -> Result<()> {
    if obligation.active_borrows().is_empty() {
        return Ok(());
    }
    let group = market.load()?.elevation_group(obligation.elevation_group).copied();
    let health = compute_health(obligation, &market.key(), group.as_ref(), remaining, &[held], now, PriceUse::Risk)?;
    if !health.within_borrow_power() {
        // Name the isolation rule when isolated collateral sharing the obligation is why power fell short.
        return Err(error!(if health.isolated_not_alone { BallastError::IsolatedCollateralNotAlone } else { error }));
    }
    Ok(())
}

/// The price accounts following `reserve_key` in `remaining` (compute_health has checked the groups).
pub fn price_accounts_of<'a, 'info>(remaining: &'a [AccountInfo<'info>], reserve_key: &Pubkey, reserve: &Reserve) -> Result<PriceAccounts<'a, 'info>> {
    let at = remaining.iter().position(|a| a.key() == *reserve_key).ok_or(BallastError::HealthAccountsMissing)?;
    Ok(split_price_accounts(&remaining[at + 1..], &reserve.config)?.0)
}

/// The validated price of `reserve` from its group in `remaining` (compute_health has checked the groups).
pub fn price_of(remaining: &[AccountInfo], reserve_key: &Pubkey, reserve: &Reserve, now: Now, use_: PriceUse) -> Result<crate::oracle::Price> {
    load_reserve_price(price_accounts_of(remaining, reserve_key, reserve)?, &reserve.config, now, use_)
}

/// Pledging into a reserve the obligation holds no collateral in makes its price a dependency of every later
/// health check and liquidation: the reserve's price account(s) must come first in `remaining` and pass the
/// checks liquidation makes, so a borrower cannot block its own liquidation with a crumb of collateral whose
/// price is dead. Topping up an existing position needs nothing.
pub fn require_price_for_new_collateral(obligation: &Obligation, reserve_key: &Pubkey, reserve: &Reserve, remaining: &[AccountInfo], now: Now) -> Result<()> {
    if obligation.find_deposit(reserve_key).is_some() {
        return Ok(());
    }
    require!(!remaining.is_empty(), BallastError::NewCollateralPriceMissing);
    let (prices, _) = split_price_accounts(remaining, &reserve.config)?;
    let price = load_reserve_price(prices, &reserve.config, now, PriceUse::Liquidation)?;
    price.require_within_band(&reserve.config.oracle, Side::Collateral)
}
