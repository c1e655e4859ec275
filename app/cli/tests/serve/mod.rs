//! `ballast serve`'s JSON API and pages over HTTP, against the SDK's own numbers. The browser test
//! (`tests/browser.rs`) loads the same pages in Chromium.
use super::{assert_invariants, obligation, reserve, seeded};
use ballast_cli::{demo, keeper, serve, world, Cli};
use ballast_sdk::{accounts::liquidity_coverage, ballast::oracle::PriceUse, health::Projection, risk, Cluster, Keypair, Signer};
use clap::Parser;
use serde_json::Value;
use std::sync::{Arc, RwLock};

/// Serves `board` on a free port.
async fn serving(board: serve::board::Board) -> std::net::SocketAddr {
    serve::spawn(0, Arc::new(RwLock::new(Arc::new(board)))).await.unwrap()
}

async fn board_of(w: &world::World) -> serve::board::Board {
    serve::board::load(&w.cluster, &w.market, &w.names(), "test", "testing", 0, &mut Default::default()).await.unwrap()
}

/// An HTTP GET on the test's own runtime (the server runs on it too, so no blocking I/O here).
async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    get_as(addr, path, &addr.to_string()).await
}

/// A GET naming `host` in its Host header.
async fn get_as(addr: std::net::SocketAddr, path: &str, host: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).await.unwrap();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default())
}

async fn json(addr: std::net::SocketAddr, path: &str) -> Value {
    let (status, body) = get(addr, path).await;
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Equal JSON, numbers within float-text round-trip error (serde_json parses floats to within an ulp).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => close(x.as_f64().unwrap(), y.as_f64().unwrap()),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w))),
        _ => a == b,
    }
}

