//! Admin and risk-council commands. Each reads the state it changes, shows the change field by field and
//! when it takes effect, picks the route the program's own rules allow (at once when the change loosens
//! nothing, else through the timelock queue), and refuses before sending what the program would refuse.
use crate::{
    load_reserve,
    submit::{submit, Mode, Plan},
};
use anyhow::{anyhow, bail, Result};
use ballast_sdk::{
    accounts::decode,
    ballast::{
        instructions::ConfigureElevationGroupArgs,
        operations::governance,
        state::{ElevationGroup, Market, MarketConfig, Reserve, ReserveConfig, FLAG_PAUSED, FLAG_REDUCE_ONLY, MARKET_FLAG_EMERGENCY},
    },
    idl_json, ix, Cluster, Keypair, Pubkey, ReserveView, Signer,
};
use serde_json::{json, Value};
use std::io::Write;

/// The market at `key`, or an error saying why it is not one.
pub async fn load_market(cluster: &impl Cluster, key: &Pubkey) -> Result<Market> {
    let account = cluster.account(key).await?.ok_or_else(|| anyhow!("unknown market {key}: no account at that address"))?;
    if account.owner != ballast_sdk::ballast::ID {
        bail!("unknown market {key}: the account is not owned by Ballast");
    }
    decode::<Market>(&account.data).map_err(|_| anyhow!("unknown market {key}: the account is not a Ballast market"))
}

/// `unix` as `YYYY-MM-DD hh:mm:ss UTC`.
pub fn utc(unix: i64) -> String {
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", secs / 3_600, secs % 3_600 / 60, secs % 60)
}

/// When `ts` comes, said relative to `now`.
pub fn when(ts: i64, now: i64) -> String {
    match ts - now {
        d if d <= 0 => format!("{} (now)", utc(ts)),
        d => format!("{} (in {}h {:02}m {:02}s)", utc(ts), d / 3_600, d % 3_600 / 60, d % 60),
    }
}

/// `field: before → after` for every field that differs.
fn diff_lines(before: &Value, after: &Value) -> Vec<String> {
    idl_json::diff(before, after).into_iter().map(|(path, a, b)| format!("{path}: {a} → {b}")).collect()
}

/// `config` (IDL type `name`) with every `path=value` edit applied.
fn edited<T: bytemuck::Pod>(name: &str, config: &T, sets: &[String]) -> Result<(Value, Value, T)> {
    let before = idl_json::pod_to_json(name, config).map_err(|e| anyhow!(e))?;
    let mut after = before.clone();
    for set in sets {
        let (path, value) = set.split_once('=').ok_or_else(|| anyhow!("--set `{set}`: expected field=value, e.g. ltv_bps=6500"))?;
        idl_json::set_path(&mut after, path.trim(), value.trim()).map_err(|e| anyhow!("--set {e}"))?;
    }
    let new = idl_json::pod_from_json(name, &after).map_err(|e| anyhow!("--set: {e}"))?;
    Ok((before, after, new))
}

/// Refuses before sending when `signer` is not the market's `role` holder (`expected`).
fn require_signer(signer: &Keypair, expected: Pubkey, role: &str, market: &Pubkey) -> Result<()> {
    if signer.pubkey() != expected {
        bail!("{} is not the {role} of market {market} ({expected} is); sign with --keypair", signer.pubkey());
    }
    Ok(())
}

/// A program rule a client checks before sending, reported the way the program would report it.
fn program_rule(result: anchor_lang::Result<()>) -> Result<()> {
    result.map_err(|e| anyhow!("the program would refuse this: {e}"))
}

/// Which way a config change goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// Applied now by the admin (it loosens nothing).
    AtOnce,
    /// Queued behind the timelock (it loosens something, or `--queue` asked for it).
    Queued,
}

