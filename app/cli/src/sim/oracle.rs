//! What a Pyth-like feed publishes about a market price: the price a little late (publication latency), an
//! EMA with a fixed half-life in seconds whatever the step, a confidence that follows the recent realized
//! volatility (an exponentially weighted variance of log returns, so it widens as a turbulent spell builds,
//! before and through a jump, not only on the step of one), and outages during which nothing is published and
//! the last update ages in seconds until the program calls it stale. Outages are drawn from the path's seed,
//! so both configs of a path see the same ones.
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// How one asset's feed behaves.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct OracleModel {
    /// Half-life of the EMA, seconds (Pyth's is about an hour).
    pub ema_half_life_secs: f64,
    /// Confidence in a perfectly calm market, bps of the price.
    pub base_conf_bps: f64,
    /// Confidence per unit of realized volatility over `conf_horizon_secs` (the publishers' spread).
    pub conf_vol_multiple: f64,
    pub conf_horizon_secs: f64,
    /// Half-life of the realized variance estimate, seconds.
    pub vol_half_life_secs: f64,
    /// How late a published price is, seconds.
    pub latency_secs: f64,
    /// Outages per day and how long each lasts, seconds.
    pub outages_per_day: f64,
    pub outage_secs: f64,
}

impl Default for OracleModel {
    fn default() -> Self {
        Self {
            ema_half_life_secs: 3_600.0,
            base_conf_bps: 2.0,
            conf_vol_multiple: 1.0,
            conf_horizon_secs: 60.0,
            vol_half_life_secs: 3_600.0,
            latency_secs: 1.0,
            outages_per_day: 0.0,
            outage_secs: 0.0,
        }
    }
}

/// What the feed published last.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Published {
    pub price: f64,
    pub conf: f64,
    pub ema: f64,
    /// Unix-relative seconds (path time) the price is dated at.
    pub publish_time: i64,
}

/// One feed's state along a path.
#[derive(Clone, Debug)]
pub struct Oracle {
    model: OracleModel,
    /// Outage windows, [start, end) in path seconds.
    outages: Vec<(i64, i64)>,
    ema: f64,
    /// Realized variance of log returns, per second.
    variance: f64,
    last_market: f64,
    last_time: i64,
    published: Published,
}

/// Outage windows over `[0, end)` for a feed, from `rng`.
pub fn draw_outages(model: &OracleModel, end: i64, rng: &mut Rng) -> Vec<(i64, i64)> {
    let mut out = vec![];
    if model.outages_per_day <= 0.0 || model.outage_secs <= 0.0 {
        return out;
    }
    let mean_gap = 86_400.0 / model.outages_per_day;
    let mut t = 0.0;
    loop {
        t += -mean_gap * (1.0 - rng.uniform()).ln();
        if t >= end as f64 {
            return out;
        }
        out.push((t as i64, (t + model.outage_secs) as i64));
        t += model.outage_secs;
    }
}

impl Oracle {
    /// A feed publishing `price` at time 0, calm.
    pub fn new(model: OracleModel, price: f64, outages: Vec<(i64, i64)>) -> Self {
        let conf = price * model.base_conf_bps / 1e4;
        Self { model, outages, ema: price, variance: 0.0, last_market: price, last_time: 0, published: Published { price, conf, ema: price, publish_time: 0 } }
    }

    pub fn published(&self) -> Published {
        self.published
    }

    /// Whether the feed is down at `t`.
    pub fn in_outage(&self, t: i64) -> bool {
        self.outages.iter().any(|(from, to)| (*from..*to).contains(&t))
    }

    /// The market price is `market` at `t` (after the previous observation): updates the variance and EMA, and
    /// publishes unless the feed is down. Returns what the feed shows now.
    pub fn observe(&mut self, t: i64, market: f64) -> Published {
        let dt = (t - self.last_time).max(1) as f64;
        let m = &self.model;
        let r = (market / self.last_market).ln();
        let decay = |half_life: f64| if half_life <= 0.0 { 1.0 } else { 1.0 - 0.5f64.powf(dt / half_life) };
        // Variance per second, weighted toward recent returns.
        self.variance += decay(m.vol_half_life_secs) * (r * r / dt - self.variance);
        // The price published now is the market's `latency` seconds ago (log-linear within the step).
        let lag = (m.latency_secs / dt).clamp(0.0, 1.0);
        let price = (market.ln() - lag * r).exp();
        if !self.in_outage(t) {
            self.ema += decay(m.ema_half_life_secs) * (price - self.ema);
            let sigma = (self.variance * m.conf_horizon_secs).sqrt();
            let conf = price * (m.base_conf_bps / 1e4 + m.conf_vol_multiple * sigma);
            self.published = Published { price, conf, ema: self.ema, publish_time: t - m.latency_secs.round() as i64 };
        }
        self.last_market = market;
        self.last_time = t;
        self.published
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ema_succeeds_halving_the_gap_in_one_half_life_whatever_the_step() {
        for step in [60, 600, 3_600] {
            let mut o = Oracle::new(OracleModel { latency_secs: 0.0, ..Default::default() }, 100.0, vec![]);
            let mut t = 0;
            while t < 3_600 {
                t += step;
                o.observe(t, 50.0);
            }
            assert!((o.published().ema - 75.0).abs() < 1e-9, "step {step}: {}", o.published().ema);
        }
    }

    #[test]
    fn confidence_succeeds_widening_as_volatility_builds_before_a_jump() {
        let mut o = Oracle::new(OracleModel::default(), 100.0, vec![]);
        let mut rng = Rng::new(3);
        let (mut price, mut t) = (100.0, 0);
        let mut calm = 0.0;
        for minute in 1..=240 {
            // Two calm hours (20% annual), then two turbulent ones (200% annual).
            let vol = if minute <= 120 { 0.2 } else { 2.0 };
            price *= (vol * (60.0 / super::super::prices::SECS_PER_YEAR).sqrt() * rng.normal()).exp();
            t += 60;
            let p = o.observe(t, price);
            if minute == 120 {
                calm = p.conf / p.price;
            }
        }
        let stormy = o.published().conf / o.published().price;
        assert!(stormy > 4.0 * calm, "calm {calm}, stormy {stormy}");
    }

    #[test]
    fn an_outage_succeeds_keeping_the_last_publication() {
        let mut o = Oracle::new(OracleModel::default(), 100.0, vec![(120, 300)]);
        o.observe(60, 101.0);
        let before = o.published();
        for t in [120, 180, 240] {
            assert_eq!(o.observe(t, 90.0), before, "down at {t}");
        }
        assert_eq!(o.observe(300, 90.0).publish_time, 299);
        let windows = draw_outages(&OracleModel { outages_per_day: 24.0, outage_secs: 60.0, ..Default::default() }, 86_400, &mut Rng::new(1));
        assert!((10..40).contains(&windows.len()), "{}", windows.len());
    }
}
