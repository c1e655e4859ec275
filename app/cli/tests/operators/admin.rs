use super::super::{assert_invariants, reserve, run_cli, seeded};
use ballast_sdk::{
    accounts::decode,
    ballast::state::{Market, Reserve, FLAG_PAUSED},
    Cluster, Keypair, Pubkey, Signer,
};

async fn reserve_state(w: &ballast_cli::world::World, key: &Pubkey) -> Reserve {
    decode(&w.cluster.account(key).await.unwrap().unwrap().data).unwrap()
}

async fn market_state(w: &ballast_cli::world::World) -> Market {
    decode(&w.cluster.account(&w.market).await.unwrap().unwrap().data).unwrap()
}

/// A risk council other than the admin, handed over through the CLI (the demo's market starts with the admin
/// as its council and no timelock).
async fn new_council(w: &ballast_cli::world::World) -> Keypair {
    let council = Keypair::new();
    w.cluster.airdrop(&council.pubkey(), 1_000_000_000).await.unwrap();
    let market = w.market.to_string();
    run_cli(w, &w.admin, &["admin", "propose-council", "--market", &market, "--new-council", &council.pubkey().to_string()]).await.unwrap();
    let text = run_cli(w, &council, &["council", "accept", "--market", &market]).await.unwrap();
    assert!(text.contains("accepts the RiskCouncil role"), "{text}");
    assert_eq!(market_state(w).await.risk_council, council.pubkey());
    council
}

#[tokio::test]
async fn admin_config_succeeds_at_once_or_through_the_timelock_with_its_diff_and_applicable_time() {
    let (mut w, _) = seeded(&[]).await;
    let market = w.market.to_string();
    let sol = reserve(&w.snapshot().await.unwrap(), &w, "SOL").key;
    let sol_arg = sol.to_string();
    // A longer timelock loosens nothing: at once.
    let text = run_cli(&w, &w.admin, &["admin", "market-config", "--market", &market, "--set", "config_timelock_secs=3600"]).await.unwrap();
    assert!(text.contains("config_timelock_secs: 0 → 3600") && text.contains("route: at once") && text.contains("sent: "), "{text}");
    assert_eq!(market_state(&w).await.config.config_timelock_secs, 3600);

    // A higher LTV loosens: a dry run shows the queue and the time, and sends nothing.
    let before = reserve_state(&w, &sol).await;
    let dry = run_cli(&w, &w.admin, &["admin", "reserve-config", "--reserve", &sol_arg, "--set", "ltv_bps=7200", "--dry-run"]).await.unwrap();
    assert!(dry.contains("ltv_bps: 7000 → 7200") && dry.contains("route: timelock queue (it loosens risk); applicable"), "{dry}");
    assert!(dry.contains("in 1h 00m 00s") && dry.contains("dry run: nothing sent"), "{dry}");
    assert_eq!(bytemuck::bytes_of(&reserve_state(&w, &sol).await), bytemuck::bytes_of(&before), "a dry run changes nothing");

    // Sent, as JSON.
    let args = ["admin", "reserve-config", "--reserve", &sol_arg, "--set", "ltv_bps=7200", "--json"];
    let sent: serde_json::Value = serde_json::from_str(run_cli(&w, &w.admin, &args).await.unwrap().trim()).unwrap();
    assert_eq!(sent["details"]["route"], "Queued");
    assert_eq!((sent["details"]["old"]["ltv_bps"].as_u64(), sent["details"]["new"]["ltv_bps"].as_u64()), (Some(7000), Some(7200)));
    assert!(sent["signature"].is_string() && sent["dry_run"] == false);
    let queued = reserve_state(&w, &sol).await;
    assert_eq!((queued.config.ltv_bps, queued.pending_config.ltv_bps), (7000, 7200));
    assert_eq!(queued.pending_config_apply_ts, w.now + 3600);

    // Too early, and a second change while one waits: refused before sending, saying when.
    let early = run_cli(&w, &w.admin, &["admin", "apply", "--reserve", &sol_arg]).await.unwrap_err().to_string();
    assert!(early.contains("not applicable until") && early.contains("in 1h 00m 00s"), "{early}");
    let twice = run_cli(&w, &w.admin, &["admin", "reserve-config", "--reserve", &sol_arg, "--set", "ltv_bps=7300"]).await.unwrap_err().to_string();
    assert!(twice.contains("already queued"), "{twice}");
    let events = run_cli(&w, &w.admin, &["events", "--market", &market, "--kind", "ReserveConfigQueued"]).await.unwrap();
    assert!(events.contains("changed: ltv_bps 7000→7200"), "{events}");

    // Once due, anyone applies it.
    w.now += 3600;
    w.cluster.set_time(w.now).await.unwrap();
    let anyone = Keypair::new();
    let applied = run_cli(&w, &anyone, &["admin", "apply", "--reserve", &sol_arg]).await.unwrap();
    assert!(applied.contains("ltv_bps: 7000 → 7200"), "{applied}");
    assert_eq!(reserve_state(&w, &sol).await.config.ltv_bps, 7200);

    // Bad input is named before anything is sent.
    let unknown = run_cli(&w, &w.admin, &["admin", "reserve-config", "--reserve", &sol_arg, "--set", "ltv=1"]).await.unwrap_err().to_string();
    assert!(unknown.contains("no field `ltv`") && unknown.contains("ltv_bps"), "{unknown}");
    let invalid = run_cli(&w, &w.admin, &["admin", "reserve-config", "--reserve", &sol_arg, "--set", "ltv_bps=9000"]).await.unwrap_err().to_string();
    assert!(invalid.contains("the program would refuse this"), "{invalid}");
    assert_invariants(&w).await;
}

