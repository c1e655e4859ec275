//! The market spec: a TOML file naming a market and its reserves in human units.
use anchor_lang::prelude::Pubkey;
use anyhow::{anyhow, bail, Context, Result};
use ballast::{
    math::CurvePoint,
    state::{
        MarketConfig, OracleConfig, ReserveConfig, SecondaryOracleConfig, FLAG_BORROW_ENABLED, FLAG_COLLATERAL_ENABLED,
        FLAG_FLASH_ENABLED, FLAG_ISOLATED, FLAG_PAUSED, FLAG_REDUCE_ONLY, FLAG_SECONDARY_ONLY, FLAG_SINGLE_SOURCE_RISK,
        MARKET_FLAG_EMERGENCY, MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY, SECONDARY_SWITCHBOARD,
    },
};
use bytemuck::Zeroable;
use serde::Deserialize;
use std::{path::Path, str::FromStr};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub market: MarketSpec,
    #[serde(default, rename = "reserve")]
    pub reserves: Vec<ReserveSpec>,
    /// Elevation groups (eMode) the market defines; a group on chain that the spec does not name is left as it is.
    #[serde(default, rename = "elevation_group")]
    pub elevation_groups: Vec<ElevationGroupSpec>,
}

/// An elevation group: members (reserves that list its id in `elevation_groups`) borrow only from
/// `debt_reserve`, at the group's LTV, threshold and bonus cap.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElevationGroupSpec {
    /// 1..=16.
    pub id: u8,
    /// Symbol of the spec's reserve that members borrow from.
    pub debt_reserve: String,
    pub ltv_bps: u16,
    pub liquidation_threshold_bps: u16,
    pub max_liquidation_bonus_bps: u16,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketSpec {
    /// Keypair file of the market account, relative to the spec; created by `apply` when missing.
    pub keypair: String,
    #[serde(default = "usd")]
    pub quote_currency: String,
    /// Risk council; defaults to the admin.
    pub risk_council: Option<String>,
    #[serde(default)]
    pub config_timelock_secs: u64,
    #[serde(default = "one")]
    pub dust_threshold_quote: u64,
    /// Quote units per window; absent = no market-wide outflow limit.
    pub outflow_limit_quote: Option<u64>,
    #[serde(default)]
    pub outflow_window_secs: u32,
    #[serde(default = "close_factor")]
    pub close_factor_bps: u16,
    #[serde(default)]
    pub emergency: bool,
    /// Every liquidation repays at most the close factor's share, with no full liquidation at low health and no
    /// dust rules (SPL-style; `MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY`).
    #[serde(default)]
    pub partial_liquidation_only: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveSpec {
    pub symbol: String,
    /// Liquidity mint; may be left out when the caller supplies mints (the in-process demo does).
    pub mint: Option<String>,
    pub decimals: u8,
    /// Pyth `PriceUpdateV2` account; may be left out like `mint`.
    pub price_account: Option<String>,
    /// Pyth feed id, 32 bytes hex (0x optional).
    pub feed_id: String,
    /// Seed deposit in whole tokens, taken from the admin at creation and locked forever.
    pub seed_amount: f64,
    /// Deposit and borrow caps in whole tokens; absent = unlimited.
    pub deposit_limit: Option<f64>,
    pub borrow_limit: Option<f64>,
    /// Outflow limit in whole tokens per `outflow_window_secs`; absent = no limit.
    pub outflow_limit: Option<f64>,
    #[serde(default)]
    pub outflow_window_secs: u32,
    pub ltv_bps: u16,
    pub liquidation_threshold_bps: u16,
    #[serde(default = "min_bonus")]
    pub min_liquidation_bonus_bps: u16,
    #[serde(default = "max_bonus")]
    pub max_liquidation_bonus_bps: u16,
    #[serde(default = "protocol_fee")]
    pub protocol_liquidation_fee_bps: u16,
    #[serde(default = "reserve_factor")]
    pub reserve_factor_bps: u16,
    #[serde(default = "insurance_factor")]
    pub insurance_factor_bps: u16,
    #[serde(default = "unit_bps")]
    pub borrow_factor_bps: u16,
    #[serde(default)]
    pub origination_fee_bps: u16,
    #[serde(default)]
    pub flash_fee_bps: u16,
    #[serde(default = "ceiling")]
    pub utilization_ceiling_bps: u16,
    /// Seconds an insolvent obligation's bonus on this collateral takes to rise from zero to the maximum (0 = no
    /// auction: the maximum at once).
    #[serde(default)]
    pub insolvent_auction_secs: u32,
    /// A liquidation seizing this collateral may repay what brings health to this target, bps (0 = the close
    /// factor alone).
    #[serde(default)]
    pub liquidation_target_health_bps: u16,
    /// Rate curve as [utilization_bps, borrow_apr_bps] points.
    pub curve: Vec<[u32; 2]>,
    #[serde(default = "flags")]
    pub flags: Vec<String>,
    /// Elevation groups (1..=16) the reserve's collateral belongs to.
    #[serde(default)]
    pub elevation_groups: Vec<u8>,
    /// Most debt, in quote units, that obligations backed by this reserve as isolated collateral may owe
    /// market-wide. Absent: a new reserve gets 0 (no isolated borrows) and an existing one keeps the ceiling it
    /// has on chain, so re-applying a spec that does not name it never lowers a ceiling raised since.
    pub isolated_debt_ceiling_quote: Option<f64>,
    #[serde(default)]
    pub oracle: OracleSpec,
    /// An optional second price source, cross-checked with the primary and taking over when it dies.
    #[serde(default)]
    pub secondary: Option<SecondarySpec>,
    /// The volatility regime (off when absent): `refresh_reserve` estimates realized volatility, and a turbulent
    /// regime cuts LTV at origination and adds to the borrow rate.
    #[serde(default)]
    pub regime: Option<RegimeSpec>,
}

/// A reserve's volatility regime (`math::regime` in the program).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegimeSpec {
    /// Half-life of the variance estimate, minutes (10..=43200).
    pub half_life_mins: u16,
    /// Annualized volatility, bps, at and below which the regime is calm; at and above which it is turbulent.
    pub calm_vol_bps: u16,
    pub turbulent_vol_bps: u16,
    /// LTV at origination is cut by this share of itself when fully turbulent, bps (at most 5000).
    pub max_ltv_cut_bps: u16,
    /// Added to the borrow APR when fully turbulent, bps (at most 5000).
    pub max_rate_addon_bps: u16,
}

