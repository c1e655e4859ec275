use ballast::{
    math::Fraction,
    state::{FLAG_FLASH_ENABLED, FLAG_PAUSED},
};
use ballast_tests::{flash::through_cpi, *};
use test_case::test_case;

/// SPL Token's `InsufficientFunds` error code.
const TOKEN_INSUFFICIENT_FUNDS: u32 = 1;

/// USDC (10,001 in the pool) and SOL (101 in the pool), both with flash loans at 9 bps, interest shared
/// 10% protocol / 5% insurance (so the fee splits 2:1); alice holds 10 USDC and 1 SOL for fees.
async fn flash_market() -> (TestContext, ReserveInfo, ReserveInfo, User) {
    let mut t = TestContext::new().await;
    let enable = |c: &mut ballast::state::ReserveConfig| {
        c.flags |= FLAG_FLASH_ENABLED;
        c.flash_fee_bps = 9;
    };
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).config(enable).build().await;
    let sol = t.reserve(Asset::Sol).liquidity(100.0).config(enable).build().await;
    let alice = t.user().funded(&usdc, 10.0).funded(&sol, 1.0).build().await;
    (t, usdc, sol, alice)
}

/// fee = ceil(amount × 9 / 10000); protocol fees get floor(fee × 1000 / 1500), insurance the rest.
#[test_case(1_000_000_000, 900_000, 600_000, 300_000 ; "1,000 USDC")]
#[test_case(1_000_001, 901, 600, 301 ; "fee rounded up")]
#[test_case(1, 1, 0, 1 ; "one unit still pays one unit")]
#[test_case(10_001_000_000, 9_000_900, 6_000_600, 3_000_300 ; "the whole pool")]
#[tokio::test]
async fn flash_loan_succeeds_and_pays_the_fee(amount: u64, fee: u64, to_protocol: u64, to_insurance: u64) {
    let (mut t, usdc, _sol, alice) = flash_market().await;
    let before = t.reserve_state(&usdc).await;
    let alice_before = t.balance(&alice.liquidity(&usdc)).await;
    let vault_before = t.balance(&usdc.liquidity_vault).await;

    t.flash(&alice, &usdc, amount).await;

    assert_eq!(alice_before - t.balance(&alice.liquidity(&usdc)).await, fee, "alice pays exactly the fee");
    assert_eq!(t.balance(&usdc.liquidity_vault).await - vault_before, fee);
    let after = t.reserve_state(&usdc).await;
    assert_eq!(after.available_liquidity, before.available_liquidity + fee);
    assert_eq!(after.protocol_fees_sf.get() - before.protocol_fees_sf.get(), Fraction::from_num(to_protocol));
    assert_eq!(after.insurance_fund_sf.get() - before.insurance_fund_sf.get(), Fraction::from_num(to_insurance));
    assert_eq!(after.total_liquidity().unwrap(), before.total_liquidity().unwrap(), "depositors neither gain nor lose");
    assert_eq!(after.flash_loan_amount, 0, "the loan is closed");
    t.assert_invariants().await;
}

/// One loan per reserve, not per transaction: loans on two reserves may nest.
#[tokio::test]
async fn flash_loan_succeeds_on_two_reserves_in_one_transaction() {
    let (mut t, usdc, sol, alice) = flash_market().await;
    let (usdc_amount, sol_amount) = (usdc.amount(1_000.0), sol.amount(10.0));
    let ixs = [
        t.flash_borrow_ix(&alice, &usdc, usdc_amount),
        t.flash_borrow_ix(&alice, &sol, sol_amount),
        t.flash_repay_ix(&alice, &sol, sol_amount),
        t.flash_repay_ix(&alice, &usdc, usdc_amount),
    ];
    t.try_in_one_transaction(&alice, &ixs).await.unwrap();
    assert_eq!(t.balance(&alice.liquidity(&usdc)).await, usdc.amount(10.0) - 900_000);
    assert_eq!(t.balance(&alice.liquidity(&sol)).await, sol.amount(1.0) - 9_000_000);
    t.assert_invariants().await;
}

