use anchor_lang::prelude::AccountMeta;
use ballast_tests::*;

async fn setup() -> (TestContext, ReserveInfo, ReserveInfo, User) {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).liquidity(100.0).build().await;
    let alice = t.user().funded(&sol, 10.0).funded(&usdc, 100.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    (t, usdc, sol, alice)
}

#[tokio::test]
async fn deposit_fails_with_a_reserve_from_another_market() {
    let (mut t, usdc, _sol, alice) = setup().await;
    let other_admin = Keypair::new();
    t.airdrop(&other_admin.pubkey(), 10_000_000_000).await;
    let other_market = t.create_market(&other_admin).await;
    let foreign = t.reserve(Asset::Usdc).market(other_market, other_admin.insecure_clone()).build().await;

    // The foreign reserve presented under this market.
    let ix = t.deposit_ix(&alice, &usdc, usdc.amount(1.0));
    let swaps = [(usdc.key, foreign.key), (usdc.liquidity_vault, foreign.liquidity_vault), (usdc.ctoken_mint, foreign.ctoken_mint), (usdc.collateral_vault, foreign.collateral_vault), (usdc.mint, foreign.mint)];
    assert_error!(t, t.try_tampered(ix, &swaps, &[&alice.keypair]), BallastError::ReserveMarketMismatch);

    // The foreign reserve under its own market, against alice's obligation from this market.
    let ix = t.deposit_collateral_ix(&alice, &usdc, 1);
    let (market, authority) = (t.market, ballast_tests::market_authority(&t.market));
    let mut all = swaps.to_vec();
    all.extend([(market, other_market), (authority, ballast_tests::market_authority(&other_market))]);
    assert_error!(t, t.try_tampered(ix, &all, &[&alice.keypair]), BallastError::ObligationMarketMismatch);
    t.assert_invariants().await;
}

#[tokio::test]
async fn deposit_fails_with_a_wrong_vault_or_ctoken_mint() {
    let (mut t, usdc, sol, alice) = setup().await;
    let ix = t.deposit_ix(&alice, &usdc, usdc.amount(1.0));
    assert_error!(t, t.try_tampered(ix.clone(), &[(usdc.liquidity_vault, sol.liquidity_vault)], &[&alice.keypair]), BallastError::InvalidLiquidityVault);
    assert_error!(t, t.try_tampered(ix.clone(), &[(usdc.ctoken_mint, sol.ctoken_mint)], &[&alice.keypair]), BallastError::InvalidCTokenMint);
    assert_error!(t, t.try_tampered(ix.clone(), &[(usdc.collateral_vault, sol.collateral_vault)], &[&alice.keypair]), BallastError::InvalidCollateralVault);
    assert_error!(t, t.try_tampered(ix.clone(), &[(usdc.mint, sol.mint)], &[&alice.keypair]), BallastError::InvalidLiquidityMint);
    let fake_authority = anchor_lang::prelude::Pubkey::new_unique();
    let authority = ballast_tests::market_authority(&t.market);
    assert_error!(t, t.try_tampered(ix, &[(authority, fake_authority)], &[&alice.keypair]), BallastError::InvalidMarketAuthority);
    t.assert_invariants().await;
}

/// Rewrites the layout version stored in the account at `key` (a Market, Reserve or Obligation), as an
/// account written by a future program version would carry it.
async fn set_version(t: &mut TestContext, key: &anchor_lang::prelude::Pubkey, offset: usize, version: u8) {
    let mut account = t.account(key).await.expect("account exists");
    account.data[8 + offset] = version;
    t.banks.set_account(key, &account.into());
}

