//! Reserve configuration: validated as a whole, one error per rule.
use crate::{
    constants::{
        BPS, MAX_BORROW_FACTOR_BPS, MAX_CURVE_POINTS, MAX_FLASH_FEE_BPS, MAX_INSOLVENT_AUCTION_SECS, MAX_INTEREST_SHARES_BPS, MAX_LIQUIDATION_TARGET_HEALTH_BPS, MIN_LIQUIDATION_TARGET_HEALTH_BPS, MAX_LIQUIDATION_BAND_BPS,
        MAX_LIQUIDATION_BONUS_BPS, MAX_ORACLE_AGE_SECS, MAX_ORACLE_AGE_SLOTS, MAX_SOURCE_DIVERGENCE_BPS, MIN_ORACLE_AGE_SECS, MIN_ORACLE_AGE_SLOTS, MAX_ORIGINATION_FEE_BPS, MAX_PROTOCOL_LIQUIDATION_FEE_BPS,
        MIN_LIQUIDATION_BAND_BPS, MAX_REGIME_HALF_LIFE_MINS, MAX_REGIME_LTV_CUT_BPS, MAX_REGIME_RATE_ADDON_BPS, MIN_REGIME_HALF_LIFE_MINS,
    },
    error::BallastError,
    math::{validate_curve, CurvePoint, CurvePointWire},
};
use crate::wire::layout_and_wire;
use anchor_lang::prelude::*;
use bytemuck::Zeroable;

/// Reserve flag: new borrows are allowed.
pub const FLAG_BORROW_ENABLED: u16 = 1 << 0;
/// Reserve flag: cTokens may be pledged and count toward borrow power.
pub const FLAG_COLLATERAL_ENABLED: u16 = 1 << 1;
/// Reserve flag: flash loans are allowed.
pub const FLAG_FLASH_ENABLED: u16 = 1 << 2;
/// Reserve flag: paused; only repay, liquidate and pledging cTokens already held are allowed.
pub const FLAG_PAUSED: u16 = 1 << 3;
/// Reserve flag: reduce-only; positions may shrink (repay, withdraw, redeem, liquidate), never grow.
pub const FLAG_REDUCE_ONLY: u16 = 1 << 4;
/// Reserve flag: isolated collateral; backs borrows only as an obligation's sole collateral, and only up to
/// `isolated_debt_ceiling_micro_quote` of debt market-wide.
pub const FLAG_ISOLATED: u16 = 1 << 5;
/// Reserve flag: the reserve is priced by its secondary source alone and the primary is not read (its account
/// is still passed, address-checked). It decides liquidation prices, so setting and clearing it both wait the
/// timelock.
pub const FLAG_SECONDARY_ONLY: u16 = 1 << 6;
/// Reserve flag: borrow and withdraw may rely on one source when the other is stale or invalid. Without it a
/// reserve with a secondary source needs both, agreeing, to take on risk. Setting it waits.
pub const FLAG_SINGLE_SOURCE_RISK: u16 = 1 << 7;
const KNOWN_FLAGS: u16 = FLAG_BORROW_ENABLED
    | FLAG_COLLATERAL_ENABLED
    | FLAG_FLASH_ENABLED
    | FLAG_PAUSED
    | FLAG_REDUCE_ONLY
    | FLAG_ISOLATED
    | FLAG_SECONDARY_ONLY
    | FLAG_SINGLE_SOURCE_RISK;

/// `SecondaryOracleConfig::kind`: no secondary source (every other field zero).
pub const SECONDARY_NONE: u8 = 0;
/// `SecondaryOracleConfig::kind`: a Switchboard on-demand `PullFeedAccountData`.
pub const SECONDARY_SWITCHBOARD: u8 = 1;

layout_and_wire! {
/// A reserve's second price source: a cross-check on the primary while both are fresh, and the failover that
/// keeps liquidations (and, with `FLAG_SINGLE_SOURCE_RISK`, borrows) working when the primary is not.
pub struct SecondaryOracleConfig / SecondaryOracleConfigWire {
    /// The feed account (for Switchboard, the `PullFeedAccountData` itself: its address is the feed).
    pub price_account: Pubkey,
    /// Oldest update accepted, seconds before now.
    pub max_age_secs: u32,
    /// Oldest result accepted, slots before the current slot.
    pub max_age_slots: u32,
    /// Both fresh: largest |primary − secondary| / primary accepted for borrow and withdraw, bps.
    pub max_divergence_bps: u16,
    /// Widest standard deviation of the samples accepted for borrow and withdraw, as std_dev / value in bps.
    pub max_conf_bps: u16,
    /// Fewest oracle samples behind the result.
    pub min_samples: u8,
    /// SECONDARY_NONE or SECONDARY_SWITCHBOARD.
    pub kind: u8,
    /// Reserved.
    pub padding: [u8; 18],
}
}

