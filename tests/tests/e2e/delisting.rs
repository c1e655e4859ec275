//! Orderly delisting (issue 26): the admin marks a collateral reserve; it backs no new borrows from then on, and
//! after the notice its liquidation threshold falls and its bonus rises by bounded daily steps, so positions in
//! it unwind gradually, the least healthy first. The admin or the risk council can stop it at any time.
use super::liquidation::{book, Book};
use ballast::events::{DelistingStartedEvent, DelistingStoppedEvent, LiquidateEvent};
use ballast_tests::*;

const DAY: i64 = 86_400;

fn start_ix(t: &TestContext, sol: &ReserveInfo, notice_secs: u64, threshold_step: u16, bonus_step: u16) -> anchor_lang::solana_program::instruction::Instruction {
    ballast_sdk::ix::start_delisting(&t.admin.key(), &t.market, &sol.key, notice_secs, threshold_step, bonus_step)
}

/// Alice: 10 SOL at $150 against 1,000 USDC (threshold 85%: health 1.275). A delisting with a day's notice
/// lowers SOL's threshold by 10 points a day and raises its bonus by 1 point a day: a day after the notice
/// (75%) she is still healthy; two days after (65%: health 0.975) she is liquidated, at the ramp's bonus plus 2
/// points.
#[tokio::test]
async fn liquidate_succeeds_once_a_delisting_has_lowered_the_threshold_below_health() {
    let Book { mut t, usdc, sol, alice, liquidator } = book(1_000.0).await;
    let admin = t.admin.keypair.insecure_clone();
    t.send(&[start_ix(&t, &sol, DAY as u64, 1_000, 100)], &[&admin]).await.unwrap();
    let e = t.emitted::<DelistingStartedEvent>();
    assert_eq!(e, DelistingStartedEvent { reserve: sol.key, starts_at: t.now + DAY, threshold_step_bps_per_day: 1_000, bonus_step_bps_per_day: 100 });
    t.advance(2 * DAY).await;
    assert_error!(t, t.try_liquidate(&liquidator, &alice, &usdc, &sol, u64::MAX, 0, false), BallastError::ObligationHealthy);
    t.advance(DAY).await;
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    let e = t.emitted::<LiquidateEvent>();
    let cfg = t.reserve_config(&sol).await;
    // Health 0.975 (interest aside): 25% of the way up the ramp, from min + 200 to max + 200.
    let want = (cfg.min_liquidation_bonus_bps + 200) as f64 + 0.25 * (cfg.max_liquidation_bonus_bps - cfg.min_liquidation_bonus_bps) as f64;
    assert!((e.bonus_bps as f64 - want).abs() <= 10.0, "bonus {} bps, want about {want}", e.bonus_bps);
    t.assert_invariants().await;
}

/// From the moment it is marked, a delisting reserve backs nothing new: Alice can neither borrow more nor take
/// SOL out, though nothing is due yet; repaying still works.
#[tokio::test]
async fn borrow_and_withdraw_fail_against_collateral_being_delisted() {
    let Book { mut t, usdc, sol, alice, .. } = book(1_000.0).await;
    let admin = t.admin.keypair.insecure_clone();
    t.send(&[start_ix(&t, &sol, DAY as u64, 500, 0)], &[&admin]).await.unwrap();
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), BallastError::BorrowExceedsLtv);
    assert_error!(t, t.try_withdraw_collateral(&alice, &sol, sol.amount(0.1)), BallastError::WithdrawExceedsLtv);
    t.repay(&alice, &alice, &usdc, usdc.amount(100.0)).await;
    t.assert_invariants().await;
}

/// The risk council stops a delisting that has made Alice liquidatable: her configured threshold applies again
/// at once, she is healthy, and SOL backs borrows again. Only the admin starts one, once, within its bounds;
/// only the admin or the council stops one.
#[tokio::test]
async fn stop_delisting_succeeds_by_the_council_restoring_the_threshold() {
    let Book { mut t, usdc, sol, alice, liquidator } = book(1_000.0).await;
    let (admin, council, mallory) = (t.admin.keypair.insecure_clone(), t.risk_council.insecure_clone(), Keypair::new());
    let by_council = ballast_sdk::ix::start_delisting(&council.pubkey(), &t.market, &sol.key, DAY as u64, 1_000, 0);
    assert_error!(t, t.send(&[by_council], &[&council]), BallastError::NotMarketAdmin);
    assert_error!(t, t.send(&[start_ix(&t, &sol, DAY as u64 - 1, 1_000, 0)], &[&admin]), BallastError::DelistingTermsInvalid);
    assert_error!(t, t.send(&[start_ix(&t, &sol, DAY as u64, 0, 0)], &[&admin]), BallastError::DelistingTermsInvalid);
    assert_error!(t, t.send(&[start_ix(&t, &sol, DAY as u64, 1_000, 501)], &[&admin]), BallastError::DelistingTermsInvalid);
    let market = t.market;
    let stop = |signer: &Keypair| ballast_sdk::ix::stop_delisting(&signer.pubkey(), &market, &sol.key);
    assert_error!(t, t.send(&[stop(&admin)], &[&admin]), BallastError::DelistingNotStarted);
    t.send(&[start_ix(&t, &sol, DAY as u64, 1_000, 0)], &[&admin]).await.unwrap();
    let started_at = t.now + DAY;
    assert_error!(t, t.send(&[start_ix(&t, &sol, DAY as u64, 1_000, 0)], &[&admin]), BallastError::DelistingAlreadyStarted);
    t.advance(3 * DAY).await;
    assert_error!(t, t.send(&[stop(&mallory)], &[&mallory]), BallastError::NotAdminOrRiskCouncil);
    t.send(&[stop(&council)], &[&council]).await.unwrap();
    assert_eq!(t.emitted::<DelistingStoppedEvent>(), DelistingStoppedEvent { reserve: sol.key, signer: council.pubkey(), by_admin: false, started_at });
    assert_error!(t, t.try_liquidate(&liquidator, &alice, &usdc, &sol, u64::MAX, 0, false), BallastError::ObligationHealthy);
    t.borrow(&alice, &usdc, usdc.amount(10.0)).await;
    t.assert_invariants().await;
}
