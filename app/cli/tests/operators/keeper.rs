use super::super::{assert_invariants, reserve, run_cli, seeded};
use anyhow::Result;
use ballast_cli::keeper::{self, watch::Update, Options};
use ballast_sdk::{health::Projection, Cluster, Filter, Keypair, Pubkey, Signer};
use solana_account::Account;
use std::sync::atomic::{AtomicU32, Ordering};

/// The demo's market with borrowers at rising shares of their limit, a funded liquidator, and SOL down 15%:
/// the ones near their limit are liquidatable, the others not.
async fn crashed() -> (ballast_cli::world::World, Vec<(Keypair, Pubkey)>, Keypair, Vec<Pubkey>) {
    let (mut w, borrowers) = seeded(&[0.3, 0.97, 0.6, 0.99, 0.98, 0.5]).await;
    let liquidator = Keypair::new();
    w.cluster.airdrop(&liquidator.pubkey(), 1_000_000_000).await.unwrap();
    w.fund(&liquidator.pubkey(), "USDC", 10_000_000_000_000).await.unwrap();
    w.now += 60;
    w.cluster.set_time(w.now).await.unwrap();
    w.publish_all(127.5, 2.0).await;
    let snap = w.snapshot().await.unwrap();
    let p = Projection::new(&snap);
    let liquidatable = borrowers.iter().filter(|(_, k)| p.is_liquidatable(&snap.obligation(k).unwrap().state).unwrap()).map(|b| b.1).collect();
    (w, borrowers, liquidator, liquidatable)
}

fn sorted(mut v: Vec<Pubkey>) -> Vec<Pubkey> {
    v.sort();
    v
}

/// The debt values the keeper printed for its liquidations, in the order it sent them.
fn debts(text: &str, verb: &str) -> Vec<f64> {
    text.lines()
        .filter(|l| l.starts_with(verb))
        .filter_map(|l| l.split("debt $").nth(1)?.split(')').next()?.parse().ok())
        .collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// An HTTP GET on the test's own runtime (the metrics server runs on it too, so no blocking I/O here).
async fn http_get(port: u16) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
    let mut body = String::new();
    stream.read_to_string(&mut body).await.unwrap();
    body
}

#[tokio::test]
async fn keeper_run_succeeds_through_the_parser_largest_debt_first_with_a_slippage_floor_and_metrics() {
    let (w, _, liquidator, liquidatable) = crashed().await;
    assert!(liquidatable.len() >= 2, "the crash leaves several to liquidate");
    let market = w.market.to_string();
    let dry = run_cli(&w, &liquidator, &["keeper", "run", "--market", &market, "--dry-run"]).await.unwrap();
    assert_eq!(dry.matches("would liquidate").count(), liquidatable.len(), "{dry}");
    assert!(dry.contains("(at least ") && dry.contains("(dry run: nothing sent)"), "{dry}");

    let port = free_port();
    let args = ["keeper", "run", "--market", &market, "--slippage-bps", "50", "--priority-fee", "1000", "--metrics-addr", &format!("127.0.0.1:{port}")];
    let text = run_cli(&w, &liquidator, &args).await.unwrap();
    let sent = debts(&text, "liquidated");
    assert_eq!(sent.len(), liquidatable.len(), "{text}");
    assert!(sent.windows(2).all(|p| p[0] >= p[1]), "largest debt first: {sent:?}\n{text}");
    let first = text.lines().find(|l| l.starts_with("keeper round 1:")).unwrap_or_else(|| panic!("a summary line: {text}"));
    assert!(first.contains(&format!("{} liquidatable, {} liquidations", liquidatable.len(), liquidatable.len())), "{first}");
    let metrics = http_get(port).await;
    assert!(metrics.starts_with("HTTP/1.1 200 OK") && metrics.contains("text/plain; version=0.0.4"), "{metrics}");
    assert!(metrics.contains(&format!("ballast_keeper_liquidated_total {}", liquidatable.len())), "{metrics}");
    assert!(metrics.contains("ballast_keeper_scanned_total") && metrics.contains("ballast_keeper_liquidation_latency_seconds_count"), "{metrics}");
    let events = run_cli(&w, &liquidator, &["events", "--market", &market, "--kind", "Liquidate", "--json"]).await.unwrap();
    let rows: serde_json::Value = serde_json::from_str(events.trim()).unwrap();
    // Each payout in cTokens is the seized amount less the protocol's fee, and no less than the floor the
    // keeper printed for that obligation (50 bps under the projection).
    for row in rows.as_array().unwrap() {
        let f = &row["fields"];
        let received = f["received_amount"].as_u64().unwrap();
        assert_eq!(received, f["seized_ctokens"].as_u64().unwrap() - f["protocol_fee_ctokens"].as_u64().unwrap());
        let obligation = f["obligation"].as_str().unwrap();
        let line = text.lines().find(|l| l.starts_with(&format!("liquidated {obligation}"))).unwrap();
        let floor: u64 = line.split("(at least ").nth(1).unwrap().split(')').next().unwrap().parse().unwrap();
        assert!(received >= floor && floor > 0, "{line}");
    }
    assert!(rows.as_array().unwrap().len() >= liquidatable.len());
    assert_invariants(&w).await;
}

