//! A second price source per reserve (Switchboard on-demand): cross-checks while both are fresh, failover when
//! the primary dies, the council's brake, and every way a feed can be bad. Feeds are real-layout
//! `PullFeedAccountData` accounts written into the bank.
use anchor_lang::prelude::Pubkey;
use ballast::state::{FLAG_SECONDARY_ONLY, FLAG_SINGLE_SOURCE_RISK, SECONDARY_NONE};
use ballast_tests::*;
use test_case::test_case;

/// USDC to borrow, SOL at 150 with a Switchboard secondary, Alice holding 10 SOL of collateral and 100 USDC of
/// debt, Liz the liquidator with USDC.
async fn world(edit: impl FnOnce(&mut ballast::state::ReserveConfig)) -> (TestContext, ReserveInfo, ReserveInfo, User, User) {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    t.add_secondary(&sol, edit).await;
    let alice = t.user().funded(&sol, 11.0).funded(&usdc, 100.0).build().await;
    let liz = t.user().funded(&usdc, 2_000.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(100.0)).await;
    (t, usdc, sol, alice, liz)
}

/// Both sources fresh and within 2%: borrow goes on, valuing collateral at the lower of the two.
#[tokio::test]
async fn borrow_succeeds_when_both_sources_agree_at_the_lower_price() {
    let (mut t, usdc, sol, alice, _) = world(|_| {}).await;
    t.set_feed_price(&sol, 147.0).await; // 2% below the primary's 150: still agreeing
    // Borrow power at the lower price: 10 SOL × 147 × 80% LTV = 1,176 USDC in all.
    let headroom = usdc.amount(10.0 * 147.0 * 0.8 - 100.0);
    assert_error!(t, t.try_borrow(&alice, &usdc, headroom + usdc.amount(5.0)), BallastError::BorrowExceedsLtv);
    t.borrow(&alice, &usdc, headroom - usdc.amount(1.0)).await;
    t.assert_invariants().await;
}

/// Both fresh but 3% apart: borrow and withdraw are refused with their own error, nothing moves; repay,
/// deposit and liquidation-side actions go on.
#[tokio::test]
async fn borrow_and_withdraw_fail_when_the_sources_diverge() {
    let (mut t, usdc, sol, alice, _) = world(|_| {}).await;
    t.set_feed_price(&sol, 154.5).await;
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), BallastError::OracleSourcesDiverge);
    assert_error!(t, t.try_withdraw_collateral(&alice, &sol, sol.amount(0.1)), BallastError::OracleSourcesDiverge);
    t.repay(&alice, &alice, &usdc, usdc.amount(10.0)).await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(1.0)).await;
    t.assert_invariants().await;
}

/// A borrower cannot skip the cross-check by leaving the secondary out.
#[tokio::test]
async fn borrow_fails_without_the_secondary_account() {
    let (mut t, usdc, sol, alice, _) = world(|_| {}).await;
    let feed = t.secondary_of(&sol);
    let mut health = t.health_after_borrow(&alice, &usdc).await;
    health.retain(|m| m.pubkey != feed);
    assert_error!(t, t.try_borrow_with(&alice, &usdc, usdc.amount(1.0), health), BallastError::OracleSecondaryMissing);
    t.assert_invariants().await;
}

#[derive(Debug, Clone, Copy)]
enum FeedFault {
    StaleByTime,
    StaleBySlot,
    TooFewSamples,
    WideDeviation,
    Negative,
    NotOwnedBySwitchboard,
    OldestSampleStale,
    StaleByTheFeedsOwnBound,
    FewerSamplesThanTheFeedDemands,
}

