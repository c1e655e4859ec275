//! Defect 8: every Token-2022 extension that could block repay or liquidation, or break vault accounting, is
//! refused by name; the ones that cannot are accepted, and so is a freeze authority (README "Tokens").
use ballast_tests::{
    tokens::{Extension, MintKind},
    *,
};
use test_case::test_case;

#[test_case(MintKind::Token2022TransferFee(50), BallastError::MintHasTransferFee ; "transfer fee")]
#[test_case(MintKind::Token2022With(Extension::TransferHook), BallastError::MintHasTransferHook ; "transfer hook")]
#[test_case(MintKind::Token2022With(Extension::PermanentDelegate), BallastError::MintHasPermanentDelegate ; "permanent delegate")]
#[test_case(MintKind::Token2022With(Extension::NonTransferable), BallastError::MintIsNonTransferable ; "non transferable")]
#[test_case(MintKind::Token2022With(Extension::ConfidentialTransfers), BallastError::MintHasConfidentialTransfers ; "confidential transfers")]
#[test_case(MintKind::Token2022With(Extension::Pausable), BallastError::MintIsPausable ; "pausable")]
#[test_case(MintKind::Token2022With(Extension::DefaultFrozen), BallastError::MintDefaultAccountFrozen ; "default frozen")]
#[test_case(MintKind::Token2022With(Extension::MintCloseAuthority), BallastError::MintHasCloseAuthority ; "mint close authority")]
#[tokio::test]
async fn init_reserve_fails_for_a_refused_token_2022_extension(kind: MintKind, expected: BallastError) {
    let mut t = TestContext::new().await;
    let result = t.reserve(Asset::Usdc).mint_kind(kind).try_build().await;
    assert_program_error(result.map(|_| ()), expected);
    assert!(t.reserves.is_empty(), "no reserve was created");
    let admin_account = *t.token_accounts.last().unwrap();
    assert_eq!(t.balance(&admin_account).await, 1_000_000, "the admin's seed never left");
    t.assert_invariants().await;
}

/// New accounts that start initialized are ordinary; a freeze authority is the issuer's power over its own asset
/// (as on USDC). These reserves work end to end.
#[test_case(MintKind::Token2022With(Extension::DefaultInitialized) ; "default initialized")]
#[test_case(MintKind::SplTokenFreezable ; "freeze authority")]
#[tokio::test]
async fn token_reserve_succeeds_with_an_accepted_mint(kind: MintKind) {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).mint_kind(kind).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 10.0).funded(&usdc, 10.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(1_000.0)).await;
    t.repay(&alice, &alice, &usdc, u64::MAX).await;
    assert!(t.obligation_state(&alice).await.active_borrows().is_empty());
    t.assert_invariants().await;
}
