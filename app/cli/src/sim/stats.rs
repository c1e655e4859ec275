//! Estimates over paths: a mean with its standard error and 95% interval, tail percentiles, the paired
//! difference of two configs run on the same paths (common random numbers), and value at risk and expected
//! shortfall with bootstrap intervals.
use crate::rng::Rng;
use serde::Serialize;

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_964;

/// A mean over paths, its standard error, a 95% interval, and the tail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Estimate {
    pub mean: f64,
    pub se: f64,
    pub lo: f64,
    pub hi: f64,
    pub p95: f64,
    pub max: f64,
    pub n: usize,
}

/// Mean, standard error of the mean, the normal 95% interval, nearest-rank p95 and the maximum.
pub fn estimate(xs: &[f64]) -> Estimate {
    let n = xs.len();
    if n == 0 {
        return Estimate::default();
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    let var = if n > 1 { xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64 } else { 0.0 };
    let se = (var / n as f64).sqrt();
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    Estimate { mean, se, lo: mean - Z95 * se, hi: mean + Z95 * se, p95: percentile(&sorted, 0.95), max: sorted[n - 1], n }
}

/// The paired difference a − b, path by path.
pub fn paired(a: &[f64], b: &[f64]) -> Estimate {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    estimate(&d)
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Value at risk and expected shortfall of `losses` at `level` (e.g. 0.95): the loss not exceeded with that
/// probability, and the mean of the losses at or beyond it.
pub fn var_es(losses: &[f64], level: f64) -> (f64, f64) {
    if losses.is_empty() {
        return (0.0, 0.0);
    }
    let mut sorted = losses.to_vec();
    sorted.sort_by(f64::total_cmp);
    let var = percentile(&sorted, level);
    let tail: Vec<f64> = sorted.iter().copied().filter(|l| *l >= var).collect();
    (var, tail.iter().sum::<f64>() / tail.len() as f64)
}

/// A tail measure with a bootstrap standard error and 95% percentile interval.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Tail {
    pub value: f64,
    pub se: f64,
    pub lo: f64,
    pub hi: f64,
}

/// VaR95 and ES95 of `losses`, and of the paired difference a − b when `other` is given, each with a
/// bootstrap interval (paths resampled together, `resamples` times, from `seed`).
pub fn tails(losses: &[f64], other: Option<&[f64]>, resamples: usize, seed: u64) -> (Tail, Tail) {
    let measure = |idx: &[usize]| -> (f64, f64) {
        let pick = |xs: &[f64]| idx.iter().map(|&i| xs[i]).collect::<Vec<f64>>();
        let (v, e) = var_es(&pick(losses), 0.95);
        match other {
            Some(o) => {
                let (ov, oe) = var_es(&pick(o), 0.95);
                (v - ov, e - oe)
            }
            None => (v, e),
        }
    };
    let n = losses.len();
    let all: Vec<usize> = (0..n).collect();
    let (var, es) = measure(&all);
    if n < 2 {
        return (Tail { value: var, ..Default::default() }, Tail { value: es, ..Default::default() });
    }
    let mut rng = Rng::new(seed);
    let (mut vars, mut ess) = (vec![], vec![]);
    for _ in 0..resamples {
        let idx: Vec<usize> = (0..n).map(|_| (rng.next_u64() % n as u64) as usize).collect();
        let (v, e) = measure(&idx);
        vars.push(v);
        ess.push(e);
    }
    let tail = |value: f64, mut xs: Vec<f64>| {
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        let se = (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64).sqrt();
        xs.sort_by(f64::total_cmp);
        Tail { value, se, lo: percentile(&xs, 0.025), hi: percentile(&xs, 0.975) }
    };
    (tail(var, vars), tail(es, ess))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_succeeds_with_the_standard_error_of_the_mean() {
        let xs: Vec<f64> = (1..=100).map(f64::from).collect();
        let e = estimate(&xs);
        assert_eq!((e.mean, e.p95, e.max, e.n), (50.5, 95.0, 100.0, 100));
        // sd of 1..=100 is 29.011; se = sd / 10.
        assert!((e.se - 2.901_149).abs() < 1e-6 && (e.hi - e.lo - 2.0 * 1.959_964 * e.se).abs() < 1e-9);
        assert_eq!(estimate(&[]), Estimate::default());
    }

    #[test]
    fn paired_succeeds_removing_what_both_configs_share() {
        // Large common noise, a constant gap of 1: the pair sees the gap exactly.
        let a: Vec<f64> = (0..50).map(|i| (i * i) as f64 + 1.0).collect();
        let b: Vec<f64> = (0..50).map(|i| (i * i) as f64).collect();
        let d = paired(&a, &b);
        assert_eq!((d.mean, d.se), (1.0, 0.0));
    }

    #[test]
    fn var_es_succeeds_averaging_the_tail_with_a_bootstrap_interval() {
        let losses: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(var_es(&losses, 0.95), (19.0, 19.5));
        let (var, es) = tails(&losses, None, 200, 1);
        assert_eq!((var.value, es.value), (19.0, 19.5));
        assert!(var.lo <= var.value && var.value <= var.hi && es.se > 0.0);
    }
}
