//! A stress scenario: the market (a migrations spec, with the scenario's overrides), how each asset moves and
//! how its oracle and its market behave, the scripted shocks, the population and the keepers, and the time
//! grid. The standard suite ships in `app/cli/scenarios/`.
use super::prices::{AssetModel, Shock};
use anyhow::{anyhow, bail, Context, Result};
use ballast_migrate::Spec;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The speed benchmark: `ballast sim bench` (not part of the standard suite).
pub const BENCH: &str = include_str!("../../scenarios/bench.toml");

/// The standard suite, in the order `ballast sim` runs it.
pub const BUILT_IN: [(&str, &str); 7] = [
    ("crash-30", include_str!("../../scenarios/crash-30.toml")),
    ("crash-60", include_str!("../../scenarios/crash-60.toml")),
    ("crash-85", include_str!("../../scenarios/crash-85.toml")),
    ("v-shape", include_str!("../../scenarios/v-shape.toml")),
    ("depeg", include_str!("../../scenarios/depeg.toml")),
    ("drought", include_str!("../../scenarios/drought.toml")),
    ("bank-run", include_str!("../../scenarios/bank-run.toml")),
];

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// The market: `example` (migrations/specs/example.toml) or a spec file relative to the scenario.
    #[serde(default = "example")]
    pub spec: String,
    /// Length of a path, hours.
    pub hours: f64,
    /// The time step, seconds; around each shock the grid runs at `fine_step_secs` (see `Shock`).
    pub step_secs: i64,
    #[serde(default = "minute")]
    pub fine_step_secs: i64,
    pub paths: usize,
    pub seed: u64,
    /// Correlation of the assets' Brownian parts, in `asset` order; absent = independent.
    #[serde(default)]
    pub correlation: Vec<Vec<f64>>,
    /// Every off-diagonal correlation moves toward this as the market turns turbulent around a shock.
    #[serde(default = "crash_correlation")]
    pub crash_correlation: f64,
    #[serde(rename = "asset")]
    pub assets: Vec<AssetModel>,
    #[serde(default, rename = "shock")]
    pub shocks: Vec<Shock>,
    pub population: Population,
    #[serde(rename = "keeper")]
    pub keepers: Vec<Keeper>,
    /// What the scenario changes in the spec for Ballast's config (the baseline drops limiters anyway).
    #[serde(default)]
    pub overrides: Overrides,
    /// Resolved market spec, overrides applied (filled by `load`).
    #[serde(skip)]
    pub market: Option<Spec>,
}

/// Who holds positions and how they behave. Rates are per hour, whatever the step.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    pub borrowers: usize,
    /// Borrowers `whale_multiple` times the size of the crowd's, beside it.
    #[serde(default)]
    pub whales: usize,
    #[serde(default = "one")]
    pub whale_multiple: f64,
    /// Share of borrowers that loop: they borrow their collateral asset and pledge it again.
    #[serde(default)]
    pub loopers: f64,
    /// The asset the crowd borrows and suppliers supply.
    pub debt: String,
    /// Collateral assets, assigned to borrowers in turn.
    pub collateral: Vec<String>,
    /// Range of each borrower's collateral value when it opens, quote units.
    pub collateral_quote: [f64; 2],
    /// Range of the share of its borrow power each borrower targets.
    pub target_share: [f64; 2],
    /// A borrower below its target by more than `relever_gap` (share of borrow power) borrows back to it, at
    /// this rate.
    #[serde(default)]
    pub relever_per_hour: f64,
    #[serde(default = "tenth")]
    pub relever_gap: f64,
    /// New borrowers opening positions at the prices of the moment, per hour.
    #[serde(default)]
    pub entrants_per_hour: f64,
    /// Collateral each borrower keeps in its wallet for top-ups, as a share of what it pledges.
    #[serde(default)]
    pub wallet_share: f64,
    /// Below this liquidation health a solvent borrower tops up at `topup_per_hour`: it pledges its wallet's
    /// collateral, else repays `repay_share` of its debt from what it borrowed.
    pub topup_health: f64,
    pub topup_per_hour: f64,
    pub repay_share: f64,
    pub suppliers: usize,
    /// Liquidity supplied, as a multiple of what the opening borrowers borrow (1 / target utilization).
    pub supply_multiple: f64,
    /// Above this utilization (bps) of the debt reserve, or with its LCR below 1, each supplier withdraws
    /// `withdraw_share` of its cTokens at `withdraw_per_hour`; refused, it queues a ticket where the market has
    /// a queue.
    pub withdraw_utilization_bps: u32,
    pub withdraw_per_hour: f64,
    pub withdraw_share: f64,
}