#[tokio::test]
async fn keeper_run_succeeds_splitting_a_market_between_shards_without_overlap() {
    let (w, _, liquidator, liquidatable) = crashed().await;
    let market = w.market.to_string();
    let mut seen = vec![];
    for shard in ["0/2", "1/2"] {
        let text = run_cli(&w, &liquidator, &["keeper", "run", "--market", &market, "--shard", shard, "--dry-run"]).await.unwrap();
        assert!(text.contains(&format!("(shard {shard})")), "{text}");
        seen.extend(text.lines().filter_map(|l| l.strip_prefix("would liquidate ")?.split(' ').next()?.parse::<Pubkey>().ok()));
    }
    assert_eq!(sorted(seen), sorted(liquidatable), "each liquidatable obligation in exactly one shard");
    let bad = run_cli(&w, &liquidator, &["keeper", "run", "--market", &market, "--shard", "2/2"]).await.unwrap_err().to_string();
    assert!(bad.contains("need 0 <= I < N"), "{bad}");
    assert_invariants(&w).await;
}

#[tokio::test]
async fn liquidate_succeeds_through_the_parser_paying_exactly_the_projection() {
    let (w, borrowers, liquidator, liquidatable) = crashed().await;
    let snap = w.snapshot().await.unwrap();
    let (usdc, sol) = (reserve(&snap, &w, "USDC"), reserve(&snap, &w, "SOL"));
    let target = liquidatable[0];
    let args = ["liquidate", "--obligation", &target.to_string(), "--repay-reserve", &usdc.key.to_string(), "--withdraw-reserve", &sol.key.to_string(), "--json"];
    let dry: serde_json::Value = serde_json::from_str(run_cli(&w, &liquidator, &[&args[..], &["--dry-run"]].concat()).await.unwrap().trim()).unwrap();
    let payout = dry["details"]["payout_ctokens"].as_u64().unwrap();
    assert_eq!(dry["details"]["min_seized_out"].as_u64().unwrap(), payout * 9_900 / 10_000, "1% under the projection by default");
    let ctokens = ballast_sdk::pda::associated_token(&liquidator.pubkey(), &sol.state.ctoken_mint, &sol.token_program());
    let sent: serde_json::Value = serde_json::from_str(run_cli(&w, &liquidator, &args).await.unwrap().trim()).unwrap();
    assert!(sent["signature"].is_string());
    let got = ballast_sdk::tokens::token_amount(&w.cluster.account(&ctokens).await.unwrap().unwrap().data).unwrap();
    assert_eq!(got, payout, "same state, same code: the payout is the projection");
    // A healthy obligation: the projection refuses it with the program's rule, before anything is sent.
    let healthy = borrowers.iter().find(|b| !liquidatable.contains(&b.1)).unwrap().1;
    let args = ["liquidate", "--obligation", &healthy.to_string(), "--repay-reserve", &usdc.key.to_string(), "--withdraw-reserve", &sol.key.to_string()];
    let err = run_cli(&w, &liquidator, &args).await.unwrap_err().to_string();
    assert!(err.contains("ObligationHealthy"), "{err}");
    assert_invariants(&w).await;
}

/// Delegates to the in-process cluster, failing the first `failures` sends as a flaky RPC node would.
struct Flaky<'a> {
    inner: &'a ballast_sdk::InProcess,
    failures: AtomicU32,
}

