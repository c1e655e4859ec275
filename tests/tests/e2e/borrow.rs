use ballast_tests::*;

async fn market_with_alice_collateral() -> (TestContext, ReserveInfo, ReserveInfo, User) {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 10.0).funded(&usdc, 100.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    (t, usdc, sol, alice)
}

/// 10 SOL at $150 with 80% LTV = $1,200 of borrow power: exactly 1,200 USDC, not one unit more.
#[tokio::test]
async fn borrow_succeeds_at_max_borrow_power_and_fails_one_unit_above() {
    let (mut t, usdc, _sol, alice) = market_with_alice_collateral().await;
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1_200.0) + 1), BallastError::BorrowExceedsLtv);
    t.borrow(&alice, &usdc, usdc.amount(1_200.0)).await;
    assert_eq!(t.balance(&alice.liquidity(&usdc)).await, usdc.amount(1_300.0));
    let obligation = t.obligation_state(&alice).await;
    assert_eq!(obligation.active_borrows()[0].borrowed_sf.get(), usdc.amount(1_200.0));
    assert_error!(t, t.try_borrow(&alice, &usdc, 1), BallastError::BorrowExceedsLtv);
    t.assert_invariants().await;
}

#[tokio::test]
async fn withdraw_fails_when_it_would_exceed_borrow_power() {
    let (mut t, usdc, sol, alice) = market_with_alice_collateral().await;
    t.borrow(&alice, &usdc, usdc.amount(1_000.0)).await;
    // 8 SOL leave $960 of borrow power against $1,000 of debt.
    assert_error!(t, t.try_withdraw_collateral(&alice, &sol, sol.amount(2.0)), BallastError::WithdrawExceedsLtv);
    assert_error!(t, t.try_withdraw_collateral_and_redeem(&alice, &sol, sol.amount(2.0)), BallastError::WithdrawExceedsLtv);
    // 9 SOL leave $1,080.
    t.withdraw_collateral(&alice, &sol, sol.amount(1.0)).await;
    assert_eq!(t.balance(&alice.ctokens(&sol)).await, sol.amount(1.0));
    t.assert_invariants().await;
}

#[tokio::test]
async fn borrow_fails_when_the_price_falls_below_borrow_power() {
    let (mut t, usdc, sol, alice) = market_with_alice_collateral().await;
    t.set_price(&sol, 100.0);
    // $1,000 of SOL at 80% = $800.
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(800.0) + 1), BallastError::BorrowExceedsLtv);
    t.borrow(&alice, &usdc, usdc.amount(800.0)).await;
    t.assert_invariants().await;
}

/// Debt compounds per second at the curve's rate; `u64::MAX` repays principal plus interest exactly
/// (rounded up by at most one unit) and removes the position.
#[tokio::test]
async fn repay_succeeds_in_full_with_accrued_interest_and_closes_the_borrow() {
    let (mut t, usdc, _sol, alice) = market_with_alice_collateral().await;
    let bob = t.user().funded(&usdc, 500.0).build().await;
    t.borrow(&alice, &usdc, usdc.amount(1_000.0)).await;
    let days = 30;
    t.advance(days * 24 * 3600).await;

    // A third party repays part of alice's debt from his own tokens.
    t.repay(&bob, &alice, &usdc, usdc.amount(100.0)).await;
    assert_eq!(t.balance(&bob.liquidity(&usdc)).await, usdc.amount(400.0));

    let before = t.balance(&alice.liquidity(&usdc)).await;
    t.repay(&alice, &alice, &usdc, u64::MAX).await;
    let paid = before - t.balance(&alice.liquidity(&usdc)).await + usdc.amount(100.0);

    // Independent expectation: utilization 1,000 / 10,001 on the 0→8% kink at 80%.
    let utilization = 1_000.0 / 10_001.0;
    let apr = utilization / 0.8 * 0.08;
    let debt = 1_000e6 * (((days * 24 * 3600) as f64) * (apr / 31_536_000.0f64).ln_1p()).exp();
    assert!((paid as f64 - debt).abs() <= 1.0, "paid {paid}, expected {debt}");
    assert!(t.obligation_state(&alice).await.active_borrows().is_empty());
    let borrowed: f64 = t.reserve_state(&usdc).await.borrowed_sf.get().to_num();
    assert!(borrowed < 1e-6, "reserve debt fully settled: {borrowed}");
    assert_error!(t, t.try_repay(&alice, &alice, &usdc, 1), BallastError::BorrowPositionNotFound);
    t.assert_invariants().await;
}

#[tokio::test]
async fn borrow_charges_the_origination_fee_as_debt_and_protocol_fees() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).origination_fee_bps(50).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 10.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    // Debt = amount × 1.005 must fit $1,200: the max amount is floor(1,200 / 1.005).
    let max = (usdc.amount(1_200.0) as f64 / 1.005).floor() as u64;
    assert_error!(t, t.try_borrow(&alice, &usdc, max + 2), BallastError::BorrowExceedsLtv);
    t.borrow(&alice, &usdc, usdc.amount(1_000.0)).await;
    assert_eq!(t.balance(&alice.liquidity(&usdc)).await, usdc.amount(1_000.0), "the fee is not deducted from the payout");
    let debt = t.obligation_state(&alice).await.active_borrows()[0].borrowed_sf.get();
    assert_eq!(debt, usdc.amount(1_005.0));
    let fees = t.reserve_state(&usdc).await.protocol_fees_sf.get();
    assert_eq!(fees, usdc.amount(5.0));
    t.assert_invariants().await;
}

