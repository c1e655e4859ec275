use ballast_tests::{tokens::MintKind, *};

#[tokio::test]
async fn init_reserve_fails_for_a_token_2022_mint_with_a_transfer_fee() {
    let mut t = TestContext::new().await;
    let result = t.reserve(Asset::Usdc).mint_kind(MintKind::Token2022TransferFee(50)).try_build().await;
    assert_program_error(result.map(|_| ()), BallastError::MintHasTransferFee);
    assert!(t.reserves.is_empty(), "no reserve was created");
    // The admin's seed tokens never left: its only token account still holds everything minted to it.
    let admin_account = *t.token_accounts.last().unwrap();
    assert_eq!(t.balance(&admin_account).await, 1_000_000);
}

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
