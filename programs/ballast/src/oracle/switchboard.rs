//! Switchboard on-demand: reads the few fields of a `PullFeedAccountData` that validation needs, in place at
//! their offsets. The crate's own struct is not used on chain: its `anchor` feature does not build with our
//! Anchor, and its 3,200-byte struct wants 16-byte alignment that account data does not guarantee.
use super::{
    price::{Price, PriceUse},
    pyth::bytes_at,
};
use crate::{
    constants::{BPS, MAX_PRICE_CLOCK_SKEW_SECS, SWITCHBOARD_PROGRAM_IDS},
    error::BallastError,
    math::Fraction,
    state::SecondaryOracleConfig,
};
use anchor_lang::prelude::*;

/// sha256("account:PullFeedAccountData")[..8].
pub const PULL_FEED_DISCRIMINATOR: [u8; 8] = [196, 27, 108, 196, 10, 215, 219, 40];
/// Account length: the discriminator and the 3,200-byte struct.
pub const PULL_FEED_LEN: usize = 8 + 3_200;
/// Offsets in the account data (the discriminator included) of the fields read.
pub mod offsets {
    pub const MIN_SAMPLE_SIZE: usize = 8 + 2_207;
    pub const LAST_UPDATE_TIMESTAMP: usize = 8 + 2_208;
    /// `result: CurrentResult`, then its fields relative to it.
    pub const RESULT: usize = 8 + 2_256;
    pub const VALUE: usize = RESULT;
    pub const STD_DEV: usize = RESULT + 16;
    pub const NUM_SAMPLES: usize = RESULT + 96;
    pub const SLOT: usize = RESULT + 104;
    pub const MIN_SLOT: usize = RESULT + 112;
    pub const MAX_STALENESS: usize = 8 + 2_384;
}
/// Switchboard values are fixed point with 18 decimals.
const SCALE: u128 = 1_000_000_000_000_000_000;

/// The parts of a pull feed that validation reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawFeed {
    /// Median of the samples, 1e18 = 1 quote per whole token.
    pub value: i128,
    /// Standard deviation of the samples, same scale.
    pub std_dev: i128,
    pub num_samples: u8,
    /// Slot the result was produced at (0: never updated).
    pub slot: u64,
    /// Slot of the oldest sample the result considered.
    pub min_slot: u64,
    pub last_update_ts: i64,
    /// The feed's own bound on a sample's age, slots (0: none set).
    pub max_staleness: u32,
    /// The feed's own least number of samples for a result.
    pub min_sample_size: u8,
}

/// Reads a pull feed's bytes (the owner is the caller's to check). A short or foreign account is an invalid
/// account, never a panic.
pub fn raw_feed(data: &[u8]) -> Result<RawFeed> {
    if data.len() < PULL_FEED_LEN || data[..8] != PULL_FEED_DISCRIMINATOR {
        return Err(error!(BallastError::OracleInvalidAccount));
    }
    Ok(RawFeed {
        value: i128::from_le_bytes(bytes_at(data, offsets::VALUE)?),
        std_dev: i128::from_le_bytes(bytes_at(data, offsets::STD_DEV)?),
        num_samples: data[offsets::NUM_SAMPLES],
        slot: u64::from_le_bytes(bytes_at(data, offsets::SLOT)?),
        min_slot: u64::from_le_bytes(bytes_at(data, offsets::MIN_SLOT)?),
        last_update_ts: i64::from_le_bytes(bytes_at(data, offsets::LAST_UPDATE_TIMESTAMP)?),
        max_staleness: u32::from_le_bytes(bytes_at(data, offsets::MAX_STALENESS)?),
        min_sample_size: data[offsets::MIN_SAMPLE_SIZE],
    })
}

