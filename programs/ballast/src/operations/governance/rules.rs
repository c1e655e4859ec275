//! What loosens risk. One rule per line, each with the reason it is unsafe: a change that loosens waits
//! `config_timelock_secs` in a pending slot; anything else may apply at once. Fields are compared one by one;
//! a change loosens if any field moves in its unsafe direction.
use crate::{
    constants::MAX_RATE_STEP_BPS,
    math::{borrow_apr, from_bps, Fraction},
    state::{
        ElevationGroup, MarketConfig, ReserveConfig, FLAG_BORROW_ENABLED, FLAG_COLLATERAL_ENABLED, FLAG_FLASH_ENABLED,
        FLAG_ISOLATED, FLAG_PAUSED, FLAG_REDUCE_ONLY, FLAG_SECONDARY_ONLY, FLAG_SINGLE_SOURCE_RISK, MARKET_FLAG_EMERGENCY,
    },
};

/// Reserve flags that grant a capability: setting one loosens. Single-source risk lets borrows rest on one
/// unchecked price.
const GRANTING_FLAGS: u16 = FLAG_BORROW_ENABLED | FLAG_COLLATERAL_ENABLED | FLAG_FLASH_ENABLED | FLAG_SINGLE_SOURCE_RISK;
/// Reserve flags that restrict: clearing one loosens.
const RESTRICTING_FLAGS: u16 = FLAG_PAUSED | FLAG_REDUCE_ONLY | FLAG_ISOLATED;
/// Reserve flags that choose the price liquidations use: changing one either way changes who can be
/// liquidated, and drops or restores the cross-checks on that price, so it always waits.
const PRICE_FLAGS: u16 = FLAG_SECONDARY_ONLY;

/// True when `new` moves any reserve setting in the less safe direction, the rate curve included.
pub fn reserve_change_loosens(old: &ReserveConfig, new: &ReserveConfig) -> bool {
    // A borrower never wakes up to a rate the timelock did not show them (but see `curve_rise_within_step`).
    reserve_change_loosens_apart_from_curve(old, new) || curve_rises(old, new)
}