/// While the principal is out, the cToken exchange rate must not drop: otherwise a borrower could deposit
/// cheaply in the middle of the loan and redeem for more after it.
#[tokio::test]
async fn flash_borrow_succeeds_without_moving_the_ctoken_exchange_rate() {
    let (mut t, usdc, _sol, alice) = flash_market().await;
    let deposit = usdc.amount(1.0); // alice keeps 9 USDC for the 8.1 USDC fee
    let fair_ctokens = t.reserve_state(&usdc).await.liquidity_to_ctokens_floor(deposit).unwrap();
    let loan = usdc.amount(9_000.0);
    let ixs = [t.flash_borrow_ix(&alice, &usdc, loan), t.deposit_ix(&alice, &usdc, deposit), t.flash_repay_ix(&alice, &usdc, loan)];
    t.try_in_one_transaction(&alice, &ixs).await.unwrap();
    assert_eq!(t.balance(&alice.ctokens(&usdc)).await, fair_ctokens);

    let before = t.balance(&alice.liquidity(&usdc)).await;
    t.redeem(&alice, &usdc, fair_ctokens).await;
    let back = t.balance(&alice.liquidity(&usdc)).await - before;
    assert!(back <= deposit && back + 1 >= deposit, "redeemed {back} for a deposit of {deposit}");
    t.assert_invariants().await;
}

#[tokio::test]
async fn flash_borrow_fails_without_a_repay() {
    let (mut t, usdc, _sol, alice) = flash_market().await;
    let amount = usdc.amount(1_000.0);
    let borrow = t.flash_borrow_ix(&alice, &usdc, amount);
    assert_error!(t, t.try_in_one_transaction(&alice, &[borrow.clone()]), BallastError::FlashRepayMissing);
    // A repay that is not a top-level Ballast instruction does not count.
    let hidden_repay = through_cpi(t.flash_repay_ix(&alice, &usdc, amount));
    assert_error!(t, t.try_in_one_transaction(&alice, &[borrow, hidden_repay]), BallastError::FlashRepayMissing);
    t.assert_invariants().await;
}

#[tokio::test]
async fn flash_borrow_fails_when_the_repay_amount_differs() {
    let (mut t, usdc, _sol, alice) = flash_market().await;
    let amount = usdc.amount(1_000.0);
    assert_error!(t, t.try_flash(&alice, &usdc, amount, &usdc, amount - 1), BallastError::FlashRepayAmountMismatch);
    assert_error!(t, t.try_flash(&alice, &usdc, amount, &usdc, amount + 1), BallastError::FlashRepayAmountMismatch);
    t.assert_invariants().await;
}

#[tokio::test]
async fn flash_borrow_fails_when_the_repay_names_another_reserve() {
    let (mut t, usdc, sol, alice) = flash_market().await;
    let amount = usdc.amount(1.0);
    assert_error!(t, t.try_flash(&alice, &usdc, amount, &sol, amount), BallastError::FlashRepayWrongReserve);
    t.assert_invariants().await;
}

/// A real CPI: a test-only native program (registered in every `TestContext`) forwards the instruction to
/// Ballast, so the stack height is 2 and the sysvar's current instruction belongs to the proxy. Not covered:
/// the SBF runtime itself (no SBF toolchain here); the stack height comes from solana-program-test's stub.
#[tokio::test]
async fn flash_borrow_fails_through_cpi() {
    let (mut t, usdc, _sol, alice) = flash_market().await;
    let amount = usdc.amount(1_000.0);
    // The proxy itself works: a deposit through it succeeds.
    let deposit = through_cpi(t.deposit_ix(&alice, &usdc, usdc.amount(1.0)));
    t.try_in_one_transaction(&alice, &[deposit]).await.unwrap();

    let ixs = [through_cpi(t.flash_borrow_ix(&alice, &usdc, amount)), t.flash_repay_ix(&alice, &usdc, amount)];
    assert_error!(t, t.try_in_one_transaction(&alice, &ixs), BallastError::FlashLoanCpiForbidden);
    // flash_repay is top level only as well: after a closed loan only the CPI check can reject this one
    // first (it would otherwise fail with FlashRepayWithoutBorrow).
    let ixs = [
        t.flash_borrow_ix(&alice, &usdc, amount),
        t.flash_repay_ix(&alice, &usdc, amount),
        through_cpi(t.flash_repay_ix(&alice, &usdc, amount)),
    ];
    assert_error!(t, t.try_in_one_transaction(&alice, &ixs), BallastError::FlashLoanCpiForbidden);
    t.assert_invariants().await;
}

#[tokio::test]
async fn flash_borrow_fails_a_second_time_on_one_reserve_in_one_transaction() {
    let (mut t, usdc, _sol, alice) = flash_market().await;
    let amount = usdc.amount(100.0);
    let borrow = t.flash_borrow_ix(&alice, &usdc, amount);
    let repay = t.flash_repay_ix(&alice, &usdc, amount);
    let nested = [borrow.clone(), borrow.clone(), repay.clone()];
    assert_error!(t, t.try_in_one_transaction(&alice, &nested), BallastError::FlashLoanAlreadyActive);
    let nested_two_repays = [borrow.clone(), borrow.clone(), repay.clone(), repay.clone()];
    assert_error!(t, t.try_in_one_transaction(&alice, &nested_two_repays), BallastError::FlashLoanAlreadyActive);
    // Even after the first loan closed: the sysvar shows an earlier flash_borrow of this reserve.
    let sequential = [borrow.clone(), repay.clone(), borrow, repay];
    assert_error!(t, t.try_in_one_transaction(&alice, &sequential), BallastError::FlashLoanAlreadyActive);
    t.assert_invariants().await;
}

