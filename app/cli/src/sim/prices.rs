//! Fundamental price paths on a time grid: correlated geometric Brownian motion with Poisson jumps per asset,
//! scripted shocks on top, and turbulence around each shock that raises volatility (before it, so an oracle
//! sees it coming, and through it) and pulls correlations toward one. Pure and seeded: one seed, one path.
//! What liquidators' sales do to the price (`market::Depth`) and what the oracle makes of it (`oracle`) are
//! applied as the path runs, since they depend on the config.
use super::oracle::OracleModel;
use crate::rng::Rng;
use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

pub const SECS_PER_YEAR: f64 = 365.0 * 24.0 * 3_600.0;

/// How one asset's price moves, how deep its market is, and how its oracle reports it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AssetModel {
    /// A reserve symbol of the scenario's market.
    pub symbol: String,
    /// Price at the start, quote units.
    pub price: f64,
    /// Annual drift of the log price.
    #[serde(default)]
    pub drift: f64,
    /// Annual volatility in calm markets.
    #[serde(default)]
    pub volatility: f64,
    /// Volatility multiple at the height of turbulence.
    #[serde(default = "three")]
    pub turbulent_volatility: f64,
    /// Expected jumps per year (in calm markets; turbulence scales it like volatility).
    #[serde(default)]
    pub jump_intensity: f64,
    /// Mean and standard deviation of a jump's log size (−0.2 ≈ an 18% drop).
    #[serde(default)]
    pub jump_mean: f64,
    #[serde(default)]
    pub jump_std: f64,
    /// Quote value whose sale moves the price 1%: liquidators sell seized collateral into it.
    #[serde(default = "deep")]
    pub depth_1pct_quote: f64,
    /// How fast the price recovers from sales, half-life in seconds.
    #[serde(default = "half_hour")]
    pub depth_half_life_secs: f64,
    #[serde(default)]
    pub oracle: OracleModel,
}

fn three() -> f64 {
    3.0
}
fn deep() -> f64 {
    1e12
}
fn half_hour() -> f64 {
    1_800.0
}
fn two() -> f64 {
    2.0
}
fn six() -> f64 {
    6.0
}

/// A scripted move: at `hour`, `asset`'s price is multiplied by (1 + pct / 100). The market grows turbulent
/// `turbulence_before_hours` ahead of it and calms over `turbulence_after_hours`; the grid runs at the fine step
/// from `fine_before_mins` before to `fine_after_mins` after.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Shock {
    pub hour: f64,
    pub asset: String,
    pub pct: f64,
    #[serde(default = "two")]
    pub turbulence_before_hours: f64,
    #[serde(default = "six")]
    pub turbulence_after_hours: f64,
    #[serde(default = "quarter_hour")]
    pub fine_before_mins: f64,
    #[serde(default = "an_hour")]
    pub fine_after_mins: f64,
}

fn quarter_hour() -> f64 {
    15.0
}
fn an_hour() -> f64 {
    60.0
}

impl Shock {
    fn at(&self) -> i64 {
        (self.hour * 3_600.0).round() as i64
    }

    /// How turbulent the market is at `t` because of this shock: rising linearly to 1 over the hours before it,
    /// then falling back to 0 over the hours after.
    pub fn turbulence(&self, t: i64) -> f64 {
        let (at, t) = (self.at() as f64, t as f64);
        let (before, after) = (self.turbulence_before_hours * 3_600.0, self.turbulence_after_hours * 3_600.0);
        if t <= at {
            if before <= 0.0 { (t == at) as u8 as f64 } else { (1.0 - (at - t) / before).max(0.0) }
        } else if after <= 0.0 {
            0.0
        } else {
            (1.0 - (t - at) / after).max(0.0)
        }
    }
}

/// The times of a path, seconds from its start: every `step_secs`, and every `fine_step_secs` around each
/// shock. Starts at 0 and ends at the path's length.
pub fn grid(hours: f64, step_secs: i64, fine_step_secs: i64, shocks: &[Shock]) -> Vec<i64> {
    let end = (hours * 3_600.0).round() as i64;
    let mut times: Vec<i64> = (0..=end / step_secs).map(|i| i * step_secs).collect();
    for s in shocks {
        let from = (s.at() - (s.fine_before_mins * 60.0) as i64).max(0);
        let to = (s.at() + (s.fine_after_mins * 60.0) as i64).min(end);
        let mut t = from;
        while t <= to {
            times.push(t);
            t += fine_step_secs;
        }
        times.push(s.at().clamp(0, end));
    }
    times.push(end);
    times.sort_unstable();
    times.dedup();
    times
}

