//! Real-layout Switchboard on-demand `PullFeedAccountData` accounts, owned by the Switchboard program, written
//! into the bank as a reserve's secondary price source.
use crate::{reserves::ReserveInfo, TestContext};
use anchor_lang::prelude::Pubkey;
use ballast::state::{SecondaryOracleConfig, SECONDARY_SWITCHBOARD};
use ballast_sdk::switchboard::{feed_account, FeedPoint};
use solana_account::AccountSharedData;

/// Everything a test may set about a feed's current result.
#[derive(Clone, Copy, Debug)]
pub struct FeedSpec {
    /// Quote per whole token.
    pub price: f64,
    /// Standard deviation of the samples, as a share of the price.
    pub std_dev_ratio: f64,
    pub num_samples: u8,
    /// The result is this many slots older than the bank's current slot.
    pub slot_lag: u64,
    /// Its oldest sample is this many slots older than the result.
    pub sample_spread_slots: u64,
    /// The feed's own bound on a sample's age, slots (0: none).
    pub feed_max_staleness: u32,
    /// The feed's own least number of samples.
    pub feed_min_sample_size: u8,
    /// Raw value override (e.g. negative), 1e18-scaled; None uses `price`.
    pub raw_value: Option<i128>,
    /// The owner the account is written with (Switchboard's mainnet program unless a test forges it).
    pub owner: Pubkey,
    /// A frozen feed keeps its update time when the clock advances (goes stale).
    pub frozen: bool,
    pub last_update_ts: i64,
}

impl FeedSpec {
    pub fn calm(price: f64) -> Self {
        Self {
            price,
            std_dev_ratio: 0.0,
            num_samples: 5,
            slot_lag: 0,
            sample_spread_slots: 0,
            feed_max_staleness: 0,
            feed_min_sample_size: 1,
            raw_value: None,
            owner: ballast_sdk::switchboard::PROGRAM_ID,
            frozen: false,
            last_update_ts: 0,
        }
    }
}

/// The secondary source config tests use: 60 s, 150 slots, sources within 2%, 1% deviation, 3 samples.
pub fn secondary_config(feed: Pubkey) -> SecondaryOracleConfig {
    SecondaryOracleConfig {
        price_account: feed,
        max_age_secs: 60,
        max_age_slots: 150,
        max_divergence_bps: 200,
        max_conf_bps: 100,
        min_samples: 3,
        kind: SECONDARY_SWITCHBOARD,
        padding: [0; 18],
    }
}

impl TestContext {
    pub(crate) async fn write_feed(&mut self, feed: &Pubkey, spec: FeedSpec) {
        let clock: anchor_lang::prelude::Clock = self.banks.banks_client.get_sysvar().await.unwrap();
        let value = spec.raw_value.unwrap_or((spec.price * 1e18).round() as i128);
        let slot = clock.slot.saturating_sub(spec.slot_lag);
        let point = FeedPoint {
            value,
            std_dev: (value as f64 * spec.std_dev_ratio) as i128,
            num_samples: spec.num_samples,
            slot,
            min_slot: slot.saturating_sub(spec.sample_spread_slots),
            last_update_ts: spec.last_update_ts,
            max_staleness: spec.feed_max_staleness,
            min_sample_size: spec.feed_min_sample_size,
        };
        let mut account = feed_account(&point);
        account.owner = spec.owner;
        self.banks.set_account(feed, &AccountSharedData::from(account));
        self.feeds.insert(*feed, spec);
    }

    /// Gives `r` a Switchboard secondary at a new feed account priced like its primary, through the timelock
    /// (adding a source loosens), and records it so health accounts carry it. Returns the feed's address.
    /// Default market only.
    pub async fn add_secondary(&mut self, r: &ReserveInfo, edit: impl FnOnce(&mut ballast::state::ReserveConfig)) -> Pubkey {
        let feed = Pubkey::new_unique();
        let price = self.price_spec(r).price as f64 / 1e8;
        self.set_feed_spec(&feed, FeedSpec::calm(price)).await;
        let mut config = self.reserve_config(r).await;
        config.secondary = secondary_config(feed);
        edit(&mut config);
        assert_eq!(r.market, self.market, "add_secondary works in the default market");
        let admin = self.admin.keypair.insecure_clone();
        self.try_queue_reserve_config(&admin, r, config).await.expect("queue the secondary source");
        let timelock = self.market_config().await.config_timelock_secs as i64;
        self.advance(timelock).await;
        self.try_apply_pending_reserve_config(r).await.expect("apply the secondary source");
        self.secondaries.insert(r.key, feed);
        feed
    }

    /// The secondary feed the context gave `r`.
    pub fn secondary_of(&self, r: &ReserveInfo) -> Pubkey {
        self.secondaries[&r.key]
    }

    pub fn feed_spec(&self, r: &ReserveInfo) -> FeedSpec {
        self.feeds[&self.secondary_of(r)]
    }

    /// Publishes `spec` for the feed now (unless frozen).
    pub async fn set_feed_spec(&mut self, feed: &Pubkey, mut spec: FeedSpec) {
        if !spec.frozen {
            spec.last_update_ts = self.now;
        }
        self.write_feed(feed, spec).await;
    }

    /// A calm feed result for `r`'s secondary at `price`, now.
    pub async fn set_feed_price(&mut self, r: &ReserveInfo, price: f64) {
        let feed = self.secondary_of(r);
        let spec = FeedSpec { price, ..FeedSpec::calm(price) };
        self.set_feed_spec(&feed, spec).await;
    }

    /// Stops updating `r`'s secondary: it goes stale once the clock passes its max age.
    pub async fn freeze_feed(&mut self, r: &ReserveInfo) {
        let feed = self.secondary_of(r);
        let spec = FeedSpec { frozen: true, ..self.feeds[&feed] };
        self.write_feed(&feed, spec).await;
    }

    /// Republishes every live feed at the current time (called by `advance`).
    pub(crate) async fn refresh_feeds(&mut self) {
        let live: Vec<Pubkey> = self.feeds.iter().filter(|(_, f)| !f.frozen).map(|(k, _)| *k).collect();
        for feed in live {
            let spec = self.feeds[&feed];
            self.set_feed_spec(&feed, spec).await;
        }
    }
}
