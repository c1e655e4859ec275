//! The SDK, CLI, keeper and migrations against the in-process cluster.
use ballast_cli::{demo, execute, keeper, world, Cli};
use ballast_migrate::{apply, plan, Route, Step};
use ballast_sdk::{
    accounts::decode, ballast::state::Obligation, health::Projection, ix, pda, tokens, Cluster, Keypair, MarketSnapshot, Pubkey,
    ReserveView, Signer,
};
use clap::Parser;

mod operators;
mod serve;
mod sim;

/// The demo's market plus `n` USDC lenders and borrowers at the given shares of their borrow limit.
async fn seeded(borrow_shares: &[f64]) -> (world::World, Vec<(Keypair, Pubkey)>) {
    let w = world::set_up(&mut Vec::new()).await.unwrap();
    let snap = w.snapshot().await.unwrap();
    let usdc = *snap.reserve_by_mint(&w.mint("USDC")).unwrap();
    let sol = *snap.reserve_by_mint(&w.mint("SOL")).unwrap();
    let lender = Keypair::new();
    w.cluster.airdrop(&lender.pubkey(), 100_000_000).await.unwrap();
    world::supply(&w, &lender, &usdc, 1_000_000.0).await.unwrap();
    let mut borrowers = vec![];
    for share in borrow_shares {
        let user = Keypair::new();
        w.cluster.airdrop(&user.pubkey(), 100_000_000).await.unwrap();
        let obligation = world::supply(&w, &user, &sol, 10.0).await.unwrap();
        world::borrow_share(&w, &user, &obligation, &usdc, *share).await.unwrap();
        borrowers.push((user, obligation));
    }
    (w, borrowers)
}

async fn obligation(w: &world::World, key: &Pubkey) -> Obligation {
    decode(&w.cluster.account(key).await.unwrap().unwrap().data).unwrap()
}

fn reserve(snap: &MarketSnapshot, w: &world::World, symbol: &str) -> ReserveView {
    *snap.reserve_by_mint(&w.mint(symbol)).unwrap()
}

async fn assert_invariants(w: &world::World) {
    let snap = w.snapshot().await.unwrap();
    let bad = ballast_sdk::invariants::check(&w.cluster, &snap).await.unwrap();
    assert!(bad.is_empty(), "invariants: {bad:?}");
}

