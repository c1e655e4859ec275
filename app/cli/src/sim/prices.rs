//! Price paths and what the oracle makes of them: correlated geometric Brownian motion with Poisson jumps per
//! asset, scripted shocks on top, then an oracle whose confidence widens with the move, whose EMA lags, and
//! which now and then stops publishing for a few steps. Pure and seeded: one seed, one path.
use crate::rng::Rng;
use anyhow::{bail, Result};
use serde::Deserialize;

const SECS_PER_YEAR: f64 = 365.0 * 24.0 * 3_600.0;

/// How one asset's price moves and how its oracle reports it.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AssetModel {
    /// A reserve symbol of the scenario's market.
    pub symbol: String,
    /// Price at step 0, quote units.
    pub price: f64,
    /// Annual drift of the log price.
    #[serde(default)]
    pub drift: f64,
    /// Annual volatility.
    #[serde(default)]
    pub volatility: f64,
    /// Expected jumps per year.
    #[serde(default)]
    pub jump_intensity: f64,
    /// Mean and standard deviation of a jump's log size (−0.2 ≈ an 18% drop).
    #[serde(default)]
    pub jump_mean: f64,
    #[serde(default)]
    pub jump_std: f64,
    #[serde(default)]
    pub oracle: OracleModel,
}

/// The oracle's view of a price path.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct OracleModel {
    /// Confidence in calm markets, bps of the price.
    pub base_conf_bps: f64,
    /// Confidence added per bp of the step's absolute log move.
    pub conf_per_move: f64,
    /// EMA period in steps (Pyth's is about an hour of slots): alpha = 2 / (period + 1), at most 1 (period 0:
    /// the EMA is the price).
    pub ema_period_steps: f64,
    /// Chance per step that the feed stops publishing, and for how many steps it then stays silent.
    pub stale_probability: f64,
    pub stale_steps: u32,
}

impl Default for OracleModel {
    fn default() -> Self {
        Self { base_conf_bps: 5.0, conf_per_move: 0.5, ema_period_steps: 6.0, stale_probability: 0.0, stale_steps: 0 }
    }
}

/// A scripted move: at `step`, `asset`'s price is multiplied by (1 + pct / 100).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Shock {
    pub step: usize,
    pub asset: String,
    pub pct: f64,
}

/// What the oracle shows for one asset at one step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quote {
    /// The true price this step.
    pub spot: f64,
    /// What the feed last published: price, confidence and EMA.
    pub price: f64,
    pub conf: f64,
    pub ema: f64,
    /// Whether the feed published this step (a silent feed keeps its last publish time).
    pub published: bool,
}

/// Lower Cholesky factor of a correlation matrix; refuses one that is not symmetric positive definite.
pub fn cholesky(corr: &[Vec<f64>]) -> Result<Vec<Vec<f64>>> {
    let n = corr.len();
    if corr.iter().any(|row| row.len() != n) {
        bail!("the correlation matrix must be square ({n} rows)");
    }
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        if (corr[i][i] - 1.0).abs() > 1e-9 {
            bail!("correlation[{i}][{i}] must be 1");
        }
        for j in 0..=i {
            if (corr[i][j] - corr[j][i]).abs() > 1e-9 {
                bail!("the correlation matrix must be symmetric ([{i}][{j}] ≠ [{j}][{i}])");
            }
            let sum: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = corr[i][i] - sum;
                if d <= 0.0 {
                    bail!("the correlation matrix is not positive definite");
                }
                l[i][j] = d.sqrt();
            } else {
                l[i][j] = (corr[i][j] - sum) / l[j][j];
            }
        }
    }
    Ok(l)
}

/// `steps + 1` rows (step 0 is the start) of one quote per asset.
pub fn generate(assets: &[AssetModel], corr: &[Vec<f64>], shocks: &[Shock], steps: usize, step_secs: i64, seed: u64) -> Result<Vec<Vec<Quote>>> {
    let n = assets.len();
    let corr = if corr.is_empty() { identity(n) } else { corr.to_vec() };
    if corr.len() != n {
        bail!("the correlation matrix has {} rows for {n} assets", corr.len());
    }
    let l = cholesky(&corr)?;
    for s in shocks {
        if !assets.iter().any(|a| a.symbol == s.asset) {
            bail!("shock at step {} names `{}`, which has no asset model", s.step, s.asset);
        }
        if s.pct <= -100.0 {
            bail!("shock at step {}: a price cannot fall by {}%", s.step, -s.pct);
        }
    }
    let dt = step_secs as f64 / SECS_PER_YEAR;
    let mut rng = Rng::new(seed);
    let mut spot: Vec<f64> = assets.iter().map(|a| a.price).collect();
    let mut quotes: Vec<Quote> = assets.iter().map(|a| Quote { spot: a.price, price: a.price, conf: a.price * a.oracle.base_conf_bps / 1e4, ema: a.price, published: true }).collect();
    let mut silent = vec![0u32; n];
    let mut rows = vec![quotes.clone()];
    for step in 1..=steps {
        let z: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        for (i, a) in assets.iter().enumerate() {
            let correlated: f64 = (0..=i).map(|k| l[i][k] * z[k]).sum();
            let jumps = rng.poisson(a.jump_intensity * dt);
            let jump: f64 = (0..jumps).map(|_| a.jump_mean + a.jump_std * rng.normal()).sum();
            let mut log_move = (a.drift - a.volatility * a.volatility / 2.0) * dt + a.volatility * dt.sqrt() * correlated + jump;
            for s in shocks.iter().filter(|s| s.step == step && s.asset == a.symbol) {
                log_move += (1.0 + s.pct / 100.0).ln();
            }
            spot[i] *= log_move.exp();
            // A silence never starts on the step right after one: the feed's recovery update is published.
            let draw = rng.uniform();
            let q = &mut quotes[i];
            let starts_silence = silent[i] == 0 && q.published && a.oracle.stale_steps > 0 && draw < a.oracle.stale_probability;
            if starts_silence {
                silent[i] = a.oracle.stale_steps;
            }
            q.spot = spot[i];
            if silent[i] > 0 {
                silent[i] -= 1;
                q.published = false;
                continue;
            }
            let alpha = (2.0 / (a.oracle.ema_period_steps.max(0.0) + 1.0)).min(1.0);
            q.ema += alpha * (spot[i] - q.ema);
            q.price = spot[i];
            q.conf = spot[i] * (a.oracle.base_conf_bps + a.oracle.conf_per_move * log_move.abs() * 1e4) / 1e4;
            q.published = true;
        }
        rows.push(quotes.clone());
    }
    Ok(rows)
}

