//! Switchboard on-demand `PullFeedAccountData` accounts: written into an in-process bank (demo and tests,
//! where no Switchboard oracle posts results), and read for display.
use ballast::oracle::switchboard::{offsets, raw_feed, PULL_FEED_DISCRIMINATOR, PULL_FEED_LEN};
use solana_account::Account;

/// The mainnet on-demand program, which owns the feeds tests write.
pub const PROGRAM_ID: anchor_lang::prelude::Pubkey = ballast::constants::SWITCHBOARD_PROGRAM_IDS[0];
/// Switchboard values carry 18 decimals.
pub const SCALE: f64 = 1e18;

/// What a feed's current result says.
#[derive(Clone, Copy, Debug)]
pub struct FeedPoint {
    /// Median of the samples, quote per whole token, 1e18-scaled.
    pub value: i128,
    pub std_dev: i128,
    pub num_samples: u8,
    /// Slot of the result.
    pub slot: u64,
    /// Slot of the oldest sample behind the result.
    pub min_slot: u64,
    pub last_update_ts: i64,
    /// The feed's own bound on a sample's age, slots (0: none).
    pub max_staleness: u32,
    /// The feed's own least number of samples.
    pub min_sample_size: u8,
}

impl FeedPoint {
    /// A calm feed: `price`, no spread, five samples all from `slot`, updated at `ts`.
    pub fn calm(price: f64, ts: i64, slot: u64) -> Self {
        Self { value: (price * SCALE).round() as i128, std_dev: 0, num_samples: 5, slot, min_slot: slot, last_update_ts: ts, max_staleness: 0, min_sample_size: 1 }
    }
}

/// The account bytes a Switchboard feed would hold for `point` (every field not read by Ballast is zero).
pub fn feed_account(point: &FeedPoint) -> Account {
    let mut data = vec![0u8; PULL_FEED_LEN];
    data[..8].copy_from_slice(&PULL_FEED_DISCRIMINATOR);
    data[offsets::VALUE..offsets::VALUE + 16].copy_from_slice(&point.value.to_le_bytes());
    data[offsets::STD_DEV..offsets::STD_DEV + 16].copy_from_slice(&point.std_dev.to_le_bytes());
    data[offsets::NUM_SAMPLES] = point.num_samples;
    data[offsets::SLOT..offsets::SLOT + 8].copy_from_slice(&point.slot.to_le_bytes());
    data[offsets::MIN_SLOT..offsets::MIN_SLOT + 8].copy_from_slice(&point.min_slot.to_le_bytes());
    data[offsets::LAST_UPDATE_TIMESTAMP..offsets::LAST_UPDATE_TIMESTAMP + 8].copy_from_slice(&point.last_update_ts.to_le_bytes());
    data[offsets::MAX_STALENESS..offsets::MAX_STALENESS + 4].copy_from_slice(&point.max_staleness.to_le_bytes());
    data[offsets::MIN_SAMPLE_SIZE] = point.min_sample_size;
    Account { lamports: 1_000_000_000, data, owner: PROGRAM_ID, executable: false, rent_epoch: 0 }
}

/// When a feed account's result was last updated, unix seconds (for display).
pub fn updated_at(account: &Account) -> Option<i64> {
    Some(raw_feed(&account.data).ok()?.last_update_ts)
}

/// The value of a feed account (for display; the program validates its own).
pub fn spot_price(account: &Account) -> Option<f64> {
    let raw = raw_feed(&account.data).ok()?;
    Some(raw.value as f64 / SCALE)
}
