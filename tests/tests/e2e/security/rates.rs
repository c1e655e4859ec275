//! Defect 2: every rate and fee has a program-wide bound, accrual can never brick a reserve, and a borrower
//! never wakes up to a rate the timelock did not show them (but for one bounded step a day).
use ballast::{
    constants::{MAX_BORROW_INDEX, MAX_BORROW_RATE_BPS, MAX_RATE_STEP_BPS, MAX_RESERVE_DEBT, RATE_STEP_COOLDOWN_SECS},
    math::{CurvePoint, Fraction},
    state::{MarketConfig, ReserveConfig, FLAG_PAUSED},
};
use ballast_tests::*;

const TEN_YEARS_SECS: i64 = 10 * 31_536_000;
const TIMELOCK_SECS: i64 = 3_600;

fn flat_curve(c: &mut ReserveConfig, rate_bps: u32) {
    c.curve = [CurvePoint::default(); 11];
    c.curve[0] = CurvePoint { utilization_bps: 0, borrow_rate_bps: rate_bps };
    c.curve[1] = CurvePoint { utilization_bps: 10_000, borrow_rate_bps: rate_bps };
    c.curve_len = 2;
}

#[tokio::test]
async fn update_reserve_config_fails_with_a_rate_above_the_bound() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).build().await;
    let admin = t.admin.keypair.insecure_clone();
    let mut config = t.reserve_config(&usdc).await;
    config.curve[2].borrow_rate_bps = u32::MAX;
    assert_error!(t, t.try_update_reserve_config(&admin, &usdc, config), BallastError::CurveRateTooHigh);
    assert_error!(t, t.try_queue_reserve_config(&admin, &usdc, config), BallastError::CurveRateTooHigh);
    config.curve[2].borrow_rate_bps = MAX_BORROW_RATE_BPS + 1;
    assert_error!(t, t.try_queue_reserve_config(&admin, &usdc, config), BallastError::CurveRateTooHigh);
    let result = t.reserve(Asset::Btc).config(|c| flat_curve(c, MAX_BORROW_RATE_BPS + 1)).try_build().await;
    assert_program_error(result.map(|_| ()), BallastError::CurveRateTooHigh);
    t.assert_invariants().await;
}

/// 9,000 of 10,000 USDC borrowed at the highest rate the program allows, then nobody touches the reserve for
/// ten years. Growth saturates at the debt cap instead of overflowing, and every exit still works: refresh,
/// repay, redeem, the admin's curve fix, the council's pause, liquidation and the bad-debt write-off.
#[tokio::test]
async fn repay_succeeds_after_ten_idle_years_at_the_rate_bound() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).config(|c| flat_curve(c, MAX_BORROW_RATE_BPS)).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 100.0).funded(&usdc, 10.0).build().await;
    let liquidator = t.user().funded(&usdc, 100_000.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(100.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(9_000.0)).await;

    t.advance(TEN_YEARS_SECS).await;
    t.refresh_reserve(&usdc).await;
    let reserve = t.reserve_state(&usdc).await;
    let borrowed = reserve.borrowed_sf.get();
    assert!(borrowed <= Fraction::from_num(MAX_RESERVE_DEBT) && borrowed > Fraction::from_num(MAX_RESERVE_DEBT / 2));
    assert!(reserve.cumulative_borrow_index_sf.get() <= Fraction::from_num(MAX_BORROW_INDEX));

    t.repay(&alice, &alice, &usdc, usdc.amount(1.0)).await;
    let admin_user = t.admin_user();
    t.redeem(&admin_user, &usdc, 1).await; // one cToken is now worth hundreds of USDC
    let admin = t.admin.keypair.insecure_clone();
    let mut fixed = t.reserve_config(&usdc).await;
    flat_curve(&mut fixed, 500);
    t.try_update_reserve_config(&admin, &usdc, fixed).await.unwrap(); // lowering applies at once
    let council = t.risk_council.insecure_clone();
    let paused = ReserveConfig { flags: fixed.flags | FLAG_PAUSED, ..fixed };
    t.try_tighten_reserve_config(&council, &usdc, paused).await.unwrap();

    // The debt dwarfs the collateral: the liquidation takes all of it, and what is left is written off.
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    assert!(t.obligation_state(&alice).await.active_deposits().is_empty());
    t.try_socialize_bad_debt(&alice, &usdc).await.unwrap();
    assert!(t.obligation_state(&alice).await.is_empty());
    t.assert_invariants().await;
}

