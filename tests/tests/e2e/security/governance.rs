//! Defects 5 and 11: creating an elevation group waits the timelock; the admin replaces the risk council in two
//! steps behind the timelock, and the council may cancel any pending change.
use ballast::state::MarketConfig;
use ballast_tests::*;

const TIMELOCK_SECS: i64 = 3_600;

/// SOL and mSOL carry the membership bit of group 1 before the group exists; Alice pledges 10 mSOL.
async fn timelocked() -> (TestContext, ReserveInfo, ReserveInfo, User) {
    let config = MarketConfig { config_timelock_secs: TIMELOCK_SECS as u64, ..default_market_config() };
    let mut t = TestContext::with_market_config(config).await;
    let sol = t.reserve(Asset::Sol).liquidity(100.0).config(|c| c.elevation_groups = 1).build().await;
    let msol = t.reserve(Asset::Custom("MSOL", 9, 150.0)).config(|c| c.elevation_groups = 1).build().await;
    let alice = t.user().funded(&msol, 10.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &msol, msol.amount(10.0)).await;
    (t, sol, msol, alice)
}

/// Creating the group would raise every member's LTV to 99.98% at once; it is queued instead, visible for the
/// whole timelock, during which the council can brake it.
#[tokio::test]
async fn configure_elevation_group_fails_to_create_a_group_at_once() {
    let (mut t, sol, _msol, alice) = timelocked().await;
    assert_error!(t, t.try_configure_elevation_group(1, &sol, 9_998, 9_999, 0), BallastError::ConfigChangeLoosens);
    t.try_queue_elevation_group(1, &sol, 9_998, 9_999, 0).await.unwrap();
    assert_error!(t, t.try_set_elevation_group(&alice, 1), BallastError::ElevationGroupInvalid);
    assert_error!(t, t.try_apply_pending_elevation_group(), BallastError::TimelockNotElapsed);
    assert_error!(t, t.try_queue_elevation_group(2, &sol, 9_000, 9_300, 200), BallastError::ConfigChangeAlreadyPending);

    let council = t.risk_council.insecure_clone();
    t.try_cancel_pending_elevation_group(&council).await.unwrap();
    t.advance(TIMELOCK_SECS).await;
    assert_error!(t, t.try_apply_pending_elevation_group(), BallastError::NoPendingConfig);
    assert!(t.market_state().await.elevation_group(1).is_none());

    // A reasonable group, queued and left alone, applies after the timelock (permissionless).
    t.try_queue_elevation_group(1, &sol, 9_000, 9_300, 200).await.unwrap();
    t.advance(TIMELOCK_SECS).await;
    t.try_apply_pending_elevation_group().await.unwrap();
    t.try_set_elevation_group(&alice, 1).await.unwrap();
    t.borrow(&alice, &sol, sol.amount(9.0)).await; // 90% of $1,500
    // Loosening the group waits too, and so does moving its threshold or bonus either way (that would
    // liquidate members without warning); lowering its LTV is at once.
    assert_error!(t, t.try_configure_elevation_group(1, &sol, 9_100, 9_300, 200), BallastError::ConfigChangeLoosens);
    assert_error!(t, t.try_configure_elevation_group(1, &sol, 9_000, 9_200, 200), BallastError::ConfigChangeLoosens);
    assert_error!(t, t.try_configure_elevation_group(1, &sol, 9_000, 9_300, 100), BallastError::ConfigChangeLoosens);
    t.try_configure_elevation_group(1, &sol, 8_900, 9_300, 200).await.unwrap();
    t.assert_invariants().await;
}

#[tokio::test]
async fn accept_risk_council_fails_before_the_timelock() {
    let (mut t, sol, _msol, _alice) = timelocked().await;
    let (admin, old_council) = (t.admin.keypair.insecure_clone(), t.risk_council.insecure_clone());
    let new_council = Keypair::new();
    t.airdrop(&new_council.pubkey(), 1_000_000_000).await;
    assert_error!(t, t.try_propose_risk_council(&old_council, new_council.pubkey()), BallastError::NotMarketAdmin);
    t.try_propose_risk_council(&admin, new_council.pubkey()).await.unwrap();
    assert_error!(t, t.try_accept_risk_council(&new_council), BallastError::TimelockNotElapsed);
    assert_error!(t, t.try_accept_risk_council(&admin), BallastError::NotPendingRiskCouncil);
    t.advance(TIMELOCK_SECS).await;
    t.try_accept_risk_council(&new_council).await.unwrap();
    let market = t.market_state().await;
    assert_eq!((market.risk_council, market.pending_risk_council), (new_council.pubkey(), Default::default()));

    // The brake changed hands: the old council can no longer tighten, the new one can.
    let mut paused = t.reserve_config(&sol).await;
    paused.flags |= ballast::state::FLAG_PAUSED;
    assert_error!(t, t.try_tighten_reserve_config(&old_council, &sol, paused), BallastError::NotRiskCouncil);
    t.try_tighten_reserve_config(&new_council, &sol, paused).await.unwrap();
    t.assert_invariants().await;
}

/// The council's cancel is a brake: it drops the admin's queued loosening before it can apply.
#[tokio::test]
async fn cancel_pending_reserve_config_succeeds_for_the_risk_council() {
    let (mut t, sol, _msol, alice) = timelocked().await;
    let (admin, council) = (t.admin.keypair.insecure_clone(), t.risk_council.insecure_clone());
    let before = t.reserve_config(&sol).await;
    let looser = ballast::state::ReserveConfig { ltv_bps: 8_400, ..before };
    t.try_queue_reserve_config(&admin, &sol, looser).await.unwrap();
    assert_error!(t, t.try_cancel_pending_reserve_config(&alice.keypair, &sol), BallastError::NotAdminOrRiskCouncil);
    t.try_cancel_pending_reserve_config(&council, &sol).await.unwrap();
    t.advance(TIMELOCK_SECS).await;
    assert_error!(t, t.try_apply_pending_reserve_config(&sol), BallastError::NoPendingConfig);
    assert_eq!(t.reserve_config(&sol).await, before);
    // And the same for the market's queue.
    let faster = MarketConfig { config_timelock_secs: 0, ..t.market_config().await };
    t.try_queue_market_config(&admin, faster).await.unwrap();
    t.try_cancel_pending_market_config(&council).await.unwrap();
    assert_eq!(t.market_state().await.pending_config_apply_ts, 0);
    t.assert_invariants().await;
}
