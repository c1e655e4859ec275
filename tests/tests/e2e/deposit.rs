use ballast_tests::*;

/// Lender supplies, a borrower pays a year of interest, the lender redeems: principal plus exactly the
/// depositors' share of the interest borrowers paid, less reserve and insurance factors (±1 unit rounding).
#[tokio::test]
async fn redeem_succeeds_with_principal_plus_interest_minus_fees() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let lara = t.user().funded(&usdc, 10_000.0).build().await;
    let bob = t.user().funded(&sol, 100.0).funded(&usdc, 1_000.0).build().await;

    t.deposit(&lara, &usdc, usdc.amount(10_000.0)).await;
    let lara_ctokens = t.balance(&lara.ctokens(&usdc)).await;
    assert_eq!(lara_ctokens, usdc.amount(10_000.0), "first deposit after the seed mints 1:1");

    t.deposit_liquidity_and_collateral(&bob, &sol, sol.amount(100.0)).await;
    t.borrow(&bob, &usdc, usdc.amount(5_000.0)).await;
    t.advance(365 * 24 * 3600).await;
    let bob_before = t.balance(&bob.liquidity(&usdc)).await;
    t.repay(&bob, &bob, &usdc, u64::MAX).await;
    let paid = bob_before - t.balance(&bob.liquidity(&usdc)).await;
    let interest_paid = paid - usdc.amount(5_000.0);
    assert!(interest_paid > 0);

    t.redeem(&lara, &usdc, lara_ctokens).await;
    let received = t.balance(&lara.liquidity(&usdc)).await;

    // Independent expectation: the pool (seed 1 + 10,000 USDC) earns 85% of the interest; Lara owns 10,000/10,001.
    let seed = usdc.amount(1.0) as f64;
    let principal = usdc.amount(10_000.0) as f64;
    let pool = seed + principal + 0.85 * interest_paid as f64;
    let expected = (principal / (seed + principal) * pool).floor();
    assert!((received as f64 - expected).abs() <= 1.0, "received {received}, expected {expected}");
    assert!(received > usdc.amount(10_000.0));

    let reserve = t.reserve_state(&usdc).await;
    let fees: f64 = reserve.protocol_fees_sf.get().to_num();
    let insurance: f64 = reserve.insurance_fund_sf.get().to_num();
    assert!((fees - 0.10 * interest_paid as f64).abs() <= 1.0, "fees {fees}");
    assert!((insurance - 0.05 * interest_paid as f64).abs() <= 1.0, "insurance {insurance}");
    t.assert_invariants().await;
}

#[tokio::test]
async fn sweep_fees_succeeds_and_moves_whole_units_to_the_fee_vault() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let bob = t.user().funded(&sol, 100.0).funded(&usdc, 1_000.0).build().await;
    assert_error!(t, t.try_sweep_fees(&usdc), BallastError::NoFeesToSweep);

    t.deposit_liquidity_and_collateral(&bob, &sol, sol.amount(100.0)).await;
    t.borrow(&bob, &usdc, usdc.amount(5_000.0)).await;
    t.advance(180 * 24 * 3600).await;
    t.repay(&bob, &bob, &usdc, u64::MAX).await;
    let fees_before: f64 = t.reserve_state(&usdc).await.protocol_fees_sf.get().to_num();
    let total_before: f64 = t.reserve_state(&usdc).await.total_liquidity().unwrap().to_num();
    t.try_sweep_fees(&usdc).await.unwrap();

    let swept = t.balance(&usdc.fee_vault).await;
    assert_eq!(swept, fees_before.floor() as u64);
    let after = t.reserve_state(&usdc).await;
    let left: f64 = after.protocol_fees_sf.get().to_num();
    assert!(left < 1.0, "only the sub-unit remainder stays accrued");
    let total_after: f64 = after.total_liquidity().unwrap().to_num();
    assert!((total_after - total_before).abs() < 1e-6, "sweeping never touches depositors' liquidity");
    t.assert_invariants().await;
}

#[tokio::test]
async fn combined_deposit_and_withdraw_succeed_in_one_step() {
    let mut t = TestContext::new().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 10.0).build().await;

    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    assert_eq!(t.balance(&sol.collateral_vault).await, sol.amount(10.0));
    assert_eq!(t.balance(&alice.ctokens(&sol)).await, 0, "cTokens go straight to the collateral vault");
    let obligation = t.obligation_state(&alice).await;
    assert_eq!(obligation.active_deposits()[0].ctoken_amount, sol.amount(10.0));

    t.withdraw_collateral_and_redeem(&alice, &sol, sol.amount(4.0)).await;
    assert_eq!(t.balance(&alice.liquidity(&sol)).await, sol.amount(4.0));
    t.withdraw_collateral_and_redeem(&alice, &sol, sol.amount(6.0)).await;
    assert_eq!(t.balance(&alice.liquidity(&sol)).await, sol.amount(10.0));
    assert!(t.obligation_state(&alice).await.active_deposits().is_empty(), "an emptied position is closed");
    t.assert_invariants().await;
}

#[tokio::test]
async fn collateral_round_trip_succeeds_through_separate_steps() {
    let mut t = TestContext::new().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 5.0).build().await;
    t.deposit(&alice, &sol, sol.amount(5.0)).await;
    t.deposit_collateral(&alice, &sol, sol.amount(3.0)).await;
    assert_eq!(t.balance(&alice.ctokens(&sol)).await, sol.amount(2.0));
    t.withdraw_collateral(&alice, &sol, sol.amount(3.0)).await;
    t.redeem(&alice, &sol, sol.amount(5.0)).await;
    assert_eq!(t.balance(&alice.liquidity(&sol)).await, sol.amount(5.0));
    t.assert_invariants().await;
}

#[tokio::test]
async fn close_obligation_fails_with_positions_and_succeeds_when_empty() {
    let mut t = TestContext::new().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 1.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(1.0)).await;
    assert_error!(t, t.try_close_obligation(&alice), BallastError::ObligationNotEmpty);

    t.withdraw_collateral_and_redeem(&alice, &sol, sol.amount(1.0)).await;
    let rent = t.account(&alice.obligation).await.unwrap().lamports;
    let lamports_before = t.account(&alice.key()).await.unwrap().lamports;
    t.try_close_obligation(&alice).await.unwrap();
    assert!(t.account(&alice.obligation).await.is_none());
    assert_eq!(t.account(&alice.key()).await.unwrap().lamports, lamports_before + rent, "rent returns to the owner");
    t.assert_invariants().await;
}
