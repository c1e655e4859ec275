//! `ballast sim tune`: searches one reserve's risk parameters (LTV, liquidation threshold, bonus range, target
//! health, the volatility regime's LTV cut) over a scenario set. Every combination of the candidate values runs
//! the same paths (common random numbers) on the real program: its population opens under the candidate's
//! config, so a lower LTV lends less, and then lives through the path as in `ballast sim`. Each candidate is a
//! point: calm borrowing capacity (the reserve's LTV at origination in the paths' calm hours, the regime's cut
//! applied) against bad debt summed over the scenarios. It prints the points, the frontier (no other point
//! lends more for less bad debt), and the least bad debt that keeps `--min-capacity` of the SPL-style
//! baseline's capacity as a spec change that `ballast-migrate plan` routes like any other.
use super::{
    baseline::{rewrite_configs, spl_baseline},
    path::{self, Config, Inputs},
    path_seed,
    scenario::Scenario,
    stats::{estimate, paired, Estimate, Z95},
    tune_spec,
};
use crate::world::World;
use anyhow::{anyhow, bail, Context, Result};
use ballast_migrate::{spec::{RegimeSpec, ReserveSpec}, Spec};
use ballast_sdk::Signer;
use serde::Serialize;
use std::{io::Write, path::PathBuf, sync::{Arc, Mutex}};

#[derive(clap::Args, Debug, Clone)]
pub struct TuneArgs {
    /// The reserve (symbol) whose parameters are searched.
    #[arg(long)]
    pub reserve: String,
    /// Scenarios, built-in names or files, comma-separated; they must share one market spec.
    #[arg(long, value_delimiter = ',', default_value = "crash-60,crash-85,v-shape")]
    pub scenarios: Vec<String>,
    /// Paths per scenario; every candidate runs the same ones.
    #[arg(long, default_value_t = 4)]
    pub paths: usize,
    /// Opening borrowers per scenario instead of the scenario's own number.
    #[arg(long)]
    pub borrowers: Option<usize>,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Candidate LTVs, bps (default: the reserve's, and 5 and 10 points below it).
    #[arg(long, value_delimiter = ',')]
    pub ltv: Vec<u16>,
    /// Candidate liquidation thresholds, as bps above the LTV (default: the reserve's gap, and 3 points less).
    #[arg(long, value_delimiter = ',')]
    pub threshold_gap: Vec<u16>,
    /// Candidate minimum liquidation bonuses, bps (default: the reserve's).
    #[arg(long, value_delimiter = ',')]
    pub min_bonus: Vec<u16>,
    /// Candidate maximum liquidation bonuses, bps (default: the reserve's, and 3 points less).
    #[arg(long, value_delimiter = ',')]
    pub max_bonus: Vec<u16>,
    /// Candidate liquidation target healths, bps; 0 = the close factor alone (default: the reserve's, and
    /// 10500 or 0).
    #[arg(long, value_delimiter = ',')]
    pub target_health: Vec<u16>,
    /// Candidate regime LTV cuts, bps; 0 = no regime (default: the reserve's, and 2000 or 0).
    #[arg(long, value_delimiter = ',')]
    pub regime_cut: Vec<u16>,
    /// The least calm borrowing capacity a recommendation keeps, as a share of the baseline's.
    #[arg(long, default_value_t = 0.95)]
    pub min_capacity: f64,
    /// The migrations spec the recommendation changes (default: the scenarios' own spec).
    #[arg(long)]
    pub spec: Option<PathBuf>,
    /// Write the recommended spec here, for `ballast-migrate plan --spec` and `apply`.
    #[arg(long)]
    pub write_spec: Option<PathBuf>,
}

/// One reserve's searched parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub ltv_bps: u16,
    /// Liquidation threshold less LTV.
    pub threshold_gap_bps: u16,
    pub min_bonus_bps: u16,
    pub max_bonus_bps: u16,
    pub target_health_bps: u16,
    /// The regime's most LTV cut; 0 = no regime.
    pub regime_cut_bps: u16,
}

impl Candidate {
    /// What `r` says now.
    pub fn of(r: &ReserveSpec) -> Self {
        Self {
            ltv_bps: r.ltv_bps,
            threshold_gap_bps: r.liquidation_threshold_bps.saturating_sub(r.ltv_bps),
            min_bonus_bps: r.min_liquidation_bonus_bps,
            max_bonus_bps: r.max_liquidation_bonus_bps,
            target_health_bps: r.liquidation_target_health_bps,
            regime_cut_bps: r.regime.as_ref().map_or(0, |g| g.max_ltv_cut_bps),
        }
    }