#[tokio::test]
async fn deposit_borrow_and_config_fail_on_an_account_of_an_unknown_version() {
    let (mut t, usdc, sol, alice) = setup().await;
    let reserve_version = std::mem::offset_of!(ballast::state::Reserve, version);
    set_version(&mut t, &usdc.key, reserve_version, 2).await;
    assert_error!(t, t.try_deposit(&alice, &usdc, usdc.amount(1.0)), BallastError::UnsupportedAccountVersion);
    let admin = t.admin.keypair.insecure_clone();
    let config = t.reserve_state(&usdc).await.config;
    assert_error!(t, t.try_update_reserve_config(&admin, &usdc, config), BallastError::UnsupportedAccountVersion);
    // A reserve read only as a health account is refused too: borrowing USDC walks SOL's reserve for health.
    set_version(&mut t, &usdc.key, reserve_version, ballast::constants::ACCOUNT_VERSION).await;
    set_version(&mut t, &sol.key, reserve_version, 0).await;
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), BallastError::UnsupportedAccountVersion);
    set_version(&mut t, &sol.key, reserve_version, ballast::constants::ACCOUNT_VERSION).await;
    let obligation_version = std::mem::offset_of!(ballast::state::Obligation, version);
    set_version(&mut t, &alice.obligation, obligation_version, 2).await;
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), BallastError::UnsupportedAccountVersion);
    set_version(&mut t, &alice.obligation, obligation_version, ballast::constants::ACCOUNT_VERSION).await;
    let market = t.market;
    set_version(&mut t, &market, std::mem::offset_of!(ballast::state::Market, version), 2).await;
    assert_error!(t, t.try_deposit(&alice, &usdc, usdc.amount(1.0)), BallastError::UnsupportedAccountVersion);
    set_version(&mut t, &market, std::mem::offset_of!(ballast::state::Market, version), ballast::constants::ACCOUNT_VERSION).await;
    // Known again: the same actions go through.
    t.deposit(&alice, &usdc, usdc.amount(1.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(1.0)).await;
    t.assert_invariants().await;
}

#[tokio::test]
async fn borrow_and_withdraw_fail_for_a_non_owner_signer() {
    let (mut t, usdc, sol, alice) = setup().await;
    let mallory = t.user().build().await;
    // Mallory signs as "owner" of alice's obligation and routes the payout to herself.
    let impostor = User { keypair: mallory.keypair.insecure_clone(), obligation: alice.obligation, accounts: mallory.accounts.clone() };
    assert_error!(t, t.try_borrow(&impostor, &usdc, usdc.amount(1.0)), BallastError::NotObligationOwner);
    assert_error!(t, t.try_withdraw_collateral(&impostor, &sol, 1), BallastError::NotObligationOwner);
    assert_error!(t, t.try_withdraw_collateral_and_redeem(&impostor, &sol, 1), BallastError::NotObligationOwner);
    assert_error!(t, t.try_close_obligation(&impostor), BallastError::NotObligationOwner);
    let admin = t.admin.keypair.insecure_clone();
    let config = t.reserve_state(&usdc).await.config;
    assert_error!(t, t.try_update_reserve_config(&mallory.keypair, &usdc, config), BallastError::NotMarketAdmin);
    t.try_update_reserve_config(&admin, &usdc, config).await.unwrap();
    t.assert_invariants().await;
}

/// Health needs one (reserve, price) pair per distinct position, deposits first: leaving one out,
/// repeating one, adding one, or reordering is rejected, so borrow power can never be overstated.
#[tokio::test]
async fn borrow_fails_with_missing_repeated_or_reordered_health_accounts() {
    let (mut t, usdc, sol, alice) = setup().await;
    let btc = t.reserve(Asset::Btc).build().await;
    t.borrow(&alice, &usdc, usdc.amount(100.0)).await;
    let good = t.health_after_borrow(&alice, &sol).await; // [sol, usdc] pairs; sol is both deposit and borrow
    assert_eq!(good.len(), 4, "a reserve both deposited and borrowed is passed once");

    let missing: Vec<AccountMeta> = good[..2].to_vec();
    assert_error!(t, t.try_borrow_with(&alice, &sol, sol.amount(0.1), missing), BallastError::HealthAccountsMissing);
    let mut repeated = good.clone();
    repeated.extend(good[2..].to_vec());
    assert_error!(t, t.try_borrow_with(&alice, &sol, sol.amount(0.1), repeated), BallastError::HealthAccountMismatch);
    let reordered: Vec<AccountMeta> = [&good[2..], &good[..2]].concat();
    assert_error!(t, t.try_borrow_with(&alice, &sol, sol.amount(0.1), reordered), BallastError::HealthAccountMismatch);
    let mut swapped = good.clone();
    swapped[2] = AccountMeta::new_readonly(btc.key, false);
    swapped[3] = AccountMeta::new_readonly(btc.price_account, false);
    assert_error!(t, t.try_borrow_with(&alice, &sol, sol.amount(0.1), swapped), BallastError::HealthAccountMismatch);
    t.try_borrow_with(&alice, &sol, sol.amount(0.1), good).await.unwrap();
    t.assert_invariants().await;
}