/// One liquidator: its capital (the debt asset it repays with, recycled as it sells what it seized) and the
/// bonus it needs beyond the market's price impact to act.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Keeper {
    pub capital_quote: f64,
    /// Fees, gas and risk, bps of the repaid value.
    pub cost_bps: f64,
    /// How long selling seized collateral takes to turn back into capital, seconds.
    #[serde(default = "hour")]
    pub turnover_secs: f64,
    /// From this hour on (a drought), its capital is multiplied by `dry_capital_factor`.
    #[serde(default)]
    pub dry_from_hour: Option<f64>,
    #[serde(default = "one")]
    pub dry_capital_factor: f64,
}

/// Changes to the spec for Ballast's config in this scenario.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// The market's quote outflow limit and window.
    pub outflow_limit_quote: Option<u64>,
    pub outflow_window_secs: Option<u32>,
    #[serde(default, rename = "reserve")]
    pub reserves: Vec<ReserveOverride>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveOverride {
    pub symbol: String,
    /// Outflow limit per window, whole tokens.
    pub outflow_limit: Option<f64>,
    pub outflow_window_secs: Option<u32>,
}

fn example() -> String {
    "example".into()
}
fn minute() -> i64 {
    60
}
fn hour() -> f64 {
    3_600.0
}
fn one() -> f64 {
    1.0
}
fn tenth() -> f64 {
    0.1
}
fn crash_correlation() -> f64 {
    0.95
}

/// The chance of an event at `per_hour` within `secs`.
pub fn chance(per_hour: f64, secs: f64) -> f64 {
    1.0 - (-per_hour.max(0.0) * secs / 3_600.0).exp()
}

impl Scenario {
    /// A built-in scenario by name, or a scenario file.
    pub fn load(name_or_path: &str) -> Result<Self> {
        if let Some((_, text)) = BUILT_IN.iter().find(|(name, _)| *name == name_or_path) {
            return Self::parse(text, None);
        }
        if name_or_path == "bench" {
            return Self::parse(BENCH, None);
        }
        let path = Path::new(name_or_path);
        let text = std::fs::read_to_string(path).with_context(|| format!("`{name_or_path}` is neither a built-in scenario (ballast sim --list) nor a readable file"))?;
        Self::parse(&text, path.parent())
    }

    /// Parses and checks a scenario; a spec path resolves against `dir`.
    pub fn parse(text: &str, dir: Option<&Path>) -> Result<Self> {
        let mut s: Scenario = toml::from_str(text).map_err(|e| anyhow!("scenario: {e}"))?;
        let spec_text = match s.spec.as_str() {
            "example" => crate::world::EXAMPLE_SPEC.to_string(),
            path => std::fs::read_to_string(dir.unwrap_or(Path::new(".")).join(path)).with_context(|| format!("scenario {}: spec {path}", s.name))?,
        };
        let mut spec = Spec::parse(&spec_text)?;
        s.apply_overrides(&mut spec)?;
        s.market = Some(spec);
        s.validate()?;
        Ok(s)
    }

    fn apply_overrides(&self, spec: &mut Spec) -> Result<()> {
        let o = &self.overrides;
        if let Some(limit) = o.outflow_limit_quote {
            spec.market.outflow_limit_quote = Some(limit);
        }
        if let Some(window) = o.outflow_window_secs {
            spec.market.outflow_window_secs = window;
        }
        for r in &o.reserves {
            let reserve = spec.reserves.iter_mut().find(|x| x.symbol == r.symbol).ok_or_else(|| anyhow!("scenario {}: override names `{}`, not a reserve of the spec", self.name, r.symbol))?;
            if let Some(limit) = r.outflow_limit {
                reserve.outflow_limit = Some(limit);
            }
            if let Some(window) = r.outflow_window_secs {
                reserve.outflow_window_secs = window;
            }
        }
        Ok(())
    }