    pub fn threshold_bps(&self) -> u16 {
        self.ltv_bps.saturating_add(self.threshold_gap_bps)
    }

    /// `spec` with reserve `symbol` set to this candidate.
    pub fn applied(&self, spec: &Spec, symbol: &str) -> Result<Spec> {
        let mut s = spec.clone();
        let r = s.reserves.iter_mut().find(|r| r.symbol == symbol).ok_or_else(|| anyhow!("the spec has no reserve `{symbol}`"))?;
        r.ltv_bps = self.ltv_bps;
        r.liquidation_threshold_bps = self.threshold_bps();
        (r.min_liquidation_bonus_bps, r.max_liquidation_bonus_bps) = (self.min_bonus_bps, self.max_bonus_bps);
        r.liquidation_target_health_bps = self.target_health_bps;
        r.regime = match (self.regime_cut_bps, r.regime.take()) {
            (0, _) => None,
            (cut, g) => Some(RegimeSpec { max_ltv_cut_bps: cut, ..g.unwrap_or_default() }),
        };
        Ok(s)
    }

    fn label(&self) -> String {
        let regime = if self.regime_cut_bps == 0 { "off".into() } else { format!("{:.0}%", self.regime_cut_bps as f64 / 100.0) };
        let target = if self.target_health_bps == 0 { "—".into() } else { format!("{:.2}", self.target_health_bps as f64 / 1e4) };
        let bonus = format!("{:.1}–{:.1}%", self.min_bonus_bps as f64 / 100.0, self.max_bonus_bps as f64 / 100.0);
        format!("{:>5.1}% {:>5.1}% {bonus:>11} {target:>6} {regime:>6}", self.ltv_bps as f64 / 100.0, self.threshold_bps() as f64 / 100.0)
    }
}

/// The grid: every combination of the axes' values, each axis defaulting around `now`.
pub fn grid(args: &TuneArgs, now: &Candidate) -> Vec<Candidate> {
    let or = |given: &[u16], default: Vec<u16>| -> Vec<u16> {
        let mut v = if given.is_empty() { default } else { given.to_vec() };
        let mut seen = vec![];
        v.retain(|x| !seen.contains(x) && {
            seen.push(*x);
            true
        });
        v
    };
    let ltv = or(&args.ltv, [0, 500, 1_000].iter().filter_map(|d| now.ltv_bps.checked_sub(*d)).filter(|l| *l > 0).collect());
    let gap = or(&args.threshold_gap, [Some(now.threshold_gap_bps), now.threshold_gap_bps.checked_sub(300).filter(|g| *g >= 200)].into_iter().flatten().collect());
    let min_bonus = or(&args.min_bonus, vec![now.min_bonus_bps]);
    let max_bonus = or(&args.max_bonus, [Some(now.max_bonus_bps), now.max_bonus_bps.checked_sub(300).filter(|b| *b >= now.min_bonus_bps)].into_iter().flatten().collect());
    let target = or(&args.target_health, vec![now.target_health_bps, if now.target_health_bps == 0 { 10_500 } else { 0 }]);
    let cut = or(&args.regime_cut, vec![now.regime_cut_bps, if now.regime_cut_bps == 0 { 2_000 } else { 0 }]);
    let mut out = vec![];
    for &ltv_bps in &ltv {
        for &threshold_gap_bps in &gap {
            for &min_bonus_bps in &min_bonus {
                for &max_bonus_bps in &max_bonus {
                    for &target_health_bps in &target {
                        for &regime_cut_bps in &cut {
                            out.push(Candidate { ltv_bps, threshold_gap_bps, min_bonus_bps, max_bonus_bps, target_health_bps, regime_cut_bps });
                        }
                    }
                }
            }
        }
    }
    out
}

/// A config the paths run: the SPL-style baseline (the reference point) or a candidate.
#[derive(Clone, Copy, Debug)]
enum Variant {
    Baseline,
    Candidate(Candidate),
}

