//! What the dashboard shows, read at one moment: the market, its reserves, the risk report, every obligation
//! and the recent liquidations and write-offs. Pages and the JSON API both render a [`Board`]; every number in
//! it comes from the SDK (`summary::ReserveSummary`, `summary::ObligationSummary`, `risk`).
use crate::read;
use anyhow::Result;
use ballast_sdk::{events::BallastEvent, risk, Cluster, MarketSnapshot, Pubkey};
use serde::Serialize;
use serde_json::{json, Value};
use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::Arc,
};

/// Boards kept for the history charts.
pub const HISTORY: usize = 240;
/// Most recent transactions read for the activity page, and most rows it keeps.
pub const ACTIVITY_TXS: usize = 500;

/// One board's per-reserve figures, for the charts over time.
#[derive(Clone, Debug, Serialize)]
pub struct Point {
    pub slot: u64,
    pub now: i64,
    /// By reserve symbol.
    pub utilization: BTreeMap<String, f64>,
    pub lcr: BTreeMap<String, Option<f64>>,
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

/// What one refresh hands the next: the history so far, and the transactions already read (so each is
/// fetched once).
#[derive(Default)]
pub struct Memory {
    pub history: Vec<Point>,
    pub activity: Vec<Activity>,
    seen: HashSet<String>,
}

#[derive(Clone, Serialize)]
pub struct Board {
    /// Where the numbers come from: an RPC URL without its query or credentials, or `demo`.
    pub source: String,
    /// What the world is doing (the demo's crash step, a failed read), if anything.
    pub status: String,
    pub slot: u64,
    pub now: i64,
    /// Page refresh interval for the browser, milliseconds (0 = never).
    pub refresh_ms: u64,
    /// How long reading the market and building this board took, milliseconds.
    pub build_ms: u64,
    pub market: Value,
    /// Each reserve's `ReserveSummary` with its `symbol`.
    pub reserves: Vec<Value>,
    pub risk: risk::RiskReport,
    pub obligations: Vec<risk::Assessment>,
    pub activity: Vec<Activity>,
    /// Why the activity could not be read this time (the rows are then the last ones read).
    pub activity_error: Option<String>,
    pub history: Vec<Point>,
    /// What the board was built from: an obligation's detail is computed from it when asked for (max borrow
    /// is a search per reserve, too slow to run for every obligation on every refresh).
    #[serde(skip)]
    pub snapshot: Arc<MarketSnapshot>,
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
    /// debt sorts as the healthiest, an unpriced obligation after it.
    pub fn sorted(&self, key: &str, descending: bool) -> Vec<&risk::Assessment> {
        let mut rows: Vec<&risk::Assessment> = self.obligations.iter().collect();
        // (rank, value): with health first, then no debt, then unpriced; by value within a rank.
        let value = |o: &risk::Assessment| match key {
            "debt" => (0, o.debt_value),
            "collateral" => (0, o.collateral_value),
            _ if o.error.is_some() => (2, 0.0),
            _ => o.liquidation_health.map_or((1, 0.0), |h| (0, h)),
        };
        rows.sort_by(|a, b| {
            let (x, y) = (value(a), value(b));
            x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)).then_with(|| a.obligation.cmp(&b.obligation))
        });
        if descending {
            rows.reverse();
        }
        rows
    }

    /// One obligation's positions, health, max borrow and liquidation prices (`obligation show --json`), as of
    /// the board's moment; None when `key` is not an obligation of the market.
    pub fn detail(&self, key: &str) -> Option<Result<Value>> {
        let o = self.snapshot.obligations.iter().find(|o| o.key.to_string() == key)?;
        Some(read::obligation_json(&self.snapshot, &o.key, &o.state))
    }
}

/// The first and last four characters of an address.
pub fn short(key: &str) -> String {
    if key.chars().count() <= 10 {
        return key.to_string();
    }
    let chars: Vec<char> = key.chars().collect();
    format!("{}…{}", chars[..4].iter().collect::<String>(), chars[chars.len() - 4..].iter().collect::<String>())
}

/// An RPC URL fit to show: scheme, host, port and path, without credentials or a query (API keys live there).
pub fn public_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    if scheme.is_empty() { rest.to_string() } else { format!("{scheme}://{rest}") }
}

