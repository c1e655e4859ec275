//! Read commands: text for people, `--json` for scripts.
use crate::load_reserve;
use anyhow::{anyhow, Result};
use ballast_sdk::{
    accounts::decode,
    ballast::{math::Fraction, state::{Obligation, Reserve}},
    health::Projection,
    MarketSnapshot, Cluster, Pubkey, ReserveView,
};
use serde_json::{json, Value};
use std::io::Write;

fn f(x: Fraction) -> f64 {
    x.to_num::<f64>()
}

fn quote(bytes: &[u8; 32]) -> String {
    String::from_utf8_lossy(bytes).trim_end_matches('\0').to_string()
}

/// The price the refresh crank last cached, with its age; null before the first refresh.
fn cached_price_json(s: &Reserve, now: Option<i64>) -> Value {
    if s.cached_price_ts == 0 {
        return Value::Null;
    }
    json!({
        "price": f(s.cached_price_sf.get()),
        "at": s.cached_price_ts,
        "age_secs": now.map(|n| n.saturating_sub(s.cached_price_ts)),
    })
}

/// How much of a cap `used` (native units) takes, as a fraction; null for an unlimited cap (`u64::MAX`).
fn cap_use(used: f64, cap: u64) -> Option<f64> {
    match cap {
        u64::MAX => None,
        0 => Some(if used > 0.0 { 1.0 } else { 0.0 }),
        cap => Some(used / cap as f64),
    }
}

/// How much of the reserve's outflow limit the sliding window's net outflow uses at `now` (the program's own
/// window arithmetic, on a copy rolled forward); null when the reserve's limiter is off. Net inflow uses none.
fn outflow_use(s: &Reserve, now: i64) -> Option<f64> {
    let window = s.config.outflow_window_secs;
    if window == 0 {
        return None;
    }
    let mut flow = s.outflow;
    flow.record_inflow(0, now, window);
    let net = flow.net(now, window as i64).max(0) as f64;
    Some(if s.config.outflow_limit == 0 { if net > 0.0 { 1.0 } else { 0.0 } } else { net / s.config.outflow_limit as f64 })
}

/// The numbers a dashboard shows for one reserve.
pub fn reserve_json(r: &ReserveView, snap: Option<&MarketSnapshot>) -> Result<Value> {
    let s = &r.state;
    let accrued = s.accrual(snap.map(|m| m.now).unwrap_or(s.last_update_ts))?;
    let borrowed = r.ui(f(accrued.borrowed) as u64);
    let available = r.ui(s.available_liquidity);
    let total = available + borrowed;
    let utilization = if total > 0.0 { borrowed / total } else { 0.0 };
    let borrow_apr = f(s.borrow_apr()?);
    let shares = 1.0 - (s.config.reserve_factor_bps as f64 + s.config.insurance_factor_bps as f64) / 10_000.0;
    let price = snap.and_then(|m| m.spot_price(r));
    let exchange = if s.ctoken_supply > 0 { f(s.total_liquidity()?) / s.ctoken_supply as f64 } else { 1.0 };
    let queued = r.ui(s.queued_ctokens) * exchange;
    // What depositors are owed: everything but the protocol's fees and the insurance fund.
    let deposits = total - r.ui(f(accrued.protocol_fees) as u64) - r.ui(f(accrued.insurance_fund) as u64);
    let lcr = ballast_sdk::accounts::liquidity_coverage(available, deposits, queued);
    Ok(json!({
        "reserve": r.key.to_string(),
        "market": s.market.to_string(),
        "mint": s.liquidity_mint.to_string(),
        "decimals": s.liquidity_decimals,
        "price": price,
        // What the last refresh_reserve crank verified and cached (never read by the program: prices it
        // uses are read fresh from the oracle in the same instruction).
        "cached_price": cached_price_json(s, snap.map(|m| m.now)),
        "available_liquidity": available,
        "borrowed": borrowed,
        "utilization": utilization,
        "borrow_apr": borrow_apr,
        "supply_apr": borrow_apr * utilization * shares,
        "insurance_fund": r.ui(f(accrued.insurance_fund) as u64),
        "protocol_fees": r.ui(f(accrued.protocol_fees) as u64),
        "ctoken_exchange_rate": exchange,
        "queued_withdrawals": queued,
        "deposits": deposits,
        "lcr": lcr,
        "oracle": oracle_json(r, snap),
        "ltv_bps": s.config.ltv_bps,
        "liquidation_threshold_bps": s.config.liquidation_threshold_bps,
        "deposit_limit": s.config.deposit_limit,
        "borrow_limit": s.config.borrow_limit,
        "deposit_cap_use": cap_use(f(s.total_liquidity()?), s.config.deposit_limit),
        "borrow_cap_use": cap_use(f(accrued.borrowed), s.config.borrow_limit),
        "outflow_window_secs": s.config.outflow_window_secs,
        "outflow_limit": r.ui(s.config.outflow_limit),
        "outflow_use": outflow_use(s, snap.map(|m| m.now).unwrap_or(s.last_update_ts)),
        "flags": s.config.flags,
        "pending_config_apply_ts": s.pending_config_apply_ts,
    }))
}

