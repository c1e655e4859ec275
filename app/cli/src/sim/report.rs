//! What `ballast sim` reports: per scenario, each measure under Ballast and the baseline and their paired
//! difference (Ballast − baseline, path by path on the same random numbers), each with its standard error and
//! 95% interval; tail risk of protocol equity with bootstrap intervals; insurance and depositor losses per
//! reserve; the baseline's differences; and which paths ran where. As a terminal table, JSON, or a Markdown
//! risk report with charts.
use super::{
    baseline::{differences, Difference},
    path::PathResult,
    plots,
    scenario::Scenario,
    stats::{estimate, paired, tails, Estimate, Tail},
    verify::Verified,
    RunOptions,
};
use anyhow::Result;
use serde::Serialize;
use std::{io::Write, path::{Path, PathBuf}};

/// One measure under both configs and their paired difference.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    pub name: String,
    pub ballast: Estimate,
    pub baseline: Estimate,
    /// Ballast − baseline.
    pub difference: Estimate,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TailMeasure {
    pub name: String,
    pub ballast: Tail,
    pub baseline: Tail,
    pub difference: Tail,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioReport {
    pub name: String,
    pub description: String,
    pub hours: f64,
    pub steps: usize,
    pub paths: usize,
    pub borrowers: usize,
    pub seed: u64,
    pub measures: Vec<Measure>,
    pub tails: Vec<TailMeasure>,
    /// Per reserve: insurance (and unswept fees) drawn, and depositors' loss.
    pub per_reserve: Vec<(String, Measure, Measure)>,
    pub differences: Vec<Difference>,
    /// Where paths ran: every path on native ledgers; these also on a bank, with the same accounts at the end.
    pub verified: Vec<Verified>,
    pub workers: usize,
    pub seconds: f64,
    pub ballast: Vec<PathResult>,
    pub baseline: Vec<PathResult>,
}

/// The measures, in the order the report prints them, and how to read each from a path.
pub const MEASURES: [(&str, fn(&PathResult) -> f64); 20] = [
    ("bad debt", |p| p.bad_debt),
    ("bad debt written off", |p| p.written_off),
    ("bad debt unrealized", |p| p.unrealized_bad_debt),
    ("insurance drawn", |p| p.insurance_drawn.iter().sum()),
    ("depositor loss", |p| p.depositor_loss.iter().sum()),
    ("liquidations", |p| p.liquidations as f64),
    ("liquidation volume", |p| p.liquidation_volume),
    ("bonus paid by solvent borrowers", |p| p.bonus_solvent),
    ("bonus paid by insolvent borrowers", |p| p.bonus_insolvent),
    ("over-liquidation", |p| p.over_liquidation),
    ("min LCR", |p| p.min_lcr.min(1e6)),
    ("hours with LCR < 100%", |p| p.hours_below_full_lcr),
    ("max utilization", |p| p.max_utilization),
    ("refused withdrawals", |p| p.refused_withdrawals as f64),
    ("max queue", |p| p.max_queue),
    ("mean queue wait (h)", |p| p.mean_wait_hours),
    ("max queue wait (h)", |p| p.max_wait_hours),
    ("protocol equity loss", |p| p.equity_loss),
    ("entrants", |p| p.entrants as f64),
    ("calm LTV kept by the regime", |p| p.calm_ltv_kept),
];

fn measure(name: &str, a: &[PathResult], b: &[PathResult], f: &dyn Fn(&PathResult) -> f64) -> Measure {
    let (xa, xb): (Vec<f64>, Vec<f64>) = (a.iter().map(f).collect(), b.iter().map(f).collect());
    Measure { name: name.into(), ballast: estimate(&xa), baseline: estimate(&xb), difference: paired(&xa, &xb) }
}

pub fn build(s: &Scenario, pairs: Vec<(PathResult, PathResult)>, verified: Vec<Verified>, opts: RunOptions, seconds: f64) -> ScenarioReport {
    let (ballast, baseline): (Vec<PathResult>, Vec<PathResult>) = pairs.into_iter().unzip();
    let measures = MEASURES.iter().map(|(name, f)| measure(name, &ballast, &baseline, f)).collect();
    let losses = |c: &[PathResult]| c.iter().map(|p| p.equity_loss).collect::<Vec<f64>>();
    let (la, lb) = (losses(&ballast), losses(&baseline));
    let (va, ea) = tails(&la, None, 400, s.seed);
    let (vb, eb) = tails(&lb, None, 400, s.seed);
    let (vd, ed) = tails(&la, Some(&lb), 400, s.seed);
    let tails = vec![
        TailMeasure { name: "VaR95 of protocol equity loss".into(), ballast: va, baseline: vb, difference: vd },
        TailMeasure { name: "ES95 of protocol equity loss".into(), ballast: ea, baseline: eb, difference: ed },
    ];
    let per_reserve = s
        .assets
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let ins = measure("insurance drawn", &ballast, &baseline, &|p: &PathResult| p.insurance_drawn[i]);
            let dep = measure("depositor loss", &ballast, &baseline, &|p: &PathResult| p.depositor_loss[i]);
            (a.symbol.clone(), ins, dep)
        })
        .collect();
    let steps = ballast.first().map_or(0, |p| p.times.len());
    ScenarioReport {
        name: s.name.clone(),
        description: s.description.clone(),
        hours: s.hours,
        steps,
        paths: ballast.len(),
        borrowers: s.population.borrowers + s.population.whales,
        seed: s.seed,
        measures,
        tails,
        per_reserve,
        differences: differences(s.market()),
        verified,
        workers: opts.workers,
        seconds,
        ballast,
        baseline,
    }
}

