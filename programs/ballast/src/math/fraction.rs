//! `Fraction` (U68F60) and its stored form `Sf` (two u64 words, align 8 on SBF and host alike).
use crate::{checked, constants::BPS, error::BallastError};
use anchor_lang::prelude::*;

pub type Fraction = fixed::types::U68F60;

/// A `Fraction` as stored in accounts: the raw bits as [low, high] u64 words.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
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

/// `x / 10_000` as a Fraction, truncated. Integer arithmetic on the bits: bit-identical to dividing
/// `Fraction::from_num(bps)` by `Fraction::from_num(10_000)`, at a fraction of the cost.
#[inline]
pub fn from_bps(bps: u64) -> Result<Fraction> {
    Ok(Fraction::from_bits(((bps as u128) << Fraction::FRAC_NBITS) / BPS as u128))
}

/// `a / n` for an integer `n`, truncated: bit-identical to dividing by `from_u64(n)`, and far cheaper (a u128
/// integer division instead of a 256-bit fixed-point one).
#[inline]
pub fn div_int(a: Fraction, n: u64) -> Result<Fraction> {
    Ok(checked!(a.checked_div_int(n as u128))?)
}

/// `num / den` for `num <= den` (a share in [0, 1]), rounded down: both are shifted right until `den` fits 64
/// bits (the numerator rounded down, the divisor up), then divided as u128 integers. That keeps 63 significant
/// bits of the divisor (an error below 2^-60 of the result) at the cost of one short division instead of a
/// 256-bit fixed-point one.
pub fn share_floor(num: Fraction, den: Fraction) -> Result<Fraction> {
    let (n, d) = (num.to_bits(), den.to_bits());
    require!(d > 0, BallastError::MathOverflow);
    if n >= d {
        return Ok(Fraction::ONE);
    }
    let shift = (128 - d.leading_zeros()).saturating_sub(64);
    let lost = shift > 0 && d & ((1u128 << shift) - 1) != 0;
    let (n, d) = (n >> shift, (d >> shift) + lost as u128);
    Ok(Fraction::from_bits((n << Fraction::FRAC_NBITS) / d))
}

/// `num / den` for u64 mantissas of one exponent (`num` may exceed `den`), rounded down: a u128 division.
pub fn ratio_u64_floor(num: u64, den: u64) -> Result<Fraction> {
    require!(den > 0, BallastError::MathOverflow);
    // num < 2^64, so num << 60 < 2^124.
    Ok(Fraction::from_bits(((num as u128) << Fraction::FRAC_NBITS) / den as u128))
}

/// `a · n` for an integer `n`: bit-identical to multiplying by `from_u64(n)`.
#[inline]
pub fn mul_int(a: Fraction, n: u64) -> Result<Fraction> {
    Ok(checked!(a.checked_mul_int(n as u128))?)
}

#[inline]
pub fn from_u64(value: u64) -> Fraction {
    Fraction::from_num(value)
}

/// `x · bps / 10_000`: multiplies first, so whole-number results stay exact, unless that would overflow.
#[inline]
pub fn mul_bps(x: Fraction, bps: u64) -> Result<Fraction> {
    match x.checked_mul_int(bps as u128) {
        Some(product) => div_int(product, BPS),
        None => mul_int(div_int(x, BPS)?, bps),
    }
}

/// Rounds down to whole native units: for anything paid out.
#[inline]
pub fn to_floor_u64(value: Fraction) -> Result<u64> {
    Ok(checked!(value.floor().checked_to_num::<u64>())?)
}

/// Rounds up to whole native units: for anything owed.
#[inline]
pub fn to_ceil_u64(value: Fraction) -> Result<u64> {
    Ok(checked!(value.checked_ceil().and_then(|c| c.checked_to_num::<u64>()))?)
}

#[inline]
pub fn add(a: Fraction, b: Fraction) -> Result<Fraction> {
    Ok(checked!(a.checked_add(b))?)
}

#[inline]
pub fn sub(a: Fraction, b: Fraction) -> Result<Fraction> {
    Ok(checked!(a.checked_sub(b))?)
}

#[inline]
pub fn mul(a: Fraction, b: Fraction) -> Result<Fraction> {
    Ok(checked!(a.checked_mul(b))?)
}