/// The admin changes a reserve's config: at once when it loosens nothing, else queued.
pub async fn reserve_config(cluster: &impl Cluster, admin: &Keypair, reserve: &Pubkey, sets: &[String], queue: bool, mode: Mode, out: &mut impl Write) -> Result<()> {
    let state = load_reserve(cluster, reserve).await?;
    let market = load_market(cluster, &state.market).await?;
    require_signer(admin, market.admin, "admin", &state.market)?;
    let (before, after, new) = edited("ReserveConfig", &state.config, sets)?;
    let changes = diff_lines(&before, &after);
    if changes.is_empty() {
        bail!("nothing to change: every --set matches the config in force");
    }
    program_rule(new.validate())?;
    let now = cluster.now().await?;
    // The route is the program's own decision: what `update_reserve_config` would accept at once (a change
    // that loosens nothing, or a bounded rate step after its cooldown) goes at once; the rest is queued.
    let mut trial = state;
    let at_once = governance::update_reserve_at_once(&mut trial, new, now, market.config.config_timelock_secs).is_ok();
    let loosens = !at_once;
    let route = if queue || !at_once { Route::Queued } else { Route::AtOnce };
    let plan = config_plan(format!("reserve {reserve} config"), changes, route, loosens, state.pending_config_apply_ts, market.config.config_timelock_secs, now)?;
    let plan = plan.details(json!({ "reserve": reserve.to_string(), "route": format!("{route:?}"), "old": before, "new": after }));
    let ix = match route {
        Route::AtOnce => ix::update_reserve_config(&admin.pubkey(), &state.market, reserve, new),
        Route::Queued => ix::queue_reserve_config(&admin.pubkey(), &state.market, reserve, new),
    };
    submit(cluster, &[ix], &[admin], &[], plan, mode, out).await.map(|_| ())
}

/// The admin changes the market's config: at once when it loosens nothing, else queued.
pub async fn market_config(cluster: &impl Cluster, admin: &Keypair, market_key: &Pubkey, sets: &[String], queue: bool, mode: Mode, out: &mut impl Write) -> Result<()> {
    let market = load_market(cluster, market_key).await?;
    let (before, after, new) = edited("MarketConfig", &market.config, sets)?;
    let changes = diff_lines(&before, &after);
    if changes.is_empty() {
        bail!("nothing to change: every --set matches the config in force");
    }
    program_rule(new.validate())?;
    let loosens = governance::market_change_loosens(&market.config, &new);
    let route = if queue || loosens { Route::Queued } else { Route::AtOnce };
    let now = cluster.now().await?;
    require_signer(admin, market.admin, "admin", market_key)?;
    let plan = config_plan(format!("market {market_key} config"), changes, route, loosens, market.pending_config_apply_ts, market.config.config_timelock_secs, now)?;
    let plan = plan.details(json!({ "market": market_key.to_string(), "route": format!("{route:?}"), "old": before, "new": after }));
    let ix = match route {
        Route::AtOnce => ix::update_market_config(&admin.pubkey(), market_key, new),
        Route::Queued => ix::queue_market_config(&admin.pubkey(), market_key, new),
    };
    submit(cluster, &[ix], &[admin], &[], plan, mode, out).await.map(|_| ())
}

/// The plan of a config change: its diff, its route, and when it takes effect.
fn config_plan(what: String, changes: Vec<String>, route: Route, loosens: bool, pending_apply_ts: i64, timelock_secs: u64, now: i64) -> Result<Plan> {
    let mut plan = Plan::new(format!("{what}: {} field(s) change", changes.len())).lines(changes);
    match route {
        Route::AtOnce => {
            plan = plan.line("route: at once (it loosens nothing)");
            if pending_apply_ts != 0 {
                plan = plan.line(format!("drops the change queued for {}", utc(pending_apply_ts)));
            }
        }
        Route::Queued => {
            if pending_apply_ts != 0 {
                bail!("a change is already queued (applicable {}); cancel it first", when(pending_apply_ts, now));
            }
            let apply_ts = now.saturating_add(i64::try_from(timelock_secs).unwrap_or(i64::MAX)).max(1);
            let why = if loosens { "it loosens risk" } else { "--queue" };
            plan = plan.line(format!("route: timelock queue ({why}); applicable {}", when(apply_ts, now)));
        }
    }
    Ok(plan)
}

