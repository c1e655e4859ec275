//! A validated price and the biased views health uses.
use crate::{
    constants::{BPS, MAX_PRICE_CLOCK_SKEW_SECS, MIN_LIQUIDATION_BAND_BPS},
    error::BallastError,
    math::{self, from_bps, from_u64, Fraction},
    state::OracleConfig,
};
use anchor_lang::prelude::*;

/// What the price is for, which decides the checks it must pass.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PriceUse {
    /// Borrow and withdraw: every check (age, confidence, EMA divergence).
    Risk,
    /// Liquidation (and valuing outflows): a fresh, verified price. Confidence and the risk divergence are not
    /// checked, so volatility alone never blocks it; liquidation health adds the band check per side
    /// (`Price::require_within_band`).
    Liquidation,
}

/// The parts of an oracle update that validation reads.
#[derive(Clone, Copy, Debug)]
pub struct RawPrice {
    pub fully_verified: bool,
    pub feed_id: [u8; 32],
    pub price: i64,
    pub conf: u64,
    pub ema_price: i64,
    pub exponent: i32,
    pub publish_time: i64,
}

/// Quote per whole token, from one source or two that agree.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Price {
    /// The lower spot of the sources used: values collateral.
    pub spot_low: Fraction,
    /// The higher spot of the sources used: values debt. Equal to `spot_low` for one source.
    pub spot_high: Fraction,
    /// The primary's EMA (a Switchboard feed, which has none, uses its spot).
    pub ema: Fraction,
    /// conf / spot, from the mantissas (rounded down).
    pub conf_ratio: Fraction,
    /// |spot − ema| / ema, from the mantissas (rounded down).
    pub ema_gap_ratio: Fraction,
}

/// `mantissa` · 10^exponent, given 10^|exponent|.
fn scale(mantissa: u64, exponent: i32, power: u64) -> Result<Fraction> {
    let m = from_u64(mantissa);
    if exponent >= 0 {
        math::mul_int(m, power)
    } else {
        math::div_int(m, power)
    }
}

/// Applies the reserve's oracle rules to a raw update. Each failed rule has its own error.
pub fn validate_price(raw: &RawPrice, cfg: &OracleConfig, now_ts: i64, use_: PriceUse) -> Result<Price> {
    require!(raw.fully_verified, BallastError::OracleNotFullyVerified);
    require!(raw.feed_id == cfg.feed_id, BallastError::OracleFeedIdMismatch);
    require!(raw.price > 0 && raw.ema_price > 0, BallastError::OracleInvalidPrice);
    let age = now_ts.saturating_sub(raw.publish_time);
    require!(age <= cfg.max_age_secs as i64, BallastError::OracleStale);
    // A price from the future would stay "fresh" past max_age: only a small clock skew is forgiven.
    require!(age >= -MAX_PRICE_CLOCK_SKEW_SECS, BallastError::OraclePublishTimeInFuture);
    let power = math::pow10(raw.exponent.unsigned_abs())?;
    let spot = scale(raw.price as u64, raw.exponent, power)?;
    let price = Price {
        spot_low: spot,
        spot_high: spot,
        ema: scale(raw.ema_price as u64, raw.exponent, power)?,
        // Ratios of mantissas of one exponent: a short integer division each, and closer than dividing the
        // scaled (already truncated) prices.
        conf_ratio: math::ratio_u64_floor(raw.conf, raw.price as u64)?,
        ema_gap_ratio: math::ratio_u64_floor(raw.price.abs_diff(raw.ema_price), raw.ema_price as u64)?,
    };
    if use_ == PriceUse::Risk {
        // conf / price <= max_conf  <=>  conf · BPS <= price · max_conf
        let conf_bps = (raw.conf as u128) * BPS as u128;
        require!(
            conf_bps <= (raw.price as u128) * cfg.max_conf_bps as u128,
            BallastError::OracleConfidenceTooWide
        );
        let gap = (raw.price as i128 - raw.ema_price as i128).unsigned_abs();
        require!(
            gap * BPS as u128 <= (raw.ema_price as u128) * cfg.max_ema_divergence_bps as u128,
            BallastError::OracleEmaDivergence
        );
    }
    Ok(price)
}

/// A price's conservative views for borrow power and initial debt.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RiskPrice {
    /// Collateral price: min(spot, ema) · (1 − k·conf/spot).
    pub low: Fraction,
    /// Debt price: max(spot, ema) · (1 + k·conf/spot).
    pub high: Fraction,
    /// Factor in [0, 1] applied to LTV: 1 − min(1, m · (|spot − ema|/ema + conf/spot)).
    pub ltv_factor: Fraction,
}

/// Which side of an obligation a price values.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
    Collateral,
    Debt,
}

