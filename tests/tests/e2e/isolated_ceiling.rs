//! The market-wide debt ceiling of isolated collateral: what is borrowed against an isolated asset as sole
//! collateral counts toward it (amount plus origination fee, at the borrowed asset's spot price); repay,
//! liquidation and bad-debt write-off release the count, and only borrow is ever refused by it.
use anchor_lang::prelude::AccountMeta;
use ballast::state::{MarketConfig, FLAG_ISOLATED};
use ballast_tests::*;
use solana_program_test::BanksClientError;

/// Micro-quote per quote unit: the unit of ceilings, usage and counts.
const MICRO_QUOTE: u64 = 1_000_000;
const CEILING: u64 = 1_000 * MICRO_QUOTE;
const TIMELOCK_SECS: i64 = 3_600;

struct Setup {
    t: TestContext,
    usdc: ReserveInfo,
    meme: ReserveInfo,
    sol: ReserveInfo,
    alice: User,
    bob: User,
    liquidator: User,
}

/// USDC ($1, 1% origination fee) lends against MEME ($1, isolated, LTV 80%, ceiling $1,000). Alice and bob
/// each pledge 1,000 MEME: $800 of borrow power apiece, $1,000 of isolated debt between them.
async fn setup_with(market: MarketConfig) -> Setup {
    let mut t = TestContext::with_market_config(market).await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).origination_fee_bps(100).build().await;
    let meme = isolated_reserve(&mut t, "MEME").await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&meme, 1_000.0).funded(&usdc, 100.0).funded(&sol, 5.0).build().await;
    let bob = t.user().funded(&meme, 1_000.0).funded(&usdc, 100.0).build().await;
    let liquidator = t.user().funded(&usdc, 10_000.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &meme, meme.amount(1_000.0)).await;
    t.deposit_liquidity_and_collateral(&bob, &meme, meme.amount(1_000.0)).await;
    Setup { t, usdc, meme, sol, alice, bob, liquidator }
}

async fn setup() -> Setup {
    setup_with(default_market_config()).await
}

/// A $1 token with 6 decimals and 1,000 of it to lend, flagged isolated with a $1,000 ceiling.
async fn isolated_reserve(t: &mut TestContext, symbol: &'static str) -> ReserveInfo {
    t.reserve(Asset::Custom(symbol, 6, 1.0))
        .liquidity(1_000.0)
        .config(|c| {
            c.flags |= FLAG_ISOLATED;
            c.isolated_debt_ceiling_micro_quote = CEILING;
        })
        .build()
        .await
}

/// The reserve's isolated debt usage, micro-quote.
async fn usage(t: &mut TestContext, r: &ReserveInfo) -> u64 {
    t.reserve_state(r).await.isolated_debt_usage_micro_quote
}

/// What `user`'s obligation counts against its isolated reserve, micro-quote.
async fn counted(t: &mut TestContext, user: &User) -> u64 {
    t.obligation_state(user).await.isolated_debt_micro_quote.iter().sum()
}

/// The risk council sets the reserve's isolated debt ceiling at once.
async fn council_sets_ceiling(t: &mut TestContext, r: &ReserveInfo, ceiling: u64) -> Result<(), BanksClientError> {
    let council = t.risk_council.insecure_clone();
    let mut config = t.reserve_config(r).await;
    config.isolated_debt_ceiling_micro_quote = ceiling;
    t.try_tighten_reserve_config(&council, r, config).await
}

#[tokio::test]
async fn borrow_fails_past_the_isolated_debt_ceiling_shared_by_two_obligations() {
    let Setup { mut t, usdc, meme, alice, bob, .. } = setup().await;
    t.borrow(&alice, &usdc, usdc.amount(500.0)).await; // counts 505 with the 1% fee
    t.borrow(&bob, &usdc, usdc.amount(490.0)).await; // 494.9
    assert_eq!(usage(&mut t, &meme).await, 999_900_000);
    let obligation = t.obligation_state(&alice).await;
    assert_eq!((obligation.isolated_reserve, obligation.isolated_debt_micro_quote[0]), (meme.key, 505 * MICRO_QUOTE));

    // 0.1 USDC would just fit; with its origination fee it does not.
    assert_error!(t, t.try_borrow(&bob, &usdc, usdc.amount(0.1)), BallastError::IsolatedDebtCeilingExceeded);
    t.borrow(&bob, &usdc, usdc.amount(0.099)).await; // 0.09999
    assert_eq!(usage(&mut t, &meme).await, CEILING - 10);
    // Alice still has $295 of borrow power, but the ceiling is shared market-wide.
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), BallastError::IsolatedDebtCeilingExceeded);
    t.assert_invariants().await;
}