/// Every loosening rule but the rate curve's, which has its own bounded at-once step.
pub fn reserve_change_loosens_apart_from_curve(old: &ReserveConfig, new: &ReserveConfig) -> bool {
    let (o, n) = (&old.oracle, &new.oracle);
    let (os, ns) = (&old.secondary, &new.secondary);
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
        // More borrow power per unit of collateral.
        || new.ltv_bps > old.ltv_bps
        // Either direction: a higher threshold liquidates later, a lower one makes borrowers liquidatable
        // without warning. Who can be liquidated never changes at once.
        || new.liquidation_threshold_bps != old.liquidation_threshold_bps
        // Either direction: a bigger bonus seizes more per repay (bad debt sooner, borrowers lose more), a
        // smaller one may leave liquidators no reason to act.
        || new.min_liquidation_bonus_bps != old.min_liquidation_bonus_bps
        || new.max_liquidation_bonus_bps != old.max_liquidation_bonus_bps
        // Either direction weakens a defence: a higher fee thins the liquidator's reward, a lower one
        // the insurance inflow. No safe direction, so it always waits.
        || new.protocol_liquidation_fee_bps != old.protocol_liquidation_fee_bps
        // Either direction: a smaller insurance share leaves less to absorb bad debt, a bigger one takes
        // interest from depositors they were not shown.
        || new.insurance_factor_bps != old.insurance_factor_bps
        // A bigger protocol share takes interest from depositors they were not shown.
        || new.reserve_factor_bps > old.reserve_factor_bps
        // Higher fees charge borrowers what the timelock did not show them.
        || new.origination_fee_bps > old.origination_fee_bps
        || new.flash_fee_bps > old.flash_fee_bps
        // Either direction: a lower borrow factor understates debt, a higher one makes borrowers
        // liquidatable without warning.
        || new.borrow_factor_bps != old.borrow_factor_bps
        // Borrowing closer to 100% utilization leaves less for withdrawals and liquidations.
        || new.utilization_ceiling_bps > old.utilization_ceiling_bps
        // Enabling borrow / collateral / flash, or clearing paused / reduce-only / isolated; unknown bits always wait.
        || gained_flags & GRANTING_FLAGS != 0
        || lost_flags & RESTRICTING_FLAGS != 0
        // Either direction: relying on the secondary alone (or on the primary again) reprices every position
        // at once; who can be liquidated never changes at once.
        || (gained_flags | lost_flags) & PRICE_FLAGS != 0
        || (gained_flags | lost_flags) & !(GRANTING_FLAGS | RESTRICTING_FLAGS | PRICE_FLAGS) != 0
        // Either direction: joining a group lets the reserve back borrows at the group's higher LTV; leaving
        // one drops its members' thresholds to the reserve's own, liquidating them without warning.
        || new.elevation_groups != old.elevation_groups
        // A different price source is a new trust assumption, whatever its tolerances.
        || n.price_account != o.price_account
        || n.feed_id != o.feed_id
        // Wider oracle tolerances accept older, less certain or more divergent prices.
        || n.max_age_secs > o.max_age_secs
        || n.max_conf_bps > o.max_conf_bps
        || n.max_ema_divergence_bps > o.max_ema_divergence_bps
        // Either direction: a wider liquidation band lets a more extreme spot price seize collateral, a
        // narrower one refuses liquidations in ordinary volatility.
        || n.liquidation_band_bps != o.liquidation_band_bps
        // A smaller confidence multiplier or volatility haircut values collateral higher and debt lower.
        || n.conf_multiplier_bps < o.conf_multiplier_bps
        || n.volatility_haircut_bps < o.volatility_haircut_bps
        // Adding, removing or replacing the secondary source: a new trust assumption, or a cross-check and a
        // failover lost.
        || ns.kind != os.kind
        || ns.price_account != os.price_account
        // Wider secondary tolerances: older, less certain, thinner or more divergent prices.
        || ns.max_age_secs > os.max_age_secs
        || ns.max_age_slots > os.max_age_slots
        || ns.max_conf_bps > os.max_conf_bps
        || ns.max_divergence_bps > os.max_divergence_bps
        || ns.min_samples < os.min_samples
        // Either direction: a longer auction pays liquidators of insolvent obligations less for longer (they may
        // wait while prices fall), a shorter one pays depositors' money away sooner.
        || new.insolvent_auction_secs != old.insolvent_auction_secs
        // Either direction: a higher target liquidates more per call (borrowers lose more bonus), a lower one
        // leaves less cushion before the next gap. Who is liquidated for how much never changes at once.
        || new.liquidation_target_health_bps != old.liquidation_target_health_bps
        // Volatility regime: a smaller LTV cut lends more in turbulence; a bigger rate add-on charges borrowers
        // what the timelock did not show them (a smaller one applies at once).
        || new.regime_max_ltv_cut_bps < old.regime_max_ltv_cut_bps
        || new.regime_max_rate_addon_bps > old.regime_max_rate_addon_bps
        // Either direction: higher volatility bounds cut LTV later; lower ones raise the add-on sooner (a rate
        // borrowers were not shown); a different half-life remembers turbulence longer or forgets it sooner;
        // turning the regime on or off is a half-life change.
        || new.regime_calm_vol_bps != old.regime_calm_vol_bps
        || new.regime_turbulent_vol_bps != old.regime_turbulent_vol_bps
        || new.regime_half_life_mins != old.regime_half_life_mins
        // Reserved bytes have no meaning yet: a future field must never slip in at once.
        || new.padding0 != old.padding0
        || new.padding != old.padding
        || ns.padding != os.padding
    // Lowering a rate or a fee applies at once: it only ever charges less.
}

/// The utilizations (bps) at which either curve has a point: two piecewise-linear curves differ most at one.
fn breakpoints<'a>(old: &'a ReserveConfig, new: &'a ReserveConfig) -> impl Iterator<Item = u32> + 'a {
    let points = |c: &'a ReserveConfig| c.curve[..(c.curve_len as usize).min(c.curve.len())].iter();
    points(old).chain(points(new)).map(|p| p.utilization_bps.min(10_000))
}