/// One point of the search, over all scenarios.
#[derive(Clone, Debug, Serialize)]
pub struct Point {
    /// None: the SPL-style baseline.
    pub candidate: Option<Candidate>,
    /// The reserve's mean LTV at origination in calm hours, share of collateral value.
    pub calm_capacity: f64,
    /// Mean bad debt summed over the scenarios (its standard error and 95% interval combine theirs).
    pub bad_debt: Estimate,
    /// Per scenario, in `scenarios` order.
    pub bad_debt_per_scenario: Vec<Estimate>,
    /// Paired against the current config, path by path, summed over the scenarios.
    pub vs_current: Estimate,
    /// Paired against the candidate with the least bad debt that keeps the capacity (zero where none does).
    pub vs_least: Estimate,
    pub bonus_solvent: f64,
    pub on_frontier: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct TuneReport {
    pub reserve: String,
    pub scenarios: Vec<String>,
    pub paths: usize,
    /// The candidates' points (the grid's order), then the baseline's.
    pub points: Vec<Point>,
    /// Index of the current config, and of the recommendation (None when no candidate keeps the capacity).
    pub current: usize,
    pub recommended: Option<usize>,
    pub min_capacity: f64,
    /// Candidates the program's config rules refuse, with the rule.
    pub refused: Vec<(Candidate, String)>,
    /// The recommended spec change as a line diff, and `ballast-migrate plan` of it against the scenarios'
    /// market.
    pub spec_diff: Vec<String>,
    pub plan: String,
    pub seconds: f64,
}

/// What one run of one path left: bad debt, calm capacity of the reserve, solvent borrowers' bonus.
#[derive(Clone, Copy, Debug, Default)]
struct Sample {
    bad_debt: f64,
    calm_ltv: f64,
    bonus_solvent: f64,
}

/// Sums per-scenario estimates of means into one: means add, variances add.
fn sum(parts: &[Estimate]) -> Estimate {
    let mean = parts.iter().map(|e| e.mean).sum::<f64>();
    let se = parts.iter().map(|e| e.se * e.se).sum::<f64>().sqrt();
    Estimate { mean, se, lo: mean - Z95 * se, hi: mean + Z95 * se, p95: f64::NAN, max: f64::NAN, n: parts.iter().map(|e| e.n).sum() }
}

/// The scenarios of `args`, cut to its paths and borrowers; they must share one spec holding the reserve.
fn scenarios(args: &TuneArgs) -> Result<Vec<Scenario>> {
    if args.paths == 0 || args.scenarios.is_empty() {
        bail!("sim tune needs at least one scenario and one path");
    }
    if !(args.min_capacity.is_finite() && args.min_capacity >= 0.0) {
        bail!("--min-capacity is a share of the baseline's calm capacity: a number of at least 0 (0.95 keeps 95%)");
    }
    let mut out: Vec<Scenario> = vec![];
    for name in &args.scenarios {
        let mut s = Scenario::load(name)?.with_paths(args.paths);
        if let Some(n) = args.borrowers {
            s.population.borrowers = n;
        }
        if s.market().reserve(&args.reserve).is_none() {
            bail!("scenario {}: its market has no reserve `{}`", s.name, args.reserve);
        }
        if let Some(first) = out.first() {
            if first.spec != s.spec {
                bail!("scenarios {} and {} run different market specs; tune one market at a time", first.name, s.name);
            }
        }
        out.push(s);
    }
    Ok(out)
}

/// Runs path `i` of `s` under `v` from the template: the population opens under that config.
async fn run_one(s: &Scenario, template: &World, symbol: &str, v: Variant, i: usize) -> Result<Sample> {
    let inputs = Inputs::draw(s, path_seed(s.seed, i))?;
    let w = template.fork_native().await?;
    let (chain, scenario_spec, config) = match v {
        Variant::Baseline => (spl_baseline(&w.spec), spl_baseline(s.market()), Config::Baseline),
        Variant::Candidate(c) => (c.applied(&w.spec, symbol)?, c.applied(s.market(), symbol)?, Config::Ballast),
    };
    rewrite_configs(&w.cluster, &w.market, &chain).await?;
    let mut s = s.clone();
    s.market = Some(scenario_spec);
    let population = path::populate(&s, &w, &inputs).await?;
    let r = path::run(&s, &w, &inputs, &population, config).await?;
    if !r.invariant_violations.is_empty() {
        bail!("invariants violated: {}", r.invariant_violations.join("; "));
    }
    Ok(Sample { bad_debt: r.bad_debt, calm_ltv: r.calm_ltv[s.asset_index(symbol)], bonus_solvent: r.bonus_solvent })
}

/// Every (scenario, path, variant) over worker threads, each with its own runtime; samples[scenario][variant][path].
fn run_all(scenarios: &[Scenario], templates: &[Arc<World>], symbol: &str, variants: &[Variant], workers: usize, tick: &(dyn Fn() + Sync)) -> Result<Vec<Vec<Vec<Sample>>>> {
    let jobs: Vec<(usize, usize, usize)> =
        scenarios.iter().enumerate().flat_map(|(k, s)| (0..s.paths).flat_map(move |i| (0..variants.len()).map(move |v| (k, v, i)))).collect();
    let samples: Mutex<Vec<Vec<Vec<Sample>>>> = Mutex::new(scenarios.iter().map(|s| vec![vec![Sample::default(); s.paths]; variants.len()]).collect());
    super::parallel(jobs.len(), workers, &|runtime, n| {
        let (k, v, i) = jobs[n];
        let sample = runtime
            .block_on(run_one(&scenarios[k], &templates[k], symbol, variants[v], i))
            .map_err(|e| e.context(format!("scenario {}, path {i}, {:?}", scenarios[k].name, variants[v])))?;
        samples.lock().expect("lock")[k][v][i] = sample;
        tick();
        Ok(())
    })?;
    samples.into_inner().map_err(|_| anyhow!("a worker panicked"))
}

/// Marks each point no other point beats on both capacity (higher) and bad debt (lower), the baseline aside.
fn mark_frontier(points: &mut [Point]) {
    let dominated = |p: &Point, q: &Point| {
        q.calm_capacity >= p.calm_capacity && q.bad_debt.mean <= p.bad_debt.mean && (q.calm_capacity > p.calm_capacity || q.bad_debt.mean < p.bad_debt.mean)
    };
    let candidates: Vec<usize> = (0..points.len()).filter(|&i| points[i].candidate.is_some()).collect();
    for &i in &candidates {
        points[i].on_frontier = !candidates.iter().any(|&j| j != i && dominated(&points[i], &points[j]));
    }
}

/// The candidates that keep `min_capacity` of `reference`'s calm capacity.
fn keeping(points: &[Point], reference: f64, min_capacity: f64) -> impl Iterator<Item = usize> + '_ {
    (0..points.len()).filter(move |&i| points[i].candidate.is_some() && points[i].calm_capacity >= min_capacity * reference - 1e-12)
}

