//! The `ballast` command. Every command except `demo` runs against a [`Cluster`]; `demo` builds an
//! in-process one. Commands write to `out` so tests can read what a user would see.
pub mod demo;
pub mod events;
pub mod keeper;
pub mod read;
pub mod write;

use anyhow::{anyhow, Result};
use ballast_sdk::{ballast::state::Reserve, accounts::decode, Cluster, Pubkey};
use clap::{Parser, Subcommand};
use std::{io::Write, path::PathBuf, str::FromStr};

#[derive(Parser, Debug)]
#[command(name = "ballast", version, about = "Ballast lending protocol: demo, market inspection, user actions, liquidator keeper")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// RPC URL; defaults to the Solana CLI config file when present, then localhost.
    #[arg(long, global = true)]
    pub url: Option<String>,
    /// Keypair file that signs and pays; defaults to the Solana CLI config, then ~/.config/solana/id.json.
    #[arg(long, global = true)]
    pub keypair: Option<PathBuf>,
    /// Print read commands as JSON.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the whole protocol in-process: a market from the example spec, 50 users, a crash, the keeper.
    Demo {
        /// Number of users.
        #[arg(long, default_value_t = 50)]
        users: usize,
    },
    #[command(subcommand)]
    Market(MarketCmd),
    #[command(subcommand)]
    Reserve(ReserveCmd),
    #[command(subcommand)]
    Obligation(ObligationCmd),
    /// Supply liquidity and pledge it as collateral in your obligation (or only supply with --no-collateral).
    Deposit {
        #[arg(long)]
        reserve: String,
        /// Whole tokens.
        #[arg(long)]
        amount: f64,
        #[arg(long)]
        no_collateral: bool,
    },
    /// Withdraw collateral and redeem it for liquidity; `--amount all` takes the most health allows.
    Withdraw {
        #[arg(long)]
        reserve: String,
        /// Whole tokens of liquidity, or `all`.
        #[arg(long)]
        amount: String,
    },
    /// Borrow from a reserve against your obligation.
    Borrow {
        #[arg(long)]
        reserve: String,
        #[arg(long)]
        amount: f64,
    },
    /// Repay debt of your obligation (or of --obligation); `--amount all` repays everything.
    Repay {
        #[arg(long)]
        reserve: String,
        #[arg(long)]
        amount: String,
        #[arg(long)]
        obligation: Option<String>,
    },
    /// Liquidate an unhealthy obligation: repay its debt in one reserve, seize collateral in another.
    Liquidate {
        #[arg(long)]
        obligation: String,
        #[arg(long)]
        repay_reserve: String,
        #[arg(long)]
        withdraw_reserve: String,
        /// Most to repay, whole tokens (default: as much as one call allows).
        #[arg(long)]
        max_repay: Option<f64>,
    },
    #[command(subcommand)]
    Keeper(KeeperCmd),
    /// The market's recent events (deposits, borrows, liquidations, config changes...), newest first.
    Events {
        #[arg(long)]
        market: String,
        /// Most recent transactions to read.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Only this event type, e.g. `Liquidate` or `ReserveConfigChangedEvent`.
        #[arg(long)]
        kind: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum MarketCmd {
    /// The market's configuration, roles and totals.
    Show {
        #[arg(long)]
        market: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReserveCmd {
    /// Every reserve of a market with utilization and rates.
    List {
        #[arg(long)]
        market: String,
    },
    /// One reserve in full.
    Show {
        #[arg(long)]
        reserve: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ObligationCmd {
    /// Positions, health, max borrow per reserve and liquidation prices.
    Show {
        #[arg(long)]
        obligation: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeeperCmd {
    /// Scan every obligation of a market and liquidate the unhealthy ones.
    Run {
        #[arg(long)]
        market: String,
        /// Report what would be liquidated without sending anything.
        #[arg(long)]
        dry_run: bool,
        /// Scans to run before stopping.
        #[arg(long, default_value_t = 1)]
        rounds: u32,
        /// Seconds between scans.
        #[arg(long, default_value_t = 10)]
        interval_secs: u64,
    },
}

/// Parses a base58 public key, naming the argument when it is malformed.
pub fn pubkey_arg(s: &str, what: &str) -> Result<Pubkey> {
    Pubkey::from_str(s.trim()).map_err(|_| anyhow!("--{what}: `{s}` is not a valid base58 public key"))
}

/// The reserve at `key`, or an error that says why it is not one.
pub async fn load_reserve(cluster: &impl Cluster, key: &Pubkey) -> Result<Reserve> {
    let account = cluster.account(key).await?.ok_or_else(|| anyhow!("unknown reserve {key}: no account at that address"))?;
    if account.owner != ballast_sdk::ballast::ID {
        return Err(anyhow!("unknown reserve {key}: the account is not owned by Ballast"));
    }
    decode::<Reserve>(&account.data).map_err(|_| anyhow!("unknown reserve {key}: the account is not a Ballast reserve"))
}

/// Runs every command except `demo` against `cluster`, signing with `signer`.
pub async fn execute(cluster: &impl Cluster, signer: &solana_keypair::Keypair, cli: &Cli, out: &mut impl Write) -> Result<()> {
    match &cli.command {
        Command::Demo { .. } => Err(anyhow!("demo builds its own in-process cluster; run it from main")),
        Command::Market(MarketCmd::Show { market }) => read::market_show(cluster, &pubkey_arg(market, "market")?, cli.json, out).await,
        Command::Reserve(ReserveCmd::List { market }) => read::reserve_list(cluster, &pubkey_arg(market, "market")?, cli.json, out).await,
        Command::Reserve(ReserveCmd::Show { reserve }) => read::reserve_show(cluster, &pubkey_arg(reserve, "reserve")?, cli.json, out).await,
        Command::Obligation(ObligationCmd::Show { obligation }) => {
            read::obligation_show(cluster, &pubkey_arg(obligation, "obligation")?, cli.json, out).await
        }
        Command::Deposit { reserve, amount, no_collateral } => {
            write::deposit(cluster, signer, &pubkey_arg(reserve, "reserve")?, *amount, !no_collateral, out).await
        }
        Command::Withdraw { reserve, amount } => write::withdraw(cluster, signer, &pubkey_arg(reserve, "reserve")?, amount, out).await,
        Command::Borrow { reserve, amount } => write::borrow(cluster, signer, &pubkey_arg(reserve, "reserve")?, *amount, out).await,
        Command::Repay { reserve, amount, obligation } => {
            let obligation = obligation.as_deref().map(|o| pubkey_arg(o, "obligation")).transpose()?;
            write::repay(cluster, signer, &pubkey_arg(reserve, "reserve")?, amount, obligation, out).await
        }
        Command::Liquidate { obligation, repay_reserve, withdraw_reserve, max_repay } => {
            let obligation = pubkey_arg(obligation, "obligation")?;
            let repay = pubkey_arg(repay_reserve, "repay-reserve")?;
            let withdraw = pubkey_arg(withdraw_reserve, "withdraw-reserve")?;
            write::liquidate(cluster, signer, &obligation, &repay, &withdraw, *max_repay, out).await
        }
        Command::Events { market, limit, kind } => {
            let query = events::Query { limit: *limit, kind: kind.clone() };
            events::events(cluster, &pubkey_arg(market, "market")?, &query, cli.json, out).await
        }
        Command::Keeper(KeeperCmd::Run { market, dry_run, rounds, interval_secs }) => {
            let market = pubkey_arg(market, "market")?;
            let opts = keeper::Options { dry_run: *dry_run, rounds: *rounds, interval: std::time::Duration::from_secs(*interval_secs) };
            keeper::run(cluster, signer, &market, &opts, out).await.map(|_| ())
        }
    }
}