#[tokio::test]
async fn repay_succeeds_releasing_isolated_debt_for_new_borrows() {
    let Setup { mut t, usdc, meme, alice, bob, .. } = setup().await;
    t.borrow(&alice, &usdc, usdc.amount(500.0)).await; // 505
    t.borrow(&bob, &usdc, usdc.amount(490.0)).await; // 494.9
    assert_error!(t, t.try_borrow(&bob, &usdc, usdc.amount(1.0)), BallastError::IsolatedDebtCeilingExceeded);

    // Half the debt repaid releases half the count.
    t.repay(&alice, &alice, &usdc, usdc.amount(252.5)).await;
    assert_eq!(counted(&mut t, &alice).await, 252_500_000);
    assert_eq!(usage(&mut t, &meme).await, 747_400_000);
    t.borrow(&bob, &usdc, usdc.amount(1.0)).await; // 1.01

    // Repaying in full releases the rest and frees the obligation from the isolated reserve.
    t.repay(&alice, &alice, &usdc, u64::MAX).await;
    let obligation = t.obligation_state(&alice).await;
    assert_eq!((obligation.isolated_reserve, counted(&mut t, &alice).await), (Default::default(), 0));
    assert_eq!(usage(&mut t, &meme).await, 495_910_000);
    t.assert_invariants().await;
}

/// Borrowing the isolated asset itself counts too; the reserve is then held by the instruction, not passed.
#[tokio::test]
async fn repay_succeeds_releasing_isolated_debt_borrowed_from_the_isolated_reserve_itself() {
    let Setup { mut t, meme, alice, .. } = setup().await;
    t.borrow(&alice, &meme, meme.amount(100.0)).await;
    assert_eq!(usage(&mut t, &meme).await, 100 * MICRO_QUOTE);
    t.repay(&alice, &alice, &meme, meme.amount(40.0)).await;
    assert_eq!(usage(&mut t, &meme).await, 60 * MICRO_QUOTE);
    t.repay(&alice, &alice, &meme, u64::MAX).await;
    assert_eq!(usage(&mut t, &meme).await, 0);
    t.assert_invariants().await;
}

#[tokio::test]
async fn repay_fails_without_the_isolated_reserve_account() {
    let Setup { mut t, usdc, meme, sol, alice, .. } = setup().await;
    t.borrow(&alice, &usdc, usdc.amount(100.0)).await;
    let amount = usdc.amount(10.0);
    let e = BallastError::IsolatedReserveAccountMissing;
    assert_error!(t, t.try_repay_with(&alice, &alice, &usdc, amount, vec![]), e);
    assert_error!(t, t.try_repay_with(&alice, &alice, &usdc, amount, vec![AccountMeta::new_readonly(meme.key, false)]), e);
    assert_error!(t, t.try_repay_with(&alice, &alice, &usdc, amount, vec![AccountMeta::new(sol.key, false)]), e);
    t.repay(&alice, &alice, &usdc, amount).await; // the harness passes MEME, writable
    assert_eq!(usage(&mut t, &meme).await, 91 * MICRO_QUOTE);
    t.assert_invariants().await;
}

#[tokio::test]
async fn borrow_fails_with_the_isolated_reserve_read_only() {
    let Setup { mut t, usdc, meme, alice, .. } = setup().await;
    let mut health = t.health_after_borrow(&alice, &usdc).await;
    assert!(health.iter().any(|m| m.pubkey == meme.key && m.is_writable), "the harness marks MEME writable");
    health.iter_mut().for_each(|m| m.is_writable = false);
    assert_error!(t, t.try_borrow_with(&alice, &usdc, usdc.amount(1.0), health), BallastError::IsolatedReserveAccountMissing);
    t.assert_invariants().await;
}