/// Each price source of `r`: its account, and as of the snapshot whether it validates for liquidation and
/// its spot price (the secondary is null when none is configured).
fn oracle_json(r: &ReserveView, snap: Option<&MarketSnapshot>) -> Value {
    use ballast_sdk::ballast::oracle::PriceUse;
    // Whether it validates, its price, and how old that price is (seconds before the snapshot's clock).
    let status = |valid: Option<bool>, price: Option<f64>, at: Option<i64>| json!({ "valid": valid, "price": price, "age_secs": at.zip(snap).map(|(t, m)| m.now.saturating_sub(t)) });
    let primary = snap.map(|m| {
        let raw = m.raw.get(&r.price_account());
        (m.primary_valid(r), raw.and_then(ballast_sdk::pyth::spot_price), raw.and_then(ballast_sdk::pyth::publish_time))
    });
    let secondary = r.secondary_price_account().map(|key| {
        let seen = snap.map(|m| {
            let raw = m.raw.get(&key);
            (m.secondary_price(&r.state, PriceUse::Liquidation).is_some_and(|p| p.is_ok()), raw.and_then(ballast_sdk::switchboard::spot_price), raw.and_then(ballast_sdk::switchboard::updated_at))
        });
        json!({ "account": key.to_string(), "kind": "switchboard", "status": status(seen.map(|s| s.0), seen.and_then(|s| s.1), seen.and_then(|s| s.2)) })
    });
    json!({
        "primary": { "account": r.price_account().to_string(), "kind": "pyth", "status": status(primary.map(|p| p.0), primary.and_then(|p| p.1), primary.and_then(|p| p.2)) },
        "secondary": secondary,
        "secondary_only": r.state.config.has_flag(ballast_sdk::ballast::state::FLAG_SECONDARY_ONLY),
    })
}

pub async fn market_show(cluster: &impl Cluster, market: &Pubkey, json_out: bool, out: &mut impl Write) -> Result<()> {
    let snap = MarketSnapshot::load(cluster, market).await?;
    let m = &snap.market;
    let value = json!({
        "market": market.to_string(),
        "admin": m.admin.to_string(),
        "risk_council": m.risk_council.to_string(),
        "quote_currency": quote(&m.quote_currency),
        "config_timelock_secs": m.config.config_timelock_secs,
        "close_factor_bps": m.config.close_factor_bps,
        "dust_threshold_quote": m.config.dust_threshold_quote,
        "emergency": m.config.flags & ballast_sdk::ballast::state::MARKET_FLAG_EMERGENCY != 0,
        "reserves": snap.reserves.len(),
        "obligations": snap.obligations.len(),
    });
    if json_out {
        writeln!(out, "{value}")?;
        return Ok(());
    }
    writeln!(out, "market        {market}")?;
    writeln!(out, "admin         {}", m.admin)?;
    writeln!(out, "risk council  {}", m.risk_council)?;
    writeln!(out, "quote         {}", quote(&m.quote_currency))?;
    writeln!(out, "timelock      {} s", m.config.config_timelock_secs)?;
    writeln!(out, "close factor  {} bps", m.config.close_factor_bps)?;
    writeln!(out, "emergency     {}", value["emergency"])?;
    writeln!(out, "reserves      {}", snap.reserves.len())?;
    writeln!(out, "obligations   {}", snap.obligations.len())?;
    Ok(())
}

pub async fn reserve_list(cluster: &impl Cluster, market: &Pubkey, json_out: bool, out: &mut impl Write) -> Result<()> {
    let snap = MarketSnapshot::load(cluster, market).await?;
    let rows: Vec<Value> = snap.reserves.iter().map(|r| reserve_json(r, Some(&snap))).collect::<Result<_>>()?;
    if json_out {
        writeln!(out, "{}", Value::Array(rows))?;
        return Ok(());
    }
    writeln!(out, "{:<44} {:>12} {:>14} {:>14} {:>7} {:>8} {:>8}", "reserve", "price", "available", "borrowed", "util", "borrow", "supply")?;
    for r in rows {
        writeln!(
            out,
            "{:<44} {:>12.4} {:>14.2} {:>14.2} {:>6.1}% {:>7.2}% {:>7.2}%",
            r["reserve"].as_str().unwrap_or(""),
            r["price"].as_f64().unwrap_or(f64::NAN),
            r["available_liquidity"].as_f64().unwrap_or(0.0),
            r["borrowed"].as_f64().unwrap_or(0.0),
            100.0 * r["utilization"].as_f64().unwrap_or(0.0),
            100.0 * r["borrow_apr"].as_f64().unwrap_or(0.0),
            100.0 * r["supply_apr"].as_f64().unwrap_or(0.0),
        )?;
    }
    Ok(())
}

