//! The liquidator keeper. Each round it reads the market (a full scan, or in `watch` mode a snapshot kept
//! current by websocket notifications), writes off debt that has no collateral left, and liquidates the
//! unhealthy obligations largest debt first: each sized by the program's own code, sent with a slippage floor
//! on the payout, a priority fee if asked, and retried with backoff on transient failures.
pub mod cranks;
pub mod metrics;
pub mod regime;
pub mod watch;

use crate::write::{liquidation_ixs, project, LiquidationSend};
use anyhow::{anyhow, bail, Result};
use ballast_sdk::{
    accounts::ObligationView, errors::is_retryable, ix, pyth::spot_price, scan::Scanner, Cluster, Keypair, MarketSnapshot, Pubkey, ReserveView,
};
use metrics::Metrics;
use std::{
    io::Write,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// One keeper's part of a market: obligations whose address falls in shard `index` of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Default for Shard {
    fn default() -> Self {
        Self { index: 0, count: 1 }
    }
}

impl std::str::FromStr for Shard {
    type Err = anyhow::Error;
    /// `I/N`, with 0 ≤ I < N.
    fn from_str(s: &str) -> Result<Self> {
        let (i, n) = s.split_once('/').ok_or_else(|| anyhow!("--shard `{s}`: expected I/N, e.g. 0/4"))?;
        let (index, count): (u32, u32) = (i.trim().parse()?, n.trim().parse()?);
        if count == 0 || index >= count {
            bail!("--shard `{s}`: need 0 <= I < N");
        }
        Ok(Self { index, count })
    }
}

impl Shard {
    /// Whether `obligation` is this shard's: its address's first eight bytes, modulo the shard count. Keepers
    /// with the same count and different indexes split a market without overlap or gaps.
    pub fn owns(&self, obligation: &Pubkey) -> bool {
        let head = u64::from_le_bytes(obligation.to_bytes()[..8].try_into().expect("8 bytes"));
        head % u64::from(self.count) == u64::from(self.index)
    }
}

#[derive(Clone, Debug)]
pub struct Options {
    pub dry_run: bool,
    /// Rounds to run (0 = until stopped).
    pub rounds: u32,
    /// Pause between rounds.
    pub interval: Duration,
    pub send: LiquidationSend,
    /// Further attempts after a transient send failure, each after twice the previous backoff.
    pub retries: u32,
    pub backoff: Duration,
    pub shard: Shard,
    /// Liquidate only when the projected bonus, net of the protocol's share, is at least this (bps): what
    /// selling the collateral and the transaction cost the liquidator.
    pub min_bonus_bps: u16,
    /// Most repay value (quote units, at spot) to spend per round: the liquidator's capital.
    pub capital_quote: Option<f64>,
    /// Extra bonus (bps) it takes to seize each of these reserves' collateral: what selling it into a thin
    /// market costs on top of `min_bonus_bps`.
    pub reserve_hurdle_bps: Vec<(Pubkey, u16)>,
    /// No line per obligation (the simulator's thousands of rounds); reports and metrics still count all.
    pub quiet: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            dry_run: false,
            rounds: 1,
            interval: Duration::from_secs(10),
            send: LiquidationSend::default(),
            retries: 3,
            backoff: Duration::from_millis(500),
            shard: Shard::default(),
            min_bonus_bps: 0,
            capital_quote: None,
            reserve_hurdle_bps: vec![],
            quiet: false,
        }
    }
}

/// What the keeper did (or, in a dry run, would do).
#[derive(Default, Debug)]
pub struct Report {
    pub scanned: usize,
    /// Obligations found liquidatable, each time they were found, in the order they were acted on.
    pub liquidatable: Vec<Pubkey>,
    /// Liquidations sent and confirmed.
    pub liquidated: Vec<Pubkey>,
    /// (obligation, reserve, quote value at spot) of each debt written off.
    pub socialized: Vec<(Pubkey, Pubkey, f64)>,
    /// Insolvent obligations whose auction clock this keeper started (`mark_insolvency`).
    pub auctions_started: Vec<Pubkey>,
    /// Volatility-regime samples taken (`refresh_reserve` on reserves due one), and refreshes refused.
    pub regime: regime::Fed,
    /// Withdrawal tickets filled and queued configs applied (`cranks`), and the refusals.
    pub cranked: cranks::Cranked,
    pub failed: usize,
    pub retries: usize,
}

/// Quote value of `native` units of `r` at its spot price (an estimate, to choose which position to hit).
fn value(snap: &MarketSnapshot, r: &ReserveView, native: f64) -> f64 {
    native * spot_per_native(snap, r)
}

/// `r`'s spot price per native unit (0 when its price account cannot be read).
fn spot_per_native(snap: &MarketSnapshot, r: &ReserveView) -> f64 {
    let price = snap.raw.get(&r.price_account()).and_then(spot_price).unwrap_or(0.0);
    price / 10f64.powi(r.decimals() as i32)
}

