//! The `ballast` command. Every command except `demo` runs against a [`Cluster`]; `demo` builds an
//! in-process one. Commands write to `out` so tests can read what a user would see.
pub mod admin;
pub mod governance_cmd;
pub mod demo;
pub mod events;
pub mod keeper;
pub mod queue;
pub mod read;
pub mod rng;
pub mod serve;
pub mod sim;
pub mod submit;
pub mod world;
pub mod write;

use anyhow::{anyhow, Result};
use ballast_sdk::{ballast::state::Reserve, accounts::decode, Cluster, Pubkey};
use clap::{Parser, Subcommand};
pub use keeper::watch::{command as keeper_watch, websocket_url};
use std::{io::Write, path::PathBuf, str::FromStr};

pub use governance_cmd::{AdminCmd, CouncilCmd, TargetArgs};
use governance_cmd::{admin_command, council_command};

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
    /// Print every command's output as JSON.
    #[arg(long, global = true)]
    pub json: bool,
    /// Write commands: print what would be sent, and send nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,
}

impl Cli {
    pub fn mode(&self) -> submit::Mode {
        submit::Mode { dry_run: self.dry_run, json: self.json }
    }
}

/// `ballast sim tune`: every combination of the candidate values runs the same paths of each scenario on the
/// real program; it prints bad debt against calm borrowing capacity, the frontier, and a recommended spec change.
#[derive(Subcommand, Debug)]
pub enum SimAction {
    Tune(sim::tune::TuneArgs),
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the whole protocol in-process: a market from the example spec, 50 users, a crash, the keeper.
    Demo {
        /// Number of users.
        #[arg(long, default_value_t = 50)]
        users: usize,
    },
    /// Monte Carlo stress tests on the real program, Ballast beside an SPL-style baseline: a built-in
    /// scenario by name, a scenario file, or (with neither) the standard suite. `sim tune` searches one
    /// reserve's risk parameters.
    Sim {
        #[command(subcommand)]
        action: Option<SimAction>,
        scenario: Option<String>,
        /// Name the built-in scenarios and stop.
        #[arg(long)]
        list: bool,
        /// Paths per scenario instead of the scenario's own number.
        #[arg(long)]
        paths: Option<usize>,
        /// Write each scenario's charts here, as SVG and PNG.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Write the Markdown risk report (tables, charts, scenario definitions) into this directory.
        #[arg(long)]
        report: Option<std::path::PathBuf>,
        /// Worker threads paths spread over (default: one per core).
        #[arg(long)]
        workers: Option<usize>,
        /// How many paths per scenario also run on solana-program-test and must end with the same accounts
        /// (default 1; 0 = none).
        #[arg(long)]
        verify: Option<usize>,
        /// Opening borrowers per scenario instead of the scenario's own number.
        #[arg(long)]
        borrowers: Option<usize>,
    },
    /// A reserve-health dashboard on 127.0.0.1: against `--url` and `--market`, or `--demo` (the demo's world
    /// in-process, its crash stepping so the page moves). Pages for the market, what is at risk, obligations
    /// and recent liquidations; the same numbers as JSON under /api.
    Serve {
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// The market to show (with --url).
        #[arg(long, conflicts_with = "demo")]
        market: Option<String>,
        /// Serve the demo's in-process world instead of a cluster.
        #[arg(long)]
        demo: bool,
        /// A migrations spec whose reserves (by mint) name the market's assets; addresses are shown otherwise.
        #[arg(long, conflicts_with = "demo")]
        spec: Option<PathBuf>,
        /// Demo only: number of users.
        #[arg(long, default_value_t = 50)]
        users: usize,
        /// Seconds between reads of the market (and page refreshes in the browser).
        #[arg(long, default_value_t = 5)]
        refresh_secs: u64,
        /// Demo only: seconds between steps of the crash (and, after it, of the simulator's price model).
        #[arg(long, default_value_t = 10)]
        step_secs: u64,
        /// A `ballast sim --report` directory for the Stress page (default: the newest reports/sim-*).
        #[arg(long)]
        report: Option<PathBuf>,
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
    /// Redeem cTokens you hold outside any obligation for liquidity; `--amount all` redeems them all.
    Redeem {
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
        #[command(flatten)]
        send: SendArgs,
    },
    #[command(subcommand)]
    Keeper(KeeperCmd),
    /// The withdrawal queue: request, cancel, fill and list tickets.
    #[command(subcommand)]
    Queue(queue::QueueCmd),
    /// Elevation groups (e-mode) for your obligation.
    #[command(subcommand)]
    Elevation(ElevationCmd),
    #[command(subcommand)]
    Admin(AdminCmd),
    #[command(subcommand)]
    Council(CouncilCmd),
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
    /// Close your obligation once it holds nothing (no deposits, no debt): its rent comes back to you.
    Close {
        #[arg(long)]
        obligation: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ElevationCmd {
    /// Move your obligation into elevation group `--group` (1-16; 0 leaves its group), when its positions fit the
    /// group and it stays healthy under the group's parameters.
    Set {
        #[arg(long)]
        obligation: String,
        #[arg(long)]
        group: u8,
    },
}

/// How liquidations are sent.
#[derive(clap::Args, Debug, Clone)]
pub struct SendArgs {
    /// Accept a payout at most this far below the projected one, bps.
    #[arg(long, default_value_t = 100)]
    pub slippage_bps: u16,
    /// Priority fee: compute-unit price in micro-lamports.
    #[arg(long)]
    pub priority_fee: Option<u64>,
    /// Compute-unit limit for each liquidation transaction.
    #[arg(long)]
    pub compute_unit_limit: Option<u32>,
}

impl SendArgs {
    fn send(&self) -> write::LiquidationSend {
        write::LiquidationSend { slippage_bps: self.slippage_bps, priority_fee: self.priority_fee, compute_unit_limit: self.compute_unit_limit }
    }
}

/// What every keeper mode shares.
#[derive(clap::Args, Debug, Clone)]
pub struct KeeperArgs {
    #[arg(long)]
    pub market: String,
    #[command(flatten)]
    pub send: SendArgs,
    /// Further attempts after a transient send failure (RPC, network, blockhash).
    #[arg(long, default_value_t = 3)]
    pub retries: u32,
    /// First wait before a retry, milliseconds; doubles each time.
    #[arg(long, default_value_t = 500)]
    pub backoff_ms: u64,
    /// This keeper's share of the market's obligations, `I/N` (by obligation address).
    #[arg(long, default_value = "0/1")]
    pub shard: keeper::Shard,
    /// Serve Prometheus metrics on this address, e.g. 127.0.0.1:9464.
    #[arg(long)]
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// Skip a liquidation whose bonus, net of the protocol's share, is below this (bps).
    #[arg(long, default_value_t = 0)]
    pub min_bonus_bps: u16,
    /// Most repay value to spend per round, quote units at spot (default: what the wallet holds).
    #[arg(long)]
    pub capital: Option<f64>,
}

#[derive(Subcommand, Debug)]
pub enum KeeperCmd {
    /// Scan every obligation of a market each round and liquidate the unhealthy ones.
    Run {
        #[command(flatten)]
        keeper: KeeperArgs,
        /// Rounds to run before stopping (0 = until stopped).
        #[arg(long, default_value_t = 1)]
        rounds: u32,
        /// Seconds between rounds.
        #[arg(long, default_value_t = 10)]
        interval_secs: u64,
    },
    /// Follow the market's accounts over websockets and act on what changes, with a full rescan every
    /// `--resync-secs`.
    Watch {
        #[command(flatten)]
        keeper: KeeperArgs,
        /// Websocket URL (default: the RPC URL with ws:// or wss:// and port + 1 as the Solana CLI does).
        #[arg(long)]
        ws_url: Option<String>,
        #[arg(long, default_value_t = 600)]
        resync_secs: u64,
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
    let mode = cli.mode();
    match &cli.command {
        Command::Demo { .. } => Err(anyhow!("demo builds its own in-process cluster; run it from main")),
        Command::Sim { .. } => Err(anyhow!("sim builds its own in-process clusters; run it from main (or sim::from_cli)")),
        Command::Serve { .. } => Err(anyhow!("serve runs until stopped; run it from main (or serve::from_cli)")),
        Command::Market(MarketCmd::Show { market }) => read::market_show(cluster, &pubkey_arg(market, "market")?, cli.json, out).await,
        Command::Reserve(ReserveCmd::List { market }) => read::reserve_list(cluster, &pubkey_arg(market, "market")?, cli.json, out).await,
        Command::Reserve(ReserveCmd::Show { reserve }) => read::reserve_show(cluster, &pubkey_arg(reserve, "reserve")?, cli.json, out).await,
        Command::Obligation(ObligationCmd::Show { obligation }) => {
            read::obligation_show(cluster, &pubkey_arg(obligation, "obligation")?, cli.json, out).await
        }
        Command::Obligation(ObligationCmd::Close { obligation }) => write::close_obligation(cluster, signer, &pubkey_arg(obligation, "obligation")?, mode, out).await,
        Command::Elevation(ElevationCmd::Set { obligation, group }) => {
            write::set_elevation_group(cluster, signer, &pubkey_arg(obligation, "obligation")?, *group, mode, out).await
        }
        Command::Queue(cmd) => queue::command(cluster, signer, cmd, mode, out).await,
        Command::Deposit { reserve, amount, no_collateral } => {
            write::deposit(cluster, signer, &pubkey_arg(reserve, "reserve")?, *amount, !no_collateral, mode, out).await
        }
        Command::Withdraw { reserve, amount } => write::withdraw(cluster, signer, &pubkey_arg(reserve, "reserve")?, amount, mode, out).await,
        Command::Redeem { reserve, amount } => write::redeem(cluster, signer, &pubkey_arg(reserve, "reserve")?, amount, mode, out).await,
        Command::Borrow { reserve, amount } => write::borrow(cluster, signer, &pubkey_arg(reserve, "reserve")?, *amount, mode, out).await,
        Command::Repay { reserve, amount, obligation } => {
            let obligation = obligation.as_deref().map(|o| pubkey_arg(o, "obligation")).transpose()?;
            write::repay(cluster, signer, &pubkey_arg(reserve, "reserve")?, amount, obligation, mode, out).await
        }
        Command::Admin(cmd) => admin_command(cluster, signer, cmd, mode, out).await,
        Command::Council(cmd) => council_command(cluster, signer, cmd, mode, out).await,
        Command::Liquidate { obligation, repay_reserve, withdraw_reserve, max_repay, send } => {
            let obligation = pubkey_arg(obligation, "obligation")?;
            let repay = pubkey_arg(repay_reserve, "repay-reserve")?;
            let withdraw = pubkey_arg(withdraw_reserve, "withdraw-reserve")?;
            write::liquidate(cluster, signer, &obligation, &repay, &withdraw, *max_repay, send.send(), mode, out).await
        }
        Command::Events { market, limit, kind } => {
            let query = events::Query { limit: *limit, kind: kind.clone() };
            events::events(cluster, &pubkey_arg(market, "market")?, &query, cli.json, out).await
        }
        Command::Keeper(KeeperCmd::Run { keeper: k, rounds, interval_secs }) => {
            let market = pubkey_arg(&k.market, "market")?;
            let opts = keeper_options(cli, k, *rounds, std::time::Duration::from_secs(*interval_secs));
            let metrics = serve_metrics(k.metrics_addr).await?;
            keeper::run_with_metrics(cluster, signer, &market, &opts, &metrics, out).await.map(|_| ())
        }
        Command::Keeper(KeeperCmd::Watch { .. }) => Err(anyhow!("keeper watch follows a live cluster over websockets; run it from main with --url")),
    }
}


pub(crate) fn keeper_options(cli: &Cli, k: &KeeperArgs, rounds: u32, interval: std::time::Duration) -> keeper::Options {
    keeper::Options {
        dry_run: cli.dry_run,
        rounds,
        interval,
        send: k.send.send(),
        retries: k.retries,
        backoff: std::time::Duration::from_millis(k.backoff_ms),
        shard: k.shard,
        min_bonus_bps: k.min_bonus_bps,
        capital_quote: k.capital,
        reserve_hurdle_bps: vec![],
        quiet: false,
    }
}

/// Starts the metrics endpoint when asked for; the keeper reports into the returned counters either way.
pub async fn serve_metrics(addr: Option<std::net::SocketAddr>) -> Result<std::sync::Arc<std::sync::Mutex<keeper::metrics::Metrics>>> {
    let metrics = std::sync::Arc::new(std::sync::Mutex::new(keeper::metrics::Metrics::default()));
    if let Some(addr) = addr {
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| anyhow!("--metrics-addr {addr}: {e}"))?;
        tokio::spawn(keeper::metrics::serve(listener, metrics.clone()));
    }
    Ok(metrics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_owns_succeeds_giving_each_obligation_to_exactly_one_shard() {
        let shards: Vec<keeper::Shard> = (0..4).map(|i| format!("{i}/4").parse().unwrap()).collect();
        for _ in 0..200 {
            let key = Pubkey::new_unique();
            assert_eq!(shards.iter().filter(|s| s.owns(&key)).count(), 1);
        }
        assert!("4/4".parse::<keeper::Shard>().is_err() && "1".parse::<keeper::Shard>().is_err());
    }
}
