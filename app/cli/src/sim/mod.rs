//! `ballast sim`: Monte Carlo stress tests on the real program. Each scenario's price paths run twice, in a
//! fresh in-process market each time: under the scenario's Ballast config and under an SPL-style baseline
//! of the same market (`path::spl_baseline`), so the two see the same prices and the same population.
pub mod path;
pub mod plots;
pub mod prices;
pub mod scenario;
pub mod stats;

use anyhow::{bail, Result};
use path::PathResult;
use scenario::{Scenario, BUILT_IN};
use serde::Serialize;
use stats::{summarize, var_es, Summary};
use std::io::Write;

/// One config's results over every path of a scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConfigReport {
    pub config: String,
    pub bad_debt: Summary,
    pub unrealized_bad_debt: Summary,
    pub insurance_drawn: Summary,
    pub depositor_loss: Summary,
    pub liquidations: Summary,
    pub liquidation_volume: Summary,
    pub bonus_paid: Summary,
    /// Lowest LCR of the borrowed reserve over all paths, and hours below 100% per path.
    pub min_lcr: f64,
    pub hours_below_full_lcr: Summary,
    pub max_utilization: f64,
    pub refused_withdrawals: Summary,
    /// Value at risk and expected shortfall (95%) of the loss of protocol equity over a path.
    pub equity_var95: f64,
    pub equity_es95: f64,
    pub paths: Vec<PathResult>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioReport {
    pub name: String,
    pub description: String,
    pub steps: usize,
    pub step_secs: i64,
    pub seed: u64,
    pub ballast: ConfigReport,
    pub baseline: ConfigReport,
    /// Mean bad debt of the baseline over Ballast's (None when Ballast's is 0).
    pub bad_debt_ratio: Option<f64>,
}

/// The seed of path `i` of a scenario seeded `seed`.
pub fn path_seed(seed: u64, i: usize) -> u64 {
    crate::rng::Rng::new(seed ^ (i as u64).wrapping_mul(0x2545_f491_4f6c_dd1d)).next_u64()
}

/// Runs `s`: every path under both configs. `tick` is called after each path run.
pub async fn run_scenario(s: &Scenario, tick: &dyn Fn()) -> Result<ScenarioReport> {
    let baseline_spec = path::spl_baseline(s.market());
    let mut ballast = vec![];
    let mut baseline = vec![];
    for i in 0..s.paths {
        let seed = path_seed(s.seed, i);
        let quotes = prices::generate(&s.assets, &s.correlation, &s.shocks, s.steps, s.step_secs, seed)?;
        ballast.push(path::run(s, s.market().clone(), &quotes, seed).await?);
        tick();
        baseline.push(path::run(s, baseline_spec.clone(), &quotes, seed).await?);
        tick();
    }
    let violations: Vec<String> = ballast.iter().chain(&baseline).flat_map(|p| p.invariant_violations.clone()).collect();
    if !violations.is_empty() {
        bail!("scenario {}: invariants violated: {}", s.name, violations.join("; "));
    }
    let (ballast, baseline) = (config_report("ballast", s, ballast), config_report("spl-baseline", s, baseline));
    let bad_debt_ratio = (ballast.bad_debt.mean > 0.0).then(|| baseline.bad_debt.mean / ballast.bad_debt.mean);
    Ok(ScenarioReport { name: s.name.clone(), description: s.description.clone(), steps: s.steps, step_secs: s.step_secs, seed: s.seed, ballast, baseline, bad_debt_ratio })
}

fn config_report(config: &str, s: &Scenario, paths: Vec<PathResult>) -> ConfigReport {
    let of = |f: &dyn Fn(&PathResult) -> f64| summarize(&paths.iter().map(f).collect::<Vec<_>>());
    let losses: Vec<f64> = paths.iter().map(|p| p.equity_loss).collect();
    let (equity_var95, equity_es95) = var_es(&losses, 0.95);
    ConfigReport {
        config: config.into(),
        bad_debt: of(&|p| p.bad_debt),
        unrealized_bad_debt: of(&|p| p.unrealized_bad_debt),
        insurance_drawn: of(&|p| p.insurance_drawn),
        depositor_loss: of(&|p| p.depositor_loss),
        liquidations: of(&|p| p.liquidations as f64),
        liquidation_volume: of(&|p| p.liquidation_volume),
        bonus_paid: of(&|p| p.bonus_paid),
        min_lcr: paths.iter().map(|p| p.min_lcr).fold(f64::INFINITY, f64::min),
        hours_below_full_lcr: of(&|p| p.steps_below_full_lcr as f64 * s.step_secs as f64 / 3_600.0),
        max_utilization: paths.iter().map(|p| p.max_utilization).fold(0.0, f64::max),
        refused_withdrawals: of(&|p| p.refused_withdrawals as f64),
        equity_var95,
        equity_es95,
        paths,
    }
}