/// A 1e18-scaled non-negative value as a Fraction (saturating at Fraction::MAX, which no price reaches).
fn from_scaled(v: u128) -> Fraction {
    let whole = Fraction::checked_from_num(v / SCALE).unwrap_or(Fraction::MAX);
    // frac < 1e18 < 2^60, so frac << 60 < 2^120.
    let frac = Fraction::from_bits(((v % SCALE) << Fraction::FRAC_NBITS) / SCALE);
    whole.saturating_add(frac)
}

/// Applies the secondary source's rules to a raw feed at `now_ts` / `now_slot`. Each failed rule has its own
/// error. Switchboard publishes no EMA: the price's EMA is its spot, so the liquidation band (a guard against
/// a spot leaving its own average) does not apply to it; the cross-check against a fresh primary does.
///
/// Freshness is the oldest sample's, not only the result's: a result signed now over samples gathered long ago
/// is stale. The reserve's bounds never accept less than the feed's own: the tighter of `max_age_slots` and the
/// feed's `max_staleness`, the larger of `min_samples` and the feed's `min_sample_size`.
pub fn validate_feed(raw: &RawFeed, cfg: &SecondaryOracleConfig, now_ts: i64, now_slot: u64, use_: PriceUse) -> Result<Price> {
    require!(raw.value > 0 && raw.std_dev >= 0, BallastError::OracleInvalidPrice);
    require!(raw.slot > 0 && raw.min_slot > 0 && raw.min_slot <= raw.slot, BallastError::OracleInvalidPrice);
    let age = now_ts.saturating_sub(raw.last_update_ts);
    require!(age <= cfg.max_age_secs as i64, BallastError::OracleStale);
    require!(age >= -MAX_PRICE_CLOCK_SKEW_SECS, BallastError::OraclePublishTimeInFuture);
    require!(raw.slot <= now_slot, BallastError::OracleSlotInFuture);
    let max_slots = match raw.max_staleness {
        0 => cfg.max_age_slots as u64,
        feed => (cfg.max_age_slots as u64).min(feed as u64),
    };
    require!(now_slot - raw.min_slot <= max_slots, BallastError::OracleSlotStale);
    require!(raw.num_samples >= cfg.min_samples.max(raw.min_sample_size).max(1), BallastError::OracleTooFewSamples);
    let (value, std_dev) = (raw.value as u128, raw.std_dev as u128);
    if use_ == PriceUse::Risk {
        // std_dev / value <= max_conf  <=>  std_dev · BPS <= value · max_conf (an overflow is too wide).
        let ok = match (std_dev.checked_mul(BPS as u128), value.checked_mul(cfg.max_conf_bps as u128)) {
            (Some(lhs), Some(rhs)) => lhs <= rhs,
            _ => false,
        };
        require!(ok, BallastError::OracleConfidenceTooWide);
    }
    let spot = from_scaled(value);
    Ok(Price {
        spot_low: spot,
        spot_high: spot,
        ema: spot,
        conf_ratio: from_scaled(std_dev).checked_div(spot).unwrap_or(Fraction::MAX),
        ema_gap_ratio: Fraction::ZERO,
    })
}

/// Loads and validates the feed in `account` for a secondary source configured as `cfg`.
pub fn load_feed(account: &AccountInfo, cfg: &SecondaryOracleConfig, now_ts: i64, now_slot: u64, use_: PriceUse) -> Result<Price> {
    require_keys_eq!(account.key(), cfg.price_account, BallastError::OracleAccountMismatch);
    feed_from_bytes(account.owner, &account.try_borrow_data()?, cfg, now_ts, now_slot, use_)
}

