//! `ballast demo`: the whole protocol in-process. A market from the example spec, users with varied
//! positions, a crash along a price path, the keeper at every step, and a reserve-health table at the end.
//! The market itself comes from [`crate::world`], which the simulator and the dashboard stand on too.
use crate::{
    keeper,
    world::{borrow_share, set_up, supply, World},
};
use anyhow::{bail, Result};
use ballast_sdk::{health::Projection, invariants, Keypair, MarketSnapshot, Pubkey, Signer};
use indicatif::{ProgressBar, ProgressStyle};
use std::{io::Write, time::Instant};

pub use crate::world::EXAMPLE_SPEC;

/// Spot prices per step: (SOL, VOLT). USDC stays at 1.
pub const CRASH: [(f64, f64); 8] = [(150.0, 2.0), (140.0, 1.6), (125.0, 1.1), (110.0, 0.7), (95.0, 0.45), (85.0, 0.3), (80.0, 0.2), (78.0, 0.15)];

/// What the demo measured, for its caller (tests assert on it).
#[derive(Debug, Default)]
pub struct DemoReport {
    pub users: usize,
    pub borrowers: usize,
    pub liquidations: usize,
    pub write_offs: usize,
    pub bad_debt_quote: f64,
    pub invariant_violations: Vec<String>,
    pub seconds: f64,
}

fn progress(len: usize, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    bar.set_style(ProgressStyle::with_template("  {msg:<18} [{bar:30}] {pos}/{len}").expect("template").progress_chars("=> "));
    bar.set_message(what.to_string());
    bar
}

/// The demo's people once positions are open: how many lend and borrow, and the keeper's signer with its
/// USDC to repay with.
pub struct Cast {
    pub lenders: usize,
    pub borrowers: usize,
    pub liquidator: Keypair,
}

