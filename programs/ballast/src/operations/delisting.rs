//! Orderly delisting (klend's auto-deleverage): the admin marks a collateral reserve for delisting with a notice;
//! from then on it backs no new borrows, and once the notice has run out its liquidation threshold falls and its
//! liquidation bonus rises by a bounded step per day, so positions in it are unwound gradually, the least
//! healthy first, instead of all at once by a threshold cut. The admin or the risk council can stop it.
use crate::{
    constants::{
        MAX_DELISTING_BONUS_STEP_BPS_PER_DAY, MAX_DELISTING_NOTICE_SECS, MAX_DELISTING_THRESHOLD_STEP_BPS_PER_DAY,
        MAX_LIQUIDATION_BONUS_BPS, MIN_DELISTING_NOTICE_SECS,
    },
    error::BallastError,
    state::Reserve,
};
use anchor_lang::prelude::*;

const DAY_SECS: u64 = 86_400;

/// Whether `reserve` is marked for delisting (in its notice or past it).
pub fn is_delisting(reserve: &Reserve) -> bool {
    reserve.delisting_start_ts != 0
}

/// `step_bps_per_day` × the days since the decline began (pro rata to the second, rounded down); 0 before.
fn stepped(reserve: &Reserve, step_bps_per_day: u16, now_ts: i64) -> u64 {
    if !is_delisting(reserve) || now_ts <= reserve.delisting_start_ts {
        return 0;
    }
    let elapsed = now_ts.saturating_sub(reserve.delisting_start_ts) as u128;
    (step_bps_per_day as u128 * elapsed / DAY_SECS as u128).min(u64::MAX as u128) as u64
}

/// How far the liquidation threshold of this collateral has fallen at `now_ts`, bps.
pub fn threshold_cut_bps(reserve: &Reserve, now_ts: i64) -> u64 {
    stepped(reserve, reserve.delisting_threshold_step_bps_per_day, now_ts)
}

/// A threshold (the reserve's, or its elevation group's for members) less the delisting's cut, never below 0.
pub fn threshold_bps(base_bps: u64, cut_bps: u64) -> u64 {
    base_bps.saturating_sub(cut_bps)
}

/// A liquidation bonus bound plus the delisting's rise at `now_ts`, never above MAX_LIQUIDATION_BONUS_BPS.
pub fn bonus_bps(reserve: &Reserve, base_bps: u16, now_ts: i64) -> u16 {
    let raised = (base_bps as u64).saturating_add(stepped(reserve, reserve.delisting_bonus_step_bps_per_day, now_ts));
    raised.min(MAX_LIQUIDATION_BONUS_BPS as u64) as u16
}

/// Marks `reserve` for delisting at `now_ts`: thresholds start falling `notice_secs` later. The notice is at least
/// a day and at least the market's timelock: who can be liquidated never changes faster than a config could.
pub fn start(reserve: &mut Reserve, now_ts: i64, notice_secs: u64, threshold_step_bps_per_day: u16, bonus_step_bps_per_day: u16, timelock_secs: u64) -> Result<i64> {
    require!(!is_delisting(reserve), BallastError::DelistingAlreadyStarted);
    require!(
        (MIN_DELISTING_NOTICE_SECS.max(timelock_secs)..=MAX_DELISTING_NOTICE_SECS).contains(&notice_secs)
            && (1..=MAX_DELISTING_THRESHOLD_STEP_BPS_PER_DAY).contains(&threshold_step_bps_per_day)
            && bonus_step_bps_per_day <= MAX_DELISTING_BONUS_STEP_BPS_PER_DAY,
        BallastError::DelistingTermsInvalid
    );
    let start_ts = now_ts.checked_add(notice_secs as i64).ok_or(BallastError::MathOverflow)?;
    reserve.delisting_start_ts = start_ts;
    reserve.delisting_threshold_step_bps_per_day = threshold_step_bps_per_day;
    reserve.delisting_bonus_step_bps_per_day = bonus_step_bps_per_day;
    Ok(start_ts)
}

/// Stops a delisting: thresholds and bonuses are the config's again at once (a stop only ever makes obligations
/// healthier), and the reserve backs new borrows again.
pub fn stop(reserve: &mut Reserve) -> Result<()> {
    require!(is_delisting(reserve), BallastError::DelistingNotStarted);
    reserve.delisting_start_ts = 0;
    reserve.delisting_threshold_step_bps_per_day = 0;
    reserve.delisting_bonus_step_bps_per_day = 0;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytemuck::Zeroable;

    fn reserve() -> Box<Reserve> {
        Box::new(Reserve::zeroed())
    }

    #[test]
    fn thresholds_fall_and_bonuses_rise_by_the_day_after_the_notice() {
        let mut r = reserve();
        let starts = start(&mut r, 1_000, 2 * DAY_SECS, 200, 100, 3_600).unwrap();
        assert_eq!(starts, 1_000 + 2 * DAY_SECS as i64);
        assert!(is_delisting(&r));
        assert_eq!((threshold_cut_bps(&r, starts), bonus_bps(&r, 500, starts)), (0, 500), "nothing moves in the notice");
        let day = starts + DAY_SECS as i64;
        assert_eq!((threshold_cut_bps(&r, day), bonus_bps(&r, 500, day)), (200, 600));
        assert_eq!(threshold_cut_bps(&r, starts + DAY_SECS as i64 / 2), 100, "pro rata to the second");
        let far = starts + 1_000 * DAY_SECS as i64;
        assert_eq!((threshold_bps(8_000, threshold_cut_bps(&r, far)), bonus_bps(&r, 500, far)), (0, MAX_LIQUIDATION_BONUS_BPS));
        stop(&mut r).unwrap();
        assert_eq!((is_delisting(&r), threshold_cut_bps(&r, far), bonus_bps(&r, 500, far)), (false, 0, 500));
        assert!(stop(&mut r).is_err());
    }

    #[test]
    fn terms_outside_the_bounds_are_refused() {
        let mut r = reserve();
        assert!(start(&mut r, 0, DAY_SECS - 1, 100, 0, 0).is_err(), "under a day");
        assert!(start(&mut r, 0, DAY_SECS, 100, 0, 2 * DAY_SECS).is_err(), "under the timelock");
        assert!(start(&mut r, 0, MAX_DELISTING_NOTICE_SECS + 1, 100, 0, 0).is_err());
        assert!(start(&mut r, 0, DAY_SECS, 0, 0, 0).is_err(), "a threshold that never falls");
        assert!(start(&mut r, 0, DAY_SECS, MAX_DELISTING_THRESHOLD_STEP_BPS_PER_DAY + 1, 0, 0).is_err());
        assert!(start(&mut r, 0, DAY_SECS, 100, MAX_DELISTING_BONUS_STEP_BPS_PER_DAY + 1, 0).is_err());
        start(&mut r, 0, DAY_SECS, 100, 0, 0).unwrap();
        assert!(start(&mut r, 0, DAY_SECS, 100, 0, 0).is_err(), "already delisting");
    }
}