#[tokio::test]
async fn borrow_fails_above_the_utilization_ceiling_and_without_liquidity() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(999.0).build().await; // 1,000 USDC in the pool
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 100.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(100.0)).await;
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1_000.0) + 1), BallastError::InsufficientLiquidity);
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(950.0) + 1), BallastError::UtilizationCeilingExceeded);
    t.borrow(&alice, &usdc, usdc.amount(950.0)).await;
    t.assert_invariants().await;
}

#[tokio::test]
async fn borrow_fails_when_borrowing_or_collateral_is_disabled() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).config(|c| c.flags &= !ballast::state::FLAG_BORROW_ENABLED).build().await;
    let sol = t.reserve(Asset::Sol).config(|c| c.flags &= !ballast::state::FLAG_COLLATERAL_ENABLED).build().await;
    let btc = t.reserve(Asset::Btc).build().await;
    let alice = t.user().funded(&sol, 10.0).funded(&btc, 1.0).build().await;
    assert_error!(t, t.try_deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)), BallastError::CollateralDisabled);
    t.deposit_liquidity_and_collateral(&alice, &btc, btc.amount(1.0)).await;
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(10.0)), BallastError::BorrowDisabled);
    t.assert_invariants().await;
}

/// Issue 24 (gap in the proof): a borrow factor above 1 weighs the debt asset's risk on top of the collateral's.
/// VOLT ($10, borrow factor 1.25) is borrowed against 10 SOL ($1,200 of borrow power): at most $960 of VOLT (96
/// tokens, weighted $1,200). Its liquidation health weighs the debt the same way: 10 × 150 × 85% = $1,275
/// against 96 × 10 × 1.25 = $1,200 is healthy; VOLT at $10.70 makes it $1,284 > $1,275 and a liquidator repays,
/// the borrow factor counted in how much health each unit repaid restores.
#[tokio::test]
async fn borrow_factor_above_one_lowers_borrow_power_and_liquidation_health() {
    let mut t = TestContext::new().await;
    let volt = t.reserve(Asset::Custom("VOLT", 6, 10.0)).liquidity(1_000.0).config(|c| c.borrow_factor_bps = 12_500).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 10.0).build().await;
    let liz = t.user().funded(&volt, 1_000.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    assert_error!(t, t.try_borrow(&alice, &volt, volt.amount(96.0) + 1), BallastError::BorrowExceedsLtv);
    t.borrow(&alice, &volt, volt.amount(96.0)).await;
    // $1,275 against 96 × 10.6 × 1.25 = $1,272: still healthy (without the factor it would be $1,017.60).
    t.set_price(&volt, 10.6);
    assert_error!(t, t.try_liquidate(&liz, &alice, &volt, &sol, u64::MAX, 0, false), BallastError::ObligationHealthy);
    // $1,275 against 96 × 10.7 × 1.25 = $1,284: liquidatable only because the factor weighs the debt.
    t.set_price(&volt, 10.7);
    t.liquidate(&liz, &alice, &volt, &sol).await;
    let e = t.emitted::<ballast::events::LiquidateEvent>();
    assert!(e.repay_amount > 0 && e.seized_ctokens > 0);
    assert_error!(t, t.try_liquidate(&liz, &alice, &volt, &sol, u64::MAX, 0, false), BallastError::ObligationHealthy);
    t.assert_invariants().await;
}

/// What a borrow factor does inside an elevation group, stated and shown: it still applies. A group's LTV and
/// threshold price the correlation of its members; the debt asset's own weight stays on top (dropping it would
/// loosen every member's borrow power at once, and a group whose debt asset is riskier than its collateral
/// keeps that). SOL and mSOL in group 1 (LTV 90%), SOL's borrow factor 1.125: 10 mSOL ($1,500 × 90% = $1,350)
/// back 8 SOL ($1,200 × 1.125 = $1,350), not the 9 SOL a borrow factor of 1 would allow.
#[tokio::test]
async fn borrow_factor_still_applies_inside_an_elevation_group() {
    let mut t = TestContext::new().await;
    let sol = t.reserve(Asset::Sol).liquidity(100.0).config(|c| {
        c.elevation_groups = 1;
        c.borrow_factor_bps = 11_250;
    })
    .build()
    .await;
    let msol = t.reserve(Asset::Custom("MSOL", 9, 150.0)).config(|c| c.elevation_groups = 1).build().await;
    t.create_elevation_group(1, &sol, 9_000, 9_300, 200).await;
    let alice = t.user().funded(&msol, 10.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &msol, msol.amount(10.0)).await;
    t.try_set_elevation_group(&alice, 1).await.unwrap();
    assert_error!(t, t.try_borrow(&alice, &sol, sol.amount(8.0) + 1), BallastError::BorrowExceedsLtv);
    t.borrow(&alice, &sol, sol.amount(8.0)).await;
    t.assert_invariants().await;
}
