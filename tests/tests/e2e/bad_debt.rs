//! Bad debt: the insurance fund pays first, then unswept protocol fees; depositors absorb exactly the rest
//! through the exchange rate.
use ballast_tests::*;

#[tokio::test]
async fn socialize_bad_debt_uses_insurance_first_and_lowers_the_exchange_rate_by_the_rest() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(9_999.0).config(|c| {
        c.reserve_factor_bps = 0;
        c.insurance_factor_bps = 5_000;
    }).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 10.0).build().await;
    let bob = t.user().funded(&sol, 100.0).build().await;
    let liquidator = t.user().funded(&usdc, 10_000.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    t.deposit_liquidity_and_collateral(&bob, &sol, sol.amount(100.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(1_200.0)).await;
    t.borrow(&bob, &usdc, usdc.amount(5_000.0)).await;
    t.advance(31_536_000).await; // a year of interest fills the insurance fund
    assert_error!(t, t.try_socialize_bad_debt(&alice, &usdc), BallastError::ObligationHasCollateral);

    t.set_price(&sol, 60.0);
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    let obligation = t.obligation_state(&alice).await;
    assert!(obligation.active_deposits().is_empty(), "all collateral seized");

    let before = t.reserve_state(&usdc).await;
    let index: f64 = before.cumulative_borrow_index_sf.get().to_num();
    let position = obligation.active_borrows()[0];
    let debt = position.borrowed_sf.get().to_num::<f64>() * index / position.cumulative_borrow_index_sf.get().to_num::<f64>();
    let insurance: f64 = before.insurance_fund_sf.get().to_num();
    assert!(insurance > 0.0 && insurance < debt, "insurance {insurance} covers part of {debt}");
    let total_before: f64 = before.total_liquidity().unwrap().to_num();
    let rate_before = total_before / before.ctoken_supply as f64;

    t.try_socialize_bad_debt(&alice, &usdc).await.unwrap();

    let after = t.reserve_state(&usdc).await;
    let remainder = debt - insurance;
    assert!(after.insurance_fund_sf.get().to_num::<f64>() < 1e-9, "insurance spent first");
    let rate_after = after.total_liquidity().unwrap().to_num::<f64>() / after.ctoken_supply as f64;
    let drop = (rate_before - rate_after) / rate_before;
    assert!((drop - remainder / total_before).abs() < 1e-12, "rate fell by {drop}, remainder/total = {}", remainder / total_before);
    assert!(t.obligation_state(&alice).await.active_borrows().is_empty());
    assert_error!(t, t.try_socialize_bad_debt(&alice, &usdc), BallastError::NoBadDebt);
    t.assert_invariants().await;
}

/// When the insurance fund covers everything, depositors lose nothing.
#[tokio::test]
async fn socialize_bad_debt_leaves_depositors_whole_when_insurance_covers_it() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(9_999.0).config(|c| {
        c.reserve_factor_bps = 0;
        c.insurance_factor_bps = 9_000;
    }).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 0.1).build().await;
    let bob = t.user().funded(&sol, 1_000.0).build().await;
    let liquidator = t.user().funded(&usdc, 100.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(0.1)).await;
    t.deposit_liquidity_and_collateral(&bob, &sol, sol.amount(1_000.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(12.0)).await;
    t.borrow(&bob, &usdc, usdc.amount(7_000.0)).await;
    t.advance(31_536_000).await;
    t.set_price(&sol, 50.0);
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    let total_before: f64 = t.reserve_state(&usdc).await.total_liquidity().unwrap().to_num();
    t.try_socialize_bad_debt(&alice, &usdc).await.unwrap();
    let total_after: f64 = t.reserve_state(&usdc).await.total_liquidity().unwrap().to_num();
    assert!((total_after - total_before).abs() < 1e-9, "depositors untouched");
    t.assert_invariants().await;
}

/// A crumb of collateral (one satoshi of BTC) cannot shield bad debt from socialization: liquidation
/// clears it (repaying at least one unit), and then the debt is written off.
#[tokio::test]
async fn socialize_bad_debt_succeeds_after_liquidation_clears_a_collateral_crumb() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let btc = t.reserve(Asset::Btc).build().await;
    let alice = t.user().funded(&sol, 10.0).funded(&btc, 0.00000001).build().await;
    let liquidator = t.user().funded(&usdc, 10_000.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    t.deposit_liquidity_and_collateral(&alice, &btc, 1).await;
    t.borrow(&alice, &usdc, usdc.amount(1_200.0)).await;
    t.set_price(&sol, 60.0);

    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    assert_error!(t, t.try_socialize_bad_debt(&alice, &usdc), BallastError::ObligationHasCollateral);
    t.liquidate(&liquidator, &alice, &usdc, &btc).await;
    assert!(t.obligation_state(&alice).await.active_deposits().is_empty(), "the crumb is gone");
    t.try_socialize_bad_debt(&alice, &usdc).await.unwrap();
    assert!(t.obligation_state(&alice).await.active_borrows().is_empty());
    t.assert_invariants().await;
}

/// Protocol fees were booked on interest the bad debt never paid: they are written off after the insurance
/// fund and before depositors (a review found them swept out of real liquidity instead).
#[tokio::test]
async fn socialize_bad_debt_succeeds_charging_unswept_fees_before_depositors() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(9_999.0).config(|c| {
        c.reserve_factor_bps = 3_000;
        c.insurance_factor_bps = 1_000;
    }).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 10.0).build().await;
    let liquidator = t.user().funded(&usdc, 10_000.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(1_200.0)).await;
    t.advance(31_536_000).await;
    t.set_price(&sol, 30.0);
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    t.refresh_reserve(&usdc).await;
    let before = t.reserve_state(&usdc).await;
    let (fees, insurance): (f64, f64) = (before.protocol_fees_sf.get().to_num(), before.insurance_fund_sf.get().to_num());
    let total_before: f64 = before.total_liquidity().unwrap().to_num();
    let position = t.obligation_state(&alice).await.active_borrows()[0];
    let debt = position.debt_at(before.cumulative_borrow_index_sf.get()).unwrap().to_num::<f64>();
    assert!(fees > 0.0 && insurance + fees < debt, "fees {fees} + insurance {insurance} cover part of {debt}");

    t.try_socialize_bad_debt(&alice, &usdc).await.unwrap();
    let after = t.reserve_state(&usdc).await;
    assert!(after.insurance_fund_sf.get().to_num::<f64>() < 1e-9 && after.protocol_fees_sf.get().to_num::<f64>() < 1e-9);
    let lost = total_before - after.total_liquidity().unwrap().to_num::<f64>();
    assert!((lost - (debt - insurance - fees)).abs() < 1e-6, "depositors lost {lost}, not {}", debt - insurance - fees);
    assert_error!(t, t.try_sweep_fees(&usdc), BallastError::NoFeesToSweep);
    t.assert_invariants().await;
}
