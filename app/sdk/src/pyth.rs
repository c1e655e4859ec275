//! Pyth `PriceUpdateV2` accounts, for an in-process bank where no Pyth receiver posts prices.
use anchor_lang::{prelude::Pubkey, AccountSerialize};
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};
use solana_account::Account;

/// Prices the demo and tests publish carry 8 decimals.
pub const EXPONENT: i32 = -8;

/// A quote price as a Pyth mantissa at [`EXPONENT`].
pub fn mantissa(price: f64) -> i64 {
    (price * 1e8).round() as i64
}

/// What a price update says.
#[derive(Clone, Copy, Debug)]
pub struct PricePoint {
    pub feed_id: [u8; 32],
    pub price: i64,
    pub conf: u64,
    pub ema_price: i64,
    pub publish_time: i64,
    /// Fully verified by Wormhole guardians (what Ballast requires).
    pub verified: bool,
}

impl PricePoint {
    /// A calm, verified price: EMA = spot, zero confidence interval.
    pub fn calm(feed_id: [u8; 32], price: f64, publish_time: i64) -> Self {
        Self { feed_id, price: mantissa(price), conf: 0, ema_price: mantissa(price), publish_time, verified: true }
    }
}

/// The account a Pyth receiver would hold for `point`.
pub fn price_update_account(point: &PricePoint) -> Account {
    let update = PriceUpdateV2 {
        write_authority: Pubkey::default(),
        verification_level: if point.verified { VerificationLevel::Full } else { VerificationLevel::Partial { num_signatures: 5 } },
        price_message: PriceFeedMessage {
            feed_id: point.feed_id,
            price: point.price,
            conf: point.conf,
            exponent: EXPONENT,
            publish_time: point.publish_time,
            prev_publish_time: point.publish_time - 1,
            ema_price: point.ema_price,
            ema_conf: point.conf,
        },
        posted_slot: 0,
    };
    let mut data = Vec::with_capacity(PriceUpdateV2::LEN);
    update.try_serialize(&mut data).expect("price update serializes");
    data.resize(PriceUpdateV2::LEN, 0);
    Account { lamports: 1_000_000_000, data, owner: pyth_solana_receiver_sdk::ID, executable: false, rent_epoch: 0 }
}

/// Decodes the spot price of a `PriceUpdateV2` account (for display; the program validates its own).
pub fn spot_price(account: &Account) -> Option<f64> {
    use anchor_lang::AccountDeserialize;
    let update = PriceUpdateV2::try_deserialize(&mut account.data.as_slice()).ok()?;
    let m = update.price_message;
    Some(m.price as f64 * 10f64.powi(m.exponent))
}

/// When the price in a `PriceUpdateV2` account was published, unix seconds (for display).
pub fn publish_time(account: &Account) -> Option<i64> {
    use anchor_lang::AccountDeserialize;
    Some(PriceUpdateV2::try_deserialize(&mut account.data.as_slice()).ok()?.price_message.publish_time)
}
