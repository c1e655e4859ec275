//! A stress scenario: the market (a migrations spec), asset models, the population, the liquidators, and
//! how long and how often to run. The standard suite ships in `app/cli/scenarios/`.
use super::prices::{AssetModel, Shock};
use anyhow::{anyhow, bail, Context, Result};
use ballast_migrate::Spec;
use serde::Deserialize;
use std::path::Path;

/// The standard suite, in the order `ballast sim` runs it.
pub const BUILT_IN: [(&str, &str); 6] = [
    ("crash-30", include_str!("../../scenarios/crash-30.toml")),
    ("crash-60", include_str!("../../scenarios/crash-60.toml")),
    ("crash-85", include_str!("../../scenarios/crash-85.toml")),
    ("depeg", include_str!("../../scenarios/depeg.toml")),
    ("drought", include_str!("../../scenarios/drought.toml")),
    ("bank-run", include_str!("../../scenarios/bank-run.toml")),
];

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// The market: `example` (migrations/specs/example.toml) or a spec file relative to the scenario.
    #[serde(default = "example")]
    pub spec: String,
    pub steps: usize,
    pub step_secs: i64,
    pub paths: usize,
    pub seed: u64,
    /// Correlation of the assets' Brownian parts, in `asset` order; absent = independent.
    #[serde(default)]
    pub correlation: Vec<Vec<f64>>,
    #[serde(rename = "asset")]
    pub assets: Vec<AssetModel>,
    #[serde(default, rename = "shock")]
    pub shocks: Vec<Shock>,
    pub population: Population,
    pub liquidators: Liquidators,
    /// Resolved market spec (filled by `load`).
    #[serde(skip)]
    pub market: Option<Spec>,
}

/// Who holds positions and how they behave.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    pub borrowers: usize,
    pub suppliers: usize,
    /// The asset borrowers borrow and suppliers supply.
    pub debt: String,
    /// Collateral assets, assigned to borrowers in turn.
    pub collateral: Vec<String>,
    /// Range of each borrower's collateral value at step 0, quote units.
    pub collateral_quote: [f64; 2],
    /// Range of the share of its borrowing power each borrower uses.
    pub borrow_share: [f64; 2],
    /// Liquidity supplied, as a multiple of what the borrowers borrow (1 / target utilization).
    pub supply_multiple: f64,
    /// Below this liquidation health a borrower may act: with `topup_probability` per step it repays
    /// `repay_share` of its debt from what it borrowed.
    pub topup_health: f64,
    pub topup_probability: f64,
    pub repay_share: f64,
    /// Above this utilization (bps) of the debt reserve, or with its LCR below 1, each supplier redeems
    /// `withdraw_share` of its cTokens with `withdraw_probability` per step.
    pub withdraw_utilization_bps: u32,
    pub withdraw_probability: f64,
    pub withdraw_share: f64,
}

/// The liquidators, as one keeper with limited capital selling into a market of limited depth.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Liquidators {
    /// Repay capital per step, quote units.
    pub capital_quote: f64,
    /// Depth of the market the seized collateral is sold into: selling X costs X / depth of its value.
    pub depth_quote: f64,
    /// Fixed costs of a liquidation (fees, gas, risk), bps of the repaid value.
    pub cost_bps: f64,
    /// From this step on (a drought; absent = never), capital is multiplied by `dry_capital_factor` and depth
    /// by `dry_depth_factor`.
    #[serde(default)]
    pub dry_from_step: Option<usize>,
    #[serde(default = "one")]
    pub dry_capital_factor: f64,
    #[serde(default = "one")]
    pub dry_depth_factor: f64,
}

impl Liquidators {
    /// (capital, the bonus they need in bps) at `step`: they sell a step's capital into the depth curve.
    pub fn at(&self, step: usize) -> (f64, f64) {
        let (capital_factor, depth_factor) = match self.dry_from_step {
            Some(from) if step >= from => (self.dry_capital_factor, self.dry_depth_factor),
            _ => (1.0, 1.0),
        };
        let capital = self.capital_quote * capital_factor;
        let depth = (self.depth_quote * depth_factor).max(f64::MIN_POSITIVE);
        (capital, self.cost_bps + 10_000.0 * (capital / depth).min(1.0))
    }
}

fn example() -> String {
    "example".into()
}
fn one() -> f64 {
    1.0
}

impl Scenario {
    /// A built-in scenario by name, or a scenario file.
    pub fn load(name_or_path: &str) -> Result<Self> {
        if let Some((_, text)) = BUILT_IN.iter().find(|(name, _)| *name == name_or_path) {
            return Self::parse(text, None);
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
        s.market = Some(Spec::parse(&spec_text)?);
        s.validate()?;
        Ok(s)
    }

    pub fn market(&self) -> &Spec {
        self.market.as_ref().expect("parsed scenarios carry their spec")
    }

    fn validate(&self) -> Result<()> {
        let spec = self.market();
        let known = |symbol: &str| spec.reserve(symbol).is_some();
        for a in &self.assets {
            if !known(&a.symbol) {
                bail!("scenario {}: asset `{}` is not a reserve of the spec", self.name, a.symbol);
            }
            if a.price <= 0.0 || a.volatility < 0.0 {
                bail!("scenario {}: asset `{}` needs a positive price and a volatility of at least 0", self.name, a.symbol);
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
        if !(0.0..=1.0).contains(&p.borrow_share[0]) || p.borrow_share[0] > p.borrow_share[1] || p.borrow_share[1] > 1.0 {
            bail!("scenario {}: borrow_share must be a range within [0, 1]", self.name);
        }
        if p.supply_multiple < 1.0 {
            bail!("scenario {}: supply_multiple below 1 leaves borrowers nothing to borrow", self.name);
        }
        if self.steps == 0 || self.paths == 0 || self.step_secs <= 0 {
            bail!("scenario {}: steps, paths and step_secs must be positive", self.name);
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
    fn liquidators_need_a_larger_bonus_in_a_drought() {
        let l = Liquidators { capital_quote: 100_000.0, depth_quote: 10_000_000.0, cost_bps: 30.0, dry_from_step: Some(5), dry_capital_factor: 0.5, dry_depth_factor: 0.05 };
        assert_eq!(l.at(4), (100_000.0, 130.0));
        let (capital, need) = l.at(5);
        assert!((capital - 50_000.0).abs() < 1e-6 && (need - 1_030.0).abs() < 1e-6, "{capital} {need}");
    }
}
