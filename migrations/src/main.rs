//! `ballast-migrate plan|apply <spec.toml> [--url URL] [--keypair FILE]`
use anyhow::{anyhow, Result};
use ballast_migrate::{apply, market_keypair, plan, read_keypair, Spec};
use ballast_sdk::{cluster::solana_cli_config, Rpc};
use clap::{Parser, Subcommand};
use solana_signer::Signer;
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "ballast-migrate", about = "Create or update a Ballast market from a TOML spec, idempotently")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// RPC URL; defaults to the Solana CLI config, then localhost.
    #[arg(long, global = true)]
    url: Option<String>,
    /// Admin keypair file; defaults to the Solana CLI config, then ~/.config/solana/id.json.
    #[arg(long, global = true)]
    keypair: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Print what `apply` would change.
    Plan { spec: PathBuf },
    /// Create or update the market and reserves so the cluster matches the spec.
    Apply { spec: PathBuf },
}

#[tokio::main]
async fn main() {
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("error: {}", format!("{e:#}").replace('\n', " "));
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<()> {
    let config = solana_cli_config().unwrap_or((None, None));
    let url = cli.url.or(config.0).unwrap_or_else(|| "http://127.0.0.1:8899".into());
    let keypair_path = match cli.keypair.or(config.1.map(PathBuf::from)) {
        Some(p) => p,
        None => PathBuf::from(std::env::var("HOME").map_err(|_| anyhow!("HOME is not set; pass --keypair"))?).join(".config/solana/id.json"),
    };
    let admin = read_keypair(&keypair_path)?;
    let (spec_path, is_apply) = match &cli.command {
        Command::Plan { spec } => (spec.clone(), false),
        Command::Apply { spec } => (spec.clone(), true),
    };
    let spec = Spec::load(&spec_path)?;
    let cluster = Rpc::new(&url, admin.insecure_clone());
    let market = market_keypair(&spec, &spec_path, is_apply)?;
    match (is_apply, market) {
        (false, None) => {
            println!("market keypair {} does not exist yet: apply creates it and a new market", spec.market.keypair);
            let placeholder = solana_keypair::Keypair::new();
            print!("{}", plan(&cluster, &spec, &placeholder.pubkey(), &admin.pubkey()).await?);
        }
        (false, Some(m)) => print!("{}", plan(&cluster, &spec, &m.pubkey(), &admin.pubkey()).await?),
        (true, m) => {
            let m = m.expect("apply creates the market keypair");
            let done = apply(&cluster, &spec, &m, &admin).await?;
            print!("{done}");
            println!("applied");
        }
    }
    Ok(())
}