/// Applies the reserve's (or, without a reserve, the market's) queued config once its time has come.
pub async fn apply(cluster: &impl Cluster, payer: &Keypair, target: Target, mode: Mode, out: &mut impl Write) -> Result<()> {
    let now = cluster.now().await?;
    let (what, current, pending, apply_ts, ix) = match target {
        Target::Reserve(key) => {
            let r: Reserve = load_reserve(cluster, &key).await?;
            let (c, p) = (idl_json::pod_to_json("ReserveConfig", &r.config), idl_json::pod_to_json("ReserveConfig", &r.pending_config));
            (format!("reserve {key}"), c, p, r.pending_config_apply_ts, ix::apply_pending_reserve_config(&key))
        }
        Target::Market(key) => {
            let m = load_market(cluster, &key).await?;
            let (c, p) = (idl_json::pod_to_json("MarketConfig", &m.config), idl_json::pod_to_json("MarketConfig", &m.pending_config));
            (format!("market {key}"), c, p, m.pending_config_apply_ts, ix::apply_pending_market_config(&key))
        }
        Target::ElevationGroup(key) => {
            let m = load_market(cluster, &key).await?;
            let (what, c, p) = elevation_group_change(&key, &m);
            (what, c, p, m.pending_elevation_group_apply_ts, ix::apply_pending_elevation_group(&key))
        }
    };
    if apply_ts == 0 {
        bail!("{what} has no queued config change");
    }
    if now < apply_ts {
        bail!("{what}'s queued change is not applicable until {}", when(apply_ts, now));
    }
    let (current, pending) = (current.map_err(|e| anyhow!(e))?, pending.map_err(|e| anyhow!(e))?);
    let plan = Plan::new(format!("apply {what}'s queued config (due {})", utc(apply_ts))).lines(diff_lines(&current, &pending));
    let plan = plan.details(json!({ "old": current, "new": pending, "apply_ts": apply_ts }));
    submit(cluster, &[ix], &[payer], &[], plan, mode, out).await.map(|_| ())
}

/// The admin or the risk council drops the reserve's (or the market's) queued config.
pub async fn cancel(cluster: &impl Cluster, signer: &Keypair, target: Target, mode: Mode, out: &mut impl Write) -> Result<()> {
    let (what, current, pending, apply_ts, market) = match target {
        Target::Reserve(key) => {
            let r = load_reserve(cluster, &key).await?;
            (format!("reserve {key}"), idl_json::pod_to_json("ReserveConfig", &r.config), idl_json::pod_to_json("ReserveConfig", &r.pending_config), r.pending_config_apply_ts, r.market)
        }
        Target::Market(key) => {
            let m = load_market(cluster, &key).await?;
            (format!("market {key}"), idl_json::pod_to_json("MarketConfig", &m.config), idl_json::pod_to_json("MarketConfig", &m.pending_config), m.pending_config_apply_ts, key)
        }
        Target::ElevationGroup(key) => {
            let m = load_market(cluster, &key).await?;
            let (what, c, p) = elevation_group_change(&key, &m);
            (what, c, p, m.pending_elevation_group_apply_ts, key)
        }
    };
    if apply_ts == 0 {
        bail!("{what} has no queued config change");
    }
    let m = load_market(cluster, &market).await?;
    if signer.pubkey() != m.admin && signer.pubkey() != m.risk_council {
        bail!("only the market's admin ({}) or risk council ({}) may cancel", m.admin, m.risk_council);
    }
    let (current, pending) = (current.map_err(|e| anyhow!(e))?, pending.map_err(|e| anyhow!(e))?);
    let plan = Plan::new(format!("cancel {what}'s change queued for {}; it would have changed:", utc(apply_ts))).lines(diff_lines(&current, &pending));
    let ix = match target {
        Target::Reserve(key) => ix::cancel_pending_reserve_config(&signer.pubkey(), &market, &key),
        Target::Market(key) => ix::cancel_pending_market_config(&signer.pubkey(), &key),
        Target::ElevationGroup(key) => ix::cancel_pending_elevation_group(&signer.pubkey(), &key),
    };
    submit(cluster, &[ix], &[signer], &[], plan.details(json!({ "dropped": pending, "apply_ts": apply_ts })), mode, out).await.map(|_| ())
}