async fn break_feed(t: &mut TestContext, sol: &ReserveInfo, fault: FeedFault) {
    let feed = t.secondary_of(sol);
    let spec = t.feed_spec(sol);
    match fault {
        FeedFault::StaleByTime => {
            t.freeze_feed(sol).await;
            t.advance(61).await;
        }
        FeedFault::StaleBySlot => t.set_feed_spec(&feed, FeedSpec { slot_lag: 151, ..spec }).await,
        FeedFault::TooFewSamples => t.set_feed_spec(&feed, FeedSpec { num_samples: 2, ..spec }).await,
        FeedFault::WideDeviation => t.set_feed_spec(&feed, FeedSpec { std_dev_ratio: 0.02, ..spec }).await,
        FeedFault::Negative => t.set_feed_spec(&feed, FeedSpec { raw_value: Some(-150_000_000_000_000_000_000), ..spec }).await,
        FeedFault::NotOwnedBySwitchboard => t.set_feed_spec(&feed, FeedSpec { owner: Pubkey::new_unique(), ..spec }).await,
        // A result signed now over a sample 151 slots old: the oldest sample bounds freshness.
        FeedFault::OldestSampleStale => t.set_feed_spec(&feed, FeedSpec { sample_spread_slots: 151, ..spec }).await,
        // The feed demands samples at most 20 slots old; the reserve's own 150 does not loosen that.
        FeedFault::StaleByTheFeedsOwnBound => t.set_feed_spec(&feed, FeedSpec { sample_spread_slots: 21, feed_max_staleness: 20, ..spec }).await,
        // The feed demands 6 samples and has 5; the reserve's own 3 does not loosen that.
        FeedFault::FewerSamplesThanTheFeedDemands => t.set_feed_spec(&feed, FeedSpec { feed_min_sample_size: 6, ..spec }).await,
    }
}

/// Each way a feed can be bad blocks borrow (both sources are needed for risk) with its own error and moves
/// nothing, while repay goes on.
#[test_case(FeedFault::StaleByTime, BallastError::OracleStale ; "stale by time")]
#[test_case(FeedFault::StaleBySlot, BallastError::OracleSlotStale ; "stale by slot")]
#[test_case(FeedFault::TooFewSamples, BallastError::OracleTooFewSamples ; "too few samples")]
#[test_case(FeedFault::WideDeviation, BallastError::OracleConfidenceTooWide ; "wide deviation")]
#[test_case(FeedFault::Negative, BallastError::OracleInvalidPrice ; "negative")]
#[test_case(FeedFault::NotOwnedBySwitchboard, BallastError::OracleSecondaryInvalidOwner ; "not owned by switchboard")]
#[test_case(FeedFault::OldestSampleStale, BallastError::OracleSlotStale ; "oldest sample stale")]
#[test_case(FeedFault::StaleByTheFeedsOwnBound, BallastError::OracleSlotStale ; "stale by the feeds own bound")]
#[test_case(FeedFault::FewerSamplesThanTheFeedDemands, BallastError::OracleTooFewSamples ; "fewer samples than the feed demands")]
#[tokio::test]
async fn borrow_fails_on_a_bad_secondary_feed(fault: FeedFault, expected: BallastError) {
    let (mut t, usdc, sol, alice, _) = world(|_| {}).await;
    t.warp_slots(200).await; // room for a result 151 slots old
    let feed = t.secondary_of(&sol);
    t.set_feed_spec(&feed, t.feed_spec(&sol)).await;
    break_feed(&mut t, &sol, fault).await;
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), expected);
    t.repay(&alice, &alice, &usdc, usdc.amount(10.0)).await;
    t.assert_invariants().await;
}

/// With FLAG_SINGLE_SOURCE_RISK, a bad secondary leaves borrow to the primary alone.
#[tokio::test]
async fn borrow_succeeds_on_the_primary_alone_when_single_source_risk_is_allowed() {
    let (mut t, usdc, sol, alice, _) = world(|c| c.flags |= FLAG_SINGLE_SOURCE_RISK).await;
    break_feed(&mut t, &sol, FeedFault::StaleByTime).await;
    t.borrow(&alice, &usdc, usdc.amount(10.0)).await;
    t.assert_invariants().await;
}