/// Opens `users` positions: a quarter lend USDC (some SOL too), the rest pledge SOL or VOLT (some both) and
/// borrow USDC at 40–99% of their limit. Seeded, so every run opens the same positions.
pub async fn populate(w: &World, users: usize) -> Result<Cast> {
    let snap = w.snapshot().await?;
    let by_symbol = |s: &str| *snap.reserve_by_mint(&w.mint(s)).expect("reserve exists");
    let (usdc, sol, volt) = (by_symbol("USDC"), by_symbol("SOL"), by_symbol("VOLT"));
    let mut rng = crate::rng::Rng::new(0x9e37_79b9_7f4a_7c15);
    let bar = progress(users, "users");
    let lenders = users.div_ceil(4).max(1);
    let mut borrowers = 0;
    for i in 0..users {
        let user = Keypair::new();
        w.cluster.airdrop(&user.pubkey(), 100_000_000).await?;
        if i < lenders {
            supply(w, &user, &usdc, rng.range(5_000.0, 30_000.0)).await?;
            if i % 3 == 0 {
                supply(w, &user, &sol, rng.range(50.0, 400.0)).await?;
            }
        } else {
            let obligation = match i % 4 {
                0 => supply(w, &user, &volt, rng.range(2_000.0, 20_000.0)).await?,
                1 => {
                    supply(w, &user, &sol, rng.range(5.0, 60.0)).await?;
                    supply(w, &user, &volt, rng.range(1_000.0, 10_000.0)).await?
                }
                _ => supply(w, &user, &sol, rng.range(5.0, 80.0)).await?,
            };
            borrow_share(w, &user, &obligation, &usdc, rng.range(0.4, 0.99)).await?;
            borrowers += 1;
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let liquidator = Keypair::new();
    w.cluster.airdrop(&liquidator.pubkey(), 1_000_000_000).await?;
    w.fund(&liquidator.pubkey(), "USDC", usdc.native(5_000_000.0)).await?;
    Ok(Cast { lenders, borrowers, liquidator })
}

/// What one step of the crash did.
#[derive(Debug, Default)]
pub struct Step {
    /// Obligations with liquidation health below 1.1 once the step's prices were published.
    pub at_risk: usize,
    pub liquidations: usize,
    pub write_offs: usize,
    pub bad_debt_quote: f64,
}

/// Moves the clock an hour, publishes step `step` of [`CRASH`] and runs the keeper until nothing is left to do.
pub async fn crash_step(w: &mut World, liquidator: &Keypair, step: usize) -> Result<Step> {
    let (sol, volt) = CRASH[step];
    price_step(w, liquidator, sol, volt).await
}

/// Moves the clock an hour, publishes these prices (USDC stays at 1) and runs the keeper until nothing is left
/// to do.
pub async fn price_step(w: &mut World, liquidator: &Keypair, sol: f64, volt: f64) -> Result<Step> {
    w.now += 3_600;
    w.cluster.set_time(w.now).await?;
    w.publish_all(sol, volt).await;
    let at_risk = at_risk(&w.snapshot().await?)?;
    let opts = keeper::Options { rounds: 30, interval: std::time::Duration::ZERO, ..Default::default() };
    let k = keeper::run(&w.cluster, liquidator, &w.market, &opts, &mut Vec::new()).await?;
    Ok(Step { at_risk, liquidations: k.liquidated.len(), write_offs: k.socialized.len(), bad_debt_quote: k.socialized.iter().map(|s| s.2).sum::<f64>() + 0.0 })
}

/// `hours` hourly (SOL, VOLT) prices after the crash, from the simulator's price model: the built-in crash-60
/// scenario's asset models (drift, calm volatility, jumps, correlation) with no scripted shock, starting at
/// the crash's last prices. Seeded: one seed, one path.
pub fn aftermath(hours: usize, start: (f64, f64), seed: u64) -> Result<Vec<(f64, f64)>> {
    use crate::sim::{prices, scenario::Scenario};
    let s = Scenario::load("crash-60")?;
    let mut assets = s.assets.clone();
    for a in &mut assets {
        a.price = match a.symbol.as_str() {
            "SOL" => start.0,
            "VOLT" => start.1,
            _ => a.price,
        };
    }
    let times = prices::grid(hours as f64, 3_600, 3_600, &[]);
    let path = prices::generate(&assets, &s.correlation, s.crash_correlation, &[], &times, seed)?;
    let index = |symbol: &str| assets.iter().position(|a| a.symbol == symbol).ok_or_else(|| anyhow::anyhow!("crash-60 has no {symbol}"));
    let (sol, volt) = (index("SOL")?, index("VOLT")?);
    Ok(path.prices.iter().skip(1).map(|p| (p[sol], p[volt])).collect())
}

/// Runs the demo and prints its story to `out`.
pub async fn run(users: usize, out: &mut impl Write) -> Result<DemoReport> {
    let started = Instant::now();
    writeln!(out, "Ballast demo: in-process cluster, example spec (USDC, SOL, VOLT), {users} users, a crash, the keeper\n")?;
    writeln!(out, "1. market from migrations/specs/example.toml")?;
    let mut w = set_up(out).await?;

    writeln!(out, "\n2. {users} users open positions")?;
    let cast = populate(&w, users).await?;
    let mut report = DemoReport { users, borrowers: cast.borrowers, ..Default::default() };
    writeln!(out, "   {} lenders, {} borrowers", cast.lenders, cast.borrowers)?;

    writeln!(out, "\n3. crash: one step per hour, keeper after every step")?;
    writeln!(out, "   {:<5} {:>9} {:>8} {:>8} {:>11} {:>10} {:>12}", "step", "SOL", "VOLT", "at risk", "liquidated", "write-offs", "bad debt $")?;
    for step in 1..CRASH.len() {
        let s = crash_step(&mut w, &cast.liquidator, step).await?;
        report.liquidations += s.liquidations;
        report.write_offs += s.write_offs;
        report.bad_debt_quote += s.bad_debt_quote;
        let (sol_price, volt_price) = CRASH[step];
        writeln!(
            out,
            "   {:<5} {:>9.2} {:>8.2} {:>8} {:>11} {:>10} {:>12.2}",
            step, sol_price, volt_price, s.at_risk, s.liquidations, s.write_offs, s.bad_debt_quote
        )?;
    }

    writeln!(out, "\n4. reserve health")?;
    let snap = w.snapshot().await?;
    health_table(&snap, &w.names(), out)?;
    report.invariant_violations = invariants::check(&w.cluster, &snap).await?;
    if report.invariant_violations.is_empty() {
        writeln!(out, "\ninvariants hold: vaults match the accounting, pledged cTokens match the collateral vaults, debts add up")?;
    }
    report.seconds = started.elapsed().as_secs_f64();
    writeln!(
        out,
        "{} liquidations, {} write-offs (${:.2} bad debt), {} obligations, in {:.1} s",
        report.liquidations,
        report.write_offs,
        report.bad_debt_quote,
        snap.obligations.len(),
        report.seconds
    )?;
    if !report.invariant_violations.is_empty() {
        bail!("invariants violated: {}", report.invariant_violations.join("; "));
    }
    Ok(report)
}

/// Obligations with debt whose liquidation health is below 1.1.
fn at_risk(snap: &MarketSnapshot) -> Result<usize> {
    let p = Projection::new(snap);
    let mut n = 0;
    for o in &snap.obligations {
        if let Some(h) = p.liquidation_health(&o.state)? {
            if h < ballast_sdk::risk::AT_RISK_HEALTH {
                n += 1;
            }
        }
    }
    Ok(n)
}

/// Utilization, rates, insurance, liquidity coverage and obligations at risk, per reserve.
/// `names` labels reserves (by default the first characters of the reserve address).
pub fn health_table(snap: &MarketSnapshot, names: &std::collections::HashMap<Pubkey, String>, out: &mut impl Write) -> Result<()> {
    let p = Projection::new(snap);
    writeln!(out, "   {:<6} {:>7} {:>8} {:>8} {:>14} {:>14} {:>9} {:>8}", "asset", "util", "supply", "borrow", "deposits", "insurance", "LCR", "at risk")?;
    for r in &snap.reserves {
        let v = crate::read::reserve_json(r, Some(snap))?;
        let symbol = names.get(&r.key).cloned().unwrap_or_else(|| r.key.to_string()[..6].to_string());
        let deposits = v["deposits"].as_f64().unwrap_or(0.0);
        let lcr = v["lcr"].as_f64();
        let mut risky = 0;
        for o in &snap.obligations {
            let touches = o.state.find_deposit(&r.key).is_some() || o.state.find_borrow(&r.key).is_some();
            if touches && matches!(p.liquidation_health(&o.state)?, Some(h) if h < ballast_sdk::risk::AT_RISK_HEALTH) {
                risky += 1;
            }
        }
        writeln!(
            out,
            "   {:<6} {:>6.1}% {:>7.2}% {:>7.2}% {:>14.2} {:>14.4} {:>9} {:>8}",
            symbol,
            100.0 * v["utilization"].as_f64().unwrap_or(0.0),
            100.0 * v["supply_apr"].as_f64().unwrap_or(0.0),
            100.0 * v["borrow_apr"].as_f64().unwrap_or(0.0),
            deposits,
            v["insurance_fund"].as_f64().unwrap_or(0.0),
            lcr.map(|l| format!("{:.0}%", 100.0 * l)).unwrap_or_else(|| "-".into()),
            risky
        )?;
    }
    Ok(())
}
