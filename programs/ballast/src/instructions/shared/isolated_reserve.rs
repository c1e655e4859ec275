//! Finding the isolated reserve whose debt ceiling an instruction counts against or releases from.
//!
//! Client contract (README "Isolated collateral"): the isolated reserve is always one the instruction
//! already holds, or an account with its key among `remaining_accounts`, passed writable:
//! - `borrow`: when the obligation's sole collateral is flagged isolated and is not the borrowed reserve,
//!   its health pair (the first) must be writable;
//! - `repay`, `socialize_bad_debt`: when `obligation.isolated_reserve` is set and is not the instruction's
//!   reserve, it is `remaining_accounts[0]`, writable;
//! - `liquidate`: when `obligation.isolated_reserve` is set and is neither the repay nor the withdraw
//!   reserve, its health pair must be writable, or, when it is no position of the obligation any more, it
//!   follows the health pairs as one extra writable account;
//! - `withdraw_collateral`, `withdraw_collateral_and_redeem`, `liquidate`: when the instruction leaves a
//!   reserve flagged isolated as the only collateral of an obligation with debt (and it was not before), that
//!   reserve's health pair must be writable: the debt now resting on it is counted against its ceiling.
use super::health_accounts::price_of;
use crate::{
    error::BallastError,
    events::IsolatedDebtEvent,
    operations::isolation,
    oracle::PriceUse,
    state::{Obligation, Reserve},
};
use anchor_lang::prelude::*;

/// The account keyed `key` among `remaining`, as a reserve of `market`.
fn reserve_in<'info>(remaining: &'info [AccountInfo<'info>], key: &Pubkey, market: &Pubkey) -> Result<AccountLoader<'info, Reserve>> {
    let info = remaining.iter().find(|a| a.key == key).ok_or(BallastError::IsolatedReserveAccountMissing)?;
    let loader = AccountLoader::<Reserve>::try_from(info)?;
    require_keys_eq!(loader.load()?.market, *market, BallastError::ReserveMarketMismatch);
    Ok(loader)
}

/// Runs `f` on the isolated reserve behind `loader`, which must be writable, accrued to `now_ts` as every
/// write to a reserve is, and checks the reserve's invariant after.
fn update<T>(loader: &AccountLoader<Reserve>, now_ts: i64, f: impl FnOnce(&mut Reserve) -> Result<T>) -> Result<T> {
    require!(loader.as_ref().is_writable, BallastError::IsolatedReserveAccountMissing);
    let mut reserve = loader.load_mut()?;
    reserve.accrue_interest(now_ts)?;
    let out = f(&mut reserve)?;
    reserve.invariant()?;
    Ok(out)
}

/// Borrow: when the obligation's sole collateral is flagged isolated, values `debt_added` (native units of
/// the borrowed reserve, origination fee included) at the borrowed asset's validated spot price and counts
/// it against that reserve's ceiling. Call after the debt is recorded and the health check has passed.
#[allow(clippy::too_many_arguments)]
pub fn count_isolated_borrow<'info>(
    obligation_key: &Pubkey,
    obligation: &mut Obligation,
    market: &Pubkey,
    borrowed_key: &Pubkey,
    borrowed: &mut Reserve,
    debt_added: u64,
    remaining: &'info [AccountInfo<'info>],
    now_ts: i64,
) -> Result<Option<IsolatedDebtEvent>> {
    let Some(isolated_key) = isolation::sole_collateral(obligation) else { return Ok(None) };
    let slot = obligation.find_borrow(borrowed_key).ok_or(BallastError::BorrowPositionNotFound)?;
    let price = |r: &Reserve| price_of(remaining, borrowed_key, r, now_ts, PriceUse::Risk);
    let (counted, usage, ceiling) = if isolated_key == *borrowed_key {
        if !isolation::ceiling_applies(&borrowed.config) {
            return Ok(None);
        }
        let value = isolation::value_micro_quote_ceil(debt_added, borrowed.liquidity_decimals, price(borrowed)?.spot)?;
        let usage = isolation::count_borrow(obligation, slot, &isolated_key, borrowed, value)?;
        (value, usage, borrowed.config.isolated_debt_ceiling_micro_quote)
    } else {
        let loader = reserve_in(remaining, &isolated_key, market)?;
        if !isolation::ceiling_applies(&loader.load()?.config) {
            return Ok(None);
        }
        let value = isolation::value_micro_quote_ceil(debt_added, borrowed.liquidity_decimals, price(borrowed)?.spot)?;
        update(&loader, now_ts, |isolated| {
            let usage = isolation::count_borrow(obligation, slot, &isolated_key, isolated, value)?;
            Ok((value, usage, isolated.config.isolated_debt_ceiling_micro_quote))
        })?
    };
    Ok(Some(counted_event(obligation_key, &isolated_key, counted, usage, ceiling)))
}