/// A feed from another account in the secondary's slot is not taken as the secondary, so the reserve's
/// secondary counts as missing.
#[tokio::test]
async fn borrow_fails_with_another_feed_in_the_secondary_slot() {
    let (mut t, usdc, sol, alice, _) = world(|_| {}).await;
    let feed = t.secondary_of(&sol);
    let other = Pubkey::new_unique();
    t.set_feed_spec(&other, t.feed_spec(&sol)).await;
    let mut health = t.health_after_borrow(&alice, &usdc).await;
    health.iter_mut().filter(|m| m.pubkey == feed).for_each(|m| m.pubkey = other);
    assert_error!(t, t.try_borrow_with(&alice, &usdc, usdc.amount(1.0), health), BallastError::OracleSecondaryMissing);
    t.assert_invariants().await;
}

/// The primary dies and SOL crashes: the secondary alone prices the liquidation, so it goes through and the
/// liquidator is paid; borrow stays refused (no single-source risk).
#[tokio::test]
async fn liquidate_succeeds_on_the_secondary_when_the_primary_is_dead() {
    let (mut t, usdc, sol, alice, liz) = world(|_| {}).await;
    t.borrow(&alice, &usdc, usdc.amount(1_000.0)).await; // 1,100 USDC against 1,500 of SOL
    t.freeze_price(&sol);
    t.advance(61).await; // the primary is stale
    t.set_feed_price(&sol, 120.0).await; // threshold 85%: 10 × 120 × 0.85 = 1,020 < 1,100
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), BallastError::OracleStale);
    let before = t.balance(&liz.ctokens(&sol)).await;
    t.liquidate(&liz, &alice, &usdc, &sol).await;
    assert!(t.balance(&liz.ctokens(&sol)).await > before, "the liquidator is paid in SOL cTokens");
    t.assert_invariants().await;
}

/// Both sources dead: liquidation is refused with the primary's error and nothing moves.
#[tokio::test]
async fn liquidate_fails_when_both_sources_are_dead() {
    let (mut t, usdc, sol, alice, liz) = world(|_| {}).await;
    t.borrow(&alice, &usdc, usdc.amount(1_000.0)).await;
    t.freeze_price(&sol);
    t.freeze_feed(&sol).await;
    t.advance(61).await;
    assert_error!(t, t.try_liquidate(&liz, &alice, &usdc, &sol, u64::MAX, 0, false), BallastError::OracleStale);
    t.assert_invariants().await;
}

/// A fresh secondary that disagrees with a live primary never seizes on its own: the primary prices the
/// liquidation check, and the healthy obligation stays untouched.
#[tokio::test]
async fn liquidate_fails_when_only_a_disagreeing_secondary_says_unhealthy() {
    let (mut t, usdc, sol, alice, liz) = world(|_| {}).await;
    t.borrow(&alice, &usdc, usdc.amount(1_000.0)).await;
    t.set_feed_price(&sol, 100.0).await; // a lying feed: 33% below the primary
    assert_error!(t, t.try_liquidate(&liz, &alice, &usdc, &sol, u64::MAX, 0, false), BallastError::ObligationHealthy);
    t.assert_invariants().await;
}