/// The least mean bad debt among the candidates keeping the capacity.
pub fn least(points: &[Point], reference: f64, min_capacity: f64) -> Option<usize> {
    keeping(points, reference, min_capacity).min_by(|&a, &b| points[a].bad_debt.mean.total_cmp(&points[b].bad_debt.mean))
}

/// How many of the searched parameters `c` changes from `now`.
pub fn changes(now: &Candidate, c: &Candidate) -> usize {
    [
        now.ltv_bps != c.ltv_bps,
        now.threshold_gap_bps != c.threshold_gap_bps,
        now.min_bonus_bps != c.min_bonus_bps,
        now.max_bonus_bps != c.max_bonus_bps,
        now.target_health_bps != c.target_health_bps,
        now.regime_cut_bps != c.regime_cut_bps,
    ]
    .iter()
    .filter(|x| **x)
    .count()
}

/// The recommendation: among the candidates keeping the capacity whose bad debt the paths cannot tell from the
/// least (`vs_least`'s 95% interval reaches zero), the one that changes fewest parameters from `now`, then the
/// least bad debt. A difference inside the noise never moves a parameter.
pub fn recommend(points: &[Point], now: &Candidate, reference: f64, min_capacity: f64) -> Option<usize> {
    keeping(points, reference, min_capacity)
        .filter(|&i| points[i].vs_least.lo <= 0.0)
        .min_by(|&a, &b| {
            let n = |i: usize| changes(now, &points[i].candidate.expect("a candidate"));
            n(a).cmp(&n(b)).then(points[a].bad_debt.mean.total_cmp(&points[b].bad_debt.mean))
        })
}