/// The event for `counted` micro-quote newly counted against `reserve`.
fn counted_event(obligation: &Pubkey, reserve: &Pubkey, counted: u64, usage: u64, ceiling: u64) -> IsolatedDebtEvent {
    IsolatedDebtEvent {
        obligation: *obligation,
        reserve: *reserve,
        counted_micro_quote: counted,
        released_micro_quote: 0,
        usage_micro_quote: usage,
        ceiling_micro_quote: ceiling,
    }
}

/// Repay, liquidate, socialize_bad_debt: takes `released` micro-quote off the usage of `isolated_key`, the
/// obligation's isolated reserve as it was before the instruction (default = none: nothing to do). That
/// reserve is one of `held` when the instruction holds it, else the writable account with its key in
/// `remaining`. It is needed whenever `isolated_key` is set, even if nothing is released, so that a client
/// decides from the obligation alone. The ceiling is never checked here: releasing is never refused.
pub fn release_isolated_debt<'info>(
    obligation_key: &Pubkey,
    isolated_key: &Pubkey,
    released: u64,
    market: &Pubkey,
    held: &mut [(&Pubkey, &mut Reserve)],
    remaining: &'info [AccountInfo<'info>],
    now_ts: i64,
) -> Result<Option<IsolatedDebtEvent>> {
    if *isolated_key == Pubkey::default() {
        return Ok(None);
    }
    let release = |isolated: &mut Reserve| -> Result<(u64, u64)> {
        Ok((isolation::release_usage(isolated, released), isolated.config.isolated_debt_ceiling_micro_quote))
    };
    let (usage, ceiling) = match held.iter_mut().find(|(k, _)| *k == isolated_key) {
        Some((_, isolated)) => release(isolated)?,
        None => update(&reserve_in(remaining, isolated_key, market)?, now_ts, release)?,
    };
    Ok((released > 0).then_some(IsolatedDebtEvent {
        obligation: *obligation_key,
        reserve: *isolated_key,
        counted_micro_quote: 0,
        released_micro_quote: released,
        usage_micro_quote: usage,
        ceiling_micro_quote: ceiling,
    }))
}

/// Runs `f` on reserve `key`: one of `held`, else loaded read-only from its health pair in `pairs`.
fn with_reserve<'info, T>(key: &Pubkey, held: &[(&Pubkey, &mut Reserve)], pairs: &'info [AccountInfo<'info>], market: &Pubkey, f: impl FnOnce(&Reserve) -> Result<T>) -> Result<T> {
    match held.iter().find(|(k, _)| *k == key) {
        Some((_, reserve)) => f(reserve),
        None => f(&*reserve_in(pairs, key, market)?.load()?),
    }
}

