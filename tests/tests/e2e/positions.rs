use ballast_tests::*;

const NAMES: [&str; 9] = ["A", "B", "C", "D", "E", "F", "G", "H", "I"];

#[tokio::test]
async fn deposit_collateral_fails_for_a_ninth_reserve() {
    let mut t = TestContext::new().await;
    let mut reserves = vec![];
    for name in NAMES {
        reserves.push(t.reserve(Asset::Custom(name, 6, 1.0)).build().await);
    }
    let mut builder = t.user();
    for r in &reserves {
        builder = builder.funded(r, 11.0);
    }
    let alice = builder.build().await;
    for r in &reserves[..8] {
        t.deposit_liquidity_and_collateral(&alice, r, r.amount(10.0)).await;
    }
    assert_eq!(t.obligation_state(&alice).await.active_deposits().len(), 8);
    assert_error!(t, t.try_deposit_liquidity_and_collateral(&alice, &reserves[8], reserves[8].amount(1.0)), BallastError::ObligationDepositsFull);
    // Adding to an existing position is still fine.
    t.deposit_liquidity_and_collateral(&alice, &reserves[0], 1).await;
    t.assert_invariants().await;
}

#[tokio::test]
async fn borrow_fails_for_a_ninth_reserve() {
    let mut t = TestContext::new().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let mut reserves = vec![];
    for name in NAMES {
        reserves.push(t.reserve(Asset::Custom(name, 6, 1.0)).liquidity(100.0).build().await);
    }
    t.create_lookup_table().await; // nine pairs do not fit a legacy transaction
    let alice = t.user().funded(&sol, 10.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    for r in &reserves[..8] {
        t.borrow(&alice, r, r.amount(10.0)).await;
    }
    let obligation = t.obligation_state(&alice).await;
    assert_eq!(obligation.active_borrows().len(), 8);
    assert_error!(t, t.try_borrow(&alice, &reserves[8], reserves[8].amount(1.0)), BallastError::ObligationBorrowsFull);
    // Repaying one in the middle keeps the others in order and frees a slot.
    t.repay(&alice, &alice, &reserves[3], u64::MAX).await;
    let order: Vec<_> = t.obligation_state(&alice).await.active_borrows().iter().map(|b| b.reserve).collect();
    let expected: Vec<_> = reserves[..8].iter().filter(|r| r.key != reserves[3].key).map(|r| r.key).collect();
    assert_eq!(order, expected);
    t.borrow(&alice, &reserves[8], reserves[8].amount(1.0)).await;
    t.assert_invariants().await;
}
