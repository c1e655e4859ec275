//! Liquidation scanning for keepers: every reserve is valued and priced once per snapshot with the program's
//! own functions; each obligation then costs one pass over its positions. A fast f64 screen clears clearly
//! healthy obligations first, and may only ever say "check" for a liquidatable one: anything it does not clear
//! goes through the exact path, which is what the program computes in `liquidate`.
use crate::accounts::MarketSnapshot;
use anchor_lang::prelude::Pubkey;
use anyhow::{anyhow, Result};
use ballast::{
    math::Fraction,
    operations::health::{Health, ReserveValuation},
    oracle::{validate_price, Price, PriceUse},
    state::{ElevationGroup, Market, Obligation, Reserve},
};

/// Relative margin the screen keeps: far above f64's error over 16 positions (about 1e-14), far below any
/// distance that matters, so it clears every obligation not within a hair of its threshold.
pub const SCREEN_MARGIN: f64 = 1e-9;

/// One reserve, valued and priced once.
struct Quote<'s> {
    key: Pubkey,
    valuation: ReserveValuation<'s>,
    /// The validated liquidation price, or why it failed (liquidating a position here fails the same way).
    price: std::result::Result<Price, String>,
    /// Liquidation-weighted quote value of one cToken, and of one unit of debt at the index snapshot 1, for
    /// the screen (f64); None when the price failed.
    per_ctoken: Option<f64>,
    per_debt_unit: Option<f64>,
}

/// What the screen says about one obligation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// Liquidation health is clearly at least 1 (or there is no debt): nothing to do.
    Healthy,
    /// Too close to call, in an elevation group, or a price failed: run the exact path.
    Check,
}

/// Every reserve of a snapshot, valued and priced for liquidation health.
pub struct Scanner<'s> {
    quotes: Vec<Quote<'s>>,
    market: &'s Market,
}

impl<'s> Scanner<'s> {
    pub fn new(snap: &'s MarketSnapshot) -> Result<Self> {
        let reserves: Vec<(Pubkey, &Reserve)> = snap.reserves.iter().map(|r| (r.key, &r.state)).collect();
        // The program's own rules (`oracle::sources::select`) over both sources, from the snapshot's bytes.
        let prices = |r: &Reserve| -> std::result::Result<Price, String> {
            let use_ = PriceUse::Liquidation;
            let primary = (!r.config.has_flag(ballast::state::FLAG_SECONDARY_ONLY)).then(|| snap.primary_price(r, use_));
            ballast::oracle::sources::select(&r.config, primary, snap.secondary_price(r, use_), use_).map_err(|e| e.to_string())
        };
        Self::from_prices(&snap.market, &reserves, prices, snap.now)
    }

