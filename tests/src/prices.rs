//! Real Pyth `PriceUpdateV2` accounts, owned by the receiver program, written into the bank.
use crate::{reserves::ReserveInfo, TestContext};
use anchor_lang::prelude::Pubkey;
use ballast_sdk::pyth::{price_update_account, PricePoint};
use solana_account::AccountSharedData;

/// Everything a test may set about a price update. Prices are in units of 1e-8 quote.
#[derive(Clone, Copy, Debug)]
pub struct PriceSpec {
    pub feed_id: [u8; 32],
    pub price: i64,
    pub conf: u64,
    pub ema_price: i64,
    pub publish_time: i64,
    pub verified: bool,
    /// A frozen price keeps its publish time when the clock advances (goes stale).
    pub frozen: bool,
}

pub const PRICE_EXPONENT: i32 = ballast_sdk::pyth::EXPONENT;

pub use ballast_sdk::pyth::mantissa;

impl TestContext {
    pub(crate) fn write_price(&mut self, account: &Pubkey, spec: PriceSpec) {
        let point = PricePoint {
            feed_id: spec.feed_id,
            price: spec.price,
            conf: spec.conf,
            ema_price: spec.ema_price,
            publish_time: spec.publish_time,
            verified: spec.verified,
        };
        self.banks.set_account(account, &AccountSharedData::from(price_update_account(&point)));
        self.prices.insert(*account, spec);
    }

    pub fn price_spec(&self, r: &ReserveInfo) -> PriceSpec {
        self.prices[&r.price_account]
    }

    /// Publishes `spec` for the reserve's price account now.
    pub fn set_price_spec(&mut self, r: &ReserveInfo, mut spec: PriceSpec) {
        if !spec.frozen {
            spec.publish_time = self.now;
        }
        self.write_price(&r.price_account, spec);
    }

    /// A calm price: spot = EMA, zero confidence, published now.
    pub fn set_price(&mut self, r: &ReserveInfo, price: f64) {
        let spec = PriceSpec { price: mantissa(price), ema_price: mantissa(price), conf: 0, frozen: false, ..self.price_spec(r) };
        self.set_price_spec(r, spec);
    }

    /// A calm price given as the Pyth mantissa at exponent -8 (for one-tick precision).
    pub fn set_price_mantissa(&mut self, r: &ReserveInfo, mantissa: i64) {
        let spec = PriceSpec { price: mantissa, ema_price: mantissa, conf: 0, frozen: false, ..self.price_spec(r) };
        self.set_price_spec(r, spec);
    }

    /// Stops republishing the reserve's price: it goes stale once the clock passes max age.
    pub fn freeze_price(&mut self, r: &ReserveInfo) {
        let spec = PriceSpec { frozen: true, ..self.price_spec(r) };
        self.write_price(&r.price_account, spec);
    }

    /// Writes a price update for `r` at an arbitrary account (e.g. to pose as another reserve's oracle).
    pub fn write_price_at(&mut self, account: &Pubkey, spec: PriceSpec) {
        self.write_price(account, spec);
    }
}
