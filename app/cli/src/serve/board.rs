//! What the dashboard shows, read at one moment: the market, its reserves, the risk report, every obligation
//! and the recent liquidations and write-offs. Pages and the JSON API both render a [`Board`]; every number in
//! it comes from the SDK (`read::reserve_json`, `read::obligation_json`, `ballast_sdk::risk`).
use crate::read;
use anyhow::Result;
use ballast_sdk::{events::BallastEvent, health::Projection, risk, Cluster, MarketSnapshot, Pubkey, ReserveView};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

/// Refreshes kept for the history charts.
pub const HISTORY: usize = 240;
/// Most recent transactions read for the activity page.
pub const ACTIVITY_TXS: usize = 500;

/// One refresh's per-reserve figures, for the charts over time.
#[derive(Clone, Debug, Serialize)]
pub struct Point {
    pub slot: u64,
    pub now: i64,
    /// By reserve symbol.
    pub utilization: BTreeMap<String, f64>,
    pub lcr: BTreeMap<String, Option<f64>>,
}

/// A row of the obligations page.
#[derive(Clone, Debug, Serialize)]
pub struct ObligationRow {
    pub obligation: String,
    pub owner: String,
    pub collateral_value: f64,
    pub debt_value: f64,
    /// None without debt.
    pub liquidation_health: Option<f64>,
    pub liquidatable: bool,
}

/// A liquidation or a write-off, amounts in whole tokens of the reserve named.
#[derive(Clone, Debug, Serialize)]
pub struct Activity {
    pub slot: u64,
    pub signature: String,
    pub kind: &'static str,
    pub obligation: String,
    /// The reserve repaid (liquidation) or written off (write-off).
    pub reserve: String,
    pub amount: f64,
    /// Liquidation: the reserve whose collateral was seized, the whole tokens that collateral is worth
    /// (at the exchange rate now) and the bonus; write-off: how the loss was covered.
    pub detail: Value,
}

#[derive(Clone, Debug, Serialize)]
pub struct Board {
    /// Where the numbers come from: an RPC URL, or `demo`.
    pub source: String,
    /// What the world is doing (the demo's crash step), if anything.
    pub status: String,
    pub slot: u64,
    pub now: i64,
    /// Page refresh interval for the browser, milliseconds (0 = never).
    pub refresh_ms: u64,
    pub market: Value,
    pub reserves: Vec<Value>,
    pub risk: risk::RiskReport,
    pub obligations: Vec<ObligationRow>,
    #[serde(skip)]
    pub details: HashMap<String, Value>,
    pub activity: Vec<Activity>,
    pub history: Vec<Point>,
}

impl Board {
    /// The symbol shown for a reserve address (or a shortened address when none is known).
    pub fn symbol(&self, reserve: &str) -> String {
        self.reserves
            .iter()
            .find(|r| r["reserve"] == reserve)
            .and_then(|r| r["symbol"].as_str().map(str::to_string))
            .unwrap_or_else(|| short(reserve))
    }

    /// Obligations sorted by `key` (`health`, `debt` or `collateral`), ascending unless `descending`; no
    /// debt sorts as the healthiest.
    pub fn sorted(&self, key: &str, descending: bool) -> Vec<&ObligationRow> {
        let mut rows: Vec<&ObligationRow> = self.obligations.iter().collect();
        let value = |o: &ObligationRow| match key {
            "debt" => o.debt_value,
            "collateral" => o.collateral_value,
            _ => o.liquidation_health.unwrap_or(f64::INFINITY),
        };
        rows.sort_by(|a, b| value(a).total_cmp(&value(b)).then_with(|| a.obligation.cmp(&b.obligation)));
        if descending {
            rows.reverse();
        }
        rows
    }
}

/// The first and last four characters of an address.
pub fn short(key: &str) -> String {
    if key.len() <= 10 { key.to_string() } else { format!("{}…{}", &key[..4], &key[key.len() - 4..]) }
}

/// Reads the market through `cluster` and builds the board. `names` gives reserves their symbols; `previous`
/// carries the history forward.
pub async fn load(cluster: &impl Cluster, market: &Pubkey, names: &HashMap<Pubkey, String>, source: &str, status: &str, refresh_ms: u64, previous: Option<&Board>) -> Result<Board> {
    let snap = MarketSnapshot::load(cluster, market).await?;
    let mut addresses = vec![*market];
    addresses.extend(snap.reserves.iter().map(|r| r.key));
    let txs = cluster.ballast_transactions(&addresses, ACTIVITY_TXS).await?;
    let activity = txs
        .iter()
        .flat_map(|tx| tx.events.iter().filter_map(|e| activity(&snap, tx.slot, &tx.signature, e)))
        .collect();
    build(&snap, names, source, status, refresh_ms, previous, activity)
}

