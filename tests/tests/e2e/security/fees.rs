//! Defect 6: swept fees can leave the fee vault, to any receiver the admin names, and only from there: never
//! from depositors' liquidity, the insurance fund or collateral.
use ballast_tests::*;

/// A 1% origination fee on 5,000 USDC books 50 USDC of protocol fees, which the admin sweeps.
async fn swept() -> (TestContext, ReserveInfo, ReserveInfo, User) {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).origination_fee_bps(100).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 100.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(100.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(5_000.0)).await;
    t.try_sweep_fees(&usdc).await.unwrap();
    assert_eq!(t.balance(&usdc.fee_vault).await, usdc.amount(50.0));
    (t, usdc, sol, alice)
}

#[tokio::test]
async fn withdraw_fees_succeeds_sending_swept_fees_to_a_receiver() {
    let (mut t, usdc, _sol, alice) = swept().await;
    let admin = t.admin.keypair.insecure_clone();
    let treasury = t.create_token_account(&usdc.mint, &Keypair::new().pubkey(), usdc.kind).await;
    let reserve_before = t.reserve_state(&usdc).await;
    let (vault_before, collateral_before) = (t.balance(&usdc.liquidity_vault).await, t.balance(&usdc.collateral_vault).await);

    t.try_withdraw_fees(&admin, &usdc, &treasury, usdc.amount(20.0)).await.unwrap();
    assert_eq!(t.balance(&treasury).await, usdc.amount(20.0));
    t.try_withdraw_fees(&admin, &usdc, &alice.liquidity(&usdc), u64::MAX).await.unwrap(); // the rest
    assert_eq!(t.balance(&usdc.fee_vault).await, 0);
    // Nothing else moved: the reserve's accounting (available liquidity, insurance, debt, cTokens) and its
    // liquidity and collateral vaults are byte for byte as before.
    assert_eq!(bytemuck::bytes_of(&t.reserve_state(&usdc).await), bytemuck::bytes_of(&reserve_before));
    assert_eq!((t.balance(&usdc.liquidity_vault).await, t.balance(&usdc.collateral_vault).await), (vault_before, collateral_before));
    t.assert_invariants().await;
}

#[tokio::test]
async fn withdraw_fees_fails_beyond_the_fee_vault_or_from_another_vault() {
    let (mut t, usdc, sol, alice) = swept().await;
    let admin = t.admin.keypair.insecure_clone();
    let treasury = t.create_token_account(&usdc.mint, &admin.pubkey(), usdc.kind).await;
    let e = BallastError::FeeWithdrawExceedsSwept;
    assert_error!(t, t.try_withdraw_fees(&admin, &usdc, &treasury, usdc.amount(50.0) + 1), e);
    assert_error!(t, t.try_withdraw_fees(&admin, &usdc, &treasury, 0), BallastError::ZeroAmount);
    assert_error!(t, t.try_withdraw_fees(&alice.keypair, &usdc, &treasury, 1), BallastError::NotMarketAdmin);
    // Sending them back into depositors' vault is refused (it would look like a donation).
    assert_error!(t, t.try_withdraw_fees(&admin, &usdc, &usdc.liquidity_vault, 1), BallastError::InvalidLiquidityVault);
    // A receiver of another mint is refused.
    assert_error!(t, t.try_withdraw_fees(&admin, &usdc, &alice.liquidity(&sol), 1), BallastError::InvalidLiquidityMint);

    // Naming the liquidity vault (depositors' liquidity and the insurance fund) or the collateral vault as the
    // source: the fee vault is checked against the reserve.
    let view = ballast_sdk::accounts::ReserveView { key: usdc.key, state: t.reserve_state(&usdc).await };
    for source in [usdc.liquidity_vault, usdc.collateral_vault] {
        let ix = ballast_sdk::ix::withdraw_fees(&admin.pubkey(), &view, &treasury, 1);
        assert_error!(t, t.try_tampered(ix, &[(usdc.fee_vault, source)], &[&admin]), BallastError::InvalidFeeVault);
    }
    t.assert_invariants().await;
}
