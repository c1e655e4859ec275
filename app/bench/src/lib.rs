//! The benchmark's library: each module measures one thing; `run` puts them in one report.
pub mod callgrind;
pub mod fit;
pub mod heap;
pub mod keeper;
pub mod report;
pub mod scenarios;
pub mod sizes;
pub mod spl;
pub mod stack;

use anyhow::{bail, Result};
use std::path::{Path, PathBuf};

pub use report::Report;

pub struct Options {
    /// Where the JSON report goes.
    pub json: PathBuf,
    pub skip_cost: bool,
    pub skip_stack: bool,
    /// Obligations in the keeper's market.
    pub obligations: usize,
    /// Only check that callgrind leaves one dump per program call (what `.ci/run` runs).
    pub check_callgrind: bool,
}

/// What `--help` prints.
pub const USAGE: &str = "ballast-bench: sizes, transaction fit, native instruction counts against SPL token-lending, heap, the keeper's scan rate and stack frames, as Markdown (and JSON)

usage: cargo run --release -p ballast-bench -- [--json PATH] [--skip-cost] [--skip-stack] [--obligations N] [--check-callgrind]

  --json PATH          where the JSON report goes (default target/bench/report.json)
  --skip-cost          no instruction counts (they need valgrind, and take minutes)
  --skip-stack         no stack frames (they need an optimised build with -Z emit-stack-sizes)
  --obligations N      obligations in the keeper's scan-rate market (default 10000)
  --check-callgrind    only check that the 1+1 scenario under callgrind leaves one dump per program call
  -h, --help           this text
";

impl Options {
    pub fn parse(args: &[String]) -> Result<Self> {
        let mut o = Options { json: workspace().join("target").join("bench").join("report.json"), skip_cost: false, skip_stack: false, obligations: 10_000, check_callgrind: false };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--json" => o.json = it.next().map(PathBuf::from).ok_or_else(|| anyhow::anyhow!("--json needs a path"))?,
                "--skip-cost" => o.skip_cost = true,
                "--skip-stack" => o.skip_stack = true,
                "--obligations" => o.obligations = it.next().and_then(|n| n.parse().ok()).ok_or_else(|| anyhow::anyhow!("--obligations needs a number"))?,
                "--check-callgrind" => o.check_callgrind = true,
                other => bail!("unknown argument `{other}`\n\n{USAGE}"),
            }
        }
        if let Some(dir) = o.json.parent() {
            std::fs::create_dir_all(dir)?;
        }
        Ok(o)
    }
}

/// The workspace root (this crate lives in `<root>/app/bench`).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..")
}

/// Every measurement, in one report.
pub fn run(opts: &Options) -> Result<Report> {
    let exe = std::env::current_exe()?;
    let bench_dir = workspace().join("target").join("bench");
    eprintln!("sizes and transaction fit…");
    let mut report = Report { sizes: sizes::sizes(), fits: fit::fits(), ..Report::default() };
    eprintln!("heap per call (scenarios, native)…");
    report.heap = report::heap_rows(&exe)?;
    if opts.skip_cost {
        report.notes.push("instruction counts skipped (--skip-cost)".into());
    } else if !callgrind::available() {
        report.notes.push("valgrind is not installed: no instruction counts (apt-get install valgrind)".into());
    } else {
        eprintln!("instruction counts (scenarios under callgrind, a few minutes)…");
        report.costs = report::cost_rows(callgrind::measure(&exe, &bench_dir.join("callgrind"))?);
    }
    eprintln!("keeper scan rate…");
    report.keeper = Some(keeper::scan_rate(opts.obligations, 1.0));
    if opts.skip_stack {
        report.notes.push("stack frames skipped (--skip-stack)".into());
    } else {
        eprintln!("stack frames (an optimised build with -Z emit-stack-sizes, in its own target dir)…");
        match stack::measure(&workspace(), &bench_dir.join("stack-target")) {
            Ok(s) => report.stack = Some(s),
            Err(e) => report.notes.push(format!("stack frames not measured: {e}")),
        }
    }
    report.judge();
    Ok(report)
}
