//! The admin's and the risk council's commands (`ballast admin ...`, `ballast council ...`): their arguments and
//! the dispatch into `admin`, where each command plans, checks and sends.
use crate::{admin, pubkey_arg, submit};
use anyhow::{anyhow, Result};
use ballast_sdk::Cluster;
use clap::Subcommand;
use std::io::Write;

/// Which config a queue command acts on: exactly one of `--reserve` and `--market` (with `--elevation-group`, the
/// market's queued elevation-group change).
#[derive(clap::Args, Debug)]
pub struct TargetArgs {
    #[arg(long, conflicts_with = "market", required_unless_present = "market")]
    pub reserve: Option<String>,
    #[arg(long)]
    pub market: Option<String>,
    /// With --market: the market's queued elevation-group change rather than its config.
    #[arg(long, requires = "market")]
    pub elevation_group: bool,
}

impl TargetArgs {
    fn target(&self) -> Result<admin::Target> {
        match (&self.reserve, &self.market) {
            (Some(r), _) => Ok(admin::Target::Reserve(pubkey_arg(r, "reserve")?)),
            (_, Some(m)) if self.elevation_group => Ok(admin::Target::ElevationGroup(pubkey_arg(m, "market")?)),
            (_, Some(m)) => Ok(admin::Target::Market(pubkey_arg(m, "market")?)),
            _ => Err(anyhow!("give --reserve or --market")),
        }
    }
}

/// The market admin's commands. Config changes take `--set field=value` (IDL field names, dotted for
/// nested fields, e.g. `--set oracle.max_age_secs=30`), show the diff, and go at once when they loosen
/// nothing, else through the timelock queue.
#[derive(Subcommand, Debug)]
pub enum AdminCmd {
    /// Change a reserve's config.
    ReserveConfig {
        #[arg(long)]
        reserve: String,
        #[arg(long = "set", required = true)]
        sets: Vec<String>,
        /// Queue it even though it could apply at once.
        #[arg(long)]
        queue: bool,
    },
    /// Change the market's config.
    MarketConfig {
        #[arg(long)]
        market: String,
        #[arg(long = "set", required = true)]
        sets: Vec<String>,
        #[arg(long)]
        queue: bool,
    },
    /// Apply a queued config once due (anyone may send it).
    Apply(TargetArgs),
    /// Drop a queued config (admin or risk council).
    Cancel(TargetArgs),
    /// Propose a new admin (the default key withdraws a proposal).
    ProposeAdmin {
        #[arg(long)]
        market: String,
        #[arg(long)]
        new_admin: String,
    },
    /// Accept the admin role you were proposed for.
    AcceptAdmin {
        #[arg(long)]
        market: String,
    },
    /// Propose a new risk council; it may accept after the timelock.
    ProposeCouncil {
        #[arg(long)]
        market: String,
        #[arg(long)]
        new_council: String,
    },
    /// Mark a reserve for delisting: no new borrows against it; after the notice its liquidation threshold
    /// falls and its bonus rises by the given steps a day, until stopped.
    Delist {
        #[arg(long)]
        reserve: String,
        /// Seconds before thresholds start to fall: at least a day and the market's timelock.
        #[arg(long, default_value_t = 7 * 86_400)]
        notice_secs: u64,
        #[arg(long)]
        threshold_step_bps_per_day: u16,
        #[arg(long, default_value_t = 0)]
        bonus_step_bps_per_day: u16,
    },
    /// Stop a reserve's delisting.
    StopDelisting {
        #[arg(long)]
        reserve: String,
    },
    /// Move a reserve's accrued protocol fees into its fee vault.
    SweepFees {
        #[arg(long)]
        reserve: String,
    },
    /// Send swept fees from the fee vault to a token account of the reserve's mint.
    WithdrawFees {
        #[arg(long)]
        reserve: String,
        #[arg(long)]
        to: String,
        /// Whole tokens, or `all`.
        #[arg(long)]
        amount: String,
    },
    /// Create or change an elevation group (queued when it loosens).
    ElevationGroup {
        #[arg(long)]
        market: String,
        /// Group id, 1..=16.
        #[arg(long)]
        id: u8,
        /// The one reserve members may borrow from.
        #[arg(long)]
        debt_reserve: String,
        #[arg(long)]
        ltv_bps: u16,
        #[arg(long)]
        liquidation_threshold_bps: u16,
        #[arg(long)]
        max_liquidation_bonus_bps: u16,
    },
}

/// The risk council's commands: brakes at once; lifting a brake (`--off`) loosens, so the admin queues it.
#[derive(Subcommand, Debug)]
pub enum CouncilCmd {
    /// Tighten a reserve's config at once (`--set`, as for `admin reserve-config`).
    TightenReserve {
        #[arg(long)]
        reserve: String,
        #[arg(long = "set", required = true)]
        sets: Vec<String>,
    },
    /// Tighten the market's config at once.
    TightenMarket {
        #[arg(long)]
        market: String,
        #[arg(long = "set", required = true)]
        sets: Vec<String>,
    },
    /// Stop a reserve's delisting: its configured threshold and bonus apply again.
    StopDelisting {
        #[arg(long)]
        reserve: String,
    },
    /// Pause a reserve: nothing but repay, liquidation and exits.
    Pause {
        #[arg(long)]
        reserve: String,
        #[arg(long)]
        off: bool,
    },
    /// Put a reserve in reduce-only mode: no new deposits or borrows.
    ReduceOnly {
        #[arg(long)]
        reserve: String,
        #[arg(long)]
        off: bool,
    },
    /// Put the whole market in emergency mode.
    Emergency {
        #[arg(long)]
        market: String,
        #[arg(long)]
        off: bool,
    },
    /// Drop a queued config (the council's brake on the admin).
    Cancel(TargetArgs),
    /// Accept the risk-council role you were proposed for, once its timelock has passed.
    Accept {
        #[arg(long)]
        market: String,
    },
}