/// What a config command acts on.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    Reserve(Pubkey),
    Market(Pubkey),
    /// The market's queued elevation-group change.
    ElevationGroup(Pubkey),
}

/// The market's queued elevation-group change: what it is, the group as it stands and as it would be.
fn elevation_group_change(key: &Pubkey, m: &Market) -> (String, std::result::Result<Value, String>, std::result::Result<Value, String>) {
    let id = m.pending_elevation_group_id;
    let current = m.elevation_groups.get(usize::from(id).wrapping_sub(1)).copied().unwrap_or_default();
    (format!("elevation group {id} of market {key}"), idl_json::pod_to_json("ElevationGroup", &current), idl_json::pod_to_json("ElevationGroup", &m.pending_elevation_group))
}

/// The risk council tightens a reserve's config at once; anything that loosens is refused.
pub async fn tighten_reserve(cluster: &impl Cluster, council: &Keypair, reserve: &Pubkey, sets: &[String], mode: Mode, out: &mut impl Write) -> Result<()> {
    let state = load_reserve(cluster, reserve).await?;
    let (before, after, new) = edited("ReserveConfig", &state.config, sets)?;
    tighten_reserve_to(cluster, council, reserve, &state, (before, after, new), mode, out).await
}

async fn tighten_reserve_to(cluster: &impl Cluster, council: &Keypair, reserve: &Pubkey, state: &Reserve, edit: (Value, Value, ReserveConfig), mode: Mode, out: &mut impl Write) -> Result<()> {
    let (before, after, new) = edit;
    require_signer(council, load_market(cluster, &state.market).await?.risk_council, "risk council", &state.market)?;
    let changes = diff_lines(&before, &after);
    if changes.is_empty() {
        bail!("nothing to change: the config in force already says so");
    }
    program_rule(new.validate())?;
    if governance::reserve_change_loosens(&state.config, &new) {
        bail!("the risk council can only tighten; this loosens risk, so the admin must queue it");
    }
    if governance::reserve_change_reprices(&state.config, &new) {
        bail!("the risk council cannot change rates or fees; that is the admin's");
    }
    let plan = Plan::new(format!("risk council tightens reserve {reserve} at once")).lines(changes);
    let plan = plan.details(json!({ "reserve": reserve.to_string(), "old": before, "new": after }));
    let ix = ix::tighten_reserve_config(&council.pubkey(), &state.market, reserve, new);
    submit(cluster, &[ix], &[council], &[], plan, mode, out).await.map(|_| ())
}

/// The risk council tightens the market's config at once.
pub async fn tighten_market(cluster: &impl Cluster, council: &Keypair, market_key: &Pubkey, sets: &[String], mode: Mode, out: &mut impl Write) -> Result<()> {
    let market = load_market(cluster, market_key).await?;
    let (before, after, new) = edited("MarketConfig", &market.config, sets)?;
    tighten_market_to(cluster, council, market_key, &market, (before, after, new), mode, out).await
}