    pub fn market(&self) -> &Spec {
        self.market.as_ref().expect("parsed scenarios carry their spec")
    }

    /// The index of `symbol` among the assets.
    pub fn asset_index(&self, symbol: &str) -> usize {
        self.assets.iter().position(|a| a.symbol == symbol).expect("every reserve has an asset model")
    }

    fn validate(&self) -> Result<()> {
        let spec = self.market();
        let known = |symbol: &str| spec.reserve(symbol).is_some();
        for a in &self.assets {
            if !known(&a.symbol) {
                bail!("scenario {}: asset `{}` is not a reserve of the spec", self.name, a.symbol);
            }
            if a.price <= 0.0 || a.volatility < 0.0 || a.depth_1pct_quote <= 0.0 {
                bail!("scenario {}: asset `{}` needs a positive price and depth and a volatility of at least 0", self.name, a.symbol);
            }
        }
        for r in &spec.reserves {
            if !self.assets.iter().any(|a| a.symbol == r.symbol) {
                bail!("scenario {}: reserve `{}` has no asset model", self.name, r.symbol);
            }
        }
        let p = &self.population;
        for symbol in std::iter::once(&p.debt).chain(&p.collateral) {
            if !known(symbol) {
                bail!("scenario {}: population names `{symbol}`, which is not a reserve of the spec", self.name);
            }
        }
        if p.collateral.is_empty() || p.borrowers == 0 || p.suppliers == 0 {
            bail!("scenario {}: the population needs borrowers, suppliers and at least one collateral asset", self.name);
        }
        if !(0.0..=1.0).contains(&p.target_share[0]) || p.target_share[0] > p.target_share[1] || p.target_share[1] > 1.0 {
            bail!("scenario {}: target_share must be a range within [0, 1]", self.name);
        }
        if p.supply_multiple < 1.0 {
            bail!("scenario {}: supply_multiple below 1 leaves borrowers nothing to borrow", self.name);
        }
        if self.hours <= 0.0 || self.paths == 0 || self.step_secs <= 0 || self.fine_step_secs <= 0 || self.fine_step_secs > self.step_secs {
            bail!("scenario {}: hours, paths and steps must be positive, the fine step at most the step", self.name);
        }
        if self.keepers.is_empty() {
            bail!("scenario {}: at least one keeper", self.name);
        }
        for s in &self.shocks {
            if !self.assets.iter().any(|a| a.symbol == s.asset) {
                bail!("scenario {}: shock at hour {} names `{}`, which has no asset model", self.name, s.hour, s.asset);
            }
            if s.pct <= -100.0 {
                bail!("scenario {}: shock at hour {}: a price cannot fall by {}%", self.name, s.hour, -s.pct);
            }
        }
        Ok(())
    }

    /// The same scenario with `paths` paths (a quick run, or a benchmark).
    pub fn with_paths(mut self, paths: usize) -> Self {
        self.paths = paths;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_succeeds_for_every_built_in_scenario() {
        for (name, _) in BUILT_IN {
            let s = Scenario::load(name).unwrap_or_else(|e| panic!("{name}: {e:#}"));
            assert_eq!(s.name, name);
        }
    }

    #[test]
    fn parse_fails_on_an_asset_the_market_lacks() {
        let text = BUILT_IN[0].1.replace("symbol = \"VOLT\"", "symbol = \"DOGE\"");
        assert!(Scenario::parse(&text, None).unwrap_err().to_string().contains("`DOGE` is not a reserve"));
    }

    #[test]
    fn chance_succeeds_whatever_the_step() {
        // Sixty one-minute chances compound to the hourly one.
        let per_minute = chance(0.5, 60.0);
        assert!((1.0 - (1.0 - per_minute).powi(60) - chance(0.5, 3_600.0)).abs() < 1e-12);
        assert_eq!(chance(0.0, 3_600.0), 0.0);
    }
}