/// The debt to repay and the collateral to seize: the largest of each by value.
fn pick(snap: &MarketSnapshot, o: &ObligationView) -> Result<Option<(ReserveView, ReserveView)>> {
    let mut best_debt: Option<(f64, ReserveView)> = None;
    for b in o.state.active_borrows() {
        let r = *snap.reserve(&b.reserve)?;
        let v = value(snap, &r, b.borrowed_sf.get().to_num::<f64>());
        if best_debt.as_ref().is_none_or(|(bv, _)| v > *bv) {
            best_debt = Some((v, r));
        }
    }
    let mut best_coll: Option<(f64, ReserveView)> = None;
    for d in o.state.active_deposits() {
        let r = *snap.reserve(&d.reserve)?;
        let v = value(snap, &r, r.state.ctokens_to_liquidity_floor(d.ctoken_amount)? as f64);
        if best_coll.as_ref().is_none_or(|(bv, _)| v > *bv) {
            best_coll = Some((v, r));
        }
    }
    Ok(best_debt.zip(best_coll).map(|((_, d), (_, c))| (d, c)))
}

/// Runs `opts.rounds` full-scan rounds of `market` (0 = forever), liquidating with `liquidator`'s tokens.
/// `metrics` is updated after every round (serve it with [`metrics::serve`]).
pub async fn run(cluster: &impl Cluster, liquidator: &Keypair, market: &Pubkey, opts: &Options, out: &mut impl Write) -> Result<Report> {
    run_with_metrics(cluster, liquidator, market, opts, &Arc::new(Mutex::new(Metrics::default())), out).await
}

/// [`run`], reporting into `metrics`.
pub async fn run_with_metrics(cluster: &impl Cluster, liquidator: &Keypair, market: &Pubkey, opts: &Options, metrics: &Arc<Mutex<Metrics>>, out: &mut impl Write) -> Result<Report> {
    let mut report = Report::default();
    let mut round = 0u32;
    loop {
        if round > 0 && !opts.interval.is_zero() {
            tokio::time::sleep(opts.interval).await;
        }
        round += 1;
        let started = Instant::now();
        let before = metrics.lock().map_err(|_| anyhow!("metrics lock poisoned"))?.clone();
        let snap = MarketSnapshot::load(cluster, market).await?;
        let candidates: Vec<Pubkey> = snap.obligations.iter().map(|o| o.key).collect();
        let acted = act(cluster, liquidator, &snap, &candidates, opts, started, metrics, &mut report, out).await?;
        // Liquidations first (they are the round's deadline); the regime's samples, queue fills and due
        // changes after, on the same snapshot.
        housekeeping(cluster, liquidator, &snap, opts, metrics, &mut report, out).await?;
        summary(round, started, &before, metrics, opts, out)?;
        // A bounded run stops early once a round finds nothing to do.
        if opts.rounds != 0 && (round >= opts.rounds || acted == 0) {
            break;
        }
    }
    Ok(report)
}

/// After the liquidations: feeds the market's volatility regimes (`regime::feed`), serves the withdrawal queues
/// (`cranks::fill_queues`) and applies queued changes that are due (`cranks::apply_due`), unless this is a dry
/// run or a shard other than the first (one keeper of a sharded set is enough: the others would find it done).
async fn housekeeping(
    cluster: &impl Cluster,
    liquidator: &Keypair,
    snap: &MarketSnapshot,
    opts: &Options,
    metrics: &Arc<Mutex<Metrics>>,
    report: &mut Report,
    out: &mut impl Write,
) -> Result<()> {
    if opts.dry_run || opts.shard.index != 0 {
        return Ok(());
    }
    let fed = regime::feed(cluster, liquidator, snap).await?;
    report.regime += fed;
    let mut cranked = cranks::apply_due(cluster, liquidator, snap, out).await?;
    cranked += cranks::fill_queues(cluster, liquidator, snap, out).await?;
    report.cranked += cranked;
    if let Ok(mut m) = metrics.lock() {
        (m.regime_samples, m.regime_refused) = (m.regime_samples + fed.sampled as u64, m.regime_refused + fed.refused as u64);
        m.queue_fills += cranked.fills as u64;
        m.queue_fills_refused += cranked.fills_refused as u64;
        m.configs_applied += cranked.applied as u64;
        m.configs_apply_refused += cranked.apply_refused as u64;
    }
    Ok(())
}

