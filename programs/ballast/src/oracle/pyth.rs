//! Pyth pull oracle: reads a `PriceUpdateV2` owned by the receiver program.
use super::price::{validate_price, Price, PriceUse, RawPrice};
use crate::{error::BallastError, state::OracleConfig};
use anchor_lang::{prelude::*, Discriminator};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

/// Loads and validates the price in `account` for a reserve configured with `cfg`.
pub fn load_price(account: &AccountInfo, cfg: &OracleConfig, now_ts: i64, use_: PriceUse) -> Result<Price> {
    require_keys_eq!(account.key(), cfg.price_account, BallastError::OracleAccountMismatch);
    price_from_bytes(account.owner, &account.try_borrow_data()?, cfg, now_ts, use_)
}

/// Everything `load_price` checks but the address, over an account's owner and bytes (clients run it on
/// snapshots).
pub fn price_from_bytes(owner: &Pubkey, data: &[u8], cfg: &OracleConfig, now_ts: i64, use_: PriceUse) -> Result<Price> {
    require_keys_eq!(*owner, pyth_solana_receiver_sdk::ID, BallastError::OracleInvalidOwner);
    validate_price(&raw_price(data)?, cfg, now_ts, use_)
}

/// The fields validation reads from a `PriceUpdateV2` account's bytes (the owner is the caller's to check), read
/// in place at their Borsh offsets: the discriminator, the write authority (32), the verification level (one
/// byte for Full, two for Partial and its signature count), then the price message. A test holds it to the
/// receiver SDK's own deserialization.
pub fn raw_price(data: &[u8]) -> Result<RawPrice> {
    let invalid = || error!(BallastError::OracleInvalidAccount);
    if data.get(..8) != Some(PriceUpdateV2::DISCRIMINATOR) {
        return Err(invalid());
    }
    let (fully_verified, m) = match data.get(40) {
        Some(1) => (true, 41),
        Some(0) => (false, 42),
        _ => return Err(invalid()),
    };
    let message = data.get(m..m + 84).ok_or_else(invalid)?;
    Ok(RawPrice {
        fully_verified,
        feed_id: bytes_at(message, 0)?,
        price: i64::from_le_bytes(bytes_at(message, 32)?),
        conf: u64::from_le_bytes(bytes_at(message, 40)?),
        exponent: i32::from_le_bytes(bytes_at(message, 48)?),
        publish_time: i64::from_le_bytes(bytes_at(message, 52)?),
        ema_price: i64::from_le_bytes(bytes_at(message, 68)?),
    })
}

/// `N` bytes of `message` from `at`; a short message is an invalid account, never a panic.
pub(crate) fn bytes_at<const N: usize>(message: &[u8], at: usize) -> Result<[u8; N]> {
    let slice = message.get(at..at.saturating_add(N)).ok_or_else(|| error!(BallastError::OracleInvalidAccount))?;
    let mut out = [0u8; N];
    out.copy_from_slice(slice);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::AccountSerialize;
    use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, VerificationLevel};

    /// The in-place reader agrees with the receiver SDK's Borsh deserialization, both verification levels.
    #[test]
    fn raw_price_reads_what_the_receiver_sdk_reads() {
        for (level, verified) in [(VerificationLevel::Full, true), (VerificationLevel::Partial { num_signatures: 7 }, false)] {
            let update = PriceUpdateV2 {
                write_authority: Pubkey::new_from_array([3; 32]),
                verification_level: level,
                price_message: PriceFeedMessage {
                    feed_id: [9; 32],
                    price: -123_456_789,
                    conf: 987_654,
                    exponent: -8,
                    publish_time: 1_700_000_123,
                    prev_publish_time: 1_700_000_100,
                    ema_price: 111_222_333,
                    ema_conf: 4_444,
                },
                posted_slot: 77,
            };
            let mut data = vec![];
            update.try_serialize(&mut data).unwrap();
            data.resize(PriceUpdateV2::LEN, 0);
            let raw = raw_price(&data).unwrap();
            let back = PriceUpdateV2::try_deserialize(&mut &data[..]).unwrap();
            let m = &back.price_message;
            assert_eq!(raw.fully_verified, verified);
            assert_eq!((raw.feed_id, raw.price, raw.conf, raw.exponent), (m.feed_id, m.price, m.conf, m.exponent));
            assert_eq!((raw.publish_time, raw.ema_price), (m.publish_time, m.ema_price));
        }
        assert!(raw_price(&[0u8; 134]).is_err(), "no discriminator");
        let mut short = vec![];
        short.extend_from_slice(PriceUpdateV2::DISCRIMINATOR);
        short.resize(60, 1);
        assert!(raw_price(&short).is_err(), "too short");
    }
}
