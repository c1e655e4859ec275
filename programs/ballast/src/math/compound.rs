//! Per-second compounding of an APR.
use super::fraction::*;
use crate::constants::SECONDS_PER_YEAR;
use anchor_lang::prelude::*;

/// The per-second rate for an APR given as a Fraction (0.1 = 10%).
pub fn per_second_rate(apr: Fraction) -> Result<Fraction> {
    div(apr, from_u64(SECONDS_PER_YEAR))
}

/// `base ^ exp` by squaring for `base >= 1`, saturating at `cap` instead of overflowing: every factor is at
/// least 1, so once a partial product or a square still to be used passes `cap`, so does the result.
pub fn pow_capped(base: Fraction, mut exp: u64, cap: Fraction) -> Fraction {
    let mut result = Fraction::ONE;
    let mut square = base;
    while exp > 0 {
        if exp & 1 == 1 {
            result = match result.checked_mul(square) {
                Some(r) if r <= cap => r,
                _ => return cap,
            };
        }
        exp >>= 1;
        if exp > 0 {
            square = match square.checked_mul(square) {
                Some(s) if s <= cap => s,
                _ => return cap,
            };
        }
    }
    result
}

/// Growth factor `(1 + apr/year)^elapsed_secs` for compounding every second, saturating at `cap` (>= 1).
pub fn compounded_growth(apr: Fraction, elapsed_secs: u64, cap: Fraction) -> Result<Fraction> {
    if elapsed_secs == 0 || apr == Fraction::ZERO {
        return Ok(Fraction::ONE);
    }
    Ok(pow_capped(add(Fraction::ONE, per_second_rate(apr)?)?, elapsed_secs, cap.max(Fraction::ONE)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// (1 + r)^t as exp(t·ln1p(r)): `powf` on 1 + 3e-12 would lose ~1e-8 to f64 rounding of the base.
    fn reference(apr: f64, secs: u64) -> f64 {
        (secs as f64 * (apr / SECONDS_PER_YEAR as f64).ln_1p()).exp()
    }

    #[test]
    fn one_year_compounding_matches_f64_within_1e9() {
        for apr_bps in [1u64, 100, 500, 1_000, 5_000, 10_000, 30_000] {
            let apr = from_bps(apr_bps).unwrap();
            let got: f64 = compounded_growth(apr, SECONDS_PER_YEAR, Fraction::MAX).unwrap().to_num();
            let want = reference(apr_bps as f64 / 10_000.0, SECONDS_PER_YEAR);
            assert!((got - want).abs() / want < 1e-9, "apr {apr_bps}: {got} vs {want}");
        }
    }

    #[test]
    fn zero_elapsed_or_zero_rate_is_identity() {
        assert_eq!(compounded_growth(from_bps(1_000).unwrap(), 0, Fraction::MAX).unwrap(), Fraction::ONE);
        assert_eq!(compounded_growth(Fraction::ZERO, 1_000, Fraction::MAX).unwrap(), Fraction::ONE);
    }

    #[test]
    fn growth_saturates_at_the_cap_instead_of_overflowing() {
        let apr = from_bps(crate::constants::MAX_BORROW_RATE_BPS as u64).unwrap();
        let ten_years = 10 * SECONDS_PER_YEAR;
        // e^50 would overflow U68F60 (max ~2.9e20): it stops at the cap.
        assert_eq!(compounded_growth(apr, ten_years, Fraction::from_num(1_000)).unwrap(), Fraction::from_num(1_000));
        assert_eq!(compounded_growth(apr, u64::MAX, Fraction::MAX).unwrap(), Fraction::MAX);
        // Below the cap nothing changes.
        let year = compounded_growth(apr, SECONDS_PER_YEAR, Fraction::from_num(1_000)).unwrap().to_num::<f64>();
        assert!((year - reference(5.0, SECONDS_PER_YEAR)).abs() / year < 1e-9);
    }

    proptest! {
        /// The capped growth is exactly min(true growth, cap) up to rounding.
        #[test]
        fn capped_growth_is_min_of_growth_and_cap(apr_bps in 1u64..50_000, secs in 1u64..(20 * SECONDS_PER_YEAR), cap in 1u64..1_000_000) {
            let got: f64 = compounded_growth(from_bps(apr_bps).unwrap(), secs, Fraction::from_num(cap)).unwrap().to_num();
            let want = reference(apr_bps as f64 / 10_000.0, secs).min(cap as f64);
            prop_assert!((got - want).abs() / want < 1e-9, "{} vs {}", got, want);
        }

        #[test]
        fn compounding_tracks_f64(apr_bps in 1u64..50_000, secs in 1u64..(2 * SECONDS_PER_YEAR)) {
            let got: f64 = compounded_growth(from_bps(apr_bps).unwrap(), secs, Fraction::MAX).unwrap().to_num();
            let want = reference(apr_bps as f64 / 10_000.0, secs);
            prop_assert!((got - want).abs() / want < 1e-9);
        }

        #[test]
        fn splitting_time_never_beats_one_step_by_more_than_rounding(apr_bps in 1u64..50_000, a in 1u64..SECONDS_PER_YEAR, b in 1u64..SECONDS_PER_YEAR) {
            let apr = from_bps(apr_bps).unwrap();
            let whole: f64 = compounded_growth(apr, a + b, Fraction::MAX).unwrap().to_num();
            let split: f64 = (compounded_growth(apr, a, Fraction::MAX).unwrap() * compounded_growth(apr, b, Fraction::MAX).unwrap()).to_num();
            prop_assert!((whole - split).abs() / whole < 1e-12);
        }
    }
}
