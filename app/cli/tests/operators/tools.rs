//! The operator tools of issue 27: `ballast queue`, the keeper's fill and apply cranks, `admin apply|cancel
//! --elevation-group`, `elevation set`, `obligation close`, and migration specs with elevation groups and
//! isolated debt ceilings.
use super::super::{assert_invariants, reserve, run_cli, seeded};
use ballast_migrate::{apply, plan, Spec, Step};
use ballast_sdk::{accounts::decode, ballast::state::Market, pda, tokens, Cluster, Keypair, Pubkey, Signer};

async fn balance(w: &ballast_cli::world::World, key: &Pubkey) -> u64 {
    w.cluster.account(key).await.unwrap().and_then(|a| tokens::token_amount(&a.data)).unwrap_or(0)
}

async fn obligation_state(w: &ballast_cli::world::World, key: &Pubkey) -> ballast_sdk::ballast::state::Obligation {
    decode(&w.cluster.account(key).await.unwrap().unwrap().data).unwrap()
}

async fn ceiling(w: &ballast_cli::world::World, reserve: &Pubkey) -> u64 {
    decode::<ballast_sdk::ballast::state::Reserve>(&w.cluster.account(reserve).await.unwrap().unwrap().data).unwrap().config.isolated_debt_ceiling_micro_quote
}

async fn market_state(w: &ballast_cli::world::World) -> Market {
    decode(&w.cluster.account(&w.market).await.unwrap().unwrap().data).unwrap()
}