impl Cluster for Flaky<'_> {
    fn payer(&self) -> &Keypair {
        self.inner.payer()
    }
    async fn account(&self, key: &Pubkey) -> Result<Option<Account>> {
        self.inner.account(key).await
    }
    async fn program_accounts(&self, program: &Pubkey, filters: &[Filter]) -> Result<Vec<(Pubkey, Account)>> {
        self.inner.program_accounts(program, filters).await
    }
    async fn send_with_tables(&self, ixs: &[anchor_lang::solana_program::instruction::Instruction], signers: &[&Keypair], tables: &[solana_message::AddressLookupTableAccount]) -> Result<String> {
        if self.failures.load(Ordering::SeqCst) > 0 {
            self.failures.fetch_sub(1, Ordering::SeqCst);
            anyhow::bail!("error sending request for url (http://127.0.0.1:8899/): connection reset by peer");
        }
        self.inner.send_with_tables(ixs, signers, tables).await
    }
    async fn now(&self) -> Result<i64> {
        self.inner.now().await
    }
    async fn ballast_transactions(&self, addresses: &[Pubkey], limit: usize) -> Result<Vec<ballast_sdk::cluster::TxEvents>> {
        self.inner.ballast_transactions(addresses, limit).await
    }
}

#[tokio::test]
async fn keeper_run_succeeds_retrying_a_transient_rpc_failure_and_not_a_refusal() {
    let (w, _, liquidator, liquidatable) = crashed().await;
    let flaky = Flaky { inner: &w.cluster, failures: AtomicU32::new(2) };
    let opts = Options { interval: std::time::Duration::ZERO, backoff: std::time::Duration::from_millis(1), ..Default::default() };
    let report = keeper::run(&flaky, &liquidator, &w.market, &opts, &mut Vec::new()).await.unwrap();
    assert_eq!((report.retries, report.failed), (2, 0));
    assert_eq!(sorted(report.liquidated), sorted(liquidatable));
    // Out of retries: the failure is counted, nothing is lost.
    let (w, _, liquidator, liquidatable) = crashed().await;
    let flaky = Flaky { inner: &w.cluster, failures: AtomicU32::new(u32::MAX) };
    let opts = Options { retries: 1, ..opts };
    let report = keeper::run(&flaky, &liquidator, &w.market, &opts, &mut Vec::new()).await.unwrap();
    assert_eq!((report.failed, report.retries, report.liquidated.len()), (liquidatable.len(), liquidatable.len(), 0));
    assert!(ballast_sdk::errors::is_retryable("error sending request: connection reset"));
    let healthy = anchor_lang::error::ERROR_CODE_OFFSET + ballast_sdk::ballast::error::BallastError::ObligationHealthy as u32;
    let refusal = solana_transaction_error::TransactionError::InstructionError(3, solana_instruction::error::InstructionError::Custom(healthy));
    assert!(!ballast_sdk::errors::is_retryable(&ballast_sdk::errors::describe_transaction_error(&refusal)), "a refusal is not retried");
    assert_invariants(&w).await;
}

