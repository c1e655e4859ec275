//! The volatility regime (issue 26): `refresh_reserve` feeds each reserve's estimate of annualized variance from
//! the verified spot it reads, at most once a minute; in a turbulent regime LTV at origination (borrow and
//! withdraw) is cut and the borrow rate carries an add-on, each scaled by the level and capped by config, while
//! liquidation thresholds, repay and liquidate are untouched. Loosening any of it waits the timelock.
use super::liquidation::{book_with, Book};
use ballast::{
    constants::{MAX_REGIME_VARIANCE_NANO, SECONDS_PER_YEAR},
    events::ReserveRefreshedEvent,
    math::{self, regime::FULL_LEVEL_BPS},
    state::{MarketConfig, ReserveConfig},
};
use ballast_tests::*;

/// SOL's regime here: a one-hour half-life, calm at 100% annualized volatility, fully turbulent at 200%; LTV
/// cut by up to a fifth, up to 10 points on the rate.
fn regime(c: &mut ReserveConfig) {
    (c.regime_half_life_mins, c.regime_calm_vol_bps, c.regime_turbulent_vol_bps) = (60, 10_000, 20_000);
    (c.regime_max_ltv_cut_bps, c.regime_max_rate_addon_bps) = (2_000, 1_000);
}

/// The estimate after one sample `dt` seconds after a reference at `from`, moving to `to`, from an estimate of 0.
fn expected_variance(from: f64, to: f64, dt: f64) -> f64 {
    let r = (to - from).abs() / from;
    let sample = (r * r * SECONDS_PER_YEAR as f64 / dt * 1e9).min(MAX_REGIME_VARIANCE_NANO as f64);
    let tau = (3_600u64 * 14_427 / 10_000) as f64;
    sample * dt / (tau + dt)
}

/// Puts SOL's regime in full turbulence: a sample at $150, one an hour later at $135 (−10% in an hour, about
/// 280% annualized), then the price published at `back_to` (no sample taken there).
async fn turbulence(t: &mut TestContext, sol: &ReserveInfo, back_to: f64) {
    t.set_price(sol, 150.0);
    t.refresh_reserve(sol).await;
    t.advance(3_600).await;
    t.set_price(sol, 135.0);
    t.refresh_reserve(sol).await;
    assert_eq!(t.reserve_state(sol).await.regime_level_bps(), FULL_LEVEL_BPS);
    t.set_price(sol, back_to);
}

/// Hourly samples at a flat price until the regime is calm again.
async fn calm_down(t: &mut TestContext, sol: &ReserveInfo) {
    for _ in 0..10 {
        t.advance(3_600).await;
        t.refresh_reserve(sol).await;
    }
    assert_eq!(t.reserve_state(sol).await.regime_level_bps(), 0);
}

#[tokio::test]
async fn refresh_reserve_succeeds_taking_a_bounded_regime_sample_at_most_once_a_minute() {
    let Book { mut t, sol, .. } = book_with(100.0, regime).await;
    t.refresh_reserve(&sol).await;
    let first = t.reserve_state(&sol).await;
    assert_eq!((first.regime_ref_ts, first.regime_variance_nano, first.regime_ref_price_sf.get()), (t.now, 0, math::from_u64(150)));
    // 30 s later, at another price: no sample (too soon), nothing of the regime moves.
    t.advance(30).await;
    t.set_price(&sol, 140.0);
    t.refresh_reserve(&sol).await;
    let skipped = t.reserve_state(&sol).await;
    assert_eq!((skipped.regime_ref_ts, skipped.regime_variance_nano, skipped.regime_ref_price_sf.get()), (first.regime_ref_ts, 0, math::from_u64(150)));
    // An hour after the reference, −10%: the estimate takes the sample at its weight for the hour it covers.
    t.advance(3_570).await;
    t.set_price(&sol, 135.0);
    t.refresh_reserve(&sol).await;
    let s = t.reserve_state(&sol).await;
    let want = expected_variance(150.0, 135.0, 3_600.0);
    assert!((s.regime_variance_nano as f64 - want).abs() / want < 1e-6, "{} vs {want}", s.regime_variance_nano);
    assert_eq!((s.regime_ref_ts, s.regime_level_bps()), (t.now, FULL_LEVEL_BPS));
    let e = t.emitted::<ReserveRefreshedEvent>();
    assert_eq!((e.regime_variance_nano, e.regime_level_bps), (s.regime_variance_nano, FULL_LEVEL_BPS));
    // A thousandfold jump a minute later moves the estimate by a bounded amount: never past the cap.
    t.advance(60).await;
    t.set_price(&sol, 135_000.0);
    t.refresh_reserve(&sol).await;
    assert!(t.reserve_state(&sol).await.regime_variance_nano <= MAX_REGIME_VARIANCE_NANO);
    t.assert_invariants().await;
}