/// `ballast sim tune`.
pub async fn command(args: &TuneArgs, json: bool, out: &mut impl Write) -> Result<TuneReport> {
    let started = std::time::Instant::now();
    let scenarios = scenarios(args)?;
    let symbol = args.reserve.as_str();
    let now = Candidate::of(scenarios[0].market().reserve(symbol).expect("checked"));
    let mut variants = vec![];
    let mut refused = vec![];
    for c in grid(args, &now) {
        let checked = c.applied(scenarios[0].market(), symbol).and_then(|s| {
            let mut r = s.reserve(symbol).expect("applied").clone();
            (r.mint, r.price_account) = (Some(ballast_sdk::Pubkey::default().to_string()), Some(ballast_sdk::Pubkey::default().to_string()));
            r.config().map(|_| ()) // validates by the program's own rules
        });
        match checked {
            Ok(()) => variants.push(Variant::Candidate(c)),
            Err(e) => refused.push((c, format!("{e:#}"))),
        }
    }
    let current = variants.iter().position(|v| matches!(v, Variant::Candidate(c) if *c == now)).unwrap_or(variants.len());
    if current == variants.len() {
        variants.push(Variant::Candidate(now));
    }
    variants.push(Variant::Baseline);
    let mut templates = vec![];
    for s in &scenarios {
        templates.push(Arc::new(super::bank_world(s).await?.fork_native().await?));
    }
    let runs: usize = scenarios.iter().map(|s| s.paths * variants.len()).sum();
    let bar = indicatif::ProgressBar::new(runs as u64);
    bar.set_style(indicatif::ProgressStyle::with_template("  tune {msg} [{bar:30}] {pos}/{len} runs, {elapsed}").expect("template").progress_chars("=> "));
    bar.set_message(format!("{symbol}: {} configs × {} paths", variants.len(), args.paths));
    let workers = args.workers.unwrap_or_else(|| super::RunOptions::default().workers).max(1);
    let samples = run_all(&scenarios, &templates, symbol, &variants, workers, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let column = |k: usize, v: usize, f: fn(&Sample) -> f64| samples[k][v].iter().map(f).collect::<Vec<f64>>();
    let mut points: Vec<Point> = variants
        .iter()
        .enumerate()
        .map(|(v, variant)| {
            let per: Vec<Estimate> = (0..scenarios.len()).map(|k| estimate(&column(k, v, |x| x.bad_debt))).collect();
            let vs: Vec<Estimate> = (0..scenarios.len()).map(|k| paired(&column(k, v, |x| x.bad_debt), &column(k, current, |x| x.bad_debt))).collect();
            let all = |f: fn(&Sample) -> f64| (0..scenarios.len()).flat_map(|k| column(k, v, f)).collect::<Vec<f64>>();
            let mean = |xs: Vec<f64>| xs.iter().sum::<f64>() / xs.len().max(1) as f64;
            Point {
                candidate: match variant {
                    Variant::Candidate(c) => Some(*c),
                    Variant::Baseline => None,
                },
                calm_capacity: mean(all(|x| x.calm_ltv)),
                bad_debt: sum(&per),
                bad_debt_per_scenario: per,
                vs_current: sum(&vs),
                vs_least: Estimate::default(),
                bonus_solvent: (0..scenarios.len()).map(|k| mean(column(k, v, |x| x.bonus_solvent))).sum(),
                on_frontier: false,
            }
        })
        .collect();
    mark_frontier(&mut points);
    let reference = points.last().expect("the baseline").calm_capacity;
    if let Some(best) = least(&points, reference, args.min_capacity) {
        for (v, p) in points.iter_mut().enumerate() {
            let d: Vec<Estimate> = (0..scenarios.len()).map(|k| paired(&column(k, v, |x| x.bad_debt), &column(k, best, |x| x.bad_debt))).collect();
            p.vs_least = sum(&d);
        }
    }
    let recommended = recommend(&points, &now, reference, args.min_capacity);
    let (mut spec_diff, mut plan) = (vec![], String::new());
    if let Some(c) = recommended.and_then(|i| points[i].candidate) {
        let source = match &args.spec {
            Some(p) => std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?,
            None if scenarios[0].spec == "example" => crate::world::EXAMPLE_SPEC.to_string(),
            None => bail!("scenario {} runs spec `{}`: name the file to change with --spec", scenarios[0].name, scenarios[0].spec),
        };
        let text = tune_spec::rewrite(&source, symbol, &c)?;
        spec_diff = tune_spec::diff(&source, &text);
        if let Some(p) = &args.write_spec {
            std::fs::write(p, &text).with_context(|| format!("writing {}", p.display()))?;
        }
        // The change as `ballast-migrate plan` routes it against the scenarios' market as they set it up.
        let w = &templates[0];
        plan = ballast_migrate::plan::plan(&w.cluster, &c.applied(&w.spec, symbol)?, &w.market, &w.admin.pubkey()).await?.to_string();
    }
    let report = TuneReport {
        reserve: symbol.into(),
        scenarios: scenarios.iter().map(|s| s.name.clone()).collect(),
        paths: args.paths,
        points,
        current,
        recommended,
        min_capacity: args.min_capacity,
        refused,
        spec_diff,
        plan,
        seconds: started.elapsed().as_secs_f64(),
    };
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        print(&report, args, out)?;
    }
    Ok(report)
}

