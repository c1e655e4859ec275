//! Elevation groups (eMode): correlated assets borrow against each other at the group's LTV.
use ballast_tests::*;

/// SOL and mSOL (both $150) are members of group 1 (LTV 90%, threshold 93%, bonus up to 2%), whose
/// debt reserve is SOL; USDC is not a member. Alice pledges 10 mSOL.
async fn setup() -> (TestContext, ReserveInfo, ReserveInfo, ReserveInfo, User) {
    let mut t = TestContext::new().await;
    let sol = t.reserve(Asset::Sol).liquidity(100.0).config(|c| c.elevation_groups = 1).build().await;
    let msol = t.reserve(Asset::Custom("MSOL", 9, 150.0)).config(|c| c.elevation_groups = 1).build().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    t.create_elevation_group(1, &sol, 9_000, 9_300, 200).await;
    let alice = t.user().funded(&msol, 10.0).funded(&usdc, 100.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &msol, msol.amount(10.0)).await;
    (t, sol, msol, usdc, alice)
}

#[tokio::test]
async fn borrow_succeeds_at_the_group_ltv_for_a_correlated_pair() {
    let (mut t, sol, _msol, _usdc, alice) = setup().await;
    // Outside the group: 80% of $1,500 = 8 SOL.
    assert_error!(t, t.try_borrow(&alice, &sol, sol.amount(8.0) + 1), BallastError::BorrowExceedsLtv);
    t.try_set_elevation_group(&alice, 1).await.unwrap();
    assert_eq!(t.obligation_state(&alice).await.elevation_group, 1);
    // Inside: 90% = 9 SOL exactly.
    assert_error!(t, t.try_borrow(&alice, &sol, sol.amount(9.0) + 1), BallastError::BorrowExceedsLtv);
    t.borrow(&alice, &sol, sol.amount(9.0)).await;
    t.assert_invariants().await;
}

#[tokio::test]
async fn elevation_group_refuses_non_member_positions() {
    let (mut t, sol, _msol, usdc, alice) = setup().await;
    // A non-member collateral keeps an obligation out of the group.
    let bob = t.user().funded(&usdc, 100.0).build().await;
    t.deposit_liquidity_and_collateral(&bob, &usdc, usdc.amount(100.0)).await;
    assert_error!(t, t.try_set_elevation_group(&bob, 1), BallastError::ElevationGroupNonMemberCollateral);
    assert_error!(t, t.try_set_elevation_group(&bob, 2), BallastError::ElevationGroupInvalid);

    // Inside the group: no non-member collateral and no other debt.
    t.try_set_elevation_group(&alice, 1).await.unwrap();
    assert_error!(t, t.try_deposit_liquidity_and_collateral(&alice, &usdc, usdc.amount(10.0)), BallastError::ElevationGroupNonMemberCollateral);
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(10.0)), BallastError::ElevationGroupDebtNotAllowed);
    t.borrow(&alice, &sol, sol.amount(1.0)).await;
    t.assert_invariants().await;
}

#[tokio::test]
async fn set_elevation_group_fails_when_leaving_would_be_unhealthy() {
    let (mut t, sol, _msol, _usdc, alice) = setup().await;
    t.try_set_elevation_group(&alice, 1).await.unwrap();
    t.borrow(&alice, &sol, sol.amount(8.5)).await;
    assert_error!(t, t.try_set_elevation_group(&alice, 0), BallastError::ElevationGroupChangeUnhealthy);
    t.repay(&alice, &alice, &sol, sol.amount(1.0)).await;
    t.try_set_elevation_group(&alice, 0).await.unwrap();
    assert_eq!(t.obligation_state(&alice).await.elevation_group, 0);
    t.assert_invariants().await;
}

/// A group is created through the timelock queue and may be tightened at once; creating or loosening it at
/// once is refused (membership, the other half of its reach, is timelocked reserve config).
#[tokio::test]
async fn configure_elevation_group_fails_to_loosen_or_break_its_rules() {
    let (mut t, sol, msol, _usdc, _alice) = setup().await;
    assert_error!(t, t.try_configure_elevation_group(1, &sol, 9_100, 9_300, 200), BallastError::ConfigChangeLoosens);
    assert_error!(t, t.try_configure_elevation_group(1, &msol, 9_000, 9_300, 200), BallastError::ConfigChangeLoosens);
    assert_error!(t, t.try_configure_elevation_group(2, &sol, 9_300, 9_300, 200), BallastError::ElevationGroupConfigInvalid);
    assert_error!(t, t.try_configure_elevation_group(2, &sol, 9_000, 9_500, 600), BallastError::ElevationGroupConfigInvalid);
    assert_error!(t, t.try_configure_elevation_group(17, &sol, 9_000, 9_300, 200), BallastError::ElevationGroupInvalid);
    assert_error!(t, t.try_configure_elevation_group(2, &sol, 9_000, 9_300, 200), BallastError::ConfigChangeLoosens);
    t.try_configure_elevation_group(1, &sol, 8_900, 9_300, 200).await.unwrap();
    t.assert_invariants().await;
}

/// In the group, liquidation uses the group's threshold (93%) and bonus cap (2%).
#[tokio::test]
async fn liquidate_succeeds_with_the_group_threshold_and_bonus() {
    let (mut t, sol, msol, _usdc, alice) = setup().await;
    t.try_set_elevation_group(&alice, 1).await.unwrap();
    t.borrow(&alice, &sol, sol.amount(9.0)).await;
    let liquidator = t.user().funded(&sol, 10.0).build().await;
    // mSOL depegs 4%: 10 × 144 × 0.93 = 1,339.2 < 9 × 150 = 1,350.
    t.set_price(&msol, 144.0);
    t.liquidate(&liquidator, &alice, &sol, &msol).await;
    let got = t.balance(&liquidator.ctokens(&msol)).await as f64;
    let bonus = 0.02f64; // min bonus 2% capped by the group's 2% maximum
    let seized = (270.0 * (1.0 + bonus) / 144.0 * 1e9).floor(); // 20% of $1,350
    let fee = (seized * bonus / (1.0 + bonus) * 0.2).floor();
    assert!((got - (seized - fee)).abs() <= 2.0, "got {got}, expected {}", seized - fee);
    t.assert_invariants().await;
}