/// 10 SOL at $150 with an 80% LTV back $1,200 of borrowing in calm, $960 in full turbulence. A borrow or
/// withdraw past the cut LTV is refused with nothing moved; once calm, the full LTV is back.
#[tokio::test]
async fn borrow_and_withdraw_fail_past_the_ltv_a_turbulent_regime_leaves() {
    let Book { mut t, usdc, sol, alice, .. } = book_with(100.0, regime).await;
    turbulence(&mut t, &sol, 150.0).await;
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(900.0)), BallastError::BorrowExceedsLtv);
    t.borrow(&alice, &usdc, usdc.amount(850.0)).await;
    // $950 owed against $960 of power: half a SOL out would leave $912.
    let half_sol = sol.amount(0.5);
    assert_error!(t, t.try_withdraw_collateral(&alice, &sol, half_sol), BallastError::WithdrawExceedsLtv);
    calm_down(&mut t, &sol).await;
    t.withdraw_collateral(&alice, &sol, half_sol).await;
    t.borrow(&alice, &usdc, usdc.amount(150.0)).await;
    t.assert_invariants().await;
}

/// The regime never reaches liquidation: in full turbulence the threshold tick is where it was in calm (see
/// `liquidate_fails_when_healthy_and_succeeds_one_price_tick_below_the_threshold`), and repay works.
#[tokio::test]
async fn liquidate_and_repay_succeed_in_a_turbulent_regime_at_unchanged_thresholds() {
    let Book { mut t, usdc, sol, alice, liquidator } = book_with(1_200.0, regime).await;
    turbulence(&mut t, &sol, 150.0).await;
    // An hour of interest has passed: the debt is a little above $1,200, so the tick is a little higher.
    let debt: f64 = t.obligation_state(&alice).await.borrows[0].debt_at(t.reserve_state(&usdc).await.projected_borrow_index(t.now).unwrap()).unwrap().to_num::<f64>() / 1e6;
    let tick = (debt / (10.0 * 0.85) * 1e8).ceil() as i64;
    t.set_price_mantissa(&sol, tick);
    assert_error!(t, t.try_liquidate(&liquidator, &alice, &usdc, &sol, u64::MAX, 0, false), BallastError::ObligationHealthy);
    t.set_price_mantissa(&sol, tick - 2);
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    t.repay(&alice, &alice, &usdc, usdc.amount(100.0)).await;
    t.assert_invariants().await;
}