/// The APR of `config`'s curve at `utilization_bps` (never fails on a validated curve; None otherwise).
fn apr_at(config: &ReserveConfig, utilization_bps: u32) -> Option<Fraction> {
    borrow_apr(&config.curve, config.curve_len, from_bps(utilization_bps as u64).ok()?).ok()
}

/// True when `new`'s curve charges more than `old`'s at some utilization.
pub fn curve_rises(old: &ReserveConfig, new: &ReserveConfig) -> bool {
    breakpoints(old, new).any(|u| match (apr_at(old, u), apr_at(new, u)) {
        (Some(o), Some(n)) => n > o,
        _ => true,
    })
}

/// True when `new`'s curve charges at most MAX_RATE_STEP_BPS more than `old`'s at every utilization: the
/// bounded rise an admin may apply at once, once per RATE_STEP_COOLDOWN_SECS, to answer a liquidity crunch.
pub fn curve_rise_within_step(old: &ReserveConfig, new: &ReserveConfig) -> bool {
    // The step, plus a rounding allowance far below a millionth of a bps (both sides are truncated fractions).
    let Ok(step) = from_bps(MAX_RATE_STEP_BPS as u64) else { return false };
    let step = step.saturating_add(Fraction::from_bits(1 << 20));
    breakpoints(old, new).all(|u| match (apr_at(old, u), apr_at(new, u)) {
        (Some(o), Some(n)) => n <= o.saturating_add(step),
        _ => false,
    })
}

/// True when `new` reprices the service: the rate curve, how interest is shared (reserve and insurance factors),
/// the origination or flash fee. The admin's, never the council's: repricing makes nothing safer.
pub fn reserve_change_reprices(old: &ReserveConfig, new: &ReserveConfig) -> bool {
    new.curve != old.curve
        || new.curve_len != old.curve_len
        || new.reserve_factor_bps != old.reserve_factor_bps
        || new.insurance_factor_bps != old.insurance_factor_bps
        || new.origination_fee_bps != old.origination_fee_bps
        || new.flash_fee_bps != old.flash_fee_bps
        || new.regime_max_rate_addon_bps != old.regime_max_rate_addon_bps
}

