//! The scenarios, in order on one validator: each builds on the market the first one made.
use super::{eventually, fill_spec, reserve, Asset, Suite};
use anyhow::{anyhow, ensure, Context, Result};
use ballast_sdk::{health::Projection, tokens, Cluster, Keypair, MarketSnapshot, Pubkey, Signer};
use std::{
    io::Write,
    time::{Duration, Instant},
};

/// The example market `ballast demo` runs, as operators write it.
const EXAMPLE_SPEC: &str = include_str!("../../../../migrations/specs/example.toml");
const SOL_PRICE: f64 = 150.0;

/// The example market's assets and the sixteen of the lookup-table market, for genesis.
fn prices() -> Vec<(String, [u8; 32], f64)> {
    let mut out = vec![];
    let spec = ballast_migrate::Spec::parse(EXAMPLE_SPEC).expect("example spec");
    for r in &spec.reserves {
        let price = match r.symbol.as_str() {
            "SOL" => SOL_PRICE,
            "VOLT" => 2.0,
            _ => 1.0,
        };
        out.push((r.symbol.clone(), r.feed_id().expect("feed id"), price));
    }
    for i in 0..16u8 {
        out.push((sixteen_symbol(i), [0x40 + i; 32], 1.0));
    }
    out
}

fn sixteen_symbol(i: u8) -> String {
    format!("{}{i}", if i < 8 { "C" } else { "D" })
}