#[tokio::test]
async fn keeper_watch_succeeds_acting_only_on_what_the_notifications_moved() {
    let (mut w, borrowers) = seeded(&[0.3, 0.97, 0.99]).await;
    let liquidator = Keypair::new();
    w.cluster.airdrop(&liquidator.pubkey(), 1_000_000_000).await.unwrap();
    w.fund(&liquidator.pubkey(), "USDC", 10_000_000_000_000).await.unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    // The snapshot the keeper starts from is read before the crash; the crash reaches it as a notification.
    let snap = w.snapshot().await.unwrap();
    let sol = reserve(&snap, &w, "SOL");
    assert!(ballast_cli::keeper::watch::followed_accounts(&snap).contains(&sol.price_account()));
    let watched_from = w.snapshot().await.unwrap();
    // The crash arrives as one notification: SOL's new price.
    w.now += 60;
    w.cluster.set_time(w.now).await.unwrap();
    w.publish_all(127.5, 2.0).await;
    let price = w.cluster.account(&sol.price_account()).await.unwrap();
    tx.send(Update { key: sol.price_account(), account: price }).await.unwrap();
    drop(tx);
    let opts = Options { rounds: 0, interval: std::time::Duration::ZERO, ..Default::default() };
    let metrics = std::sync::Arc::new(std::sync::Mutex::new(Default::default()));
    let mut out = Vec::new();
    let (followed, _) = tokio::sync::watch::channel(keeper::watch::followed_accounts(&watched_from));
    let report = keeper::watch::watch(&w.cluster, &liquidator, watched_from, &opts, std::time::Duration::from_secs(3_600), &mut rx, &followed, &metrics, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    // Round 1 sees every obligation at pre-crash prices and nothing to do; round 2 only the holders of SOL
    // after its price moved; later rounds what it changed, read back at once (one call repays at most the
    // close factor, so an obligation can need another), until nothing is left to do.
    assert!(text.contains("keeper round 1: scanned 4 obligations, 0 liquidatable"), "{text}");
    assert!(text.contains("keeper round 2: scanned 3 obligations, 2 liquidatable, 2 liquidations"), "{text}");
    let mut liquidated = sorted(report.liquidated);
    liquidated.dedup();
    let expected: Vec<Pubkey> = borrowers[1..].iter().map(|b| b.1).collect();
    assert_eq!(liquidated, sorted(expected), "{text}");
    let last = text.lines().filter(|l| l.starts_with("keeper round")).next_back().unwrap();
    assert!(last.contains("0 liquidatable, 0 liquidations, 0 write-offs, 0 failed"), "{text}");
    assert_eq!(report.failed, 0, "{text}");
    assert_invariants(&w).await;
}

/// A reserve the watch did not know when it subscribed (here: left out of its first snapshot, as one listed
/// later would be) is found by the full rescan, and the follower is handed its accounts to subscribe to.
#[tokio::test]
async fn keeper_watch_succeeds_handing_the_follower_a_reserve_listed_after_it_subscribed() {
    let (w, _) = seeded(&[0.3]).await;
    let liquidator = Keypair::new();
    w.cluster.airdrop(&liquidator.pubkey(), 1_000_000_000).await.unwrap();
    let mut early = w.snapshot().await.unwrap();
    let volt = reserve(&early, &w, "VOLT");
    early.reserves.retain(|r| r.key != volt.key);
    let (followed, mut accounts) = tokio::sync::watch::channel(keeper::watch::followed_accounts(&early));
    assert!(!accounts.borrow_and_update().contains(&volt.price_account()));
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    // Any notification after the resync interval (0 here) triggers the full rescan.
    tx.send(Update { key: w.market, account: w.cluster.account(&w.market).await.unwrap() }).await.unwrap();
    drop(tx);
    let opts = Options { rounds: 0, interval: std::time::Duration::ZERO, ..Default::default() };
    let metrics = std::sync::Arc::new(std::sync::Mutex::new(Default::default()));
    keeper::watch::watch(&w.cluster, &liquidator, early, &opts, std::time::Duration::ZERO, &mut rx, &followed, &metrics, &mut Vec::new()).await.unwrap();
    assert!(accounts.has_changed().unwrap(), "the rescan found a reserve the subscription lacks");
    let now = accounts.borrow_and_update().clone();
    assert!(now.contains(&volt.key) && now.contains(&volt.price_account()), "{now:?}");
    assert_eq!(now, keeper::watch::followed_accounts(&w.snapshot().await.unwrap()));
    assert_invariants(&w).await;
}

/// `--min-bonus-bps` above any bonus on offer sends nothing; `--capital` caps what one round repays, and the
/// keeper stops when it is spent.
#[tokio::test]
async fn keeper_run_succeeds_within_its_capital_and_skips_bonuses_below_its_floor() {
    let (w, _, liquidator, liquidatable) = crashed().await;
    assert!(liquidatable.len() >= 2);
    let market = w.market.to_string();
    let text = run_cli(&w, &liquidator, &["keeper", "run", "--market", &market, "--min-bonus-bps", "5000"]).await.unwrap();
    assert_eq!(text.matches("is below the 5000 bps it must beat").count(), liquidatable.len(), "{text}");
    assert!(!text.contains("liquidated "), "{text}");

    let text = run_cli(&w, &liquidator, &["keeper", "run", "--market", &market, "--capital", "50"]).await.unwrap();
    assert!(text.contains("this round's capital is spent"), "{text}");
    let events = run_cli(&w, &liquidator, &["events", "--market", &market, "--kind", "Liquidate", "--json"]).await.unwrap();
    let rows: serde_json::Value = serde_json::from_str(events.trim()).unwrap();
    let repaid: u64 = rows.as_array().unwrap().iter().map(|r| r["fields"]["repay_amount"].as_u64().unwrap()).sum();
    assert!(repaid > 0 && repaid <= 50_000_000, "repaid {repaid} native USDC against 50 USDC of capital");
    assert_invariants(&w).await;
}
