//! The life of a config change: applied at once when it loosens nothing, else queued, then applied once due
//! (permissionless) or cancelled (admin or council).
use super::rules::{
    curve_rise_within_step, curve_rises, elevation_group_change_loosens, market_change_loosens,
    reserve_change_loosens, reserve_change_loosens_apart_from_curve,
};
use crate::{
    constants::RATE_STEP_COOLDOWN_SECS,
    error::BallastError,
    state::{ElevationGroup, Market, MarketConfig, Reserve, ReserveConfig, FLAG_COLLATERAL_ENABLED, MAX_ELEVATION_GROUPS},
};
use anchor_lang::prelude::*;
use bytemuck::Zeroable;

/// A config the governance paths can manage.
pub trait GovernedConfig: Copy + Zeroable {
    /// Every rule the config must satisfy as a whole.
    fn validate_all(&self) -> Result<()>;
    /// True when going from `old` to `self` loosens risk.
    fn loosens_from(&self, old: &Self) -> bool;
}

impl GovernedConfig for ReserveConfig {
    fn validate_all(&self) -> Result<()> {
        self.validate()
    }
    fn loosens_from(&self, old: &Self) -> bool {
        reserve_change_loosens(old, self)
    }
}

impl GovernedConfig for MarketConfig {
    fn validate_all(&self) -> Result<()> {
        self.validate()
    }
    fn loosens_from(&self, old: &Self) -> bool {
        market_change_loosens(old, self)
    }
}

impl GovernedConfig for ElevationGroup {
    fn validate_all(&self) -> Result<()> {
        self.validate()
    }
    /// An unused slot (no debt reserve) is no group: configuring it creates one.
    fn loosens_from(&self, old: &Self) -> bool {
        let existing = (old.debt_reserve != Pubkey::default()).then_some(old);
        elevation_group_change_loosens(existing, self)
    }
}

/// The config in force, its pending copy and when that copy may apply (0 = nothing queued).
pub struct ConfigSlots<'a, C> {
    pub current: &'a mut C,
    pub pending: &'a mut C,
    pub apply_ts: &'a mut i64,
}

pub fn reserve_slots(reserve: &mut Reserve) -> ConfigSlots<'_, ReserveConfig> {
    ConfigSlots {
        current: &mut reserve.config,
        pending: &mut reserve.pending_config,
        apply_ts: &mut reserve.pending_config_apply_ts,
    }
}

pub fn market_slots(market: &mut Market) -> ConfigSlots<'_, MarketConfig> {
    ConfigSlots {
        current: &mut market.config,
        pending: &mut market.pending_config,
        apply_ts: &mut market.pending_config_apply_ts,
    }
}

impl<C: GovernedConfig> ConfigSlots<'_, C> {
    pub fn has_pending(&self) -> bool {
        *self.apply_ts != 0
    }

    /// Applies a change that does not loosen, now; a loosening one fails with `refusal`.
    /// A pending change is dropped: it was reviewed against the config this replaces. Returns whether one was.
    pub fn set_at_once(&mut self, config: C, refusal: BallastError) -> Result<bool> {
        config.validate_all()?;
        if config.loosens_from(self.current) {
            return Err(refusal.into());
        }
        Ok(self.replace(config))
    }

    /// Puts `config` in force and drops any pending change; the caller has judged it. Returns whether one was.
    fn replace(&mut self, config: C) -> bool {
        *self.current = config;
        let dropped = self.has_pending();
        self.clear_pending();
        dropped
    }

    /// Queues `config` to apply `timelock_secs` from now; returns the earliest apply time.
    pub fn queue(&mut self, config: C, now_ts: i64, timelock_secs: u64) -> Result<i64> {
        config.validate_all()?;
        require!(!self.has_pending(), BallastError::ConfigChangeAlreadyPending);
        // Saturates: an absurd timelock means "never", not an overflow. At least 1, since 0 means none.
        let delay = i64::try_from(timelock_secs).unwrap_or(i64::MAX);
        let apply_ts = now_ts.saturating_add(delay).max(1);
        *self.pending = config;
        *self.apply_ts = apply_ts;
        Ok(apply_ts)
    }

    /// Applies the pending config once its time has come, validating it again (rules may have changed since).
    /// Returns the config it replaced.
    pub fn apply_due(&mut self, now_ts: i64) -> Result<C> {
        require!(self.has_pending(), BallastError::NoPendingConfig);
        require!(now_ts >= *self.apply_ts, BallastError::TimelockNotElapsed);
        self.pending.validate_all()?;
        let old = *self.current;
        *self.current = *self.pending;
        self.clear_pending();
        Ok(old)
    }

    /// Drops the pending config; returns it.
    pub fn cancel(&mut self) -> Result<C> {
        require!(self.has_pending(), BallastError::NoPendingConfig);
        let dropped = *self.pending;
        self.clear_pending();
        Ok(dropped)
    }

    fn clear_pending(&mut self) {
        *self.pending = C::zeroed();
        *self.apply_ts = 0;
    }
}