/// Sixteen reserves at $1: C0..C7 for collateral, D8..D15 to borrow.
fn sixteen_spec() -> String {
    let mut spec = String::from("[market]\nkeypair = \"unused.json\"\n");
    for i in 0..16u8 {
        spec.push_str(&format!(
            "\n[[reserve]]\nsymbol = \"{}\"\ndecimals = 6\nfeed_id = \"{}\"\nseed_amount = 1.0\nltv_bps = 8000\nliquidation_threshold_bps = 8500\ncurve = [[0, 0], [8000, 800], [10000, 10800]]\n",
            sixteen_symbol(i),
            hex(&[0x40 + i; 32])
        ));
    }
    spec
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

struct Market {
    key: Pubkey,
    assets: Vec<Asset>,
}

impl Market {
    fn asset(&self, symbol: &str) -> &Asset {
        self.assets.iter().find(|a| a.symbol == symbol).expect("known asset")
    }
}

/// Runs every scenario in order and says how long each took; the first failure ends the run.
pub async fn run_all(out: &mut impl Write) -> Result<()> {
    let start = Instant::now();
    let prices = prices();
    let genesis: Vec<(&str, [u8; 32], f64)> = prices.iter().map(|(s, f, p)| (s.as_str(), *f, *p)).collect();
    let (suite, mut assets) = Suite::start(&genesis).await?;
    writeln!(out, "validator up at {} ({} s)", suite.node.rpc_url, start.elapsed().as_secs())?;
    let decimals = |symbol: &str| if symbol == "SOL" { 9 } else { 6 };
    suite.create_mints(&mut assets, &decimals).await?;
    let sixteen: Vec<Asset> = assets.split_off(3);

    let t = Instant::now();
    let example = migrate_apply_succeeds_creating_the_market_over_rpc(&suite, assets).await.context("migrate_apply_succeeds_creating_the_market_over_rpc")?;
    writeln!(out, "ok migrate_apply_succeeds_creating_the_market_over_rpc ({:.1} s)", t.elapsed().as_secs_f64())?;
    let scenarios: [(&str, Step); 5] = [
        ("cli_user_commands_succeed_and_a_refusal_changes_nothing_over_rpc", Step::UserCommands),
        ("admin_and_council_commands_succeed_over_rpc", Step::Governance),
        ("queue_commands_and_the_keepers_cranks_succeed_over_rpc", Step::Operators),
        ("keeper_run_and_watch_succeed_liquidating_after_price_moves_over_rpc_and_websockets", Step::Keepers),
        ("serve_succeeds_showing_the_market_from_rpc", Step::Serve),
    ];
    for (name, step) in scenarios {
        let t = Instant::now();
        match step {
            Step::UserCommands => user_commands(&suite, &example).await,
            Step::Governance => governance(&suite, &example).await,
            Step::Operators => operators(&suite, &example).await,
            Step::Keepers => keepers(&suite, &example).await,
            Step::Serve => serve(&suite, &example, out).await,
        }
        .with_context(|| name.to_string())?;
        assert_invariants(&suite, &example.key).await.with_context(|| format!("{name}: invariants"))?;
        writeln!(out, "ok {name} ({:.1} s)", t.elapsed().as_secs_f64())?;
    }
    let t = Instant::now();
    let name = "keeper_succeeds_liquidating_an_eight_and_eight_obligation_in_a_v0_transaction_through_the_table";
    let market = eight_and_eight(&suite, sixteen).await.context(name)?;
    assert_invariants(&suite, &market).await.with_context(|| format!("{name}: invariants"))?;
    writeln!(out, "ok {name} ({:.1} s)", t.elapsed().as_secs_f64())?;
    writeln!(out, "validator suite: ok in {:.1} s", start.elapsed().as_secs_f64())?;
    Ok(())
}

enum Step {
    UserCommands,
    Governance,
    Operators,
    Keepers,
    Serve,
}

async fn assert_invariants(suite: &Suite, market: &Pubkey) -> Result<()> {
    let snap = suite.snapshot(market).await?;
    let bad = ballast_sdk::invariants::check(&suite.rpc, &snap).await?;
    ensure!(bad.is_empty(), "invariants: {bad:?}");
    Ok(())
}

async fn publish_all(suite: &Suite, market: &Market, price: &dyn Fn(&str) -> f64) -> Result<()> {
    let prices: Vec<(&Asset, f64)> = market.assets.iter().map(|a| (a, price(&a.symbol))).collect();
    suite.publish(&prices).await
}

fn example_price(symbol: &str) -> f64 {
    match symbol {
        "SOL" => SOL_PRICE,
        "VOLT" => 2.0,
        _ => 1.0,
    }
}

async fn token_balance(suite: &Suite, account: &Pubkey) -> Result<u64> {
    let account = suite.rpc.account(account).await?.ok_or_else(|| anyhow!("no token account {account}"))?;
    tokens::token_amount(&account.data).ok_or_else(|| anyhow!("not a token account"))
}

/// `ballast-migrate apply` makes the example market (three reserves and its lookup table) from a spec file;
/// a second apply finds nothing to change, and `plan` says so.
async fn migrate_apply_succeeds_creating_the_market_over_rpc(suite: &Suite, assets: Vec<Asset>) -> Result<Market> {
    for a in &assets {
        let seed = 1_000_000_000_000_000;
        suite.fund(&suite.admin.pubkey(), &a.mint, seed).await?;
    }
    let market = Market { key: Pubkey::default(), assets };
    publish_all(suite, &market, &example_price).await?;
    let spec = suite.dir.join("example.toml");
    std::fs::write(&spec, fill_spec(EXAMPLE_SPEC, &market.assets, "example-market.json"))?;
    let spec = spec.to_str().expect("utf-8 path");
    let applied = suite.migrate("admin", &["apply", spec]).await?;
    ensure!(applied.contains("+ create market") && applied.trim_end().ends_with("applied"), "{applied}");
    let key = ballast_migrate::read_keypair(&suite.dir.join("example-market.json"))?.pubkey();
    let again = suite.migrate("admin", &["apply", spec]).await?;
    ensure!(again.contains("no changes: the cluster matches the spec"), "a second apply changes nothing: {again}");
    let plan = suite.migrate("admin", &["plan", spec]).await?;
    ensure!(plan.contains("no changes"), "{plan}");
    let snap = suite.snapshot(&key).await?;
    ensure!(snap.reserves.len() == 3, "{} reserves", snap.reserves.len());
    let table = snap.lookup_table.as_ref().ok_or_else(|| anyhow!("apply recorded no lookup table"))?;
    ensure!(table.addresses.len() >= 3 * 7, "{} addresses in the table", table.addresses.len());
    for a in &market.assets {
        reserve(&snap, &a.mint)?;
    }
    Ok(Market { key, ..market })
}

/// A lender deposits; a borrower deposits SOL, borrows USDC, shows the obligation, repays all and withdraws
/// all, each by the CLI's binary; a borrow past the limit is refused with its named error and moves nothing.
async fn user_commands(suite: &Suite, m: &Market) -> Result<()> {
    publish_all(suite, m, &example_price).await?;
    let snap = suite.snapshot(&m.key).await?;
    let (usdc, sol) = (reserve(&snap, &m.asset("USDC").mint)?, reserve(&snap, &m.asset("SOL").mint)?);
    let lender = suite.user("lender").await?;
    suite.fund(&lender.pubkey(), &usdc.mint(), usdc.native(1_000_000.0)).await?;
    suite.cli("lender", &["deposit", "--reserve", &usdc.key.to_string(), "--amount", "500000", "--no-collateral"]).await?;
    let ctokens = ballast_sdk::pda::associated_token(&lender.pubkey(), &usdc.state.ctoken_mint, &usdc.token_program());
    ensure!(token_balance(suite, &ctokens).await? > 0, "the lender holds cTokens");

    let alice = suite.user("alice").await?;
    let alice_sol = suite.fund(&alice.pubkey(), &sol.mint(), sol.native(10.0)).await?;
    suite.cli("alice", &["deposit", "--reserve", &sol.key.to_string(), "--amount", "10"]).await?;
    ensure!(token_balance(suite, &alice_sol).await? == 0, "all ten SOL pledged");
    suite.cli("alice", &["borrow", "--reserve", &usdc.key.to_string(), "--amount", "100"]).await?;
    let alice_usdc = ballast_sdk::pda::associated_token(&alice.pubkey(), &usdc.mint(), &usdc.token_program());
    ensure!(token_balance(suite, &alice_usdc).await? == usdc.native(100.0), "alice holds the 100 USDC she borrowed");
    let obligation = ballast_sdk::pda::obligation(&m.key, &alice.pubkey(), 0);
    let shown = suite.cli("alice", &["obligation", "show", "--obligation", &obligation.to_string(), "--json"]).await?;
    let shown: serde_json::Value = serde_json::from_str(&shown).with_context(|| format!("obligation show --json: {shown}"))?;
    ensure!(shown.to_string().contains(&usdc.key.to_string()), "the obligation names its USDC debt: {shown}");

    let before = suite.rpc.account(&obligation).await?.context("obligation")?.data;
    let err = suite.cli("alice", &["borrow", "--reserve", &usdc.key.to_string(), "--amount", "100000"]).await.unwrap_err().to_string();
    ensure!(err.contains("BorrowExceedsLtv"), "the refusal names its rule: {err}");
    ensure!(suite.rpc.account(&obligation).await?.context("obligation")?.data == before, "a refused borrow changes nothing");
    ensure!(token_balance(suite, &alice_usdc).await? == usdc.native(100.0), "a refused borrow moves no tokens");

    // Interest accrues by the second: repaying all takes a little more than she borrowed.
    suite.fund(&alice.pubkey(), &usdc.mint(), usdc.native(1.0)).await?;
    suite.cli("alice", &["repay", "--reserve", &usdc.key.to_string(), "--amount", "all"]).await?;
    suite.cli("alice", &["withdraw", "--reserve", &sol.key.to_string(), "--amount", "all"]).await?;
    let o = suite.snapshot(&m.key).await?.obligation(&obligation)?.state;
    ensure!(o.active_borrows().is_empty() && o.active_deposits().is_empty(), "alice's obligation is empty");
    let back = token_balance(suite, &alice_sol).await?;
    ensure!(back + 1 >= sol.native(10.0), "alice has her ten SOL back: {back}");
    Ok(())
}

/// The admin proposes a risk council, which accepts (no timelock on this market) and tightens SOL's LTV at
/// once; the admin loosens it back through the queue and `admin apply`.
async fn governance(suite: &Suite, m: &Market) -> Result<()> {
    let snap = suite.snapshot(&m.key).await?;
    let sol = reserve(&snap, &m.asset("SOL").mint)?;
    let council = suite.user("council").await?;
    let market = m.key.to_string();
    suite.cli("admin", &["admin", "propose-council", "--market", &market, "--new-council", &council.pubkey().to_string()]).await?;
    suite.cli("council", &["council", "accept", "--market", &market]).await?;
    let sol_key = sol.key.to_string();
    suite.cli("council", &["council", "tighten-reserve", "--reserve", &sol_key, "--set", "ltv_bps=6500"]).await?;
    let ltv = |s: &MarketSnapshot| reserve(s, &sol.mint()).map(|r| r.state.config.ltv_bps);
    ensure!(ltv(&suite.snapshot(&m.key).await?)? == 6500, "the council's tightening applies at once");
    let err = suite.cli("council", &["council", "tighten-reserve", "--reserve", &sol_key, "--set", "ltv_bps=7000"]).await.unwrap_err().to_string();
    ensure!(ltv(&suite.snapshot(&m.key).await?)? == 6500, "the council cannot loosen: {err}");
    suite.cli("admin", &["admin", "reserve-config", "--reserve", &sol_key, "--set", "ltv_bps=7000"]).await?;
    if ltv(&suite.snapshot(&m.key).await?)? != 7000 {
        suite.cli("admin", &["admin", "apply", "--reserve", &sol_key]).await?;
    }
    ensure!(ltv(&suite.snapshot(&m.key).await?)? == 7000, "the admin's loosening applied");
    Ok(())
}

/// Alice closes her empty obligation. USDC's outflow limiter is tightened to 1,000 an hour, so the lender's
/// redeem of 5,000 cannot be met: `queue request` makes a ticket, `queue list` shows it, `queue fill` pays what
/// the window allows; once the admin lifts the limit (queued, applied by the keeper's round as due), the
/// keeper's round serves the rest and the ticket closes.
async fn operators(suite: &Suite, m: &Market) -> Result<()> {
    publish_all(suite, m, &example_price).await?;
    let alice = ballast_migrate::read_keypair(&suite.keypair_path("alice"))?;
    let obligation = ballast_sdk::pda::obligation(&m.key, &alice.pubkey(), 0);
    suite.cli("alice", &["obligation", "close", "--obligation", &obligation.to_string()]).await?;
    ensure!(suite.rpc.account(&obligation).await?.is_none(), "alice's obligation is closed");

    let usdc = reserve(&suite.snapshot(&m.key).await?, &m.asset("USDC").mint)?;
    let u = usdc.key.to_string();
    let limit = format!("outflow_limit={}", usdc.native(1_000.0));
    suite.cli("admin", &["admin", "reserve-config", "--reserve", &u, "--set", "outflow_window_secs=3600", "--set", &limit]).await?;
    let refused = suite.cli("lender", &["redeem", "--reserve", &u, "--amount", "5000"]).await.unwrap_err().to_string();
    ensure!(refused.contains("OutflowLimitExceeded"), "{refused}");
    let requested = suite.cli("lender", &["queue", "request", "--reserve", &u, "--amount", "5000"]).await?;
    ensure!(requested.contains("ticket 0"), "{requested}");
    let listed: serde_json::Value = serde_json::from_str(&suite.cli("lender", &["queue", "list", "--reserve", &u, "--json"]).await?)?;
    ensure!(listed["tickets"].as_array().map(Vec::len) == Some(1), "{listed}");
    let lender = ballast_migrate::read_keypair(&suite.keypair_path("lender"))?;
    let paid_to = ballast_sdk::pda::associated_token(&lender.pubkey(), &usdc.mint(), &usdc.token_program());
    let before = token_balance(suite, &paid_to).await?;
    suite.user("cranker").await?;
    suite.cli("cranker", &["queue", "fill", "--reserve", &u]).await?;
    let first = token_balance(suite, &paid_to).await? - before;
    ensure!(first > 0 && first <= usdc.native(1_000.0) + 1, "the window's 1,000 at most: {first}");

    let lift = format!("outflow_limit={}", u64::MAX);
    let queued = suite.cli("admin", &["admin", "reserve-config", "--reserve", &u, "--set", &lift, "--queue"]).await?;
    // Due from the moment it was queued (no timelock), once the confirmed clock the keeper reads has caught up.
    let due = reserve(&suite.snapshot(&m.key).await?, &usdc.mint())?.state.pending_config_apply_ts;
    eventually("the confirmed clock reaching the change's time", Duration::from_secs(20), || async { Ok(suite.rpc.now().await? >= due) }).await?;
    let ran = suite.cli("cranker", &["keeper", "run", "--market", &m.key.to_string()]).await?;
    ensure!(ran.contains(&format!("applied the queued change of reserve {u}")), "{queued}\n{ran}");
    // The same round serves the queue after applying the change (or, if the limit still bound, a later one).
    let mut ran = ran;
    if !ran.contains("filled ticket 0") {
        ran = suite.cli("cranker", &["keeper", "run", "--market", &m.key.to_string()]).await?;
    }
    ensure!(ran.contains("filled ticket 0"), "{ran}");
    ensure!(suite.rpc.account(&ballast_sdk::pda::ticket(&usdc.key, 0)).await?.is_none(), "the ticket was served in full and closed: {ran}");
    let paid = token_balance(suite, &paid_to).await? - before;
    ensure!(paid + 1 >= usdc.native(5_000.0), "the lender was paid the 5,000 it queued: {paid}");
    Ok(())
}

/// Opens a SOL-backed USDC borrow at `share` of its limit for a new user, by the CLI's binary.
async fn borrower(suite: &Suite, m: &Market, name: &str, share: f64) -> Result<Pubkey> {
    let snap = suite.snapshot(&m.key).await?;
    let (usdc, sol) = (reserve(&snap, &m.asset("USDC").mint)?, reserve(&snap, &m.asset("SOL").mint)?);
    let user = suite.user(name).await?;
    suite.fund(&user.pubkey(), &sol.mint(), sol.native(10.0)).await?;
    suite.cli(name, &["deposit", "--reserve", &sol.key.to_string(), "--amount", "10"]).await?;
    let obligation = ballast_sdk::pda::obligation(&m.key, &user.pubkey(), 0);
    let snap = suite.snapshot(&m.key).await?;
    let max = Projection::new(&snap).max_borrow(&snap.obligation(&obligation)?.state, &usdc.key)?;
    let amount = format!("{:.6}", usdc.ui(max) * share);
    suite.cli(name, &["borrow", "--reserve", &usdc.key.to_string(), "--amount", &amount]).await?;
    Ok(obligation)
}

async fn liquidatable(suite: &Suite, m: &Market, obligation: &Pubkey) -> Result<bool> {
    let snap = suite.snapshot(&m.key).await?;
    Projection::new(&snap).is_liquidatable(&snap.obligation(obligation)?.state).map_err(|e| anyhow!("{e:?}"))
}

async fn debt_value(suite: &Suite, m: &Market, obligation: &Pubkey) -> Result<u128> {
    let o = suite.snapshot(&m.key).await?.obligation(obligation)?.state;
    Ok(o.active_borrows().iter().map(|b| b.borrowed_sf.get().to_bits()).sum())
}

/// SOL falls 15%: `keeper run` liquidates the borrower at its limit and `ballast events` reports it; SOL falls
/// again: `keeper watch`, following the market over websockets, liquidates the next one on its own.
async fn keepers(suite: &Suite, m: &Market) -> Result<()> {
    publish_all(suite, m, &example_price).await?;
    let liquidator = suite.user("liquidator").await?;
    let usdc_mint = m.asset("USDC").mint;
    suite.fund(&liquidator.pubkey(), &usdc_mint, 10_000_000_000_000).await?;
    let bob = borrower(suite, m, "bob", 0.99).await?;
    publish_all(suite, m, &|s| if s == "SOL" { SOL_PRICE * 0.85 } else { example_price(s) }).await?;
    ensure!(liquidatable(suite, m, &bob).await?, "SOL down 15% makes bob liquidatable");
    let before = debt_value(suite, m, &bob).await?;
    let market = m.key.to_string();
    let ran = suite.cli("liquidator", &["keeper", "run", "--market", &market]).await?;
    ensure!(debt_value(suite, m, &bob).await? < before, "keeper run repaid some of bob's debt: {ran}");
    let events = suite.cli("liquidator", &["events", "--market", &market, "--kind", "Liquidate", "--json"]).await?;
    ensure!(events.contains(&bob.to_string()), "`ballast events` reads the liquidation from the validator's history: {events}");

    let carol = borrower(suite, m, "carol", 0.99).await?;
    let mut watch = suite.command("ballast", "liquidator", &["keeper", "watch", "--market", &market, "--resync-secs", "3600"]).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn()?;
    // Let it subscribe before the price moves, so the websocket's notification is what moves it.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let before = debt_value(suite, m, &carol).await?;
    publish_all(suite, m, &|s| if s == "SOL" { SOL_PRICE * 0.72 } else { example_price(s) }).await?;
    let seen = eventually("keeper watch liquidating carol", Duration::from_secs(60), || async { Ok(debt_value(suite, m, &carol).await? < before) }).await;
    watch.start_kill()?;
    let output = watch.wait_with_output().await?;
    seen.with_context(|| format!("keeper watch said: {}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)))?;
    Ok(())
}

/// `ballast serve --url` reads the market from the validator: the page and its JSON name every reserve, and
/// headless Chromium (when present; CI always has it) renders the page.
async fn serve(suite: &Suite, m: &Market, out: &mut impl Write) -> Result<()> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let spec = suite.dir.join("example.toml");
    let mut server = suite
        .command("ballast", "liquidator", &["serve", "--market", &m.key.to_string(), "--port", &port.to_string(), "--spec", spec.to_str().expect("utf-8"), "--refresh-secs", "1"])
        .stdout(std::fs::File::create(suite.dir.join("serve.log"))?)
        .stderr(std::fs::File::create(suite.dir.join("serve.err"))?)
        .spawn()?;
    let started = Instant::now();
    let page = loop {
        let page = http_get(port, "/").await.unwrap_or_default();
        if page.starts_with("HTTP/1.1 200") {
            break page;
        }
        if started.elapsed() > Duration::from_secs(90) {
            let log = |name: &str| std::fs::read_to_string(suite.dir.join(name)).unwrap_or_default();
            return Err(anyhow!("the dashboard did not answer within 90 s; it said: {} {}", log("serve.log"), log("serve.err")));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let board = http_get(port, "/api/board").await?;
    let snap = suite.snapshot(&m.key).await?;
    for r in &snap.reserves {
        ensure!(board.contains(&r.key.to_string()), "/api/board names reserve {}", r.key);
    }
    ensure!(page.contains("USDC") && page.contains("SOL"), "the page names the spec's assets");
    match chromium() {
        Some(browser) => {
            let profile = suite.dir.join("chromium");
            let dom = tokio::process::Command::new(&browser)
                .args(["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=3000"])
                .arg(format!("--user-data-dir={}", profile.display()))
                .arg("--dump-dom")
                .arg(format!("http://127.0.0.1:{port}/"))
                .output()
                .await?;
            let dom = String::from_utf8_lossy(&dom.stdout);
            ensure!(dom.contains("USDC") && dom.contains("<table"), "Chromium rendered the market page: {}", &dom[..dom.len().min(400)]);
            writeln!(out, "  Chromium ({}) rendered the page served from the validator", browser.display())?;
        }
        None if std::env::var_os("CI").is_some() => return Err(anyhow!("no Chromium, and CI must run it (bash .ci/browser-deps)")),
        None => writeln!(out, "  Chromium SKIPPED: not found (bash .ci/browser-deps installs it); the page was read over HTTP")?,
    }
    server.start_kill()?;
    Ok(())
}

/// `$BALLAST_CHROMIUM`, else the first Chromium on PATH (as the browser tests look for it).
fn chromium() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("BALLAST_CHROMIUM") {
        return Some(p.into());
    }
    let path = std::env::var_os("PATH")?;
    ["chromium-headless-shell", "chromium", "google-chrome"].iter().flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name))).find(|p| p.is_file())
}

