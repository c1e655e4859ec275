//! Diff a spec against the cluster (`plan`), then make the cluster match it (`apply`).
use crate::spec::{parse_pubkey, ReserveSpec, Spec};
use anchor_lang::prelude::Pubkey;
use anyhow::{anyhow, bail, Result};
use ballast::{
    instructions::{ConfigureElevationGroupArgs, InitMarketArgs, InitReserveArgs},
    operations::governance::{elevation_group_change_loosens, market_change_loosens, reserve_change_loosens},
    state::{ElevationGroup, Market, MarketConfig, Reserve, ReserveConfig},
};
use ballast_sdk::{accounts::decode, ix, lut, pda, tokens, Cluster};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::fmt;

/// How a config change reaches the chain. Decided from the chain's state alone: the config in force, the
/// pending change and the timelock on chain (never the spec's, which may itself be changing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// Does not loosen risk: `update_*_config` at once (it supersedes any other pending change).
    AtOnce,
    /// Loosens: `queue_*_config`, applied with `apply_pending_*_config` once the chain's timelock has passed
    /// (in the same transaction when that timelock is 0).
    Queue,
    /// Loosens while a different change is pending: cancel that one, then queue as for `Queue`.
    Replace,
    /// Already queued with this exact config; applies at the given time.
    Pending(i64),
}

#[derive(Clone, Debug)]
pub enum Step {
    CreateMarket { market: Pubkey },
    UpdateMarketConfig { changes: Vec<String>, config: MarketConfig, route: Route },
    /// The spec names another risk council: propose it (it accepts itself, after the chain's timelock).
    ProposeRiskCouncil { council: Pubkey },
    CreateReserve { symbol: String, mint: Pubkey, config: Box<ReserveConfig>, seed: u64 },
    UpdateReserveConfig { symbol: String, reserve: Pubkey, changes: Vec<String>, config: Box<ReserveConfig>, route: Route },
    /// The market's address lookup table lacks these accounts (or does not exist yet: `table` is None):
    /// `apply` creates it if need be, extends it and records it on the market, once every reserve exists.
    LookupTable { table: Option<Pubkey>, missing: Vec<Pubkey> },
    /// Create or change elevation group `args.id`: at once when it loosens nothing, else through the queue.
    ElevationGroup { debt_reserve: Pubkey, args: ConfigureElevationGroupArgs, changes: Vec<String>, route: Route },
    /// Something the spec says that no instruction can change; printed, never applied.
    Note(String),
}

impl Step {
    fn does_something(&self) -> bool {
        !matches!(self, Step::Note(_))
    }
}

fn route_text(route: Route, now: i64) -> String {
    match route {
        Route::AtOnce => "at once (does not loosen risk)".into(),
        Route::Queue => "queued (loosens risk; applies after the market's timelock)".into(),
        Route::Replace => "replaces the change queued now, then queued (loosens risk; applies after the market's timelock)".into(),
        Route::Pending(ts) if ts <= now => "already queued; due now".into(),
        Route::Pending(ts) => format!("already queued; applies in {} s", ts - now),
    }
}

/// What `apply` would do, in order.
pub struct Plan {
    pub market: Pubkey,
    pub steps: Vec<Step>,
    pub now: i64,
}

impl Plan {
    /// True when the cluster already matches the spec.
    pub fn is_empty(&self) -> bool {
        !self.steps.iter().any(Step::does_something)
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "market {}", self.market)?;
        if self.is_empty() {
            writeln!(f, "  no changes: the cluster matches the spec")?;
        }
        for step in &self.steps {
            match step {
                Step::CreateMarket { market } => writeln!(f, "  + create market {market}")?,
                Step::UpdateMarketConfig { changes, route, .. } => {
                    writeln!(f, "  ~ market config, {}", route_text(*route, self.now))?;
                    for c in changes {
                        writeln!(f, "      {c}")?;
                    }
                }
                Step::ProposeRiskCouncil { council } => writeln!(
                    f,
                    "  ~ propose risk council {council} (it signs accept_risk_council once the market's timelock has passed)"
                )?,
                Step::CreateReserve { symbol, mint, seed, .. } => {
                    writeln!(f, "  + create reserve {symbol} (mint {mint}, seed {seed} native units)")?
                }
                Step::UpdateReserveConfig { symbol, changes, route, .. } => {
                    writeln!(f, "  ~ reserve {symbol} config, {}", route_text(*route, self.now))?;
                    for c in changes {
                        writeln!(f, "      {c}")?;
                    }
                }
                Step::LookupTable { table: None, missing } => {
                    writeln!(f, "  + create the market's lookup table with {} accounts and record it on the market", missing.len())?
                }
                Step::LookupTable { table: Some(table), missing } => {
                    writeln!(f, "  ~ extend lookup table {table} with {} accounts", missing.len())?
                }
                Step::ElevationGroup { args, changes, route, .. } => {
                    writeln!(f, "  ~ elevation group {}, {}", args.id, route_text(*route, self.now))?;
                    for c in changes {
                        writeln!(f, "      {c}")?;
                    }
                }
                Step::Note(text) => writeln!(f, "  ! {text}")?,
            }
        }
        Ok(())
    }
}