/// The admin's at-once reserve change: anything that loosens nothing, or, apart from that, a rate curve that
/// rises by at most MAX_RATE_STEP_BPS at every point, once per RATE_STEP_COOLDOWN_SECS or per market timelock,
/// whichever is longer, so at-once steps never add up to more than one step per timelock window (a bigger or
/// sooner rise fails with `RateRiseNeedsTimelock` and must be queued). Returns whether a pending change was
/// dropped.
pub fn update_reserve_at_once(reserve: &mut Reserve, config: ReserveConfig, now_ts: i64, timelock_secs: u64) -> Result<bool> {
    config.validate()?;
    if !curve_rises(&reserve.config, &config) {
        return reserve_slots(reserve).set_at_once(config, BallastError::ConfigChangeLoosens);
    }
    require!(
        !reserve_change_loosens_apart_from_curve(&reserve.config, &config),
        BallastError::ConfigChangeLoosens
    );
    let cooldown = RATE_STEP_COOLDOWN_SECS.max(i64::try_from(timelock_secs).unwrap_or(i64::MAX));
    let cooled_down = now_ts >= reserve.last_rate_raise_ts.saturating_add(cooldown);
    require!(
        cooled_down && curve_rise_within_step(&reserve.config, &config),
        BallastError::RateRiseNeedsTimelock
    );
    reserve.last_rate_raise_ts = now_ts;
    Ok(reserve_slots(reserve).replace(config))
}

/// A new reserve's configs: listing loosens risk like any other change, so it waits the market's timelock.
/// With a timelock the requested config is queued, and the live one until then backs no borrows: collateral
/// disabled (nothing can be pledged, so nothing counts toward any health), LTV 0 and in no elevation group.
/// Lending the asset out and flash loans start at once, as they put only the new reserve's own depositors at
/// risk. The permissionless `apply_pending_reserve_config` lists it fully once due; with no timelock the
/// requested config is live at once.
pub fn list_reserve(reserve: &mut Reserve, config: ReserveConfig, now_ts: i64, timelock_secs: u64) -> Result<()> {
    config.validate()?;
    if timelock_secs == 0 {
        reserve.config = config;
        return Ok(());
    }
    let mut listing = config;
    listing.flags &= !FLAG_COLLATERAL_ENABLED;
    listing.ltv_bps = 0;
    listing.elevation_groups = 0;
    reserve.config = listing;
    reserve_slots(reserve).queue(config, now_ts, timelock_secs).map(|_| ())
}

/// The slots of elevation group `id` (1..=16) and the market's one pending group change.
pub fn elevation_group_slots(market: &mut Market, id: u8) -> Result<ConfigSlots<'_, ElevationGroup>> {
    require!((1..=MAX_ELEVATION_GROUPS as u8).contains(&id), BallastError::ElevationGroupInvalid);
    Ok(ConfigSlots {
        current: &mut market.elevation_groups[id as usize - 1],
        pending: &mut market.pending_elevation_group,
        apply_ts: &mut market.pending_elevation_group_apply_ts,
    })
}

