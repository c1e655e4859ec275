//! A reserve's price from its primary source and its optional secondary: which accounts carry them, and
//! which source (or both) a use may rely on. The rules, in one place:
//!
//! - No secondary configured: the primary alone.
//! - `FLAG_SECONDARY_ONLY`: the secondary alone; the primary is not read. It decides who can be liquidated, so
//!   setting or clearing it waits the timelock like any change of a liquidation price
//!   (`governance::rules`).
//! - Borrow and withdraw (`PriceUse::Risk`): the secondary's account must be passed. Both valid: they must
//!   agree within `max_divergence_bps` (else `OracleSourcesDiverge`), and collateral is valued at the lower
//!   price, debt at the higher. One invalid: refused with its error, unless `FLAG_SINGLE_SOURCE_RISK`
//!   lets the other carry on alone.
//! - Liquidation, opening collateral, valuing outflows (`PriceUse::Liquidation`): one asset, one price. A valid
//!   primary alone, whatever else is passed: the secondary neither vetoes nor blends in, so whether an
//!   obligation is liquidatable and what is seized never depend on an account the caller may add or leave
//!   out. A stale or invalid primary hands over to a valid secondary, which must then be passed, so a dead
//!   primary never freezes liquidations.
//!
//! The primary's slot is always address-checked and a wrong address is never "a failed source": a caller
//! cannot force the failover by passing some other account.
use super::{load_price, switchboard::load_feed, Price, PriceUse};
use crate::{
    error::BallastError,
    state::{ReserveConfig, FLAG_SECONDARY_ONLY, FLAG_SINGLE_SOURCE_RISK},
};
use anchor_lang::prelude::*;

/// The cluster clock as prices are judged: by unix time, and by slot for Switchboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Now {
    pub ts: i64,
    pub slot: u64,
}

impl Now {
    pub fn get() -> Result<Now> {
        let clock = Clock::get()?;
        Ok(Now { ts: clock.unix_timestamp, slot: clock.slot })
    }
}

/// The price accounts passed for one reserve: its primary's, then its secondary's when given.
#[derive(Clone, Copy)]
pub struct PriceAccounts<'a, 'info> {
    pub primary: &'a AccountInfo<'info>,
    pub secondary: Option<&'a AccountInfo<'info>>,
}

/// Splits one reserve's price accounts off the front of `accounts`: the first is the primary's slot; the next
/// is taken too when it is the reserve's configured secondary. Returns them and the accounts after.
pub fn split_price_accounts<'a, 'info>(accounts: &'a [AccountInfo<'info>], cfg: &ReserveConfig) -> Result<(PriceAccounts<'a, 'info>, &'a [AccountInfo<'info>])> {
    let (primary, rest) = accounts.split_first().ok_or(BallastError::HealthAccountsMissing)?;
    match rest.split_first() {
        Some((next, after)) if cfg.secondary.is_configured() && next.key() == cfg.secondary.price_account => {
            Ok((PriceAccounts { primary, secondary: Some(next) }, after))
        }
        _ => Ok((PriceAccounts { primary, secondary: None }, rest)),
    }
}

/// For an instruction that names the primary's slot and takes no other remaining accounts (redeem, request
/// withdrawal): the remaining accounts are nothing, or exactly the reserve's configured secondary.
pub fn trailing_secondary<'a, 'info>(primary: &'a AccountInfo<'info>, remaining: &'a [AccountInfo<'info>], cfg: &ReserveConfig) -> Result<PriceAccounts<'a, 'info>> {
    match remaining {
        [] => Ok(PriceAccounts { primary, secondary: None }),
        [one] if cfg.secondary.is_configured() && one.key() == cfg.secondary.price_account => Ok(PriceAccounts { primary, secondary: Some(one) }),
        _ => Err(error!(BallastError::OracleSecondarySlotMismatch)),
    }
}

/// The primary's named slot with the reserve's secondary found among `accounts` by its configured address
/// (for an instruction whose remaining accounts are a health list that may or may not hold the reserve).
pub fn secondary_among<'a, 'info>(primary: &'a AccountInfo<'info>, accounts: &'a [AccountInfo<'info>], cfg: &ReserveConfig) -> PriceAccounts<'a, 'info> {
    let secondary = cfg.secondary.is_configured().then(|| accounts.iter().find(|a| a.key() == cfg.secondary.price_account)).flatten();
    PriceAccounts { primary, secondary }
}

/// Whether a liquidation-side read (`PriceUse::Liquidation`) of this reserve needs its secondary's account, given
/// whether the primary validates now: only when the secondary alone prices it (the flag, or a failed primary).
/// Anywhere else the secondary is not read, so clients leave it out and stay within the account-lock limit.
pub fn liquidation_needs_secondary(cfg: &ReserveConfig, primary_valid: bool) -> bool {
    cfg.secondary.is_configured() && (cfg.has_flag(FLAG_SECONDARY_ONLY) || !primary_valid)
}

/// Loads the reserve's price for `use_` from the accounts passed for it, by the rules above.
pub fn load_reserve_price(accounts: PriceAccounts, cfg: &ReserveConfig, now: Now, use_: PriceUse) -> Result<Price> {
    require_keys_eq!(accounts.primary.key(), cfg.oracle.price_account, BallastError::OracleAccountMismatch);
    let secondary = accounts.secondary.map(|a| load_feed(a, &cfg.secondary, now.ts, now.slot, use_));
    let primary = (!cfg.has_flag(FLAG_SECONDARY_ONLY)).then(|| load_price(accounts.primary, &cfg.oracle, now.ts, use_));
    select(cfg, primary, secondary, use_)
}