impl Price {
    /// Liquidation refuses a spot that would wrongly favour the liquidator: collateral below
    /// ema / (1 + band), or debt above ema · (1 + band). A glitched price (one tick, the largest i64) can then never
    /// seize collateral, while moves the other way (collateral up, debt down), which only make obligations
    /// look healthier, never block anything. The band is never narrower than MIN_LIQUIDATION_BAND_BPS,
    /// whatever is stored.
    pub fn require_within_band(&self, cfg: &OracleConfig, side: Side) -> Result<()> {
        let widened = math::add(Fraction::ONE, from_bps(cfg.liquidation_band_bps.max(MIN_LIQUIDATION_BAND_BPS) as u64)?)?;
        let ok = match side {
            // spot ≥ ema / (1 + band)  <=>  spot · (1 + band) ≥ ema
            Side::Collateral => self.spot_low.saturating_mul(widened) >= self.ema,
            Side::Debt => self.spot_high <= self.ema.saturating_mul(widened),
        };
        require!(ok, BallastError::OracleOutsideLiquidationBand);
        Ok(())
    }

    /// The higher of spot and EMA: values liquidity leaving the market for the outflow limiter, so a price
    /// moving down never lets more out. A Switchboard feed has no EMA (ema = spot): while a dead primary has
    /// failed over to it, outflow is valued at the feed's spot (the price liquidations use then).
    pub fn outflow(&self) -> Fraction {
        self.spot_high.max(self.ema)
    }

    /// The spot valuing `side`: collateral at the lower of the sources, debt at the higher.
    pub fn spot(&self, side: Side) -> Fraction {
        match side {
            Side::Collateral => self.spot_low,
            Side::Debt => self.spot_high,
        }
    }

    /// Two validated prices of one reserve, taken together: collateral at the lower spot, debt at the higher,
    /// the wider confidence; the EMA and its gap are the primary's (`self`).
    pub fn combined_with(&self, other: &Price) -> Price {
        Price {
            spot_low: self.spot_low.min(other.spot_low),
            spot_high: self.spot_high.max(other.spot_high),
            ema: self.ema,
            conf_ratio: self.conf_ratio.max(other.conf_ratio),
            ema_gap_ratio: self.ema_gap_ratio.max(other.ema_gap_ratio),
        }
    }

    /// |self − other| / self, on the sources' spots, within `bps`.
    pub fn agrees_with(&self, other: &Price, bps: u16) -> Result<bool> {
        let gap = self.spot_low.abs_diff(other.spot_low);
        Ok(gap <= math::mul_bps(self.spot_low, bps as u64)?)
    }

    /// The biased views borrow and withdraw use, computed together from the ratios validation took.
    pub fn risk(&self, cfg: &OracleConfig) -> Result<RiskPrice> {
        // k · conf / spot, the confidence band used to bias prices.
        let band = math::mul_bps(self.conf_ratio, cfg.conf_multiplier_bps as u64)?;
        let volatility = math::add(self.ema_gap_ratio, self.conf_ratio)?;
        let haircut = math::mul_bps(volatility, cfg.volatility_haircut_bps as u64)?;
        Ok(RiskPrice {
            low: math::mul(self.spot_low.min(self.ema), Fraction::ONE.saturating_sub(band))?,
            high: math::mul(self.spot_high.max(self.ema), math::add(Fraction::ONE, band)?)?,
            ltv_factor: Fraction::ONE.saturating_sub(haircut),
        })
    }

    /// Collateral price for borrow power: min(spot, ema) · (1 − k·conf/spot), floored at zero.
    pub fn low(&self, cfg: &OracleConfig) -> Result<Fraction> {
        Ok(self.risk(cfg)?.low)
    }

    /// Debt price for initial health: max(spot, ema) · (1 + k·conf/spot).
    pub fn high(&self, cfg: &OracleConfig) -> Result<Fraction> {
        Ok(self.risk(cfg)?.high)
    }

    /// Factor in [0, 1] applied to LTV: 1 − min(1, m · (|spot − ema|/ema + conf/spot)). Only ever lowers LTV.
    pub fn ltv_haircut_factor(&self, cfg: &OracleConfig) -> Result<Fraction> {
        Ok(self.risk(cfg)?.ltv_factor)
    }
}

