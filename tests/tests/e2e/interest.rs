use ballast_tests::*;

/// A year at a fixed utilization: the debt grows by the curve's APR compounded every second.
/// Tolerance: relative 1e-9 against an f64 reference (the fixed-point error is ~1e-15).
#[tokio::test]
async fn interest_over_one_year_matches_the_curve_apr_compounded() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(9_999.0).build().await; // 10,000 USDC pool
    let sol = t.reserve(Asset::Sol).build().await;
    let bob = t.user().funded(&sol, 100.0).build().await;
    t.deposit_liquidity_and_collateral(&bob, &sol, sol.amount(100.0)).await;
    t.borrow(&bob, &usdc, usdc.amount(5_000.0)).await;

    t.advance(31_536_000).await;
    t.refresh_reserve(&usdc).await;
    let reserve = t.reserve_state(&usdc).await;
    let borrowed: f64 = reserve.borrowed_sf.get().to_num();
    // 50% utilization on the kink (0,0)-(80%,8%): APR 5%.
    let expected = 5_000e6 * ((31_536_000.0) * (0.05 / 31_536_000.0f64).ln_1p()).exp();
    assert!((borrowed / expected - 1.0).abs() < 1e-9, "borrowed {borrowed}, expected {expected}");
    let index: f64 = reserve.cumulative_borrow_index_sf.get().to_num();
    assert!((index - expected / 5_000e6).abs() < 1e-9);
    assert_eq!(reserve.cached_price_sf.get(), 1, "refresh caches the spot price");
    assert_eq!(reserve.cached_price_ts, t.now);
    t.assert_invariants().await;
}

/// Interest stops at the old rate when the curve changes: accrual happens before the new config applies.
#[tokio::test]
async fn update_reserve_config_accrues_under_the_old_curve_first() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(9_999.0).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let bob = t.user().funded(&sol, 100.0).build().await;
    t.deposit_liquidity_and_collateral(&bob, &sol, sol.amount(100.0)).await;
    t.borrow(&bob, &usdc, usdc.amount(5_000.0)).await;
    t.advance(31_536_000).await;

    let mut config = t.reserve_state(&usdc).await.config;
    config.curve[1].borrow_rate_bps = 1_300; // the largest rise the admin may make at once
    let admin = t.admin.keypair.insecure_clone();
    t.try_update_reserve_config(&admin, &usdc, config).await.unwrap();
    let reserve = t.reserve_state(&usdc).await;
    let borrowed: f64 = reserve.borrowed_sf.get().to_num();
    let expected = 5_000e6 * ((31_536_000.0) * (0.05 / 31_536_000.0f64).ln_1p()).exp();
    assert!((borrowed / expected - 1.0).abs() < 1e-9);
    assert_eq!(reserve.config.curve[1].borrow_rate_bps, 1_300);
    t.assert_invariants().await;
}

/// Issue 24 (gap in the proof): a rate curve at its full 11 points, with a borrow in every one of its ten
/// segments. Each day's accrual is checked against an independent formula: the APR interpolated in f64 from
/// the table below at the utilization the reserve starts the day at, compounded every second.
#[tokio::test]
async fn interest_accrues_along_an_eleven_point_curve_in_every_segment() {
    const CURVE: [(u32, u32); 11] = [
        (0, 0),
        (1_000, 100),
        (2_000, 300),
        (3_000, 600),
        (4_000, 1_000),
        (5_000, 1_500),
        (6_000, 2_100),
        (7_000, 2_800),
        (8_000, 3_600),
        (9_000, 7_000),
        (10_000, 15_000),
    ];
    let apr = |u: f64| -> f64 {
        let bps = u * 10_000.0;
        let i = CURVE.windows(2).position(|w| bps <= w[1].0 as f64).expect("utilization within the curve");
        let ((u0, r0), (u1, r1)) = ((CURVE[i].0 as f64, CURVE[i].1 as f64), (CURVE[i + 1].0 as f64, CURVE[i + 1].1 as f64));
        (r0 + (bps - u0) * (r1 - r0) / (u1 - u0)) / 10_000.0
    };
    let mut t = TestContext::new().await;
    let usdc = t
        .reserve(Asset::Usdc)
        .liquidity(9_999.0)
        .config(|c| {
            for (i, (u, r)) in CURVE.into_iter().enumerate() {
                c.curve[i] = ballast::math::CurvePoint { utilization_bps: u, borrow_rate_bps: r };
            }
            c.curve_len = 11;
        })
        .build()
        .await;
    let sol = t.reserve(Asset::Sol).build().await;
    let bob = t.user().funded(&sol, 1_000.0).build().await;
    t.deposit_liquidity_and_collateral(&bob, &sol, sol.amount(1_000.0)).await;
    for segment in 0..10 {
        // The middle of the segment (92.5% in the last: the ceiling is 95%).
        let target = if segment == 9 { 0.925 } else { segment as f64 / 10.0 + 0.05 };
        let state = t.reserve_state(&usdc).await;
        let (borrowed, available) = (state.borrowed_sf.get().to_num::<f64>(), state.available_liquidity as f64);
        let more = (target * (borrowed + available) - borrowed).floor() as u64;
        t.borrow(&bob, &usdc, more).await;
        let before = t.reserve_state(&usdc).await;
        let (b0, a0) = (before.borrowed_sf.get().to_num::<f64>(), before.available_liquidity as f64);
        let u = b0 / (b0 + a0);
        assert!((u - target).abs() < 1e-4, "segment {segment}: utilization {u}");
        t.advance(86_400).await;
        t.refresh_reserve(&usdc).await;
        let after: f64 = t.reserve_state(&usdc).await.borrowed_sf.get().to_num();
        let expected = b0 * (86_400.0 * (apr(u) / 31_536_000.0).ln_1p()).exp();
        assert!((after / expected - 1.0).abs() < 1e-9, "segment {segment}: borrowed {after}, expected {expected} at APR {}", apr(u));
    }
    t.assert_invariants().await;
}
