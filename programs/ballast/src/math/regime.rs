//! The volatility regime's numbers: a time-weighted estimate of annualized variance from pairs of verified
//! prices, the level in [0, 1] it puts a reserve in, and what the level does (a cut of LTV at origination, an
//! add-on to the borrow APR). Every function is total and saturating: the regime feeds `refresh_reserve` and
//! interest accrual, and must never make repay or liquidate fail.
use super::fraction::Fraction;
use crate::constants::{BPS, MAX_REGIME_VARIANCE_NANO, SECONDS_PER_YEAR};

/// One bps-scaled unit of level: 10,000 = fully turbulent.
pub const FULL_LEVEL_BPS: u16 = BPS as u16;

/// The annualized variance (billionths) one reading implies: r² · year / dt, where r = |price − reference| /
/// reference (capped at 1, a move of 100%) and dt the seconds between them (at least 1). Capped at
/// MAX_REGIME_VARIANCE_NANO.
pub fn variance_sample_nano(reference: Fraction, price: Fraction, dt_secs: u64) -> u64 {
    if reference == Fraction::ZERO {
        return 0;
    }
    let gap = reference.abs_diff(price);
    // r in [0, 1] as bits of 2^-60; r² ≤ 2^60 bits.
    let r_bits: u128 = if gap >= reference { 1 << Fraction::FRAC_NBITS } else { gap.checked_div(reference).map_or(1 << Fraction::FRAC_NBITS, |r| r.to_bits()) };
    let r2_bits = (r_bits * r_bits) >> Fraction::FRAC_NBITS;
    // r² · year · 1e9 < 2^60 · 2^25 · 2^30 = 2^115: no overflow in u128.
    let annual_nano = (r2_bits * SECONDS_PER_YEAR as u128 * 1_000_000_000) >> Fraction::FRAC_NBITS;
    let sample = annual_nano / dt_secs.max(1) as u128;
    sample.min(MAX_REGIME_VARIANCE_NANO as u128) as u64
}

/// The estimate after a sample taken `dt_secs` after the last: an exponentially weighted average in time,
/// previous · τ/(τ + dt) + sample · dt/(τ + dt), with τ = half-life / ln 2. A reading after a long silence
/// weighs almost fully; one a minute after the last weighs little.
pub fn blend_variance_nano(previous: u64, sample: u64, dt_secs: u64, half_life_secs: u64) -> u64 {
    // τ = half-life / ln 2 ≈ half-life · 1.4427.
    let tau = (half_life_secs as u128 * 14_427 / 10_000).max(1);
    let dt = dt_secs as u128;
    let blended = (previous.min(MAX_REGIME_VARIANCE_NANO) as u128 * tau + sample.min(MAX_REGIME_VARIANCE_NANO) as u128 * dt) / (tau + dt);
    blended.min(MAX_REGIME_VARIANCE_NANO as u128) as u64
}

/// Annualized variance (billionths) of an annualized volatility in bps: (bps / 10⁴)² · 10⁹ = bps² · 10.
fn variance_of_vol_nano(vol_bps: u16) -> u64 {
    (vol_bps as u64) * (vol_bps as u64) * 10
}

/// The regime's level in bps of full turbulence: 0 at or below calm volatility, 10,000 at or above turbulent,
/// linear in variance between (variance is what the estimate measures, so the level needs no square root).
pub fn level_bps(variance_nano: u64, calm_vol_bps: u16, turbulent_vol_bps: u16) -> u16 {
    let (calm, turbulent) = (variance_of_vol_nano(calm_vol_bps), variance_of_vol_nano(turbulent_vol_bps));
    if variance_nano <= calm || turbulent <= calm {
        return if turbulent <= calm && variance_nano > calm { FULL_LEVEL_BPS } else { 0 };
    }
    if variance_nano >= turbulent {
        return FULL_LEVEL_BPS;
    }
    ((variance_nano - calm) as u128 * BPS as u128 / (turbulent - calm) as u128) as u16
}

/// LTV at origination under the regime: ltv · (1 − max_cut · level), the cut rounded up (never in the
/// borrower's favour). Liquidation thresholds are never cut.
pub fn ltv_at_origination_bps(ltv_bps: u64, max_cut_bps: u16, level_bps: u16) -> u64 {
    let cut_scaled = ltv_bps as u128 * max_cut_bps.min(FULL_LEVEL_BPS) as u128 * level_bps.min(FULL_LEVEL_BPS) as u128;
    let cut = cut_scaled.div_ceil(BPS as u128 * BPS as u128) as u64;
    ltv_bps.saturating_sub(cut)
}