/// One round on a snapshot the caller keeps (the simulator's, brought up to date after every transaction):
/// writes off what has no collateral, then liquidates what it may, as `run` does after a full scan.
pub async fn round_on(cluster: &impl Cluster, liquidator: &Keypair, snap: &MarketSnapshot, opts: &Options, out: &mut impl Write) -> Result<Report> {
    let metrics = Arc::new(Mutex::new(Metrics::default()));
    let mut report = Report::default();
    let candidates: Vec<Pubkey> = snap.obligations.iter().map(|o| o.key).collect();
    act(cluster, liquidator, snap, &candidates, opts, Instant::now(), &metrics, &mut report, out).await?;
    Ok(report)
}

/// The line each round ends with: what this round did (the difference from `before`).
fn summary(round: u32, started: Instant, before: &Metrics, metrics: &Arc<Mutex<Metrics>>, opts: &Options, out: &mut impl Write) -> Result<()> {
    let mut m = metrics.lock().map_err(|_| anyhow!("metrics lock poisoned"))?;
    m.rounds += 1;
    m.last_round = started.elapsed();
    let shard = if opts.shard.count > 1 { format!(" (shard {}/{})", opts.shard.index, opts.shard.count) } else { String::new() };
    writeln!(
        out,
        "keeper round {round}{shard}: scanned {} obligations, {} liquidatable, {} liquidations, {} write-offs, {} failed, {} retries, {:.2} s{}",
        m.scanned - before.scanned,
        m.liquidatable - before.liquidatable,
        m.liquidated - before.liquidated,
        m.written_off - before.written_off,
        m.failed - before.failed,
        m.retries - before.retries,
        m.last_round.as_secs_f64(),
        if opts.dry_run { " (dry run: nothing sent)" } else { "" }
    )?;
    Ok(())
}