/// Reads the market through `cluster` and builds the board. `names` gives reserves their symbols; `memory`
/// carries the history and the transactions already read from one refresh to the next.
pub async fn load(cluster: &impl Cluster, market: &Pubkey, names: &HashMap<Pubkey, String>, source: &str, status: &str, refresh_ms: u64, memory: &mut Memory) -> Result<Board> {
    let started = std::time::Instant::now();
    let snap = MarketSnapshot::load(cluster, market).await?;
    let mut addresses = vec![*market];
    addresses.extend(snap.reserves.iter().map(|r| r.key));
    if memory.seen.len() > 20 * ACTIVITY_TXS {
        memory.seen.clear(); // bounded: the next read fetches the newest transactions once more
    }
    let activity_error = match cluster.new_ballast_transactions(&addresses, ACTIVITY_TXS, &mut memory.seen).await {
        Ok(txs) => {
            let mut rows: Vec<Activity> = txs.iter().flat_map(|tx| tx.events.iter().filter_map(|e| activity(&snap, tx.slot, &tx.signature, e))).collect();
            rows.append(&mut memory.activity);
            rows.sort_by_key(|a| std::cmp::Reverse(a.slot)); // stable: within a slot, newest first as read
            rows.truncate(ACTIVITY_TXS);
            memory.activity = rows;
            None
        }
        Err(e) => Some(format!("{e:#}").replace('\n', " ")),
    };
    let mut board = build(snap, names, source, status, refresh_ms, memory)?;
    board.activity_error = activity_error;
    board.build_ms = started.elapsed().as_millis() as u64;
    Ok(board)
}

fn name_of(names: &HashMap<Pubkey, String>, key: &Pubkey) -> String {
    names.get(key).cloned().unwrap_or_else(|| short(&key.to_string()))
}

/// Builds the board from a snapshot already read, with the activity and history in `memory`.
pub fn build(snap: MarketSnapshot, names: &HashMap<Pubkey, String>, source: &str, status: &str, refresh_ms: u64, memory: &mut Memory) -> Result<Board> {
    let mut reserves = vec![];
    for r in &snap.reserves {
        let mut v = read::reserve_json(r, Some(&snap))?;
        v["symbol"] = json!(name_of(names, &r.key));
        reserves.push(v);
    }
    let obligations = risk::assess(&snap);
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
    let symbol = |r: &Value| r["symbol"].as_str().unwrap_or("").to_string();
    memory.history.push(Point {
        slot: snap.slot,
        now: snap.now,
        utilization: reserves.iter().map(|r| (symbol(r), r["utilization"].as_f64().unwrap_or(0.0))).collect(),
        lcr: reserves.iter().map(|r| (symbol(r), r["lcr"].as_f64())).collect(),
    });
    if memory.history.len() > HISTORY {
        memory.history.drain(..memory.history.len() - HISTORY);
    }
    Ok(Board {
        source: public_url(source),
        status: status.to_string(),
        slot: snap.slot,
        now: snap.now,
        refresh_ms,
        build_ms: 0,
        market,
        reserves,
        risk: risk::report_of(&obligations),
        obligations,
        activity: memory.activity.clone(),
        activity_error: None,
        history: memory.history.clone(),
        snapshot: Arc::new(snap),
    })
}

/// A liquidation or write-off event of this market's reserves as a row of the activity page; other events
/// (and events of other markets' reserves in the same transaction) are not shown there.
fn activity(snap: &MarketSnapshot, slot: u64, signature: &str, event: &BallastEvent) -> Option<Activity> {
    match event {
        BallastEvent::LiquidateEvent(e) => {
            let (repay, withdraw) = (snap.reserve(&e.repay_reserve).ok()?, snap.reserve(&e.withdraw_reserve).ok()?);
            let seized = withdraw.state.ctokens_to_liquidity_floor(e.seized_ctokens).ok().map(|l| withdraw.ui(l));
            Some(Activity {
                slot,
                signature: signature.to_string(),
                kind: "liquidation",
                obligation: e.obligation.to_string(),
                reserve: e.repay_reserve.to_string(),
                amount: repay.ui(e.repay_amount),
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
        BallastEvent::BadDebtSocializedEvent(e) => {
            let r = snap.reserve(&e.reserve).ok()?;
            Some(Activity {
                slot,
                signature: signature.to_string(),
                kind: "write-off",
                obligation: e.obligation.to_string(),
                reserve: e.reserve.to_string(),
                amount: r.ui(e.debt_amount),
                detail: json!({
                    "from_insurance": r.ui(e.from_insurance),
                    "from_protocol_fees": r.ui(e.from_protocol_fees),
                    "from_depositors": r.ui(e.from_depositors),
                }),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_succeeds_dropping_credentials_and_query() {
        assert_eq!(public_url("https://user:pw@rpc.example.com:8899/v1?api-key=SECRET#x"), "https://rpc.example.com:8899/v1");
        assert_eq!(public_url("http://127.0.0.1:8899"), "http://127.0.0.1:8899");
        assert_eq!(public_url("demo (in-process)"), "demo (in-process)");
        assert_eq!(short("abc"), "abc");
        assert_eq!(short("NotAnObligation"), "NotA…tion");
    }
}