/// What the regime adds to the borrow APR, bps: max_addon · level, rounded down.
pub fn rate_addon_bps(max_addon_bps: u16, level_bps: u16) -> u32 {
    (max_addon_bps as u32 * level_bps.min(FULL_LEVEL_BPS) as u32) / BPS as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::from_u64;

    #[test]
    fn a_ten_percent_hourly_move_reads_as_its_annualized_variance() {
        let v = variance_sample_nano(from_u64(100), from_u64(90), 3_600);
        let want = 0.01 * SECONDS_PER_YEAR as f64 / 3_600.0 * 1e9;
        assert!((v as f64 - want).abs() / want < 1e-9, "{v} vs {want}");
        assert_eq!(variance_sample_nano(from_u64(100), from_u64(110), 3_600), v, "up and down alike");
    }

    #[test]
    fn a_sample_is_capped_however_wild_the_move_or_short_the_gap() {
        assert_eq!(variance_sample_nano(from_u64(100), from_u64(1_000_000), 1), MAX_REGIME_VARIANCE_NANO);
        assert_eq!(variance_sample_nano(from_u64(100), Fraction::ZERO, 0), MAX_REGIME_VARIANCE_NANO);
        assert_eq!(variance_sample_nano(Fraction::ZERO, from_u64(5), 60), 0);
        assert_eq!(variance_sample_nano(Fraction::MAX, Fraction::ZERO, 60), MAX_REGIME_VARIANCE_NANO);
    }

    #[test]
    fn the_blend_weighs_a_sample_by_the_time_it_covers() {
        let hl = 6 * 3_600;
        // After one half-life's worth of time the old estimate keeps τ/(τ+dt) of its weight.
        let b = blend_variance_nano(1_000_000_000, 0, hl, hl);
        let want = 1e9 * 1.4427 / 2.4427;
        assert!((b as f64 - want).abs() / want < 1e-3, "{b} vs {want}");
        assert_eq!(blend_variance_nano(7, 7, 60, hl), 7, "a constant stays put");
        assert!(blend_variance_nano(0, u64::MAX, u64::MAX / 2, 1) >= MAX_REGIME_VARIANCE_NANO - 1, "a sample after a long silence weighs almost fully");
        assert!(blend_variance_nano(u64::MAX, u64::MAX, u64::MAX, u64::MAX) <= MAX_REGIME_VARIANCE_NANO);
    }

    #[test]
    fn the_level_rises_from_calm_to_turbulent_and_stays_within_bounds() {
        let (calm, turbulent) = (8_000u16, 20_000u16);
        assert_eq!(level_bps(0, calm, turbulent), 0);
        assert_eq!(level_bps(640_000_000, calm, turbulent), 0, "80% volatility is calm");
        assert_eq!(level_bps(4_000_000_000, calm, turbulent), FULL_LEVEL_BPS, "200% is fully turbulent");
        assert_eq!(level_bps(u64::MAX, calm, turbulent), FULL_LEVEL_BPS);
        let mid = level_bps((640_000_000 + 4_000_000_000) / 2, calm, turbulent);
        assert_eq!(mid, 5_000);
        // A degenerate range (never stored: validation refuses it) is a step, not a division by zero.
        assert_eq!(level_bps(1_000_000_000, 5_000, 5_000), FULL_LEVEL_BPS);
    }

    #[test]
    fn the_ltv_cut_and_rate_addon_scale_with_the_level_and_never_pass_their_caps() {
        assert_eq!(ltv_at_origination_bps(7_500, 2_000, 0), 7_500);
        assert_eq!(ltv_at_origination_bps(7_500, 2_000, FULL_LEVEL_BPS), 6_000);
        assert_eq!(ltv_at_origination_bps(7_500, 2_000, 5_000), 6_750);
        assert_eq!(ltv_at_origination_bps(7_501, 2_000, 3_333), 7_000, "a cut of 500.02 rounds up to 501");
        assert_eq!(ltv_at_origination_bps(7_500, u16::MAX, u16::MAX), 0, "never below zero");
        assert_eq!(rate_addon_bps(1_000, 0), 0);
        assert_eq!(rate_addon_bps(1_000, 2_500), 250);
        assert_eq!(rate_addon_bps(u16::MAX, u16::MAX), u16::MAX as u32);
    }
}
