//! Governance rules on plain configs: what loosens risk, and the queue / apply / cancel life of a change.
//!
//! One rule decides every path: a change that does not loosen may apply at once (admin or risk
//! council); a change that loosens waits `config_timelock_secs` in the pending slot. Fields are
//! compared one by one; a change loosens if any field moves in its unsafe direction.
use crate::{
    error::BallastError,
    state::{
        Market, MarketConfig, Reserve, ReserveConfig, FLAG_BORROW_ENABLED, FLAG_COLLATERAL_ENABLED,
        FLAG_FLASH_ENABLED, FLAG_ISOLATED, FLAG_PAUSED, FLAG_REDUCE_ONLY, MARKET_FLAG_EMERGENCY,
    },
};
use anchor_lang::prelude::*;
use bytemuck::Zeroable;

/// Reserve flags that grant a capability: setting one loosens.
const GRANTING_FLAGS: u16 = FLAG_BORROW_ENABLED | FLAG_COLLATERAL_ENABLED | FLAG_FLASH_ENABLED;
/// Reserve flags that restrict: clearing one loosens.
const RESTRICTING_FLAGS: u16 = FLAG_PAUSED | FLAG_REDUCE_ONLY | FLAG_ISOLATED;

/// True when `new` moves any reserve setting in the less safe direction.
pub fn reserve_change_loosens(old: &ReserveConfig, new: &ReserveConfig) -> bool {
    let (o, n) = (&old.oracle, &new.oracle);
    let gained_flags = new.flags & !old.flags;
    let lost_flags = old.flags & !new.flags;
    // Higher caps let more value in or out.
    new.deposit_limit > old.deposit_limit
        || new.borrow_limit > old.borrow_limit
        // A higher isolated debt ceiling lets more debt rest on an isolated asset alone.
        || new.isolated_debt_ceiling_micro_quote > old.isolated_debt_ceiling_micro_quote
        // More outflow per window, or a shorter window (0 = limiter off), lets a run drain faster.
        || new.outflow_limit > old.outflow_limit
        || window_shortens(old.outflow_window_secs, new.outflow_window_secs)
        // More borrow power per unit of collateral, or a later liquidation.
        || new.ltv_bps > old.ltv_bps
        || new.liquidation_threshold_bps > old.liquidation_threshold_bps
        // A bigger bonus seizes more collateral per repay, so a liquidation can create bad debt sooner.
        || new.min_liquidation_bonus_bps > old.min_liquidation_bonus_bps
        || new.max_liquidation_bonus_bps > old.max_liquidation_bonus_bps
        // Either direction weakens a defence: a higher fee thins the liquidator's reward, a lower one
        // the insurance inflow. No safe direction, so it always waits.
        || new.protocol_liquidation_fee_bps != old.protocol_liquidation_fee_bps
        // A smaller insurance share leaves less to absorb bad debt.
        || new.insurance_factor_bps < old.insurance_factor_bps
        // A lower borrow factor understates debt.
        || new.borrow_factor_bps < old.borrow_factor_bps
        // Borrowing closer to 100% utilization leaves less for withdrawals and liquidations.
        || new.utilization_ceiling_bps > old.utilization_ceiling_bps
        // Enabling borrow / collateral / flash, or clearing paused / reduce-only / isolated; unknown bits always wait.
        || gained_flags & GRANTING_FLAGS != 0
        || lost_flags & RESTRICTING_FLAGS != 0
        || (gained_flags | lost_flags) & !(GRANTING_FLAGS | RESTRICTING_FLAGS) != 0
        // Joining an elevation group lets the reserve back borrows at the group's higher LTV.
        || new.elevation_groups & !old.elevation_groups != 0
        // A different price source is a new trust assumption, whatever its tolerances.
        || n.price_account != o.price_account
        || n.feed_id != o.feed_id
        // Wider oracle tolerances accept older, less certain or more divergent prices.
        || n.max_age_secs > o.max_age_secs
        || n.max_conf_bps > o.max_conf_bps
        || n.max_ema_divergence_bps > o.max_ema_divergence_bps
        // A smaller confidence multiplier or volatility haircut values collateral higher and debt lower.
        || n.conf_multiplier_bps < o.conf_multiplier_bps
        || n.volatility_haircut_bps < o.volatility_haircut_bps
        // Reserved bytes have no meaning yet: a future field must never slip in at once.
        || new.padding != old.padding
        || n.padding != o.padding
    // Neutral, in either direction: the rate curve, reserve_factor_bps, origination_fee_bps and
    // flash_fee_bps price the service but do not change what the pool can lose (reserve_change_reprices).
}