/// Value in quote of `native_amount` at `price`, given the mint's decimals. Multiplies first so round
/// amounts stay exact; divides first only when the product would overflow.
#[inline]
pub fn market_value(native_amount: Fraction, decimals: u8, price: Fraction) -> Result<Fraction> {
    let scale = math::pow10(decimals as u32)?;
    match native_amount.checked_mul(price) {
        Some(product) => math::div_int(product, scale),
        None => math::mul(math::div_int(native_amount, scale)?, price),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytemuck::Zeroable;

    fn cfg() -> OracleConfig {
        let mut c = OracleConfig::zeroed();
        c.feed_id = [7; 32];
        c.max_age_secs = 60;
        c.max_conf_bps = 200;
        c.max_ema_divergence_bps = 500;
        c.conf_multiplier_bps = 10_000;
        c.volatility_haircut_bps = 10_000;
        c.liquidation_band_bps = 10_000;
        c
    }

    fn raw(price: i64, conf: u64, ema: i64) -> RawPrice {
        RawPrice { fully_verified: true, feed_id: [7; 32], price, conf, ema_price: ema, exponent: -8, publish_time: 1_000 }
    }

    #[test]
    fn each_rule_has_its_own_error() {
        let c = cfg();
        let ok = raw(150_00000000, 1_00000000, 150_00000000);
        assert!(validate_price(&ok, &c, 1_000, PriceUse::Risk).is_ok());
        let err = |r: RawPrice, now, u| validate_price(&r, &c, now, u).unwrap_err();
        assert_eq!(err(RawPrice { fully_verified: false, ..ok }, 1_000, PriceUse::Risk), BallastError::OracleNotFullyVerified.into());
        assert_eq!(err(RawPrice { feed_id: [8; 32], ..ok }, 1_000, PriceUse::Risk), BallastError::OracleFeedIdMismatch.into());
        assert_eq!(err(RawPrice { price: 0, ..ok }, 1_000, PriceUse::Risk), BallastError::OracleInvalidPrice.into());
        assert_eq!(err(ok, 1_061, PriceUse::Risk), BallastError::OracleStale.into());
        assert_eq!(err(raw(150_00000000, 4_00000000, 150_00000000), 1_000, PriceUse::Risk), BallastError::OracleConfidenceTooWide.into());
        assert_eq!(err(raw(150_00000000, 0, 140_00000000), 1_000, PriceUse::Risk), BallastError::OracleEmaDivergence.into());
        // Liquidation only needs a fresh, verified spot price.
        assert!(validate_price(&raw(150_00000000, 4_00000000, 100_00000000), &c, 1_000, PriceUse::Liquidation).is_ok());
        assert_eq!(err(ok, 1_061, PriceUse::Liquidation), BallastError::OracleStale.into());
    }

    #[test]
    fn a_price_from_the_future_is_refused_beyond_the_clock_skew() {
        let c = cfg();
        let ok = raw(150_00000000, 0, 150_00000000);
        let skew = MAX_PRICE_CLOCK_SKEW_SECS;
        for use_ in [PriceUse::Risk, PriceUse::Liquidation] {
            assert!(validate_price(&RawPrice { publish_time: 1_000 + skew, ..ok }, &c, 1_000, use_).is_ok());
            let err = validate_price(&RawPrice { publish_time: 1_000 + skew + 1, ..ok }, &c, 1_000, use_).unwrap_err();
            assert_eq!(err, BallastError::OraclePublishTimeInFuture.into());
        }
    }

    #[test]
    fn liquidation_refuses_a_spot_outside_the_band_on_the_side_it_would_harm() {
        let c = cfg(); // band 100%: collateral spot ≥ ema / 2, debt spot ≤ 2 · ema
        let at = |spot: i64, ema: i64, side: Side| {
            validate_price(&raw(spot, 0, ema), &c, 1_000, PriceUse::Liquidation).unwrap().require_within_band(&c, side)
        };
        let outside = BallastError::OracleOutsideLiquidationBand.into();
        assert!(at(50_00000000, 100_00000000, Side::Collateral).is_ok(), "a 50% crash against a lagging EMA liquidates");
        assert_eq!(at(49_99999999, 100_00000000, Side::Collateral).unwrap_err(), outside);
        assert_eq!(at(1, 100_00000000, Side::Collateral).unwrap_err(), outside, "a glitch to one tick seizes nothing");
        assert!(at(i64::MAX, 100_00000000, Side::Collateral).is_ok(), "collateral pumping only makes health look better");
        assert!(at(200_00000000, 100_00000000, Side::Debt).is_ok());
        assert_eq!(at(200_00000001, 100_00000000, Side::Debt).unwrap_err(), outside);
        assert_eq!(at(i64::MAX, 100_00000000, Side::Debt).unwrap_err(), outside, "a glitched debt price seizes nothing");
        assert!(at(1, 100_00000000, Side::Debt).is_ok(), "debt crashing only makes health look better");
        // A stored band below the floor still allows a 33% move.
        let narrow = OracleConfig { liquidation_band_bps: 0, ..c };
        let p = validate_price(&raw(67_00000000, 0, 100_00000000), &narrow, 1_000, PriceUse::Liquidation).unwrap();
        assert!(p.require_within_band(&narrow, Side::Collateral).is_ok());
    }

    #[test]
    fn biased_prices_bracket_spot_and_haircut_only_lowers() {
        let c = cfg();
        let p = validate_price(&raw(100_00000000, 1_00000000, 98_00000000), &c, 1_000, PriceUse::Risk).unwrap();
        let close = |a: Fraction, b: f64| (a.to_num::<f64>() - b).abs() < 1e-12;
        assert!(close(p.low(&c).unwrap(), 98.0 * 0.99));
        assert!(close(p.high(&c).unwrap(), 101.0));
        let h: f64 = p.ltv_haircut_factor(&c).unwrap().to_num();
        assert!((h - (1.0 - (2.0 / 98.0 + 0.01))).abs() < 1e-12);
        let calm = validate_price(&raw(100_00000000, 0, 100_00000000), &c, 1_000, PriceUse::Risk).unwrap();
        assert_eq!(calm.ltv_haircut_factor(&c).unwrap(), Fraction::ONE);
        assert_eq!(calm.low(&c).unwrap(), calm.high(&c).unwrap());
    }
}
