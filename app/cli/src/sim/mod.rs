//! `ballast sim`: Monte Carlo stress tests on the real program. A scenario's market is set up once on a bank and
//! forked onto native ledgers (`cluster::native`: Ballast's own entrypoint, no bank in between); each path opens
//! its population once, then runs under Ballast's config and, from the same positions, under the SPL-style
//! baseline (`baseline`), on common random numbers. Paths spread over worker threads. A sample of paths also
//! runs on solana-program-test (`verify`), and every account must end the same on both.
pub mod agents;
pub mod baseline;
pub mod keepers;
pub mod live;
pub mod market;
pub mod oracle;
pub mod path;
pub mod plots;
pub mod prices;
pub mod report;
pub mod scenario;
pub mod stats;
pub mod tune;
pub mod tune_spec;
pub mod verify;

use anyhow::{anyhow, bail, Result};
use path::{Config, Inputs, PathResult};
use scenario::{Scenario, BUILT_IN};
use std::{
    io::Write,
    sync::{atomic::AtomicUsize, Arc, Mutex},
};

pub use report::ScenarioReport;

/// How to run: paths spread over `workers` threads; the first `verify` paths also on a bank.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    pub workers: usize,
    pub verify: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self { workers: std::thread::available_parallelism().map_or(1, |n| n.get()), verify: 1 }
    }
}

/// The seed of path `i` of a scenario seeded `seed`.
pub fn path_seed(seed: u64, i: usize) -> u64 {
    crate::rng::Rng::new(seed ^ (i as u64).wrapping_mul(0x2545_f491_4f6c_dd1d)).next_u64()
}

/// The keys a scenario's market is set up with: the same on every ledger it lives on.
pub fn world_key(seed: u64) -> impl Fn(u64) -> ballast_sdk::Keypair {
    move |n| agents::keypair(seed ^ 0x776f_726c_64, n)
}

/// Sets up `s`'s market on a bank at the start prices, with keys from the scenario's seed.
pub async fn bank_world(s: &Scenario) -> Result<crate::world::World> {
    let start = |symbol: &str| s.assets.iter().find(|a| a.symbol == symbol).map_or(1.0, |a| a.price);
    crate::world::set_up_keyed(s.market().clone(), &start, &world_key(s.seed), &mut std::io::sink()).await
}

/// One path under both configs, from a template market on a native ledger. Returns the results and the two
/// worlds as they ended (for verification).
pub async fn run_path(s: &Scenario, template: &crate::world::World, i: usize) -> Result<(PathResult, PathResult, crate::world::World, crate::world::World)> {
    let inputs = Inputs::draw(s, path_seed(s.seed, i))?;
    let ballast = template.fork_native().await?;
    let population = path::populate(s, &ballast, &inputs).await?;
    // The baseline starts from the same positions: a copy of the ledger, its configs rewritten.
    let base = ballast.fork_native().await?;
    baseline::rewrite_configs(&base.cluster, &base.market, &baseline::spl_baseline(&base.spec)).await?;
    let a = path::run(s, &ballast, &inputs, &population, Config::Ballast).await?;
    let b = path::run(s, &base, &inputs, &population, Config::Baseline).await?;
    Ok((a, b, ballast, base))
}

