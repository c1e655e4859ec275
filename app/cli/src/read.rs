//! Read commands: text for people, `--json` for scripts.
use crate::load_reserve;
use anyhow::{anyhow, Result};
use ballast_sdk::{
    accounts::decode,
    ballast::state::{Obligation, Reserve},
    summary::{ObligationSummary, ReserveSummary},
    MarketSnapshot, Cluster, Pubkey, ReserveView,
};
use serde_json::{json, Value};
use std::io::Write;

fn quote(bytes: &[u8; 32]) -> String {
    String::from_utf8_lossy(bytes).trim_end_matches('\0').to_string()
}

/// The numbers a dashboard shows for one reserve ([`ballast_sdk::summary::ReserveSummary`]), as JSON.
pub fn reserve_json(r: &ReserveView, snap: Option<&MarketSnapshot>) -> Result<Value> {
    Ok(serde_json::to_value(ReserveSummary::new(r, snap)?)?)
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
        "emergency": m.config.has_flag(ballast_sdk::ballast::state::MARKET_FLAG_EMERGENCY),
        "partial_liquidation_only": m.config.has_flag(ballast_sdk::ballast::state::MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY),
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
    if m.config.has_flag(ballast_sdk::ballast::state::MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY) {
        writeln!(out, "liquidation   partial only: the close factor binds at any health, no dust rules")?;
    }
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

/// Positions, health, max borrow per reserve and liquidation prices of one obligation
/// ([`ballast_sdk::summary::ObligationSummary`]), as JSON.
pub fn obligation_json(snap: &MarketSnapshot, key: &Pubkey, o: &Obligation) -> Result<Value> {
    Ok(serde_json::to_value(ObligationSummary::new(snap, key, o)?)?)
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
    if o.insolvent_since != 0 {
        writeln!(out, "  insolvent since {} (unix s): its bonus follows the insolvent auction", o.insolvent_since)?;
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
