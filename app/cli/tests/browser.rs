//! `ballast serve` in a real browser: headless Chromium loads every page of the dashboard over the demo's
//! world mid-crash, the numbers it shows are compared with the SDK's, the refresh script must have run, and a
//! screenshot of each page is saved under `target/screenshots/`.
//!
//! A plain `main` (no libtest harness) so it can say out loud that it was skipped: without Chromium it prints
//! how to install it and passes, except under `CI`, where a missing browser fails.
use ballast_cli::{demo, serve, serve::html};
use ballast_sdk::{accounts::liquidity_coverage, ballast::oracle::PriceUse, events::BallastEvent, health::Projection, risk, Cluster, MarketSnapshot};
use std::{
    collections::HashMap,
    io::Write,
    path::{Path, PathBuf},
    process::Command,
    sync::{Arc, RwLock},
};

const INSTALL: &str = "install it with `sudo apt-get install chromium-headless-shell` (Debian/Ubuntu) or `bash .ci/browser-deps`, \
or point BALLAST_CHROMIUM at a Chromium binary; then run `cargo test -p ballast-cli --test browser`";

/// The browser: `$BALLAST_CHROMIUM`, else the first of chromium-headless-shell, chromium, google-chrome on PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("BALLAST_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium-headless-shell", "chromium", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

fn main() {
    // The natively run program prints its logs to stdout; keep the report readable.
    let mut out = ballast_sdk::cluster::quiet_program_logs().unwrap_or_else(|| Box::new(std::io::stdout()));
    let Some(browser) = chromium() else {
        if std::env::var_os("CI").is_some() {
            eprintln!("browser tests FAILED: no Chromium found, and CI must run them; {INSTALL}");
            std::process::exit(1);
        }
        let _ = writeln!(out, "\nbrowser tests SKIPPED: no Chromium found. {INSTALL}.\n");
        return;
    };
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot directory");
    let shots = shots.canonicalize().expect("screenshot directory");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let pages = rt.block_on(run(&browser, &shots));
    let _ = std::fs::remove_dir_all(std::env::temp_dir().join(format!("ballast-chromium-{}", std::process::id())));
    let _ = writeln!(out, "\nbrowser tests: ok, {} pages checked in {}; screenshots:", pages.len(), browser.display());
    for p in pages {
        let _ = writeln!(out, "  {}", p.display());
    }
}

/// Headless Chromium with a profile of this run's own. No sandbox: it only ever loads our 127.0.0.1 pages, and
/// root (as CI runs) cannot have one.
fn chromium_command(browser: &Path) -> Command {
    let profile = std::env::temp_dir().join(format!("ballast-chromium-{}", std::process::id()));
    let mut c = Command::new(browser);
    c.args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars"]).arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// Chromium's rendered DOM of `url` once its scripts have run for `virtual_ms` of virtual time.
fn dump_dom(browser: &Path, url: &str, virtual_ms: u64) -> String {
    let out = chromium_command(browser)
        .arg(format!("--virtual-time-budget={virtual_ms}"))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "chromium --dump-dom {url}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 DOM")
}

fn screenshot(browser: &Path, url: &str, file: &Path) {
    let status = chromium_command(browser)
        .arg("--window-size=1700,1100")
        .arg(format!("--screenshot={}", file.display()))
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(status.status.success(), "chromium --screenshot {url}: {}", String::from_utf8_lossy(&status.stderr));
    let png = std::fs::read(file).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000, "{} is a real PNG", file.display());
}

/// Every `data-cell` in a DOM, with the text it shows.
fn cells(dom: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for part in dom.split("data-cell=\"").skip(1) {
        let Some((name, rest)) = part.split_once('"') else { continue };
        let Some((_, text)) = rest.split_once('>') else { continue };
        let text = text.split('<').next().unwrap_or("");
        out.insert(name.replace("&amp;", "&"), text.replace("&amp;", "&").replace("&nbsp;", " "));
    }
    out
}

fn expect(cells: &HashMap<String, String>, page: &str, name: &str, want: &str) {
    let shown = cells.get(name).unwrap_or_else(|| panic!("{page}: no cell {name}; cells: {:?}", cells.keys().collect::<Vec<_>>()));
    assert_eq!(shown, want, "{page}: {name} shows {shown}, the SDK says {want}");
}

/// The page `dom` was refreshed in place by its script at least once.
fn refreshed(dom: &str) -> bool {
    dom.split("data-refreshed=\"").nth(1).and_then(|s| s.split('"').next()).and_then(|n| n.parse::<u32>().ok()).is_some_and(|n| n >= 1)
}

