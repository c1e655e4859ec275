//! Defect 1: debt resting on isolated sole collateral is always counted within its reserve's ceiling. Leaving
//! an isolated reserve alone (withdrawing or seizing the other collateral) counts the debt now on it: withdraw
//! is refused past the ceiling; liquidation never is, and counts past it.
use anchor_lang::prelude::Pubkey;
use ballast::state::{FLAG_FLASH_ENABLED, FLAG_ISOLATED};
use ballast_tests::*;

const MICRO_QUOTE: u64 = 1_000_000;

struct Setup {
    t: TestContext,
    usdc: ReserveInfo,
    meme: ReserveInfo,
    sol: ReserveInfo,
    alice: User,
}

/// USDC lends; MEME ($1) is isolated with `ceiling_quote`; SOL ($150) is ordinary collateral with flash loans.
/// Alice pledges 1,000 MEME next to 5 SOL and borrows 500 USDC: MEME shares the obligation, so it backs
/// nothing and nothing is counted; SOL's $600 of borrow power carries the debt.
async fn setup(ceiling_quote: u64) -> Setup {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let meme = t
        .reserve(Asset::Custom("MEME", 6, 1.0))
        .config(move |c| {
            c.flags |= FLAG_ISOLATED;
            c.isolated_debt_ceiling_micro_quote = ceiling_quote * MICRO_QUOTE;
        })
        .build()
        .await;
    let sol = t.reserve(Asset::Sol).liquidity(100.0).config(|c| c.flags |= FLAG_FLASH_ENABLED).build().await;
    let alice = t.user().funded(&meme, 1_000.0).funded(&sol, 5.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &meme, meme.amount(1_000.0)).await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(5.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(500.0)).await;
    assert_eq!(usage(&mut t, &meme).await, 0, "MEME is not alone: nothing counted yet");
    Setup { t, usdc, meme, sol, alice }
}

async fn usage(t: &mut TestContext, r: &ReserveInfo) -> u64 {
    t.reserve_state(r).await.isolated_debt_usage_micro_quote
}

#[tokio::test]
async fn withdraw_collateral_fails_leaving_isolated_collateral_alone_past_its_ceiling() {
    let Setup { mut t, meme, sol, alice, .. } = setup(0).await;
    assert_error!(t, t.try_withdraw_collateral(&alice, &sol, sol.amount(5.0)), BallastError::IsolatedDebtCeilingExceeded);
    assert_error!(t, t.try_withdraw_collateral_and_redeem(&alice, &sol, sol.amount(5.0)), BallastError::IsolatedDebtCeilingExceeded);
    // A partial withdrawal keeps SOL in the obligation, so MEME is not alone and nothing needs counting.
    t.withdraw_collateral(&alice, &sol, sol.amount(0.5)).await;
    assert_eq!(usage(&mut t, &meme).await, 0);
    t.assert_invariants().await;
}

#[tokio::test]
async fn withdraw_collateral_succeeds_counting_the_debt_left_on_isolated_collateral() {
    let Setup { mut t, usdc, meme, sol, alice } = setup(600).await;
    t.withdraw_collateral(&alice, &sol, sol.amount(5.0)).await;
    assert_eq!(usage(&mut t, &meme).await, 500 * MICRO_QUOTE);
    let obligation = t.obligation_state(&alice).await;
    assert_eq!((obligation.isolated_reserve, obligation.isolated_debt_micro_quote[0]), (meme.key, 500 * MICRO_QUOTE));
    // The ceiling now binds new borrows, and repaying releases the count.
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(150.0)), BallastError::IsolatedDebtCeilingExceeded);
    t.borrow(&alice, &usdc, usdc.amount(100.0)).await;
    assert_eq!(usage(&mut t, &meme).await, 600 * MICRO_QUOTE);
    t.repay(&alice, &alice, &usdc, u64::MAX).await;
    assert_eq!(usage(&mut t, &meme).await, 0);
    t.assert_invariants().await;
}

#[tokio::test]
async fn withdraw_collateral_fails_with_the_isolated_reserve_left_alone_read_only() {
    let Setup { mut t, meme, sol, alice, .. } = setup(1_000).await;
    let mut health = t.health_after_withdraw(&alice, &sol, sol.amount(5.0)).await;
    assert!(health.iter().any(|m| m.pubkey == meme.key && m.is_writable), "the SDK marks MEME writable");
    health.iter_mut().for_each(|m| m.is_writable = false);
    let amount = sol.amount(5.0);
    assert_error!(t, t.try_withdraw_collateral_with(&alice, &sol, amount, health), BallastError::IsolatedReserveAccountMissing);
    t.assert_invariants().await;
}