const _: () = assert!(core::mem::size_of::<SecondaryOracleConfig>() == 64);

layout_and_wire! {
/// How a reserve's Pyth price is found and judged.
pub struct OracleConfig / OracleConfigWire {
    /// The PriceUpdateV2 account this reserve reads.
    pub price_account: Pubkey,
    /// Pyth feed id the update must carry.
    pub feed_id: [u8; 32],
    /// Oldest publish time accepted, seconds before now.
    pub max_age_secs: u32,
    /// Volatility haircut multiplier on LTV, bps: ltv_eff = ltv·(1 − m·(|spot−ema|/ema + conf/price)).
    pub volatility_haircut_bps: u32,
    /// Widest confidence accepted, as conf/price in bps.
    pub max_conf_bps: u16,
    /// Largest |spot - ema| / ema accepted, bps.
    pub max_ema_divergence_bps: u16,
    /// k in price_low = min(spot, ema)·(1 − k·conf/price), bps (10000 = 1σ).
    pub conf_multiplier_bps: u16,
    /// Liquidation refuses a spot price outside [ema / (1 + band), ema · (1 + band)], bps; wider than the
    /// risk divergence, so a crash still liquidates while a glitched price (e.g. the largest i64) cannot.
    pub liquidation_band_bps: u16,
}
}

layout_and_wire! {
/// Everything about a reserve that governance sets.
pub struct ReserveConfig / ReserveConfigWire {
    /// Deposit cap: total liquidity may not exceed this, native units.
    pub deposit_limit: u64,
    /// Borrow cap: total borrowed may not exceed this, native units.
    pub borrow_limit: u64,
    /// Most liquidity withdraw + borrow may take out per outflow window, native units.
    pub outflow_limit: u64,
    /// With FLAG_ISOLATED: most debt borrowed against this reserve as sole collateral, market-wide, micro-quote
    /// (quote × 1e6) at borrow-time spot prices. 0 = no new borrows against it. Inert without the flag.
    pub isolated_debt_ceiling_micro_quote: u64,
    /// Borrow rate curve points (utilization bps -> APR bps); the first `curve_len` are used.
    pub curve: [CurvePoint; MAX_CURVE_POINTS] as [CurvePointWire; MAX_CURVE_POINTS],
    /// Oracle source and tolerances.
    pub oracle: OracleConfig as OracleConfigWire,
    /// The optional second price source.
    pub secondary: SecondaryOracleConfig as SecondaryOracleConfigWire,
    /// Length of the outflow window, seconds (0 = outflow limiter off).
    pub outflow_window_secs: u32,
    /// Share of collateral value that counts toward borrow power, bps.
    pub ltv_bps: u16,
    /// Share of collateral value at which the obligation becomes liquidatable, bps.
    pub liquidation_threshold_bps: u16,
    /// Liquidation bonus at the threshold, bps of the repaid value.
    pub min_liquidation_bonus_bps: u16,
    /// Liquidation bonus cap, bps of the repaid value.
    pub max_liquidation_bonus_bps: u16,
    /// Share of the liquidation bonus that goes to the insurance fund, bps.
    pub protocol_liquidation_fee_bps: u16,
    /// Share of interest that goes to protocol fees, bps.
    pub reserve_factor_bps: u16,
    /// Share of interest that goes to the insurance fund, bps.
    pub insurance_factor_bps: u16,
    /// Debt weight for health (>= 10000), bps.
    pub borrow_factor_bps: u16,
    /// Fee added to the debt on borrow, bps of the amount.
    pub origination_fee_bps: u16,
    /// Flash loan fee, bps of the amount.
    pub flash_fee_bps: u16,
    /// Borrows may not push utilization above this, bps.
    pub utilization_ceiling_bps: u16,
    /// FLAG_* bits.
    pub flags: u16,
    /// Elevation groups this reserve belongs to: bit i = group i + 1.
    pub elevation_groups: u16,
    /// Number of used curve points.
    pub curve_len: u8,
    /// Reserved (alignment).
    pub padding0: u8,
    /// An insolvent obligation's bonus on this collateral rises from zero to the maximum over this many seconds
    /// from when it was first found insolvent (`Obligation.insolvent_since`), with no protocol cut: the first
    /// liquidator whose costs it covers takes it, and depositors pay no more bonus than that. 0 = no auction:
    /// the maximum bonus at once, as on a solvent obligation deep in shortfall.
    pub insolvent_auction_secs: u32,
    /// A liquidation seizing this collateral may repay what brings the obligation's liquidation health up to this
    /// target (bps, e.g. 11,000), when that is more than the close factor's share: one call restores a cushion
    /// instead of stopping just above 1, one gap from insolvency. 0 = the close factor alone.
    pub liquidation_target_health_bps: u16,
    /// Volatility regime: annualized volatility (bps, 10,000 = 100%) at and below which the regime is calm
    /// (level 0). The regime's level rises with the estimated variance from calm² to turbulent².
    pub regime_calm_vol_bps: u16,
    /// Annualized volatility (bps) at and above which the regime is fully turbulent (level 1).
    pub regime_turbulent_vol_bps: u16,
    /// LTV at origination (borrow and withdraw) is cut by this share of itself at level 1, bps; never touches
    /// liquidation thresholds, so repay and liquidate are never affected.
    pub regime_max_ltv_cut_bps: u16,
    /// Added to the borrow APR at level 1, bps (scaled by the level below it).
    pub regime_max_rate_addon_bps: u16,
    /// Half-life of the variance estimate, minutes (0 = regime off; then every regime field is 0).
    pub regime_half_life_mins: u16,
    /// Reserved for future settings.
    pub padding: [u8; 8],
}
}