async fn run(browser: &Path, shots: &Path) -> Vec<PathBuf> {
    // The demo's world three steps into its crash: liquidations done, some obligations close to the edge.
    let mut w = demo::set_up(&mut Vec::new()).await.expect("world");
    let cast = demo::populate(&w, 16).await.expect("positions");
    let names = w.names();
    let opts = serve::options(0, 1, 1).expect("options");
    let mut board = serve::board::load(&w.cluster, &w.market, &names, "demo (in-process)", &serve::demo_status(0), 500, None).await.expect("board");
    for step in 1..=3 {
        board = serve::demo_step(&mut w, &cast, step, &opts, &board).await.expect("crash step");
    }
    board.refresh_ms = 500;
    let addr = serve::spawn(0, Arc::new(RwLock::new(board))).await.expect("server");
    let base = format!("http://{addr}");
    let snap = MarketSnapshot::load(&w.cluster, &w.market).await.expect("snapshot");
    let p = Projection::new(&snap);
    let mut saved = vec![];
    let mut visit = |path: &str, shot: &str| {
        // Blocking here is fine: the server runs on the runtime's worker threads, not this one.
        let url = format!("{base}{path}");
        let file = shots.join(format!("{shot}.png"));
        let dom = dump_dom(browser, &url, 2_000);
        screenshot(browser, &url, &file);
        assert!(dom.contains("<nav") || dom.contains("<header>"), "{url}: the layout rendered");
        assert!(refreshed(&dom), "{url}: the refresh script replaced the page at least once");
        saved.push(file);
        cells(&dom)
    };

    // Market: each reserve's numbers from the SDK's accounting.
    let page = visit("/", "market");
    for r in &snap.reserves {
        let sym = &names[&r.key];
        let accrued = r.state.accrual(snap.now).expect("accrual");
        let borrowed = r.ui(accrued.borrowed.to_num::<f64>() as u64);
        let available = r.ui(r.state.available_liquidity);
        let insurance = r.ui(accrued.insurance_fund.to_num::<f64>() as u64);
        let fees = r.ui(accrued.protocol_fees.to_num::<f64>() as u64);
        let deposits = available + borrowed - insurance - fees;
        let utilization = if borrowed + available > 0.0 { borrowed / (borrowed + available) } else { 0.0 };
        expect(&page, "market", &format!("{sym}.price"), &html::num(snap.spot_price(r), 4));
        expect(&page, "market", &format!("{sym}.borrowed"), &html::num(Some(borrowed), 2));
        expect(&page, "market", &format!("{sym}.available"), &html::num(Some(available), 2));
        expect(&page, "market", &format!("{sym}.deposits"), &html::num(Some(deposits), 2));
        expect(&page, "market", &format!("{sym}.utilization"), &html::pct(Some(utilization)));
        expect(&page, "market", &format!("{sym}.borrow_apr"), &html::pct(Some(r.state.borrow_apr().expect("apr").to_num::<f64>())));
        expect(&page, "market", &format!("{sym}.insurance_fund"), &html::num(Some(insurance), 4));
        expect(&page, "market", &format!("{sym}.protocol_fees"), &html::num(Some(fees), 4));
        let queued = r.ui(r.state.queued_ctokens) * if r.state.ctoken_supply > 0 { r.state.total_liquidity().expect("total").to_num::<f64>() / r.state.ctoken_supply as f64 } else { 1.0 };
        expect(&page, "market", &format!("{sym}.lcr"), &html::pct(liquidity_coverage(available, deposits, queued)));
        let age = snap.now - ballast_sdk::pyth::publish_time(&snap.raw[&r.price_account()]).expect("a price update");
        expect(&page, "market", &format!("{sym}.oracle"), &format!("pyth ok {age} s old"));
    }
    expect(&page, "market", "slot", &snap.slot.to_string());

    // At risk: the SDK's risk report, bucket by bucket and asset by asset.
    let page = visit("/at-risk", "at-risk");
    let report = risk::report(&snap).expect("risk report");
    expect(&page, "at-risk", "debt_total", &html::num(Some(report.debt_value), 2));
    for (i, b) in report.buckets.iter().enumerate() {
        expect(&page, "at-risk", &format!("bucket{i}.obligations"), &b.obligations.to_string());
        expect(&page, "at-risk", &format!("bucket{i}.debt"), &html::num(Some(b.debt_value), 2));
        expect(&page, "at-risk", &format!("bucket{i}.collateral"), &html::num(Some(b.collateral_value), 2));
    }
    assert!(!report.moves.is_empty(), "some obligation has debt mid-crash");
    for m in &report.moves {
        let side = if m.side == ballast_sdk::health::Side::Collateral { "collateral" } else { "debt" };
        let sym = &names[&m.reserve.parse().expect("reserve key")];
        expect(&page, "at-risk", &format!("{sym}.{side}.{}.first", m.bucket), &html::price_move(m.first));
        expect(&page, "at-risk", &format!("{sym}.{side}.{}.all", m.bucket), &html::price_move(m.all));
    }

    // Obligations: every one, with the SDK's liquidation health and values; sorted by health.
    let dom_order = |path: &str| -> Vec<String> {
        let dom = dump_dom(browser, &format!("{base}{path}"), 100);
        dom.split("data-row=\"").skip(1).filter_map(|s| s.split('"').next().map(str::to_string)).collect()
    };
    let page = visit("/obligations", "obligations");
    let mut riskiest = (f64::INFINITY, String::new());
    for o in &snap.obligations {
        let key = o.key.to_string();
        let h = p.liquidation_health(&o.state).expect("health");
        let values = p.health(&o.state, PriceUse::Liquidation).expect("values");
        expect(&page, "obligations", &format!("{key}.health"), &html::health(h));
        expect(&page, "obligations", &format!("{key}.debt"), &html::num(Some(values.debt_value.to_num::<f64>()), 2));
        expect(&page, "obligations", &format!("{key}.collateral"), &html::num(Some(values.collateral_value.to_num::<f64>()), 2));
        if let Some(h) = h.filter(|h| *h < riskiest.0) {
            riskiest = (h, key);
        }
    }
    let order = dom_order("/obligations?sort=health");
    assert_eq!(order.len(), snap.obligations.len());
    assert_eq!(order[0], riskiest.1, "the riskiest obligation first");
    let by_debt = dom_order("/obligations?sort=debt&order=desc");
    let debt = |k: &String| p.health(&snap.obligation(&k.parse().unwrap()).unwrap().state, PriceUse::Liquidation).unwrap().debt_value.to_num::<f64>();
    assert!(by_debt.windows(2).all(|w| debt(&w[0]) >= debt(&w[1])), "sorted by debt, largest first");

    // One obligation's detail: health, max borrow and liquidation prices as the SDK projects them.
    let page = visit(&format!("/obligations/{}", riskiest.1), "obligation");
    let o = snap.obligation(&riskiest.1.parse().unwrap()).unwrap();
    expect(&page, "obligation", "health", &html::health(p.liquidation_health(&o.state).unwrap()));
    for r in &snap.reserves {
        expect(&page, "obligation", &format!("max_borrow.{}", names[&r.key]), &html::num(Some(r.ui(p.max_borrow(&o.state, &r.key).unwrap())), 6));
    }
    let prices = p.liquidation_prices(&o.state).unwrap();
    assert!(!prices.is_empty());
    for l in prices {
        let side = if l.side == ballast_sdk::health::Side::Collateral { "collateral" } else { "debt" };
        let sym = &names[&l.reserve.parse().unwrap()];
        expect(&page, "obligation", &format!("liq.{sym}.{side}.price"), &html::num(l.liquidation_price, 4));
        expect(&page, "obligation", &format!("liq.{sym}.{side}.spot"), &html::num(Some(l.spot), 4));
    }

    // Liquidations and write-offs: as many as the market's transactions hold.
    let page = visit("/activity", "activity");
    let mut addresses = vec![w.market];
    addresses.extend(snap.reserves.iter().map(|r| r.key));
    let events: Vec<BallastEvent> = w.cluster.ballast_transactions(&addresses, serve::board::ACTIVITY_TXS).await.unwrap().into_iter().flat_map(|t| t.events).collect();
    let liquidations = events.iter().filter(|e| matches!(e, BallastEvent::LiquidateEvent(_))).count();
    let write_offs = events.iter().filter(|e| matches!(e, BallastEvent::BadDebtSocializedEvent(_))).count();
    assert!(liquidations > 0, "the crash liquidated someone");
    expect(&page, "activity", "liquidations", &liquidations.to_string());
    expect(&page, "activity", "write_offs", &write_offs.to_string());
    let newest = match events.iter().find(|e| matches!(e, BallastEvent::LiquidateEvent(_) | BallastEvent::BadDebtSocializedEvent(_))) {
        Some(BallastEvent::LiquidateEvent(e)) => snap.reserve(&e.repay_reserve).unwrap().ui(e.repay_amount),
        Some(BallastEvent::BadDebtSocializedEvent(e)) => snap.reserve(&e.reserve).unwrap().ui(e.debt_amount),
        _ => unreachable!("a liquidation was counted"),
    };
    expect(&page, "activity", "act0.amount", &html::num(Some(newest), 6));

    let bad = ballast_sdk::invariants::check(&w.cluster, &snap).await.expect("invariants");
    assert!(bad.is_empty(), "invariants: {bad:?}");
    saved
}