impl ScenarioReport {
    pub fn measure(&self, name: &str) -> &Measure {
        self.measures.iter().find(|m| m.name == name).expect("a measure the report computes")
    }
}

fn cell(e: &Estimate) -> String {
    format!("{:.2} ± {:.2}", e.mean, 1.959_964 * e.se)
}

/// The terminal table: each scenario's headline measures, both configs and the paired difference.
pub fn table(reports: &[ScenarioReport], out: &mut impl Write) -> Result<()> {
    let head = ["bad debt", "depositor loss", "liquidation volume", "bonus paid by solvent borrowers", "over-liquidation", "min LCR", "max queue wait (h)", "calm LTV kept by the regime"];
    for r in reports {
        writeln!(out, "\n{} — {} ({} paths, {} borrowers, {} h in {} steps)", r.name, r.description, r.paths, r.borrowers, r.hours, r.steps)?;
        writeln!(out, "  {:<34} {:>24} {:>24} {:>26}", "measure (mean ± 95%)", "ballast", "spl-baseline", "ballast − baseline")?;
        for name in head {
            let m = r.measure(name);
            writeln!(out, "  {:<34} {:>24} {:>24} {:>26}", name, cell(&m.ballast), cell(&m.baseline), cell(&m.difference))?;
        }
        for t in &r.tails {
            let c = |x: &Tail| format!("{:.2} [{:.2}, {:.2}]", x.value, x.lo, x.hi);
            writeln!(out, "  {:<34} {:>24} {:>24} {:>26}", t.name.replace(" of protocol equity loss", " equity loss"), c(&t.ballast), c(&t.baseline), c(&t.difference))?;
        }
    }
    writeln!(out, "\nquote units; ± is the 95% interval of the mean (the difference is paired, path by path); tails carry bootstrap intervals")?;
    writeln!(out, "bad debt = written off + unrealized (debt its collateral does not cover once sold, at a liquidator's exit cost)")?;
    Ok(())
}

/// Where the paths ran.
pub fn ran(reports: &[ScenarioReport], out: &mut impl Write) -> Result<()> {
    for r in reports {
        let v: Vec<String> = r.verified.iter().map(|v| format!("path {} ({} accounts, {:.1} s on the bank)", v.path, v.accounts, v.bank_seconds)).collect();
        writeln!(
            out,
            "{}: {} paths in {:.1} s (set-up and bank verification included), every one on native ledgers; {}",
            r.name,
            r.paths,
            r.seconds,
            if v.is_empty() { "none verified on a bank".into() } else { format!("also on solana-program-test, every account equal: {}", v.join(", ")) }
        )?;
    }
    Ok(())
}

/// `--report DIR`: `DIR/report.md` with every table, the charts beside it, and the scenario definitions.
pub fn write_markdown(dir: &Path, scenarios: &[Scenario], reports: &[ScenarioReport]) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut files = vec![];
    let mut md = String::new();
    md += "# Ballast stress report\n\n";
    md += "Every path ran on the real Ballast program (native ledgers; sampled paths also on solana-program-test, ending with every account equal), under Ballast's config and an SPL-style baseline from the same positions and the same random numbers. Means over paths with 95% intervals; differences are paired, path by path (Ballast − baseline). Quote units.\n\n";
    for (s, r) in scenarios.iter().zip(reports) {
        md += &format!("## {}\n\n{}. {} paths, {} borrowers (whales included), {} hours in {} steps (minute steps around shocks), seed {}.\n\n", r.name, r.description, r.paths, r.borrowers, r.hours, r.steps, r.seed);
        md += "| measure | Ballast | baseline | Ballast − baseline |\n|---|---:|---:|---:|\n";
        for m in &r.measures {
            md += &format!("| {} | {} | {} | {} |\n", m.name, cell(&m.ballast), cell(&m.baseline), cell(&m.difference));
        }
        for t in &r.tails {
            let c = |x: &Tail| format!("{:.2} [{:.2}, {:.2}]", x.value, x.lo, x.hi);
            md += &format!("| {} | {} | {} | {} |\n", t.name, c(&t.ballast), c(&t.baseline), c(&t.difference));
        }
        md += "\nPer reserve:\n\n| reserve | insurance drawn (Ballast) | (baseline) | depositor loss (Ballast) | (baseline) |\n|---|---:|---:|---:|---:|\n";
        for (symbol, ins, dep) in &r.per_reserve {
            md += &format!("| {symbol} | {} | {} | {} | {} |\n", cell(&ins.ballast), cell(&ins.baseline), cell(&dep.ballast), cell(&dep.baseline));
        }
        let charts = plots::write(dir, r)?;
        md += "\n";
        for c in charts.iter().filter(|c| c.extension().is_some_and(|e| e == "svg")) {
            let name = c.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            md += &format!("![{name}]({name})\n\n");
        }
        files.extend(charts);
        md += "Where it ran: every path on native ledgers";
        for v in &r.verified {
            md += &format!("; path {} also on solana-program-test ({} accounts equal at the end)", v.path, v.accounts);
        }
        md += &format!(". {:.1} s on {} threads.\n\n", r.seconds, r.workers);
        md += "<details><summary>Scenario definition</summary>\n\n```toml\n";
        md += &toml::to_string(s).unwrap_or_default();
        md += "```\n\n</details>\n\n";
    }
    if let Some(r) = reports.first() {
        md += "## The baseline\n\nWhat the SPL-style baseline changes (everything else is the scenario's market):\n\n| what | Ballast | baseline |\n|---|---|---|\n";
        for d in &r.differences {
            md += &format!("| {} | {} | {} |\n", d.what, d.ballast, d.baseline);
        }
    }
    let path = dir.join("report.md");
    std::fs::write(&path, md)?;
    files.push(path);
    Ok(files)
}
