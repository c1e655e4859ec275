//! `ballast serve` in a real browser: headless Chromium loads every page of the dashboard over the demo's
//! world mid-crash, the numbers it shows are compared with the SDK's, the refresh script must have run, and a
//! screenshot of each page is saved under `target/screenshots/`.
//!
//! A plain `main` (no libtest harness) so it can say out loud that it was skipped: without Chromium it prints
//! how to install it and passes, except under `CI`, where a missing browser fails.
use ballast_cli::{demo, serve, serve::html, world};
use ballast_sdk::{
    ballast::oracle::PriceUse,
    events::BallastEvent,
    health::Projection,
    risk,
    summary::{ObligationSummary, ReserveSummary},
    Cluster, MarketSnapshot, ReserveView,
};
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
        let p = PathBuf::from(p);
        assert!(p.is_file(), "BALLAST_CHROMIUM={} is not a file: point it at a Chromium binary, or unset it", p.display());
        return Some(p);
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
    c.args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars"]).arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// Runs `c`, killing it after a minute: a hung browser fails the test instead of stalling CI.
fn run_bounded(mut c: Command, what: &str) -> std::process::Output {
    let mut child = c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap_or_else(|e| panic!("{what}: cannot start chromium: {e}"));
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).map(|_| buf)
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what}: chromium did not finish within 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut stderr = Vec::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_end(&mut e, &mut stderr);
    }
    std::process::Output { status, stdout: reader.join().expect("reader").expect("chromium stdout"), stderr }
}

/// Chromium's rendered DOM of `url` once its scripts have run for `virtual_ms` of virtual time.
fn dump_dom(browser: &Path, url: &str, virtual_ms: u64) -> String {
    let mut c = chromium_command(browser);
    c.arg(format!("--virtual-time-budget={virtual_ms}")).arg("--dump-dom").arg(url);
    let out = run_bounded(c, url);
    assert!(out.status.success(), "chromium --dump-dom {url}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 DOM")
}

