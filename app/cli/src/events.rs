//! `ballast events`: the market's recent events, read from transactions' inner instructions.
use anyhow::{bail, Result};
use ballast_sdk::{accounts::MarketSnapshot, events::EVENT_NAMES, Cluster, Pubkey};
use serde_json::{json, Value};
use std::io::Write;

/// What to print.
#[derive(Clone, Debug)]
pub struct Query {
    /// Most recent transactions to read.
    pub limit: usize,
    /// Only events of this type (e.g. `LiquidateEvent`, or `Liquidate`).
    pub kind: Option<String>,
}

/// The events of the newest transactions that name the market or one of its reserves, newest first. Text
/// prints one line per event with its scalar fields, and for a config event the fields that differ between
/// the configs it carries; `--json` prints every field.
pub async fn events(cluster: &impl Cluster, market: &Pubkey, query: &Query, json_out: bool, out: &mut impl Write) -> Result<()> {
    let kind = match &query.kind {
        Some(k) => {
            let full = if k.ends_with("Event") { k.clone() } else { format!("{k}Event") };
            if !EVENT_NAMES.contains(&full.as_str()) {
                bail!("--kind: `{k}` is not a Ballast event; one of {}", EVENT_NAMES.join(", "));
            }
            Some(full)
        }
        None => None,
    };
    let snap = MarketSnapshot::load(cluster, market).await?;
    let mut addresses = vec![*market];
    addresses.extend(snap.reserves.iter().map(|r| r.key));
    let txs = cluster.ballast_transactions(&addresses, query.limit).await?;
    let mut rows = vec![];
    for tx in &txs {
        for event in tx.events.iter().filter(|e| kind.as_deref().is_none_or(|k| e.name() == k)) {
            rows.push(json!({ "slot": tx.slot, "signature": tx.signature, "event": event.name(), "fields": event.to_json() }));
        }
    }
    if json_out {
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        return Ok(());
    }
    if rows.is_empty() {
        writeln!(out, "no events in the last {} transactions of market {market}", query.limit)?;
    }
    for row in &rows {
        let signature = row["signature"].as_str().unwrap_or_default();
        let short = signature.get(..12).unwrap_or(signature);
        writeln!(out, "{:>10}  {short}…  {}  {}", row["slot"], row["event"].as_str().unwrap_or_default(), summary(&row["fields"]))?;
    }
    Ok(())
}

/// `key=value` for every scalar field, then `changed: field a→b` for a pair of configs (old/new,
/// current/pending).
pub fn summary(fields: &Value) -> String {
    let Some(map) = fields.as_object() else { return fields.to_string() };
    let mut parts: Vec<String> = map
        .iter()
        .filter(|(_, v)| !v.is_object())
        .map(|(k, v)| format!("{k}={}", v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
        .collect();
    for (before, after) in [("old", "new"), ("current", "pending")] {
        if let (Some(a), Some(b)) = (map.get(before), map.get(after)) {
            let changed: Vec<String> = ballast_sdk::idl_json::diff(a, b).into_iter().map(|(path, x, y)| format!("{path} {x}→{y}")).collect();
            parts.push(format!("changed: {}", if changed.is_empty() { "nothing".to_string() } else { changed.join(", ") }));
        }
    }
    for single in ["dropped", "config", "group"] {
        if let Some(v) = map.get(single).filter(|v| v.is_object()) {
            parts.push(format!("{single}={v}"));
        }
    }
    parts.join(" ")
}