/// `a / b`, truncated. Below 256 the dividend's bits shifted by the 60 fractional bits still fit a u128, so the
/// quotient is one u128 integer division, bit-identical to the fixed-point one (which divides 256-bit by
/// 128-bit words, several times the cost).
pub fn div(a: Fraction, b: Fraction) -> Result<Fraction> {
    const SHORT_DIVIDEND: u128 = 1 << (128 - Fraction::FRAC_NBITS);
    let (n, d) = (a.to_bits(), b.to_bits());
    if n < SHORT_DIVIDEND && d != 0 {
        return Ok(Fraction::from_bits((n << Fraction::FRAC_NBITS) / d));
    }
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

#[inline]
pub fn checked_add_u64(a: u64, b: u64) -> Result<u64> {
    Ok(checked!(a.checked_add(b))?)
}

#[inline]
pub fn checked_sub_u64(a: u64, b: u64) -> Result<u64> {
    Ok(checked!(a.checked_sub(b))?)
}

/// Every power of ten a u64 holds.
const POWERS_OF_TEN: [u64; 20] = {
    let mut table = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// `10^exp` as a u64 (a table look-up), or an overflow error past 10^19.
#[inline]
pub fn pow10(exp: u32) -> Result<u64> {
    Ok(checked!(POWERS_OF_TEN.get(exp as usize).copied())?)
}

/// `10^exp` as a Fraction, for converting native units to whole tokens.
pub fn ten_pow(exp: u32) -> Result<Fraction> {
    Ok(Fraction::from_num(pow10(exp)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pow10_succeeds_matching_checked_pow() {
        for exp in 0..64u32 {
            assert_eq!(pow10(exp).ok(), 10u64.checked_pow(exp));
        }
    }

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
    fn integer_shortcuts_are_bit_identical_to_fixed_point_division() {
        for bps in [0u64, 1, 3, 7, 9_999, 10_000, 12_345, u32::MAX as u64, u64::MAX] {
            assert_eq!(from_bps(bps).unwrap(), Fraction::from_num(bps) / Fraction::from_num(BPS), "{bps}");
        }
        let x = Fraction::from_bits(0x1234_5678_9abc_def0_1234_5678_9abc);
        for n in [1u64, 3, 10, 1_000_000, 1_000_000_000, 31_536_000, u64::MAX] {
            assert_eq!(div_int(x, n).unwrap(), div(x, from_u64(n)).unwrap(), "{n}");
            assert_eq!(mul_int(x, n).ok(), mul(x, from_u64(n)).ok(), "{n}");
        }
        assert_eq!(mul_bps(x, 7_777).unwrap(), div(mul(x, from_u64(7_777)).unwrap(), from_u64(BPS)).unwrap());
    }

    #[test]
    fn short_division_is_bit_identical_to_fixed_point_division() {
        let values = [1u128, 3, 7, 1 << 59, 1 << 60, (1 << 60) + 1, 12_345_678_901_234_567, (1 << 67) + 99, (1 << 68) - 1, 1 << 68, u128::MAX / 3];
        for &n in &values {
            for &d in &values {
                let (a, b) = (Fraction::from_bits(n), Fraction::from_bits(d));
                assert_eq!(div(a, b).ok(), a.checked_div(b), "{n} / {d}");
            }
        }
        assert!(div(Fraction::ONE, Fraction::ZERO).is_err());
    }

    #[test]
    fn shares_and_mantissa_ratios_round_down_within_2_pow_minus_60() {
        let cases = [(1u128, 3u128), (7, 7), (5, 1_000_000), (u64::MAX as u128, u64::MAX as u128 + 1), (1 << 100, (1 << 100) + 12_345)];
        for (n, d) in cases {
            let (num, den) = (Fraction::from_bits(n << 20), Fraction::from_bits(d << 20));
            let got = share_floor(num, den).unwrap();
            let exact = div(num, den).unwrap();
            assert!(got <= exact && exact - got <= Fraction::from_bits(2), "{n}/{d}: {got} vs {exact}");
        }
        assert_eq!(share_floor(Fraction::from_num(3), Fraction::from_num(2)).unwrap(), Fraction::ONE);
        assert_eq!(ratio_u64_floor(1, 3).unwrap(), div(Fraction::ONE, from_u64(3)).unwrap());
        assert_eq!(ratio_u64_floor(300, 100).unwrap(), from_u64(3));
        assert!(share_floor(Fraction::ONE, Fraction::ZERO).is_err() && ratio_u64_floor(1, 0).is_err());
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        assert!(mul(Fraction::MAX, Fraction::from_num(2)).is_err());
        assert!(div(Fraction::ONE, Fraction::ZERO).is_err());
        assert!(to_floor_u64(Fraction::from_num(u64::MAX) * Fraction::from_num(4)).is_err());
    }
}