#[tokio::test]
async fn demo_succeeds_with_invariants_holding() {
    let mut out = Vec::new();
    let report = demo::run(16, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(report.invariant_violations.is_empty(), "{text}");
    assert!(report.liquidations > 0, "the crash liquidates someone:\n{text}");
    assert!(text.contains("reserve health") && text.contains("invariants hold"), "{text}");
}

#[tokio::test]
async fn borrow_succeeds_at_projected_max_and_fails_one_unit_more() {
    let (w, borrowers) = seeded(&[0.0]).await;
    let (user, key) = &borrowers[0];
    let snap = w.snapshot().await.unwrap();
    let usdc = reserve(&snap, &w, "USDC");
    let o = obligation(&w, key).await;
    let max = Projection::new(&snap).max_borrow(&o, &usdc.key).unwrap();
    assert!(max > 0);
    let liquidity = pda::associated_token(&user.pubkey(), &usdc.mint(), &usdc.token_program());
    let create = tokens::create_ata_idempotent(&w.cluster.payer().pubkey(), &user.pubkey(), &usdc.mint(), &usdc.token_program());
    let too_much = ix::borrow(&user.pubkey(), (key, &o), &usdc, &liquidity, max + 1, snap.price_accounts());
    let err = w.cluster.send(&[create.clone(), too_much], &[user]).await.unwrap_err();
    assert!(err.to_string().contains("BorrowExceedsLtv"), "{err}");
    let exact = ix::borrow(&user.pubkey(), (key, &o), &usdc, &liquidity, max, snap.price_accounts());
    w.cluster.send(&[create, exact], &[user]).await.unwrap();
    let balance = tokens::token_amount(&w.cluster.account(&liquidity).await.unwrap().unwrap().data).unwrap();
    assert_eq!(balance, max);
    assert_invariants(&w).await;
}

#[tokio::test]
async fn withdraw_succeeds_at_projected_max_and_fails_one_unit_more() {
    let (w, borrowers) = seeded(&[0.5]).await;
    let (user, key) = &borrowers[0];
    let snap = w.snapshot().await.unwrap();
    let sol = reserve(&snap, &w, "SOL");
    let o = obligation(&w, key).await;
    let max = Projection::new(&snap).max_withdraw(&o, &sol.key).unwrap();
    let pledged = o.deposits[o.find_deposit(&sol.key).unwrap()].ctoken_amount;
    assert!(max > 0 && max < pledged, "max {max} of {pledged}");
    let ctokens = pda::associated_token(&user.pubkey(), &sol.state.ctoken_mint, &sol.token_program());
    let create = tokens::create_ata_idempotent(&w.cluster.payer().pubkey(), &user.pubkey(), &sol.state.ctoken_mint, &sol.token_program());
    let too_much = ix::withdraw_collateral(&user.pubkey(), (key, &o), &sol, &ctokens, max + 1, snap.price_accounts());
    let err = w.cluster.send(&[create.clone(), too_much], &[user]).await.unwrap_err();
    assert!(err.to_string().contains("WithdrawExceedsLtv"), "{err}");
    let exact = ix::withdraw_collateral(&user.pubkey(), (key, &o), &sol, &ctokens, max, snap.price_accounts());
    w.cluster.send(&[create, exact], &[user]).await.unwrap();
    assert_invariants(&w).await;
}

/// A withdrawal ticket is a short-term liability in full: queueing half a lender's cTokens raises the
/// reserve's liabilities from the run-off share of its deposits to the queued amount plus that share of the
/// rest, and the LCR the CLI reports falls accordingly.
#[tokio::test]
async fn reserve_json_succeeds_counting_queued_withdrawals_in_the_lcr() {
    let (w, _) = seeded(&[0.5]).await;
    let usdc = reserve(&w.snapshot().await.unwrap(), &w, "USDC");
    let lender = Keypair::new();
    w.cluster.airdrop(&lender.pubkey(), 100_000_000).await.unwrap();
    let liquidity = w.fund(&lender.pubkey(), "USDC", usdc.native(10_000.0)).await.unwrap();
    let ctokens = pda::associated_token(&lender.pubkey(), &usdc.state.ctoken_mint, &usdc.token_program());
    let create = tokens::create_ata_idempotent(&w.cluster.payer().pubkey(), &lender.pubkey(), &usdc.state.ctoken_mint, &usdc.token_program());
    let deposit = ix::deposit_liquidity(&lender.pubkey(), &usdc, &liquidity, &ctokens, usdc.native(10_000.0));
    w.cluster.send(&[create, deposit], &[&lender]).await.unwrap();
    let snap = w.snapshot().await.unwrap();
    let before = ballast_cli::read::reserve_json(&reserve(&snap, &w, "USDC"), Some(&snap)).unwrap();
    assert_eq!(before["queued_withdrawals"].as_f64(), Some(0.0));
    let held = tokens::token_amount(&w.cluster.account(&ctokens).await.unwrap().unwrap().data).unwrap();
    // The reserve now lets 1,000 USDC an hour out: a redeem of half cannot be met, so the lender queues it.
    let limit = format!("outflow_limit={}", usdc.native(1_000.0));
    run_cli(&w, &w.admin, &["admin", "reserve-config", "--reserve", &usdc.key.to_string(), "--set", "outflow_window_secs=3600", "--set", &limit]).await.unwrap();
    let snap = w.snapshot().await.unwrap();
    let request = ix::request_withdrawal(&lender.pubkey(), &reserve(&snap, &w, "USDC"), &ctokens, &liquidity, held / 2);
    w.cluster.send(&[request], &[&lender]).await.unwrap();

    let snap = w.snapshot().await.unwrap();
    let after = ballast_cli::read::reserve_json(&reserve(&snap, &w, "USDC"), Some(&snap)).unwrap();
    let queued = after["queued_withdrawals"].as_f64().unwrap();
    assert!((queued - 5_000.0).abs() < 1.0, "about 5,000 USDC queued, got {queued}");
    let available = after["available_liquidity"].as_f64().unwrap();
    let deposits = after["deposits"].as_f64().unwrap();
    assert!(deposits <= available + after["borrowed"].as_f64().unwrap(), "fees and insurance are not depositors'");
    let expected = available / (queued + ballast_sdk::accounts::LCR_DEPOSIT_RUNOFF * (deposits - queued));
    assert!((after["lcr"].as_f64().unwrap() - expected).abs() < 1e-9);
    assert!(after["lcr"].as_f64().unwrap() < before["lcr"].as_f64().unwrap(), "a ticket lowers the LCR");
    assert_eq!(after["oracle"]["primary"]["status"]["valid"], serde_json::json!(true));
    assert!(after["oracle"]["secondary"].is_null(), "the demo's reserves have no secondary source");
    assert_invariants(&w).await;
}

#[tokio::test]
async fn keeper_succeeds_liquidating_every_liquidatable_obligation_and_nothing_else() {
    let (mut w, borrowers) = seeded(&[0.3, 0.6, 0.9, 0.97, 0.99, 0.5]).await;
    let liquidator = Keypair::new();
    w.cluster.airdrop(&liquidator.pubkey(), 1_000_000_000).await.unwrap();
    w.fund(&liquidator.pubkey(), "USDC", 10_000_000_000_000).await.unwrap();
    // SOL falls 15%: the borrowers near their limit cross the liquidation threshold, the rest do not.
    w.now += 60;
    w.cluster.set_time(w.now).await.unwrap();
    w.publish_all(127.5, 2.0).await;
    let snap = w.snapshot().await.unwrap();
    let p = Projection::new(&snap);
    let sorted = |mut v: Vec<Pubkey>| {
        v.sort();
        v
    };
    let expected = sorted(borrowers.iter().filter(|(_, k)| p.is_liquidatable(&snap.obligation(k).unwrap().state).unwrap()).map(|b| b.1).collect());
    assert!(!expected.is_empty() && expected.len() < borrowers.len(), "the crash splits the borrowers: {}", expected.len());
    let before: Vec<_> = {
        let mut v = vec![];
        for (_, k) in &borrowers {
            v.push(w.cluster.account(k).await.unwrap().unwrap().data);
        }
        v
    };

    let dry = keeper::Options { dry_run: true, rounds: 1, interval: std::time::Duration::ZERO, ..Default::default() };
    let report = keeper::run(&w.cluster, &liquidator, &w.market, &dry, &mut Vec::new()).await.unwrap();
    assert_eq!(sorted(report.liquidatable), expected);
    assert!(report.liquidated.is_empty(), "a dry run sends nothing");

    let opts = keeper::Options { rounds: 1, interval: std::time::Duration::ZERO, ..Default::default() };
    let report = keeper::run(&w.cluster, &liquidator, &w.market, &opts, &mut Vec::new()).await.unwrap();
    assert_eq!(sorted(report.liquidated), expected);
    assert_eq!(report.failed, 0);
    for ((user, key), data) in borrowers.iter().zip(before) {
        let now = w.cluster.account(key).await.unwrap().unwrap().data;
        if expected.contains(key) {
            assert_ne!(now, data, "{key} was liquidated");
            continue;
        }
        assert_eq!(now, data, "{key} is healthy and untouched");
        // The chain agrees it is healthy: a liquidation attempt is refused.
        let snap = w.snapshot().await.unwrap();
        let usdc = reserve(&snap, &w, "USDC");
        let sol = reserve(&snap, &w, "SOL");
        let o = obligation(&w, key).await;
        let ixs = ballast_cli::write::liquidation_ixs(&w.cluster, &liquidator, &snap, (key, &o), &usdc, &sol, u64::MAX, 0, Default::default());
        let err = w.cluster.send_with_tables(&ixs, &[&liquidator], snap.tables()).await.unwrap_err();
        assert!(err.to_string().contains("ObligationHealthy"), "{user:?}: {err}");
    }
    assert_invariants(&w).await;
}

/// A spec that adds a Switchboard secondary to SOL: widening what prices a reserve is a loosening, so it goes
/// through the queue, the plan names each secondary field and extends the lookup table with the feed, and once
/// applied the chain holds it and the spec plans nothing more. Removing it again is a loosening too.
#[tokio::test]
async fn apply_succeeds_adding_a_secondary_source_through_the_queue() {
    let (w, _) = seeded(&[]).await;
    let admin = w.admin.pubkey();
    let feed = Pubkey::new_unique();
    let mut with_feed = w.spec.clone();
    let sol = with_feed.reserves.iter_mut().find(|r| r.symbol == "SOL").unwrap();
    let toml = format!("kind = \"switchboard\"\nprice_account = \"{feed}\"\nmax_divergence_bps = 300");
    sol.secondary = Some(toml::from_str(&toml).unwrap());
    let p = plan(&w.cluster, &with_feed, &w.market, &admin).await.unwrap();
    // The config change goes through the queue, and the market's lookup table gains the feed.
    let [Step::UpdateReserveConfig { route: Route::Queue, changes, .. }, Step::LookupTable { missing, .. }] = p.steps.as_slice() else { panic!("{p}") };
    assert_eq!(missing, &vec![feed]);
    for field in ["secondary.kind", "secondary.price_account", "secondary.max_divergence_bps", "secondary.min_samples"] {
        assert!(changes.iter().any(|c| c.starts_with(field)), "{field} missing from {changes:?}");
    }
    apply(&w.cluster, &with_feed, &w.market_keypair, &w.admin).await.unwrap();
    let snap = w.snapshot().await.unwrap();
    let view = reserve(&snap, &w, "SOL");
    assert_eq!(view.secondary_price_account(), Some(feed));
    assert_eq!(view.state.config.secondary.max_divergence_bps, 300);
    assert!(plan(&w.cluster, &with_feed, &w.market, &admin).await.unwrap().is_empty());
    let p = plan(&w.cluster, &w.spec, &w.market, &admin).await.unwrap();
    assert!(matches!(p.steps.as_slice(), [Step::UpdateReserveConfig { route: Route::Queue, .. }]), "{p}");
    assert_invariants(&w).await;
}

#[test]
fn spec_fails_on_an_unknown_secondary_kind() {
    let mut spec = ballast_migrate::Spec::parse(world::EXAMPLE_SPEC).unwrap();
    let r = &mut spec.reserves[0];
    r.price_account = Some(Pubkey::new_unique().to_string());
    r.secondary = Some(toml::from_str(&format!("kind = \"chainlink\"\nprice_account = \"{}\"", Pubkey::new_unique())).unwrap());
    let err = r.config().unwrap_err().to_string();
    assert!(err.contains("unknown secondary kind `chainlink`"), "{err}");
}

#[tokio::test]
async fn apply_succeeds_twice_with_the_second_a_no_op() {
    let (w, _) = seeded(&[]).await;
    let admin = w.admin.pubkey();
    let again = apply(&w.cluster, &w.spec, &w.market_keypair, &w.admin).await.unwrap();
    assert!(again.is_empty(), "second apply:\n{again}");
    let p = plan(&w.cluster, &w.spec, &w.market, &admin).await.unwrap();
    assert!(p.is_empty(), "{p}");
    assert!(p.to_string().contains("no changes"));

    // Tightening goes at once; loosening goes through the queue (timelock 0 here, so it applies at once too).
    let mut tighter = w.spec.clone();
    tighter.reserves[1].ltv_bps -= 500;
    let p = plan(&w.cluster, &tighter, &w.market, &admin).await.unwrap();
    assert!(matches!(p.steps.as_slice(), [Step::UpdateReserveConfig { route: Route::AtOnce, .. }]), "{p}");
    apply(&w.cluster, &tighter, &w.market_keypair, &w.admin).await.unwrap();
    assert!(plan(&w.cluster, &tighter, &w.market, &admin).await.unwrap().is_empty());
    let p = plan(&w.cluster, &w.spec, &w.market, &admin).await.unwrap();
    assert!(matches!(p.steps.as_slice(), [Step::UpdateReserveConfig { route: Route::Queue, .. }]), "{p}");
    apply(&w.cluster, &w.spec, &w.market_keypair, &w.admin).await.unwrap();
    assert!(plan(&w.cluster, &w.spec, &w.market, &admin).await.unwrap().is_empty());
    assert_invariants(&w).await;
}

/// The spec raises the chain's timelock to an hour, then lowers it back to 0. Lowering loosens, so it waits
/// the hour in force on chain: planning from the spec's own timelock (0) used to queue and apply in one
/// transaction, which the chain refused, so the run never converged.
#[tokio::test]
async fn apply_succeeds_lowering_a_timelock_to_zero() {
    let (w, _) = seeded(&[]).await;
    let admin = w.admin.pubkey();
    let mut hour = w.spec.clone();
    hour.market.config_timelock_secs = 3_600;
    let p = apply(&w.cluster, &hour, &w.market_keypair, &w.admin).await.unwrap();
    assert!(matches!(p.steps.as_slice(), [Step::UpdateMarketConfig { route: Route::AtOnce, .. }]), "{p}");

    let p = apply(&w.cluster, &w.spec, &w.market_keypair, &w.admin).await.unwrap();
    assert!(matches!(p.steps.as_slice(), [Step::UpdateMarketConfig { route: Route::Queue, .. }]), "{p}");
    let p = apply(&w.cluster, &w.spec, &w.market_keypair, &w.admin).await.unwrap();
    assert!(matches!(p.steps.as_slice(), [Step::UpdateMarketConfig { route: Route::Pending(_), .. }]), "waits: {p}");
    w.cluster.set_time(w.now + 3_600).await.unwrap();
    apply(&w.cluster, &w.spec, &w.market_keypair, &w.admin).await.unwrap();
    let p = plan(&w.cluster, &w.spec, &w.market, &admin).await.unwrap();
    assert!(p.is_empty(), "converged: {p}");
    let market: ballast_sdk::ballast::state::Market = decode(&w.cluster.account(&w.market).await.unwrap().unwrap().data).unwrap();
    assert_eq!(market.config.config_timelock_secs, 0);
}

/// A loosening spec while another change is pending (an earlier spec's, or someone's by hand) used to fail
/// with ConfigChangeAlreadyPending forever; the spec wins: the pending change is cancelled and replaced.
#[tokio::test]
async fn apply_succeeds_replacing_a_pending_change() {
    let (w, _) = seeded(&[]).await;
    let admin = w.admin.pubkey();
    let mut hour = w.spec.clone();
    hour.market.config_timelock_secs = 3_600;
    apply(&w.cluster, &hour, &w.market_keypair, &w.admin).await.unwrap();
    let mut first = hour.clone();
    first.reserves[1].ltv_bps += 100;
    apply(&w.cluster, &first, &w.market_keypair, &w.admin).await.unwrap(); // queued
    let mut second = hour.clone();
    second.reserves[1].ltv_bps += 200;
    let p = plan(&w.cluster, &second, &w.market, &admin).await.unwrap();
    assert!(matches!(p.steps.as_slice(), [Step::UpdateReserveConfig { route: Route::Replace, .. }]), "{p}");
    apply(&w.cluster, &second, &w.market_keypair, &w.admin).await.unwrap();
    w.cluster.set_time(w.now + 3_600).await.unwrap();
    apply(&w.cluster, &second, &w.market_keypair, &w.admin).await.unwrap();
    assert!(plan(&w.cluster, &second, &w.market, &admin).await.unwrap().is_empty());
    let snap = w.snapshot().await.unwrap();
    let sol = reserve(&snap, &w, &second.reserves[1].symbol);
    assert_eq!(sol.state.config.ltv_bps, second.reserves[1].ltv_bps);
}

async fn run_cli(w: &world::World, signer: &Keypair, args: &[&str]) -> anyhow::Result<String> {
    let cli = Cli::try_parse_from(std::iter::once("ballast").chain(args.iter().copied()))?;
    let mut out = Vec::new();
    execute(&w.cluster, signer, &cli, &mut out).await?;
    Ok(String::from_utf8(out)?)
}

#[tokio::test]
async fn read_commands_succeed_with_parseable_json() {
    let (w, borrowers) = seeded(&[0.5]).await;
    let snap = w.snapshot().await.unwrap();
    let usdc = reserve(&snap, &w, "USDC").key.to_string();
    let market = w.market.to_string();
    let obligation = borrowers[0].1.to_string();
    let cases: [&[&str]; 4] = [
        &["market", "show", "--market", &market, "--json"],
        &["reserve", "list", "--market", &market, "--json"],
        &["reserve", "show", "--reserve", &usdc, "--json"],
        &["obligation", "show", "--obligation", &obligation, "--json"],
    ];
    for args in cases {
        let text = run_cli(&w, &w.admin, args).await.unwrap();
        let value: serde_json::Value = serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"));
        assert!(value.is_object() || value.is_array(), "{args:?}");
    }
    let shown: serde_json::Value = serde_json::from_str(run_cli(&w, &w.admin, cases[3]).await.unwrap().trim()).unwrap();
    assert!(shown["liquidation_health"].as_f64().unwrap() > 1.0);
    assert!(shown["max_borrow"].as_array().unwrap().len() == 3);
    // Text output works too.
    assert!(run_cli(&w, &w.admin, &["reserve", "list", "--market", &market]).await.unwrap().contains("util"));
    assert_invariants(&w).await;
}

#[tokio::test]
async fn user_commands_succeed_moving_balances() {
    let (w, _) = seeded(&[]).await;
    let snap = w.snapshot().await.unwrap();
    let sol = reserve(&snap, &w, "SOL");
    let usdc = reserve(&snap, &w, "USDC");
    let user = Keypair::new();
    w.cluster.airdrop(&user.pubkey(), 100_000_000).await.unwrap();
    let sol_account = w.fund(&user.pubkey(), "SOL", sol.native(10.0)).await.unwrap();
    let (s, u) = (sol.key.to_string(), usdc.key.to_string());
    run_cli(&w, &user, &["deposit", "--reserve", &s, "--amount", "10"]).await.unwrap();
    run_cli(&w, &user, &["borrow", "--reserve", &u, "--amount", "100"]).await.unwrap();
    let usdc_account = pda::associated_token(&user.pubkey(), &usdc.mint(), &usdc.token_program());
    let balance = |data: Vec<u8>| tokens::token_amount(&data).unwrap();
    assert_eq!(balance(w.cluster.account(&usdc_account).await.unwrap().unwrap().data), usdc.native(100.0));
    run_cli(&w, &user, &["repay", "--reserve", &u, "--amount", "all"]).await.unwrap();
    assert_eq!(balance(w.cluster.account(&usdc_account).await.unwrap().unwrap().data), 0);
    run_cli(&w, &user, &["withdraw", "--reserve", &s, "--amount", "all"]).await.unwrap();
    // Everything comes back, less at most one unit of rounding.
    let back = balance(w.cluster.account(&sol_account).await.unwrap().unwrap().data);
    assert!((sol.native(10.0) - 1..=sol.native(10.0)).contains(&back), "{back}");
    assert_invariants(&w).await;
}

#[tokio::test]
async fn cli_fails_with_one_line_error_on_unknown_reserve() {
    let (w, _) = seeded(&[]).await;
    let nobody = Pubkey::new_unique().to_string();
    let err = run_cli(&w, &w.admin, &["reserve", "show", "--reserve", &nobody]).await.unwrap_err();
    let line = format!("{err:#}");
    assert!(line.contains("unknown reserve") && !line.contains('\n'), "{line}");
    let market = w.market.to_string();
    let err = run_cli(&w, &w.admin, &["reserve", "show", "--reserve", &market]).await.unwrap_err();
    assert!(format!("{err:#}").contains("not a Ballast reserve"), "{err:#}");
    assert_invariants(&w).await;
}

fn ballast_bin(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ballast")).args(args).env("SOLANA_CONFIG", "/nonexistent").output().unwrap()
}

#[test]
fn cli_fails_with_one_line_error_on_malformed_pubkey() {
    let out = ballast_bin(&["reserve", "show", "--reserve", "not-a-key", "--url", "http://127.0.0.1:9"]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not a valid base58 public key"), "{err}");
}

#[test]
fn cli_fails_with_one_line_error_on_missing_keypair_file() {
    let key = Pubkey::new_unique().to_string();
    let out = ballast_bin(&["deposit", "--reserve", &key, "--amount", "1", "--keypair", "/nonexistent/id.json", "--url", "http://127.0.0.1:9"]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot read keypair file /nonexistent/id.json"), "{err}");
}

#[test]
fn specs_succeed_parsing_into_valid_configs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/specs");
    for name in ["example.toml", "localnet.toml", "devnet.toml"] {
        let spec = ballast_migrate::Spec::load(&dir.join(name)).unwrap();
        assert!(!spec.reserves.is_empty(), "{name}");
        for r in &spec.reserves {
            let mut r = r.clone();
            // The example leaves mints and prices to the demo.
            r.price_account.get_or_insert_with(|| Pubkey::new_unique().to_string());
            r.config().unwrap_or_else(|e| panic!("{name} {}: {e}", r.symbol));
        }
    }
}

#[test]
fn plan_fails_on_a_malformed_spec() {
    let err = ballast_migrate::Spec::parse("[market]\nkeypair = \"m.json\"\n[[reserve]]\nsymbol = \"X\"").unwrap_err();
    assert!(err.to_string().contains("invalid spec"), "{err}");
}

/// A market of 16 $1 reserves, 8 to pledge and 8 to borrow; the spec's apply builds its lookup table.
fn sixteen_reserve_spec() -> String {
    let mut spec = String::from("[market]\nkeypair = \"unused.json\"\n");
    for i in 0..16 {
        let role = if i < 8 { "C" } else { "D" };
        spec.push_str(&format!(
            "\n[[reserve]]\nsymbol = \"{role}{i}\"\ndecimals = 6\nfeed_id = \"{:064x}\"\nseed_amount = 1.0\nltv_bps = 8000\nliquidation_threshold_bps = 8500\ncurve = [[0, 0], [8000, 800], [10000, 10800]]\n",
            i + 1
        ));
    }
    spec
}

/// The keeper liquidates an obligation with 8 deposits and 8 borrows over 16 reserves on its own: its
/// transaction (16 health pairs, two reserves' vaults, the liquidator's accounts and their creation) only fits
/// as a v0 transaction loading accounts from the market's lookup table, which ballast-migrate created.
#[tokio::test]
async fn keeper_succeeds_liquidating_an_eight_and_eight_obligation_through_the_lookup_table() {
    let mut w = world::set_up_with(&sixteen_reserve_spec(), &mut Vec::new()).await.unwrap();
    w.cluster.warp_slots(1).await.unwrap(); // the table's entries load from the next slot
    let snap = w.snapshot().await.unwrap();
    let table = snap.lookup_table.as_ref().expect("apply recorded the market's lookup table");
    assert!(table.addresses.len() >= 16 * 7, "{} addresses", table.addresses.len()); // 7 per reserve (one token program)
    let lender = Keypair::new();
    w.cluster.airdrop(&lender.pubkey(), 1_000_000_000).await.unwrap();
    for i in 8..16 {
        world::supply(&w, &lender, &reserve(&snap, &w, &format!("D{i}")), 10_000.0).await.unwrap();
    }
    let alice = Keypair::new();
    w.cluster.airdrop(&alice.pubkey(), 1_000_000_000).await.unwrap();
    let mut obligation = Pubkey::default();
    for i in 0..8 {
        obligation = world::supply(&w, &alice, &reserve(&snap, &w, &format!("C{i}")), 1_000.0).await.unwrap();
    }
    for i in 8..16 {
        let snap = w.snapshot().await.unwrap();
        let r = reserve(&snap, &w, &format!("D{i}"));
        let o = snap.obligation(&obligation).unwrap().state;
        let liquidity = w.fund(&alice.pubkey(), &format!("D{i}"), 0).await.unwrap();
        let borrow = ix::borrow(&alice.pubkey(), (&obligation, &o), &r, &liquidity, r.native(400.0), snap.price_accounts());
        w.cluster.send_with_tables(&[borrow], &[&alice], snap.tables()).await.unwrap();
    }
    let o = w.snapshot().await.unwrap().obligation(&obligation).unwrap().state;
    assert_eq!((o.active_deposits().len(), o.active_borrows().len()), (8, 8));
    // Without the table the same liquidation would not fit: the SDK refuses it before sending.
    let liquidator = Keypair::new();
    w.cluster.airdrop(&liquidator.pubkey(), 1_000_000_000).await.unwrap();
    for i in 8..16 {
        w.fund(&liquidator.pubkey(), &format!("D{i}"), 1_000_000_000).await.unwrap();
    }
    w.now += 60;
    w.cluster.set_time(w.now).await.unwrap();
    for a in &w.assets {
        w.publish(&a.symbol, if a.symbol.starts_with('C') { 0.45 } else { 1.0 }).await;
    }
    let mut snap = w.snapshot().await.unwrap();
    snap.lookup_table = None;
    let (c0, d0) = (reserve(&snap, &w, "C0"), reserve(&snap, &w, "D8"));
    let ixs = ballast_cli::write::liquidation_ixs(&w.cluster, &liquidator, &snap, (&obligation, &o), &d0, &c0, u64::MAX, 0, Default::default());
    let err = w.cluster.send_with_tables(&ixs, &[&liquidator], snap.tables()).await.unwrap_err();
    assert!(err.to_string().contains("1232"), "{err}");

    let opts = keeper::Options { rounds: 1, interval: std::time::Duration::ZERO, ..Default::default() };
    let report = keeper::run(&w.cluster, &liquidator, &w.market, &opts, &mut Vec::new()).await.unwrap();
    assert_eq!((report.liquidated, report.failed), (vec![obligation], 0));
    let after = w.snapshot().await.unwrap().obligation(&obligation).unwrap().state;
    assert_ne!(bytemuck::bytes_of(&after), bytemuck::bytes_of(&o), "the keeper liquidated it");
    assert_invariants(&w).await;
}

/// The native ledger (Ballast's own entrypoint, SPL Token emulated, no bank) and the bank it was forked from
/// run the same transactions to the same accounts, byte for byte and lamport for lamport: positions opened,
/// a crash, the keeper liquidating and writing off bad debt. Only the fee payer differs (the native ledger
/// charges no fees).
#[tokio::test]
async fn native_ledger_succeeds_matching_the_bank_account_by_account() {
    let mut bank = world::set_up(&mut Vec::new()).await.unwrap();
    let mut native = bank.fork_native().await.unwrap();
    assert!(native.cluster.is_native() && !bank.cluster.is_native());
    let users: Vec<Keypair> = (0..16).map(|_| Keypair::new()).collect();
    let liquidator = Keypair::new();
    let mut outcomes = vec![];
    for w in [&mut bank, &mut native] {
        let snap = w.snapshot().await.unwrap();
        let by = |s: &str| *snap.reserve_by_mint(&w.mint(s)).unwrap();
        let (usdc, sol, volt) = (by("USDC"), by("SOL"), by("VOLT"));
        let mut rng = ballast_cli::rng::Rng::new(7);
        for (i, user) in users.iter().enumerate() {
            w.cluster.airdrop(&user.pubkey(), 100_000_000).await.unwrap();
            if i < 4 {
                world::supply(w, user, &usdc, rng.range(20_000.0, 40_000.0)).await.unwrap();
                continue;
            }
            let collateral = if i % 3 == 0 { &volt } else { &sol };
            let ui = if i % 3 == 0 { rng.range(2_000.0, 20_000.0) } else { rng.range(5.0, 80.0) };
            let obligation = world::supply(w, user, collateral, ui).await.unwrap();
            world::borrow_share(w, user, &obligation, &usdc, rng.range(0.6, 0.99)).await.unwrap();
        }
        w.cluster.airdrop(&liquidator.pubkey(), 1_000_000_000).await.unwrap();
        w.fund(&liquidator.pubkey(), "USDC", usdc.native(5_000_000.0)).await.unwrap();
        let mut liquidations = 0;
        for step in 1..demo::CRASH.len() {
            let s = demo::crash_step(w, &liquidator, step).await.unwrap();
            liquidations += s.liquidations + s.write_offs;
        }
        outcomes.push(liquidations);
    }
    assert_eq!(outcomes[0], outcomes[1]);
    assert!(outcomes[0] > 0, "the crash liquidates someone");
    let payer = bank.cluster.payer().pubkey();
    let keys = bank.cluster.known_keys();
    assert_eq!(keys, native.cluster.known_keys());
    let mut compared = 0;
    for key in keys.iter().filter(|k| **k != payer) {
        let (a, b) = (bank.cluster.account(key).await.unwrap(), native.cluster.account(key).await.unwrap());
        let strip = |a: Option<solana_account::Account>| a.filter(|a| a.lamports > 0).map(|a| (a.lamports, a.owner, a.data));
        assert_eq!(strip(a), strip(b), "account {key} differs between the bank and the native ledger");
        compared += 1;
    }
    assert!(compared > 80, "{compared}");
    let snap = native.snapshot().await.unwrap();
    assert!(ballast_sdk::invariants::check(&native.cluster, &snap).await.unwrap().is_empty());
}
