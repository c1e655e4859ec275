//! Circuit breakers: each blocks what it must and lets repay, pledging, withdraw (where allowed) and liquidate through.
use ballast::state::{FLAG_PAUSED, FLAG_REDUCE_ONLY};
use ballast_tests::*;

/// Alice has 10 SOL pledged and 600 USDC borrowed, holds spare SOL and USDC, and a liquidator stands by.
async fn setup() -> (TestContext, ReserveInfo, ReserveInfo, User, User) {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).liquidity(100.0).build().await;
    let alice = t.user().funded(&sol, 12.0).funded(&usdc, 100.0).build().await;
    let liquidator = t.user().funded(&usdc, 10_000.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    t.deposit(&alice, &sol, sol.amount(1.0)).await; // loose cTokens to redeem and pledge
    t.borrow(&alice, &usdc, usdc.amount(600.0)).await;
    (t, usdc, sol, alice, liquidator)
}

#[tokio::test]
async fn paused_reserve_blocks_everything_but_repay_pledge_and_liquidate() {
    let (mut t, usdc, sol, alice, liquidator) = setup().await;
    t.try_edit_reserve_config(&sol, |c| c.flags |= FLAG_PAUSED).await.unwrap();
    t.try_edit_reserve_config(&usdc, |c| c.flags |= FLAG_PAUSED).await.unwrap();
    let e = BallastError::ReservePaused;
    assert_error!(t, t.try_deposit(&alice, &sol, sol.amount(0.5)), e);
    assert_error!(t, t.try_deposit_liquidity_and_collateral(&alice, &sol, sol.amount(0.5)), e);
    assert_error!(t, t.try_redeem(&alice, &sol, sol.amount(0.5)), e);
    assert_error!(t, t.try_withdraw_collateral(&alice, &sol, sol.amount(0.1)), e);
    assert_error!(t, t.try_withdraw_collateral_and_redeem(&alice, &sol, sol.amount(0.1)), e);
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), e);

    // Pledging cTokens she already holds only lowers risk: allowed while paused.
    t.deposit_collateral(&alice, &sol, sol.amount(0.5)).await;
    t.repay(&alice, &alice, &usdc, usdc.amount(50.0)).await;
    t.set_price(&sol, 55.0);
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    t.assert_invariants().await;
}

#[tokio::test]
async fn reduce_only_reserve_lets_positions_shrink_but_not_grow() {
    let (mut t, usdc, sol, alice, liquidator) = setup().await;
    t.try_edit_reserve_config(&sol, |c| c.flags |= FLAG_REDUCE_ONLY).await.unwrap();
    t.try_edit_reserve_config(&usdc, |c| c.flags |= FLAG_REDUCE_ONLY).await.unwrap();
    let e = BallastError::ReserveReduceOnly;
    assert_error!(t, t.try_deposit(&alice, &sol, sol.amount(0.5)), e);
    assert_error!(t, t.try_deposit_liquidity_and_collateral(&alice, &sol, sol.amount(0.5)), e);
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), e);
    t.deposit_collateral(&alice, &sol, sol.amount(0.1)).await; // pledging what she holds goes on

    t.redeem(&alice, &sol, sol.amount(0.5)).await;
    t.withdraw_collateral(&alice, &sol, sol.amount(0.5)).await;
    t.withdraw_collateral_and_redeem(&alice, &sol, sol.amount(0.5)).await;
    t.repay(&alice, &alice, &usdc, usdc.amount(50.0)).await;
    t.set_price(&sol, 65.0);
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    t.assert_invariants().await;
}

#[tokio::test]
async fn deposit_and_borrow_fail_above_their_caps_and_repay_is_never_capped() {
    let (mut t, usdc, sol, alice, _liquidator) = setup().await;
    let total_sol = t.reserve_state(&sol).await.total_liquidity().unwrap().to_num::<u64>();
    t.try_edit_reserve_config(&sol, |c| c.deposit_limit = total_sol + sol.amount(0.5)).await.unwrap();
    assert_error!(t, t.try_deposit(&alice, &sol, sol.amount(0.5) + 1), BallastError::DepositCapExceeded);
    t.deposit(&alice, &sol, sol.amount(0.5)).await;

    t.try_edit_reserve_config(&usdc, |c| c.borrow_limit = 700_000_000).await.unwrap();
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(100.0) + 1), BallastError::BorrowCapExceeded);
    t.borrow(&alice, &usdc, usdc.amount(100.0)).await;
    // A cap lowered below the current debt still lets the debt be repaid.
    t.try_edit_reserve_config(&usdc, |c| c.borrow_limit = 1).await.unwrap();
    t.repay(&alice, &alice, &usdc, u64::MAX).await;
    t.assert_invariants().await;
}

