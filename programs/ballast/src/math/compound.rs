//! Per-second compounding of an APR.
use super::fraction::*;
use crate::{checked, constants::SECONDS_PER_YEAR};
use anchor_lang::prelude::*;

/// The per-second rate for an APR given as a Fraction (0.1 = 10%).
pub fn per_second_rate(apr: Fraction) -> Result<Fraction> {
    div(apr, from_u64(SECONDS_PER_YEAR))
}

/// `base ^ exp` by squaring, checked at every step.
pub fn pow(base: Fraction, mut exp: u64) -> Result<Fraction> {
    let mut result = Fraction::ONE;
    let mut square = base;
    while exp > 0 {
        if exp & 1 == 1 {
            result = checked!(result.checked_mul(square))?;
        }
        exp >>= 1;
        if exp > 0 {
            square = checked!(square.checked_mul(square))?;
        }
    }
    Ok(result)
}

/// Growth factor `(1 + apr/year)^elapsed_secs` for compounding every second.
pub fn compounded_growth(apr: Fraction, elapsed_secs: u64) -> Result<Fraction> {
    if elapsed_secs == 0 || apr == Fraction::ZERO {
        return Ok(Fraction::ONE);
    }
    pow(add(Fraction::ONE, per_second_rate(apr)?)?, elapsed_secs)
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
            let got: f64 = compounded_growth(apr, SECONDS_PER_YEAR).unwrap().to_num();
            let want = reference(apr_bps as f64 / 10_000.0, SECONDS_PER_YEAR);
            assert!((got - want).abs() / want < 1e-9, "apr {apr_bps}: {got} vs {want}");
        }
    }

    #[test]
    fn zero_elapsed_or_zero_rate_is_identity() {
        assert_eq!(compounded_growth(from_bps(1_000).unwrap(), 0).unwrap(), Fraction::ONE);
        assert_eq!(compounded_growth(Fraction::ZERO, 1_000).unwrap(), Fraction::ONE);
    }

    proptest! {
        #[test]
        fn compounding_tracks_f64(apr_bps in 1u64..50_000, secs in 1u64..(2 * SECONDS_PER_YEAR)) {
            let got: f64 = compounded_growth(from_bps(apr_bps).unwrap(), secs).unwrap().to_num();
            let want = reference(apr_bps as f64 / 10_000.0, secs);
            prop_assert!((got - want).abs() / want < 1e-9);
        }

        #[test]
        fn splitting_time_never_beats_one_step_by_more_than_rounding(apr_bps in 1u64..50_000, a in 1u64..SECONDS_PER_YEAR, b in 1u64..SECONDS_PER_YEAR) {
            let apr = from_bps(apr_bps).unwrap();
            let whole: f64 = compounded_growth(apr, a + b).unwrap().to_num();
            let split: f64 = (compounded_growth(apr, a).unwrap() * compounded_growth(apr, b).unwrap()).to_num();
            prop_assert!((whole - split).abs() / whole < 1e-12);
        }
    }
}