/// A path's fundamental prices (before liquidators' sales move them) at every grid time, and how turbulent
/// the market is.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub times: Vec<i64>,
    /// `prices[k][i]`: asset i at `times[k]`.
    pub prices: Vec<Vec<f64>>,
    /// Market-wide turbulence at `times[k]`, 0 (calm) to 1.
    pub turbulence: Vec<f64>,
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

fn identity(n: usize) -> Vec<Vec<f64>> {
    (0..n).map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect()).collect()
}

/// `corr` with every off-diagonal entry moved a share `w` of the way toward `toward`.
fn blend(corr: &[Vec<f64>], toward: f64, w: f64) -> Vec<Vec<f64>> {
    corr.iter().enumerate().map(|(i, row)| row.iter().enumerate().map(|(j, c)| if i == j { 1.0 } else { c + (toward - c) * w }).collect()).collect()
}

/// The fundamental path on `times` from `seed`.
pub fn generate(assets: &[AssetModel], corr: &[Vec<f64>], crash_correlation: f64, shocks: &[Shock], times: &[i64], seed: u64) -> Result<Path> {
    let n = assets.len();
    let corr = if corr.is_empty() { identity(n) } else { corr.to_vec() };
    if corr.len() != n {
        bail!("the correlation matrix has {} rows for {n} assets", corr.len());
    }
    let calm = cholesky(&corr)?;
    // Turbulence blends correlations toward `crash_correlation`; precomputed at a few levels.
    let levels: Vec<Vec<Vec<f64>>> = (0..=10).map(|k| cholesky(&blend(&corr, crash_correlation, k as f64 / 10.0))).collect::<Result<_>>()?;
    let mut rng = Rng::new(seed);
    let mut spot: Vec<f64> = assets.iter().map(|a| a.price).collect();
    // Turbulence is the market's: a shock in one asset unsettles every one.
    let turbulence_at = |t: i64| shocks.iter().map(|s| s.turbulence(t)).fold(0.0, f64::max);
    let mut prices = vec![spot.clone()];
    let mut turbulence = vec![turbulence_at(0)];
    for k in 1..times.len() {
        let (t0, t1) = (times[k - 1], times[k]);
        let dt = (t1 - t0) as f64 / SECS_PER_YEAR;
        let market = turbulence_at(t1);
        let l = if market > 0.0 { &levels[(market * 10.0).round() as usize] } else { &calm };
        let z: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        for (i, a) in assets.iter().enumerate() {
            let scale = 1.0 + (a.turbulent_volatility - 1.0) * market;
            let vol = a.volatility * scale;
            let correlated: f64 = (0..=i).map(|j| l[i][j] * z[j]).sum();
            let jumps = rng.poisson(a.jump_intensity * scale * dt);
            let jump: f64 = (0..jumps).map(|_| a.jump_mean + a.jump_std * rng.normal()).sum();
            let mut log_move = (a.drift - vol * vol / 2.0) * dt + vol * dt.sqrt() * correlated + jump;
            for s in shocks.iter().filter(|s| s.asset == a.symbol && s.at() > t0 && s.at() <= t1) {
                log_move += (1.0 + s.pct / 100.0).ln();
            }
            spot[i] *= log_move.exp();
        }
        prices.push(spot.clone());
        turbulence.push(market);
    }
    Ok(Path { times: times.to_vec(), prices, turbulence })
}