impl Default for RegimeSpec {
    fn default() -> Self {
        Self { half_life_mins: 360, calm_vol_bps: 8_000, turbulent_vol_bps: 20_000, max_ltv_cut_bps: 2_000, max_rate_addon_bps: 0 }
    }
}

/// A Switchboard on-demand pull feed as the reserve's secondary source (`oracle::sources` in the program).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecondarySpec {
    /// Only "switchboard" (on-demand `PullFeedAccountData`) today.
    pub kind: String,
    /// The feed account (required: an empty one fails to parse).
    pub price_account: String,
    pub max_age_secs: u32,
    /// Freshness by slot too (75..=9000).
    pub max_age_slots: u32,
    /// How far apart the two sources may be before borrow and withdraw are refused.
    pub max_divergence_bps: u16,
    /// The feed's standard deviation over its value, as the confidence bound.
    pub max_conf_bps: u16,
    pub min_samples: u8,
}

impl Default for SecondarySpec {
    fn default() -> Self {
        Self {
            kind: "switchboard".into(),
            price_account: String::new(),
            max_age_secs: 60,
            max_age_slots: 150,
            max_divergence_bps: 200,
            max_conf_bps: 200,
            min_samples: 3,
        }
    }
}

impl SecondarySpec {
    pub fn price_account(&self, symbol: &str) -> Result<Pubkey> {
        parse_pubkey(&self.price_account, &format!("reserve {symbol} secondary.price_account"))
    }