async fn timelocked() -> (TestContext, ReserveInfo) {
    let config = MarketConfig { config_timelock_secs: TIMELOCK_SECS as u64, ..default_market_config() };
    let mut t = TestContext::with_market_config(config).await;
    let usdc = t.reserve(Asset::Usdc).build().await;
    (t, usdc)
}

/// The admin may answer a liquidity crunch with one rise of at most MAX_RATE_STEP_BPS per point per day; a
/// bigger or a sooner one waits the timelock, and lowering a rate is always at once.
#[tokio::test]
async fn update_reserve_config_fails_to_raise_a_rate_beyond_the_step_or_within_the_cooldown() {
    let (mut t, usdc) = timelocked().await;
    let admin = t.admin.keypair.insecure_clone();
    let base = t.reserve_config(&usdc).await;
    let raised = |c: ReserveConfig, bps: u32| {
        let mut c = c;
        c.curve[2].borrow_rate_bps += bps;
        c
    };
    assert_error!(t, t.try_update_reserve_config(&admin, &usdc, raised(base, MAX_RATE_STEP_BPS + 1)), BallastError::RateRiseNeedsTimelock);
    let step = raised(base, MAX_RATE_STEP_BPS);
    t.try_update_reserve_config(&admin, &usdc, step).await.unwrap();
    assert_eq!(t.reserve_state(&usdc).await.last_rate_raise_ts, t.now);
    assert_error!(t, t.try_update_reserve_config(&admin, &usdc, raised(step, 1)), BallastError::RateRiseNeedsTimelock);
    t.advance(RATE_STEP_COOLDOWN_SECS).await;
    t.try_update_reserve_config(&admin, &usdc, raised(step, 1)).await.unwrap();
    t.try_update_reserve_config(&admin, &usdc, base).await.unwrap(); // lowering never waits

    // The big rise goes through the queue, visible for the whole timelock.
    let punitive = raised(base, 5_000);
    t.try_queue_reserve_config(&admin, &usdc, punitive).await.unwrap();
    t.advance(TIMELOCK_SECS - 1).await;
    assert_error!(t, t.try_apply_pending_reserve_config(&usdc), BallastError::TimelockNotElapsed);
    t.advance(1).await;
    t.try_apply_pending_reserve_config(&usdc).await.unwrap();
    assert_eq!(t.reserve_config(&usdc).await, punitive);
    t.assert_invariants().await;
}

#[tokio::test]
async fn update_reserve_config_fails_to_raise_a_fee_at_once() {
    let (mut t, usdc) = timelocked().await;
    let admin = t.admin.keypair.insecure_clone();
    let base = t.reserve_config(&usdc).await;
    let raises: [(&str, fn(&mut ReserveConfig)); 3] = [
        ("origination fee", |c| c.origination_fee_bps += 10),
        ("flash fee", |c| c.flash_fee_bps += 10),
        ("reserve factor", |c| c.reserve_factor_bps += 100),
    ];
    for (name, raise) in raises {
        eprintln!("raise: {name}");
        let mut config = base;
        raise(&mut config);
        assert_error!(t, t.try_update_reserve_config(&admin, &usdc, config), BallastError::ConfigChangeLoosens);
    }
    let mut lower = base;
    lower.reserve_factor_bps -= 100;
    t.try_update_reserve_config(&admin, &usdc, lower).await.unwrap();
    let mut too_high = base;
    too_high.origination_fee_bps = ballast::constants::MAX_ORIGINATION_FEE_BPS + 1;
    assert_error!(t, t.try_queue_reserve_config(&admin, &usdc, too_high), BallastError::OriginationFeeTooHigh);
    t.assert_invariants().await;
}