/// Issue 24 (medium): relying on the secondary alone reprices every position, so the council cannot switch to
/// it at once (before the fix it could, and make a healthy obligation liquidatable or lend against a stale-high
/// feed), nor switch back. The admin queues it; it applies after the timelock, and only then is the primary
/// ignored.
#[tokio::test]
async fn tighten_reserve_config_fails_switching_the_liquidation_price_to_the_secondary() {
    let (mut t, usdc, sol, alice, liz) = world(|c| c.secondary.max_divergence_bps = 2_000).await;
    t.borrow(&alice, &usdc, usdc.amount(1_000.0)).await; // 10 SOL × 150 × 85% = 1,275 against 1,100
    t.set_feed_price(&sol, 125.0).await; // within 20%: 10 × 125 × 85% = 1,062.5 < 1,100
    let council = t.risk_council.insecure_clone();
    let mut secondary_only = t.reserve_config(&sol).await;
    secondary_only.flags |= FLAG_SECONDARY_ONLY;
    assert_error!(t, t.try_tighten_reserve_config(&council, &sol, secondary_only), BallastError::RiskCouncilCannotLoosen);
    // On the primary alone Alice is healthy, with or without the feed's account passed.
    assert_error!(t, t.try_liquidate(&liz, &alice, &usdc, &sol, u64::MAX, 0, false), BallastError::ObligationHealthy);

    let admin = t.admin.keypair.insecure_clone();
    let mut market = t.market_config().await;
    market.config_timelock_secs = 3_600;
    t.try_update_market_config(&admin, market).await.unwrap();
    t.try_queue_reserve_config(&admin, &sol, secondary_only).await.unwrap();
    assert_error!(t, t.try_apply_pending_reserve_config(&sol), BallastError::TimelockNotElapsed);
    t.advance(3_600).await;
    t.try_apply_pending_reserve_config(&sol).await.unwrap();
    t.set_feed_price(&sol, 125.0).await;
    t.liquidate(&liz, &alice, &usdc, &sol).await; // announced a timelock ago: now the feed alone decides
    let mut back = t.reserve_config(&sol).await;
    back.flags &= !FLAG_SECONDARY_ONLY;
    assert_error!(t, t.try_tighten_reserve_config(&council, &sol, back), BallastError::RiskCouncilCannotLoosen);
    t.assert_invariants().await;
}

/// Adding a secondary is a new trust assumption: the council cannot apply it at once.
#[tokio::test]
async fn tighten_fails_when_it_adds_a_secondary_source() {
    let mut t = TestContext::new().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let mut config = t.reserve_config(&sol).await;
    config.secondary = ballast_tests::switchboard::secondary_config(Pubkey::new_unique());
    let council = t.risk_council.insecure_clone();
    assert_error!(t, t.try_tighten_reserve_config(&council, &sol, config), BallastError::RiskCouncilCannotLoosen);
    t.assert_invariants().await;
}

#[derive(Debug, Clone, Copy)]
enum BadSecondary {
    UnknownKind,
    SameAsPrimary,
    NoAccount,
    SlotsTooFew,
    NoDivergenceBound,
    NoSamples,
    FieldsWithoutSource,
    BrakeWithoutSource,
}

/// Every rule on the secondary's config has its own error, wherever a config is queued.
#[test_case(BadSecondary::UnknownKind, BallastError::OracleSecondaryKindUnknown ; "unknown kind")]
#[test_case(BadSecondary::SameAsPrimary, BallastError::OracleSecondaryAccountInvalid ; "same as primary")]
#[test_case(BadSecondary::NoAccount, BallastError::OracleSecondaryAccountInvalid ; "no account")]
#[test_case(BadSecondary::SlotsTooFew, BallastError::OracleMaxAgeSlotsInvalid ; "slots too few")]
#[test_case(BadSecondary::NoDivergenceBound, BallastError::OracleSourceDivergenceBoundInvalid ; "no divergence bound")]
#[test_case(BadSecondary::NoSamples, BallastError::OracleMinSamplesInvalid ; "no samples")]
#[test_case(BadSecondary::FieldsWithoutSource, BallastError::OracleSecondaryFieldsWithoutSource ; "fields without source")]
#[test_case(BadSecondary::BrakeWithoutSource, BallastError::OracleSecondaryNotConfigured ; "brake without source")]
#[tokio::test]
async fn queue_reserve_config_fails_on_a_bad_secondary(bad: BadSecondary, expected: BallastError) {
    let mut t = TestContext::new().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let mut config = t.reserve_config(&sol).await;
    config.secondary = ballast_tests::switchboard::secondary_config(Pubkey::new_unique());
    match bad {
        BadSecondary::UnknownKind => config.secondary.kind = 7,
        BadSecondary::SameAsPrimary => config.secondary.price_account = sol.price_account,
        BadSecondary::NoAccount => config.secondary.price_account = Pubkey::default(),
        BadSecondary::SlotsTooFew => config.secondary.max_age_slots = 10,
        BadSecondary::NoDivergenceBound => config.secondary.max_divergence_bps = 0,
        BadSecondary::NoSamples => config.secondary.min_samples = 0,
        BadSecondary::FieldsWithoutSource => config.secondary.kind = SECONDARY_NONE,
        BadSecondary::BrakeWithoutSource => {
            config.secondary = bytemuck::Zeroable::zeroed();
            config.flags |= FLAG_SECONDARY_ONLY;
        }
    }
    let admin = t.admin.keypair.insecure_clone();
    assert_error!(t, t.try_queue_reserve_config(&admin, &sol, config), expected);
    t.assert_invariants().await;
}