#[test_case::test_case(0 ; "deposit")]
#[test_case::test_case(1 ; "redeem")]
#[test_case::test_case(2 ; "deposit collateral")]
#[test_case::test_case(3 ; "withdraw collateral")]
#[test_case::test_case(4 ; "deposit liquidity and collateral")]
#[test_case::test_case(5 ; "withdraw collateral and redeem")]
#[test_case::test_case(6 ; "borrow")]
#[test_case::test_case(7 ; "repay")]
#[tokio::test]
async fn every_action_fails_with_a_zero_amount(action: u8) {
    let (mut t, usdc, sol, alice) = setup().await;
    t.borrow(&alice, &usdc, usdc.amount(10.0)).await;
    match action {
        0 => assert_error!(t, t.try_deposit(&alice, &usdc, 0), BallastError::ZeroAmount),
        1 => assert_error!(t, t.try_redeem(&alice, &usdc, 0), BallastError::ZeroAmount),
        2 => assert_error!(t, t.try_deposit_collateral(&alice, &sol, 0), BallastError::ZeroAmount),
        3 => assert_error!(t, t.try_withdraw_collateral(&alice, &sol, 0), BallastError::ZeroAmount),
        4 => assert_error!(t, t.try_deposit_liquidity_and_collateral(&alice, &sol, 0), BallastError::ZeroAmount),
        5 => assert_error!(t, t.try_withdraw_collateral_and_redeem(&alice, &sol, 0), BallastError::ZeroAmount),
        6 => assert_error!(t, t.try_borrow(&alice, &usdc, 0), BallastError::ZeroAmount),
        _ => assert_error!(t, t.try_repay(&alice, &alice, &usdc, 0), BallastError::ZeroAmount),
    }
    t.assert_invariants().await;
}

/// The market keeps its authority's address (checking it costs nothing); a market written before it did holds
/// zeros there and has the address derived from its bump, as before. Either way a wrong authority is refused.
#[tokio::test]
async fn borrow_succeeds_with_the_authority_stored_or_derived() {
    let (mut t, usdc, _sol, alice) = setup().await;
    let authority = ballast_tests::market_authority(&t.market);
    assert_eq!(t.market_state().await.authority, authority, "init stores the authority PDA");
    t.borrow(&alice, &usdc, usdc.amount(10.0)).await;

    // A market from before the field: zeros, so every instruction derives the address.
    let mut account = t.account(&t.market.clone()).await.expect("market exists");
    let at = 8 + std::mem::offset_of!(ballast::state::Market, authority);
    account.data[at..at + 32].fill(0);
    t.banks.set_account(&t.market, &account.into());
    let wallet = alice.liquidity(&usdc);
    let before = t.balance(&wallet).await;
    t.borrow(&alice, &usdc, usdc.amount(10.0)).await;
    assert_eq!(t.balance(&wallet).await, before + usdc.amount(10.0));
    let ix = t.deposit_ix(&alice, &usdc, usdc.amount(1.0));
    let fake_authority = anchor_lang::prelude::Pubkey::new_unique();
    assert_error!(t, t.try_tampered(ix, &[(authority, fake_authority)], &[&alice.keypair]), BallastError::InvalidMarketAuthority);
    assert_eq!(t.balance(&wallet).await, before + usdc.amount(10.0), "the refused deposit moved nothing");
    t.assert_invariants().await;
}