    fn config(&self, symbol: &str) -> Result<SecondaryOracleConfig> {
        if self.kind != "switchboard" {
            bail!("reserve {symbol}: unknown secondary kind `{}` (switchboard)", self.kind);
        }
        let mut c = SecondaryOracleConfig::zeroed();
        c.kind = SECONDARY_SWITCHBOARD;
        c.price_account = self.price_account(symbol)?;
        c.max_age_secs = self.max_age_secs;
        c.max_age_slots = self.max_age_slots;
        c.max_divergence_bps = self.max_divergence_bps;
        c.max_conf_bps = self.max_conf_bps;
        c.min_samples = self.min_samples;
        Ok(c)
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OracleSpec {
    pub max_age_secs: u32,
    pub max_conf_bps: u16,
    pub max_ema_divergence_bps: u16,
    pub conf_multiplier_bps: u16,
    pub volatility_haircut_bps: u32,
    /// Liquidation refuses a spot price outside [ema / (1 + band), ema · (1 + band)].
    pub liquidation_band_bps: u16,
}

impl Default for OracleSpec {
    fn default() -> Self {
        Self {
            max_age_secs: 60,
            max_conf_bps: 200,
            max_ema_divergence_bps: 500,
            conf_multiplier_bps: 10_000,
            volatility_haircut_bps: 10_000,
            liquidation_band_bps: 10_000,
        }
    }
}

fn usd() -> String {
    "USD".into()
}
fn one() -> u64 {
    1
}
fn close_factor() -> u16 {
    ballast::constants::DEFAULT_CLOSE_FACTOR_BPS
}
fn min_bonus() -> u16 {
    200
}
fn max_bonus() -> u16 {
    1_000
}
fn protocol_fee() -> u16 {
    2_000
}
fn reserve_factor() -> u16 {
    1_000
}
fn insurance_factor() -> u16 {
    500
}
fn unit_bps() -> u16 {
    10_000
}
fn ceiling() -> u16 {
    9_500
}
fn flags() -> Vec<String> {
    vec!["borrow".into(), "collateral".into()]
}

/// A program error as the rule it states: `ThresholdTooHigh: liquidation_threshold_bps must be below ...`.
fn rule(e: anchor_lang::error::Error) -> String {
    match e {
        anchor_lang::error::Error::AnchorError(a) => format!("{}: {}", a.error_name, a.error_msg),
        other => other.to_string(),
    }
}

pub fn parse_pubkey(s: &str, what: &str) -> Result<Pubkey> {
    Pubkey::from_str(s.trim()).map_err(|_| anyhow!("{what}: `{s}` is not a valid base58 public key"))
}

impl Spec {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read spec {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("spec {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self> {
        let spec: Spec = toml::from_str(text).map_err(|e| anyhow!("invalid spec: {}", e.message()))?;
        let mut seen = std::collections::HashSet::new();
        for r in &spec.reserves {
            if !seen.insert(r.symbol.clone()) {
                bail!("reserve {} appears twice", r.symbol);
            }
        }
        let mut ids = std::collections::HashSet::new();
        for g in &spec.elevation_groups {
            if !(1..=16).contains(&g.id) {
                bail!("elevation group {}: ids run from 1 to 16", g.id);
            }
            if !ids.insert(g.id) {
                bail!("elevation group {} appears twice", g.id);
            }
            if spec.reserve(&g.debt_reserve).is_none() {
                bail!("elevation group {}: debt_reserve `{}` is not a reserve of this spec", g.id, g.debt_reserve);
            }
        }
        Ok(spec)
    }

    pub fn reserve(&self, symbol: &str) -> Option<&ReserveSpec> {
        self.reserves.iter().find(|r| r.symbol == symbol)
    }
}

impl MarketSpec {
    pub fn quote_bytes(&self) -> Result<[u8; 32]> {
        let b = self.quote_currency.as_bytes();
        if b.is_empty() || b.len() > 32 || !self.quote_currency.is_ascii() {
            bail!("quote_currency must be 1 to 32 ASCII characters");
        }
        let mut out = [0u8; 32];
        out[..b.len()].copy_from_slice(b);
        Ok(out)
    }

    pub fn config(&self) -> MarketConfig {
        MarketConfig {
            dust_threshold_quote: self.dust_threshold_quote,
            config_timelock_secs: self.config_timelock_secs,
            outflow_limit_quote: self.outflow_limit_quote.unwrap_or(u64::MAX),
            outflow_window_secs: self.outflow_window_secs,
            close_factor_bps: self.close_factor_bps,
            flags: if self.emergency { MARKET_FLAG_EMERGENCY } else { 0 }
                | if self.partial_liquidation_only { MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY } else { 0 },
        }
    }
}

fn native(ui: Option<f64>, decimals: u8) -> u64 {
    match ui {
        None => u64::MAX,
        Some(x) => (x * 10f64.powi(decimals as i32)).round() as u64,
    }
}

impl ReserveSpec {
    pub fn mint(&self) -> Result<Pubkey> {
        let s = self.mint.as_deref().ok_or_else(|| anyhow!("reserve {} has no `mint`", self.symbol))?;
        parse_pubkey(s, &format!("reserve {} mint", self.symbol))
    }

    pub fn price_account(&self) -> Result<Pubkey> {
        let s = self.price_account.as_deref().ok_or_else(|| anyhow!("reserve {} has no `price_account`", self.symbol))?;
        parse_pubkey(s, &format!("reserve {} price_account", self.symbol))
    }

    pub fn feed_id(&self) -> Result<[u8; 32]> {
        let bytes = hex::decode(self.feed_id.trim_start_matches("0x")).map_err(|_| anyhow!("reserve {} feed_id is not hex", self.symbol))?;
        bytes.try_into().map_err(|_| anyhow!("reserve {} feed_id must be 32 bytes", self.symbol))
    }

    /// `isolated_debt_ceiling_quote` in the chain's micro-quote units, when the spec names it.
    pub fn isolated_debt_ceiling_micro_quote(&self) -> Result<Option<u64>> {
        let Some(q) = self.isolated_debt_ceiling_quote else { return Ok(None) };
        let micro = (q * 1e6).round();
        if !(0.0..=u64::MAX as f64).contains(&micro) {
            bail!("reserve {}: isolated_debt_ceiling_quote {q} is outside 0..={}", self.symbol, u64::MAX / 1_000_000);
        }
        Ok(Some(micro as u64))
    }

    pub fn seed_native(&self) -> u64 {
        native(Some(self.seed_amount), self.decimals)
    }

    /// The on-chain config this spec describes (validated by the program when sent).
    pub fn config(&self) -> Result<ReserveConfig> {
        let mut c = ReserveConfig::zeroed();
        c.deposit_limit = native(self.deposit_limit, self.decimals);
        c.borrow_limit = native(self.borrow_limit, self.decimals);
        c.outflow_limit = native(self.outflow_limit, self.decimals);
        c.outflow_window_secs = self.outflow_window_secs;
        if self.curve.len() > c.curve.len() {
            bail!("reserve {}: at most {} curve points", self.symbol, c.curve.len());
        }
        for (i, [u, r]) in self.curve.iter().enumerate() {
            c.curve[i] = CurvePoint { utilization_bps: *u, borrow_rate_bps: *r };
        }
        c.curve_len = self.curve.len() as u8;
        c.oracle = OracleConfig {
            price_account: self.price_account()?,
            feed_id: self.feed_id()?,
            max_age_secs: self.oracle.max_age_secs,
            volatility_haircut_bps: self.oracle.volatility_haircut_bps,
            max_conf_bps: self.oracle.max_conf_bps,
            max_ema_divergence_bps: self.oracle.max_ema_divergence_bps,
            conf_multiplier_bps: self.oracle.conf_multiplier_bps,
            liquidation_band_bps: self.oracle.liquidation_band_bps,
        };
        if let Some(secondary) = &self.secondary {
            c.secondary = secondary.config(&self.symbol)?;
        }
        c.ltv_bps = self.ltv_bps;
        c.liquidation_threshold_bps = self.liquidation_threshold_bps;
        c.min_liquidation_bonus_bps = self.min_liquidation_bonus_bps;
        c.max_liquidation_bonus_bps = self.max_liquidation_bonus_bps;
        c.protocol_liquidation_fee_bps = self.protocol_liquidation_fee_bps;
        c.reserve_factor_bps = self.reserve_factor_bps;
        c.insurance_factor_bps = self.insurance_factor_bps;
        c.borrow_factor_bps = self.borrow_factor_bps;
        c.origination_fee_bps = self.origination_fee_bps;
        c.flash_fee_bps = self.flash_fee_bps;
        c.utilization_ceiling_bps = self.utilization_ceiling_bps;
        c.isolated_debt_ceiling_micro_quote = self.isolated_debt_ceiling_micro_quote()?.unwrap_or(0);
        c.insolvent_auction_secs = self.insolvent_auction_secs;
        c.liquidation_target_health_bps = self.liquidation_target_health_bps;
        if let Some(r) = &self.regime {
            c.regime_half_life_mins = r.half_life_mins;
            c.regime_calm_vol_bps = r.calm_vol_bps;
            c.regime_turbulent_vol_bps = r.turbulent_vol_bps;
            c.regime_max_ltv_cut_bps = r.max_ltv_cut_bps;
            c.regime_max_rate_addon_bps = r.max_rate_addon_bps;
        }
        for flag in &self.flags {
            c.flags |= match flag.as_str() {
                "borrow" => FLAG_BORROW_ENABLED,
                "collateral" => FLAG_COLLATERAL_ENABLED,
                "flash" => FLAG_FLASH_ENABLED,
                "paused" => FLAG_PAUSED,
                "reduce-only" => FLAG_REDUCE_ONLY,
                "isolated" => FLAG_ISOLATED,
                "secondary-only" => FLAG_SECONDARY_ONLY,
                "single-source-risk" => FLAG_SINGLE_SOURCE_RISK,
                other => bail!(
                    "reserve {}: unknown flag `{other}` (borrow, collateral, flash, paused, reduce-only, isolated, secondary-only, single-source-risk)",
                    self.symbol
                ),
            };
        }
        for g in &self.elevation_groups {
            if !(1..=16).contains(g) {
                bail!("reserve {}: elevation group {g} is outside 1..=16", self.symbol);
            }
            c.elevation_groups |= 1 << (g - 1);
        }
        c.validate().map_err(|e| anyhow!("reserve {}: {}", self.symbol, rule(e)))?;
        Ok(c)
    }
}