fn print(r: &TuneReport, args: &TuneArgs, out: &mut impl Write) -> Result<()> {
    let base = r.points.last().expect("the baseline");
    writeln!(out, "sim tune {}: {} candidates on {} × {} paths, each path the same for every config ({:.0} s)", r.reserve, r.points.len() - 1, r.scenarios.join(", "), r.paths, r.seconds)?;
    writeln!(out, "bad debt = mean per path, summed over the scenarios, ±95%; calm capacity = LTV at origination in calm hours, % of the baseline's\n")?;
    writeln!(out, "{:<5}{:>6} {:>6} {:>11} {:>6} {:>6} {:>9} {:>21} {:>21} {:>11}", "", "LTV", "thresh", "bonus", "target", "regime", "capacity", "bad debt", "vs current", "solvent bns")?;
    let mut order: Vec<usize> = (0..r.points.len() - 1).collect();
    order.sort_by(|&a, &b| r.points[b].calm_capacity.total_cmp(&r.points[a].calm_capacity).then(r.points[a].bad_debt.mean.total_cmp(&r.points[b].bad_debt.mean)));
    let row = |p: &Point, label: String, mark: &str| {
        format!(
            "{mark:<5}{label} {:>8.1}% {:>12.0} ±{:<7.0} {:>+12.0} ±{:<7.0} {:>11.0}",
            100.0 * p.calm_capacity / base.calm_capacity.max(1e-12),
            p.bad_debt.mean,
            p.bad_debt.hi - p.bad_debt.mean,
            p.vs_current.mean,
            p.vs_current.hi - p.vs_current.mean,
            p.bonus_solvent
        )
    };
    for i in order {
        let p = &r.points[i];
        let mark = format!("{}{}{}", if p.on_frontier { "*" } else { "" }, if i == r.current { "now" } else { "" }, if Some(i) == r.recommended { "→" } else { "" });
        writeln!(out, "{}", row(p, p.candidate.expect("a candidate").label(), &mark))?;
    }
    writeln!(out, "{}", row(base, format!("{:<39}", "  SPL-style baseline"), ""))?;
    writeln!(out, "\n* on the frontier (no other candidate lends more for less bad debt); now = the spec's config; → recommended")?;
    for (c, why) in &r.refused {
        writeln!(out, "refused by the program's config rules: {} ({why})", c.label().split_whitespace().collect::<Vec<_>>().join(" "))?;
    }
    match r.recommended {
        None => writeln!(out, "\nno candidate keeps {:.0}% of the baseline's calm capacity: nothing recommended", 100.0 * r.min_capacity)?,
        Some(i) if i == r.current => writeln!(out, "\nno change: no candidate keeping {:.0}% of the baseline's calm capacity leaves less bad debt than the current config beyond these paths' noise", 100.0 * r.min_capacity)?,
        Some(i) => {
            let p = &r.points[i];
            writeln!(out, "\nrecommended (of the candidates keeping {:.0}% of the baseline's calm capacity whose bad debt these paths cannot tell from the least, the fewest changes):", 100.0 * r.min_capacity)?;
            writeln!(out, "  bad debt {:.0} vs {:.0} now ({:+.0} ±{:.0}, paired); the baseline {:.0}", p.bad_debt.mean, r.points[r.current].bad_debt.mean, p.vs_current.mean, p.vs_current.hi - p.vs_current.mean, base.bad_debt.mean)?;
            for line in &r.spec_diff {
                writeln!(out, "  {line}")?;
            }
            match &args.write_spec {
                Some(path) => writeln!(out, "written to {}; `ballast-migrate plan --spec {}` shows what your market would do", path.display(), path.display())?,
                None => writeln!(out, "(--write-spec FILE writes it for `ballast-migrate plan` and `apply`)")?,
            }
            writeln!(out, "\nballast-migrate plan against the scenarios' market:\n{}", r.plan.trim_end())?;
        }
    }
    if r.paths < 30 {
        writeln!(out, "\n{} paths per scenario: read the intervals; `--paths 50` or more before acting on a difference", r.paths)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(capacity: f64, bad_debt: f64, ltv_bps: u16) -> Point {
        let e = Estimate { mean: bad_debt, ..Default::default() };
        let c = Candidate { ltv_bps, threshold_gap_bps: 1, min_bonus_bps: 0, max_bonus_bps: 0, target_health_bps: 0, regime_cut_bps: 0 };
        Point { candidate: Some(c), calm_capacity: capacity, bad_debt: e, bad_debt_per_scenario: vec![], vs_current: e, vs_least: e, bonus_solvent: 0.0, on_frontier: false }
    }

    #[test]
    fn frontier_succeeds_marking_only_undominated_points() {
        let mut points = vec![point(0.7, 100.0, 7), point(0.65, 60.0, 6), point(0.65, 80.0, 5), point(0.6, 90.0, 4), Point { candidate: None, ..point(0.7, 1.0, 0) }];
        mark_frontier(&mut points);
        assert_eq!(points.iter().map(|p| p.on_frontier).collect::<Vec<_>>(), vec![true, true, false, false, false]);
        assert_eq!(least(&points, 0.7, 0.95), Some(0), "0.65 is below 95% of 0.7: only the first keeps it");
        assert_eq!(least(&points, 0.68, 0.95), Some(1), "the least bad debt that keeps the capacity");
        assert_eq!(least(&points, 1.0, 0.95), None);
    }

    #[test]
    fn recommend_succeeds_changing_nothing_the_noise_cannot_justify() {
        let now = point(0.7, 100.0, 7).candidate.unwrap();
        let mut points = vec![point(0.7, 100.0, 7), point(0.7, 60.0, 6), Point { candidate: Some(Candidate { max_bonus_bps: 1, ..now }), ..point(0.7, 70.0, 6) }];
        let interval = |mean: f64, half: f64| Estimate { mean, lo: mean - half, hi: mean + half, ..Default::default() };
        // The least (60, two changes) is told apart from the current config but not from the third (one change).
        (points[0].vs_least, points[1].vs_least, points[2].vs_least) = (interval(40.0, 10.0), interval(0.0, 0.0), interval(10.0, 15.0));
        points[2].candidate = Some(Candidate { ltv_bps: 6, ..now });
        points[1].candidate = Some(Candidate { ltv_bps: 6, max_bonus_bps: 1, ..now });
        assert_eq!(changes(&now, &points[1].candidate.unwrap()), 2);
        assert_eq!(recommend(&points, &now, 0.7, 0.95), Some(2), "one change, as good as the least within the noise");
        points[0].vs_least = interval(40.0, 50.0);
        assert_eq!(recommend(&points, &now, 0.7, 0.95), Some(0), "nothing beats the current config beyond the noise: no change");
        assert_eq!(recommend(&points, &now, 1.0, 0.95), None);
    }

    #[test]
    fn grid_succeeds_around_the_reserves_values_without_repeats() {
        let spec = Spec::parse(crate::world::EXAMPLE_SPEC).unwrap();
        let now = Candidate::of(spec.reserve("SOL").unwrap());
        let args = TuneArgs::try_parse_from_tune(&["--reserve", "SOL", "--ltv", "7000,7000,6500"]);
        let g = grid(&args, &now);
        assert_eq!(g.len(), 2 * 2 * 2 * 2 * 2, "ltv 2 (deduplicated) × gap 2 × max bonus 2 × target 2 × regime 2");
        assert!(g.contains(&now));
        assert!(g.iter().all(|c| c.min_bonus_bps == now.min_bonus_bps));
    }

    impl TuneArgs {
        fn try_parse_from_tune(a: &[&str]) -> Self {
            use clap::Parser;
            #[derive(clap::Parser)]
            struct W {
                #[command(flatten)]
                t: TuneArgs,
            }
            W::parse_from(std::iter::once("tune").chain(a.iter().copied())).t
        }
    }
}
