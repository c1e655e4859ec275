//! The market-wide debt ceiling of isolated collateral.
//!
//! Debt borrowed while a reserve flagged isolated is an obligation's sole collateral is valued at the
//! borrowed asset's spot price when borrowed, in micro-quote (quote × 1e6), rounded up, and counted twice:
//! on the obligation's borrow slot and in the isolated reserve's usage, which may not pass the ceiling.
//! Repay, liquidation and bad-debt write-off release a slot's count in proportion to the debt they remove
//! from it, rounded down; closing the slot releases the rest.
//!
//! Debt resting on isolated sole collateral is always counted: an instruction that leaves an isolated reserve
//! alone as collateral (withdrawing or seizing the rest) counts every borrow slot up to its current value.
//! Borrow and withdraw are refused past the ceiling; liquidation never is: it counts past the ceiling, which
//! then blocks new isolated borrows until usage comes back down.
use crate::{
    constants::MICRO_QUOTE_PER_QUOTE,
    error::BallastError,
    math::{self, from_u64, to_ceil_u64, to_floor_u64, Fraction},
    oracle::market_value,
    state::{Obligation, Reserve, ReserveConfig, FLAG_ISOLATED},
};
use anchor_lang::prelude::*;

/// The obligation's only collateral reserve, if it has exactly one.
pub fn sole_collateral(obligation: &Obligation) -> Option<Pubkey> {
    match obligation.active_deposits() {
        [only] => Some(only.reserve),
        _ => None,
    }
}

/// Whether borrows against this reserve, as sole collateral, count against its ceiling.
pub fn ceiling_applies(config: &ReserveConfig) -> bool {
    config.has_flag(FLAG_ISOLATED)
}

/// Value of `native_amount` at `price` (quote per whole token), in micro-quote, rounded up.
pub fn value_micro_quote_ceil(native_amount: u64, decimals: u8, price: Fraction) -> Result<u64> {
    let value = market_value(from_u64(native_amount), decimals, price)?;
    to_ceil_u64(math::mul(value, from_u64(MICRO_QUOTE_PER_QUOTE))?)
}

/// Counts `value_micro_quote` of new debt in borrow slot `slot` against the ceiling of `isolated`, the
/// obligation's sole collateral, which must be flagged isolated. Returns the usage after.
pub fn count_borrow(obligation: &mut Obligation, slot: usize, isolated_key: &Pubkey, isolated: &mut Reserve, value_micro_quote: u64) -> Result<u64> {
    require!(ceiling_applies(&isolated.config), BallastError::IsolatedDebtAccountingInvalid);
    // Debt still counted against an earlier sole collateral must be repaid before another one is counted.
    require!(
        obligation.isolated_reserve == Pubkey::default() || obligation.isolated_reserve == *isolated_key,
        BallastError::IsolatedReserveMismatch
    );
    let usage = math::checked_add_u64(isolated.isolated_debt_usage_micro_quote, value_micro_quote)?;
    require!(usage <= isolated.config.isolated_debt_ceiling_micro_quote, BallastError::IsolatedDebtCeilingExceeded);
    isolated.isolated_debt_usage_micro_quote = usage;
    let contribution = &mut obligation.isolated_debt_micro_quote[slot];
    *contribution = math::checked_add_u64(*contribution, value_micro_quote)?;
    if *contribution > 0 {
        obligation.isolated_reserve = *isolated_key;
    }
    Ok(usage)
}

/// Value of `native_amount` at `price` in micro-quote, rounded up and saturating at the largest u64: for counting in
/// liquidation, which must never fail on an absurd debt.
pub fn value_micro_quote_ceil_saturating(native_amount: Fraction, decimals: u8, price: Fraction) -> u64 {
    let micro = market_value(native_amount, decimals, price).and_then(|v| math::mul(v, from_u64(MICRO_QUOTE_PER_QUOTE)));
    micro.and_then(to_ceil_u64).unwrap_or(u64::MAX)
}

/// An isolated reserve has just become the obligation's only collateral: counts every borrow slot up to its
/// current value `slot_values_micro_quote[i]` against `isolated`'s ceiling, which must be flagged isolated.
/// The obligation must count against no other isolated reserve (the caller moves such counts first). With
/// `enforce_ceiling` (borrow, withdraw), counting anything that takes usage past the ceiling fails with
/// `IsolatedDebtCeilingExceeded`; without it (liquidation) the count saturates and never fails. Returns the
/// micro-quote counted and the usage after.
pub fn count_left_alone(
    obligation: &mut Obligation,
    isolated_key: &Pubkey,
    isolated: &mut Reserve,
    slot_values_micro_quote: &[u64],
    enforce_ceiling: bool,
) -> Result<(u64, u64)> {
    require!(ceiling_applies(&isolated.config), BallastError::IsolatedDebtAccountingInvalid);
    require!(
        obligation.isolated_reserve == Pubkey::default() || obligation.isolated_reserve == *isolated_key,
        BallastError::IsolatedCollateralLeftUncounted
    );
    let mut counted = 0u64;
    for (contribution, value) in obligation.isolated_debt_micro_quote.iter_mut().zip(slot_values_micro_quote) {
        let top_up = value.saturating_sub(*contribution);
        *contribution = contribution.saturating_add(top_up);
        counted = counted.saturating_add(top_up);
    }
    let usage = isolated.isolated_debt_usage_micro_quote.saturating_add(counted);
    // Only new counts are held to the ceiling: usage may already sit above one lowered since.
    if enforce_ceiling && counted > 0 {
        require!(usage <= isolated.config.isolated_debt_ceiling_micro_quote, BallastError::IsolatedDebtCeilingExceeded);
    }
    isolated.isolated_debt_usage_micro_quote = usage;
    if obligation.has_isolated_debt() {
        obligation.isolated_reserve = *isolated_key;
    }
    Ok((counted, usage))
}

