//! The insolvent auction (issue 26): an obligation whose collateral is worth less than its debt pays a bonus
//! that starts at zero when it is found so and rises with the seconds to the maximum, with no protocol cut.
//! Anyone may record the finding (`mark_insolvency`) from verified prices; it clears once the obligation is
//! solvent again. Expected amounts are computed here in f64 and compared to within one native unit.
use super::liquidation::{book, book_with, Book};
use ballast_tests::*;

/// SOL's insolvent auction in these scenarios: the 10% maximum bonus is reached after 1,000 s.
const AUCTION_SECS: u32 = 1_000;

/// Alice pledges 10 SOL at $150 and borrows 1,200 USDC; SOL runs a 1,000 s insolvent auction; a liquidator
/// holds 100,000 USDC.
async fn auction_book() -> (TestContext, ReserveInfo, ReserveInfo, User, User) {
    let Book { t, usdc, sol, alice, liquidator } = book_with(1_200.0, |c| c.insolvent_auction_secs = AUCTION_SECS).await;
    (t, usdc, sol, alice, liquidator)
}

/// Found insolvent at $115 ($1,150 of SOL against $1,200 of debt), 500 s later the bonus is half the maximum:
/// the whole collateral goes for 1,150 / 1.05 USDC, and none of it to the insurance fund.
#[tokio::test]
async fn liquidate_succeeds_with_a_bonus_rising_with_time_when_insolvent() {
    let (mut t, usdc, sol, alice, liquidator) = auction_book().await;
    t.set_price(&sol, 115.0);
    let found = t.now;
    t.try_mark_insolvency(&alice).await.unwrap();
    assert_eq!(t.obligation_state(&alice).await.insolvent_since, found);
    t.advance(500).await;
    let insurance = t.reserve_state(&sol).await.insurance_fund_sf.get();
    let paid = t.balance(&liquidator.liquidity(&usdc)).await;
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    let e = t.emitted::<ballast::events::LiquidateEvent>();
    // 5% (the event floors the fixed-point bonus to whole bps).
    assert!((499..=500).contains(&e.bonus_bps) && (e.protocol_fee_ctokens, e.seized_ctokens) == (0, 10_000_000_000), "{e:?}");
    let repaid = paid - t.balance(&liquidator.liquidity(&usdc)).await;
    assert!((repaid as f64 - 1_150e6 / 1.05).abs() <= 1.0, "repaid {repaid}");
    assert_eq!(t.balance(&liquidator.ctokens(&sol)).await, 10_000_000_000);
    assert_eq!(t.reserve_state(&sol).await.insurance_fund_sf.get(), insurance, "no protocol cut on an insolvent obligation");
    let o = t.obligation_state(&alice).await;
    assert!(o.active_deposits().is_empty() && o.insolvent_since == found, "still insolvent, the clock kept");
    t.assert_invariants().await;
}

/// Nobody marked it: the liquidation that finds it insolvent starts the clock, at a zero bonus, and buys the
/// collateral at its value, so the bonus makes no bad debt.
#[tokio::test]
async fn liquidate_succeeds_at_a_zero_bonus_starting_the_clock_when_insolvent() {
    let (mut t, usdc, sol, alice, liquidator) = auction_book().await;
    t.set_price(&sol, 115.0);
    let paid = t.balance(&liquidator.liquidity(&usdc)).await;
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    let e = t.emitted::<ballast::events::LiquidateEvent>();
    assert_eq!((e.bonus_bps, e.protocol_fee_ctokens, e.seized_ctokens), (0, 0, 10_000_000_000), "{e:?}");
    assert_eq!(paid - t.balance(&liquidator.liquidity(&usdc)).await, usdc.amount(1_150.0));
    assert_eq!(t.obligation_state(&alice).await.insolvent_since, t.now);
    t.assert_invariants().await;
}