/// The council lowers the ceiling below what is already counted: new borrows stop, repays go on.
#[tokio::test]
async fn tighten_reserve_config_succeeds_lowering_the_isolated_debt_ceiling_blocking_borrows_not_repays() {
    let Setup { mut t, usdc, meme, alice, bob, .. } = setup().await;
    t.borrow(&alice, &usdc, usdc.amount(400.0)).await; // 404
    council_sets_ceiling(&mut t, &meme, 300 * MICRO_QUOTE).await.unwrap();
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), BallastError::IsolatedDebtCeilingExceeded);
    assert_error!(t, t.try_borrow(&bob, &usdc, usdc.amount(1.0)), BallastError::IsolatedDebtCeilingExceeded);
    t.repay(&alice, &alice, &usdc, usdc.amount(101.0)).await;
    assert_eq!(usage(&mut t, &meme).await, 303 * MICRO_QUOTE, "still above the ceiling, and repay went through");
    t.repay(&alice, &alice, &usdc, usdc.amount(4.0)).await; // $299 counted: $1 of room again
    t.borrow(&bob, &usdc, usdc.amount(0.99)).await; // 0.9999
    assert_eq!(usage(&mut t, &meme).await, 299_999_900);
    t.assert_invariants().await;
}

/// Raising the ceiling loosens risk: the council may not, the admin only through the timelock.
#[tokio::test]
async fn apply_pending_reserve_config_succeeds_raising_the_isolated_debt_ceiling_after_the_timelock() {
    let timelocked = MarketConfig { config_timelock_secs: TIMELOCK_SECS as u64, ..default_market_config() };
    let Setup { mut t, usdc, meme, alice, .. } = setup_with(timelocked).await;
    council_sets_ceiling(&mut t, &meme, 100 * MICRO_QUOTE).await.unwrap();
    t.borrow(&alice, &usdc, usdc.amount(99.0)).await; // 99.99
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), BallastError::IsolatedDebtCeilingExceeded);

    assert_error!(t, council_sets_ceiling(&mut t, &meme, CEILING), BallastError::RiskCouncilCannotLoosen);
    let admin = t.admin.keypair.insecure_clone();
    let mut raised = t.reserve_config(&meme).await;
    raised.isolated_debt_ceiling_micro_quote = CEILING;
    assert_error!(t, t.try_update_reserve_config(&admin, &meme, raised), BallastError::ConfigChangeLoosens);
    t.try_queue_reserve_config(&admin, &meme, raised).await.unwrap();
    t.advance(TIMELOCK_SECS - 1).await;
    assert_error!(t, t.try_apply_pending_reserve_config(&meme), BallastError::TimelockNotElapsed);
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), BallastError::IsolatedDebtCeilingExceeded);
    t.advance(1).await;
    t.try_apply_pending_reserve_config(&meme).await.unwrap();
    t.borrow(&alice, &usdc, usdc.amount(1.0)).await;
    assert_eq!(usage(&mut t, &meme).await, 101 * MICRO_QUOTE);
    t.assert_invariants().await;
}

/// With usage above a ceiling the council lowered, liquidation goes through and releases the repaid share.
#[tokio::test]
async fn liquidate_succeeds_releasing_isolated_debt_over_a_lowered_ceiling() {
    let Setup { mut t, usdc, meme, alice, bob, liquidator, .. } = setup().await;
    t.borrow(&alice, &usdc, usdc.amount(700.0)).await; // 707
    t.borrow(&bob, &usdc, usdc.amount(200.0)).await; // 202
    council_sets_ceiling(&mut t, &meme, 500 * MICRO_QUOTE).await.unwrap();
    assert_error!(t, t.try_borrow(&bob, &usdc, usdc.amount(1.0)), BallastError::IsolatedDebtCeilingExceeded);

    // MEME at $0.80: 1,000 × 0.8 × 85% = $680 < $707 of debt.
    t.set_price(&meme, 0.8);
    let (count_before, paid_before) = (counted(&mut t, &alice).await, t.balance(&liquidator.liquidity(&usdc)).await);
    t.liquidate(&liquidator, &alice, &usdc, &meme).await;
    let repaid = paid_before - t.balance(&liquidator.liquidity(&usdc)).await;
    assert!(repaid > 0);
    // The count was 1 micro-quote per native unit of debt, so the release equals the repayment.
    let released = count_before - counted(&mut t, &alice).await;
    assert_eq!(released, repaid);
    assert_eq!(usage(&mut t, &meme).await, 909 * MICRO_QUOTE - released);

    t.repay(&bob, &bob, &usdc, u64::MAX).await; // over the ceiling, repay still goes through
    t.assert_invariants().await;
}

