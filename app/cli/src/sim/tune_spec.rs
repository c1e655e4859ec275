//! `sim tune`'s recommendation as a migrations spec: the candidate's values written into one reserve of a spec
//! file, every other line kept as it was (comments and order too), and the change as a line diff. The new spec
//! goes through `ballast-migrate plan` like any other: a change that loosens risk waits the market's timelock.
use super::tune::Candidate;
use anyhow::{anyhow, bail, Result};
use ballast_migrate::{spec::RegimeSpec, Spec};
use toml_edit::{value, DocumentMut, InlineTable, Item, Table};

/// `text` (a migrations spec) with reserve `symbol`'s risk parameters set to `c`'s. Fields the candidate leaves
/// as they were are not touched; the result parses as a spec.
pub fn rewrite(text: &str, symbol: &str, c: &Candidate) -> Result<String> {
    let current = Spec::parse(text)?;
    let was = Candidate::of(current.reserve(symbol).ok_or_else(|| anyhow!("the spec has no reserve `{symbol}`"))?);
    let mut doc: DocumentMut = text.parse().map_err(|e| anyhow!("spec: {e}"))?;
    let reserves = doc.get_mut("reserve").and_then(Item::as_array_of_tables_mut).ok_or_else(|| anyhow!("the spec has no [[reserve]] tables"))?;
    let table = reserves
        .iter_mut()
        .find(|t| t.get("symbol").and_then(Item::as_str) == Some(symbol))
        .ok_or_else(|| anyhow!("the spec has no reserve `{symbol}`"))?;
    let mut set = |key: &str, old: u16, new: u16| {
        if old != new {
            table[key] = value(new as i64);
        }
    };
    set("ltv_bps", was.ltv_bps, c.ltv_bps);
    set("liquidation_threshold_bps", was.threshold_bps(), c.threshold_bps());
    set("min_liquidation_bonus_bps", was.min_bonus_bps, c.min_bonus_bps);
    set("max_liquidation_bonus_bps", was.max_bonus_bps, c.max_bonus_bps);
    set("liquidation_target_health_bps", was.target_health_bps, c.target_health_bps);
    if was.regime_cut_bps != c.regime_cut_bps {
        set_regime(table, c.regime_cut_bps);
    }
    let out = doc.to_string();
    let parsed = Spec::parse(&out)?;
    let now = Candidate::of(parsed.reserve(symbol).ok_or_else(|| anyhow!("the rewritten spec lost `{symbol}`"))?);
    if now != *c {
        bail!("the rewritten spec says {now:?}, not the recommendation {c:?}");
    }
    Ok(out)
}

/// The regime with its LTV cut at `cut` (0: no regime at all), keeping its other settings, or the defaults
/// where the reserve had none.
fn set_regime(table: &mut Table, cut: u16) {
    if cut == 0 {
        table.remove("regime");
        return;
    }
    match table.get_mut("regime") {
        Some(Item::Value(toml_edit::Value::InlineTable(t))) => {
            t.insert("max_ltv_cut_bps", (cut as i64).into());
        }
        Some(Item::Table(t)) => {
            t["max_ltv_cut_bps"] = value(cut as i64);
        }
        _ => {
            let d = RegimeSpec::default();
            let mut t = InlineTable::new();
            for (k, v) in [
                ("half_life_mins", d.half_life_mins),
                ("calm_vol_bps", d.calm_vol_bps),
                ("turbulent_vol_bps", d.turbulent_vol_bps),
                ("max_ltv_cut_bps", cut),
                ("max_rate_addon_bps", d.max_rate_addon_bps),
            ] {
                t.insert(k, (v as i64).into());
            }
            table["regime"] = value(t);
        }
    }
}

/// A line diff of `old` against `new` ("-" removed, "+" added, removals first), unchanged lines left out; from the longest
/// common subsequence, which a spec file's size makes cheap.
pub fn diff(old: &str, new: &str) -> Vec<String> {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, vec![]);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(format!("- {}", a[i]));
            i += 1;
        } else {
            out.push(format!("+ {}", b[j]));
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = crate::world::EXAMPLE_SPEC;

    #[test]
    fn rewrite_succeeds_changing_only_the_candidates_fields() {
        let sol = Candidate::of(Spec::parse(SPEC).unwrap().reserve("SOL").unwrap());
        let c = Candidate { ltv_bps: 6_500, threshold_gap_bps: 500, target_health_bps: 10_500, regime_cut_bps: 1_000, ..sol };
        let out = rewrite(SPEC, "SOL", &c).unwrap();
        let changed = diff(SPEC, &out);
        assert!(changed.iter().all(|l| l.contains("SOL") || l.contains("ltv") || l.contains("liquidation") || l.contains("regime")), "{changed:#?}");
        assert!(out.contains("# A turbulent regime"), "comments stay");
        let spec = Spec::parse(&out).unwrap();
        let r = spec.reserve("SOL").unwrap();
        assert_eq!((r.ltv_bps, r.liquidation_threshold_bps, r.liquidation_target_health_bps), (6_500, 7_000, 10_500));
        assert_eq!(r.regime.as_ref().map(|g| (g.max_ltv_cut_bps, g.half_life_mins)), Some((1_000, 120)), "the regime's other settings stay");
        assert_eq!(spec.reserve("VOLT").unwrap().ltv_bps, 5_000, "other reserves untouched");
    }

    #[test]
    fn rewrite_succeeds_turning_the_regime_off_and_on() {
        let sol = Candidate::of(Spec::parse(SPEC).unwrap().reserve("SOL").unwrap());
        let off = rewrite(SPEC, "SOL", &Candidate { regime_cut_bps: 0, ..sol }).unwrap();
        assert!(Spec::parse(&off).unwrap().reserve("SOL").unwrap().regime.is_none());
        let usdc = Candidate::of(Spec::parse(SPEC).unwrap().reserve("USDC").unwrap());
        let on = rewrite(SPEC, "USDC", &Candidate { regime_cut_bps: 1_500, ..usdc }).unwrap();
        let g = Spec::parse(&on).unwrap().reserve("USDC").unwrap().regime.clone().unwrap();
        assert_eq!((g.max_ltv_cut_bps, g.half_life_mins), (1_500, RegimeSpec::default().half_life_mins));
        assert!(diff(SPEC, &rewrite(SPEC, "SOL", &sol).unwrap()).is_empty(), "the current values change nothing");
    }

    #[test]
    fn rewrite_fails_for_a_reserve_the_spec_lacks() {
        let sol = Candidate::of(Spec::parse(SPEC).unwrap().reserve("SOL").unwrap());
        assert!(rewrite(SPEC, "DOGE", &sol).unwrap_err().to_string().contains("no reserve `DOGE`"));
    }

    #[test]
    fn diff_succeeds_with_insertions_and_removals() {
        assert_eq!(diff("a\nb\nc", "a\nx\nc\nd"), vec!["- b", "+ x", "+ d"]);
        assert!(diff("a\nb", "a\nb").is_empty());
    }
}