macro_rules! diff_fields {
    ($old:expr, $new:expr, $out:expr, $prefix:literal, [$($field:ident),* $(,)?]) => {
        $(if $old.$field != $new.$field {
            $out.push(format!("{}{}: {:?} -> {:?}", $prefix, stringify!($field), $old.$field, $new.$field));
        })*
    };
}

/// One line per changed field.
pub fn reserve_config_diff(old: &ReserveConfig, new: &ReserveConfig) -> Vec<String> {
    let mut out = vec![];
    diff_fields!(old, new, out, "", [
        deposit_limit, borrow_limit, outflow_limit, isolated_debt_ceiling_micro_quote, outflow_window_secs, ltv_bps, liquidation_threshold_bps,
        min_liquidation_bonus_bps, max_liquidation_bonus_bps, protocol_liquidation_fee_bps, reserve_factor_bps,
        insurance_factor_bps, borrow_factor_bps, origination_fee_bps, flash_fee_bps, utilization_ceiling_bps,
        insolvent_auction_secs, liquidation_target_health_bps, regime_half_life_mins, regime_calm_vol_bps,
        regime_turbulent_vol_bps, regime_max_ltv_cut_bps, regime_max_rate_addon_bps, flags, elevation_groups, curve_len,
    ]);
    if old.curve[..old.curve_len as usize] != new.curve[..new.curve_len as usize] {
        out.push(format!("curve: {:?} -> {:?}", &old.curve[..old.curve_len as usize], &new.curve[..new.curve_len as usize]));
    }
    let (o, n) = (&old.oracle, &new.oracle);
    diff_fields!(o, n, out, "oracle.", [price_account, max_age_secs, volatility_haircut_bps, max_conf_bps, max_ema_divergence_bps, conf_multiplier_bps, liquidation_band_bps]);
    if o.feed_id != n.feed_id {
        out.push("oracle.feed_id changes".into());
    }
    let (o, n) = (&old.secondary, &new.secondary);
    diff_fields!(o, n, out, "secondary.", [kind, price_account, max_age_secs, max_age_slots, max_divergence_bps, max_conf_bps, min_samples]);
    if out.is_empty() && old != new {
        out.push("reserved bytes differ".into());
    }
    out
}

pub fn market_config_diff(old: &MarketConfig, new: &MarketConfig) -> Vec<String> {
    let mut out = vec![];
    diff_fields!(old, new, out, "", [dust_threshold_quote, config_timelock_secs, outflow_limit_quote, outflow_window_secs, close_factor_bps, flags]);
    out
}

/// `pending` is (the pending change is exactly the wanted config, its apply time), when one is queued.
fn route_for(loosens: bool, pending: Option<(bool, i64)>) -> Route {
    match pending {
        Some((true, ts)) => Route::Pending(ts),
        Some((false, _)) if loosens => Route::Replace,
        _ if loosens => Route::Queue,
        _ => Route::AtOnce,
    }
}