/// 1,000 USDC per hour may leave the reserve, net: borrows and redeems share the window, deposits and repays
/// are credit that outflow uses first, liquidations are exempt, and the allowance comes back as the window
/// slides.
#[tokio::test]
async fn outflow_limiter_blocks_borrow_and_redeem_beyond_the_window_allowance() {
    let (mut t, usdc, sol, alice, liquidator) = setup().await;
    let lender = t.user().funded(&usdc, 5_000.0).build().await;
    t.deposit(&lender, &usdc, usdc.amount(5_000.0)).await;
    t.try_edit_reserve_config(&usdc, |c| {
        c.outflow_limit = 1_000_000_000;
        c.outflow_window_secs = 3_600;
    })
    .await
    .unwrap();
    t.borrow(&alice, &usdc, usdc.amount(300.0)).await;
    t.redeem(&lender, &usdc, usdc.amount(700.0)).await;
    assert_error!(t, t.try_borrow(&alice, &usdc, 1), BallastError::ReserveOutflowLimitExceeded);
    assert_error!(t, t.try_redeem(&lender, &usdc, 1), BallastError::ReserveOutflowLimitExceeded);
    // A repayment is credit: Alice may borrow the 100 USDC again, and no more.
    t.repay(&alice, &alice, &usdc, usdc.amount(100.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(100.0)).await;
    assert_error!(t, t.try_borrow(&alice, &usdc, 1), BallastError::ReserveOutflowLimitExceeded);

    // Half an hour into the next window half of the last window's net 1,000 still counts: about 500 USDC
    // may leave (cTokens are now worth slightly more than 1 USDC after 90 minutes of interest).
    t.advance(5_400).await;
    assert_error!(t, t.try_redeem(&lender, &usdc, usdc.amount(500.0)), BallastError::ReserveOutflowLimitExceeded);
    t.redeem(&lender, &usdc, usdc.amount(499.9)).await;

    // Liquidation is never limited, even with the window full.
    t.set_price(&sol, 90.0);
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    t.assert_invariants().await;
}

/// Isolated collateral backs borrows only as the obligation's sole collateral.
#[tokio::test]
async fn borrow_fails_against_isolated_collateral_that_is_not_alone() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let meme = t.reserve(Asset::Custom("MEME", 6, 1.0)).config(|c| c.flags |= ballast::state::FLAG_ISOLATED).build().await;
    let alice = t.user().funded(&meme, 1_000.0).funded(&sol, 1.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &meme, meme.amount(1_000.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(500.0)).await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(1.0)).await;
    // With SOL beside it the isolated asset backs nothing: $150 × 80% = $120 < $501.
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), BallastError::IsolatedCollateralNotAlone);
    t.withdraw_collateral_and_redeem(&alice, &sol, sol.amount(1.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(1.0)).await;
    t.assert_invariants().await;
}

/// The risk council puts the market in emergency mode at once: only repay, withdraw and liquidate remain.
#[tokio::test]
async fn emergency_mode_allows_only_repay_withdraw_pledge_and_liquidate() {
    let (mut t, usdc, sol, alice, liquidator) = setup().await;
    let council = t.risk_council.insecure_clone();
    let mut config = t.market_config().await;
    config.flags |= ballast::state::MARKET_FLAG_EMERGENCY;
    t.try_tighten_market_config(&council, config).await.unwrap();
    let e = BallastError::MarketEmergencyMode;
    assert_error!(t, t.try_deposit(&alice, &sol, sol.amount(0.5)), e);
    assert_error!(t, t.try_deposit_liquidity_and_collateral(&alice, &sol, sol.amount(0.5)), e);
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), e);
    t.deposit_collateral(&alice, &sol, sol.amount(0.1)).await; // pledging what she holds goes on

    t.redeem(&alice, &sol, sol.amount(0.5)).await;
    t.withdraw_collateral(&alice, &sol, sol.amount(0.5)).await;
    t.repay(&alice, &alice, &usdc, usdc.amount(50.0)).await;
    t.set_price(&sol, 60.0);
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    t.assert_invariants().await;
}

/// $2,000 per hour may leave the whole market, valued at spot: borrows and redeems across reserves share it.
/// Outflow that only takes back what came into the same reserve within its window (a deposit's round trip)
/// uses that reserve's credit and never counts, so no one can fill the market's window for free.
#[tokio::test]
async fn market_outflow_limiter_blocks_value_leaving_across_reserves() {
    let (mut t, usdc, sol, alice, liquidator) = setup().await;
    let lender = t.user().funded(&usdc, 2_000.0).build().await;
    t.deposit(&lender, &usdc, usdc.amount(2_000.0)).await; // before the limiter: no credit
    let mut config = t.market_config().await;
    config.outflow_limit_quote = 2_000;
    config.outflow_window_secs = 3_600;
    let admin = t.admin.keypair.insecure_clone();
    t.try_update_market_config(&admin, config).await.unwrap();

    t.borrow(&alice, &usdc, usdc.amount(100.0)).await; // $100
    t.redeem(&alice, &sol, sol.amount(1.0)).await; // $150
    t.redeem(&lender, &usdc, usdc.amount(1_750.0)).await; // $2,000 in all
    assert_error!(t, t.try_redeem(&lender, &usdc, usdc.amount(1.0)), BallastError::MarketOutflowLimitExceeded);
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), BallastError::MarketOutflowLimitExceeded);
    // A round trip through a full window goes through and leaves it as full as it was.
    let churner = t.user().funded(&usdc, 500.0).build().await;
    t.deposit(&churner, &usdc, usdc.amount(500.0)).await;
    let ctokens = t.balance(&churner.ctokens(&usdc)).await;
    t.redeem(&churner, &usdc, ctokens).await;
    assert_error!(t, t.try_redeem(&lender, &usdc, usdc.amount(1.0)), BallastError::MarketOutflowLimitExceeded);
    // Repay and liquidation still go through.
    t.repay(&alice, &alice, &usdc, usdc.amount(10.0)).await;
    t.set_price(&sol, 60.0);
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    t.advance(7_200).await;
    t.redeem(&lender, &usdc, usdc.amount(100.0)).await;
    t.assert_invariants().await;
}