/// Everything `load_feed` checks but the address, over an account's owner and bytes (clients run it on
/// snapshots).
pub fn feed_from_bytes(owner: &Pubkey, data: &[u8], cfg: &SecondaryOracleConfig, now_ts: i64, now_slot: u64, use_: PriceUse) -> Result<Price> {
    require!(SWITCHBOARD_PROGRAM_IDS.contains(owner), BallastError::OracleSecondaryInvalidOwner);
    validate_feed(&raw_feed(data)?, cfg, now_ts, now_slot, use_)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytemuck::Zeroable;

    /// `PullFeedAccountData` and `CurrentResult` as Switchboard's on-demand crate declares them (repr(C),
    /// field for field), so the offsets above are held to the published layout rather than to themselves.
    #[repr(C)]
    #[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
    struct CurrentResult {
        value: i128,
        std_dev: i128,
        mean: i128,
        range: i128,
        min_value: i128,
        max_value: i128,
        num_samples: u8,
        submission_idx: u8,
        padding1: [u8; 6],
        slot: u64,
        min_slot: u64,
        max_slot: u64,
    }
    #[repr(C)]
    #[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
    struct OracleSubmission {
        oracle: [u8; 32],
        slot: u64,
        landed_at: u64,
        value: i128,
    }
    #[repr(C)]
    #[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
    struct CompactResult {
        std_dev: f32,
        mean: f32,
        slot: u64,
    }
    #[repr(C)]
    #[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
    struct PullFeedAccountData {
        submissions: [OracleSubmission; 32],
        authority: [u8; 32],
        queue: [u8; 32],
        feed_hash: [u8; 32],
        initialized_at: i64,
        permissions: u64,
        max_variance: u64,
        min_responses: u32,
        name: [u8; 32],
        padding1: [u8; 2],
        historical_result_idx: u8,
        min_sample_size: u8,
        last_update_timestamp: i64,
        lut_slot: u64,
        reserved1: [u8; 32],
        result: CurrentResult,
        max_staleness: u32,
        padding2: [u8; 12],
        historical_results: [CompactResult; 32],
        ebuf4: [u8; 8],
        ebuf3: [u8; 24],
        submission_timestamps: [i64; 32],
    }

    #[test]
    fn offsets_match_the_published_layout() {
        use core::mem::{offset_of, size_of};
        assert_eq!(size_of::<PullFeedAccountData>(), 3_200);
        assert_eq!(8 + offset_of!(PullFeedAccountData, min_sample_size), offsets::MIN_SAMPLE_SIZE);
        assert_eq!(8 + offset_of!(PullFeedAccountData, last_update_timestamp), offsets::LAST_UPDATE_TIMESTAMP);
        assert_eq!(8 + offset_of!(PullFeedAccountData, result), offsets::RESULT);
        assert_eq!(offsets::RESULT + offset_of!(CurrentResult, std_dev), offsets::STD_DEV);
        assert_eq!(offsets::RESULT + offset_of!(CurrentResult, num_samples), offsets::NUM_SAMPLES);
        assert_eq!(offsets::RESULT + offset_of!(CurrentResult, slot), offsets::SLOT);
        assert_eq!(offsets::RESULT + offset_of!(CurrentResult, min_slot), offsets::MIN_SLOT);
        assert_eq!(8 + offset_of!(PullFeedAccountData, max_staleness), offsets::MAX_STALENESS);
        // And the reader agrees with the struct's bytes.
        let mut feed = PullFeedAccountData::zeroed();
        feed.result.value = 123_456_000_000_000_000_000;
        feed.result.std_dev = 7;
        feed.result.num_samples = 5;
        feed.result.slot = 999;
        feed.result.min_slot = 990;
        feed.last_update_timestamp = 1_700_000_000;
        feed.max_staleness = 250;
        feed.min_sample_size = 4;
        let mut data = PULL_FEED_DISCRIMINATOR.to_vec();
        data.extend_from_slice(bytemuck::bytes_of(&feed));
        let raw = raw_feed(&data).unwrap();
        let expected = RawFeed { value: 123_456_000_000_000_000_000, std_dev: 7, num_samples: 5, slot: 999, min_slot: 990, last_update_ts: 1_700_000_000, max_staleness: 250, min_sample_size: 4 };
        assert_eq!(raw, expected);
        assert!(raw_feed(&data[..PULL_FEED_LEN - 1]).is_err(), "too short");
        data[0] ^= 1;
        assert!(raw_feed(&data).is_err(), "wrong discriminator");
    }

    fn cfg() -> SecondaryOracleConfig {
        let mut c = SecondaryOracleConfig::zeroed();
        c.kind = crate::state::SECONDARY_SWITCHBOARD;
        c.max_age_secs = 60;
        c.max_age_slots = 150;
        c.max_conf_bps = 100;
        c.max_divergence_bps = 200;
        c.min_samples = 3;
        c
    }

    #[test]
    fn each_feed_rule_has_its_own_error() {
        let c = cfg();
        let ok = RawFeed { value: 150 * SCALE as i128, std_dev: SCALE as i128, num_samples: 3, slot: 1_000, min_slot: 1_000, last_update_ts: 5_000, max_staleness: 0, min_sample_size: 1 };
        let p = validate_feed(&ok, &c, 5_000, 1_000, PriceUse::Risk).unwrap();
        assert_eq!(p.spot_low, Fraction::from_num(150));
        assert_eq!(p.ema, p.spot_low);
        let err = |r: RawFeed, ts, slot, u| validate_feed(&r, &c, ts, slot, u).unwrap_err();
        assert_eq!(err(RawFeed { value: 0, ..ok }, 5_000, 1_000, PriceUse::Liquidation), BallastError::OracleInvalidPrice.into());
        assert_eq!(err(RawFeed { value: -1, ..ok }, 5_000, 1_000, PriceUse::Liquidation), BallastError::OracleInvalidPrice.into());
        assert_eq!(err(ok, 5_061, 1_000, PriceUse::Liquidation), BallastError::OracleStale.into());
        assert_eq!(err(ok, 5_000, 1_151, PriceUse::Liquidation), BallastError::OracleSlotStale.into());
        assert_eq!(err(ok, 5_000, 999, PriceUse::Liquidation), BallastError::OracleSlotInFuture.into());
        assert_eq!(err(RawFeed { num_samples: 2, ..ok }, 5_000, 1_000, PriceUse::Liquidation), BallastError::OracleTooFewSamples.into());
        // Issue 24 (low): the oldest sample bounds freshness, and the feed's own demands are never loosened.
        assert_eq!(err(RawFeed { min_slot: 849, ..ok }, 5_000, 1_000, PriceUse::Liquidation), BallastError::OracleSlotStale.into());
        assert!(validate_feed(&RawFeed { min_slot: 850, ..ok }, &c, 5_000, 1_000, PriceUse::Liquidation).is_ok());
        assert_eq!(err(RawFeed { min_slot: 1_001, ..ok }, 5_000, 1_001, PriceUse::Liquidation), BallastError::OracleInvalidPrice.into());
        assert_eq!(err(RawFeed { min_slot: 0, ..ok }, 5_000, 1_000, PriceUse::Liquidation), BallastError::OracleInvalidPrice.into());
        let own_staleness = RawFeed { min_slot: 940, max_staleness: 50, ..ok };
        assert_eq!(err(own_staleness, 5_000, 1_000, PriceUse::Liquidation), BallastError::OracleSlotStale.into());
        assert!(validate_feed(&RawFeed { max_staleness: 60, ..own_staleness }, &c, 5_000, 1_000, PriceUse::Liquidation).is_ok());
        assert_eq!(err(RawFeed { min_sample_size: 4, ..ok }, 5_000, 1_000, PriceUse::Liquidation), BallastError::OracleTooFewSamples.into());
        let wide = RawFeed { std_dev: 2 * SCALE as i128, ..ok };
        assert_eq!(err(wide, 5_000, 1_000, PriceUse::Risk), BallastError::OracleConfidenceTooWide.into());
        assert!(validate_feed(&wide, &c, 5_000, 1_000, PriceUse::Liquidation).is_ok(), "volatility never blocks liquidation");
        let huge = RawFeed { value: i128::MAX, std_dev: i128::MAX, ..ok };
        assert_eq!(err(huge, 5_000, 1_000, PriceUse::Risk), BallastError::OracleConfidenceTooWide.into());
    }
}