async fn http_get(port: u16, path: &str) -> Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").as_bytes()).await?;
    let mut body = String::new();
    stream.read_to_string(&mut body).await?;
    Ok(body)
}

/// A market of sixteen reserves from a second spec; an obligation with eight deposits and eight borrows; the
/// collateral halves and `keeper run` liquidates it in a transaction that only fits as v0, loading accounts
/// from the market's lookup table, and the validator confirms it as version 0.
async fn eight_and_eight(suite: &Suite, assets: Vec<Asset>) -> Result<Pubkey> {
    for a in &assets {
        suite.fund(&suite.admin.pubkey(), &a.mint, 1_000_000_000_000).await?;
    }
    let mut m = Market { key: Pubkey::default(), assets };
    publish_all(suite, &m, &|_| 1.0).await?;
    let spec = suite.dir.join("sixteen.toml");
    std::fs::write(&spec, fill_spec(&sixteen_spec(), &m.assets, "sixteen-market.json"))?;
    suite.migrate("admin", &["apply", spec.to_str().expect("utf-8")]).await?;
    m.key = ballast_migrate::read_keypair(&suite.dir.join("sixteen-market.json"))?.pubkey();
    let snap = suite.snapshot(&m.key).await?;
    ensure!(snap.lookup_table.as_ref().is_some_and(|t| t.addresses.len() >= 16 * 7), "the table holds every reserve's accounts");
    let lender = Keypair::new();
    suite.airdrop(&lender.pubkey(), 10_000_000_000).await?;
    let alice = Keypair::new();
    suite.airdrop(&alice.pubkey(), 10_000_000_000).await?;
    let supply = |user: &'_ Keypair, symbol: &str, ui: f64| {
        let r = reserve(&snap, &m.asset(symbol).mint);
        let (user, symbol) = (user.insecure_clone(), symbol.to_string());
        let suite = &suite;
        let market = m.key;
        async move {
            let r = r?;
            let liquidity = suite.fund(&user.pubkey(), &r.mint(), r.native(ui)).await?;
            let obligation = ballast_sdk::pda::obligation(&market, &user.pubkey(), 0);
            let mut ixs = vec![];
            if suite.rpc.account(&obligation).await?.is_none() {
                ixs.push(ballast_sdk::ix::init_obligation(&user.pubkey(), &market, 0));
            }
            ixs.push(ballast_sdk::ix::deposit_liquidity_and_collateral(&user.pubkey(), &obligation, &r, &liquidity, r.native(ui)));
            suite.rpc.send(&ixs, &[&user]).await.with_context(|| format!("supply {symbol}"))?;
            Ok::<Pubkey, anyhow::Error>(obligation)
        }
    };
    publish_all(suite, &m, &|_| 1.0).await?;
    for i in 8..16 {
        supply(&lender, &sixteen_symbol(i), 10_000.0).await?;
    }
    let mut obligation = Pubkey::default();
    for i in 0..8 {
        // Each deposit into an obligation that has positions checks their prices.
        publish_all(suite, &m, &|_| 1.0).await?;
        obligation = supply(&alice, &sixteen_symbol(i), 1_000.0).await?;
    }
    publish_all(suite, &m, &|_| 1.0).await?;
    for i in 8..16 {
        publish_all(suite, &m, &|_| 1.0).await?;
        let snap = suite.snapshot(&m.key).await?;
        let r = reserve(&snap, &m.asset(&sixteen_symbol(i)).mint)?;
        let o = snap.obligation(&obligation)?.state;
        let liquidity = suite.fund(&alice.pubkey(), &r.mint(), 0).await?;
        let borrow = ballast_sdk::ix::borrow(&alice.pubkey(), (&obligation, &o), &r, &liquidity, r.native(400.0), snap.price_accounts());
        if i == 15 {
            // The last borrow (8 deposits, 8 borrows: a v0 transaction through the table) is first signed with a
            // blockhash the node does not know, as if it had expired in flight: the SDK signs it again and sends.
            suite.rpc.drop_next_blockhash();
        }
        suite.rpc.send_with_tables(&[borrow], &[&alice], snap.tables()).await.with_context(|| format!("borrow D{i}"))?;
    }
    let o = suite.snapshot(&m.key).await?.obligation(&obligation)?.state;
    ensure!((o.active_deposits().len(), o.active_borrows().len()) == (8, 8), "eight deposits and eight borrows");
    let liquidator = suite.user("liquidator16").await?;
    for i in 8..16 {
        suite.fund(&liquidator.pubkey(), &m.asset(&sixteen_symbol(i)).mint, 1_000_000_000).await?;
    }
    publish_all(suite, &m, &|s| if s.starts_with('C') { 0.45 } else { 1.0 }).await?;
    let before = debt_value(suite, &m, &obligation).await?;
    let ran = suite.cli("liquidator16", &["keeper", "run", "--market", &m.key.to_string()]).await?;
    ensure!(debt_value(suite, &m, &obligation).await? < before, "the keeper liquidated alice: {ran}");
    let txs = suite.rpc.ballast_transactions(&[obligation], 1).await?;
    let signature = txs.first().ok_or_else(|| anyhow!("no transaction names the obligation"))?.signature.parse()?;
    let config = solana_rpc_client_api::config::RpcTransactionConfig {
        encoding: Some(solana_transaction_status_client_types::UiTransactionEncoding::Base64),
        commitment: Some(solana_commitment_config::CommitmentConfig::confirmed()),
        max_supported_transaction_version: Some(0),
    };
    let tx = suite.rpc.client.get_transaction_with_config(&signature, config).await?;
    let version = format!("{:?}", tx.transaction.version);
    ensure!(version == "Some(Number(0))", "the liquidation went as a v0 transaction: {version}");
    Ok(m.key)
}