/// Tightens group `id` at once (creating or loosening one must be queued). A pending change to the same group
/// is dropped, one to another group kept. Returns whether one was dropped.
pub fn tighten_elevation_group(market: &mut Market, id: u8, group: ElevationGroup) -> Result<bool> {
    let pending_here = market.pending_elevation_group_id == id;
    let keep = (market.pending_elevation_group, market.pending_elevation_group_apply_ts);
    let dropped = elevation_group_slots(market, id)?.set_at_once(group, BallastError::ConfigChangeLoosens)?;
    if pending_here {
        market.pending_elevation_group_id = 0;
        return Ok(dropped);
    }
    (market.pending_elevation_group, market.pending_elevation_group_apply_ts) = keep;
    Ok(false)
}

/// Queues creating or changing group `id` to apply `timelock_secs` from now (one group change at a time).
pub fn queue_elevation_group(market: &mut Market, id: u8, group: ElevationGroup, now_ts: i64, timelock_secs: u64) -> Result<i64> {
    let apply_ts = elevation_group_slots(market, id)?.queue(group, now_ts, timelock_secs)?;
    market.pending_elevation_group_id = id;
    Ok(apply_ts)
}

/// Applies the pending group change once due; returns its id and the group it replaced.
pub fn apply_pending_elevation_group(market: &mut Market, now_ts: i64) -> Result<(u8, ElevationGroup)> {
    let id = market.pending_elevation_group_id;
    require!(id != 0, BallastError::NoPendingConfig);
    let old = elevation_group_slots(market, id)?.apply_due(now_ts)?;
    market.pending_elevation_group_id = 0;
    Ok((id, old))
}