#[tokio::test]
async fn flash_repay_fails_without_a_borrow() {
    let (mut t, usdc, _sol, alice) = flash_market().await;
    let repay = t.flash_repay_ix(&alice, &usdc, usdc.amount(1.0));
    assert_error!(t, t.try_in_one_transaction(&alice, &[repay]), BallastError::FlashRepayWithoutBorrow);
    t.assert_invariants().await;
}

#[tokio::test]
async fn flash_borrow_fails_when_flash_loans_are_disabled() {
    let (mut t, _usdc, _sol, _alice) = flash_market().await;
    let btc = t.reserve(Asset::Btc).liquidity(10.0).build().await; // default config: flash loans off
    let bob = t.user().funded(&btc, 1.0).build().await;
    let amount = btc.amount(1.0);
    assert_error!(t, t.try_flash(&bob, &btc, amount, &btc, amount), BallastError::FlashLoansDisabled);
    t.assert_invariants().await;
}

#[tokio::test]
async fn flash_borrow_fails_while_the_reserve_is_paused() {
    let (mut t, usdc, _sol, alice) = flash_market().await;
    let admin = t.admin.keypair.insecure_clone();
    let mut config = t.reserve_state(&usdc).await.config;
    config.flags |= FLAG_PAUSED;
    t.try_update_reserve_config(&admin, &usdc, config).await.unwrap();
    let amount = usdc.amount(1_000.0);
    assert_error!(t, t.try_flash(&alice, &usdc, amount, &usdc, amount), BallastError::ReservePaused);
    // Unpausing loosens risk: it is queued and applied after the timelock (0 in tests).
    config.flags &= !FLAG_PAUSED;
    t.try_queue_reserve_config(&admin, &usdc, config).await.unwrap();
    t.try_apply_pending_reserve_config(&usdc).await.unwrap();
    t.flash(&alice, &usdc, amount).await;
    t.assert_invariants().await;
}

/// Reduce-only lets positions shrink; a flash loan is not one of those, so it is refused too.
#[tokio::test]
async fn flash_borrow_fails_on_a_reduce_only_reserve() {
    let (mut t, usdc, _sol, alice) = flash_market().await;
    t.try_edit_reserve_config(&usdc, |c| c.flags |= ballast::state::FLAG_REDUCE_ONLY).await.unwrap();
    let amount = usdc.amount(1_000.0);
    assert_error!(t, t.try_flash(&alice, &usdc, amount, &usdc, amount), BallastError::ReserveReduceOnly);
    t.assert_invariants().await;
}

#[tokio::test]
async fn flash_borrow_fails_in_market_emergency_mode() {
    let (mut t, usdc, _sol, alice) = flash_market().await;
    let amount = usdc.amount(1_000.0);
    t.set_market_emergency(true).await;
    assert_error!(t, t.try_flash(&alice, &usdc, amount, &usdc, amount), BallastError::MarketEmergencyMode);
    t.set_market_emergency(false).await;
    t.flash(&alice, &usdc, amount).await;
    t.assert_invariants().await;
}

#[tokio::test]
async fn flash_borrow_fails_for_zero_or_more_than_the_available_liquidity() {
    let (mut t, usdc, _sol, alice) = flash_market().await;
    assert_error!(t, t.try_flash(&alice, &usdc, 0, &usdc, 0), BallastError::ZeroAmount);
    let too_much = t.reserve_state(&usdc).await.available_liquidity + 1;
    assert_error!(t, t.try_flash(&alice, &usdc, too_much, &usdc, too_much), BallastError::InsufficientLiquidity);
    t.assert_invariants().await;
}

/// The borrower must bring the fee: with nothing of her own, the repay's transfer fails and the whole
/// transaction, loan included, is undone.
#[tokio::test]
async fn flash_repay_fails_when_the_user_cannot_pay_the_fee() {
    let (mut t, usdc, _sol, _alice) = flash_market().await;
    let broke = t.user().build().await;
    let amount = usdc.amount(1_000.0);
    assert_error!(t, t.try_flash(&broke, &usdc, amount, &usdc, amount), TOKEN_INSUFFICIENT_FUNDS);
    t.assert_invariants().await;
}