/// `ballast sim --list`.
pub fn list(out: &mut impl Write) -> Result<()> {
    for (name, _) in BUILT_IN {
        let s = Scenario::load(name)?;
        writeln!(out, "{name:<10} {} ({} steps of {} s, {} paths, {} borrowers)", s.description, s.steps, s.step_secs, s.paths, s.population.borrowers)?;
    }
    Ok(())
}

/// Runs `scenarios` and prints the table (or, with `json`, the whole report); with `plots`, writes each
/// scenario's charts into that directory.
pub async fn command(scenarios: &[Scenario], json: bool, plots: Option<&std::path::Path>, out: &mut impl Write) -> Result<Vec<ScenarioReport>> {
    let started = std::time::Instant::now();
    let runs: usize = scenarios.iter().map(|s| 2 * s.paths).sum();
    let bar = indicatif::ProgressBar::new(runs as u64);
    bar.set_style(indicatif::ProgressStyle::with_template("  {msg:<10} [{bar:30}] {pos}/{len} path runs, {elapsed}").expect("template").progress_chars("=> "));
    let mut reports = vec![];
    for s in scenarios {
        bar.set_message(s.name.clone());
        reports.push(run_scenario(s, &|| bar.inc(1)).await?);
    }
    bar.finish_and_clear();
    let mut files = vec![];
    if let Some(dir) = plots {
        for (s, r) in scenarios.iter().zip(&reports) {
            files.extend(plots::write(dir, s, r)?);
        }
    }
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&reports)?)?;
    } else {
        table(&reports, out)?;
        writeln!(out, "\n{} path runs in {:.1} s; invariants held after every path", runs, started.elapsed().as_secs_f64())?;
        if let Some(dir) = plots {
            writeln!(out, "{} charts (SVG and PNG) in {}", files.len(), dir.display())?;
        }
    }
    Ok(reports)
}

/// `ballast sim`: lists, or runs one scenario (built-in or a file) or the standard suite.
pub async fn from_cli(cli: &crate::Cli, out: &mut impl Write) -> Result<Vec<ScenarioReport>> {
    let crate::Command::Sim { scenario, list: list_only, paths, out: plots } = &cli.command else {
        bail!("not a sim command");
    };
    if *list_only {
        list(out)?;
        return Ok(vec![]);
    }
    let names: Vec<String> = match scenario {
        Some(s) => vec![s.clone()],
        None => BUILT_IN.iter().map(|(name, _)| name.to_string()).collect(),
    };
    let mut scenarios = vec![];
    for name in names {
        let s = Scenario::load(&name)?;
        scenarios.push(match paths {
            Some(n) if *n > 0 => s.with_paths(*n),
            Some(_) => bail!("--paths must be at least 1"),
            None => s,
        });
    }
    command(&scenarios, cli.json, plots.as_deref(), out).await
}

/// Ballast and the baseline, side by side, one row each per scenario.
pub fn table(reports: &[ScenarioReport], out: &mut impl Write) -> Result<()> {
    writeln!(
        out,
        "{:<10} {:<13} {:>11} {:>11} {:>11} {:>11} {:>10} {:>10} {:>6} {:>12} {:>10} {:>8} {:>7} {:>6} {:>11} {:>11}",
        "scenario", "config", "bad debt", "p95", "max", "unrealized", "insurance", "depositor", "liqs", "volume", "bonus", "min LCR", "h<100%", "util", "VaR95", "ES95"
    )?;
    for r in reports {
        for c in [&r.ballast, &r.baseline] {
            writeln!(
                out,
                "{:<10} {:<13} {:>11.2} {:>11.2} {:>11.2} {:>11.2} {:>10.2} {:>10.2} {:>6.1} {:>12.0} {:>10.0} {:>7.0}% {:>7.1} {:>5.0}% {:>11.2} {:>11.2}",
                r.name,
                c.config,
                c.bad_debt.mean,
                c.bad_debt.p95,
                c.bad_debt.max,
                c.unrealized_bad_debt.mean,
                c.insurance_drawn.mean,
                c.depositor_loss.mean,
                c.liquidations.mean,
                c.liquidation_volume.mean,
                c.bonus_paid.mean,
                100.0 * c.min_lcr.min(99.99),
                c.hours_below_full_lcr.mean,
                100.0 * c.max_utilization,
                c.equity_var95,
                c.equity_es95
            )?;
        }
        match r.bad_debt_ratio {
            Some(ratio) => writeln!(out, "{:<10} baseline / ballast bad debt: {ratio:.2}×", r.name)?,
            None if r.baseline.bad_debt.mean > 0.0 => writeln!(out, "{:<10} bad debt: none under ballast, {:.2} under the baseline", r.name, r.baseline.bad_debt.mean)?,
            None => writeln!(out, "{:<10} no bad debt under either config", r.name)?,
        }
    }
    writeln!(out, "\nmeans over paths (quote units) unless named; bad debt = written off + unrealized (debt no collateral covers at the end)")?;
    writeln!(out, "insurance: bad debt covered by insurance and fees; depositor: by depositors; VaR95/ES95: loss of protocol equity over a path")?;
    Ok(())
}