/// All collateral seized, the rest written off: the liquidation that took the last isolated collateral released
/// the counts, and the write-off finds nothing left to release.
#[tokio::test]
async fn socialize_bad_debt_succeeds_after_the_liquidation_released_the_isolated_debt() {
    let Setup { mut t, usdc, meme, alice, bob, liquidator, .. } = setup().await;
    t.borrow(&alice, &usdc, usdc.amount(700.0)).await; // 707
    t.borrow(&bob, &usdc, usdc.amount(200.0)).await; // 202
    t.set_price(&meme, 0.1);
    t.liquidate(&liquidator, &alice, &usdc, &meme).await;
    let obligation = t.obligation_state(&alice).await;
    assert!(obligation.active_deposits().is_empty(), "all collateral seized");
    // The debt no longer rests on MEME, so the liquidation that took the last of it released every count.
    assert_eq!((obligation.isolated_reserve, counted(&mut t, &alice).await), (Default::default(), 0));
    assert_eq!(usage(&mut t, &meme).await, 202 * MICRO_QUOTE);

    t.try_socialize_bad_debt(&alice, &usdc).await.unwrap();
    assert!(t.obligation_state(&alice).await.is_empty());
    assert_eq!(usage(&mut t, &meme).await, 202 * MICRO_QUOTE);
    t.assert_invariants().await;
}

/// Alice swaps her isolated MEME for SOL. Her debt no longer rests on MEME, so withdrawing the last of it
/// releases the count: nobody can squat an isolated ceiling with collateral moved elsewhere.
#[tokio::test]
async fn withdraw_collateral_succeeds_releasing_isolated_debt_once_the_isolated_collateral_leaves() {
    let Setup { mut t, usdc, meme, sol, alice, liquidator, .. } = setup().await;
    t.borrow(&alice, &usdc, usdc.amount(500.0)).await; // 505
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(5.0)).await; // $750: $600 of power
    t.withdraw_collateral(&alice, &meme, meme.amount(1_000.0)).await;
    let obligation = t.obligation_state(&alice).await;
    assert_eq!((obligation.active_deposits().len(), obligation.isolated_reserve), (1, Default::default()));
    assert_eq!(usage(&mut t, &meme).await, 0);

    t.set_price(&sol, 100.0); // 5 × 100 × 85% = $425 < $505
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    t.assert_invariants().await;
}

/// An obligation's debt counts against one isolated reserve at a time: withdrawing the one it counts against,
/// leaving another isolated reserve alone, moves the count to that one.
#[tokio::test]
async fn withdraw_collateral_succeeds_moving_isolated_debt_to_the_collateral_left_alone() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let meme = isolated_reserve(&mut t, "MEME").await;
    let pepe = isolated_reserve(&mut t, "PEPE").await;
    let alice = t.user().funded(&meme, 1_000.0).funded(&pepe, 1_000.0).funded(&usdc, 10.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &meme, meme.amount(1_000.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(100.0)).await;
    t.deposit_liquidity_and_collateral(&alice, &pepe, pepe.amount(1_000.0)).await;
    // PEPE alone now backs the $100: the count moves from MEME to PEPE with the withdrawal.
    t.withdraw_collateral(&alice, &meme, meme.amount(1_000.0)).await;
    assert_eq!((usage(&mut t, &meme).await, usage(&mut t, &pepe).await), (0, 100 * MICRO_QUOTE));
    assert_eq!(t.obligation_state(&alice).await.isolated_reserve, pepe.key);
    t.borrow(&alice, &usdc, usdc.amount(1.0)).await;
    assert_eq!(usage(&mut t, &pepe).await, 101 * MICRO_QUOTE);
    t.assert_invariants().await;
}