/// Asset models for the simulator's unit tests.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    pub(crate) fn asset(symbol: &str, price: f64, volatility: f64) -> AssetModel {
        AssetModel {
            symbol: symbol.into(),
            price,
            drift: 0.0,
            volatility,
            turbulent_volatility: 3.0,
            jump_intensity: 0.0,
            jump_mean: 0.0,
            jump_std: 0.0,
            depth_1pct_quote: 1e12,
            depth_half_life_secs: 1_800.0,
            oracle: OracleModel::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{tests_support::asset, *};

    fn shock(hour: f64, asset: &str, pct: f64) -> Shock {
        Shock { hour, asset: asset.into(), pct, turbulence_before_hours: 2.0, turbulence_after_hours: 6.0, fine_before_mins: 30.0, fine_after_mins: 120.0 }
    }

    #[test]
    fn grid_succeeds_with_minute_steps_around_a_shock() {
        let times = grid(6.0, 3_600, 60, &[shock(3.0, "SOL", -30.0)]);
        assert_eq!((times[0], *times.last().unwrap()), (0, 6 * 3_600));
        let fine: Vec<i64> = times.windows(2).filter(|w| w[1] - w[0] == 60).map(|w| w[0]).collect();
        assert_eq!((fine[0], *fine.last().unwrap()), (3 * 3_600 - 1_800, 5 * 3_600 - 60));
        assert!(times.windows(2).all(|w| w[1] > w[0] && w[1] - w[0] <= 3_600));
    }

    #[test]
    fn generate_succeeds_with_exact_prices_for_a_scripted_crash_without_noise() {
        let shocks = [shock(2.0, "SOL", -30.0), shock(4.0, "SOL", -50.0)];
        let times = grid(5.0, 3_600, 60, &shocks);
        let path = generate(&[asset("SOL", 100.0, 0.0)], &[], 0.9, &shocks, &times, 7).unwrap();
        let at = |secs: i64| path.prices[times.iter().position(|t| *t == secs).unwrap()][0];
        assert!((at(3_600) - 100.0).abs() < 1e-9 && (at(7_200) - 70.0).abs() < 1e-9 && (at(5 * 3_600) - 35.0).abs() < 1e-9);
        // Turbulence rises before the first shock and peaks at it.
        let k = times.iter().position(|t| *t == 3_600).unwrap();
        assert!((path.turbulence[k] - 0.5).abs() < 1e-9, "{}", path.turbulence[k]);
    }

    #[test]
    fn generate_succeeds_with_the_same_path_for_the_same_seed_only() {
        let assets = [asset("SOL", 150.0, 0.8), asset("BTC", 60_000.0, 0.5)];
        let corr = vec![vec![1.0, 0.6], vec![0.6, 1.0]];
        let times = grid(50.0, 3_600, 60, &[]);
        let a = generate(&assets, &corr, 0.9, &[], &times, 42).unwrap();
        assert_eq!(a, generate(&assets, &corr, 0.9, &[], &times, 42).unwrap());
        assert_ne!(a, generate(&assets, &corr, 0.9, &[], &times, 43).unwrap());
    }

    #[test]
    fn generate_succeeds_with_the_correlation_asked_for_calm_and_near_one_in_turbulence() {
        let assets = [asset("A", 1.0, 1.0), asset("B", 1.0, 1.0)];
        let corr = vec![vec![1.0, 0.3], vec![0.3, 1.0]];
        let rho = |path: &Path, from: usize, to: usize| {
            let r: Vec<(f64, f64)> = (from + 1..to).map(|k| ((path.prices[k][0] / path.prices[k - 1][0]).ln(), (path.prices[k][1] / path.prices[k - 1][1]).ln())).collect();
            let n = r.len() as f64;
            let (ma, mb) = (r.iter().map(|x| x.0).sum::<f64>() / n, r.iter().map(|x| x.1).sum::<f64>() / n);
            let cov = r.iter().map(|x| (x.0 - ma) * (x.1 - mb)).sum::<f64>() / n;
            let (va, vb) = (r.iter().map(|x| (x.0 - ma).powi(2)).sum::<f64>() / n, r.iter().map(|x| (x.1 - mb).powi(2)).sum::<f64>() / n);
            cov / (va * vb).sqrt()
        };
        let times = grid(20_000.0, 3_600, 60, &[]);
        let calm = generate(&assets, &corr, 0.95, &[], &times, 1).unwrap();
        assert!((rho(&calm, 0, times.len()) - 0.3).abs() < 0.03);
        // A long turbulent spell (one shock of 0% whose turbulence covers the whole path).
        let mut s = shock(10_000.0, "A", 0.0);
        (s.turbulence_before_hours, s.turbulence_after_hours, s.fine_before_mins, s.fine_after_mins) = (1e9, 1e9, 0.0, 0.0);
        let stormy = generate(&assets, &corr, 0.95, &[s], &times, 1).unwrap();
        assert!(rho(&stormy, 0, times.len()) > 0.9);
    }

    #[test]
    fn cholesky_fails_on_a_matrix_that_is_not_a_correlation() {
        assert!(cholesky(&[vec![1.0, 0.9], vec![0.8, 1.0]]).unwrap_err().to_string().contains("symmetric"));
        assert!(cholesky(&[vec![1.0, 1.2], vec![1.2, 1.0]]).unwrap_err().to_string().contains("positive definite"));
    }
}