async fn tighten_market_to(cluster: &impl Cluster, council: &Keypair, market_key: &Pubkey, market: &Market, edit: (Value, Value, MarketConfig), mode: Mode, out: &mut impl Write) -> Result<()> {
    let (before, after, new) = edit;
    require_signer(council, market.risk_council, "risk council", market_key)?;
    let changes = diff_lines(&before, &after);
    if changes.is_empty() {
        bail!("nothing to change: the config in force already says so");
    }
    program_rule(new.validate())?;
    if governance::market_change_loosens(&market.config, &new) {
        bail!("the risk council can only tighten; this loosens risk, so the admin must queue it");
    }
    let plan = Plan::new(format!("risk council tightens market {market_key} at once")).lines(changes);
    let ix = ix::tighten_market_config(&council.pubkey(), market_key, new);
    submit(cluster, &[ix], &[council], &[], plan.details(json!({ "market": market_key.to_string(), "old": before, "new": after })), mode, out).await.map(|_| ())
}

/// A circuit breaker: on, the risk council's at-once tightening; off, a loosening the admin queues.
#[derive(Clone, Copy, Debug)]
pub enum Breaker {
    Pause(Pubkey),
    ReduceOnly(Pubkey),
    Emergency(Pubkey),
}

/// Turns `breaker` on (signed by the risk council) or off (queued by the admin: lifting a brake loosens).
pub async fn breaker(cluster: &impl Cluster, signer: &Keypair, breaker: Breaker, on: bool, mode: Mode, out: &mut impl Write) -> Result<()> {
    let set = |flags: u16, bit: u16| if on { flags | bit } else { flags & !bit };
    match breaker {
        Breaker::Pause(key) | Breaker::ReduceOnly(key) => {
            let bit = if matches!(breaker, Breaker::Pause(_)) { FLAG_PAUSED } else { FLAG_REDUCE_ONLY };
            let state = load_reserve(cluster, &key).await?;
            let flags = format!("flags={}", set(state.config.flags, bit));
            match on {
                true => tighten_reserve_to(cluster, signer, &key, &state, edited("ReserveConfig", &state.config, &[flags])?, mode, out).await,
                false => reserve_config(cluster, signer, &key, &[flags], true, mode, out).await,
            }
        }
        Breaker::Emergency(key) => {
            let market = load_market(cluster, &key).await?;
            let flags = format!("flags={}", set(market.config.flags, MARKET_FLAG_EMERGENCY));
            match on {
                true => tighten_market_to(cluster, signer, &key, &market, edited("MarketConfig", &market.config, &[flags])?, mode, out).await,
                false => market_config(cluster, signer, &key, &[flags], true, mode, out).await,
            }
        }
    }
}

/// Who holds a role, and who may take it over.
#[derive(Clone, Copy, Debug)]
pub enum Role {
    Admin,
    RiskCouncil,
}

/// The admin proposes `new` for `role` (the default key withdraws a proposal).
pub async fn propose(cluster: &impl Cluster, admin: &Keypair, market_key: &Pubkey, role: Role, new: Pubkey, mode: Mode, out: &mut impl Write) -> Result<()> {
    let market = load_market(cluster, market_key).await?;
    let now = cluster.now().await?;
    let (current, ix, when_line) = match role {
        Role::Admin => (market.admin, ix::propose_admin(&admin.pubkey(), market_key, new), "the proposed admin may accept at once".to_string()),
        Role::RiskCouncil => {
            let ts = now.saturating_add(i64::try_from(market.config.config_timelock_secs).unwrap_or(i64::MAX));
            (market.risk_council, ix::propose_risk_council(&admin.pubkey(), market_key, new), format!("the proposed council may accept {}", when(ts, now)))
        }
    };
    let plan = Plan::new(format!("propose {new} as {role:?} of market {market_key} (now {current})")).line(when_line);
    submit(cluster, &[ix], &[admin], &[], plan.details(json!({ "role": format!("{role:?}"), "current": current.to_string(), "proposed": new.to_string() })), mode, out).await.map(|_| ())
}

