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