/// Takes every count off the obligation (for moving them to the isolated reserve it is left alone with);
/// returns the micro-quote released, to come off the old isolated reserve's usage.
pub fn release_all(obligation: &mut Obligation) -> u64 {
    let released = obligation.isolated_debt_micro_quote.iter().fold(0u64, |sum, c| sum.saturating_add(*c));
    obligation.isolated_debt_micro_quote = [0; crate::constants::MAX_OBLIGATION_BORROWS];
    obligation.forget_isolated_reserve_if_settled();
    released
}

/// Releases the count of borrow slot `slot` in proportion to `settled` of its `debt` (native units, the debt
/// accrued before settling), rounded down: a slot still owing keeps at least one micro-quote counted, and
/// only closing it (`Obligation::remove_borrow`) releases the rest. Returns the micro-quote released.
pub fn release_partial(obligation: &mut Obligation, slot: usize, settled: Fraction, debt: Fraction) -> Result<u64> {
    let contribution = obligation.isolated_debt_micro_quote[slot];
    if contribution == 0 || settled == Fraction::ZERO {
        return Ok(0);
    }
    let released = if settled >= debt {
        contribution
    } else {
        // contribution · settled / debt: multiplied first, exact whenever the product fits; else the ratio
        // first, truncated, which only ever releases less.
        let share = match from_u64(contribution).checked_mul(settled) {
            Some(product) => math::div(product, debt)?,
            None => math::mul(from_u64(contribution), math::div(settled, debt)?)?,
        };
        to_floor_u64(share)?.min(contribution)
    };
    obligation.isolated_debt_micro_quote[slot] = contribution - released;
    obligation.forget_isolated_reserve_if_settled();
    Ok(released)
}