/// Compares `spec` with the market at `market` on `cluster`, administered by `admin`.
pub async fn plan(cluster: &impl Cluster, spec: &Spec, market: &Pubkey, admin: &Pubkey) -> Result<Plan> {
    let now = cluster.now().await?;
    let mut steps = vec![];
    let wanted_market = spec.market.config();
    let council = match &spec.market.risk_council {
        Some(s) => parse_pubkey(s, "market risk_council")?,
        None => *admin,
    };
    match cluster.account(market).await? {
        None => steps.push(Step::CreateMarket { market: *market }),
        Some(account) => {
            let state: Market = decode(&account.data).map_err(|_| anyhow!("{market} exists but is not a Ballast market"))?;
            if state.admin != *admin {
                bail!("market {market} is administered by {}, not by the keypair {admin}", state.admin);
            }
            if state.risk_council != council && state.pending_risk_council == council {
                let when = state.pending_risk_council_apply_ts;
                steps.push(Step::Note(format!("risk council {council} is proposed; it may sign accept_risk_council from unix time {when}")));
            } else if state.risk_council != council {
                steps.push(Step::ProposeRiskCouncil { council });
            }
            let pending = (state.pending_config_apply_ts != 0).then(|| (state.pending_config == wanted_market, state.pending_config_apply_ts));
            let changes = market_config_diff(&state.config, &wanted_market);
            if !changes.is_empty() {
                let route = route_for(market_change_loosens(&state.config, &wanted_market), pending);
                steps.push(Step::UpdateMarketConfig { changes, config: wanted_market, route });
            }
        }
    }
    for r in &spec.reserves {
        steps.extend(reserve_step(cluster, market, r).await?);
    }
    steps.extend(elevation_group_steps(cluster, spec, market).await?);
    steps.extend(lookup_table_step(cluster, spec, market).await?);
    Ok(Plan { market: *market, steps, now })
}

/// What the market's lookup table must hold once the spec is applied: the market's own entries and every
/// reserve's (existing ones as on chain, new ones derived from the spec), against what it holds now.
async fn lookup_table_step(cluster: &impl Cluster, spec: &Spec, market: &Pubkey) -> Result<Option<Step>> {
    let mut wanted = lut::market_base_addresses(market);
    for r in &spec.reserves {
        let mint = r.mint()?;
        let token_program = match cluster.account(&mint).await? {
            Some(account) => account.owner,
            None => return Ok(None), // the reserve step reports the missing mint
        };
        lut::push_new(&mut wanted, lut::reserve_table_addresses(&pda::reserve(market, &mint), &mint, &r.price_account()?, &token_program));
        if let Some(secondary) = &r.secondary {
            lut::push_new(&mut wanted, [secondary.price_account(&r.symbol)?]);
        }
    }
    let state: Option<Market> = match cluster.account(market).await? {
        Some(account) => Some(decode(&account.data)?),
        None => None,
    };
    let table = state.map(|m| m.lookup_table).filter(|t| *t != Pubkey::default());
    let held = match table {
        Some(t) => cluster.account(&t).await?.map(|a| ballast_sdk::tx::lookup_table_addresses(&a.data)).transpose()?.unwrap_or_default(),
        None => vec![],
    };
    let missing = lut::missing(&held, &wanted);
    Ok((table.is_none() || !missing.is_empty()).then_some(Step::LookupTable { table, missing }))
}

async fn reserve_step(cluster: &impl Cluster, market: &Pubkey, r: &ReserveSpec) -> Result<Option<Step>> {
    let mint = r.mint()?;
    let wanted = r.config()?;
    let key = pda::reserve(market, &mint);
    let Some(account) = cluster.account(&key).await? else {
        return Ok(Some(Step::CreateReserve { symbol: r.symbol.clone(), mint, config: Box::new(wanted), seed: r.seed_native() }));
    };
    let state: Reserve = decode(&account.data)?;
    if state.liquidity_decimals != r.decimals {
        bail!("reserve {}: mint has {} decimals, the spec says {}", r.symbol, state.liquidity_decimals, r.decimals);
    }
    let mut wanted = wanted;
    if r.isolated_debt_ceiling_quote.is_none() {
        // Unnamed: the chain's ceiling stands (the council or an earlier spec may have raised it).
        wanted.isolated_debt_ceiling_micro_quote = state.config.isolated_debt_ceiling_micro_quote;
    }
    let pending = (state.pending_config_apply_ts != 0).then(|| (state.pending_config == wanted, state.pending_config_apply_ts));
    let changes = reserve_config_diff(&state.config, &wanted);
    if changes.is_empty() {
        return Ok(None);
    }
    let route = route_for(reserve_change_loosens(&state.config, &wanted), pending);
    Ok(Some(Step::UpdateReserveConfig { symbol: r.symbol.clone(), reserve: key, changes, config: Box::new(wanted), route }))
}

