//! Per-second compounding of an APR.
use super::fraction::*;
use crate::constants::SECONDS_PER_YEAR;
use anchor_lang::prelude::*;

/// The per-second rate for an APR given as a Fraction (0.1 = 10%).
pub fn per_second_rate(apr: Fraction) -> Result<Fraction> {
    div_int(apr, SECONDS_PER_YEAR)
}

/// Below this, `(1 + r)^n` is summed from its binomial series instead of squared out: with x = n·r ≤ 2^-10 the
/// first term left out, C(n,4)·r⁴ ≤ x⁴/24, is under 1e-14 of the interest, far below the truncation of r itself
/// (r = apr / year carries about 34 significant bits).
const SERIES_LIMIT: Fraction = Fraction::from_bits(1 << (Fraction::FRAC_NBITS - 10));

/// `(1 + r)^n ≈ 1 + n·r + C(n,2)·r² + C(n,3)·r³` for small n·r: a handful of multiplications where squaring
/// takes two per bit of `n`. The terms left out are all positive, so it never overstates the exact growth.
fn series(r: Fraction, n: u64) -> Option<Fraction> {
    let x = r.checked_mul_int(n as u128)?;
    if x > SERIES_LIMIT {
        return None;
    }
    // C(n,2)·r² = x·(x − r)/2 and C(n,3)·r³ = C(n,2)·r²·(x − 2r)/3, from x = n·r.
    let second = x.checked_mul(x.saturating_sub(r))?.checked_div_int(2)?;
    let third = second.checked_mul(x.saturating_sub(r.checked_mul_int(2)?))?.checked_div_int(3)?;
    Fraction::ONE.checked_add(x)?.checked_add(second)?.checked_add(third)
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
    let r = per_second_rate(apr)?;
    let cap = cap.max(Fraction::ONE);
    if let Some(growth) = series(r, elapsed_secs) {
        return Ok(growth.min(cap));
    }
    Ok(pow_capped(add(Fraction::ONE, r)?, elapsed_secs, cap))
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

    /// The series against the exact (1 + r)^n − 1 for the very r the program uses (f64 with expm1/ln1p is exact
    /// to ~1e-16 of the interest here).
    #[test]
    fn the_short_series_matches_exact_compounding() {
        for apr_bps in [1u64, 800, 10_800, 50_000] {
            let r = per_second_rate(from_bps(apr_bps).unwrap()).unwrap();
            let rf = r.to_bits() as f64 / (1u128 << Fraction::FRAC_NBITS) as f64;
            for secs in [1u64, 2, 3, 60, 400, 3_600, 86_400] {
                let Some(short) = series(r, secs) else { continue };
                let exact = (secs as f64 * rf.ln_1p()).exp_m1();
                let got = (short - Fraction::ONE).to_num::<f64>();
                assert!((got - exact).abs() <= exact * 1e-10 + 1e-18, "apr {apr_bps} secs {secs}: {got} vs {exact}");
            }
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
            // Where a + b crosses SERIES_LIMIT the whole goes through squaring and the parts through the
            // series: their roundings differ by up to about 1e-12 (measured: 1.0002e-12 at 11 bps, the saved
            // case), so the bound is 1e-11, ten million times below a basis point.
            prop_assert!((whole - split).abs() / whole < 1e-11);
        }
    }
}