/// Takes `released_micro_quote` off the isolated reserve's usage, never below zero; returns the usage after.
pub fn release_usage(isolated: &mut Reserve, released_micro_quote: u64) -> u64 {
    isolated.isolated_debt_usage_micro_quote = isolated.isolated_debt_usage_micro_quote.saturating_sub(released_micro_quote);
    isolated.isolated_debt_usage_micro_quote
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytemuck::Zeroable;

    fn isolated(ceiling: u64) -> Reserve {
        let mut r = Reserve::zeroed();
        r.config.flags = FLAG_ISOLATED;
        r.config.isolated_debt_ceiling_micro_quote = ceiling;
        r
    }

    fn key(b: u8) -> Pubkey {
        Pubkey::new_from_array([b; 32])
    }

    #[test]
    fn value_is_rounded_up_to_the_micro_quote() {
        // 1 native unit of a 6-decimal token at $0.5: 0.5 micro-quote, counted as 1.
        assert_eq!(value_micro_quote_ceil(1, 6, Fraction::from_num(0.5)).unwrap(), 1);
        // 1,000 USDC at $1 = 1e9 micro-quote exactly.
        assert_eq!(value_micro_quote_ceil(1_000_000_000, 6, Fraction::ONE).unwrap(), 1_000_000_000);
    }

    #[test]
    fn count_borrow_stops_at_the_ceiling_and_names_the_reserve() {
        let mut o = Obligation::zeroed();
        let mut r = isolated(100);
        assert_eq!(count_borrow(&mut o, 0, &key(1), &mut r, 60).unwrap(), 60);
        assert_eq!(count_borrow(&mut o, 1, &key(1), &mut r, 40).unwrap(), 100);
        assert_eq!(count_borrow(&mut o, 0, &key(1), &mut r, 1).unwrap_err(), BallastError::IsolatedDebtCeilingExceeded.into());
        assert_eq!((o.isolated_reserve, o.isolated_debt_micro_quote[0], o.isolated_debt_micro_quote[1]), (key(1), 60, 40));
        assert_eq!(r.isolated_debt_usage_micro_quote, 100);
        let mut other = isolated(1_000);
        assert_eq!(count_borrow(&mut o, 2, &key(2), &mut other, 1).unwrap_err(), BallastError::IsolatedReserveMismatch.into());
    }

    #[test]
    fn zero_ceiling_refuses_every_isolated_borrow() {
        let mut o = Obligation::zeroed();
        let mut r = isolated(0);
        assert_eq!(count_borrow(&mut o, 0, &key(1), &mut r, 1).unwrap_err(), BallastError::IsolatedDebtCeilingExceeded.into());
    }

    #[test]
    fn partial_release_rounds_down_and_keeps_an_open_slot_counted() {
        let mut o = Obligation::zeroed();
        o.isolated_reserve = key(1);
        o.isolated_debt_micro_quote[0] = 3;
        let debt = from_u64(1_000);
        // A third of the debt releases floor(3 / 3) = 1.
        assert_eq!(release_partial(&mut o, 0, from_u64(334), debt).unwrap(), 1);
        // 999 of 1,000 releases floor(2 × 0.999) = 1, never the last unit while debt is owed.
        assert_eq!(release_partial(&mut o, 0, from_u64(999), debt).unwrap(), 1);
        assert_eq!((o.isolated_debt_micro_quote[0], o.isolated_reserve), (1, key(1)));
        assert_eq!(release_partial(&mut o, 0, debt, debt).unwrap(), 1);
        assert_eq!(o.isolated_reserve, Pubkey::default(), "nothing counted: the obligation is free to pick another");
    }

    #[test]
    fn partial_release_is_exact_when_the_product_fits() {
        // 10 of 101 USDC repaid: the ratio 10/101 alone would truncate and release 9,999,999.
        let mut o = Obligation::zeroed();
        o.isolated_reserve = key(1);
        o.isolated_debt_micro_quote[0] = 101_000_000;
        assert_eq!(release_partial(&mut o, 0, from_u64(10_000_000), from_u64(101_000_000)).unwrap(), 10_000_000);
    }

    #[test]
    fn closing_a_slot_releases_its_count_and_keeps_the_rest_aligned() {
        let mut o = Obligation::zeroed();
        o.isolated_reserve = key(1);
        for (i, b) in o.borrows.iter_mut().take(3).enumerate() {
            b.reserve = key(10 + i as u8);
        }
        o.isolated_debt_micro_quote[..3].copy_from_slice(&[5, 7, 9]);
        assert_eq!(o.remove_borrow(1), 7);
        assert_eq!(o.borrows[1].reserve, key(12));
        assert_eq!(o.isolated_debt_micro_quote[..3], [5, 9, 0]);
        assert_eq!(o.remove_borrow(0) + o.remove_borrow(0), 14);
        assert_eq!(o.isolated_reserve, Pubkey::default());
    }

    #[test]
    fn counting_isolated_collateral_left_alone_tops_every_slot_up_to_its_value() {
        let mut o = Obligation::zeroed();
        o.borrows[0].reserve = key(10);
        o.borrows[1].reserve = key(11);
        o.isolated_debt_micro_quote[0] = 40; // counted while it was alone; more borrowed since
        o.isolated_reserve = key(1);
        let mut r = isolated(100);
        r.isolated_debt_usage_micro_quote = 40;
        // Slot 0 is worth 70 now, slot 1 (never counted) 30: 60 more, exactly the ceiling.
        assert_eq!(count_left_alone(&mut o, &key(1), &mut r, &[70, 30], true).unwrap(), (60, 100));
        assert_eq!((o.isolated_debt_micro_quote[0], o.isolated_debt_micro_quote[1]), (70, 30));
        // One more micro-quote of debt would pass the ceiling: withdraw is refused, liquidation counts it.
        let (mut o2, mut r2) = (o, r);
        let err = count_left_alone(&mut o2, &key(1), &mut r2, &[71, 30], true).unwrap_err();
        assert_eq!(err, BallastError::IsolatedDebtCeilingExceeded.into());
        assert_eq!(count_left_alone(&mut o, &key(1), &mut r, &[71, 30], false).unwrap(), (1, 101));
        // Counted against another isolated reserve: the caller must move it first.
        let err = count_left_alone(&mut o, &key(2), &mut isolated(1_000), &[71, 30], false).unwrap_err();
        assert_eq!(err, BallastError::IsolatedCollateralLeftUncounted.into());
        assert_eq!(release_all(&mut o), 101);
        assert_eq!(o.isolated_reserve, Pubkey::default());
        assert_eq!(count_left_alone(&mut o, &key(2), &mut isolated(1_000), &[71, 30], false).unwrap().0, 101);
        assert_eq!(o.isolated_reserve, key(2));
    }

    #[test]
    fn saturating_valuation_never_fails() {
        assert_eq!(value_micro_quote_ceil_saturating(Fraction::MAX, 0, Fraction::from_num(1_000)), u64::MAX);
        assert_eq!(value_micro_quote_ceil_saturating(from_u64(2_000_000), 6, Fraction::ONE), 2_000_000);
    }

    #[test]
    fn usage_release_saturates_at_zero() {
        let mut r = isolated(100);
        r.isolated_debt_usage_micro_quote = 5;
        assert_eq!(release_usage(&mut r, 7), 0);
    }
}
