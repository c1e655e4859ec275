//! Piecewise-linear borrow rate curve: utilization (bps) -> APR (bps).
use super::fraction::*;
use crate::{
    constants::{MAX_BORROW_RATE_BPS, MAX_CURVE_POINTS},
    error::BallastError,
};
use crate::wire::layout_and_wire;
use anchor_lang::prelude::*;

layout_and_wire! {
/// One point of the curve.
#[derive(Default)]
pub struct CurvePoint / CurvePointWire {
    /// Utilization at this point, bps (0..=10000).
    pub utilization_bps: u32,
    /// Borrow APR at this point, bps (may exceed 10000, never MAX_BORROW_RATE_BPS).
    pub borrow_rate_bps: u32,
}
}

/// Validates the used points `[0, len)` and that the rest are zero.
pub fn validate_curve(points: &[CurvePoint; MAX_CURVE_POINTS], len: u8) -> Result<()> {
    let len = len as usize;
    require!((2..=MAX_CURVE_POINTS).contains(&len), BallastError::CurveLengthInvalid);
    require!(points[0].utilization_bps == 0, BallastError::CurveMustStartAtZero);
    require!(points[len - 1].utilization_bps == 10_000, BallastError::CurveMustEndAtFull);
    for pair in points[..len].windows(2) {
        require!(pair[1].utilization_bps > pair[0].utilization_bps, BallastError::CurveUtilizationNotIncreasing);
        require!(pair[1].borrow_rate_bps >= pair[0].borrow_rate_bps, BallastError::CurveRateDecreasing);
    }
    require!(
        points[..len].iter().all(|p| p.borrow_rate_bps <= MAX_BORROW_RATE_BPS),
        BallastError::CurveRateTooHigh
    );
    require!(
        points[len..].iter().all(|p| *p == CurvePoint::default()),
        BallastError::CurveTrailingPointsNotZero
    );
    Ok(())
}

/// The APR (as a Fraction, 0.1 = 10%) at `utilization` (a Fraction in [0, 1]; above 1 is clamped), never above
/// MAX_BORROW_RATE_BPS. Total for any stored curve, valid or not, so accrual (and with it repay and
/// liquidate) never fails on a config: a flat step (equal utilizations) takes the higher rate. Interpolated in
/// integers on the fixed-point bits (utilization in bps carries 60 fractional bits; rates are whole bps).
pub fn borrow_apr(points: &[CurvePoint; MAX_CURVE_POINTS], len: u8, utilization: Fraction) -> Result<Fraction> {
    const ONE_BPS_BITS: u128 = 1 << Fraction::FRAC_NBITS;
    let len = (len as usize).clamp(1, MAX_CURVE_POINTS);
    // utilization · 10_000 as bits: at most 10_000 · 2^60 < 2^74.
    let util_bits = utilization.min(Fraction::ONE).to_bits() * 10_000;
    let rate = |p: &CurvePoint| p.borrow_rate_bps.min(MAX_BORROW_RATE_BPS) as u128;
    let mut rate_bits = rate(&points[len - 1]) * ONE_BPS_BITS;
    for pair in points[..len].windows(2) {
        let (lo, hi) = (pair[0], pair[1]);
        let hi_bits = hi.utilization_bps as u128 * ONE_BPS_BITS;
        if util_bits <= hi_bits {
            let lo_bits = (lo.utilization_bps as u128 * ONE_BPS_BITS).min(util_bits);
            let (lo_rate, hi_rate) = (rate(&lo), rate(&hi).max(rate(&lo)));
            let span_bps = hi.utilization_bps.saturating_sub(lo.utilization_bps) as u128;
            rate_bits = if span_bps == 0 {
                hi_rate * ONE_BPS_BITS
            } else {
                // (util − lo) · rise / span: < 2^74 · 2^16, far inside u128.
                lo_rate * ONE_BPS_BITS + (util_bits - lo_bits) * (hi_rate - lo_rate) / span_bps
            };
            break;
        }
    }
    div_int(Fraction::from_bits(rate_bits), 10_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(pts: &[(u32, u32)]) -> ([CurvePoint; MAX_CURVE_POINTS], u8) {
        let mut out = [CurvePoint::default(); MAX_CURVE_POINTS];
        for (i, (u, r)) in pts.iter().enumerate() {
            out[i] = CurvePoint { utilization_bps: *u, borrow_rate_bps: *r };
        }
        (out, pts.len() as u8)
    }

    #[test]
    fn interpolates_between_points() {
        let (c, n) = curve(&[(0, 0), (8_000, 800), (10_000, 10_800)]);
        validate_curve(&c, n).unwrap();
        let at = |u: u64| borrow_apr(&c, n, from_bps(u).unwrap()).unwrap().to_num::<f64>();
        for (util, apr) in [(0, 0.0), (4_000, 0.04), (8_000, 0.08), (9_000, 0.58), (10_000, 1.08)] {
            assert!((at(util) - apr).abs() < 1e-15, "{util}: {} vs {apr}", at(util));
        }
    }

    #[test]
    fn validation_names_each_rule() {
        let err = |pts: &[(u32, u32)]| {
            let (c, n) = curve(pts);
            validate_curve(&c, n).unwrap_err()
        };
        assert_eq!(err(&[(0, 0)]), BallastError::CurveLengthInvalid.into());
        assert_eq!(err(&[(1, 0), (10_000, 5)]), BallastError::CurveMustStartAtZero.into());
        assert_eq!(err(&[(0, 0), (9_000, 5)]), BallastError::CurveMustEndAtFull.into());
        assert_eq!(err(&[(0, 0), (5_000, 1), (5_000, 2), (10_000, 3)]), BallastError::CurveUtilizationNotIncreasing.into());
        assert_eq!(err(&[(0, 5), (10_000, 4)]), BallastError::CurveRateDecreasing.into());
        let (mut c, n) = curve(&[(0, 0), (10_000, 5)]);
        c[5].borrow_rate_bps = 1;
        assert_eq!(validate_curve(&c, n).unwrap_err(), BallastError::CurveTrailingPointsNotZero.into());
        assert_eq!(err(&[(0, 0), (10_000, MAX_BORROW_RATE_BPS + 1)]), BallastError::CurveRateTooHigh.into());
        assert_eq!(err(&[(0, u32::MAX), (10_000, u32::MAX)]), BallastError::CurveRateTooHigh.into());
    }

    #[test]
    fn a_stored_curve_that_breaks_the_rules_still_prices_within_the_bound() {
        let at = |pts: &[(u32, u32)], u: u64| {
            let (c, n) = curve(pts);
            borrow_apr(&c, n, from_bps(u).unwrap()).unwrap().to_num::<f64>()
        };
        let max = MAX_BORROW_RATE_BPS as f64 / 10_000.0;
        assert_eq!(at(&[(0, u32::MAX), (10_000, u32::MAX)], 5_000), max);
        // Equal utilizations (a zero span) and a falling rate neither divide by zero nor go negative.
        assert_eq!(at(&[(0, 100), (0, 200), (10_000, 300)], 0), 0.02);
        assert!(at(&[(0, 500), (10_000, 100)], 5_000) >= 0.01);
        // An empty curve (length 0 is clamped to 1) prices at its only point.
        assert_eq!(at(&[(0, 700)], 9_000), 0.07);
    }
}