const _: () = assert!(core::mem::size_of::<OracleConfig>() == 80);
const _: () = assert!(core::mem::size_of::<ReserveConfig>() == 320);

impl ReserveConfig {
    pub fn has_flag(&self, flag: u16) -> bool {
        self.flags & flag == flag
    }

    /// Whether this reserve belongs to elevation group `id` (1..=16).
    pub fn in_elevation_group(&self, id: u8) -> bool {
        (1..=16).contains(&id) && self.elevation_groups & (1u16 << (id - 1)) != 0
    }

    /// Every rule the config must satisfy, each with its own error. Checked wherever a config is set (init,
    /// update, tighten, queue, apply), never on the way out: repay and liquidate must work whatever is stored.
    pub fn validate(&self) -> Result<()> {
        require!(self.liquidation_threshold_bps < BPS as u16, BallastError::ThresholdTooHigh);
        require!(self.ltv_bps < self.liquidation_threshold_bps, BallastError::LtvNotBelowThreshold);
        require!(
            self.min_liquidation_bonus_bps <= self.max_liquidation_bonus_bps,
            BallastError::BonusRangeInverted
        );
        require!(self.max_liquidation_bonus_bps <= MAX_LIQUIDATION_BONUS_BPS, BallastError::LiquidationBonusTooHigh);
        // threshold · (1 + max_bonus) < 1, so seizing the bonus never needs more than the collateral.
        let with_bonus = self.liquidation_threshold_bps as u64 * (BPS + self.max_liquidation_bonus_bps as u64);
        require!(with_bonus < BPS * BPS, BallastError::ThresholdWithBonusTooHigh);
        require!(
            self.protocol_liquidation_fee_bps <= MAX_PROTOCOL_LIQUIDATION_FEE_BPS,
            BallastError::ProtocolLiquidationFeeTooHigh
        );
        require!(
            self.reserve_factor_bps as u32 + self.insurance_factor_bps as u32 <= MAX_INTEREST_SHARES_BPS as u32,
            BallastError::InterestSharesTooHigh
        );
        require!(self.borrow_factor_bps as u64 >= BPS, BallastError::BorrowFactorBelowOne);
        require!(self.borrow_factor_bps <= MAX_BORROW_FACTOR_BPS, BallastError::BorrowFactorTooHigh);
        require!(self.origination_fee_bps <= MAX_ORIGINATION_FEE_BPS, BallastError::OriginationFeeTooHigh);
        require!(self.flash_fee_bps <= MAX_FLASH_FEE_BPS, BallastError::FlashFeeTooHigh);
        require!(
            (1..=BPS as u16).contains(&self.utilization_ceiling_bps),
            BallastError::UtilizationCeilingInvalid
        );
        require!(self.flags & !KNOWN_FLAGS == 0, BallastError::UnknownReserveFlags);
        require!(self.insolvent_auction_secs <= MAX_INSOLVENT_AUCTION_SECS, BallastError::InsolventAuctionTooLong);
        require!(
            self.liquidation_target_health_bps == 0
                || (MIN_LIQUIDATION_TARGET_HEALTH_BPS..=MAX_LIQUIDATION_TARGET_HEALTH_BPS).contains(&self.liquidation_target_health_bps),
            BallastError::LiquidationTargetHealthInvalid
        );
        self.validate_regime()?;
        // isolated_debt_ceiling_micro_quote needs no rule: every value means something (0 = no new isolated
        // borrows), and a ceiling set before FLAG_ISOLATED lets the council isolate an asset at once.
        validate_curve(&self.curve, self.curve_len)?;
        self.oracle.validate()?;
        self.secondary.validate(&self.oracle)?;
        require!(
            self.flags & (FLAG_SECONDARY_ONLY | FLAG_SINGLE_SOURCE_RISK) == 0 || self.secondary.is_configured(),
            BallastError::OracleSecondaryNotConfigured
        );
        Ok(())
    }
}