/// `world` with the market outflow limiter on ($100,000 an hour, so redeems read a price) and Bob holding
/// 5 SOL of cTokens deposited before it (no inflow credit), then the primary dies while the feed stays fresh.
async fn exits_world() -> (TestContext, ReserveInfo, User) {
    let (mut t, _, sol, _, _) = world(|_| {}).await;
    let bob = t.user().funded(&sol, 5.0).build().await;
    t.deposit(&bob, &sol, sol.amount(5.0)).await;
    let mut config = t.market_config().await;
    config.outflow_limit_quote = 100_000;
    config.outflow_window_secs = 3_600;
    let admin = t.admin.keypair.insecure_clone();
    t.try_update_market_config(&admin, config).await.unwrap();
    t.freeze_price(&sol);
    t.advance(61).await; // the primary is stale, the secondary fresh
    (t, sol, bob)
}

/// A dead primary does not trap depositors: the redeem's outflow is valued on the secondary, which the SDK
/// passes as the one remaining account. Without it the same redeem is refused and nothing moves.
#[tokio::test]
async fn redeem_succeeds_on_the_secondary_when_the_primary_is_dead() {
    let (mut t, sol, bob) = exits_world().await;
    let view = t.reserve_view(&sol).await;
    let mut bare = ballast_sdk::ix::redeem_collateral(&bob.key(), &view, &bob.liquidity(&sol), &bob.ctokens(&sol), sol.amount(1.0));
    assert_eq!(bare.accounts.pop().map(|m| m.pubkey), Some(t.secondary_of(&sol)), "the SDK passes the secondary last");
    let signer = bob.keypair.insecure_clone();
    assert_error!(t, t.send(&[bare], &[&signer]), BallastError::OracleStale);
    let before = t.balance(&bob.liquidity(&sol)).await;
    t.redeem(&bob, &sol, sol.amount(1.0)).await;
    assert!(t.balance(&bob.liquidity(&sol)).await >= before + sol.amount(1.0), "Bob is paid at least 1 SOL");
    t.assert_invariants().await;
}

/// The redeem's one remaining account must be the configured secondary: another feed there is refused.
#[tokio::test]
async fn redeem_fails_with_another_account_after_the_primary() {
    let (mut t, sol, bob) = exits_world().await;
    let view = t.reserve_view(&sol).await;
    let mut ix = ballast_sdk::ix::redeem_collateral(&bob.key(), &view, &bob.liquidity(&sol), &bob.ctokens(&sol), sol.amount(1.0));
    ix.accounts.last_mut().unwrap().pubkey = Pubkey::new_unique();
    let signer = bob.keypair.insecure_clone();
    assert_error!(t, t.send(&[ix.clone()], &[&signer]), BallastError::OracleSecondarySlotMismatch);
    ix.accounts.push(anchor_lang::prelude::AccountMeta::new_readonly(t.secondary_of(&sol), false));
    assert_error!(t, t.send(&[ix], &[&signer]), BallastError::OracleSecondarySlotMismatch);
    t.assert_invariants().await;
}