/// True when `new` moves any market setting in the less safe direction.
pub fn market_change_loosens(old: &MarketConfig, new: &MarketConfig) -> bool {
    // Either direction weakens a defence: a lower dust threshold leaves small debts no liquidator will
    // close, a higher one lets every small position be liquidated in full at once.
    new.dust_threshold_quote != old.dust_threshold_quote
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

/// True when configuring a group as `new` loosens risk; `old` is None while the group does not exist.
pub fn elevation_group_change_loosens(old: Option<&ElevationGroup>, new: &ElevationGroup) -> bool {
    // Creating a group raises the LTV of every reserve already carrying its membership bit.
    let Some(old) = old else { return true };
    // A higher LTV for members; a threshold or bonus moved either way (as for reserves); a new debt reserve
    // is a new market to borrow from.
    new.ltv_bps > old.ltv_bps
        || new.liquidation_threshold_bps != old.liquidation_threshold_bps
        || new.max_liquidation_bonus_bps != old.max_liquidation_bonus_bps
        || new.debt_reserve != old.debt_reserve
}

/// An outflow window loosens when it turns the limiter off (0) or gets shorter.
fn window_shortens(old_secs: u32, new_secs: u32) -> bool {
    old_secs != 0 && (new_secs == 0 || new_secs < old_secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{math::CurvePoint, operations::governance::fixtures::{base, market}};
    use anchor_lang::prelude::Pubkey;

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
        ("threshold down", |c| c.liquidation_threshold_bps -= 1, true),
        ("min bonus up", |c| c.min_liquidation_bonus_bps += 1, true),
        ("min bonus down", |c| c.min_liquidation_bonus_bps -= 1, true),
        ("max bonus up", |c| c.max_liquidation_bonus_bps += 1, true),
        ("max bonus down", |c| c.max_liquidation_bonus_bps -= 1, true),
        ("protocol liquidation fee up", |c| c.protocol_liquidation_fee_bps += 1, true),
        ("protocol liquidation fee down", |c| c.protocol_liquidation_fee_bps -= 1, true),
        ("insurance factor down", |c| c.insurance_factor_bps -= 1, true),
        ("insurance factor up", |c| c.insurance_factor_bps += 1, true),
        ("reserve factor up", |c| c.reserve_factor_bps += 1, true),
        ("reserve factor down", |c| c.reserve_factor_bps -= 1, false),
        ("borrow factor down", |c| c.borrow_factor_bps -= 1, true),
        ("borrow factor up", |c| c.borrow_factor_bps += 1, true),
        ("origination fee up", |c| c.origination_fee_bps += 1, true),
        ("origination fee down", |c| c.origination_fee_bps -= 1, false),
        ("flash fee up", |c| c.flash_fee_bps += 1, true),
        ("flash fee down", |c| c.flash_fee_bps -= 1, false),
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
        ("leave elevation group", |c| c.elevation_groups = 0, true),
        ("curve steeper", |c| c.curve[1].borrow_rate_bps = 5_000, true),
        ("curve one bps higher", |c| c.curve[1].borrow_rate_bps += 1, true),
        ("curve flatter", |c| c.curve[1].borrow_rate_bps = 100, false),
        ("curve with a new kink below the old line", |c| {
            c.curve[2] = c.curve[1];
            c.curve[1] = CurvePoint { utilization_bps: 8_000, borrow_rate_bps: 400 };
            c.curve_len = 3;
        }, false),
        ("curve with a new kink above the old line", |c| {
            c.curve[2] = c.curve[1];
            c.curve[1] = CurvePoint { utilization_bps: 2_000, borrow_rate_bps: 900 };
            c.curve_len = 3;
        }, true),
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
        ("liquidation band wider", |c| c.oracle.liquidation_band_bps += 1, true),
        ("liquidation band narrower", |c| c.oracle.liquidation_band_bps -= 1, true),
        ("padding", |c| c.padding[0] = 1, true),
        ("alignment padding", |c| c.padding0 = 1, true),
        ("insolvent auction longer", |c| c.insolvent_auction_secs += 60, true),
        ("insolvent auction shorter", |c| c.insolvent_auction_secs = c.insolvent_auction_secs.saturating_sub(60), true),
        ("target health higher", |c| c.liquidation_target_health_bps += 100, true),
        ("target health lower", |c| c.liquidation_target_health_bps -= 100, true),
        ("regime LTV cut smaller", |c| c.regime_max_ltv_cut_bps -= 1, true),
        ("regime LTV cut bigger", |c| c.regime_max_ltv_cut_bps += 1, false),
        ("regime rate add-on bigger", |c| c.regime_max_rate_addon_bps += 1, true),
        ("regime rate add-on smaller", |c| c.regime_max_rate_addon_bps -= 1, false),
        ("regime calm volatility higher", |c| c.regime_calm_vol_bps += 1, true),
        ("regime calm volatility lower", |c| c.regime_calm_vol_bps -= 1, true),
        ("regime turbulent volatility higher", |c| c.regime_turbulent_vol_bps += 1, true),
        ("regime turbulent volatility lower", |c| c.regime_turbulent_vol_bps -= 1, true),
        ("regime half-life longer", |c| c.regime_half_life_mins += 1, true),
        ("regime half-life shorter", |c| c.regime_half_life_mins -= 1, true),
        ("regime off", |c| {
            (c.regime_calm_vol_bps, c.regime_turbulent_vol_bps, c.regime_max_ltv_cut_bps, c.regime_max_rate_addon_bps, c.regime_half_life_mins) = (0, 0, 0, 0, 0);
        }, true),
        ("secondary account", |c| c.secondary.price_account = Pubkey::new_from_array([5; 32]), true),
        ("secondary removed", |c| c.secondary = bytemuck::Zeroable::zeroed(), true),
        ("secondary max age up", |c| c.secondary.max_age_secs += 1, true),
        ("secondary max age down", |c| c.secondary.max_age_secs -= 1, false),
        ("secondary max slots up", |c| c.secondary.max_age_slots += 1, true),
        ("secondary max slots down", |c| c.secondary.max_age_slots -= 1, false),
        ("secondary max conf up", |c| c.secondary.max_conf_bps += 1, true),
        ("secondary max conf down", |c| c.secondary.max_conf_bps -= 1, false),
        ("sources may diverge more", |c| c.secondary.max_divergence_bps += 1, true),
        ("sources may diverge less", |c| c.secondary.max_divergence_bps -= 1, false),
        ("fewer samples", |c| c.secondary.min_samples -= 1, true),
        ("more samples", |c| c.secondary.min_samples += 1, false),
        ("secondary padding", |c| c.secondary.padding[0] = 1, true),
        ("secondary only", |c| c.flags |= FLAG_SECONDARY_ONLY, true),
        ("single-source risk", |c| c.flags |= FLAG_SINGLE_SOURCE_RISK, true),
    ];

    /// Issue 24 (medium): the switch to the secondary alone applied at once and could make a healthy obligation
    /// liquidatable. Either direction now waits.
    #[test]
    fn switching_the_liquidation_price_source_waits_either_way() {
        let mut secondary_only = base();
        secondary_only.flags |= FLAG_SECONDARY_ONLY;
        secondary_only.validate().unwrap();
        assert!(reserve_change_loosens(&secondary_only, &base()));
        assert!(reserve_change_loosens(&base(), &secondary_only));
    }

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

    type MarketEdit = fn(&mut MarketConfig);

    const MARKET_CASES: &[(&str, MarketEdit, bool)] = &[
        ("dust down", |c| c.dust_threshold_quote -= 1, true),
        ("dust up", |c| c.dust_threshold_quote += 1, true),
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

    #[test]
    fn a_curve_rise_is_within_the_step_only_when_every_point_is() {
        let old = base();
        let mut new = base();
        new.curve[1].borrow_rate_bps += MAX_RATE_STEP_BPS;
        assert!(curve_rises(&old, &new) && curve_rise_within_step(&old, &new));
        new.curve[1].borrow_rate_bps += 1;
        assert!(!curve_rise_within_step(&old, &new));
        // A new point above the old line by more than the step, even with the ends unchanged.
        let mut kink = base();
        kink.curve[2] = kink.curve[1];
        kink.curve[1] = CurvePoint { utilization_bps: 5_000, borrow_rate_bps: 500 + MAX_RATE_STEP_BPS + 1 };
        kink.curve_len = 3;
        assert!(curve_rises(&old, &kink) && !curve_rise_within_step(&old, &kink));
        assert!(!curve_rises(&old, &old) && curve_rise_within_step(&old, &old));
    }

    #[test]
    fn creating_an_elevation_group_loosens_and_tightening_one_does_not() {
        let group = ElevationGroup { debt_reserve: Pubkey::new_from_array([3; 32]), ltv_bps: 9_000, liquidation_threshold_bps: 9_300, max_liquidation_bonus_bps: 300, padding: 0 };
        assert!(elevation_group_change_loosens(None, &group), "creation waits");
        assert!(!elevation_group_change_loosens(Some(&group), &group));
        let cases: &[(fn(&mut ElevationGroup), bool)] = &[
            (|g| g.ltv_bps += 1, true),
            (|g| g.ltv_bps -= 1, false),
            (|g| g.liquidation_threshold_bps += 1, true),
            (|g| g.liquidation_threshold_bps -= 1, true),
            (|g| g.max_liquidation_bonus_bps += 1, true),
            (|g| g.max_liquidation_bonus_bps -= 1, true),
            (|g| g.debt_reserve = Pubkey::new_from_array([4; 32]), true),
        ];
        for (edit, loosens) in cases {
            let mut new = group;
            edit(&mut new);
            assert_eq!(elevation_group_change_loosens(Some(&group), &new), *loosens, "{new:?}");
        }
    }
}