fn identity(n: usize) -> Vec<Vec<f64>> {
    (0..n).map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(symbol: &str, price: f64, volatility: f64) -> AssetModel {
        AssetModel { symbol: symbol.into(), price, drift: 0.0, volatility, jump_intensity: 0.0, jump_mean: 0.0, jump_std: 0.0, oracle: OracleModel::default() }
    }

    #[test]
    fn generate_succeeds_with_exact_prices_for_a_scripted_crash_without_noise() {
        let shocks = [Shock { step: 2, asset: "SOL".into(), pct: -30.0 }, Shock { step: 4, asset: "SOL".into(), pct: -50.0 }];
        let rows = generate(&[asset("SOL", 100.0, 0.0)], &[], &shocks, 5, 3_600, 7).unwrap();
        let spots: Vec<f64> = rows.iter().map(|r| r[0].spot).collect();
        let expected = [100.0, 100.0, 70.0, 70.0, 35.0, 35.0];
        assert!(spots.iter().zip(expected).all(|(a, b)| (a - b).abs() < 1e-9), "{spots:?}");
        // The EMA lags the crash (alpha = 2/7) and the confidence widens on the move.
        assert!((rows[2][0].ema - (100.0 - 30.0 * 2.0 / 7.0)).abs() < 1e-9);
        assert!(rows[2][0].conf > rows[1][0].conf);
    }

    #[test]
    fn generate_succeeds_with_the_same_path_for_the_same_seed_only() {
        let assets = [asset("SOL", 150.0, 0.8), asset("BTC", 60_000.0, 0.5)];
        let corr = vec![vec![1.0, 0.6], vec![0.6, 1.0]];
        let a = generate(&assets, &corr, &[], 50, 3_600, 42).unwrap();
        assert_eq!(a, generate(&assets, &corr, &[], 50, 3_600, 42).unwrap());
        assert_ne!(a, generate(&assets, &corr, &[], 50, 3_600, 43).unwrap());
    }

    #[test]
    fn generate_succeeds_with_the_correlation_asked_for() {
        let assets = [asset("A", 1.0, 1.0), asset("B", 1.0, 1.0)];
        let corr = vec![vec![1.0, 0.7], vec![0.7, 1.0]];
        let rows = generate(&assets, &corr, &[], 20_000, 3_600, 1).unwrap();
        let r: Vec<(f64, f64)> = rows.windows(2).map(|w| ((w[1][0].spot / w[0][0].spot).ln(), (w[1][1].spot / w[0][1].spot).ln())).collect();
        let n = r.len() as f64;
        let (ma, mb) = (r.iter().map(|x| x.0).sum::<f64>() / n, r.iter().map(|x| x.1).sum::<f64>() / n);
        let cov = r.iter().map(|x| (x.0 - ma) * (x.1 - mb)).sum::<f64>() / n;
        let (va, vb) = (r.iter().map(|x| (x.0 - ma).powi(2)).sum::<f64>() / n, r.iter().map(|x| (x.1 - mb).powi(2)).sum::<f64>() / n);
        let rho = cov / (va * vb).sqrt();
        assert!((rho - 0.7).abs() < 0.03, "sample correlation {rho}");
        // Hourly volatility of an annual 100%: 1/sqrt(8760).
        assert!((va.sqrt() - (1.0 / 8_760f64).sqrt()).abs() < 0.0005, "{}", va.sqrt());
    }

    #[test]
    fn generate_succeeds_holding_a_silent_feed_at_its_last_publication() {
        let mut a = asset("SOL", 100.0, 0.5);
        a.oracle.stale_probability = 1.0;
        a.oracle.stale_steps = 3;
        let rows = generate(&[a], &[], &[], 4, 3_600, 3).unwrap();
        assert!(rows[1..4].iter().all(|r| !r[0].published && r[0].price == 100.0), "{rows:?}");
        assert!(rows[4][0].published && rows[4][0].price == rows[4][0].spot);
    }

    #[test]
    fn cholesky_fails_on_a_matrix_that_is_not_a_correlation() {
        assert!(cholesky(&[vec![1.0, 0.9], vec![0.8, 1.0]]).unwrap_err().to_string().contains("symmetric"));
        assert!(cholesky(&[vec![1.0, 1.2], vec![1.2, 1.0]]).unwrap_err().to_string().contains("positive definite"));
        assert!(generate(&[asset("SOL", 1.0, 0.0)], &[], &[Shock { step: 1, asset: "ETH".into(), pct: -10.0 }], 2, 60, 0).is_err());
    }
}
