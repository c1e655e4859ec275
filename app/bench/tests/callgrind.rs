//! The cost table stays reproducible: under callgrind the 1+1 scenario leaves exactly one dump per program
//! call (`callgrind::check`). Needs valgrind: SKIPPED with the command to install it when it is missing, except
//! under CI, which must run it (`.ci/run` installs it first). Part of `cargo test --workspace`, so CI builds the
//! bench binary once, with the workspace's features, instead of a second `cargo run` build.
const INSTALL: &str = "install it with `sudo apt-get install -y valgrind`, then run `cargo test -p ballast-bench --test callgrind`";

fn main() {
    if !ballast_bench::callgrind::available() {
        if std::env::var_os("CI").is_some() {
            eprintln!("callgrind check FAILED: no valgrind found, and CI must run it; {INSTALL}");
            std::process::exit(1);
        }
        println!("\ncallgrind check SKIPPED: no valgrind found. {INSTALL}.\n");
        return;
    }
    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_ballast-bench"));
    let dir = ballast_bench::workspace().join("target").join("bench").join("callgrind-check");
    match ballast_bench::callgrind::check(exe, &dir) {
        Ok((calls, dumps)) => println!("\ncallgrind check: ok, {dumps} dumps for {dumps} program calls ({calls} of them measured), one per call\n"),
        Err(e) => {
            eprintln!("callgrind check FAILED: {e:#}");
            std::process::exit(1);
        }
    }
}