/// Queueing a withdrawal values the ticket against the dust threshold: on the secondary while the primary
/// is dead.
#[tokio::test]
async fn request_withdrawal_succeeds_on_the_secondary_when_the_primary_is_dead() {
    let (mut t, sol, bob) = exits_world().await;
    // The market lets $100 an hour leave: Bob's 2.5 SOL ($375) cannot be redeemed now, so he may queue.
    let mut config = t.market_config().await;
    config.outflow_limit_quote = 100;
    let admin = t.admin.keypair.insecure_clone();
    t.try_update_market_config(&admin, config).await.unwrap();
    let ctokens = t.balance(&bob.ctokens(&sol)).await;
    let view = t.reserve_view(&sol).await;
    let mut bare = ballast_sdk::ix::request_withdrawal(&bob.key(), &view, &bob.ctokens(&sol), &bob.liquidity(&sol), ctokens / 2);
    assert_eq!(bare.accounts.pop().map(|m| m.pubkey), Some(t.secondary_of(&sol)));
    let signer = bob.keypair.insecure_clone();
    assert_error!(t, t.send(&[bare], &[&signer]), BallastError::OracleStale);
    let seq = t.request_withdrawal(&bob, &sol, ctokens / 2).await;
    assert_eq!(t.ticket(&sol, seq).await.expect("ticket exists").ctoken_amount, ctokens / 2);
    assert_eq!(t.balance(&bob.ctokens(&sol)).await, ctokens - ctokens / 2);
    t.assert_invariants().await;
}

/// Taking all of a collateral out and redeeming it with no debt left: the position's group is gone, so the
/// SDK lets the secondary trail, and the exit goes through on it.
#[tokio::test]
async fn withdraw_collateral_and_redeem_succeeds_on_the_secondary_when_the_primary_is_dead() {
    let (mut t, sol, _) = exits_world().await;
    let carol = t.user().funded(&sol, 2.0).build().await;
    t.set_price(&sol, 150.0); // the primary lives again while Carol pledges
    t.advance(1).await;
    t.deposit_liquidity_and_collateral(&carol, &sol, sol.amount(2.0)).await;
    t.freeze_price(&sol);
    t.advance(61).await;
    let obligation = t.obligation_state(&carol).await;
    let pledged = obligation.deposits[obligation.find_deposit(&sol.key).unwrap()].ctoken_amount;
    let (view, before_state) = (t.reserve_view(&sol).await, t.obligation_state(&carol).await);
    let mut bare = ballast_sdk::ix::withdraw_collateral_and_redeem(&carol.key(), (&carol.obligation, &before_state), &view, &carol.liquidity(&sol), pledged, t.price_account_of());
    assert_eq!(bare.accounts.pop().map(|m| m.pubkey), Some(t.secondary_of(&sol)), "the secondary trails the emptied position");
    let signer = carol.keypair.insecure_clone();
    assert_error!(t, t.send(&[bare], &[&signer]), BallastError::OracleStale);
    let before = t.balance(&carol.liquidity(&sol)).await;
    t.withdraw_collateral_and_redeem(&carol, &sol, pledged).await;
    assert!(t.balance(&carol.liquidity(&sol)).await >= before + sol.amount(2.0) - 1, "Carol gets her 2 SOL back");
    t.assert_invariants().await;
}

/// The refresh crank caches a price even while the primary is dead: the secondary's, passed as its one
/// remaining account.
#[tokio::test]
async fn refresh_reserve_succeeds_on_the_secondary_when_the_primary_is_dead() {
    let (mut t, sol, _) = exits_world().await;
    t.set_feed_price(&sol, 140.0).await;
    t.refresh_reserve(&sol).await;
    let reserve = t.reserve_state(&sol).await;
    assert_eq!(reserve.cached_price_ts, t.now);
    assert_eq!(reserve.cached_price_sf.get(), ballast::math::Fraction::from_num(140));
    t.assert_invariants().await;
}