/// The spec's elevation groups against the market's (a market not created yet has none; `apply` creates its
/// reserves before its groups). One change per market may wait in the queue: a loosening while another group's
/// change waits is reported, and planned again by the run after it applies or is cancelled.
async fn elevation_group_steps(cluster: &impl Cluster, spec: &Spec, market: &Pubkey) -> Result<Vec<Step>> {
    let state: Market = match cluster.account(market).await? {
        Some(account) => decode(&account.data)?,
        None => bytemuck::Zeroable::zeroed(),
    };
    let mut steps = vec![];
    for g in &spec.elevation_groups {
        let debt_spec = spec.reserve(&g.debt_reserve).ok_or_else(|| anyhow!("elevation group {}: no reserve {}", g.id, g.debt_reserve))?;
        let debt_reserve = pda::reserve(market, &debt_spec.mint()?);
        let args = ConfigureElevationGroupArgs { id: g.id, ltv_bps: g.ltv_bps, liquidation_threshold_bps: g.liquidation_threshold_bps, max_liquidation_bonus_bps: g.max_liquidation_bonus_bps };
        let wanted = args.group(debt_reserve);
        wanted.validate().map_err(|e| anyhow!("elevation group {}: {e}", g.id))?;
        let current = state.elevation_group(g.id).copied();
        if current == Some(wanted) {
            continue;
        }
        let show = |e: &ElevationGroup| format!("debt reserve {}, ltv {} bps, threshold {} bps, bonus cap {} bps", e.debt_reserve, e.ltv_bps, e.liquidation_threshold_bps, e.max_liquidation_bonus_bps);
        let changes = vec![format!("{} -> {}", current.as_ref().map(show).unwrap_or_else(|| "unset".into()), show(&wanted))];
        let pending_here = state.pending_elevation_group_id == g.id && state.pending_elevation_group_apply_ts != 0;
        let loosens = elevation_group_change_loosens(current.as_ref(), &wanted);
        if loosens && state.pending_elevation_group_apply_ts != 0 && !pending_here {
            let other = state.pending_elevation_group_id;
            steps.push(Step::Note(format!("elevation group {}: waits, group {other}'s change is queued (apply again once it applies or is cancelled)", g.id)));
            continue;
        }
        let pending = pending_here.then(|| (state.pending_elevation_group == wanted, state.pending_elevation_group_apply_ts));
        steps.push(Step::ElevationGroup { debt_reserve, args, changes, route: route_for(loosens, pending) });
    }
    Ok(steps)
}

/// Makes the cluster match `spec`, then returns the plan it carried out. Safe to run again: a second run
/// finds nothing to do (a loosening change waits for the timelock and is applied by the run after it).
pub async fn apply(cluster: &impl Cluster, spec: &Spec, market: &Keypair, admin: &Keypair) -> Result<Plan> {
    let plan = plan(cluster, spec, &market.pubkey(), &admin.pubkey()).await?;
    let a = admin.pubkey();
    let m = market.pubkey();
    for step in &plan.steps {
        match step {
            Step::CreateMarket { .. } => {
                let council = match &spec.market.risk_council {
                    Some(s) => parse_pubkey(s, "market risk_council")?,
                    None => a,
                };
                let args = InitMarketArgs { risk_council: council, quote_currency: spec.market.quote_bytes()?, config: spec.market.config().into() };
                cluster.send(&[ix::init_market(&a, &m, args)], &[admin, market]).await?;
            }
            Step::UpdateMarketConfig { config, route, .. } => {
                let at_once = vec![ix::update_market_config(&a, &m, *config)];
                let queue = vec![ix::queue_market_config(&a, &m, *config)];
                let ixs = queued(*route, at_once, ix::cancel_pending_market_config(&a, &m), queue, ix::apply_pending_market_config(&m), timelock_is_zero(cluster, &m).await?, plan.now);
                send_as_needed(cluster, &ixs, admin).await?;
            }
            Step::ProposeRiskCouncil { council } => {
                cluster.send(&[ix::propose_risk_council(&a, &m, *council)], &[admin]).await?;
            }
            Step::CreateReserve { symbol, mint, config, seed } => {
                let mint_account = cluster.account(mint).await?.ok_or_else(|| anyhow!("reserve {symbol}: mint {mint} does not exist"))?;
                let token_program = mint_account.owner;
                let source = pda::associated_token(&a, mint, &token_program);
                let held = cluster.account(&source).await?.and_then(|acc| tokens::token_amount(&acc.data)).unwrap_or(0);
                if held < *seed {
                    bail!("reserve {symbol}: the admin's token account {source} holds {held} native units; the seed deposit needs {seed}");
                }
                let args = InitReserveArgs { config: (**config).into(), seed_liquidity_amount: *seed };
                cluster.send(&[ix::init_reserve(&a, &m, mint, &token_program, &source, args)], &[admin]).await?;
            }
            Step::UpdateReserveConfig { reserve, config, route, .. } => {
                let at_once = vec![ix::update_reserve_config(&a, &m, reserve, **config)];
                let queue = vec![ix::queue_reserve_config(&a, &m, reserve, **config)];
                let cancel = ix::cancel_pending_reserve_config(&a, &m, reserve);
                let ixs = queued(*route, at_once, cancel, queue, ix::apply_pending_reserve_config(reserve), timelock_is_zero(cluster, &m).await?, plan.now);
                send_as_needed(cluster, &ixs, admin).await?;
            }
            Step::LookupTable { table, missing } => sync_lookup_table(cluster, &m, admin, *table, missing).await?,
            Step::ElevationGroup { debt_reserve, args, route, .. } => {
                let at_once = vec![ix::configure_elevation_group(&a, &m, debt_reserve, args.clone())];
                let queue = vec![ix::queue_elevation_group(&a, &m, debt_reserve, args.clone())];
                let cancel = ix::cancel_pending_elevation_group(&a, &m);
                let ixs = queued(*route, at_once, cancel, queue, ix::apply_pending_elevation_group(&m), timelock_is_zero(cluster, &m).await?, plan.now);
                send_as_needed(cluster, &ixs, admin).await?;
            }
            Step::Note(_) => {}
        }
    }
    Ok(plan)
}