/// True when `new` reprices the service: the rate curve, reserve factor, origination or flash fee.
/// Neutral for solvency, so the admin may do it at once, but it makes nothing safer: never the council's.
pub fn reserve_change_reprices(old: &ReserveConfig, new: &ReserveConfig) -> bool {
    new.curve != old.curve
        || new.curve_len != old.curve_len
        || new.reserve_factor_bps != old.reserve_factor_bps
        || new.origination_fee_bps != old.origination_fee_bps
        || new.flash_fee_bps != old.flash_fee_bps
}

/// True when `new` moves any market setting in the less safe direction.
pub fn market_change_loosens(old: &MarketConfig, new: &MarketConfig) -> bool {
    // A lower dust threshold leaves smaller debts that no liquidator will bother to close.
    new.dust_threshold_quote < old.dust_threshold_quote
        // A shorter timelock gives less time to react to the next queued change.
        || new.config_timelock_secs < old.config_timelock_secs
        // More market-wide outflow per window, or a shorter window (0 = limiter off).
        || new.outflow_limit_quote > old.outflow_limit_quote
        || window_shortens(old.outflow_window_secs, new.outflow_window_secs)
        // A lower close factor slows the unwinding of unhealthy debt.
        || new.close_factor_bps < old.close_factor_bps
        // Leaving emergency mode; unknown bits always wait.
        || (old.has_flag(MARKET_FLAG_EMERGENCY) && !new.has_flag(MARKET_FLAG_EMERGENCY))
        || (old.flags ^ new.flags) & !MARKET_FLAG_EMERGENCY != 0
}