    /// From reserve states and a way to read each one's raw Pyth price (None: the account is missing or
    /// malformed), for reserves without a secondary source.
    pub fn from_parts(market: &'s Market, reserves: &[(Pubkey, &'s Reserve)], raw_price: impl Fn(&Reserve) -> Option<ballast::oracle::RawPrice>, now: i64) -> Result<Self> {
        let price = |r: &Reserve| match raw_price(r) {
            Some(raw) => validate_price(&raw, &r.config.oracle, now, PriceUse::Liquidation).map_err(|e| e.to_string()),
            None => Err("price account missing or not a PriceUpdateV2".into()),
        };
        Self::from_prices(market, reserves, price, now)
    }

    /// From reserve states and each one's validated liquidation price (or why it failed).
    fn from_prices(market: &'s Market, reserves: &[(Pubkey, &'s Reserve)], price_of: impl Fn(&Reserve) -> std::result::Result<Price, String>, now: i64) -> Result<Self> {
        let mut quotes = Vec::with_capacity(reserves.len());
        for (key, reserve) in reserves {
            let valuation = ReserveValuation::projected(reserve, now)?;
            let price = price_of(reserve);
            let (per_ctoken, per_debt_unit) = match &price {
                Ok(p) => screen_factors(&valuation, p),
                Err(_) => (None, None),
            };
            quotes.push(Quote { key: *key, valuation, price, per_ctoken, per_debt_unit });
        }
        quotes.sort_by_key(|q| q.key);
        Ok(Self { quotes, market })
    }

    fn quote(&self, key: &Pubkey) -> Option<&Quote<'s>> {
        self.quotes.binary_search_by_key(key, |q| q.key).ok().map(|i| &self.quotes[i])
    }

    fn group(&self, obligation: &Obligation) -> Option<ElevationGroup> {
        self.market.elevation_group(obligation.elevation_group).copied()
    }

    /// Liquidation health exactly as `liquidate` computes it (the program's `Health::add_priced_reserve` over
    /// every distinct reserve). Err when a position's reserve is unknown or its price fails.
    pub fn health(&self, obligation: &Obligation) -> Result<Health> {
        let group = self.group(obligation);
        let mut health = Health::default();
        for key in obligation.health_reserves() {
            let q = self.quote(&key).ok_or_else(|| anyhow!("reserve {key} is not in the market"))?;
            let price = q.price.as_ref().map_err(|e| anyhow!("reserve {key}: {e}"))?;
            health.add_priced_reserve(obligation, &key, &q.valuation, price, group.as_ref(), PriceUse::Liquidation)?;
        }
        Ok(health)
    }

    /// The exact verdict: liquidation health below 1.
    pub fn is_liquidatable(&self, obligation: &Obligation) -> Result<bool> {
        Ok(self.health(obligation)?.is_liquidatable()?)
    }

    /// The f64 screen: Healthy only when Σ collateral·spot·threshold exceeds Σ debt·spot·borrow factor by more
    /// than SCREEN_MARGIN.
    pub fn screen(&self, obligation: &Obligation) -> Screen {
        if obligation.elevation_group != 0 {
            return Screen::Check;
        }
        let borrows = obligation.active_borrows();
        if borrows.is_empty() {
            return Screen::Healthy;
        }
        let mut debt = 0.0;
        for b in borrows {
            let Some(per_unit) = self.quote(&b.reserve).and_then(|q| q.per_debt_unit) else { return Screen::Check };
            debt += b.borrowed_sf.get().to_num::<f64>() / b.cumulative_borrow_index_sf.get().to_num::<f64>() * per_unit;
        }
        let mut collateral = 0.0;
        for d in obligation.active_deposits() {
            let Some(per_ctoken) = self.quote(&d.reserve).and_then(|q| q.per_ctoken) else { return Screen::Check };
            collateral += d.ctoken_amount as f64 * per_ctoken;
        }
        if collateral > debt * (1.0 + SCREEN_MARGIN) {
            Screen::Healthy
        } else {
            Screen::Check
        }
    }

    /// Screen first, exact path for whatever the screen does not clear.
    pub fn liquidatable(&self, obligation: &Obligation) -> Result<bool> {
        match self.screen(obligation) {
            Screen::Healthy => Ok(false),
            Screen::Check => self.is_liquidatable(obligation),
        }
    }
}

/// Liquidation weight per cToken and per unit of debt at index 1, in quote, as f64 (None for a price the band
/// refuses on that side, so such positions go to the exact path).
fn screen_factors(r: &ReserveValuation, price: &Price) -> (Option<f64>, Option<f64>) {
    let f = |x: Fraction| x.to_num::<f64>();
    let scale = 10f64.powi(r.decimals as i32);
    let (low, high) = (f(price.spot_low), f(price.spot_high));
    let per_ctoken = (r.ctoken_supply > 0 && price.require_within_band(&r.config.oracle, ballast::oracle::Side::Collateral).is_ok())
        .then(|| f(r.total_liquidity) / r.ctoken_supply as f64 * low / scale * r.config.liquidation_threshold_bps as f64 / 10_000.0);
    let per_debt_unit = price
        .require_within_band(&r.config.oracle, ballast::oracle::Side::Debt)
        .is_ok()
        .then(|| f(r.cumulative_borrow_index) * high / scale * r.config.borrow_factor_bps as f64 / 10_000.0);
    (per_ctoken, per_debt_unit)
}

