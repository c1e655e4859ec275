//! The liquidator keeper: scan a market's obligations, liquidate the unhealthy ones, write off debt that
//! has no collateral left. Bounded: `rounds` scans, then it stops.
use crate::write::send_liquidation;
use anyhow::Result;
use ballast_sdk::{
    accounts::ObligationView, ix, pyth::spot_price, scan::Scanner, Cluster, Keypair, MarketSnapshot, Pubkey, ReserveView,
};
use std::{io::Write, time::Duration};

pub struct Options {
    pub dry_run: bool,
    pub rounds: u32,
    pub interval: Duration,
}

/// What the keeper did (or, in a dry run, would do).
#[derive(Default, Debug)]
pub struct Report {
    pub scanned: usize,
    /// Obligations found liquidatable, each time they were found.
    pub liquidatable: Vec<Pubkey>,
    /// Liquidations sent and confirmed.
    pub liquidated: Vec<Pubkey>,
    /// (obligation, reserve, quote value at spot) of each debt written off.
    pub socialized: Vec<(Pubkey, Pubkey, f64)>,
    pub failed: usize,
}

/// Quote value of `native` units of `r` at its spot price (an estimate, to choose which position to hit).
fn value(snap: &MarketSnapshot, r: &ReserveView, native: f64) -> f64 {
    let price = snap.raw.get(&r.price_account()).and_then(spot_price).unwrap_or(0.0);
    native / 10f64.powi(r.decimals() as i32) * price
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

/// Runs `opts.rounds` scans of `market`, liquidating with `liquidator`'s tokens.
pub async fn run(cluster: &impl Cluster, liquidator: &Keypair, market: &Pubkey, opts: &Options, out: &mut impl Write) -> Result<Report> {
    let mut report = Report::default();
    for round in 0..opts.rounds {
        if round > 0 && !opts.interval.is_zero() {
            tokio::time::sleep(opts.interval).await;
        }
        let acted = scan(cluster, liquidator, market, opts.dry_run, &mut report, out).await?;
        if acted == 0 {
            break;
        }
    }
    writeln!(
        out,
        "keeper: scanned {} obligations, {} liquidatable, {} liquidations, {} write-offs, {} failed{}",
        report.scanned,
        report.liquidatable.len(),
        report.liquidated.len(),
        report.socialized.len(),
        report.failed,
        if opts.dry_run { " (dry run: nothing sent)" } else { "" }
    )?;
    Ok(report)
}

/// One pass over every obligation; returns how many actions it took (or would take).
async fn scan(cluster: &impl Cluster, liquidator: &Keypair, market: &Pubkey, dry_run: bool, report: &mut Report, out: &mut impl Write) -> Result<usize> {
    let snap = MarketSnapshot::load(cluster, market).await?;
    // Every reserve valued and priced once; each obligation screened in f64, then checked exactly.
    let scanner = Scanner::new(&snap)?;
    let mut acted = 0;
    for o in &snap.obligations {
        report.scanned += 1;
        if o.state.active_borrows().is_empty() {
            continue;
        }
        if o.state.active_deposits().is_empty() {
            for b in o.state.active_borrows() {
                acted += 1;
                if dry_run {
                    writeln!(out, "would write off {}'s debt in {}", o.key, b.reserve)?;
                    continue;
                }
                match cluster.send(&[ix::socialize_bad_debt(market, &b.reserve, (&o.key, &o.state))], &[]).await {
                    Ok(_) => {
                        writeln!(out, "wrote off {}'s debt in {}", o.key, b.reserve)?;
                        let r = snap.reserve(&b.reserve)?;
                        report.socialized.push((o.key, b.reserve, value(&snap, r, b.borrowed_sf.get().to_num::<f64>())));
                    }
                    Err(e) => {
                        writeln!(out, "write-off of {} in {} failed: {e}", o.key, b.reserve)?;
                        report.failed += 1;
                    }
                }
            }
            continue;
        }
        let liquidatable = match scanner.liquidatable(&o.state) {
            Ok(x) => x,
            Err(e) => {
                writeln!(out, "skipping {}: cannot price it ({e})", o.key)?;
                continue;
            }
        };
        if !liquidatable {
            continue;
        }
        report.liquidatable.push(o.key);
        acted += 1;
        let Some((repay, withdraw)) = pick(&snap, o)? else { continue };
        let health = scanner.health(&o.state)?.liquidation_health()?.map(|h| h.to_num::<f64>()).unwrap_or(f64::INFINITY);
        if dry_run {
            writeln!(out, "would liquidate {} (health {health:.4}): repay {}, seize {}", o.key, repay.key, withdraw.key)?;
            continue;
        }
        match send_liquidation(cluster, liquidator, &snap, (&o.key, &o.state), &repay, &withdraw, u64::MAX).await {
            Ok(sig) => {
                writeln!(out, "liquidated {} (health {health:.4}): repaid {}, seized {}: {sig}", o.key, repay.key, withdraw.key)?;
                report.liquidated.push(o.key);
            }
            Err(e) => {
                writeln!(out, "liquidation of {} failed: {e}", o.key)?;
                report.failed += 1;
            }
        }
    }
    Ok(acted)
}