/// Which validated source(s) `use_` relies on. `primary` is None when the brake is on (not read); `secondary`
/// is None when its account was not passed.
pub fn select(cfg: &ReserveConfig, primary: Option<Result<Price>>, secondary: Option<Result<Price>>, use_: PriceUse) -> Result<Price> {
    if !cfg.secondary.is_configured() {
        return primary.ok_or(BallastError::OracleAccountMismatch)?;
    }
    let Some(primary) = primary else {
        return secondary.ok_or(BallastError::OracleSecondaryMissing)?;
    };
    let single = cfg.has_flag(FLAG_SINGLE_SOURCE_RISK);
    let bound = cfg.secondary.max_divergence_bps;
    match use_ {
        PriceUse::Risk => match (primary, secondary.ok_or(BallastError::OracleSecondaryMissing)?) {
            (Ok(p), Ok(s)) => {
                require!(p.agrees_with(&s, bound)?, BallastError::OracleSourcesDiverge);
                Ok(p.combined_with(&s))
            }
            (Ok(one), Err(e)) | (Err(e), Ok(one)) => if single { Ok(one) } else { Err(e) },
            (Err(e), Err(_)) => Err(e),
        },
        PriceUse::Liquidation => match (primary, secondary) {
            (Ok(p), _) => Ok(p),
            (Err(_), Some(Ok(s))) => Ok(s),
            (Err(e), _) => Err(e),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{math::Fraction, state::SECONDARY_SWITCHBOARD};
    use bytemuck::Zeroable;

    fn price(spot: u32) -> Price {
        let s = Fraction::from_num(spot);
        Price { spot_low: s, spot_high: s, ema: s, conf_ratio: Fraction::ZERO, ema_gap_ratio: Fraction::ZERO }
    }

    fn cfg(flags: u16) -> ReserveConfig {
        let mut c = ReserveConfig::zeroed();
        c.secondary.kind = SECONDARY_SWITCHBOARD;
        c.secondary.max_divergence_bps = 200;
        c.flags = flags;
        c
    }

    fn stale() -> Result<Price> {
        Err(error!(BallastError::OracleStale))
    }

    #[test]
    fn risk_needs_both_sources_agreeing_unless_one_may_stand_alone() {
        let c = cfg(0);
        let both = select(&c, Some(Ok(price(100))), Some(Ok(price(102))), PriceUse::Risk).unwrap();
        assert_eq!((both.spot_low, both.spot_high), (Fraction::from_num(100), Fraction::from_num(102)));
        let diverge = select(&c, Some(Ok(price(100))), Some(Ok(price(103))), PriceUse::Risk).unwrap_err();
        assert_eq!(diverge, BallastError::OracleSourcesDiverge.into());
        let missing = select(&c, Some(Ok(price(100))), None, PriceUse::Risk).unwrap_err();
        assert_eq!(missing, BallastError::OracleSecondaryMissing.into());
        assert_eq!(select(&c, Some(Ok(price(100))), Some(stale()), PriceUse::Risk).unwrap_err(), BallastError::OracleStale.into());
        assert_eq!(select(&c, Some(stale()), Some(Ok(price(100))), PriceUse::Risk).unwrap_err(), BallastError::OracleStale.into());
        let single = cfg(FLAG_SINGLE_SOURCE_RISK);
        assert_eq!(select(&single, Some(stale()), Some(Ok(price(90))), PriceUse::Risk).unwrap(), price(90));
        assert_eq!(select(&single, Some(Ok(price(100))), Some(stale()), PriceUse::Risk).unwrap(), price(100));
        assert!(select(&single, Some(Ok(price(100))), Some(Ok(price(110))), PriceUse::Risk).is_err(), "disagreement still refuses");
    }

    #[test]
    fn liquidation_fails_over_and_a_disagreeing_secondary_never_seizes() {
        let c = cfg(0);
        // Issue 24 (medium): a live primary prices the liquidation alone; an agreeing secondary passed beside it
        // no longer blends in (collateral at the lower, debt at the higher), which let the caller choose.
        assert_eq!(select(&c, Some(Ok(price(100))), Some(Ok(price(99))), PriceUse::Liquidation).unwrap(), price(100));
        assert_eq!(select(&c, Some(stale()), Some(Ok(price(90))), PriceUse::Liquidation).unwrap(), price(90));
        assert_eq!(select(&c, Some(Ok(price(100))), Some(Ok(price(50))), PriceUse::Liquidation).unwrap(), price(100));
        assert_eq!(select(&c, Some(Ok(price(100))), None, PriceUse::Liquidation).unwrap(), price(100));
        assert_eq!(select(&c, Some(Ok(price(100))), Some(stale()), PriceUse::Liquidation).unwrap(), price(100));
        assert_eq!(select(&c, Some(stale()), None, PriceUse::Liquidation).unwrap_err(), BallastError::OracleStale.into());
        // The brake: the secondary alone, whatever the primary would say.
        let brake = cfg(FLAG_SECONDARY_ONLY);
        assert_eq!(select(&brake, None, Some(Ok(price(80))), PriceUse::Risk).unwrap(), price(80));
        assert_eq!(select(&brake, None, None, PriceUse::Liquidation).unwrap_err(), BallastError::OracleSecondaryMissing.into());
    }
}