/// Random markets for the screen's never-miss test and the benchmark's scan rate.
pub mod random {
    use super::*;
    use ballast::{
        math::{from_u64, CurvePoint, Sf},
        oracle::RawPrice,
        state::{ObligationCollateral, ObligationLiquidity, OracleConfig},
    };
    use bytemuck::Zeroable;

    /// xorshift64*: deterministic, dependency-free.
    pub struct Rng(pub u64);
    impl Rng {
        pub fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        pub fn below(&mut self, n: u64) -> u64 {
            self.next() % n.max(1)
        }
        pub fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// A market of `n_reserves` reserves (varied decimals, prices, exchange rates, indexes, thresholds and borrow
    /// factors) with valid prices, and `n_obligations` obligations of 1..=8 deposits and 0..=8 borrows. A share
    /// `near_edge` of them has liquidation health in [0.9, 1.1] (about half liquidatable); the rest in [1.1, 3].
    pub struct Market {
        pub now: i64,
        pub market: ballast::state::Market,
        pub reserves: Vec<(Pubkey, Reserve)>,
        pub prices: Vec<RawPrice>,
        pub obligations: Vec<Obligation>,
    }

    impl Market {
        pub fn new(seed: u64, n_reserves: usize, n_obligations: usize, near_edge: f64) -> Self {
            let mut rng = Rng(seed | 1);
            let now = 1_700_000_000;
            let mut reserves = vec![];
            let mut prices = vec![];
            for i in 0..n_reserves {
                let mut r = Reserve::zeroed();
                let decimals = [0u8, 6, 8, 9][rng.below(4) as usize];
                r.liquidity_decimals = decimals;
                let c = &mut r.config;
                c.curve[0] = CurvePoint { utilization_bps: 0, borrow_rate_bps: 0 };
                c.curve[1] = CurvePoint { utilization_bps: 10_000, borrow_rate_bps: 1_000 + rng.below(20_000) as u32 };
                c.curve_len = 2;
                c.liquidation_threshold_bps = 5_000 + rng.below(4_500) as u16;
                c.ltv_bps = c.liquidation_threshold_bps - 100;
                c.borrow_factor_bps = 10_000 + rng.below(10_000) as u16;
                c.reserve_factor_bps = rng.below(2_000) as u16;
                c.insurance_factor_bps = rng.below(1_000) as u16;
                c.oracle = OracleConfig {
                    price_account: Pubkey::new_from_array([i as u8 + 1; 32]),
                    feed_id: [i as u8 + 1; 32],
                    max_age_secs: 60,
                    volatility_haircut_bps: 10_000,
                    max_conf_bps: 200,
                    max_ema_divergence_bps: 500,
                    conf_multiplier_bps: 10_000,
                    liquidation_band_bps: 10_000,
                };
                let scale = 10u64.pow(decimals as u32);
                r.available_liquidity = (1 + rng.below(1_000_000)) * scale;
                r.borrowed_sf = Sf::from(from_u64(rng.below(1_000_000) * scale) + Fraction::from_num(rng.unit()));
                r.ctoken_supply = r.available_liquidity + rng.below(1_000_000) * scale + 1;
                r.cumulative_borrow_index_sf = Sf::from(Fraction::ONE + Fraction::from_num(rng.unit()));
                r.last_update_ts = now - rng.below(86_400) as i64;
                let price = 1 + rng.below(100_000_000_000) as i64;
                prices.push(RawPrice { fully_verified: true, feed_id: [i as u8 + 1; 32], price, conf: 0, ema_price: price, exponent: -8, publish_time: now });
                reserves.push((Pubkey::new_from_array([i as u8 + 101; 32]), r));
            }
            let mut obligations = Vec::with_capacity(n_obligations);
            let scanner_reserves: Vec<(Pubkey, &Reserve)> = reserves.iter().map(|(k, r)| (*k, r)).collect();
            let market = ballast::state::Market::zeroed();
            let scanner = Scanner::from_parts(&market, &scanner_reserves, |r| prices_of(&prices, &reserves, r), now).expect("valid reserves");
            for _ in 0..n_obligations {
                let mut o = Obligation::zeroed();
                let n_dep = 1 + rng.below(8) as usize;
                let n_bor = rng.below(9) as usize;
                let mut order: Vec<usize> = (0..reserves.len()).collect();
                for i in (1..order.len()).rev() {
                    order.swap(i, rng.below(i as u64 + 1) as usize);
                }
                for (slot, idx) in order.iter().take(n_dep).enumerate() {
                    o.deposits[slot] = ObligationCollateral { reserve: reserves[*idx].0, ctoken_amount: 1 + rng.below(1u64 << 40) };
                }
                for (slot, idx) in order.iter().rev().take(n_bor).enumerate() {
                    let snapshot = Fraction::ONE + Fraction::from_num(rng.unit() * 0.5);
                    o.borrows[slot] = ObligationLiquidity {
                        reserve: reserves[*idx].0,
                        borrowed_sf: Sf::from(from_u64(1 + rng.below(1u64 << 40))),
                        cumulative_borrow_index_sf: Sf::from(snapshot),
                    };
                }
                // Scale the debt so health lands near 1 (0.9 to 1.1, some exactly at the edge).
                if let Ok(h) = scanner.health(&o) {
                    if let Ok(Some(health)) = h.liquidation_health() {
                        let target = if rng.unit() < near_edge { 0.9 + 0.2 * rng.unit() } else { 1.1 + 1.9 * rng.unit() };
                        let factor = health.to_num::<f64>() / target;
                        for b in o.borrows.iter_mut().take(n_bor) {
                            let scaled = b.borrowed_sf.get().to_num::<f64>() * factor;
                            b.borrowed_sf = Sf::from(Fraction::from_num(scaled.clamp(1.0, 1e15)));
                        }
                    }
                }
                obligations.push(o);
            }
            Self { now, market, reserves, prices, obligations }
        }

