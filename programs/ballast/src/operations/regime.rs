//! The volatility regime of a reserve (DESIGN §4): `refresh_reserve` feeds it the verified spot it reads; the
//! variance estimate it keeps, read against the config in force (`Reserve::regime_level_bps`), cuts LTV at
//! origination (`operations::health`) and adds to the borrow rate (`Reserve::borrow_apr`). Never fails: a
//! sample it cannot use is skipped.
use crate::{
    constants::MIN_REGIME_SAMPLE_SECS,
    math::{regime, Fraction, Sf},
    state::Reserve,
};

/// Whether a `refresh_reserve` at `now_ts` would take a regime sample: the regime is on and the last sample,
/// if any, is at least MIN_REGIME_SAMPLE_SECS old. Keepers crank on it.
pub fn sample_due(reserve: &Reserve, now_ts: i64) -> bool {
    reserve.config.regime_enabled() && (reserve.regime_ref_ts == 0 || now_ts.saturating_sub(reserve.regime_ref_ts) >= MIN_REGIME_SAMPLE_SECS)
}

/// Takes `price` (verified, quote per whole token) at `now_ts` into `reserve`'s regime. The first sample only
/// sets the reference; one within MIN_REGIME_SAMPLE_SECS of the last is skipped, so repeated refreshes in a
/// minute add nothing. With the regime off, its state is cleared, so turning it on starts afresh.
pub fn observe(reserve: &mut Reserve, price: Fraction, now_ts: i64) {
    let cfg = &reserve.config;
    if !cfg.regime_enabled() {
        reserve.regime_ref_price_sf = Sf::from(Fraction::ZERO);
        (reserve.regime_ref_ts, reserve.regime_variance_nano) = (0, 0);
        return;
    }
    if price == Fraction::ZERO {
        return;
    }
    if !sample_due(reserve, now_ts) {
        return;
    }
    let reference = reserve.regime_ref_price_sf.get();
    if reserve.regime_ref_ts != 0 && reference != Fraction::ZERO {
        let dt = now_ts.saturating_sub(reserve.regime_ref_ts);
        let sample = regime::variance_sample_nano(reference, price, dt as u64);
        let half_life_secs = cfg.regime_half_life_mins as u64 * 60;
        reserve.regime_variance_nano = regime::blend_variance_nano(reserve.regime_variance_nano, sample, dt as u64, half_life_secs);
    }
    reserve.regime_ref_price_sf = Sf::from(price);
    reserve.regime_ref_ts = now_ts;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{constants::MAX_REGIME_VARIANCE_NANO, math::from_u64};
    use bytemuck::Zeroable;

    fn reserve() -> Box<Reserve> {
        let mut r: Box<Reserve> = Box::new(Reserve::zeroed());
        r.config.regime_half_life_mins = 360;
        r.config.regime_calm_vol_bps = 8_000;
        r.config.regime_turbulent_vol_bps = 20_000;
        r.config.regime_max_ltv_cut_bps = 2_000;
        r
    }

    #[test]
    fn the_level_follows_the_config_in_force() {
        let mut r = reserve();
        r.regime_variance_nano = 2_320_000_000;
        assert_eq!(r.regime_level_bps(), 5_000);
        r.config.regime_turbulent_vol_bps = 15_231;
        assert_eq!(r.regime_level_bps(), 10_000, "lower bounds: turbulent at once");
        r.config.regime_half_life_mins = 0;
        assert_eq!(r.regime_level_bps(), 0, "off");
    }

    #[test]
    fn the_first_sample_sets_the_reference_and_a_quick_second_is_skipped() {
        let mut r = reserve();
        observe(&mut r, from_u64(100), 1_000);
        assert_eq!((r.regime_ref_ts, r.regime_variance_nano, r.regime_level_bps()), (1_000, 0, 0));
        observe(&mut r, from_u64(50), 1_059);
        assert_eq!((r.regime_ref_ts, r.regime_ref_price_sf.get()), (1_000, from_u64(100)), "within a minute: skipped");
        observe(&mut r, from_u64(100), 1_060);
        assert_eq!(r.regime_variance_nano, 0, "back where it was");
    }

    #[test]
    fn a_crash_puts_the_regime_in_turbulence_and_calm_brings_it_back() {
        let mut r = reserve();
        observe(&mut r, from_u64(100), 0 + 1);
        // −8% an hour for six hours: far above 200% annualized.
        let mut p = 100.0f64;
        for h in 1..=6 {
            p *= 0.92;
            observe(&mut r, Fraction::from_num(p), 1 + h * 3_600);
        }
        assert_eq!(r.regime_level_bps(), 10_000);
        assert!(r.regime_variance_nano <= MAX_REGIME_VARIANCE_NANO);
        // Three quiet days (a flat price, sampled hourly) bring it back to calm.
        for h in 7..=78 {
            observe(&mut r, Fraction::from_num(p), 1 + h * 3_600);
        }
        assert_eq!(r.regime_level_bps(), 0, "variance {}", r.regime_variance_nano);
    }

    #[test]
    fn turning_the_regime_off_clears_it() {
        let mut r = reserve();
        observe(&mut r, from_u64(100), 1);
        observe(&mut r, from_u64(50), 3_601);
        assert_eq!(r.regime_level_bps(), 10_000);
        r.config.regime_half_life_mins = 0;
        observe(&mut r, from_u64(50), 7_201);
        assert_eq!((r.regime_ref_ts, r.regime_variance_nano, r.regime_level_bps()), (0, 0, 0));
    }
}