impl ReserveConfig {
    /// Whether the volatility regime is on.
    pub fn regime_enabled(&self) -> bool {
        self.regime_half_life_mins != 0
    }

    fn validate_regime(&self) -> Result<()> {
        if !self.regime_enabled() {
            let rest = [self.regime_calm_vol_bps, self.regime_turbulent_vol_bps, self.regime_max_ltv_cut_bps, self.regime_max_rate_addon_bps];
            require!(rest == [0; 4], BallastError::RegimeSettingsInvalid);
            return Ok(());
        }
        require!(
            (MIN_REGIME_HALF_LIFE_MINS..=MAX_REGIME_HALF_LIFE_MINS).contains(&self.regime_half_life_mins)
                && self.regime_calm_vol_bps < self.regime_turbulent_vol_bps,
            BallastError::RegimeSettingsInvalid
        );
        require!(self.regime_max_ltv_cut_bps <= MAX_REGIME_LTV_CUT_BPS, BallastError::RegimeLtvCutTooHigh);
        require!(self.regime_max_rate_addon_bps <= MAX_REGIME_RATE_ADDON_BPS, BallastError::RegimeRateAddonTooHigh);
        Ok(())
    }
}

impl SecondaryOracleConfig {
    pub fn is_configured(&self) -> bool {
        self.kind != SECONDARY_NONE
    }

    pub fn validate(&self, primary: &OracleConfig) -> Result<()> {
        if self.kind == SECONDARY_NONE {
            require!(*self == Self::zeroed(), BallastError::OracleSecondaryFieldsWithoutSource);
            return Ok(());
        }
        require!(self.kind == SECONDARY_SWITCHBOARD, BallastError::OracleSecondaryKindUnknown);
        require!(
            self.price_account != Pubkey::default() && self.price_account != primary.price_account,
            BallastError::OracleSecondaryAccountInvalid
        );
        require!(
            (MIN_ORACLE_AGE_SECS..=MAX_ORACLE_AGE_SECS).contains(&self.max_age_secs),
            BallastError::OracleMaxAgeInvalid
        );
        require!(
            (MIN_ORACLE_AGE_SLOTS..=MAX_ORACLE_AGE_SLOTS).contains(&self.max_age_slots),
            BallastError::OracleMaxAgeSlotsInvalid
        );
        require!(
            (1..=MAX_SOURCE_DIVERGENCE_BPS).contains(&self.max_divergence_bps),
            BallastError::OracleSourceDivergenceBoundInvalid
        );
        require!((1..=1_000).contains(&self.max_conf_bps), BallastError::OracleMaxConfInvalid);
        require!(self.min_samples >= 1, BallastError::OracleMinSamplesInvalid);
        require!(self.padding == [0; 18], BallastError::OracleSecondaryFieldsWithoutSource);
        Ok(())
    }
}

impl OracleConfig {
    pub fn validate(&self) -> Result<()> {
        require!(
            (MIN_ORACLE_AGE_SECS..=MAX_ORACLE_AGE_SECS).contains(&self.max_age_secs),
            BallastError::OracleMaxAgeInvalid
        );
        require!((1..=1_000).contains(&self.max_conf_bps), BallastError::OracleMaxConfInvalid);
        require!(
            (1..=5_000).contains(&self.max_ema_divergence_bps),
            BallastError::OracleMaxDivergenceInvalid
        );
        require!(
            (self.conf_multiplier_bps as u64) * (self.max_conf_bps as u64) < BPS * BPS,
            BallastError::OracleConfMultiplierInvalid
        );
        require!(self.volatility_haircut_bps <= 100_000, BallastError::VolatilityHaircutInvalid);
        require!(
            (MIN_LIQUIDATION_BAND_BPS..=MAX_LIQUIDATION_BAND_BPS).contains(&self.liquidation_band_bps)
                && self.liquidation_band_bps >= self.max_ema_divergence_bps,
            BallastError::OracleLiquidationBandInvalid
        );
        require!(self.feed_id != [0u8; 32], BallastError::OracleFeedIdMissing);
        Ok(())
    }
}