/// Without an auction (the reserve's default) an insolvent obligation pays the maximum bonus at once, and the
/// protocol's cut of it: the rule before issue 26, kept for reserves that choose it.
#[tokio::test]
async fn liquidate_succeeds_at_the_maximum_bonus_when_insolvent_without_an_auction() {
    let Book { mut t, usdc, sol, alice, liquidator } = book(1_200.0).await;
    t.set_price(&sol, 115.0);
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    let e = t.emitted::<ballast::events::LiquidateEvent>();
    assert!(e.bonus_bps >= 999 && e.protocol_fee_ctokens > 0, "10% (floored to bps in the event), and the cut: {e:?}");
    t.assert_invariants().await;
}

/// The clock starts only on an insolvency the prices show, keeps its start while the obligation stays
/// insolvent, and clears when it is solvent again: by a borrow (which proves health) or by anyone's mark.
/// No tokens move.
#[tokio::test]
async fn mark_insolvency_succeeds_starting_keeping_and_clearing_the_clock() {
    let (mut t, usdc, sol, alice, _) = auction_book().await;
    // Unhealthy but solvent ($1,410 against $1,200): nothing to record.
    t.set_price(&sol, 141.0);
    let before = t.snapshot().await;
    t.try_mark_insolvency(&alice).await.unwrap();
    assert_eq!(t.obligation_state(&alice).await.insolvent_since, 0);
    t.assert_unchanged(&before).await;
    // Insolvent: started; a later mark keeps the first start.
    t.set_price(&sol, 110.0);
    let found = t.now;
    t.try_mark_insolvency(&alice).await.unwrap();
    t.advance(120).await;
    t.try_mark_insolvency(&alice).await.unwrap();
    assert_eq!(t.obligation_state(&alice).await.insolvent_since, found);
    // Recovered: a borrow within borrow power clears it.
    t.set_price(&sol, 300.0);
    t.borrow(&alice, &usdc, usdc.amount(10.0)).await;
    assert_eq!(t.obligation_state(&alice).await.insolvent_since, 0);
    // Insolvent again, then recovered: anyone's mark clears it, so the next insolvency starts from zero.
    t.set_price(&sol, 100.0);
    t.try_mark_insolvency(&alice).await.unwrap();
    assert_eq!(t.obligation_state(&alice).await.insolvent_since, t.now);
    t.set_price(&sol, 150.0);
    t.try_mark_insolvency(&alice).await.unwrap();
    assert_eq!(t.obligation_state(&alice).await.insolvent_since, 0);
    t.assert_invariants().await;
}

/// The mark reads the same health accounts as a liquidation: one left out, or a stale price, is refused with
/// nothing changed.
#[tokio::test]
async fn mark_insolvency_fails_with_missing_health_accounts_or_a_stale_price() {
    let (mut t, _usdc, sol, alice, _) = auction_book().await;
    t.set_price(&sol, 110.0);
    let state = t.obligation_state(&alice).await;
    let mut ix = ballast_sdk::ix::mark_insolvency(&t.market, (&alice.obligation, &state), t.price_account_of());
    ix.accounts.pop();
    assert_error!(t, t.send(&[ix], &[]), BallastError::HealthAccountsMissing);
    t.freeze_price(&sol);
    t.advance(3_600).await;
    assert_error!(t, t.try_mark_insolvency(&alice), BallastError::OracleStale);
    assert_eq!(t.obligation_state(&alice).await.insolvent_since, 0);
    t.assert_invariants().await;
}

/// The auction may take at most a day to reach the maximum bonus.
#[tokio::test]
async fn update_reserve_config_fails_with_an_insolvent_auction_past_a_day() {
    let mut t = TestContext::new().await;
    let sol = t.reserve(Asset::Sol).liquidity(100.0).build().await;
    assert_error!(t, t.try_edit_reserve_config(&sol, |c| c.insolvent_auction_secs = 86_401), BallastError::InsolventAuctionTooLong);
    t.assert_invariants().await;
}
