//! The SPL-style baseline every scenario runs beside Ballast: the same market, population and prices, with
//! what an SPL token-lending style protocol lacks taken away. Every difference is listed here, printed in the
//! report and checked by a test; anything not listed is the scenario's own config.
use anyhow::Result;
use ballast_migrate::Spec;
use ballast_sdk::{accounts::decode, ballast::state::{Market, Reserve}, pda, Cluster, InProcess, Pubkey};
use serde::Serialize;

/// One way the baseline differs from the scenario's market, as the report prints it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Difference {
    pub what: String,
    pub ballast: String,
    pub baseline: String,
}

/// The baseline's market: a fixed 5% bonus with no protocol cut and no insolvent auction, no target health, a
/// 50% close factor and no full liquidation at low health, no dust rules, no confidence band, no volatility
/// haircut on LTV and no volatility regime, no utilization ceiling, no outflow limiters. (Its feed, its queue: see `differences`.)
pub fn spl_baseline(spec: &Spec) -> Spec {
    let mut s = spec.clone();
    s.market.close_factor_bps = 5_000;
    s.market.partial_liquidation_only = true;
    s.market.dust_threshold_quote = 0;
    s.market.outflow_limit_quote = None;
    s.market.outflow_window_secs = 0;
    for r in &mut s.reserves {
        (r.min_liquidation_bonus_bps, r.max_liquidation_bonus_bps) = (500, 500);
        r.protocol_liquidation_fee_bps = 0;
        r.insolvent_auction_secs = 0;
        r.liquidation_target_health_bps = 0;
        r.regime = None;
        r.oracle.conf_multiplier_bps = 0;
        r.oracle.volatility_haircut_bps = 0;
        r.utilization_ceiling_bps = 10_000;
        r.outflow_limit = None;
        r.outflow_window_secs = 0;
    }
    s
}

/// Every way the baseline differs from `spec`: each config field that `spl_baseline` changes (per reserve
/// where they differ), and what the baseline's world does differently.
pub fn differences(spec: &Spec) -> Vec<Difference> {
    let base = spl_baseline(spec);
    let mut out = vec![];
    let mut push = |what: String, a: String, b: String| {
        if a != b {
            out.push(Difference { what, ballast: a, baseline: b });
        }
    };
    let (m, bm) = (&spec.market, &base.market);
    push("close factor (bps)".into(), m.close_factor_bps.to_string(), bm.close_factor_bps.to_string());
    push("dust threshold (quote)".into(), m.dust_threshold_quote.to_string(), bm.dust_threshold_quote.to_string());
    push("full liquidation at health ≤ 0.95 (and dust rules)".into(), (!m.partial_liquidation_only).to_string(), (!bm.partial_liquidation_only).to_string());
    push("market outflow limit".into(), limit(m.outflow_limit_quote.map(|l| l as f64), m.outflow_window_secs), limit(bm.outflow_limit_quote.map(|l| l as f64), bm.outflow_window_secs));
    for (r, b) in spec.reserves.iter().zip(&base.reserves) {
        let at = |what: &str| format!("{} {what}", r.symbol);
        push(at("liquidation bonus (bps)"), format!("{}–{}", r.min_liquidation_bonus_bps, r.max_liquidation_bonus_bps), format!("{}–{}", b.min_liquidation_bonus_bps, b.max_liquidation_bonus_bps));
        push(at("insolvent auction (s; 0 = max bonus at once)"), r.insolvent_auction_secs.to_string(), b.insolvent_auction_secs.to_string());
        push(at("liquidation target health (bps; 0 = close factor alone)"), r.liquidation_target_health_bps.to_string(), b.liquidation_target_health_bps.to_string());
        push(at("protocol cut of the bonus (bps)"), r.protocol_liquidation_fee_bps.to_string(), b.protocol_liquidation_fee_bps.to_string());
        push(at("confidence band multiplier (bps)"), r.oracle.conf_multiplier_bps.to_string(), b.oracle.conf_multiplier_bps.to_string());
        push(at("volatility haircut (bps)"), r.oracle.volatility_haircut_bps.to_string(), b.oracle.volatility_haircut_bps.to_string());
        push(at("volatility regime"), regime(&r.regime), regime(&b.regime));
        push(at("utilization ceiling (bps)"), r.utilization_ceiling_bps.to_string(), b.utilization_ceiling_bps.to_string());
        push(at("outflow limit"), limit(r.outflow_limit, r.outflow_window_secs), limit(b.outflow_limit, b.outflow_window_secs));
    }
    out.push(Difference { what: "price feed".into(), ballast: "Pyth-like: EMA, confidence, latency".into(), baseline: "its spot only (EMA = spot, no confidence): no EMA band".into() });
    out.push(Difference { what: "withdrawal queue".into(), ballast: "refused depositors queue".into(), baseline: "refused depositors retry".into() });
    out
}

fn regime(r: &Option<ballast_migrate::spec::RegimeSpec>) -> String {
    match r {
        None => "off".into(),
        Some(r) => format!(
            "half-life {} min, calm {}% / turbulent {}% vol, LTV cut ≤ {} bps, rate add-on ≤ {} bps",
            r.half_life_mins,
            r.calm_vol_bps / 100,
            r.turbulent_vol_bps / 100,
            r.max_ltv_cut_bps,
            r.max_rate_addon_bps
        ),
    }
}

fn limit(limit: Option<f64>, window: u32) -> String {
    match (limit, window) {
        (_, 0) | (None, _) => "off".into(),
        (Some(l), w) => format!("{l} per {w} s"),
    }
}

/// Writes the configs of `spec` (the world's spec, mints and price accounts filled) into `cluster`'s market and
/// reserve accounts as they stand: a simulator's way to run the same positions under another config.
pub async fn rewrite_configs(cluster: &InProcess, market: &Pubkey, spec: &Spec) -> Result<()> {
    let mut account = cluster.account(market).await?.ok_or_else(|| anyhow::anyhow!("no market"))?;
    let mut state: Market = decode(&account.data)?;
    state.config = spec.market.config();
    account.data[8..].copy_from_slice(bytemuck::bytes_of(&state));
    cluster.set_account(market, account).await;
    for r in &spec.reserves {
        let key = pda::reserve(market, &r.mint()?);
        let mut account = cluster.account(&key).await?.ok_or_else(|| anyhow::anyhow!("no reserve for {}", r.symbol))?;
        let mut state: Reserve = decode(&account.data)?;
        state.config = r.config()?;
        account.data[8..].copy_from_slice(bytemuck::bytes_of(&state));
        cluster.set_account(&key, account).await;
    }
    Ok(())
}