/// The proposed holder of `role` accepts it.
pub async fn accept(cluster: &impl Cluster, signer: &Keypair, market_key: &Pubkey, role: Role, mode: Mode, out: &mut impl Write) -> Result<()> {
    let market = load_market(cluster, market_key).await?;
    let now = cluster.now().await?;
    let (pending, ix) = match role {
        Role::Admin => (market.pending_admin, ix::accept_admin(&signer.pubkey(), market_key)),
        Role::RiskCouncil => {
            if market.pending_risk_council_apply_ts > now {
                bail!("the proposed council may accept only from {}", when(market.pending_risk_council_apply_ts, now));
            }
            (market.pending_risk_council, ix::accept_risk_council(&signer.pubkey(), market_key))
        }
    };
    if pending != signer.pubkey() {
        bail!("{} is not the proposed {role:?} of market {market_key} (proposed: {pending})", signer.pubkey());
    }
    let plan = Plan::new(format!("{} accepts the {role:?} role of market {market_key}", signer.pubkey()));
    submit(cluster, &[ix], &[signer], &[], plan, mode, out).await.map(|_| ())
}

/// The admin marks a reserve for delisting: it backs no new borrows from now; after the notice its liquidation
/// threshold falls and its bonus rises by the given steps a day (`operations::delisting`).
pub async fn delist(cluster: &impl Cluster, admin: &Keypair, reserve: &Pubkey, notice_secs: u64, threshold_step: u16, bonus_step: u16, mode: Mode, out: &mut impl Write) -> Result<()> {
    let state = load_reserve(cluster, reserve).await?;
    let market = load_market(cluster, &state.market).await?;
    require_signer(admin, market.admin, "admin", &state.market)?;
    let now = cluster.now().await?;
    let mut check = state;
    program_rule(ballast_sdk::ballast::operations::delisting::start(&mut check, now, notice_secs, threshold_step, bonus_step, market.config.config_timelock_secs).map(|_| ()))?;
    let threshold = state.config.liquidation_threshold_bps;
    let plan = Plan::new(format!("delist reserve {reserve}: it backs no new borrows from now"))
        .lines(vec![
            format!("from {} its liquidation threshold falls {threshold_step} bps a day from {threshold} bps, its bonus rises {bonus_step} bps a day", when(check.delisting_start_ts, now)),
            "the admin or the risk council may stop it at any time".to_string(),
        ])
        .details(json!({ "starts_at": check.delisting_start_ts, "threshold_step_bps_per_day": threshold_step, "bonus_step_bps_per_day": bonus_step }));
    let ix = ix::start_delisting(&admin.pubkey(), &state.market, reserve, notice_secs, threshold_step, bonus_step);
    submit(cluster, &[ix], &[admin], &[], plan, mode, out).await.map(|_| ())
}

/// The admin or the risk council stops a reserve's delisting: its configured threshold and bonus apply again.
pub async fn stop_delisting(cluster: &impl Cluster, signer: &Keypair, reserve: &Pubkey, mode: Mode, out: &mut impl Write) -> Result<()> {
    let state = load_reserve(cluster, reserve).await?;
    if state.delisting_start_ts == 0 {
        bail!("reserve {reserve} is not being delisted");
    }
    let market = load_market(cluster, &state.market).await?;
    if signer.pubkey() != market.admin && signer.pubkey() != market.risk_council {
        bail!("only the market's admin ({}) or risk council ({}) may stop a delisting", market.admin, market.risk_council);
    }
    let now = cluster.now().await?;
    let plan = Plan::new(format!("stop the delisting of reserve {reserve} (its decline starts or started {})", when(state.delisting_start_ts, now)));
    submit(cluster, &[ix::stop_delisting(&signer.pubkey(), &state.market, reserve)], &[signer], &[], plan, mode, out).await.map(|_| ())
}

/// The admin moves a reserve's accrued protocol fees into its fee vault.
pub async fn sweep_fees(cluster: &impl Cluster, admin: &Keypair, reserve: &Pubkey, mode: Mode, out: &mut impl Write) -> Result<()> {
    let view = ReserveView { key: *reserve, state: load_reserve(cluster, reserve).await? };
    let fees = view.state.accrual(cluster.now().await?)?.protocol_fees.to_num::<f64>();
    let plan = Plan::new(format!("sweep about {:.6} of accrued protocol fees of reserve {reserve} into its fee vault", view.ui(fees as u64)));
    submit(cluster, &[ix::sweep_fees(&admin.pubkey(), &view)], &[admin], &[], plan, mode, out).await.map(|_| ())
}

