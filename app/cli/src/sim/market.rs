//! The markets seized collateral is sold into: each sale pushes the asset's price down by its share of the
//! market's depth, the push fading with a half-life as arbitrage refills the book. The market price every
//! oracle reads is the fundamental price times (1 − impact), so a liquidation wave moves the price it is judged
//! at, and later sellers get less.
use super::prices::AssetModel;

#[derive(Clone, Debug)]
pub struct Depth {
    /// Current price impact per asset, a fraction of the price (0 = none).
    impact: Vec<f64>,
    depth_1pct: Vec<f64>,
    half_life: Vec<f64>,
    /// How much depth is left, a multiple of the model's (a drought thins it).
    pub thinning: f64,
}

impl Depth {
    pub fn new(assets: &[AssetModel]) -> Self {
        Self { impact: vec![0.0; assets.len()], depth_1pct: assets.iter().map(|a| a.depth_1pct_quote).collect(), half_life: assets.iter().map(|a| a.depth_half_life_secs).collect(), thinning: 1.0 }
    }

    /// `secs` pass: every impact fades by its half-life.
    pub fn recover(&mut self, secs: f64) {
        for (impact, half_life) in self.impact.iter_mut().zip(&self.half_life) {
            *impact *= if *half_life > 0.0 { 0.5f64.powf(secs / half_life) } else { 0.0 };
        }
    }

    /// Multiplier from the fundamental price to the market price of asset `i`.
    pub fn factor(&self, i: usize) -> f64 {
        1.0 - self.impact[i]
    }

    /// The impact of asset `i` now, a fraction of its price.
    pub fn impact(&self, i: usize) -> f64 {
        self.impact[i]
    }

    /// What selling `value` (quote, at the market price) of asset `i` would cost, a fraction of `value`: the
    /// average of the impact before and after.
    pub fn cost(&self, i: usize, value: f64) -> f64 {
        self.impact[i] + self.push(i, value) / 2.0
    }

    fn push(&self, i: usize, value: f64) -> f64 {
        let depth = (self.depth_1pct[i] * self.thinning).max(f64::MIN_POSITIVE);
        (value / depth / 100.0).min(1.0 - self.impact[i]).max(0.0)
    }

    /// Sells `value` of asset `i`: returns the fraction of `value` lost to impact, and moves the price.
    pub fn sell(&mut self, i: usize, value: f64) -> f64 {
        let cost = self.cost(i, value);
        let push = self.push(i, value);
        self.impact[i] = (self.impact[i] + push).min(0.99);
        cost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sale_succeeds_moving_the_price_and_recovering_by_its_half_life() {
        let mut a = crate::sim::prices::tests_support::asset("SOL", 100.0, 0.0);
        (a.depth_1pct_quote, a.depth_half_life_secs) = (1_000_000.0, 600.0);
        let mut d = Depth::new(&[a]);
        // $5M into $1M per 1%: the price falls 5%, the seller loses 2.5% on average.
        assert!((d.sell(0, 5_000_000.0) - 0.025).abs() < 1e-12);
        assert!((d.factor(0) - 0.95).abs() < 1e-12);
        d.recover(600.0);
        assert!((d.impact(0) - 0.025).abs() < 1e-12);
        d.thinning = 0.1;
        assert!((d.cost(0, 100_000.0) - (0.025 + 0.005)).abs() < 1e-12);
    }
}