/// The flash-loan form: Bob holds only MEME (ceiling 0, so he may not borrow). In one transaction he flash
/// borrows SOL, pledges it, borrows USDC against it, takes the SOL back out and repays the flash loan.
#[tokio::test]
async fn flash_borrow_fails_to_fund_an_isolated_ceiling_bypass() {
    let Setup { mut t, usdc, meme, sol, .. } = setup(0).await;
    let bob = t.user().funded(&meme, 1_000.0).build().await;
    t.deposit_liquidity_and_collateral(&bob, &meme, meme.amount(1_000.0)).await;
    assert_error!(t, t.try_borrow(&bob, &usdc, usdc.amount(1.0)), BallastError::IsolatedDebtCeilingExceeded);

    let (loan, borrowed) = (sol.amount(5.0), usdc.amount(500.0));
    let mut with_sol = t.obligation_state(&bob).await;
    let slot = with_sol.deposit_slot(&sol.key).unwrap();
    with_sol.deposits[slot].ctoken_amount = loan; // fresh reserve: one cToken per native unit
    with_sol.borrow_slot(&usdc.key, ballast::math::Fraction::ONE).unwrap();
    let sol_view = ballast_sdk::accounts::ReserveView { key: sol.key, state: t.reserve_state(&sol).await };
    let prices: Vec<(Pubkey, Pubkey)> = t.reserves.iter().map(|r| (r.key, r.price_account)).collect();
    let price_of = |k: &Pubkey| prices.iter().find(|(r, _)| r == k).unwrap().1;
    let ixs = vec![
        t.flash_borrow_ix(&bob, &sol, loan),
        ballast_sdk::ix::deposit_liquidity_and_collateral(&bob.key(), &bob.obligation, &sol_view, &bob.liquidity(&sol), loan),
        t.borrow_ix(&bob, &usdc, borrowed, ballast_sdk::ix::health_metas(&with_sol, price_of)),
        ballast_sdk::ix::withdraw_collateral_and_redeem(&bob.key(), (&bob.obligation, &with_sol), &sol_view, &bob.liquidity(&sol), loan, price_of),
        t.flash_repay_ix(&bob, &sol, loan),
    ];
    assert_error!(t, t.try_in_one_transaction(&bob, &ixs), BallastError::IsolatedDebtCeilingExceeded);
    assert_eq!(usage(&mut t, &meme).await, 0);
    t.assert_invariants().await;
}

/// A crash makes Alice liquidatable; seizing all her SOL leaves MEME alone under the rest of the debt, which is
/// counted past the ceiling (0) rather than refusing the liquidation.
#[tokio::test]
async fn liquidate_succeeds_counting_the_debt_left_on_isolated_collateral_past_its_ceiling() {
    let Setup { mut t, usdc, meme, sol, alice } = setup(0).await;
    let liquidator = t.user().funded(&usdc, 10_000.0).build().await;
    t.set_price(&sol, 60.0);
    t.set_price(&meme, 0.1);
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    let obligation = t.obligation_state(&alice).await;
    assert_eq!(obligation.active_deposits().len(), 1, "all the SOL was seized");
    let debt: f64 = obligation.borrows[0].borrowed_sf.get().to_num();
    let counted = obligation.isolated_debt_micro_quote[0];
    assert_eq!((obligation.isolated_reserve, usage(&mut t, &meme).await), (meme.key, counted));
    assert_eq!(counted, debt.ceil() as u64, "the whole remaining debt, at $1 per USDC, in micro-quote");
    // MEME alone is worth $85 of threshold against ~$227 of debt: still liquidatable, and the count comes off.
    t.liquidate(&liquidator, &alice, &usdc, &meme).await;
    assert!(usage(&mut t, &meme).await < counted);
    t.assert_invariants().await;
}

/// Alice borrowed against MEME alone before governance flagged it isolated: that debt counts nothing. Her
/// next borrow counts it first, at its current value, so it cannot hide under the ceiling (a review found
/// each borrow checked for its own amount only).
#[tokio::test]
async fn borrow_fails_adding_to_debt_that_predates_the_isolation_flag() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let meme = t.reserve(Asset::Custom("MEME", 6, 1.0)).config(|c| c.isolated_debt_ceiling_micro_quote = 300 * MICRO_QUOTE).build().await;
    let alice = t.user().funded(&meme, 1_000.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &meme, meme.amount(1_000.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(500.0)).await;
    let council = t.risk_council.insecure_clone();
    let mut isolated = t.reserve_config(&meme).await;
    isolated.flags |= FLAG_ISOLATED;
    t.try_tighten_reserve_config(&council, &meme, isolated).await.unwrap();
    assert_eq!(usage(&mut t, &meme).await, 0);

    // $500 already owed + $1 > the $300 ceiling, though $1 alone would fit.
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), BallastError::IsolatedDebtCeilingExceeded);
    t.repay(&alice, &alice, &usdc, usdc.amount(250.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(1.0)).await; // $251 owed, all of it counted now
    assert_eq!(usage(&mut t, &meme).await, 251 * MICRO_QUOTE);
    assert_eq!(t.obligation_state(&alice).await.isolated_reserve, meme.key);
    t.assert_invariants().await;
}
