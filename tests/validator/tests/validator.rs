//! The validator suite: `ballast-migrate` and `ballast` against a real solana-test-validator on 127.0.0.1.
//! A plain `main` (no libtest harness), so it can say when it is skipped and run its scenarios in order on one
//! validator (each builds on the market the first made).
#[cfg(feature = "validator")]
mod suite;

#[cfg(not(feature = "validator"))]
fn main() {
    println!("\nvalidator suite SKIPPED: it builds solana-test-validator (about 14 min cold, 10 GB of target); run it with\n  {}\n", ballast_validator_tests::RUN);
}

#[cfg(feature = "validator")]
fn main() {
    // The program runs natively in the validator and prints its logs to stdout; keep the report readable.
    let mut out = ballast_sdk::cluster::quiet_program_logs().unwrap_or_else(|| Box::new(std::io::stdout()));
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    if let Err(e) = runtime.block_on(suite::run_all(&mut out)) {
        let _ = std::io::Write::flush(&mut out);
        eprintln!("\nvalidator suite FAILED: {e:#}");
        std::process::exit(1);
    }
    // The validator's threads do not all stop on drop; the suite is done.
    std::process::exit(0);
}