/// Bob borrows SOL against USDC. In full turbulence SOL's rate carries the whole 10-point add-on, accrual
/// charges it, and lowering the add-on applies at once (it only charges less).
#[tokio::test]
async fn interest_accrues_with_the_regime_rate_addon_when_turbulent() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).liquidity(100.0).config(regime).build().await;
    let bob = t.user().funded(&usdc, 100_000.0).build().await;
    t.deposit_liquidity_and_collateral(&bob, &usdc, usdc.amount(100_000.0)).await;
    t.borrow(&bob, &sol, sol.amount(50.0)).await;
    let curve_apr = |s: &ballast::state::Reserve| math::borrow_apr(&s.config.curve, s.config.curve_len, s.utilization().unwrap()).unwrap();
    let calm = t.reserve_state(&sol).await;
    assert_eq!(calm.borrow_apr().unwrap(), curve_apr(&calm), "no add-on while calm");
    turbulence(&mut t, &sol, 135.0).await;
    let hot = t.reserve_state(&sol).await;
    assert_eq!(hot.borrow_apr().unwrap(), curve_apr(&hot) + math::from_bps(1_000).unwrap());
    let e = t.emitted::<ReserveRefreshedEvent>();
    assert_eq!(e.borrow_rate_bps as u64, math::to_floor_u64(math::mul(hot.borrow_apr().unwrap(), math::from_u64(10_000)).unwrap()).unwrap());
    // A day at that rate, with no sample in between: the index grows by e^(apr · day).
    let apr: f64 = hot.borrow_apr().unwrap().to_num();
    t.advance(86_400).await;
    t.refresh_reserve(&sol).await;
    let grown: f64 = (t.reserve_state(&sol).await.cumulative_borrow_index_sf.get() / hot.cumulative_borrow_index_sf.get()).to_num();
    let want = (86_400.0 * (apr / SECONDS_PER_YEAR as f64).ln_1p()).exp();
    assert!((grown - want).abs() < 1e-9, "{grown} vs {want}");
    // The admin lowers the add-on at once.
    let admin = t.admin.keypair.insecure_clone();
    let mut lower = t.reserve_config(&sol).await;
    lower.regime_max_rate_addon_bps = 0;
    t.try_update_reserve_config(&admin, &sol, lower).await.unwrap();
    let after = t.reserve_state(&sol).await;
    assert_eq!(after.borrow_apr().unwrap(), curve_apr(&after));
    t.assert_invariants().await;
}

/// With a timelock, a bigger rate add-on or a smaller LTV cut waits it out; a bigger LTV cut applies at once,
/// by the admin or by the risk council.
#[tokio::test]
async fn update_reserve_config_fails_loosening_the_regime_at_once_and_succeeds_after_the_timelock() {
    let mut t = TestContext::with_market_config(MarketConfig { config_timelock_secs: 3_600, ..default_market_config() }).await;
    let sol = t.reserve(Asset::Sol).config(regime).build().await;
    let admin = t.admin.keypair.insecure_clone();
    let council = t.risk_council.insecure_clone();
    let current = t.reserve_config(&sol).await;
    assert_eq!(current.regime_max_ltv_cut_bps, 2_000, "listed with its regime");
    let higher_addon = ReserveConfig { regime_max_rate_addon_bps: 2_000, ..current };
    let smaller_cut = ReserveConfig { regime_max_ltv_cut_bps: 1_000, ..current };
    assert_error!(t, t.try_update_reserve_config(&admin, &sol, higher_addon), BallastError::ConfigChangeLoosens);
    assert_error!(t, t.try_update_reserve_config(&admin, &sol, smaller_cut), BallastError::ConfigChangeLoosens);
    t.try_queue_reserve_config(&admin, &sol, higher_addon).await.unwrap();
    t.advance(3_600).await;
    t.try_apply_pending_reserve_config(&sol).await.unwrap();
    assert_eq!(t.reserve_config(&sol).await, higher_addon);
    let bigger_cut = ReserveConfig { regime_max_ltv_cut_bps: 3_000, ..higher_addon };
    t.try_update_reserve_config(&admin, &sol, bigger_cut).await.unwrap();
    let biggest_cut = ReserveConfig { regime_max_ltv_cut_bps: 4_000, ..bigger_cut };
    t.try_tighten_reserve_config(&council, &sol, biggest_cut).await.unwrap();
    assert_eq!(t.reserve_config(&sol).await, biggest_cut);
    t.assert_invariants().await;
}
