//! Token-2022 mints that pass the extension check work end to end (the refused ones: `exploits::regressions::tokens`).
use ballast_tests::{tokens::MintKind, *};

/// A plain Token-2022 mint works end to end: deposit, pledge, borrow against it, repay, withdraw, redeem.
#[tokio::test]
async fn token_2022_reserve_succeeds_end_to_end() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).mint_kind(MintKind::Token2022).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).mint_kind(MintKind::Token2022).build().await;
    let alice = t.user().funded(&sol, 10.0).funded(&usdc, 10.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(1_000.0)).await;
    assert_eq!(t.balance(&alice.liquidity(&usdc)).await, usdc.amount(1_010.0));
    t.advance(86_400).await;
    t.repay(&alice, &alice, &usdc, u64::MAX).await;
    assert!(t.balance(&alice.liquidity(&usdc)).await < usdc.amount(10.0), "a day of interest was paid");
    t.withdraw_collateral_and_redeem(&alice, &sol, sol.amount(10.0)).await;
    assert_eq!(t.balance(&alice.liquidity(&sol)).await, sol.amount(10.0));
    t.assert_invariants().await;
}