/// A lender's redeem past the reserve's outflow limiter cannot be met, so it queues a ticket; `queue list`
/// shows it; `queue fill` pays what the limiter's window allows and then names the limiter; an hour later the
/// keeper's crank pays more; the owner cancels the rest and has its cTokens back; nobody else may cancel.
#[tokio::test]
async fn queue_request_list_fill_and_cancel_succeed_through_the_cli_and_the_keeper_fills_when_due() {
    let (mut w, _) = seeded(&[0.5]).await;
    let snap = w.snapshot().await.unwrap();
    let usdc = reserve(&snap, &w, "USDC");
    let u = usdc.key.to_string();
    let lender = Keypair::new();
    w.cluster.airdrop(&lender.pubkey(), 1_000_000_000).await.unwrap();
    w.fund(&lender.pubkey(), "USDC", usdc.native(10_000.0)).await.unwrap();
    run_cli(&w, &lender, &["deposit", "--reserve", &u, "--amount", "10000", "--no-collateral"]).await.unwrap();
    let limit = format!("outflow_limit={}", usdc.native(1_000.0));
    run_cli(&w, &w.admin, &["admin", "reserve-config", "--reserve", &u, "--set", "outflow_window_secs=3600", "--set", &limit]).await.unwrap();

    let redeem = run_cli(&w, &lender, &["redeem", "--reserve", &u, "--amount", "5000"]).await.unwrap_err().to_string();
    assert!(redeem.contains("OutflowLimitExceeded"), "{redeem}");
    let text = run_cli(&w, &lender, &["queue", "request", "--reserve", &u, "--amount", "5000"]).await.unwrap();
    assert!(text.contains("ticket 0") && text.contains("0 ticket(s) ahead") && text.contains("sent: "), "{text}");
    let listed: serde_json::Value = serde_json::from_str(&run_cli(&w, &lender, &["queue", "list", "--reserve", &u, "--json"]).await.unwrap()).unwrap();
    let tickets = listed["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 1, "{listed}");
    assert_eq!((tickets[0]["place"].as_u64(), tickets[0]["owner"].as_str()), (Some(1), Some(lender.pubkey().to_string().as_str())));
    assert!((tickets[0]["value"].as_f64().unwrap() - 5_000.0).abs() < 1.0, "{listed}");

    let paid_to = pda::associated_token(&lender.pubkey(), &usdc.mint(), &usdc.token_program());
    let before = balance(&w, &paid_to).await;
    let filled = run_cli(&w, &w.admin, &["queue", "fill", "--reserve", &u]).await.unwrap();
    let first = balance(&w, &paid_to).await - before;
    assert!(first > 0 && first <= usdc.native(1_000.0) + 1, "the window's 1,000 at most: {first} ({filled})");
    assert!(filled.contains("stopped after 1 fill(s)") && filled.contains("OutflowLimitExceeded"), "{filled}");
    let refused = run_cli(&w, &w.admin, &["queue", "fill", "--reserve", &u]).await.unwrap_err().to_string();
    assert!(refused.contains("OutflowLimitExceeded"), "the crank names the rule that binds: {refused}");

    // Two windows on, the sliding window has room again: the keeper's round fills the head on its own.
    w.now += 7_200;
    w.cluster.set_time(w.now).await.unwrap();
    w.publish_all(150.0, 2.0).await;
    let keeper = run_cli(&w, &w.admin, &["keeper", "run", "--market", &w.market.to_string()]).await.unwrap();
    assert!(keeper.contains("filled ticket 0"), "{keeper}");
    let second = balance(&w, &paid_to).await - before - first;
    assert!(second > 0, "{keeper}");

    let stranger = Keypair::new();
    w.cluster.airdrop(&stranger.pubkey(), 1_000_000_000).await.unwrap();
    let theirs = run_cli(&w, &stranger, &["queue", "cancel", "--reserve", &u, "--seq", "0"]).await.unwrap_err().to_string();
    assert!(theirs.contains("belongs to"), "{theirs}");
    let ctokens = pda::associated_token(&lender.pubkey(), &usdc.state.ctoken_mint, &usdc.token_program());
    let held = balance(&w, &ctokens).await;
    run_cli(&w, &lender, &["queue", "cancel", "--reserve", &u, "--seq", "0"]).await.unwrap();
    assert!(balance(&w, &ctokens).await > held, "the unfilled cTokens come back");
    assert!(w.cluster.account(&pda::ticket(&usdc.key, 0)).await.unwrap().is_none(), "the ticket closed");
    let empty = run_cli(&w, &lender, &["queue", "list", "--reserve", &u]).await.unwrap();
    assert!(empty.contains("0 ticket(s) waiting"), "{empty}");
    assert_invariants(&w).await;
}

/// An elevation group queued by the admin is dropped by `admin cancel --elevation-group` and, queued again,
/// applied by `admin apply --elevation-group`; a borrower joins and leaves it with `elevation set`, then, once
/// it has repaid and withdrawn everything, closes its obligation with `obligation close` (refused before).
#[tokio::test]
async fn elevation_group_apply_cancel_set_and_obligation_close_succeed_through_the_cli() {
    let (w, borrowers) = seeded(&[0.3]).await;
    let (user, obligation) = &borrowers[0];
    let snap = w.snapshot().await.unwrap();
    let (usdc, sol) = (reserve(&snap, &w, "USDC"), reserve(&snap, &w, "SOL"));
    let (market, u, s, o) = (w.market.to_string(), usdc.key.to_string(), sol.key.to_string(), obligation.to_string());
    let group = ["admin", "elevation-group", "--market", &market, "--id", "1", "--debt-reserve", &u, "--ltv-bps", "8500", "--liquidation-threshold-bps", "9000", "--max-liquidation-bonus-bps", "300"];
    run_cli(&w, &w.admin, &group).await.unwrap();
    assert_eq!(market_state(&w).await.pending_elevation_group_id, 1);
    let cancelled = run_cli(&w, &w.admin, &["admin", "cancel", "--market", &market, "--elevation-group"]).await.unwrap();
    assert!(cancelled.contains("elevation group 1") && cancelled.contains("sent: "), "{cancelled}");
    assert_eq!(market_state(&w).await.pending_elevation_group_apply_ts, 0);
    assert!(market_state(&w).await.elevation_group(1).is_none());
    run_cli(&w, &w.admin, &group).await.unwrap();
    run_cli(&w, &w.admin, &["admin", "apply", "--market", &market, "--elevation-group"]).await.unwrap();
    assert_eq!(market_state(&w).await.elevation_group(1).map(|g| g.ltv_bps), Some(8500));
    let nothing = run_cli(&w, &w.admin, &["admin", "apply", "--market", &market, "--elevation-group"]).await.unwrap_err().to_string();
    assert!(nothing.contains("no queued config change"), "{nothing}");

    // SOL joins group 1 (membership loosens: queued, due at once with no timelock).
    run_cli(&w, &w.admin, &["admin", "reserve-config", "--reserve", &s, "--set", "elevation_groups=1"]).await.unwrap();
    let _ = run_cli(&w, &w.admin, &["admin", "apply", "--reserve", &s]).await;
    let joined = run_cli(&w, user, &["elevation", "set", "--obligation", &o, "--group", "1"]).await.unwrap();
    assert!(joined.contains("join elevation group 1 (LTV 8500 bps"), "{joined}");
    assert_eq!(obligation_state(&w, obligation).await.elevation_group, 1);
    let unknown = run_cli(&w, user, &["elevation", "set", "--obligation", &o, "--group", "2"]).await.unwrap_err().to_string();
    assert!(unknown.contains("no elevation group 2"), "{unknown}");
    run_cli(&w, user, &["elevation", "set", "--obligation", &o, "--group", "0"]).await.unwrap();
    assert_eq!(obligation_state(&w, obligation).await.elevation_group, 0);

    let full = run_cli(&w, user, &["obligation", "close", "--obligation", &o]).await.unwrap_err().to_string();
    assert!(full.contains("still holds 1 deposit(s) and 1 borrow(s)"), "{full}");
    w.fund(&user.pubkey(), "USDC", usdc.native(1_000.0)).await.unwrap();
    run_cli(&w, user, &["repay", "--reserve", &u, "--amount", "all"]).await.unwrap();
    run_cli(&w, user, &["withdraw", "--reserve", &s, "--amount", "all"]).await.unwrap();
    let lamports = w.cluster.account(&user.pubkey()).await.unwrap().unwrap().lamports;
    let rent = w.cluster.account(obligation).await.unwrap().unwrap().lamports;
    run_cli(&w, user, &["obligation", "close", "--obligation", &o]).await.unwrap();
    assert!(w.cluster.account(obligation).await.unwrap().is_none(), "closed");
    assert_eq!(w.cluster.account(&user.pubkey()).await.unwrap().unwrap().lamports, lamports + rent, "its rent came back");
    assert_invariants(&w).await;
}

/// A change queued for later (`--queue`) is applied by the keeper's round once due, and counted.
#[tokio::test]
async fn keeper_run_succeeds_applying_a_queued_change_once_due() {
    let (w, _) = seeded(&[]).await;
    let sol = reserve(&w.snapshot().await.unwrap(), &w, "SOL");
    let s = sol.key.to_string();
    run_cli(&w, &w.admin, &["admin", "reserve-config", "--reserve", &s, "--set", "ltv_bps=6900", "--queue"]).await.unwrap();
    let queued = reserve(&w.snapshot().await.unwrap(), &w, "SOL");
    assert_ne!(queued.state.pending_config_apply_ts, 0);
    let text = run_cli(&w, &w.admin, &["keeper", "run", "--market", &w.market.to_string()]).await.unwrap();
    assert!(text.contains(&format!("applied the queued change of reserve {s}")), "{text}");
    let after = reserve(&w.snapshot().await.unwrap(), &w, "SOL");
    assert_eq!((after.state.config.ltv_bps, after.state.pending_config_apply_ts), (6900, 0));
    assert_invariants(&w).await;
}

/// A spec's elevation group is created with the market; an isolated debt ceiling raised on chain survives a
/// re-apply of a spec that does not name it, and a spec that names a lower one lowers it at once.
#[tokio::test]
async fn migrate_apply_succeeds_with_elevation_groups_and_never_lowers_an_unnamed_ceiling() {
    let text = format!(
        "{}\n[[elevation_group]]\nid = 1\ndebt_reserve = \"USDC\"\nltv_bps = 8500\nliquidation_threshold_bps = 9000\nmax_liquidation_bonus_bps = 300\n",
        ballast_cli::world::EXAMPLE_SPEC.replace("symbol = \"SOL\"\n", "symbol = \"SOL\"\nelevation_groups = [1]\n")
    );
    let w = ballast_cli::world::set_up_with(&text, &mut Vec::new()).await.unwrap();
    let m = market_state(&w).await;
    let usdc = reserve(&w.snapshot().await.unwrap(), &w, "USDC");
    assert_eq!(m.elevation_group(1).map(|g| (g.debt_reserve, g.ltv_bps, g.liquidation_threshold_bps)), Some((usdc.key, 8500, 9000)));
    assert!(plan(&w.cluster, &w.spec, &w.market, &w.admin.pubkey()).await.unwrap().is_empty(), "a second apply has nothing to do");

    let sol = reserve(&w.snapshot().await.unwrap(), &w, "SOL").key;
    run_cli(&w, &w.admin, &["admin", "reserve-config", "--reserve", &sol.to_string(), "--set", "isolated_debt_ceiling_micro_quote=5000000000"]).await.unwrap();
    let _ = run_cli(&w, &w.admin, &["admin", "apply", "--reserve", &sol.to_string()]).await;
    assert_eq!(ceiling(&w, &sol).await, 5_000_000_000);
    let again = apply(&w.cluster, &w.spec, &w.market_keypair, &w.admin).await.unwrap();
    assert!(again.is_empty(), "{again}");
    assert_eq!(ceiling(&w, &sol).await, 5_000_000_000, "a spec that does not name the ceiling leaves it");

    let mut lower: Spec = w.spec.clone();
    lower.reserves.iter_mut().find(|r| r.symbol == "SOL").unwrap().isolated_debt_ceiling_quote = Some(1_000.0);
    let planned = plan(&w.cluster, &lower, &w.market, &w.admin.pubkey()).await.unwrap();
    assert!(planned.steps.iter().any(|s| matches!(s, Step::UpdateReserveConfig { changes, .. } if changes.iter().any(|c| c.contains("isolated_debt_ceiling_micro_quote")))), "{planned}");
    apply(&w.cluster, &lower, &w.market_keypair, &w.admin).await.unwrap();
    assert_eq!(ceiling(&w, &sol).await, 1_000_000_000, "named lower, it is lowered");
    assert_invariants(&w).await;
}
