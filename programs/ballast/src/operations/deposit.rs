//! Liquidity in for cTokens, cTokens back for liquidity.
use crate::{
    error::BallastError,
    math::{self, from_u64, Fraction},
    operations::{borrow, withdrawal_queue},
    state::Reserve,
};
use anchor_lang::prelude::*;

/// Takes `liquidity_amount` into the reserve and returns the cTokens to mint (rounded down).
pub fn deposit_liquidity(reserve: &mut Reserve, liquidity_amount: u64) -> Result<u64> {
    require!(liquidity_amount > 0, BallastError::ZeroAmount);
    let total_after = math::add(reserve.total_liquidity()?, from_u64(liquidity_amount))?;
    require!(total_after <= from_u64(reserve.config.deposit_limit), BallastError::DepositCapExceeded);
    // After a total write-off old cTokens are worthless; minting 1:1 would hand them the new deposit.
    require!(
        reserve.ctoken_supply == 0 || reserve.total_liquidity()? > Fraction::ZERO,
        BallastError::ReserveWipedOut
    );
    // After a large write-off a cToken may be worth little: a deposit can then mean more cTokens than a u64 holds.
    let too_many = |_| error!(BallastError::CTokenSupplyOverflow);
    let ctoken_amount = reserve.liquidity_to_ctokens_floor(liquidity_amount).map_err(too_many)?;
    require!(ctoken_amount > 0, BallastError::AmountTooSmall);
    reserve.ctoken_supply = reserve.ctoken_supply.checked_add(ctoken_amount).ok_or_else(|| error!(BallastError::CTokenSupplyOverflow))?;
    reserve.available_liquidity = math::checked_add_u64(reserve.available_liquidity, liquidity_amount)?;
    Ok(ctoken_amount)
}

/// Burns `ctoken_amount` of claims and returns the liquidity to pay out (rounded down). Liquidity reserved for
/// withdrawal tickets stays for them.
pub fn redeem_ctokens(reserve: &mut Reserve, ctoken_amount: u64) -> Result<u64> {
    require!(ctoken_amount > 0, BallastError::ZeroAmount);
    let liquidity_amount = reserve.ctokens_to_liquidity_floor(ctoken_amount)?;
    require!(liquidity_amount > 0, BallastError::AmountTooSmall);
    require!(liquidity_amount <= reserve.available_liquidity, BallastError::InsufficientLiquidity);
    reserve.available_liquidity = math::checked_sub_u64(reserve.available_liquidity, liquidity_amount)?;
    reserve.ctoken_supply = math::checked_sub_u64(reserve.ctoken_supply, ctoken_amount)?;
    withdrawal_queue::require_unreserved(reserve)?;
    Ok(liquidity_amount)
}

/// A depositor's redeem (`redeem_collateral`, `withdraw_collateral_and_redeem`): `redeem_ctokens`, and the
/// reserve must stay within its utilization ceiling, so a deposit, a borrow and a redeem of that deposit in
/// one transaction cannot take it past the ceiling. Past either rule the depositor requests a ticket.
pub fn redeem_for_depositor(reserve: &mut Reserve, ctoken_amount: u64) -> Result<u64> {
    let paid = redeem_ctokens(reserve, ctoken_amount)?;
    require!(borrow::within_utilization_ceiling(reserve)?, BallastError::RedeemExceedsUtilizationCeiling);
    Ok(paid)
}

/// Liquidity depositors may take out now and leave the reserve within its utilization ceiling:
/// available + borrowed − borrowed / ceiling, rounded down (the division rounded up), so the exit it
/// sizes always passes `within_utilization_ceiling`. All of it without debt.
pub fn ceiling_room(reserve: &Reserve) -> Result<u64> {
    let borrowed = reserve.borrowed_sf.get();
    if borrowed == Fraction::ZERO {
        return Ok(reserve.available_liquidity);
    }
    let ceiling = reserve.config.utilization_ceiling_bps as u64;
    if ceiling == 0 {
        return Ok(0);
    }
    let gross = math::add(from_u64(reserve.available_liquidity), borrowed)?;
    // borrowed · BPS / ceiling, rounded up to the last bit: never understated. Past Fraction's range it is
    // past anything the reserve holds, and nothing may leave.
    let (bits, c) = (borrowed.to_bits(), ceiling as u128);
    let needed = (bits / c)
        .checked_mul(crate::constants::BPS as u128)
        .and_then(|whole| whole.checked_add(((bits % c) * crate::constants::BPS as u128).div_ceil(c)))
        .map(Fraction::from_bits);
    match needed {
        Some(needed) => math::to_floor_u64(gross.saturating_sub(needed)),
        None => Ok(0),
    }
}

