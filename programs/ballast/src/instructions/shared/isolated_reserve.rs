//! Finding the isolated reserve whose debt ceiling an instruction counts against or releases from.
//!
//! Client contract (docs/integrators.md, "Isolated collateral"): the isolated reserve is always one the instruction
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
    constants::MAX_OBLIGATION_BORROWS,
    error::BallastError,
    math::Fraction,
    events::IsolatedDebtEvent,
    operations::isolation,
    oracle::{Now, PriceUse, Side},
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
/// it against that reserve's ceiling. Debt the obligation already owes that counts nothing (borrowed before
/// governance flagged the reserve isolated) is counted first at its current value, so it can never hide
/// under the ceiling. Call after the debt is recorded and the health check has passed.
#[allow(clippy::too_many_arguments)]
pub fn count_isolated_borrow<'info>(
    obligation_key: &Pubkey,
    obligation: &mut Obligation,
    market: &Pubkey,
    borrowed_key: &Pubkey,
    borrowed: &mut Reserve,
    debt_added: u64,
    remaining: &'info [AccountInfo<'info>],
    now: Now,
) -> Result<Option<IsolatedDebtEvent>> {
    let now_ts = now.ts;
    let Some(isolated_key) = isolation::sole_collateral(obligation) else { return Ok(None) };
    let applies = if isolated_key == *borrowed_key {
        isolation::ceiling_applies(&borrowed.config)
    } else {
        isolation::ceiling_applies(&reserve_in(remaining, &isolated_key, market)?.load()?.config)
    };
    if !applies {
        return Ok(None);
    }
    // Debt still counted against an earlier sole collateral must be repaid before another one is counted.
    require!(
        obligation.isolated_reserve == Pubkey::default() || obligation.isolated_reserve == isolated_key,
        BallastError::IsolatedReserveMismatch
    );
    let slot = obligation.find_borrow(borrowed_key).ok_or(BallastError::BorrowPositionNotFound)?;
    let spot = price_of(remaining, borrowed_key, borrowed, now, PriceUse::Risk)?.spot(Side::Debt);
    // An uncounted borrowed slot is counted whole below (its value includes the new debt), not twice.
    let new_value = match obligation.isolated_debt_micro_quote[slot] {
        0 => 0,
        _ => isolation::value_micro_quote_ceil(debt_added, borrowed.liquidity_decimals, spot)?,
    };
    let uncounted = slot_values(obligation, &[(borrowed_key, &*borrowed)], remaining, market, now, PriceUse::Risk, true)?;
    let mut count = |isolated: &mut Reserve| -> Result<(u64, u64, u64)> {
        let (legacy, _) = isolation::count_left_alone(obligation, &isolated_key, isolated, &uncounted, true)?;
        let usage = isolation::count_borrow(obligation, slot, &isolated_key, isolated, new_value)?;
        Ok((legacy.saturating_add(new_value), usage, isolated.config.isolated_debt_ceiling_micro_quote))
    };
    let (counted, usage, ceiling) = if isolated_key == *borrowed_key {
        count(borrowed)?
    } else {
        update(&reserve_in(remaining, &isolated_key, market)?, now_ts, count)?
    };
    Ok(Some(counted_event(obligation_key, &isolated_key, counted, usage, ceiling)))
}