/// Runs `job(runtime, i)` for every `i` in `0..n` over `workers` threads, each with its own single-threaded
/// runtime, handing the indices out in order; stops handing them out at the first error, which it returns.
pub fn parallel(n: usize, workers: usize, job: &(dyn Fn(&tokio::runtime::Runtime, usize) -> Result<()> + Sync)) -> Result<()> {
    let next = AtomicUsize::new(0);
    let failure: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..workers.clamp(1, n.max(1)) {
            scope.spawn(|| {
                let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(r) => r,
                    Err(e) => return *failure.lock().expect("lock") = Some(e.into()),
                };
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= n || failure.lock().expect("lock").is_some() {
                        return;
                    }
                    if let Err(e) = job(&runtime, i) {
                        *failure.lock().expect("lock") = Some(e);
                        return;
                    }
                }
            });
        }
    });
    match failure.into_inner().map_err(|_| anyhow!("a worker panicked"))? {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Runs every path of `s` over worker threads (each with its own runtime); the worker that ran one of the first
/// `opts.verify` paths verifies it on a bank at once, while the others go on with native paths, so both cores
/// stay busy. `tick` is called after each path.
pub async fn run_scenario(s: &Scenario, opts: RunOptions, tick: &(dyn Fn() + Sync)) -> Result<ScenarioReport> {
    let started = std::time::Instant::now();
    let bank = bank_world(s).await?;
    let template = Arc::new(bank.fork_native().await?);
    let results: Mutex<Vec<Option<(PathResult, PathResult)>>> = Mutex::new(vec![None; s.paths]);
    let verified: Mutex<Vec<verify::Verified>> = Mutex::new(vec![]);
    parallel(s.paths, opts.workers, &|runtime, i| {
        let (a, b, wa, wb) = runtime.block_on(run_path(s, &template, i)).map_err(|e| e.context(format!("scenario {}, path {i}", s.name)))?;
        results.lock().expect("lock")[i] = Some((a, b));
        if i < opts.verify {
            let v = runtime.block_on(verify::path(s, i, &template, &wa, &wb)).map_err(|e| e.context(format!("scenario {}, verifying path {i}", s.name)))?;
            verified.lock().expect("lock").push(v);
        }
        tick();
        Ok(())
    })?;
    let pairs: Vec<(PathResult, PathResult)> = results.into_inner().map_err(|_| anyhow!("a worker panicked"))?.into_iter().map(|r| r.ok_or_else(|| anyhow!("a path did not run"))).collect::<Result<_>>()?;
    let violations: Vec<String> = pairs.iter().flat_map(|(a, b)| a.invariant_violations.iter().chain(&b.invariant_violations).cloned()).collect();
    if !violations.is_empty() {
        bail!("scenario {}: invariants violated: {}", s.name, violations.join("; "));
    }
    let mut verified = verified.into_inner().map_err(|_| anyhow!("a worker panicked"))?;
    verified.sort_by_key(|v| v.path);
    let seconds = started.elapsed().as_secs_f64();
    Ok(report::build(s, pairs, verified, opts, seconds))
}

/// `ballast sim --list`.
pub fn list(out: &mut impl Write) -> Result<()> {
    for (name, _) in BUILT_IN {
        let s = Scenario::load(name)?;
        let steps = prices::grid(s.hours, s.step_secs, s.fine_step_secs, &s.shocks).len() - 1;
        writeln!(out, "{name:<10} {} ({} h in {steps} steps, {} paths, {} borrowers)", s.description, s.hours, s.paths, s.population.borrowers + s.population.whales)?;
    }
    Ok(())
}

/// Runs `scenarios` and prints the table (or, with `json`, the whole report); with `plots`, writes each
/// scenario's charts there; with `report_dir`, writes the Markdown risk report and its charts there.
pub async fn command(scenarios: &[Scenario], opts: RunOptions, json: bool, plots: Option<&std::path::Path>, report_dir: Option<&std::path::Path>, out: &mut impl Write) -> Result<Vec<ScenarioReport>> {
    let started = std::time::Instant::now();
    let runs: usize = scenarios.iter().map(|s| s.paths).sum();
    let bar = indicatif::ProgressBar::new(runs as u64);
    bar.set_style(indicatif::ProgressStyle::with_template("  {msg:<10} [{bar:30}] {pos}/{len} paths (both configs), {elapsed}").expect("template").progress_chars("=> "));
    let mut reports = vec![];
    for s in scenarios {
        bar.set_message(s.name.clone());
        reports.push(run_scenario(s, opts, &|| bar.inc(1)).await?);
    }
    bar.finish_and_clear();
    let mut files = vec![];
    if let Some(dir) = plots {
        for r in &reports {
            files.extend(plots::write(dir, r)?);
        }
    }
    if let Some(dir) = report_dir {
        files.extend(report::write_markdown(dir, scenarios, &reports)?);
    }
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&reports)?)?;
    } else {
        report::table(&reports, out)?;
        writeln!(out, "\n{} paths, each under both configs, in {:.1} s on {} worker threads; invariants held after every path", runs, started.elapsed().as_secs_f64(), opts.workers)?;
        report::ran(&reports, out)?;
        if !files.is_empty() {
            writeln!(out, "{} files written", files.len())?;
        }
    }
    Ok(reports)
}

/// `ballast sim`: lists, or runs one scenario (built-in or a file) or the standard suite.
pub async fn from_cli(cli: &crate::Cli, out: &mut impl Write) -> Result<Vec<ScenarioReport>> {
    let crate::Command::Sim { action, scenario, list: list_only, paths, out: plots, report, workers, verify, borrowers } = &cli.command else {
        bail!("not a sim command");
    };
    if let Some(crate::SimAction::Tune(args)) = action {
        tune::command(args, cli.json, out).await?;
        return Ok(vec![]);
    }
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
        let mut s = Scenario::load(&name)?;
        match paths {
            Some(n) if *n > 0 => s = s.with_paths(*n),
            Some(_) => bail!("--paths must be at least 1"),
            None => {}
        }
        if let Some(n) = borrowers {
            s.population.borrowers = *n;
        }
        scenarios.push(s);
    }
    let mut opts = RunOptions::default();
    if let Some(w) = workers {
        opts.workers = (*w).max(1);
    }
    if let Some(v) = verify {
        opts.verify = *v;
    }
    command(&scenarios, opts, cli.json, plots.as_deref(), report.as_deref(), out).await
}