/// Opens the reserve with the admin's seed deposit: minted 1:1 and locked forever.
pub fn seed_reserve(reserve: &mut Reserve, liquidity_amount: u64) -> Result<()> {
    require!(
        liquidity_amount >= crate::constants::MIN_SEED_DEPOSIT,
        BallastError::SeedDepositTooSmall
    );
    reserve.available_liquidity = liquidity_amount;
    reserve.ctoken_supply = liquidity_amount;
    reserve.locked_ctokens = liquidity_amount;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::{CurvePoint, Fraction};
    use bytemuck::Zeroable;
    use proptest::prelude::*;

    fn seeded(seed: u64) -> Reserve {
        let mut r = Reserve::zeroed();
        r.config.deposit_limit = u64::MAX;
        r.config.curve[1] = CurvePoint { utilization_bps: 10_000, borrow_rate_bps: 1_000 };
        r.config.curve_len = 2;
        r.cumulative_borrow_index_sf.set(Fraction::ONE);
        seed_reserve(&mut r, seed).unwrap();
        r
    }

    #[test]
    fn deposit_fails_above_cap_and_with_zero() {
        let mut r = seeded(1_000);
        r.config.deposit_limit = 2_000;
        assert_eq!(deposit_liquidity(&mut r, 0).unwrap_err(), BallastError::ZeroAmount.into());
        assert_eq!(deposit_liquidity(&mut r, 1_001).unwrap_err(), BallastError::DepositCapExceeded.into());
        assert_eq!(deposit_liquidity(&mut r, 1_000).unwrap(), 1_000);
    }

    #[test]
    fn deposit_fails_with_a_named_error_when_the_ctoken_supply_would_pass_u64() {
        let mut r = seeded(1_000);
        r.ctoken_supply = u64::MAX / 2; // a cToken worth almost nothing, as after a large write-off
        assert_eq!(deposit_liquidity(&mut r, 2_000).unwrap_err(), BallastError::CTokenSupplyOverflow.into());
        assert_eq!(deposit_liquidity(&mut r, u64::MAX / 4).unwrap_err(), BallastError::CTokenSupplyOverflow.into());
    }

    #[test]
    fn redeeming_every_minted_ctoken_leaves_the_locked_seed() {
        let mut r = seeded(1_000);
        let minted = deposit_liquidity(&mut r, 500).unwrap();
        assert_eq!(redeem_ctokens(&mut r, minted).unwrap(), 500);
        assert_eq!(r.ctoken_supply, r.locked_ctokens);
        assert_eq!(r.available_liquidity, 1_000);
    }

    #[test]
    fn deposit_fails_into_a_wiped_out_reserve() {
        let mut r = seeded(1_000);
        r.available_liquidity = 0; // as if bad debt had consumed everything
        assert_eq!(deposit_liquidity(&mut r, 500).unwrap_err(), BallastError::ReserveWipedOut.into());
    }

    proptest! {
        /// Round trips never return more than was put in.
        #[test]
        fn deposit_then_redeem_never_gains(seed in 1_000u64..1_000_000_000, borrowed in 0u64..1_000_000_000, amount in 1u64..1_000_000_000_000) {
            let mut r = seeded(seed);
            r.borrowed_sf.set(from_u64(borrowed));
            r.available_liquidity += borrowed; // keep the vault able to pay
            if let Ok(ctokens) = deposit_liquidity(&mut r, amount) {
                let back = redeem_ctokens(&mut r, ctokens).unwrap();
                prop_assert!(back <= amount);
            }
        }
    }
}
