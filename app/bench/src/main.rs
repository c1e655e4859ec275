//! `ballast-bench`: prints the benchmark as Markdown and writes the same figures as JSON.
//!
//! `cargo run --release -p ballast-bench [-- --json PATH] [--skip-cost] [--skip-stack]`
//! (`scenarios` is the internal subcommand the cost and heap measurements run.)
use ballast_bench::{run, Options};

#[global_allocator]
static ALLOCATOR: ballast_bench::heap::Counting = ballast_bench::heap::Counting;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("scenarios") {
        return ballast_bench::scenarios::main(&args[1..]);
    }
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{}", ballast_bench::USAGE);
        return Ok(());
    }
    let opts = Options::parse(&args)?;
    if opts.check_callgrind {
        let exe = std::env::current_exe()?;
        let dir = ballast_bench::workspace().join("target").join("bench").join("callgrind-check");
        let (calls, dumps) = ballast_bench::callgrind::check(&exe, &dir)?;
        println!("callgrind: {dumps} dumps for {dumps} program calls ({calls} of them measured), one per call");
        return Ok(());
    }
    let report = run(&opts)?;
    print!("{}", report.markdown());
    std::fs::write(&opts.json, serde_json::to_string_pretty(&report)?)?;
    eprintln!("wrote {}", opts.json.display());
    Ok(())
}
