use anyhow::{anyhow, Result};
use ballast_cli::{execute, Cli, Command};
use ballast_sdk::{cluster::solana_cli_config, Rpc};
use clap::Parser;
use std::path::PathBuf;

fn main() {
    // The CLI prints an error's chain, never its backtrace, and capturing one costs more than most refusals
    // the simulator and the keeper meet (a panic's backtrace still follows RUST_BACKTRACE). Set before any
    // thread starts.
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        std::env::set_var("RUST_LIB_BACKTRACE", "0");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let cli = Cli::parse();
    if let Err(e) = runtime.block_on(run(cli)) {
        // One line, so scripts and humans both see the cause.
        eprintln!("error: {}", format!("{e:#}").replace('\n', " "));
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<()> {
    // Never hold stdout's lock across a send: the in-process bank runs the program on another thread, and
    // its `msg!` output goes through stdout.
    let mut out = std::io::stdout();
    if let Command::Demo { users } = cli.command {
        let mut report = ballast_sdk::cluster::quiet_program_logs().unwrap_or_else(|| Box::new(std::io::stdout()));
        return ballast_cli::demo::run(users, &mut report).await.map(|_| ());
    }
    if let Command::Sim { .. } = cli.command {
        let mut report = ballast_sdk::cluster::quiet_program_logs().unwrap_or_else(|| Box::new(std::io::stdout()));
        return ballast_cli::sim::from_cli(&cli, &mut report).await.map(|_| ());
    }
    if let Command::Serve { port, demo: true, users, refresh_secs, step_secs, ref report, .. } = cli.command {
        let opts = ballast_cli::serve::options(port, refresh_secs, step_secs)?.with_report(report.clone());
        let mut report = ballast_sdk::cluster::quiet_program_logs().unwrap_or_else(|| Box::new(std::io::stdout()));
        return ballast_cli::serve::demo(users, &opts, &mut report).await;
    }
    let config = solana_cli_config().unwrap_or((None, None));
    let url = cli.url.clone().or(config.0).unwrap_or_else(|| "http://127.0.0.1:8899".into());
    let keypair_path = match cli.keypair.clone().or(config.1.map(PathBuf::from)) {
        Some(p) => p,
        None => PathBuf::from(std::env::var("HOME").map_err(|_| anyhow!("HOME is not set; pass --keypair"))?).join(".config/solana/id.json"),
    };
    let read_only = matches!(
        cli.command,
        Command::Market(_) | Command::Reserve(_) | Command::Obligation(ballast_cli::ObligationCmd::Show { .. }) | Command::Queue(ballast_cli::queue::QueueCmd::List { .. }) | Command::Events { .. } | Command::Serve { .. }
    );
    let signer = match ballast_migrate::read_keypair(&keypair_path) {
        Ok(k) => k,
        // Reads sign nothing: without an explicit --keypair they may run with a throwaway key.
        Err(_) if read_only && cli.keypair.is_none() => solana_keypair::Keypair::new(),
        Err(e) => return Err(e),
    };
    let cluster = Rpc::new(&url, signer.insecure_clone());
    if matches!(cli.command, Command::Keeper(ballast_cli::KeeperCmd::Watch { .. })) {
        return ballast_cli::keeper_watch(&cluster, &signer, &cli, &mut out).await;
    }
    if let Command::Serve { .. } = &cli.command {
        return ballast_cli::serve::from_cli(&cluster, &cli, &url, &mut out).await;
    }
    execute(&cluster, &signer, &cli, &mut out).await
}
