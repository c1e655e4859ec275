//! `Fraction` (U68F60) and its stored form `Sf` (two u64 words, align 8 on SBF and host alike).
use crate::{checked, constants::BPS, error::BallastError};
use anchor_lang::prelude::*;
use bytemuck::{Pod, Zeroable};

pub type Fraction = fixed::types::U68F60;

/// A `Fraction` as stored in accounts: the raw bits as [low, high] u64 words.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Default, Debug, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct Sf {
    pub words: [u64; 2],
}

impl Sf {
    pub fn get(&self) -> Fraction {
        Fraction::from_bits((self.words[0] as u128) | ((self.words[1] as u128) << 64))
    }

    pub fn set(&mut self, value: Fraction) {
        *self = Sf::from(value);
    }
}

impl From<Fraction> for Sf {
    fn from(value: Fraction) -> Self {
        let bits = value.to_bits();
        Sf { words: [bits as u64, (bits >> 64) as u64] }
    }
}

/// `x / 10_000` as a Fraction.
pub fn from_bps(bps: u64) -> Result<Fraction> {
    Ok(checked!(Fraction::from_num(bps).checked_div(Fraction::from_num(BPS)))?)
}

pub fn from_u64(value: u64) -> Fraction {
    Fraction::from_num(value)
}

/// `x · bps / 10_000`: multiplies first, so whole-number results stay exact, unless that would overflow.
pub fn mul_bps(x: Fraction, bps: u64) -> Result<Fraction> {
    match x.checked_mul(from_u64(bps)) {
        Some(product) => div(product, from_u64(BPS)),
        None => mul(div(x, from_u64(BPS))?, from_u64(bps)),
    }
}

/// Rounds down to whole native units: for anything paid out.
pub fn to_floor_u64(value: Fraction) -> Result<u64> {
    Ok(checked!(value.floor().checked_to_num::<u64>())?)
}

/// Rounds up to whole native units: for anything owed.
pub fn to_ceil_u64(value: Fraction) -> Result<u64> {
    Ok(checked!(value.checked_ceil().and_then(|c| c.checked_to_num::<u64>()))?)
}

pub fn add(a: Fraction, b: Fraction) -> Result<Fraction> {
    Ok(checked!(a.checked_add(b))?)
}

pub fn sub(a: Fraction, b: Fraction) -> Result<Fraction> {
    Ok(checked!(a.checked_sub(b))?)
}

pub fn mul(a: Fraction, b: Fraction) -> Result<Fraction> {
    Ok(checked!(a.checked_mul(b))?)
}

pub fn div(a: Fraction, b: Fraction) -> Result<Fraction> {
    Ok(checked!(a.checked_div(b))?)
}

/// `a * b / c` on u64 with a u128 intermediate, rounded down.
pub fn mul_div_floor(a: u64, b: u64, c: u64) -> Result<u64> {
    let product = checked!((a as u128).checked_mul(b as u128))?;
    let quotient = checked!(product.checked_div(c as u128))?;
    Ok(checked!(u64::try_from(quotient).ok())?)
}

/// `a * b / c` on u64 with a u128 intermediate, rounded up.
pub fn mul_div_ceil(a: u64, b: u64, c: u64) -> Result<u64> {
    let product = checked!((a as u128).checked_mul(b as u128))?;
    let divisor = c as u128;
    if divisor == 0 {
        return Err(error!(BallastError::MathOverflow));
    }
    let quotient = product.div_ceil(divisor);
    Ok(checked!(u64::try_from(quotient).ok())?)
}

pub fn checked_add_u64(a: u64, b: u64) -> Result<u64> {
    Ok(checked!(a.checked_add(b))?)
}

pub fn checked_sub_u64(a: u64, b: u64) -> Result<u64> {
    Ok(checked!(a.checked_sub(b))?)
}

/// `10^exp` as a Fraction, for converting native units to whole tokens.
pub fn ten_pow(exp: u32) -> Result<Fraction> {
    let value = checked!(10u64.checked_pow(exp))?;
    Ok(Fraction::from_num(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sf_round_trips_every_bit() {
        for bits in [0u128, 1, u64::MAX as u128, (u64::MAX as u128) + 1, u128::MAX, 0xdead_beef << 70] {
            let f = Fraction::from_bits(bits);
            assert_eq!(Sf::from(f).get(), f);
        }
    }

    #[test]
    fn floor_and_ceil_round_against_the_user() {
        let x = Fraction::from_num(5) + Fraction::from_bits(1);
        assert_eq!(to_floor_u64(x).unwrap(), 5);
        assert_eq!(to_ceil_u64(x).unwrap(), 6);
        assert_eq!(to_ceil_u64(Fraction::from_num(5)).unwrap(), 5);
        assert_eq!(mul_div_floor(10, 1, 3).unwrap(), 3);
        assert_eq!(mul_div_ceil(10, 1, 3).unwrap(), 4);
        assert!(mul_div_ceil(1, 1, 0).is_err());
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        assert!(mul(Fraction::MAX, Fraction::from_num(2)).is_err());
        assert!(div(Fraction::ONE, Fraction::ZERO).is_err());
        assert!(to_floor_u64(Fraction::from_num(u64::MAX) * Fraction::from_num(4)).is_err());
    }
}