#[tokio::test]
async fn council_brakes_succeed_at_once_and_lifting_them_goes_through_the_admins_queue() {
    let (mut w, _) = seeded(&[]).await;
    let council = new_council(&w).await;
    let market = w.market.to_string();
    let usdc = reserve(&w.snapshot().await.unwrap(), &w, "USDC").key;
    let usdc_arg = usdc.to_string();
    let paused = run_cli(&w, &council, &["council", "pause", "--reserve", &usdc_arg]).await.unwrap();
    assert!(paused.contains("risk council tightens reserve") && paused.contains("flags:"), "{paused}");
    assert_ne!(reserve_state(&w, &usdc).await.config.flags & FLAG_PAUSED, 0);
    // Deposits stop; the CLI shows the program's rule.
    let user = Keypair::new();
    w.cluster.airdrop(&user.pubkey(), 100_000_000).await.unwrap();
    w.fund(&user.pubkey(), "USDC", 1_000_000).await.unwrap();
    let refused = run_cli(&w, &user, &["deposit", "--reserve", &usdc_arg, "--amount", "1"]).await.unwrap_err().to_string();
    assert!(refused.contains("ReservePaused"), "{refused}");

    // The council cannot loosen; lifting the brake is the admin's, through the queue.
    let loosen = run_cli(&w, &council, &["council", "tighten-reserve", "--reserve", &usdc_arg, "--set", "ltv_bps=8100"]).await.unwrap_err().to_string();
    assert!(loosen.contains("can only tighten"), "{loosen}");
    let lift = run_cli(&w, &w.admin, &["council", "pause", "--reserve", &usdc_arg, "--off"]).await.unwrap();
    assert!(lift.contains("route: timelock queue"), "{lift}");
    // The council's brake on the admin: it cancels the queued lift.
    let cancelled = run_cli(&w, &council, &["council", "cancel", "--reserve", &usdc_arg]).await.unwrap();
    assert!(cancelled.contains("it would have changed") && cancelled.contains("flags:"), "{cancelled}");
    assert_eq!(reserve_state(&w, &usdc).await.pending_config_apply_ts, 0);
    // Emergency mode at once; a stranger cannot cancel anything.
    run_cli(&w, &council, &["council", "emergency", "--market", &market]).await.unwrap();
    assert_ne!(market_state(&w).await.config.flags & ballast_sdk::ballast::state::MARKET_FLAG_EMERGENCY, 0);
    run_cli(&w, &w.admin, &["council", "emergency", "--market", &market, "--off"]).await.unwrap();
    let stranger = run_cli(&w, &user, &["admin", "cancel", "--market", &market]).await.unwrap_err().to_string();
    assert!(stranger.contains("only the market's admin"), "{stranger}");
    w.now += 1;
    w.cluster.set_time(w.now).await.unwrap();
    run_cli(&w, &user, &["admin", "apply", "--market", &market]).await.unwrap();
    assert_eq!(market_state(&w).await.config.flags & ballast_sdk::ballast::state::MARKET_FLAG_EMERGENCY, 0);
    assert_invariants(&w).await;
}

