//! The market's risk at a glance: debt grouped by liquidation health, and for each asset the price move at
//! which each group becomes liquidatable. Built from [`Projection`]'s per-obligation numbers, so it shows what
//! the program would enforce.
use crate::{
    accounts::MarketSnapshot,
    health::{LiquidationPrice, Projection, Side},
};
use ballast::oracle::PriceUse;
use serde::Serialize;

/// Liquidation-health bucket bounds: `[lower, upper)`. The first holds the liquidatable obligations.
pub const BUCKET_BOUNDS: [(f64, f64); 6] = [(0.0, 1.0), (1.0, 1.1), (1.1, 1.25), (1.25, 1.5), (1.5, 2.0), (2.0, f64::INFINITY)];

/// The obligations with debt whose liquidation health lies in `[lower, upper)`.
#[derive(Clone, Debug, Serialize)]
pub struct Bucket {
    pub label: String,
    pub lower: f64,
    /// None for the open-ended last bucket.
    pub upper: Option<f64>,
    pub obligations: usize,
    /// Debt value at liquidation prices, quote units.
    pub debt_value: f64,
    /// Collateral value at liquidation prices, quote units.
    pub collateral_value: f64,
}

/// For one asset and one bucket: the move of the asset's spot price (others fixed) at which the bucket's
/// obligations exposed to it become liquidatable, as a signed fraction of spot (−0.2 = a 20% drop).
#[derive(Clone, Debug, Serialize)]
pub struct AssetMove {
    pub reserve: String,
    pub side: Side,
    /// Index into [`RiskReport::buckets`].
    pub bucket: usize,
    /// Obligations of the bucket holding the asset on this side.
    pub obligations: usize,
    /// Their debt value, quote units.
    pub debt_value: f64,
    /// The smallest move that makes one of them liquidatable.
    pub first: Option<f64>,
    /// The move that makes all of them liquidatable; None when some cannot be by this asset alone.
    pub all: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RiskReport {
    pub buckets: Vec<Bucket>,
    pub moves: Vec<AssetMove>,
    /// Obligations without debt (never liquidatable).
    pub debt_free: usize,
    /// Obligations whose health cannot be computed now (a price source is stale, missing or invalid): they
    /// are in no bucket. The program refuses to act on them too until their prices validate again.
    pub unpriced: usize,
    /// Total debt value of the bucketed obligations, quote units.
    pub debt_value: f64,
}

/// Liquidation health below which the demo and the keeper's reports call an obligation at risk.
pub const AT_RISK_HEALTH: f64 = 1.1;

/// One obligation's health, computed once for every view of it (lists, buckets, price moves).
#[derive(Clone, Debug, Serialize)]
pub struct Assessment {
    pub obligation: String,
    pub owner: String,
    /// At liquidation prices, quote units (0 when unpriced).
    pub collateral_value: f64,
    pub debt_value: f64,
    /// None without debt, or when unpriced.
    pub liquidation_health: Option<f64>,
    pub liquidatable: bool,
    pub liquidation_prices: Vec<LiquidationPrice>,
    /// Why the health cannot be computed now, when it cannot.
    pub error: Option<String>,
}

fn label(lower: f64, upper: f64) -> String {
    if lower == 0.0 {
        format!("< {upper:.2} (liquidatable)")
    } else if upper.is_infinite() {
        format!("≥ {lower:.2}")
    } else {
        format!("{lower:.2} – {upper:.2}")
    }
}

/// The bucket `health` falls in.
pub fn bucket_of(health: f64) -> usize {
    BUCKET_BOUNDS.iter().position(|(lo, hi)| health >= *lo && health < *hi).unwrap_or(0)
}

/// Every obligation of `snap`, assessed. An obligation whose prices do not validate is kept, with its error.
pub fn assess(snap: &MarketSnapshot) -> Vec<Assessment> {
    let p = Projection::new(snap);
    snap.obligations
        .iter()
        .map(|o| {
            let measured = p.health(&o.state, PriceUse::Liquidation).and_then(|h| {
                let health = h.liquidation_health()?.map(|x| x.to_num::<f64>());
                Ok((h.collateral_value.to_num::<f64>(), h.debt_value.to_num::<f64>(), health, h.is_liquidatable()?, p.liquidation_prices(&o.state)?))
            });
            let (collateral_value, debt_value, liquidation_health, liquidatable, liquidation_prices, error) = match measured {
                Ok((c, d, h, l, prices)) => (c, d, h, l, prices, None),
                Err(e) => (0.0, 0.0, None, false, vec![], Some(format!("{e:#}"))),
            };
            Assessment { obligation: o.key.to_string(), owner: o.state.owner.to_string(), collateral_value, debt_value, liquidation_health, liquidatable, liquidation_prices, error }
        })
        .collect()
}

/// Buckets every obligation of `snap` with debt by liquidation health, and measures the price moves.
pub fn report(snap: &MarketSnapshot) -> RiskReport {
    report_of(&assess(snap))
}

/// The report over obligations already assessed.
pub fn report_of(assessed: &[Assessment]) -> RiskReport {
    let mut buckets: Vec<Bucket> = BUCKET_BOUNDS
        .iter()
        .map(|(lo, hi)| Bucket { label: label(*lo, *hi), lower: *lo, upper: hi.is_finite().then_some(*hi), obligations: 0, debt_value: 0.0, collateral_value: 0.0 })
        .collect();
    // (reserve, side, bucket) → (obligations, debt value, moves; None = cannot by this asset alone).
    let mut exposure: std::collections::BTreeMap<(String, &'static str, usize), (usize, f64, Vec<Option<f64>>)> = Default::default();
    let (mut debt_free, mut unpriced, mut debt_total) = (0, 0, 0.0);
    for a in assessed {
        let Some(health) = a.liquidation_health else {
            if a.error.is_some() { unpriced += 1 } else { debt_free += 1 }
            continue;
        };
        let b = bucket_of(health);
        buckets[b].obligations += 1;
        buckets[b].debt_value += a.debt_value;
        buckets[b].collateral_value += a.collateral_value;
        debt_total += a.debt_value;
        for lp in &a.liquidation_prices {
            let entry = exposure.entry((lp.reserve.clone(), lp.side.name(), b)).or_default();
            entry.0 += 1;
            entry.1 += a.debt_value;
            entry.2.push(lp.price_move);
        }
    }
    let moves = exposure
        .into_iter()
        .map(|((reserve, side, bucket), (obligations, debt_value, ms))| {
            let side = if side == Side::Debt.name() { Side::Debt } else { Side::Collateral };
            // A collateral price must fall (the move nearest zero comes first); a debt price must rise.
            let closest = |a: f64, b: f64| if a.abs() <= b.abs() { a } else { b };
            let farthest = |a: f64, b: f64| if a.abs() >= b.abs() { a } else { b };
            let first = ms.iter().flatten().copied().reduce(closest);
            let all = if ms.iter().all(Option::is_some) { ms.iter().flatten().copied().reduce(farthest) } else { None };
            AssetMove { reserve, side, bucket, obligations, debt_value, first, all }
        })
        .collect();
    RiskReport { buckets, moves, debt_free, unpriced, debt_value: debt_total }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_of_succeeds_placing_bounds_in_the_upper_bucket() {
        assert_eq!(bucket_of(0.5), 0);
        assert_eq!(bucket_of(1.0), 1);
        assert_eq!(bucket_of(1.0999), 1);
        assert_eq!(bucket_of(1.1), 2);
        assert_eq!(bucket_of(2.0), 5);
        assert_eq!(bucket_of(1e9), 5);
        assert_eq!(label(0.0, 1.0), "< 1.00 (liquidatable)");
        assert_eq!(label(2.0, f64::INFINITY), "≥ 2.00");
    }
}