/// Withdraw and liquidate, after the collateral is gone: when the instruction leaves a reserve flagged isolated
/// as the obligation's only collateral and `sole_before` was not it, the debt now resting on that reserve is
/// counted against its ceiling, each borrow slot up to its current value at the validated spot price.
///
/// - Counts against another isolated reserve move to this one: off the reserve the instruction holds, or the
///   writable account with its key in `remaining` (a pair, or for liquidate the account after the pairs);
///   when it is in neither, `IsolatedCollateralLeftUncounted` (repay that debt first).
/// - Withdraw (`enforce_ceiling`): past the ceiling fails with `IsolatedDebtCeilingExceeded`.
/// - Liquidate: never fails on the ceiling; it counts past it.
///
/// Returns the events: the counts released from another isolated reserve, and those counted on this one.
pub fn count_isolated_left_alone<'info>(
    obligation_key: &Pubkey,
    obligation: &mut Obligation,
    sole_before: Option<Pubkey>,
    market: &Pubkey,
    held: &mut [(&Pubkey, &mut Reserve)],
    pairs: &'info [AccountInfo<'info>],
    remaining: &'info [AccountInfo<'info>],
    now_ts: i64,
    use_: PriceUse,
    enforce_ceiling: bool,
) -> Result<[Option<IsolatedDebtEvent>; 2]> {
    let Some(isolated_key) = isolation::sole_collateral(obligation).filter(|k| sole_before != Some(*k)) else {
        return Ok([None, None]);
    };
    let applies = |r: &Reserve| Ok(isolation::ceiling_applies(&r.config));
    if obligation.active_borrows().is_empty() || !with_reserve(&isolated_key, held, pairs, market, applies)? {
        return Ok([None, None]);
    }
    let mut moved = None;
    let other = obligation.isolated_reserve;
    if other != Pubkey::default() && other != isolated_key {
        // Withdraw moves the counts only off a reserve it holds or has a pair for (writable); liquidation also
        // takes it after the pairs.
        let reachable = held.iter().any(|(k, _)| **k == other) || remaining.iter().any(|a| *a.key == other);
        require!(reachable, BallastError::IsolatedCollateralLeftUncounted);
        let released = isolation::release_all(obligation);
        moved = release_isolated_debt(obligation_key, &other, released, market, held, remaining, now_ts)?;
    }
    let mut values = [0u64; crate::constants::MAX_OBLIGATION_BORROWS];
    for (value, borrow) in values.iter_mut().zip(obligation.active_borrows()) {
        *value = with_reserve(&borrow.reserve, held, pairs, market, |r| {
            let debt = borrow.debt_at(r.accrual(now_ts)?.cumulative_borrow_index.max(crate::math::Fraction::ONE))?;
            let spot = price_of(pairs, &borrow.reserve, r, now_ts, use_)?.spot;
            Ok(isolation::value_micro_quote_ceil_saturating(debt, r.liquidity_decimals, spot))
        })?;
    }
    let mut count = |isolated: &mut Reserve| -> Result<(u64, u64, u64)> {
        let (counted, usage) = isolation::count_left_alone(obligation, &isolated_key, isolated, &values, enforce_ceiling)?;
        Ok((counted, usage, isolated.config.isolated_debt_ceiling_micro_quote))
    };
    let (counted, usage, ceiling) = match held.iter_mut().find(|(k, _)| **k == isolated_key) {
        Some((_, isolated)) => count(isolated)?,
        None => update(&reserve_in(pairs, &isolated_key, market)?, now_ts, count)?,
    };
    Ok([moved, (counted > 0).then(|| counted_event(obligation_key, &isolated_key, counted, usage, ceiling))])
}

/// Liquidate: the health pairs at the front of `remaining`. After them only the obligation's isolated reserve
/// may follow, for when it is no position of the obligation any more.
pub fn liquidation_health_accounts<'info>(obligation: &Obligation, isolated_key: &Pubkey, remaining: &'info [AccountInfo<'info>]) -> Result<&'info [AccountInfo<'info>]> {
    let pairs_len = obligation.health_reserves().count() * 2;
    if remaining.len() <= pairs_len {
        // compute_health names what is missing.
        return Ok(remaining);
    }
    let (pairs, extra) = remaining.split_at(pairs_len);
    require!(
        *isolated_key != Pubkey::default() && extra.len() == 1 && extra[0].key == isolated_key,
        BallastError::HealthAccountMismatch
    );
    Ok(pairs)
}