/// The admin sends swept fees from the fee vault to `receiver` (a token account of the reserve's mint).
pub async fn withdraw_fees(cluster: &impl Cluster, admin: &Keypair, reserve: &Pubkey, receiver: &Pubkey, amount: &str, mode: Mode, out: &mut impl Write) -> Result<()> {
    let view = ReserveView { key: *reserve, state: load_reserve(cluster, reserve).await? };
    let vault = cluster.account(&view.state.fee_vault).await?.ok_or_else(|| anyhow!("fee vault missing"))?;
    let held = ballast_sdk::tokens::token_amount(&vault.data).ok_or_else(|| anyhow!("the fee vault is not a token account"))?;
    let native = match amount {
        "all" => held,
        _ => view.native(amount.parse().map_err(|_| anyhow!("--amount: `{amount}` is neither a number nor `all`"))?),
    };
    if native == 0 || native > held {
        bail!("--amount: the fee vault holds {} ({held} native units)", view.ui(held));
    }
    let plan = Plan::new(format!("withdraw {} of swept fees of reserve {reserve} to {receiver}", view.ui(native))).line(format!("the fee vault keeps {}", view.ui(held - native)));
    let ix = ix::withdraw_fees(&admin.pubkey(), &view, receiver, native);
    submit(cluster, &[ix], &[admin], &[], plan.details(json!({ "native_amount": native })), mode, out).await.map(|_| ())
}

/// The admin creates or changes elevation group `args.id`: at once when it loosens nothing, else queued.
pub async fn elevation_group(cluster: &impl Cluster, admin: &Keypair, market_key: &Pubkey, debt_reserve: &Pubkey, args: ConfigureElevationGroupArgs, mode: Mode, out: &mut impl Write) -> Result<()> {
    let market = load_market(cluster, market_key).await?;
    let new = args.group(*debt_reserve);
    program_rule(new.validate())?;
    let old = market.elevation_group(args.id).copied().filter(|g| *g != ElevationGroup::default());
    let to_json = |g: &ElevationGroup| idl_json::pod_to_json("ElevationGroup", g).map_err(|e| anyhow!(e));
    let before = old.as_ref().map(to_json).transpose()?.unwrap_or(Value::Null);
    let after = to_json(&new)?;
    let changes = match &before {
        Value::Null => vec![format!("new group: {after}")],
        _ => diff_lines(&before, &after),
    };
    if changes.is_empty() {
        bail!("nothing to change: group {} already says so", args.id);
    }
    let loosens = governance::elevation_group_change_loosens(old.as_ref(), &new);
    let now = cluster.now().await?;
    let mut plan = Plan::new(format!("elevation group {} of market {market_key}", args.id)).lines(changes);
    let ix = if loosens {
        if market.pending_elevation_group_apply_ts != 0 {
            bail!("an elevation group change is already queued (applicable {}); cancel it first", when(market.pending_elevation_group_apply_ts, now));
        }
        let ts = now.saturating_add(i64::try_from(market.config.config_timelock_secs).unwrap_or(i64::MAX)).max(1);
        plan = plan.line(format!("route: timelock queue (it loosens risk); applicable {}", when(ts, now)));
        ix::queue_elevation_group(&admin.pubkey(), market_key, debt_reserve, args)
    } else {
        plan = plan.line("route: at once (it loosens nothing)");
        ix::configure_elevation_group(&admin.pubkey(), market_key, debt_reserve, args)
    };
    submit(cluster, &[ix], &[admin], &[], plan.details(json!({ "old": before, "new": after, "queued": loosens })), mode, out).await.map(|_| ())
}
