//! `ballast-fuzz`: the long runs of the adversarial suites (SECURITY.md).
//!
//! `cargo run --release -p ballast-fuzz -- ops [--actions N] [--seed S]`
//! `cargo run --release -p ballast-fuzz -- tx [--transactions N] [--seed S]`
//! `cargo run --release -p ballast-fuzz -- --help`
use anyhow::{bail, Context, Result};
use std::io::Write;

const USAGE: &str = "usage: ballast-fuzz ops [--actions N] [--seed S] | tx [--transactions N] [--seed S] | --help

  ops   stateful fuzzing of the operations layer on plain structs (default 10,000,000 actions)
  tx    random transactions through the program in the in-process bank (default 100,000 transactions)
  --seed S   the first seed (default 1); every run is reproducible from it

Environment (ops): BALLAST_FUZZ_TRACE=N traces each episode from step N; BALLAST_FUZZ_SHOW=\"<action>: <Error>\"
names the first actions refused that way.
";

fn arg(args: &[String], name: &str, default: u64) -> Result<u64> {
    match args.iter().position(|a| a == name) {
        Some(i) => args.get(i + 1).with_context(|| format!("{name} needs a value"))?.replace('_', "").parse().with_context(|| format!("{name} takes a number")),
        None => Ok(default),
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{USAGE}");
        return Ok(());
    }
    // The natively run program prints every msg! to stdout; the report goes to the real stdout.
    let mut out = ballast_sdk::cluster::quiet_program_logs().unwrap_or_else(|| Box::new(std::io::stdout()));
    match args.first().map(String::as_str) {
        Some("ops") => {
            let report = ballast_fuzz::ops::run(arg(&args, "--seed", 1)?, arg(&args, "--actions", 10_000_000)?);
            write!(out, "{}", report.summary())?;
            if !report.violations.is_empty() {
                bail!("{} violations", report.violations.len());
            }
        }
        Some("tx") => {
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            let report = runtime.block_on(ballast_fuzz::tx::run(arg(&args, "--seed", 1)?, arg(&args, "--transactions", 100_000)?));
            write!(out, "{}", report.summary())?;
        }
        _ => bail!("{USAGE}"),
    }
    Ok(())
}