        pub fn scanner(&self) -> Scanner<'_> {
            let reserves: Vec<(Pubkey, &Reserve)> = self.reserves.iter().map(|(k, r)| (*k, r)).collect();
            Scanner::from_parts(&self.market, &reserves, |r| prices_of(&self.prices, &self.reserves, r), self.now).expect("valid reserves")
        }
    }

    /// The price published for `r`'s configured price account.
    fn prices_of(prices: &[RawPrice], reserves: &[(Pubkey, Reserve)], r: &Reserve) -> Option<RawPrice> {
        let account = r.config.oracle.price_account;
        reserves.iter().position(|(_, x)| x.config.oracle.price_account == account).map(|i| prices[i])
    }
}

#[cfg(test)]
mod tests {
    use super::{random::Market, Screen};

    /// The screen never clears an obligation the exact path (the program's math) finds liquidatable, over random
    /// markets built to sit around health 1.
    #[test]
    fn screen_never_misses_a_liquidatable_obligation() {
        let (mut checked, mut cleared, mut liquidatable) = (0, 0, 0);
        for seed in 1..=20u64 {
            let m = Market::new(seed * 7_919, 12, 500, 1.0);
            let scanner = m.scanner();
            for o in &m.obligations {
                let exact = scanner.is_liquidatable(o).unwrap();
                liquidatable += exact as usize;
                match scanner.screen(o) {
                    Screen::Healthy => {
                        cleared += 1;
                        assert!(!exact, "the screen cleared a liquidatable obligation: {:?}", bytemuck::bytes_of(o));
                    }
                    Screen::Check => checked += 1,
                }
                assert_eq!(scanner.liquidatable(o).unwrap(), exact);
            }
        }
        assert!(liquidatable > 1_000 && cleared > 1_000, "both sides are exercised: {liquidatable} liquidatable, {cleared} cleared, {checked} checked");
    }
}