/// Creates the market's lookup table when it has none, extends it with `missing` and records it on the market.
/// Extended entries load from the next slot on.
async fn sync_lookup_table(cluster: &impl Cluster, market: &Pubkey, admin: &Keypair, table: Option<Pubkey>, missing: &[Pubkey]) -> Result<()> {
    let a = admin.pubkey();
    let payer = cluster.payer().pubkey();
    let table = match table {
        Some(t) => t,
        None => {
            let (create, t) = lut::create(&a, &payer, cluster.slot().await?.saturating_sub(1));
            cluster.send(&[create], &[]).await?;
            cluster.send(&[ix::set_lookup_table(&a, market, t)], &[admin]).await?;
            t
        }
    };
    for extend in lut::extend(&table, &a, &payer, missing) {
        cluster.send(&[extend], &[admin]).await?;
    }
    Ok(())
}

/// The instructions that carry one config change along `route`. With the chain's timelock at 0 a queued change
/// is applied in the same transaction; otherwise a later run applies it once due.
fn queued(route: Route, at_once: Vec<Instruction>, cancel: Instruction, queue: Vec<Instruction>, apply: Instruction, zero_timelock: bool, now: i64) -> Vec<Instruction> {
    let then_apply = |mut ixs: Vec<Instruction>| {
        if zero_timelock {
            ixs.push(apply.clone());
        }
        ixs
    };
    match route {
        Route::AtOnce => at_once,
        Route::Queue => then_apply(queue),
        Route::Replace => then_apply([vec![cancel], queue].concat()),
        Route::Pending(ts) if ts <= now => vec![apply],
        Route::Pending(_) => vec![],
    }
}

/// Sends `ixs` (if any), signed by the admin only when one of them needs it: applying a due change is
/// permissionless, and a transaction may not carry a signature it does not ask for.
async fn send_as_needed(cluster: &impl Cluster, ixs: &[Instruction], admin: &Keypair) -> Result<()> {
    if ixs.is_empty() {
        return Ok(());
    }
    let admin_signs = ixs.iter().flat_map(|ix| &ix.accounts).any(|m| m.is_signer && m.pubkey == admin.pubkey());
    let signers: &[&Keypair] = if admin_signs { &[admin] } else { &[] };
    cluster.send(ixs, signers).await?;
    Ok(())
}

/// Whether the market's timelock on chain, the one `queue_*` uses, is 0.
async fn timelock_is_zero(cluster: &impl Cluster, market: &Pubkey) -> Result<bool> {
    let account = cluster.account(market).await?.ok_or_else(|| anyhow!("market {market} vanished"))?;
    Ok(decode::<Market>(&account.data)?.config.config_timelock_secs == 0)
}