pub async fn reserve_show(cluster: &impl Cluster, reserve: &Pubkey, json_out: bool, out: &mut impl Write) -> Result<()> {
    let state: Reserve = load_reserve(cluster, reserve).await?;
    let snap = MarketSnapshot::load(cluster, &state.market).await?;
    let value = reserve_json(snap.reserve(reserve)?, Some(&snap))?;
    if json_out {
        writeln!(out, "{value}")?;
    } else {
        for (k, v) in value.as_object().expect("object") {
            writeln!(out, "{k:<26} {v}")?;
        }
    }
    Ok(())
}

/// Positions, health, max borrow per reserve and liquidation prices of one obligation.
pub fn obligation_json(snap: &MarketSnapshot, key: &Pubkey, o: &Obligation) -> Result<Value> {
    let p = Projection::new(snap);
    let name = |k: &Pubkey| k.to_string();
    let deposits: Vec<Value> = o
        .active_deposits()
        .iter()
        .map(|d| {
            let r = snap.reserve(&d.reserve)?;
            let liquidity = r.state.ctokens_to_liquidity_floor(d.ctoken_amount)?;
            Ok(json!({ "reserve": name(&d.reserve), "ctokens": d.ctoken_amount, "liquidity": r.ui(liquidity),
                       "max_withdraw_ctokens": p.max_withdraw(o, &d.reserve)? }))
        })
        .collect::<Result<_>>()?;
    let borrows: Vec<Value> = o
        .active_borrows()
        .iter()
        .map(|b| {
            let r = snap.reserve(&b.reserve)?;
            let debt = f(b.debt_at(r.state.accrual(snap.now)?.cumulative_borrow_index)?);
            Ok(json!({ "reserve": name(&b.reserve), "debt": r.ui(debt.ceil() as u64) }))
        })
        .collect::<Result<_>>()?;
    let max_borrow: Vec<Value> = snap
        .reserves
        .iter()
        .map(|r| Ok(json!({ "reserve": name(&r.key), "max_borrow": r.ui(p.max_borrow(o, &r.key)?) })))
        .collect::<Result<_>>()?;
    let health = p.health(o, ballast_sdk::ballast::oracle::PriceUse::Liquidation)?;
    Ok(json!({
        "obligation": name(key),
        "owner": name(&o.owner),
        "market": name(&o.market),
        "elevation_group": o.elevation_group,
        "deposits": deposits,
        "borrows": borrows,
        "collateral_value": f(health.collateral_value),
        "debt_value": f(health.debt_value),
        "liquidation_health": p.liquidation_health(o)?,
        "liquidatable": p.is_liquidatable(o)?,
        "max_borrow": max_borrow,
        "liquidation_prices": serde_json::to_value(p.liquidation_prices(o)?)?,
    }))
}

pub async fn obligation_show(cluster: &impl Cluster, key: &Pubkey, json_out: bool, out: &mut impl Write) -> Result<()> {
    let account = cluster.account(key).await?.ok_or_else(|| anyhow!("unknown obligation {key}: no account at that address"))?;
    let o: Obligation = decode(&account.data).map_err(|_| anyhow!("unknown obligation {key}: not a Ballast obligation"))?;
    let snap = MarketSnapshot::load(cluster, &o.market).await?;
    let value = obligation_json(&snap, key, &o)?;
    if json_out {
        writeln!(out, "{value}")?;
        return Ok(());
    }
    writeln!(out, "obligation {key} (owner {})", o.owner)?;
    for d in value["deposits"].as_array().into_iter().flatten() {
        writeln!(out, "  collateral {}  {:.6} liquidity", d["reserve"].as_str().unwrap_or(""), d["liquidity"].as_f64().unwrap_or(0.0))?;
    }
    for b in value["borrows"].as_array().into_iter().flatten() {
        writeln!(out, "  debt       {}  {:.6}", b["reserve"].as_str().unwrap_or(""), b["debt"].as_f64().unwrap_or(0.0))?;
    }
    writeln!(out, "  collateral value {:.2}, debt value {:.2}", value["collateral_value"].as_f64().unwrap_or(0.0), value["debt_value"].as_f64().unwrap_or(0.0))?;
    match value["liquidation_health"].as_f64() {
        Some(h) => writeln!(out, "  liquidation health {h:.4}{}", if h < 1.0 { "  (LIQUIDATABLE)" } else { "" })?,
        None => writeln!(out, "  no debt")?,
    }
    for m in value["max_borrow"].as_array().into_iter().flatten() {
        writeln!(out, "  max borrow {}  {:.6}", m["reserve"].as_str().unwrap_or(""), m["max_borrow"].as_f64().unwrap_or(0.0))?;
    }
    for l in value["liquidation_prices"].as_array().into_iter().flatten() {
        let price = l["liquidation_price"].as_f64().map(|p| format!("{p:.4}")).unwrap_or_else(|| "-".into());
        writeln!(out, "  liquidation price {} ({}): {price} (spot {:.4})", l["reserve"].as_str().unwrap_or(""), l["side"].as_str().unwrap_or(""), l["spot"].as_f64().unwrap_or(0.0))?;
    }
    Ok(())
}