/// Current value of each borrow slot of `obligation`, micro-quote, rounded up (saturating), at the validated
/// spot of its reserve (held, or loaded from its pair in `pairs`). With `only_uncounted`, slots that already
/// count something are left at 0.
fn slot_values<'info>(
    obligation: &Obligation,
    held: &[(&Pubkey, &Reserve)],
    pairs: &'info [AccountInfo<'info>],
    market: &Pubkey,
    now: Now,
    use_: PriceUse,
    only_uncounted: bool,
) -> Result<[u64; MAX_OBLIGATION_BORROWS]> {
    let mut values = [0u64; MAX_OBLIGATION_BORROWS];
    for (i, borrow) in obligation.active_borrows().iter().enumerate() {
        if only_uncounted && obligation.isolated_debt_micro_quote[i] > 0 {
            continue;
        }
        let value = |r: &Reserve| -> Result<u64> {
            let debt = borrow.debt_at(r.accrual(now.ts)?.cumulative_borrow_index.max(Fraction::ONE))?;
            let spot = price_of(pairs, &borrow.reserve, r, now, use_)?.spot(Side::Debt);
            Ok(isolation::value_micro_quote_ceil_saturating(debt, r.liquidity_decimals, spot))
        };
        values[i] = match held.iter().find(|(k, _)| **k == borrow.reserve) {
            Some((_, reserve)) => value(reserve)?,
            None => value(&*reserve_in(pairs, &borrow.reserve, market)?.load()?)?,
        };
    }
    Ok(values)
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

/// Withdraw and liquidate, after the collateral has left the obligation:
///
/// 1. When the obligation no longer holds the isolated reserve its debt counts against, the debt no longer
///    rests on it: the counts are released (off the reserve the instruction holds, or the writable account
///    with its key in `remaining`), so nobody can squat a ceiling with collateral moved elsewhere.
/// 2. When the instruction leaves a reserve flagged isolated as the obligation's only collateral and
///    `sole_before` was not it, the debt now resting on that reserve is counted against its ceiling, each
///    borrow slot up to its current value at the validated spot price. Counts against another isolated
///    reserve move to this one (off a reserve reachable as in 1; else `IsolatedCollateralLeftUncounted`:
///    repay that debt first). Withdraw (`enforce_ceiling`) fails past the ceiling with
///    `IsolatedDebtCeilingExceeded` when it counts anything new; liquidation never fails on it, and counts
///    past it.
///
/// Returns the events: counts released, and counts added.
#[allow(clippy::too_many_arguments)]
pub fn settle_isolated_collateral<'info>(
    obligation_key: &Pubkey,
    obligation: &mut Obligation,
    sole_before: Option<Pubkey>,
    market: &Pubkey,
    held: &mut [(&Pubkey, &mut Reserve)],
    pairs: &'info [AccountInfo<'info>],
    remaining: &'info [AccountInfo<'info>],
    now: Now,
    use_: PriceUse,
    enforce_ceiling: bool,
) -> Result<[Option<IsolatedDebtEvent>; 2]> {
    let now_ts = now.ts;
    let reachable = |key: &Pubkey, held: &[(&Pubkey, &mut Reserve)]| held.iter().any(|(k, _)| *k == key) || remaining.iter().any(|a| a.key == key);
    let mut released = None;
    let counted_on = obligation.isolated_reserve;
    if counted_on != Pubkey::default() && obligation.find_deposit(&counted_on).is_none() && reachable(&counted_on, held) {
        let amount = isolation::release_all(obligation);
        released = release_isolated_debt(obligation_key, &counted_on, amount, market, held, remaining, now_ts)?;
    }
    let Some(isolated_key) = isolation::sole_collateral(obligation).filter(|k| sole_before != Some(*k)) else {
        return Ok([released, None]);
    };
    let applies = match held.iter().find(|(k, _)| **k == isolated_key) {
        Some((_, r)) => isolation::ceiling_applies(&r.config),
        None => isolation::ceiling_applies(&reserve_in(pairs, &isolated_key, market)?.load()?.config),
    };
    if obligation.active_borrows().is_empty() || !applies {
        return Ok([released, None]);
    }
    let other = obligation.isolated_reserve;
    if other != Pubkey::default() && other != isolated_key {
        require!(reachable(&other, held), BallastError::IsolatedCollateralLeftUncounted);
        let amount = isolation::release_all(obligation);
        released = release_isolated_debt(obligation_key, &other, amount, market, held, remaining, now_ts)?;
    }
    let readable: Vec<(&Pubkey, &Reserve)> = held.iter().map(|(k, r)| (*k, &**r)).collect();
    let values = slot_values(obligation, &readable, pairs, market, now, use_, false)?;
    drop(readable);
    let mut count = |isolated: &mut Reserve| -> Result<(u64, u64, u64)> {
        let (counted, usage) = isolation::count_left_alone(obligation, &isolated_key, isolated, &values, enforce_ceiling)?;
        Ok((counted, usage, isolated.config.isolated_debt_ceiling_micro_quote))
    };
    let (counted, usage, ceiling) = match held.iter_mut().find(|(k, _)| **k == isolated_key) {
        Some((_, isolated)) => count(isolated)?,
        None => update(&reserve_in(pairs, &isolated_key, market)?, now_ts, count)?,
    };
    Ok([released, (counted > 0).then(|| counted_event(obligation_key, &isolated_key, counted, usage, ceiling))])
}

/// Liquidate: the health accounts at the front of `remaining`. After them only the obligation's isolated
/// reserve may follow, for when it is no position of the obligation any more.
pub fn liquidation_health_accounts<'info>(obligation: &Obligation, isolated_key: &Pubkey, remaining: &'info [AccountInfo<'info>]) -> Result<&'info [AccountInfo<'info>]> {
    // compute_health checks every group and names what is missing or extra; only a trailing isolated
    // reserve that is no position any more is split off here.
    let held = obligation.find_deposit(isolated_key).is_some() || obligation.find_borrow(isolated_key).is_some();
    match remaining.split_last() {
        Some((last, groups)) if *isolated_key != Pubkey::default() && last.key == isolated_key && !held => Ok(groups),
        _ => Ok(remaining),
    }
}