/// Examines `candidates` (obligation keys of `snap`) that belong to this shard: writes off debt without
/// collateral, then liquidates the liquidatable ones, largest debt value first. Returns how many actions it
/// took (or would take).
#[allow(clippy::too_many_arguments)]
async fn act(
    cluster: &impl Cluster,
    liquidator: &Keypair,
    snap: &MarketSnapshot,
    candidates: &[Pubkey],
    opts: &Options,
    read_at: Instant,
    metrics: &Arc<Mutex<Metrics>>,
    report: &mut Report,
    out: &mut impl Write,
) -> Result<usize> {
    // One line per obligation, unless quiet.
    macro_rules! say {
        ($($arg:tt)*) => {
            if !opts.quiet {
                writeln!(out, $($arg)*)?;
            }
        };
    }
    let count = |f: &dyn Fn(&mut Metrics)| {
        if let Ok(mut m) = metrics.lock() {
            f(&mut m);
        }
    };
    // Every reserve valued and priced once; each obligation screened in f64, then checked exactly.
    let scanner = Scanner::new(snap)?;
    let mut acted = 0;
    let mut ranked: Vec<(f64, ballast_sdk::ballast::operations::health::Health, &ObligationView)> = vec![];
    let candidates: std::collections::HashSet<&Pubkey> = candidates.iter().collect();
    for o in snap.obligations.iter().filter(|o| candidates.contains(&o.key) && opts.shard.owns(&o.key)) {
        report.scanned += 1;
        count(&|m| m.scanned += 1);
        if o.state.active_borrows().is_empty() {
            continue;
        }
        if o.state.active_deposits().is_empty() {
            for b in o.state.active_borrows() {
                acted += 1;
                if opts.dry_run {
                    say!("would write off {}'s debt in {}", o.key, b.reserve);
                    continue;
                }
                let ixs = [ix::socialize_bad_debt(&snap.key, &b.reserve, (&o.key, &o.state))];
                match send_with_retries(cluster, &ixs, &[], snap, opts, report, metrics).await {
                    Ok(_) => {
                        say!("wrote off {}'s debt in {}", o.key, b.reserve);
                        let r = snap.reserve(&b.reserve)?;
                        report.socialized.push((o.key, b.reserve, value(snap, r, b.borrowed_sf.get().to_num::<f64>())));
                        count(&|m| m.written_off += 1);
                    }
                    Err(e) => {
                        say!("write-off of {} in {} failed: {e}", o.key, b.reserve);
                        report.failed += 1;
                        count(&|m| m.failed += 1);
                    }
                }
            }
            continue;
        }
        // The f64 screen first; the exact health once, for what it does not clear.
        let health = match scanner.liquidatable(&o.state).and_then(|l| if l { scanner.health(&o.state).map(Some) } else { Ok(None) }) {
            Ok(Some(h)) => h,
            Ok(None) => continue,
            Err(e) => {
                say!("skipping {}: cannot price it ({e})", o.key);
                continue;
            }
        };
        ranked.push((health.debt_value.to_num::<f64>(), health, o));
    }
    // The largest debts first: they carry the most risk to depositors and the largest bonus.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.key.cmp(&b.2.key)));
    let mut capital = opts.capital_quote;
    for (debt, health, o) in ranked {
        report.liquidatable.push(o.key);
        count(&|m| m.liquidatable += 1);
        acted += 1;
        let Some((repay, withdraw)) = pick(snap, o)? else { continue };
        let health = health.liquidation_health()?.map(|h| h.to_num::<f64>()).unwrap_or(f64::INFINITY);
        let repay_price = spot_per_native(snap, &repay);
        let max_repay = match capital {
            None => u64::MAX,
            Some(left) if left <= 0.0 || repay_price <= 0.0 => {
                say!("skipping {}: this round's capital is spent", o.key);
                continue;
            }
            Some(left) => (left / repay_price).floor() as u64,
        };
        let projected = match project(snap, &o.state, &repay.key, &withdraw.key, max_repay, opts.send.slippage_bps) {
            Ok(p) => p,
            Err(e) => {
                say!("skipping {}: the program would not size a liquidation ({e})", o.key);
                continue;
            }
        };
        let hurdle = opts.reserve_hurdle_bps.iter().find(|(k, _)| *k == withdraw.key).map_or(0, |(_, bps)| *bps);
        let need = u64::from(opts.min_bonus_bps) + u64::from(hurdle);
        if projected.net_bonus_bps < need {
            // An insolvent obligation whose auction has not started: start its clock, so its bonus rises until
            // it beats someone's costs (ours, or a cheaper liquidator's).
            if projected.insolvent && o.state.insolvent_since == 0 && withdraw.state.config.insolvent_auction_secs > 0 {
                if opts.dry_run {
                    say!("would start the insolvent auction of {}", o.key);
                    continue;
                }
                let ixs = [ix::mark_insolvency(&snap.key, (&o.key, &o.state), snap.liquidation_price_accounts())];
                match send_with_retries(cluster, &ixs, &[], snap, opts, report, metrics).await {
                    Ok(_) => {
                        say!("started the insolvent auction of {} (bonus {} bps now)", o.key, projected.net_bonus_bps);
                        report.auctions_started.push(o.key);
                        count(&|m| m.auctions_started += 1);
                    }
                    Err(e) => {
                        say!("starting the insolvent auction of {} failed: {e}", o.key);
                        report.failed += 1;
                        count(&|m| m.failed += 1);
                    }
                }
                continue;
            }
            say!("skipping {}: bonus {} bps is below the {need} bps it must beat", o.key, projected.net_bonus_bps);
            continue;
        }
        let what = || format!(
            "{} (health {health:.4}, debt ${debt:.2}): repay {} of {}, seize {} cTokens of {} (at least {})",
            o.key,
            repay.ui(projected.repay_amount),
            repay.key,
            projected.payout_ctokens,
            withdraw.key,
            projected.min_seized_out
        );
        if opts.dry_run {
            say!("would liquidate {}", what());
            continue;
        }
        let ixs = liquidation_ixs(cluster, liquidator, snap, (&o.key, &o.state), &repay, &withdraw, max_repay, projected.min_seized_out, opts.send);
        match send_with_retries(cluster, &ixs, &[liquidator], snap, opts, report, metrics).await {
            Ok(sig) => {
                say!("liquidated {}: {sig}", what());
                if let Some(left) = capital.as_mut() {
                    *left -= value(snap, &repay, projected.repay_amount as f64);
                }
                report.liquidated.push(o.key);
                let latency = read_at.elapsed();
                count(&|m| {
                    m.liquidated += 1;
                    m.latency_sum += latency;
                    m.latency_count += 1;
                });
            }
            Err(e) => {
                say!("liquidation of {} failed: {e}", o.key);
                report.failed += 1;
                count(&|m| m.failed += 1);
            }
        }
    }
    Ok(acted)
}

/// Sends, retrying transient failures (RPC, network, blockhash) with doubling backoff; a transaction the
/// program refused is not retried: the next round re-reads the chain and decides again.
async fn send_with_retries(
    cluster: &impl Cluster,
    ixs: &[anchor_lang::solana_program::instruction::Instruction],
    signers: &[&Keypair],
    snap: &MarketSnapshot,
    opts: &Options,
    report: &mut Report,
    metrics: &Arc<Mutex<Metrics>>,
) -> Result<String> {
    let mut backoff = opts.backoff;
    let mut attempt = 0;
    loop {
        match cluster.send_with_tables(ixs, signers, snap.tables()).await {
            Ok(sig) => return Ok(sig),
            Err(e) if attempt < opts.retries && is_retryable(&e.to_string()) => {
                attempt += 1;
                report.retries += 1;
                if let Ok(mut m) = metrics.lock() {
                    m.retries += 1;
                }
                tokio::time::sleep(backoff).await;
                backoff = backoff.saturating_mul(2);
            }
            Err(e) => return Err(e),
        }
    }
}