fn name_of(names: &HashMap<Pubkey, String>, key: &Pubkey) -> String {
    names.get(key).cloned().unwrap_or_else(|| short(&key.to_string()))
}

/// Builds the board from a snapshot already read (and its activity).
pub fn build(snap: &MarketSnapshot, names: &HashMap<Pubkey, String>, source: &str, status: &str, refresh_ms: u64, previous: Option<&Board>, activity: Vec<Activity>) -> Result<Board> {
    let p = Projection::new(snap);
    let mut reserves = vec![];
    for r in &snap.reserves {
        let mut v = read::reserve_json(r, Some(snap))?;
        v["symbol"] = json!(name_of(names, &r.key));
        reserves.push(v);
    }
    let mut obligations = vec![];
    let mut details = HashMap::new();
    for o in &snap.obligations {
        let detail = read::obligation_json(snap, &o.key, &o.state)?;
        obligations.push(ObligationRow {
            obligation: o.key.to_string(),
            owner: o.state.owner.to_string(),
            collateral_value: detail["collateral_value"].as_f64().unwrap_or(0.0),
            debt_value: detail["debt_value"].as_f64().unwrap_or(0.0),
            liquidation_health: p.liquidation_health(&o.state)?,
            liquidatable: p.is_liquidatable(&o.state)?,
        });
        details.insert(o.key.to_string(), detail);
    }
    let market = json!({
        "market": snap.key.to_string(),
        "admin": snap.market.admin.to_string(),
        "risk_council": snap.market.risk_council.to_string(),
        "close_factor_bps": snap.market.config.close_factor_bps,
        "config_timelock_secs": snap.market.config.config_timelock_secs,
        "emergency": snap.market.config.flags & ballast_sdk::ballast::state::MARKET_FLAG_EMERGENCY != 0,
        "reserves": snap.reserves.len(),
        "obligations": snap.obligations.len(),
    });
    let point = Point {
        slot: snap.slot,
        now: snap.now,
        utilization: reserves.iter().map(|r| (r["symbol"].as_str().unwrap_or("").to_string(), r["utilization"].as_f64().unwrap_or(0.0))).collect(),
        lcr: reserves.iter().map(|r| (r["symbol"].as_str().unwrap_or("").to_string(), r["lcr"].as_f64())).collect(),
    };
    let mut history: Vec<Point> = previous.map(|b| b.history.clone()).unwrap_or_default();
    if history.last().is_none_or(|last| last.slot != point.slot || last.now != point.now) {
        history.push(point);
    }
    if history.len() > HISTORY {
        history.drain(..history.len() - HISTORY);
    }
    Ok(Board {
        source: source.to_string(),
        status: status.to_string(),
        slot: snap.slot,
        now: snap.now,
        refresh_ms,
        market,
        reserves,
        risk: risk::report(snap)?,
        obligations,
        details,
        activity,
        history,
    })
}

fn ui(snap: &MarketSnapshot, reserve: &Pubkey, native: u64) -> f64 {
    snap.reserve(reserve).map(|r: &ReserveView| r.ui(native)).unwrap_or(native as f64)
}

/// A liquidation or write-off event as a row of the activity page; other events are not shown there.
fn activity(snap: &MarketSnapshot, slot: u64, signature: &str, event: &BallastEvent) -> Option<Activity> {
    match event {
        BallastEvent::LiquidateEvent(e) => {
            let seized = snap.reserve(&e.withdraw_reserve).ok().and_then(|r| r.state.ctokens_to_liquidity_floor(e.seized_ctokens).ok().map(|l| r.ui(l)));
            Some(Activity {
                slot,
                signature: signature.to_string(),
                kind: "liquidation",
                obligation: e.obligation.to_string(),
                reserve: e.repay_reserve.to_string(),
                amount: ui(snap, &e.repay_reserve, e.repay_amount),
                detail: json!({
                    "withdraw_reserve": e.withdraw_reserve.to_string(),
                    "seized_ctokens": e.seized_ctokens,
                    "seized_liquidity": seized,
                    "protocol_fee_ctokens": e.protocol_fee_ctokens,
                    "bonus_bps": e.bonus_bps,
                    "liquidator": e.liquidator.to_string(),
                }),
            })
        }
        BallastEvent::BadDebtSocializedEvent(e) => Some(Activity {
            slot,
            signature: signature.to_string(),
            kind: "write-off",
            obligation: e.obligation.to_string(),
            reserve: e.reserve.to_string(),
            amount: ui(snap, &e.reserve, e.debt_amount),
            detail: json!({
                "from_insurance": ui(snap, &e.reserve, e.from_insurance),
                "from_protocol_fees": ui(snap, &e.reserve, e.from_protocol_fees),
                "from_depositors": ui(snap, &e.reserve, e.from_depositors),
            }),
        }),
        _ => None,
    }
}
