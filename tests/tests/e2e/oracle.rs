use ballast_tests::*;
use test_case::test_case;

#[derive(Debug, Clone, Copy)]
enum Fault {
    Stale,
    WideConfidence,
    WrongFeed,
    Unverified,
    EmaDivergence,
    OtherReservesOracle,
}

async fn apply(t: &mut TestContext, sol: &ReserveInfo, usdc: &ReserveInfo, fault: Fault) {
    let spec = t.price_spec(sol);
    match fault {
        Fault::Stale => {
            t.freeze_price(sol);
            t.advance(61).await;
        }
        Fault::WideConfidence => t.set_price_spec(sol, PriceSpec { conf: spec.price as u64 / 40, ..spec }), // 2.5% > 2%
        Fault::WrongFeed => t.set_price_spec(sol, PriceSpec { feed_id: [0xee; 32], ..spec }),
        Fault::Unverified => t.set_price_spec(sol, PriceSpec { verified: false, ..spec }),
        Fault::EmaDivergence => t.set_price_spec(sol, PriceSpec { ema_price: spec.price / 100 * 94, ..spec }), // 6% > 5%
        // Sol's price account now carries a valid USDC update: only the address check can catch it.
        Fault::OtherReservesOracle => {
            let usdc_spec = t.price_spec(usdc);
            t.write_price_at(&sol.price_account.clone(), PriceSpec { ..usdc_spec });
        }
    }
}

/// Each oracle failure blocks borrow and withdraw with its own error; repay and deposit go on.
#[test_case(Fault::Stale, BallastError::OracleStale ; "stale")]
#[test_case(Fault::WideConfidence, BallastError::OracleConfidenceTooWide ; "wide confidence")]
#[test_case(Fault::WrongFeed, BallastError::OracleFeedIdMismatch ; "wrong feed id")]
#[test_case(Fault::Unverified, BallastError::OracleNotFullyVerified ; "unverified")]
#[test_case(Fault::EmaDivergence, BallastError::OracleEmaDivergence ; "ema divergence")]
#[tokio::test]
async fn borrow_and_withdraw_fail_on_a_bad_price_while_repay_and_deposit_succeed(fault: Fault, expected: BallastError) {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 11.0).funded(&usdc, 50.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(100.0)).await;

    apply(&mut t, &sol, &usdc, fault).await;
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), expected);
    assert_error!(t, t.try_withdraw_collateral(&alice, &sol, sol.amount(1.0)), expected);

    t.repay(&alice, &alice, &usdc, usdc.amount(10.0)).await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(1.0)).await;
    t.deposit(&alice, &usdc, usdc.amount(10.0)).await;
    t.assert_invariants().await;
}

/// Passing another reserve's price account in a reserve's slot is caught by address, before any price is read.
#[tokio::test]
async fn borrow_fails_with_another_reserves_oracle_account() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 10.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    let mut health = t.health_after_borrow(&alice, &usdc).await;
    health[1].pubkey = usdc.price_account; // SOL's pair now points at the USDC oracle
    assert_error!(t, t.try_borrow_with(&alice, &usdc, usdc.amount(10.0), health.clone()), BallastError::OracleAccountMismatch);
    t.assert_invariants().await;
}

/// A price update written under the right address but not by the Pyth receiver is refused.
#[tokio::test]
async fn borrow_fails_with_a_price_account_not_owned_by_pyth() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 10.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    let mut account = t.account(&sol.price_account).await.unwrap();
    account.owner = anchor_lang::prelude::Pubkey::new_unique();
    t.banks.set_account(&sol.price_account, &account.into());
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(10.0)), BallastError::OracleInvalidOwner);
    t.assert_invariants().await;
}

#[test_case(Fault::OtherReservesOracle ; "a valid update for another feed at this address")]
#[tokio::test]
async fn borrow_fails_when_the_update_carries_another_feed(fault: Fault) {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 10.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    apply(&mut t, &sol, &usdc, fault).await;
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(10.0)), BallastError::OracleFeedIdMismatch);
    t.assert_invariants().await;
}

/// A withdraw with no debt needs no price at all, so a stale oracle never traps collateral.
#[tokio::test]
async fn withdraw_succeeds_with_a_stale_price_when_there_is_no_debt() {
    let mut t = TestContext::new().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 10.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    t.freeze_price(&sol);
    t.advance(3_600).await;
    t.withdraw_collateral_and_redeem(&alice, &sol, sol.amount(10.0)).await;
    assert_eq!(t.balance(&alice.liquidity(&sol)).await, sol.amount(10.0));
    t.assert_invariants().await;
}

/// Confidence and EMA bias the prices used for borrow power: a wide (but accepted) band lowers it.
#[tokio::test]
async fn borrow_power_shrinks_with_confidence_and_volatility() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 10.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    // conf 1% of spot, EMA 2% above spot: price_low = 150 × 0.99 = 148.5; haircut 1 − (2/153 + 1%) on LTV.
    let spec = t.price_spec(&sol);
    t.set_price_spec(&sol, PriceSpec { conf: 150_000_000, ema_price: 15_300_000_000, ..spec });
    let haircut = 1.0 - (3.0 / 153.0 + 0.01);
    let power = 10.0 * 148.5 * 0.8 * haircut;
    let max = usdc.amount(power) ;
    assert_error!(t, t.try_borrow(&alice, &usdc, max + 2), BallastError::BorrowExceedsLtv);
    t.borrow(&alice, &usdc, max - 2).await;
    t.assert_invariants().await;
}
