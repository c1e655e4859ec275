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