/// Drops the pending group change; returns its id and the group that was queued.
pub fn cancel_pending_elevation_group(market: &mut Market) -> Result<(u8, ElevationGroup)> {
    let id = market.pending_elevation_group_id;
    require!(id != 0, BallastError::NoPendingConfig);
    let dropped = elevation_group_slots(market, id)?.cancel()?;
    market.pending_elevation_group_id = 0;
    Ok((id, dropped))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        operations::governance::fixtures::{base, market},
        state::FLAG_REDUCE_ONLY,
    };

    fn reserve() -> Reserve {
        let mut r = Reserve::zeroed();
        r.version = crate::constants::ACCOUNT_VERSION;
        r.config = base();
        r
    }

    fn looser() -> ReserveConfig {
        let mut c = base();
        c.ltv_bps += 500;
        c
    }

    #[test]
    fn set_at_once_refuses_a_loosening_and_drops_a_pending_change() {
        let mut r = reserve();
        let err = reserve_slots(&mut r).set_at_once(looser(), BallastError::RiskCouncilCannotLoosen).unwrap_err();
        assert_eq!(err, BallastError::RiskCouncilCannotLoosen.into());
        assert_eq!(r.config, base());

        reserve_slots(&mut r).queue(looser(), 100, 10).unwrap();
        let mut tighter = base();
        tighter.flags |= FLAG_REDUCE_ONLY;
        assert!(reserve_slots(&mut r).set_at_once(tighter, BallastError::ConfigChangeLoosens).unwrap());
        assert_eq!(r.config, tighter);
        assert_eq!(r.pending_config_apply_ts, 0);
        assert_eq!(r.pending_config, ReserveConfig::zeroed());
    }

    #[test]
    fn set_at_once_validates_the_whole_config() {
        let mut r = reserve();
        let mut bad = base();
        bad.liquidation_threshold_bps = bad.ltv_bps; // tighter, but no longer above the LTV
        let err = reserve_slots(&mut r).set_at_once(bad, BallastError::ConfigChangeLoosens).unwrap_err();
        assert_eq!(err, BallastError::LtvNotBelowThreshold.into());
    }

    #[test]
    fn queued_change_applies_only_after_the_timelock() {
        let mut r = reserve();
        assert_eq!(reserve_slots(&mut r).queue(looser(), 1_000, 60).unwrap(), 1_060);
        let again = reserve_slots(&mut r).queue(looser(), 1_000, 60).unwrap_err();
        assert_eq!(again, BallastError::ConfigChangeAlreadyPending.into());
        let early = reserve_slots(&mut r).apply_due(1_059).unwrap_err();
        assert_eq!(early, BallastError::TimelockNotElapsed.into());
        assert_eq!(r.config, base());
        reserve_slots(&mut r).apply_due(1_060).unwrap();
        assert_eq!(r.config, looser());
        assert_eq!(r.pending_config_apply_ts, 0);
        let none = reserve_slots(&mut r).apply_due(2_000).unwrap_err();
        assert_eq!(none, BallastError::NoPendingConfig.into());
    }

    #[test]
    fn queue_and_apply_both_validate() {
        let mut r = reserve();
        let mut bad = base();
        bad.utilization_ceiling_bps = 0;
        let err = reserve_slots(&mut r).queue(bad, 0, 0).unwrap_err();
        assert_eq!(err, BallastError::UtilizationCeilingInvalid.into());
        // A pending config that no longer passes (e.g. rules tightened by an upgrade) never applies.
        r.pending_config = bad;
        r.pending_config_apply_ts = 5;
        let err = reserve_slots(&mut r).apply_due(5).unwrap_err();
        assert_eq!(err, BallastError::UtilizationCeilingInvalid.into());
        assert_eq!(r.config, base());
    }

    #[test]
    fn zero_timelock_applies_in_the_same_second_and_a_huge_one_never_overflows() {
        let mut r = reserve();
        assert_eq!(reserve_slots(&mut r).queue(looser(), 500, 0).unwrap(), 500);
        reserve_slots(&mut r).apply_due(500).unwrap();
        assert_eq!(reserve_slots(&mut r).queue(base(), 500, u64::MAX).unwrap(), i64::MAX);
    }

    #[test]
    fn cancel_drops_the_pending_change() {
        let mut m = Market::zeroed();
        m.version = crate::constants::ACCOUNT_VERSION;
        m.config = market();
        assert_eq!(market_slots(&mut m).cancel().unwrap_err(), BallastError::NoPendingConfig.into());
        let calm = MarketConfig { flags: 0, ..market() };
        market_slots(&mut m).queue(calm, 10, 86_400).unwrap();
        market_slots(&mut m).cancel().unwrap();
        assert_eq!(m.pending_config_apply_ts, 0);
        assert_eq!(market_slots(&mut m).apply_due(i64::MAX).unwrap_err(), BallastError::NoPendingConfig.into());
        assert_eq!(m.config, market());
    }

    #[test]
    fn a_bounded_rate_rise_applies_at_once_once_per_cooldown() {
        use crate::constants::{MAX_RATE_STEP_BPS, RATE_STEP_COOLDOWN_SECS};
        let mut r = reserve();
        let mut up = base();
        up.curve[1].borrow_rate_bps += MAX_RATE_STEP_BPS;
        let now = 10 * RATE_STEP_COOLDOWN_SECS;
        update_reserve_at_once(&mut r, up, now, 0).unwrap();
        assert_eq!((r.config, r.last_rate_raise_ts), (up, now));
        // A second rise within the cooldown waits; after it, it goes.
        let mut again = up;
        again.curve[1].borrow_rate_bps += 1;
        let err = update_reserve_at_once(&mut r, again, now + RATE_STEP_COOLDOWN_SECS - 1, 0).unwrap_err();
        assert_eq!(err, BallastError::RateRiseNeedsTimelock.into());
        update_reserve_at_once(&mut r, again, now + RATE_STEP_COOLDOWN_SECS, 0).unwrap();
        // Too big a step waits whatever the time; lowering never does.
        let mut jump = r.config;
        jump.curve[1].borrow_rate_bps += MAX_RATE_STEP_BPS + 1;
        let err = update_reserve_at_once(&mut r, jump, now * 10, 0).unwrap_err();
        assert_eq!(err, BallastError::RateRiseNeedsTimelock.into());
        update_reserve_at_once(&mut r, base(), now + RATE_STEP_COOLDOWN_SECS + 1, 0).unwrap();
        assert_eq!(r.config, base());
        // A rise bundled with another loosening is refused as a loosening.
        let mut both = base();
        both.curve[1].borrow_rate_bps += 1;
        both.ltv_bps += 1;
        let err = update_reserve_at_once(&mut r, both, now * 10, 0).unwrap_err();
        assert_eq!(err, BallastError::ConfigChangeLoosens.into());
        // A market timelock longer than a day stretches the cooldown to it.
        let mut r = reserve();
        update_reserve_at_once(&mut r, up, now, 7 * 86_400).unwrap();
        let err = update_reserve_at_once(&mut r, again, now + 7 * 86_400 - 1, 7 * 86_400).unwrap_err();
        assert_eq!(err, BallastError::RateRiseNeedsTimelock.into());
        update_reserve_at_once(&mut r, again, now + 7 * 86_400, 7 * 86_400).unwrap();
    }

    fn group(ltv_bps: u16) -> ElevationGroup {
        ElevationGroup { debt_reserve: Pubkey::new_from_array([5; 32]), ltv_bps, liquidation_threshold_bps: 9_300, max_liquidation_bonus_bps: 300, padding: 0 }
    }

    #[test]
    fn creating_an_elevation_group_is_queued_and_applies_after_the_timelock() {
        let mut m = Market::zeroed();
        m.version = crate::constants::ACCOUNT_VERSION;
        let err = tighten_elevation_group(&mut m, 1, group(9_000)).unwrap_err();
        assert_eq!(err, BallastError::ConfigChangeLoosens.into(), "creation cannot happen at once");
        assert_eq!(queue_elevation_group(&mut m, 1, group(9_000), 100, 60).unwrap(), 160);
        assert_eq!(queue_elevation_group(&mut m, 2, group(9_000), 100, 60).unwrap_err(), BallastError::ConfigChangeAlreadyPending.into());
        assert_eq!(apply_pending_elevation_group(&mut m, 159).unwrap_err(), BallastError::TimelockNotElapsed.into());
        assert!(m.elevation_group(1).is_none());
        assert_eq!(apply_pending_elevation_group(&mut m, 160).unwrap().0, 1);
        assert_eq!(m.elevation_group(1), Some(&group(9_000)));
        assert_eq!((m.pending_elevation_group_id, m.pending_elevation_group_apply_ts), (0, 0));
        m.invariant().unwrap();
    }

    #[test]
    fn tightening_one_elevation_group_keeps_another_groups_pending_change() {
        let mut m = Market::zeroed();
        m.version = crate::constants::ACCOUNT_VERSION;
        m.elevation_groups[0] = group(9_000);
        queue_elevation_group(&mut m, 2, group(8_000), 0, 60).unwrap();
        assert!(!tighten_elevation_group(&mut m, 1, group(8_500)).unwrap());
        assert_eq!((m.pending_elevation_group_id, m.pending_elevation_group_apply_ts), (2, 60));
        assert_eq!(m.pending_elevation_group, group(8_000));
        // Tightening the pending group itself drops its pending change.
        m.elevation_groups[1] = group(8_000);
        assert!(tighten_elevation_group(&mut m, 2, group(7_000)).unwrap());
        assert_eq!(m.pending_elevation_group_id, 0);
        m.invariant().unwrap();
        assert_eq!(cancel_pending_elevation_group(&mut m).unwrap_err(), BallastError::NoPendingConfig.into());
    }
}