/// An outflow window loosens when it turns the limiter off (0) or gets shorter.
fn window_shortens(old_secs: u32, new_secs: u32) -> bool {
    old_secs != 0 && (new_secs == 0 || new_secs < old_secs)
}

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
        *self.current = config;
        let dropped = self.has_pending();
        self.clear_pending();
        Ok(dropped)
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
    pub fn apply_due(&mut self, now_ts: i64) -> Result<()> {
        require!(self.has_pending(), BallastError::NoPendingConfig);
        require!(now_ts >= *self.apply_ts, BallastError::TimelockNotElapsed);
        self.pending.validate_all()?;
        *self.current = *self.pending;
        self.clear_pending();
        Ok(())
    }

    /// Drops the pending config.
    pub fn cancel(&mut self) -> Result<()> {
        require!(self.has_pending(), BallastError::NoPendingConfig);
        self.clear_pending();
        Ok(())
    }

    fn clear_pending(&mut self) {
        *self.pending = C::zeroed();
        *self.apply_ts = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{math::CurvePoint, state::OracleConfig};

    /// A valid config with room to move every field both ways.
    fn base() -> ReserveConfig {
        let mut c = ReserveConfig::zeroed();
        c.deposit_limit = 1_000;
        c.borrow_limit = 1_000;
        c.outflow_limit = 1_000;
        c.isolated_debt_ceiling_micro_quote = 1_000;
        c.outflow_window_secs = 3_600;
        c.curve[0] = CurvePoint { utilization_bps: 0, borrow_rate_bps: 0 };
        c.curve[1] = CurvePoint { utilization_bps: 10_000, borrow_rate_bps: 1_000 };
        c.curve_len = 2;
        c.oracle = OracleConfig {
            price_account: Pubkey::new_from_array([9; 32]),
            feed_id: [7; 32],
            max_age_secs: 60,
            volatility_haircut_bps: 10_000,
            max_conf_bps: 200,
            max_ema_divergence_bps: 500,
            conf_multiplier_bps: 10_000,
            padding: [0; 2],
        };
        c.ltv_bps = 7_000;
        c.liquidation_threshold_bps = 8_000;
        c.min_liquidation_bonus_bps = 200;
        c.max_liquidation_bonus_bps = 800;
        c.protocol_liquidation_fee_bps = 2_000;
        c.reserve_factor_bps = 1_000;
        c.insurance_factor_bps = 500;
        c.borrow_factor_bps = 11_000;
        c.origination_fee_bps = 10;
        c.flash_fee_bps = 10;
        c.utilization_ceiling_bps = 9_000;
        c.flags = FLAG_BORROW_ENABLED | FLAG_PAUSED;
        c.elevation_groups = 0b01;
        c
    }

    type Edit = fn(&mut ReserveConfig);

    /// (field direction, edit, loosens?)
    const RESERVE_CASES: &[(&str, Edit, bool)] = &[
        ("deposit_limit up", |c| c.deposit_limit += 1, true),
        ("deposit_limit down", |c| c.deposit_limit -= 1, false),
        ("borrow_limit up", |c| c.borrow_limit += 1, true),
        ("borrow_limit down", |c| c.borrow_limit -= 1, false),
        ("outflow_limit up", |c| c.outflow_limit += 1, true),
        ("outflow_limit down", |c| c.outflow_limit -= 1, false),
        ("isolated debt ceiling up", |c| c.isolated_debt_ceiling_micro_quote += 1, true),
        ("isolated debt ceiling down", |c| c.isolated_debt_ceiling_micro_quote -= 1, false),
        ("isolated debt ceiling to zero", |c| c.isolated_debt_ceiling_micro_quote = 0, false),
        ("outflow window shorter", |c| c.outflow_window_secs -= 1, true),
        ("outflow window off", |c| c.outflow_window_secs = 0, true),
        ("outflow window longer", |c| c.outflow_window_secs += 1, false),
        ("ltv up", |c| c.ltv_bps += 1, true),
        ("ltv down", |c| c.ltv_bps -= 1, false),
        ("threshold up", |c| c.liquidation_threshold_bps += 1, true),
        ("threshold down", |c| c.liquidation_threshold_bps -= 1, false),
        ("min bonus up", |c| c.min_liquidation_bonus_bps += 1, true),
        ("min bonus down", |c| c.min_liquidation_bonus_bps -= 1, false),
        ("max bonus up", |c| c.max_liquidation_bonus_bps += 1, true),
        ("max bonus down", |c| c.max_liquidation_bonus_bps -= 1, false),
        ("protocol liquidation fee up", |c| c.protocol_liquidation_fee_bps += 1, true),
        ("protocol liquidation fee down", |c| c.protocol_liquidation_fee_bps -= 1, true),
        ("insurance factor down", |c| c.insurance_factor_bps -= 1, true),
        ("insurance factor up", |c| c.insurance_factor_bps += 1, false),
        ("reserve factor up", |c| c.reserve_factor_bps += 1, false),
        ("reserve factor down", |c| c.reserve_factor_bps -= 1, false),
        ("borrow factor down", |c| c.borrow_factor_bps -= 1, true),
        ("borrow factor up", |c| c.borrow_factor_bps += 1, false),
        ("origination fee either way", |c| c.origination_fee_bps = 0, false),
        ("flash fee either way", |c| c.flash_fee_bps = 0, false),
        ("utilization ceiling up", |c| c.utilization_ceiling_bps += 1, true),
        ("utilization ceiling down", |c| c.utilization_ceiling_bps -= 1, false),
        ("enable collateral", |c| c.flags |= FLAG_COLLATERAL_ENABLED, true),
        ("enable flash", |c| c.flags |= FLAG_FLASH_ENABLED, true),
        ("disable borrow", |c| c.flags &= !FLAG_BORROW_ENABLED, false),
        ("clear paused", |c| c.flags &= !FLAG_PAUSED, true),
        ("set reduce-only", |c| c.flags |= FLAG_REDUCE_ONLY, false),
        ("set isolated", |c| c.flags |= FLAG_ISOLATED, false),
        ("unknown flag", |c| c.flags |= 1 << 15, true),
        ("join elevation group", |c| c.elevation_groups |= 0b10, true),
        ("leave elevation group", |c| c.elevation_groups = 0, false),
        ("curve steeper", |c| c.curve[1].borrow_rate_bps = 5_000, false),
        ("curve flatter", |c| c.curve[1].borrow_rate_bps = 100, false),
        ("oracle account", |c| c.oracle.price_account = Pubkey::new_from_array([8; 32]), true),
        ("oracle feed id", |c| c.oracle.feed_id = [6; 32], true),
        ("oracle max age up", |c| c.oracle.max_age_secs += 1, true),
        ("oracle max age down", |c| c.oracle.max_age_secs -= 1, false),
        ("oracle max conf up", |c| c.oracle.max_conf_bps += 1, true),
        ("oracle max conf down", |c| c.oracle.max_conf_bps -= 1, false),
        ("oracle divergence up", |c| c.oracle.max_ema_divergence_bps += 1, true),
        ("oracle divergence down", |c| c.oracle.max_ema_divergence_bps -= 1, false),
        ("conf multiplier down", |c| c.oracle.conf_multiplier_bps -= 1, true),
        ("conf multiplier up", |c| c.oracle.conf_multiplier_bps += 1, false),
        ("volatility haircut down", |c| c.oracle.volatility_haircut_bps -= 1, true),
        ("volatility haircut up", |c| c.oracle.volatility_haircut_bps += 1, false),
        ("padding", |c| c.padding[0] = 1, true),
        ("oracle padding", |c| c.oracle.padding[0] = 1, true),
    ];

    #[test]
    fn reserve_change_loosens_field_by_field() {
        base().validate().unwrap();
        assert!(!reserve_change_loosens(&base(), &base()), "no change never loosens");
        for (name, edit, loosens) in RESERVE_CASES {
            let mut new = base();
            edit(&mut new);
            assert_ne!(new, base(), "{name}: the edit changes something");
            assert_eq!(reserve_change_loosens(&base(), &new), *loosens, "{name}");
        }
    }

    #[test]
    fn outflow_window_turned_on_tightens() {
        let mut old = base();
        old.outflow_window_secs = 0;
        assert!(!reserve_change_loosens(&old, &base()));
    }

    #[test]
    fn one_loosening_field_outweighs_any_tightening() {
        let mut new = base();
        new.ltv_bps -= 1_000;
        new.deposit_limit = 0;
        new.flags |= FLAG_REDUCE_ONLY;
        new.borrow_limit += 1;
        assert!(reserve_change_loosens(&base(), &new));
    }

    fn market() -> MarketConfig {
        MarketConfig {
            dust_threshold_quote: 10,
            config_timelock_secs: 86_400,
            outflow_limit_quote: 1_000_000,
            outflow_window_secs: 3_600,
            close_factor_bps: 2_000,
            flags: MARKET_FLAG_EMERGENCY,
        }
    }

    type MarketEdit = fn(&mut MarketConfig);

    const MARKET_CASES: &[(&str, MarketEdit, bool)] = &[
        ("dust down", |c| c.dust_threshold_quote -= 1, true),
        ("dust up", |c| c.dust_threshold_quote += 1, false),
        ("timelock shorter", |c| c.config_timelock_secs -= 1, true),
        ("timelock longer", |c| c.config_timelock_secs += 1, false),
        ("outflow limit up", |c| c.outflow_limit_quote += 1, true),
        ("outflow limit down", |c| c.outflow_limit_quote -= 1, false),
        ("outflow window shorter", |c| c.outflow_window_secs -= 1, true),
        ("outflow window off", |c| c.outflow_window_secs = 0, true),
        ("outflow window longer", |c| c.outflow_window_secs += 1, false),
        ("close factor down", |c| c.close_factor_bps -= 1, true),
        ("close factor up", |c| c.close_factor_bps += 1, false),
        ("leave emergency", |c| c.flags = 0, true),
        ("unknown flag", |c| c.flags |= 1 << 9, true),
    ];

    #[test]
    fn market_change_loosens_field_by_field() {
        market().validate().unwrap();
        assert!(!market_change_loosens(&market(), &market()));
        for (name, edit, loosens) in MARKET_CASES {
            let mut new = market();
            edit(&mut new);
            assert_eq!(market_change_loosens(&market(), &new), *loosens, "{name}");
        }
        let calm = MarketConfig { flags: 0, ..market() };
        assert!(!market_change_loosens(&calm, &market()), "entering emergency tightens");
    }

    fn reserve() -> Reserve {
        let mut r = Reserve::zeroed();
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
        m.config = market();
        assert_eq!(market_slots(&mut m).cancel().unwrap_err(), BallastError::NoPendingConfig.into());
        let calm = MarketConfig { flags: 0, ..market() };
        market_slots(&mut m).queue(calm, 10, 86_400).unwrap();
        market_slots(&mut m).cancel().unwrap();
        assert_eq!(m.pending_config_apply_ts, 0);
        assert_eq!(market_slots(&mut m).apply_due(i64::MAX).unwrap_err(), BallastError::NoPendingConfig.into());
        assert_eq!(m.config, market());
    }
}
