//! Distribution summaries over paths: mean and tail percentiles, and the tail risk of a loss.
use serde::Serialize;

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    pub mean: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

/// Mean, nearest-rank 95th and 99th percentiles, and maximum (all 0 for no samples).
pub fn summarize(xs: &[f64]) -> Summary {
    if xs.is_empty() {
        return Summary::default();
    }
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    Summary { mean: xs.iter().sum::<f64>() / xs.len() as f64, p95: percentile(&sorted, 0.95), p99: percentile(&sorted, 0.99), max: sorted[sorted.len() - 1] }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summarize_succeeds_with_nearest_rank_percentiles() {
        let xs: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(summarize(&xs), Summary { mean: 50.5, p95: 95.0, p99: 99.0, max: 100.0 });
        assert_eq!(summarize(&[3.0]), Summary { mean: 3.0, p95: 3.0, p99: 3.0, max: 3.0 });
        assert_eq!(summarize(&[]), Summary::default());
    }

    #[test]
    fn var_es_succeeds_averaging_the_tail() {
        let losses: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(var_es(&losses, 0.95), (19.0, 19.5));
    }
}