#[tokio::test]
async fn serve_succeeds_serving_the_sdks_numbers_as_json_and_pages() {
    let (w, _) = seeded(&[0.3, 0.8, 0.95, 0.99]).await;
    // A drop makes some liquidatable; the keeper liquidates them, so the activity page has rows.
    w.publish("SOL", 118.0).await;
    let liquidator = Keypair::new();
    w.cluster.airdrop(&liquidator.pubkey(), 1_000_000_000).await.unwrap();
    w.fund(&liquidator.pubkey(), "USDC", 10_000_000_000_000).await.unwrap();
    let opts = keeper::Options { rounds: 1, interval: std::time::Duration::ZERO, ..Default::default() };
    let k = keeper::run(&w.cluster, &liquidator, &w.market, &opts, &mut Vec::new()).await.unwrap();
    assert!(!k.liquidated.is_empty(), "the drop leaves someone to liquidate");
    w.publish("SOL", 105.0).await;

    let addr = serving(board_of(&w).await).await;
    let snap = w.snapshot().await.unwrap();
    let p = Projection::new(&snap);

    // Market: per reserve, the SDK's accrued borrows and available liquidity.
    let market = json(addr, "/api/market").await;
    for r in &snap.reserves {
        let shown = market["reserves"].as_array().unwrap().iter().find(|v| v["reserve"] == r.key.to_string()).expect("every reserve listed");
        let accrued = r.state.accrual(snap.now).unwrap();
        let borrowed = r.ui(accrued.borrowed.to_num::<f64>() as u64);
        let available = r.ui(r.state.available_liquidity);
        assert!(close(shown["borrowed"].as_f64().unwrap(), borrowed) && close(shown["available_liquidity"].as_f64().unwrap(), available), "{shown}");
        let utilization = if borrowed + available > 0.0 { borrowed / (borrowed + available) } else { 0.0 };
        assert!(close(shown["utilization"].as_f64().unwrap(), utilization), "{shown}");
        let lcr = liquidity_coverage(available, shown["deposits"].as_f64().unwrap(), shown["queued_withdrawals"].as_f64().unwrap());
        assert_eq!(shown["lcr"].as_f64().is_some(), lcr.is_some());
        assert!(lcr.is_none_or(|l| close(l, shown["lcr"].as_f64().unwrap())), "{shown}");
        assert_eq!(shown["symbol"], w.names()[&r.key].as_str());
        assert_eq!(shown["deposit_cap_use"].as_f64().is_some(), r.state.config.deposit_limit != u64::MAX, "{shown}");
    }

    // Obligations: health ascending, each equal to the SDK's projection.
    let rows = json(addr, "/api/obligations?sort=health").await;
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), snap.obligations.len());
    let healths: Vec<f64> = rows.iter().map(|r| r["liquidation_health"].as_f64().unwrap_or(f64::INFINITY)).collect();
    assert!(healths.windows(2).all(|h| h[0] <= h[1]), "{healths:?}");
    for row in rows {
        let o = snap.obligation(&row["obligation"].as_str().unwrap().parse().unwrap()).unwrap();
        match (row["liquidation_health"].as_f64(), p.liquidation_health(&o.state).unwrap()) {
            (Some(shown), Some(sdk)) => assert!(close(shown, sdk), "{shown} vs {sdk}"),
            (shown, sdk) => assert_eq!(shown, sdk),
        }
        assert_eq!(row["liquidatable"], p.is_liquidatable(&o.state).unwrap());
    }
    let by_debt = json(addr, "/api/obligations?sort=debt&order=desc").await;
    let debts: Vec<f64> = by_debt.as_array().unwrap().iter().map(|r| r["debt_value"].as_f64().unwrap()).collect();
    assert!(debts.windows(2).all(|d| d[0] >= d[1]), "{debts:?}");

    // Detail: what `obligation show --json` prints.
    let riskiest = rows[0]["obligation"].as_str().unwrap().to_string();
    let detail = json(addr, &format!("/api/obligations/{riskiest}")).await;
    let key = riskiest.parse().unwrap();
    let expected = ballast_cli::read::obligation_json(&snap, &key, &obligation(&w, &key).await).unwrap();
    assert!(same(&detail, &expected), "{detail}\n{expected}");

    // At risk: the SDK's report, and its buckets add up to every obligation with debt.
    let at_risk = json(addr, "/api/at-risk").await;
    let expected = serde_json::to_value(risk::report(&snap)).unwrap();
    assert!(same(&at_risk, &expected), "{at_risk}\n{expected}");
    let mut debt_total = 0.0;
    let mut with_debt = 0;
    for o in &snap.obligations {
        if p.liquidation_health(&o.state).unwrap().is_some() {
            with_debt += 1;
            debt_total += p.health(&o.state, PriceUse::Liquidation).unwrap().debt_value.to_num::<f64>();
        }
    }
    let counted: u64 = at_risk["buckets"].as_array().unwrap().iter().map(|b| b["obligations"].as_u64().unwrap()).sum();
    assert_eq!(counted, with_debt);
    assert!(close(at_risk["debt_value"].as_f64().unwrap(), debt_total));
    assert!(at_risk["buckets"][0]["obligations"].as_u64().unwrap() > 0, "the second drop leaves a liquidatable bucket: {at_risk}");

    // Activity: every liquidation the keeper sent.
    let activity = json(addr, "/api/activity").await;
    assert_eq!(activity["activity"].as_array().unwrap().iter().filter(|a| a["kind"] == "liquidation").count(), k.liquidated.len());
    assert!(activity["error"].is_null());

    // Pages render the same numbers; an unknown obligation is a 404 that says so.
    for path in ["/", "/at-risk", "/obligations", "/obligations?sort=debt&order=desc", "/activity", &format!("/obligations/{riskiest}")] {
        let (status, body) = get(addr, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.starts_with("<!doctype html>") && body.contains("data-refresh-ms=\"0\""), "{path}: {body}");
    }
    let (_, page) = get(addr, "/").await;
    let sol = reserve(&snap, &w, "SOL");
    let sol_shown = market["reserves"].as_array().unwrap().iter().find(|v| v["reserve"] == sol.key.to_string()).unwrap();
    assert!(page.contains(&format!(r#"data-cell="SOL.utilization">{}<"#, serve::html::pct(sol_shown["utilization"].as_f64()))), "{page}");
    let (status, body) = get(addr, "/obligations/NotAnObligation").await;
    assert_eq!(status, 404);
    assert!(body.contains("unknown obligation NotAnObligation: not an obligation of this market"), "{body}");
    let (status, body) = get(addr, "/api/obligations/NotAnObligation").await;
    assert_eq!((status, serde_json::from_str::<Value>(&body).unwrap()["error"].as_str().unwrap()), (404, "unknown obligation NotAnObligation: not an obligation of this market"));
    assert_invariants(&w).await;
}

#[tokio::test]
async fn serve_fails_without_a_market_or_with_a_zero_refresh() {
    let (w, _) = seeded(&[]).await;
    let run = |args: &[&str]| {
        let cli = Cli::parse_from(std::iter::once("ballast").chain(args.iter().copied()));
        let cluster = &w.cluster;
        async move { serve::from_cli(cluster, &cli, "test", &mut Vec::new()).await.unwrap_err().to_string() }
    };
    assert_eq!(run(&["serve"]).await, "serve: pass --market ADDRESS (and --url), or --demo for the in-process demo");
    let market = w.market.to_string();
    assert_eq!(run(&["serve", "--market", &market, "--refresh-secs", "0"]).await, "serve: --refresh-secs and --step-secs must be at least 1");
    assert!(run(&["serve", "--market", "nope"]).await.contains("market"));
    let not_a_market = w.admin.pubkey().to_string();
    assert!(run(&["serve", "--market", &not_a_market, "--port", "0"]).await.contains("is not a Ballast market"));
    assert!(Cli::try_parse_from(["ballast", "serve", "--demo", "--market", &market]).is_err(), "--demo and --market conflict");
    assert_invariants(&w).await;
}

#[tokio::test]
async fn serve_cluster_succeeds_reading_the_market_again_every_refresh() {
    let (w, _) = seeded(&[0.5]).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr: std::net::SocketAddr = ([127, 0, 0, 1], port).into();
    let opts = serve::options(port, 1, 1).unwrap();
    let mut out = Vec::new();
    // The names a spec file gives: the demo's spec with its mints filled in.
    let mut spec = world::EXAMPLE_SPEC.to_string();
    for a in &w.assets {
        spec = spec.replace(&format!("symbol = \"{}\"\n", a.symbol), &format!("symbol = \"{}\"\nmint = \"{}\"\n", a.symbol, a.mint));
    }
    let spec_file = std::env::temp_dir().join(format!("ballast-serve-spec-{}.toml", w.market));
    std::fs::write(&spec_file, spec).unwrap();
    let names = serve::spec_names(&w.market, &spec_file).unwrap();
    std::fs::remove_file(&spec_file).unwrap();
    assert_eq!(names, w.names());
    let server = serve::cluster(&w.cluster, &w.market, &names, "in-process", &opts, &mut out);
    let usdc = w.names().into_iter().find(|(_, s)| s == "USDC").unwrap().0;
    let available = |m: &Value| m["reserves"].as_array().unwrap().iter().find(|r| r["reserve"] == usdc.to_string()).unwrap()["available_liquidity"].as_f64().unwrap();
    let client = async {
        while tokio::net::TcpStream::connect(addr).await.is_err() {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let before = json(addr, "/api/market").await;
        let lender = Keypair::new();
        w.cluster.airdrop(&lender.pubkey(), 100_000_000).await.unwrap();
        world::supply(&w, &lender, &reserve(&w.snapshot().await.unwrap(), &w, "USDC"), 1_000.0).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
        (before, json(addr, "/api/market").await, json(addr, "/api/board").await)
    };
    let (before, after, board) = tokio::select! {
        r = server => panic!("the server stopped: {r:?}"),
        seen = client => seen,
    };
    assert!(close(available(&after) - available(&before), 1_000.0), "the deposit shows after a refresh: {} → {}", available(&before), available(&after));
    assert_eq!((board["source"].as_str(), board["status"].as_str(), board["refresh_ms"].as_u64()), (Some("in-process"), Some("live"), Some(1_000)));
    assert!(board["history"].as_array().unwrap().len() >= 2, "one point per read");
    assert!(String::from_utf8(out).unwrap().contains(&format!("http://{addr}/")));
    assert!(after["reserves"].as_array().unwrap().iter().any(|r| r["symbol"] == "USDC"), "symbols from the spec");
    assert_invariants(&w).await;
}

#[tokio::test]
async fn serve_demo_step_succeeds_moving_the_board_with_the_crash() {
    let mut w = world::set_up(&mut Vec::new()).await.unwrap();
    let cast = demo::populate(&w, 12).await.unwrap();
    let opts = serve::options(0, 1, 1).unwrap();
    let mut memory = serve::board::Memory::default();
    let mut board = serve::board::load(&w.cluster, &w.market, &w.names(), "demo", &serve::demo_status(0), 1_000, &mut memory).await.unwrap();
    let usdc = w.names().into_iter().find(|(_, s)| s == "USDC").unwrap().0.to_string();
    let usdc_util = |b: &serve::board::Board| b.reserves.iter().find(|r| r["reserve"] == usdc).unwrap()["utilization"].as_f64().unwrap();
    let before = usdc_util(&board);
    for step in 1..=4 {
        board = serve::demo_step(&mut w, &cast, step, &opts, &mut memory).await.unwrap();
        assert_eq!(board.status, serve::demo_status(step));
    }
    assert_eq!(board.history.len(), 5, "one point per board");
    assert!(!board.activity.is_empty(), "the crash's liquidations are listed");
    assert!(usdc_util(&board) < before, "liquidations repay USDC debt: {before} → {}", usdc_util(&board));
    assert_eq!(board.now, w.cluster.now().await.unwrap());
    assert_invariants(&w).await;
}

#[tokio::test]
async fn serve_fails_answering_a_request_for_another_host() {
    let (w, _) = seeded(&[0.5]).await;
    let addr = serving(board_of(&w).await).await;
    // A page on another site that rebinds its name to 127.0.0.1 sends its own host name: refused.
    for host in ["evil.example", &format!("evil.example:{}", addr.port()), "127.0.0.1:1"] {
        let (status, body) = get_as(addr, "/api/board", host).await;
        assert_eq!(status, 421, "{host}: {body}");
        assert!(body.contains("serve answers only to Host 127.0.0.1:") && !body.contains("\"reserves\""), "{body}");
    }
    assert_eq!(get_as(addr, "/api/board", &format!("localhost:{}", addr.port())).await.0, 200);
    assert_invariants(&w).await;
}

#[tokio::test]
async fn serve_succeeds_showing_a_stale_oracle_and_its_obligations_as_unpriced() {
    let (w, borrowers) = seeded(&[0.5, 0.9]).await;
    // SOL's price stops updating: an hour later it is far past its max age.
    let sol = w.assets.iter().find(|a| a.symbol == "SOL").unwrap();
    w.cluster.set_account(&sol.price_account, ballast_sdk::pyth::price_update_account(&ballast_sdk::pyth::PricePoint::calm(sol.feed_id, 150.0, w.now - 3_600))).await;
    let board = board_of(&w).await;
    let sol_row = board.reserves.iter().find(|r| r["symbol"] == "SOL").unwrap();
    assert_eq!(sol_row["oracle"]["primary"]["status"]["valid"], false);
    assert_eq!(sol_row["oracle"]["primary"]["status"]["age_secs"].as_i64(), Some(3_600 + w.cluster.now().await.unwrap() - w.now));
    // Every borrower pledged SOL: none can be priced, so none is bucketed, and each says why.
    assert_eq!(board.risk.unpriced, borrowers.len());
    assert_eq!(board.risk.buckets.iter().map(|b| b.obligations).sum::<usize>(), 0);
    for (_, key) in &borrowers {
        let row = board.obligations.iter().find(|o| o.obligation == key.to_string()).unwrap();
        assert!(row.error.is_some() && row.liquidation_health.is_none() && !row.liquidatable, "{row:?}");
    }
    let addr = serving(board).await;
    let (status, page) = get(addr, "/").await;
    assert!(status == 200 && page.contains(r#"data-cell="SOL.oracle" class="bad">pyth INVALID 3600 s old<"#), "{page}");
    let (_, page) = get(addr, "/obligations").await;
    assert!(page.contains("UNPRICED: ") && page.contains(">unpriced<"), "{page}");
    let (_, page) = get(addr, "/at-risk").await;
    assert!(page.contains(&format!(r#"data-cell="unpriced" class="bad">{}<"#, borrowers.len())), "{page}");
    assert_invariants(&w).await;
}

/// How many of `borrowers` the SDK (the program's own health code) finds liquidatable now.
async fn liquidatable(w: &world::World, borrowers: &[(Keypair, ballast_sdk::Pubkey)]) -> usize {
    let snap = w.snapshot().await.unwrap();
    let p = Projection::new(&snap);
    borrowers.iter().filter(|(_, key)| p.is_liquidatable(&snap.obligation(key).unwrap().state).unwrap()).count()
}

#[tokio::test]
async fn at_risk_move_succeeds_marking_the_price_at_which_an_obligation_turns_liquidatable() {
    let (w, borrowers) = seeded(&[0.6, 0.8, 0.95]).await;
    let board = board_of(&w).await;
    let sol = reserve(&w.snapshot().await.unwrap(), &w, "SOL");
    let spot = w.snapshot().await.unwrap().spot_price(&sol).unwrap();
    // The first SOL drop of the riskiest bucket that holds SOL.
    let m = board.risk.moves.iter().filter(|m| m.reserve == sol.key.to_string() && m.side == ballast_sdk::health::Side::Collateral).min_by_key(|m| m.bucket).unwrap();
    let first = m.first.unwrap();
    assert!(first < 0.0, "a collateral price must fall: {first}");
    assert_eq!(liquidatable(&w, &borrowers).await, 0);
    // Just short of the move: still none. Just past it: one.
    w.publish("SOL", spot * (1.0 + first * 0.999)).await;
    assert_eq!(liquidatable(&w, &borrowers).await, 0, "at {first} × 0.999");
    w.publish("SOL", spot * (1.0 + first * 1.001)).await;
    assert_eq!(liquidatable(&w, &borrowers).await, 1, "at {first} × 1.001");
    assert_invariants(&w).await;
}

#[tokio::test]
async fn liquidation_prices_succeed_moving_both_positions_of_a_looped_asset() {
    let (w, _) = seeded(&[]).await;
    let snap = w.snapshot().await.unwrap();
    let (usdc, sol) = (reserve(&snap, &w, "USDC"), reserve(&snap, &w, "SOL"));
    // SOL and a little USDC pledged, USDC borrowed: a USDC price rise lifts the debt and the collateral both.
    let user = Keypair::new();
    w.cluster.airdrop(&user.pubkey(), 100_000_000).await.unwrap();
    world::supply(&w, &user, &sol, 10.0).await.unwrap();
    let key = world::supply(&w, &user, &usdc, 100.0).await.unwrap();
    world::borrow_share(&w, &user, &key, &usdc, 0.9).await.unwrap();
    let snap = w.snapshot().await.unwrap();
    let prices = Projection::new(&snap).liquidation_prices(&snap.obligation(&key).unwrap().state).unwrap();
    let of_usdc: Vec<_> = prices.iter().filter(|l| l.reserve == usdc.key.to_string()).collect();
    assert_eq!(of_usdc.len(), 2, "both USDC positions listed: {prices:?}");
    assert_eq!(of_usdc[0].liquidation_price, of_usdc[1].liquidation_price, "one price for the asset");
    let at = of_usdc[0].liquidation_price.expect("a USDC rise can liquidate it");
    let spot = of_usdc[0].spot;
    // The chain agrees: just below that price it is healthy, just above liquidatable.
    let only = [(user.insecure_clone(), key)];
    w.publish("USDC", at * 0.999).await;
    assert_eq!(liquidatable(&w, &only).await, 0, "at {at} × 0.999 (spot {spot})");
    w.publish("USDC", at * 1.001).await;
    assert_eq!(liquidatable(&w, &only).await, 1, "at {at} × 1.001 (spot {spot})");
    assert_invariants(&w).await;
}

/// After the crash the demo keeps moving: hourly prices from the simulator's model (seeded, so two runs agree),
/// each step published, the keeper run and a new board whose status and prices follow the path.
#[tokio::test]
async fn serve_demo_succeeds_moving_after_the_crash_with_the_simulators_price_model() {
    let last = demo::CRASH[demo::CRASH.len() - 1];
    let path = demo::aftermath(6, last, 7).unwrap();
    assert_eq!(path, demo::aftermath(6, last, 7).unwrap(), "one seed, one path");
    assert_eq!(path.len(), 6);
    assert!(path.iter().all(|(s, v)| *s > 0.0 && *v > 0.0) && path.windows(2).any(|p| p[0] != p[1]), "{path:?}");
    let mut w = world::set_up(&mut Vec::new()).await.unwrap();
    let cast = demo::populate(&w, 8).await.unwrap();
    let opts = serve::options(0, 1, 1).unwrap();
    let mut memory = serve::board::Memory::default();
    for step in 1..demo::CRASH.len() {
        serve::demo_step(&mut w, &cast, step, &opts, &mut memory).await.unwrap();
    }
    for (hour, prices) in path.iter().enumerate() {
        let board = serve::demo_aftermath_step(&mut w, &cast, hour + 1, *prices, &opts, &mut memory).await.unwrap();
        assert!(board.status.starts_with(&format!("demo: after the crash, hour {}", hour + 1)), "{}", board.status);
        let sol = board.reserves.iter().find(|r| r["symbol"] == "SOL").unwrap()["price"].as_f64().unwrap();
        assert!((sol - prices.0).abs() < 1e-6 * prices.0, "the board shows the path's SOL price: {sol} vs {}", prices.0);
    }
    assert_invariants(&w).await;
}

/// The Stress page reads a `ballast sim --report` directory: per scenario its description, the chosen measures
/// (Ballast, baseline, the paired difference) and its bad-debt chart, served from the directory, beside the
/// live market; a file that is not a chart of the report is not served. The committed report parses too.
#[tokio::test]
async fn stress_page_succeeds_showing_the_report_beside_the_live_market() {
    let committed = serve::stress::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../reports/sim-2026-12-07"))).unwrap();
    assert_eq!(committed.scenarios.len(), 7, "{:?}", committed.scenarios.iter().map(|s| &s.name).collect::<Vec<_>>());
    assert!(committed.scenarios.iter().all(|s| s.rows.len() >= 5 && s.chart.is_some()), "{committed:?}");

    let dir = std::env::temp_dir().join(format!("ballast-stress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let table = "| measure | Ballast | baseline | Ballast − baseline |\n|---|---:|---:|---:|\n| bad debt | 5217.00 ± 1057.00 | 7886.42 ± 1200.00 | -2669.42 ± 704.00 |\n| liquidations | 74.01 ± 5.85 | 68.99 ± 5.44 | 5.02 ± 1.82 |\n| max queue | 1 | 0 | 1 |\n\nPer reserve:\n\n| reserve | insurance drawn (Ballast) | (baseline) | depositor loss (Ballast) | (baseline) |\n|---|---:|---:|---:|---:|\n| USDC | 1 | 2 | 3 | 4 |\n";
    let text = format!("# Ballast stress report\n\nIntro.\n\n## crash-60\n\nSOL falls 60%.\n\n{table}\n## drought\n\nNo buyers.\n\n{table}\n## The baseline\n\nSPL-style.\n");
    std::fs::write(dir.join("report.md"), text).unwrap();
    std::fs::write(dir.join("crash-60-bad-debt.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>").unwrap();
    std::fs::write(dir.join("secret.txt"), "not a chart").unwrap();
    let report = serve::stress::load(&dir).unwrap();
    assert_eq!(report.scenarios.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["crash-60", "drought"]);
    assert_eq!(report.scenarios[0].rows.len(), 2, "only the chosen measures of the first table: {:?}", report.scenarios[0].rows);
    assert_eq!((report.scenarios[0].chart.as_deref(), report.scenarios[1].chart.as_deref()), (Some("crash-60-bad-debt.svg"), None));

    let (w, _) = seeded(&[0.5]).await;
    let board = board_of(&w).await;
    let addr = serve::spawn_with(0, Arc::new(RwLock::new(Arc::new(board))), Some(Arc::new(report))).await.unwrap();
    let (status, page) = get(addr, "/stress").await;
    assert_eq!(status, 200);
    for needle in ["Live market", "data-cell=\"SOL.price\"", "crash-60", "SOL falls 60%.", "-2669.42 ± 704.00", "/stress/crash-60-bad-debt.svg", "drought"] {
        assert!(page.contains(needle), "{needle} missing from the Stress page");
    }
    assert!(!page.contains("max queue"), "only the chosen measures");
    let (status, svg) = get(addr, "/stress/crash-60-bad-debt.svg").await;
    assert!(status == 200 && svg.starts_with("<svg"), "{status} {svg}");
    assert_eq!(get(addr, "/stress/secret.txt").await.0, 404);
    assert_eq!(get(addr, "/stress/..%2Freport.md").await.0, 404);
    let plain = serving(board_of(&w).await).await;
    assert!(get(plain, "/stress").await.1.contains("No simulator report"), "without a report the page says how to make one");
    let _ = std::fs::remove_dir_all(&dir);
    assert_invariants(&w).await;
}
