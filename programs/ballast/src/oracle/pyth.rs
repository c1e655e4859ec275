//! Pyth pull oracle: reads a `PriceUpdateV2` owned by the receiver program.
use super::price::{validate_price, Price, PriceUse, RawPrice};
use crate::{error::BallastError, state::OracleConfig};
use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::{PriceUpdateV2, VerificationLevel};

/// Loads and validates the price in `account` for a reserve configured with `cfg`.
pub fn load_price(account: &AccountInfo, cfg: &OracleConfig, now_ts: i64, use_: PriceUse) -> Result<Price> {
    require_keys_eq!(account.key(), cfg.price_account, BallastError::OracleAccountMismatch);
    require_keys_eq!(*account.owner, pyth_solana_receiver_sdk::ID, BallastError::OracleInvalidOwner);
    let raw = raw_price(&account.try_borrow_data()?)?;
    validate_price(&raw, cfg, now_ts, use_)
}

/// The fields validation reads from a `PriceUpdateV2` account's bytes (the owner is the caller's to check).
pub fn raw_price(data: &[u8]) -> Result<RawPrice> {
    let update = PriceUpdateV2::try_deserialize(&mut &data[..]).map_err(|_| error!(BallastError::OracleInvalidAccount))?;
    let m = &update.price_message;
    Ok(RawPrice {
        fully_verified: update.verification_level == VerificationLevel::Full,
        feed_id: m.feed_id,
        price: m.price,
        conf: m.conf,
        ema_price: m.ema_price,
        exponent: m.exponent,
        publish_time: m.publish_time,
    })
}
