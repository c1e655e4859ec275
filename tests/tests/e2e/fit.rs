//! Mainnet's limits: every transaction the harness sends is checked against 1,232 bytes and 64 account locks
//! (program-test enforces neither). An obligation with 8 deposits and 8 borrows over 16 distinct reserves is
//! borrowed against, withdrawn from and liquidated through v0 transactions that load accounts from the
//! market's lookup table.
use ballast_sdk::tx::{MAX_ACCOUNT_LOCKS, MAX_TX_BYTES};
use ballast_tests::*;

const COLLATERAL: [&str; 8] = ["CA", "CB", "CC", "CD", "CE", "CF", "CG", "CH"];
const DEBT: [&str; 8] = ["DA", "DB", "DC", "DD", "DE", "DF", "DG", "DH"];

struct Full {
    t: TestContext,
    collateral: Vec<ReserveInfo>,
    debt: Vec<ReserveInfo>,
    alice: User,
}

/// Alice pledges $1,000 in each of 8 collateral reserves ($1 tokens, LTV 80%) and borrows $400 from each of 8
/// debt reserves: 16 distinct reserves, $8,000 of collateral against $3,200 of debt.
async fn full_obligation(with_table: bool) -> Full {
    let mut t = TestContext::new().await;
    let mut collateral = vec![];
    for name in COLLATERAL {
        collateral.push(t.reserve(Asset::Custom(name, 6, 1.0)).build().await);
    }
    let mut debt = vec![];
    for name in DEBT {
        debt.push(t.reserve(Asset::Custom(name, 6, 1.0)).liquidity(10_000.0).build().await);
    }
    if with_table {
        t.create_lookup_table().await;
    }
    let mut builder = t.user();
    for r in &collateral {
        builder = builder.funded(r, 1_000.0);
    }
    for r in &debt {
        builder = builder.funded(r, 100.0);
    }
    let alice = builder.build().await;
    for r in &collateral {
        t.deposit_liquidity_and_collateral(&alice, r, r.amount(1_000.0)).await;
    }
    for r in &debt[..7] {
        t.borrow(&alice, r, r.amount(400.0)).await;
    }
    Full { t, collateral, debt, alice }
}

fn assert_v0_fits(t: &TestContext) {
    let fit = *t.fits.last().unwrap();
    assert!(fit.versioned, "loaded accounts from the lookup table: {fit:?}");
    assert!(fit.bytes <= MAX_TX_BYTES && fit.locks <= MAX_ACCOUNT_LOCKS, "{fit:?}");
    eprintln!("v0 transaction: {} bytes, {} account locks ({} writable)", fit.bytes, fit.locks, fit.writable);
}

/// Without the table the eighth borrow (16 health pairs) does not fit a legacy transaction, and the harness
/// refuses to send what mainnet would refuse.
#[tokio::test]
#[should_panic(expected = "mainnet would refuse this transaction")]
async fn borrow_fails_to_fit_a_legacy_transaction_at_eight_and_eight() {
    let Full { mut t, debt, alice, .. } = full_obligation(false).await;
    let _ = t.try_borrow(&alice, &debt[7], debt[7].amount(400.0)).await;
}

#[tokio::test]
async fn borrow_succeeds_at_eight_and_eight_through_the_lookup_table() {
    let Full { mut t, debt, alice, .. } = full_obligation(true).await;
    t.borrow(&alice, &debt[7], debt[7].amount(400.0)).await;
    assert_v0_fits(&t);
    let obligation = t.obligation_state(&alice).await;
    assert_eq!((obligation.active_deposits().len(), obligation.active_borrows().len()), (8, 8));
    assert_eq!(t.balance(&alice.liquidity(&debt[7])).await, debt[7].amount(500.0));
    t.assert_invariants().await;
}

#[tokio::test]
async fn withdraw_collateral_succeeds_at_eight_and_eight_through_the_lookup_table() {
    let Full { mut t, collateral, debt, alice } = full_obligation(true).await;
    t.borrow(&alice, &debt[7], debt[7].amount(400.0)).await;
    let ctokens = t.obligation_state(&alice).await.deposits[3].ctoken_amount / 2;
    t.withdraw_collateral(&alice, &collateral[3], ctokens).await;
    assert_v0_fits(&t);
    t.withdraw_collateral_and_redeem(&alice, &collateral[5], ctokens).await;
    assert_v0_fits(&t);
    assert_eq!(t.balance(&alice.ctokens(&collateral[3])).await, ctokens);
    t.assert_invariants().await;
}

/// Every collateral falls to $0.45: $3,600 × 85% = $3,060 < $3,200 of debt. The liquidation (16 pairs, two
/// reserves' vaults, three liquidator accounts) fits one v0 transaction within 64 locks.
#[tokio::test]
async fn liquidate_succeeds_at_eight_and_eight_through_the_lookup_table() {
    let Full { mut t, collateral, debt, alice } = full_obligation(true).await;
    t.borrow(&alice, &debt[7], debt[7].amount(400.0)).await;
    for r in &collateral {
        t.set_price(r, 0.45);
    }
    let liquidator = t.user().funded(&debt[2], 1_000.0).build().await;
    t.liquidate(&liquidator, &alice, &debt[2], &collateral[6]).await;
    assert_v0_fits(&t);
    assert!(t.balance(&liquidator.ctokens(&collateral[6])).await > 0);
    t.assert_invariants().await;
}