pub(crate) async fn admin_command(cluster: &impl Cluster, signer: &solana_keypair::Keypair, cmd: &AdminCmd, mode: submit::Mode, out: &mut impl Write) -> Result<()> {
    match cmd {
        AdminCmd::ReserveConfig { reserve, sets, queue } => admin::reserve_config(cluster, signer, &pubkey_arg(reserve, "reserve")?, sets, *queue, mode, out).await,
        AdminCmd::MarketConfig { market, sets, queue } => admin::market_config(cluster, signer, &pubkey_arg(market, "market")?, sets, *queue, mode, out).await,
        AdminCmd::Apply(target) => admin::apply(cluster, signer, target.target()?, mode, out).await,
        AdminCmd::Cancel(target) => admin::cancel(cluster, signer, target.target()?, mode, out).await,
        AdminCmd::ProposeAdmin { market, new_admin } => {
            admin::propose(cluster, signer, &pubkey_arg(market, "market")?, admin::Role::Admin, pubkey_arg(new_admin, "new-admin")?, mode, out).await
        }
        AdminCmd::AcceptAdmin { market } => admin::accept(cluster, signer, &pubkey_arg(market, "market")?, admin::Role::Admin, mode, out).await,
        AdminCmd::ProposeCouncil { market, new_council } => {
            admin::propose(cluster, signer, &pubkey_arg(market, "market")?, admin::Role::RiskCouncil, pubkey_arg(new_council, "new-council")?, mode, out).await
        }
        AdminCmd::Delist { reserve, notice_secs, threshold_step_bps_per_day, bonus_step_bps_per_day } => {
            admin::delist(cluster, signer, &pubkey_arg(reserve, "reserve")?, *notice_secs, *threshold_step_bps_per_day, *bonus_step_bps_per_day, mode, out).await
        }
        AdminCmd::StopDelisting { reserve } => admin::stop_delisting(cluster, signer, &pubkey_arg(reserve, "reserve")?, mode, out).await,
        AdminCmd::SweepFees { reserve } => admin::sweep_fees(cluster, signer, &pubkey_arg(reserve, "reserve")?, mode, out).await,
        AdminCmd::WithdrawFees { reserve, to, amount } => {
            admin::withdraw_fees(cluster, signer, &pubkey_arg(reserve, "reserve")?, &pubkey_arg(to, "to")?, amount, mode, out).await
        }
        AdminCmd::ElevationGroup { market, id, debt_reserve, ltv_bps, liquidation_threshold_bps, max_liquidation_bonus_bps } => {
            let args = ballast_sdk::ballast::instructions::ConfigureElevationGroupArgs {
                id: *id,
                ltv_bps: *ltv_bps,
                liquidation_threshold_bps: *liquidation_threshold_bps,
                max_liquidation_bonus_bps: *max_liquidation_bonus_bps,
            };
            admin::elevation_group(cluster, signer, &pubkey_arg(market, "market")?, &pubkey_arg(debt_reserve, "debt-reserve")?, args, mode, out).await
        }
    }
}

pub(crate) async fn council_command(cluster: &impl Cluster, signer: &solana_keypair::Keypair, cmd: &CouncilCmd, mode: submit::Mode, out: &mut impl Write) -> Result<()> {
    use admin::Breaker;
    match cmd {
        CouncilCmd::TightenReserve { reserve, sets } => admin::tighten_reserve(cluster, signer, &pubkey_arg(reserve, "reserve")?, sets, mode, out).await,
        CouncilCmd::TightenMarket { market, sets } => admin::tighten_market(cluster, signer, &pubkey_arg(market, "market")?, sets, mode, out).await,
        CouncilCmd::Pause { reserve, off } => admin::breaker(cluster, signer, Breaker::Pause(pubkey_arg(reserve, "reserve")?), !off, mode, out).await,
        CouncilCmd::ReduceOnly { reserve, off } => admin::breaker(cluster, signer, Breaker::ReduceOnly(pubkey_arg(reserve, "reserve")?), !off, mode, out).await,
        CouncilCmd::Emergency { market, off } => admin::breaker(cluster, signer, Breaker::Emergency(pubkey_arg(market, "market")?), !off, mode, out).await,
        CouncilCmd::StopDelisting { reserve } => admin::stop_delisting(cluster, signer, &pubkey_arg(reserve, "reserve")?, mode, out).await,
        CouncilCmd::Cancel(target) => admin::cancel(cluster, signer, target.target()?, mode, out).await,
        CouncilCmd::Accept { market } => admin::accept(cluster, signer, &pubkey_arg(market, "market")?, admin::Role::RiskCouncil, mode, out).await,
    }
}