fn screenshot(browser: &Path, url: &str, file: &Path) {
    let mut c = chromium_command(browser);
    c.arg("--window-size=1700,1100").arg(format!("--screenshot={}", file.display())).arg(url);
    let status = run_bounded(c, url);
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

/// Borrowed over borrowed plus available, borrows accrued to `now` (a cross-check of the summary's own).
fn accrued_utilization(r: &ReserveView, now: i64) -> f64 {
    let borrowed = r.ui(r.state.accrual(now).expect("accrual").borrowed.to_num::<f64>() as u64);
    borrowed / (borrowed + r.ui(r.state.available_liquidity))
}

async fn run(browser: &Path, shots: &Path) -> Vec<PathBuf> {
    // The demo's world three steps into its crash: liquidations done, some obligations close to the edge.
    let mut w = world::set_up(&mut Vec::new()).await.expect("world");
    let cast = demo::populate(&w, 16).await.expect("positions");
    let names = w.names();
    let opts = serve::options(0, 1, 1).expect("options");
    let mut memory = serve::board::Memory::default();
    serve::board::load(&w.cluster, &w.market, &names, "demo (in-process)", &serve::demo_status(0), 500, &mut memory).await.expect("board");
    for step in 1..=3 {
        serve::demo_step(&mut w, &cast, step, &opts, &mut memory).await.expect("crash step");
    }
    // Caps and an outflow limit on USDC, then a borrow under them, so the page shows how much each is used.
    let snap = MarketSnapshot::load(&w.cluster, &w.market).await.expect("snapshot");
    let usdc = *snap.reserve_by_mint(&w.mint("USDC")).expect("USDC");
    let sol = *snap.reserve_by_mint(&w.mint("SOL")).expect("SOL");
    let set = |field: &str, ui: f64| format!("{field}={}", usdc.native(ui));
    let args = ["ballast", "admin", "reserve-config", "--reserve", &usdc.key.to_string(), "--set", &set("deposit_limit", 200_000.0), "--set", &set("borrow_limit", 100_000.0), "--set", "outflow_window_secs=3600", "--set", &set("outflow_limit", 50_000.0)];
    ballast_cli::execute(&w.cluster, &w.admin, &<ballast_cli::Cli as clap::Parser>::parse_from(args), &mut Vec::new()).await.expect("tighten USDC");
    let user = ballast_sdk::Keypair::new();
    w.cluster.airdrop(&ballast_sdk::Signer::pubkey(&user), 100_000_000).await.expect("airdrop");
    let obligation = world::supply(&w, &user, &sol, 40.0).await.expect("supply");
    assert!(world::borrow_share(&w, &user, &obligation, &usdc, 0.5).await.expect("borrow") > 0);
    let board = serve::board::load(&w.cluster, &w.market, &names, "demo (in-process)", &serve::demo_status(3), 500, &mut memory).await.expect("board");
    let addr = serve::spawn(0, Arc::new(RwLock::new(Arc::new(board)))).await.expect("server");
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

    // Market: each reserve's numbers as the SDK summarizes it (accrued with the program's own arithmetic).
    let page = visit("/", "market");
    for r in &snap.reserves {
        let sym = &names[&r.key];
        let v = ReserveSummary::new(r, Some(&snap)).expect("summary");
        let cell = |k: &str| format!("{sym}.{k}");
        expect(&page, "market", &cell("price"), &html::num(v.price, 4));
        expect(&page, "market", &cell("deposits"), &html::num(Some(v.deposits), 2));
        expect(&page, "market", &cell("borrowed"), &html::num(Some(v.borrowed), 2));
        expect(&page, "market", &cell("available"), &html::num(Some(v.available_liquidity), 2));
        expect(&page, "market", &cell("utilization"), &html::pct(Some(v.utilization)));
        expect(&page, "market", &cell("supply_apr"), &html::pct(Some(v.supply_apr)));
        expect(&page, "market", &cell("borrow_apr"), &html::pct(Some(v.borrow_apr)));
        expect(&page, "market", &cell("insurance_fund"), &html::num(Some(v.insurance_fund), 4));
        expect(&page, "market", &cell("protocol_fees"), &html::num(Some(v.protocol_fees), 4));
        expect(&page, "market", &cell("lcr"), &html::pct(v.lcr));
        expect(&page, "market", &cell("deposit_cap_use"), &html::used(v.deposit_cap_use, "no cap"));
        expect(&page, "market", &cell("borrow_cap_use"), &html::used(v.borrow_cap_use, "no cap"));
        expect(&page, "market", &cell("outflow_use"), &html::used(v.outflow_use, "off"));
        expect(&page, "market", &cell("flags"), &html::flags(v.flags as u64));
        let age = v.oracle.primary.status.age_secs.expect("a price update");
        assert_eq!(age, snap.now - ballast_sdk::pyth::publish_time(&snap.raw[&r.price_account()]).expect("publish time"));
        expect(&page, "market", &cell("oracle"), &format!("pyth ok {age} s old"));
        expect(&page, "market", &cell("crank"), &v.cached_price.as_ref().map(|c| format!("{} s ago", c.age_secs.unwrap_or(0))).unwrap_or_else(|| "never run".into()));
        if sym == "USDC" {
            assert!(v.deposit_cap_use.is_some_and(|u| u > 0.0) && v.borrow_cap_use.is_some_and(|u| u > 0.0) && v.outflow_use.is_some_and(|u| u > 0.0), "USDC's caps and outflow limit are in force and used: {v:?}");
            assert_eq!(v.utilization, accrued_utilization(r, snap.now), "the summary's utilization is the accrued borrows' share");
        }
    }
    expect(&page, "market", "slot", &snap.slot.to_string());

    // At risk: the SDK's risk report, bucket by bucket and asset by asset.
    let page = visit("/at-risk", "at-risk");
    let report = risk::report(&snap);
    expect(&page, "at-risk", "debt_total", &html::num(Some(report.debt_value), 2));
    for (i, b) in report.buckets.iter().enumerate() {
        expect(&page, "at-risk", &format!("bucket{i}.obligations"), &b.obligations.to_string());
        expect(&page, "at-risk", &format!("bucket{i}.debt"), &html::num(Some(b.debt_value), 2));
        expect(&page, "at-risk", &format!("bucket{i}.collateral"), &html::num(Some(b.collateral_value), 2));
    }
    assert!(!report.moves.is_empty(), "some obligation has debt mid-crash");
    for m in &report.moves {
        let sym = &names[&m.reserve.parse().expect("reserve key")];
        expect(&page, "at-risk", &format!("{sym}.{}.{}.first", m.side.name(), m.bucket), &html::price_move(m.first));
        expect(&page, "at-risk", &format!("{sym}.{}.{}.all", m.side.name(), m.bucket), &html::price_move(m.all));
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

    // One obligation's detail: positions, health, max borrow and liquidation prices as the SDK summarizes them.
    let page = visit(&format!("/obligations/{}", riskiest.1), "obligation");
    let key = riskiest.1.parse().unwrap();
    let d = ObligationSummary::new(&snap, &key, &snap.obligation(&key).unwrap().state).expect("summary");
    expect(&page, "obligation", "health", &html::health(d.liquidation_health));
    expect(&page, "obligation", "collateral", &html::num(Some(d.collateral_value), 2));
    expect(&page, "obligation", "debt", &html::num(Some(d.debt_value), 2));
    for p in &d.deposits {
        let sym = &names[&p.reserve.parse().unwrap()];
        expect(&page, "obligation", &format!("deposit.{sym}.ctokens"), &html::num(Some(p.ctokens as f64), 0));
        expect(&page, "obligation", &format!("deposit.{sym}.liquidity"), &html::num(Some(p.liquidity), 6));
        expect(&page, "obligation", &format!("deposit.{sym}.max_withdraw"), &html::num(Some(p.max_withdraw_ctokens as f64), 0));
    }
    for b in &d.borrows {
        expect(&page, "obligation", &format!("borrow.{}.debt", names[&b.reserve.parse().unwrap()]), &html::num(Some(b.debt), 6));
    }
    assert_eq!(d.max_borrow.len(), snap.reserves.len());
    for m in &d.max_borrow {
        expect(&page, "obligation", &format!("max_borrow.{}", names[&m.reserve.parse().unwrap()]), &html::num(Some(m.max_borrow), 6));
    }
    assert!(!d.liquidation_prices.is_empty());
    for l in &d.liquidation_prices {
        let at = format!("liq.{}.{}", names[&l.reserve.parse().unwrap()], l.side.name());
        expect(&page, "obligation", &format!("{at}.price"), &html::num(l.liquidation_price, 4));
        expect(&page, "obligation", &format!("{at}.spot"), &html::num(Some(l.spot), 4));
        expect(&page, "obligation", &format!("{at}.move"), &html::price_move(l.price_move));
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