#[tokio::test]
async fn admin_fees_roles_and_elevation_groups_succeed_through_the_cli() {
    let (mut w, borrowers) = seeded(&[0.5]).await;
    let market = w.market.to_string();
    let snap = w.snapshot().await.unwrap();
    let (usdc, sol) = (reserve(&snap, &w, "USDC"), reserve(&snap, &w, "SOL"));
    let usdc_arg = usdc.key.to_string();
    // A day of interest, then sweep and withdraw the fees.
    w.now += 86_400;
    w.cluster.set_time(w.now).await.unwrap();
    w.publish_all(150.0, 2.0).await;
    let swept = run_cli(&w, &w.admin, &["admin", "sweep-fees", "--reserve", &usdc_arg]).await.unwrap();
    assert!(swept.contains("accrued protocol fees") && swept.contains("sent: "), "{swept}");
    let in_vault = vault(&w, usdc.state.fee_vault).await;
    assert!(in_vault > 0, "{swept}");
    let receiver = ballast_sdk::pda::associated_token(&w.admin.pubkey(), &usdc.mint(), &usdc.token_program());
    let create = ballast_sdk::tokens::create_ata_idempotent(&w.cluster.payer().pubkey(), &w.admin.pubkey(), &usdc.mint(), &usdc.token_program());
    w.cluster.send(&[create], &[]).await.unwrap();
    let before = vault(&w, receiver).await;
    let too_much = run_cli(&w, &w.admin, &["admin", "withdraw-fees", "--reserve", &usdc_arg, "--to", &receiver.to_string(), "--amount", "1000000"]).await.unwrap_err();
    assert!(too_much.to_string().contains("the fee vault holds"), "{too_much}");
    run_cli(&w, &w.admin, &["admin", "withdraw-fees", "--reserve", &usdc_arg, "--to", &receiver.to_string(), "--amount", "all"]).await.unwrap();
    assert_eq!(vault(&w, receiver).await - before, in_vault);
    assert_eq!(vault(&w, usdc.state.fee_vault).await, 0);

    // An elevation group: creating one loosens, so it is queued (timelock 0: due at once), then applied.
    let args = ["admin", "elevation-group", "--market", &market, "--id", "1", "--debt-reserve", &usdc_arg, "--ltv-bps", "8500", "--liquidation-threshold-bps", "9000", "--max-liquidation-bonus-bps", "300"];
    let group = run_cli(&w, &w.admin, &args).await.unwrap();
    assert!(group.contains("new group") && group.contains("route: timelock queue"), "{group}");
    w.cluster.send(&[ballast_sdk::ix::apply_pending_elevation_group(&w.market)], &[]).await.unwrap();
    assert_eq!(market_state(&w).await.elevation_group(1).unwrap().ltv_bps, 8500);
    let tighter = run_cli(&w, &w.admin, &[&args[..8], &["--ltv-bps", "8000", "--liquidation-threshold-bps", "9000", "--max-liquidation-bonus-bps", "300"]].concat()).await.unwrap();
    assert!(tighter.contains("ltv_bps: 8500 → 8000") && tighter.contains("route: at once"), "{tighter}");

    // The admin hands over; only the proposed key may accept.
    let next = Keypair::new();
    w.cluster.airdrop(&next.pubkey(), 1_000_000_000).await.unwrap();
    run_cli(&w, &w.admin, &["admin", "propose-admin", "--market", &market, "--new-admin", &next.pubkey().to_string()]).await.unwrap();
    let (user, _) = &borrowers[0];
    let wrong = run_cli(&w, user, &["admin", "accept-admin", "--market", &market]).await.unwrap_err().to_string();
    assert!(wrong.contains("is not the proposed Admin"), "{wrong}");
    run_cli(&w, &next, &["admin", "accept-admin", "--market", &market]).await.unwrap();
    assert_eq!(market_state(&w).await.admin, next.pubkey());
    let _ = sol;
    assert_invariants(&w).await;
}

async fn vault(w: &ballast_cli::world::World, key: Pubkey) -> u64 {
    ballast_sdk::tokens::token_amount(&w.cluster.account(&key).await.unwrap().unwrap().data).unwrap()
}

/// `admin delist` marks SOL (its plan names when thresholds start to fall), refusing terms outside the
/// program's bounds before sending; `council stop-delisting` stops it.
#[tokio::test]
async fn admin_delist_and_council_stop_delisting_succeed_through_the_cli() {
    let (w, _) = seeded(&[]).await;
    let council = new_council(&w).await;
    let sol = reserve(&w.snapshot().await.unwrap(), &w, "SOL").key;
    let sol_arg = sol.to_string();
    let short = run_cli(&w, &w.admin, &["admin", "delist", "--reserve", &sol_arg, "--notice-secs", "3600", "--threshold-step-bps-per-day", "500"]).await;
    assert!(short.is_err_and(|e| e.to_string().contains("DelistingTermsInvalid")), "a notice under a day is refused before sending");
    let text = run_cli(&w, &w.admin, &["admin", "delist", "--reserve", &sol_arg, "--threshold-step-bps-per-day", "500", "--bonus-step-bps-per-day", "50"]).await.unwrap();
    assert!(text.contains("backs no new borrows") && text.contains("falls 500 bps a day") && text.contains("sent: "), "{text}");
    let state = reserve_state(&w, &sol).await;
    assert_eq!((state.delisting_threshold_step_bps_per_day, state.delisting_bonus_step_bps_per_day), (500, 50));
    assert_eq!(state.delisting_start_ts, w.cluster.now().await.unwrap() + 7 * 86_400);
    let text = run_cli(&w, &council, &["council", "stop-delisting", "--reserve", &sol_arg]).await.unwrap();
    assert!(text.contains("stop the delisting") && text.contains("sent: "), "{text}");
    assert_eq!(reserve_state(&w, &sol).await.delisting_start_ts, 0);
    let again = run_cli(&w, &council, &["council", "stop-delisting", "--reserve", &sol_arg]).await;
    assert!(again.is_err_and(|e| e.to_string().contains("not being delisted")));
    assert_invariants(&w).await;
}
