//! Flash loans: liquidity lent and repaid with a fee inside one transaction (DESIGN §8).
//! The transaction-level rules (top level only, a matching repay follows) are checked by the instruction.
use crate::{
    constants::BPS,
    error::BallastError,
    math::{self, from_u64, mul_div_ceil, mul_div_floor},
    state::{Reserve, FLAG_FLASH_ENABLED},
};
use anchor_lang::prelude::*;

/// How a flash loan fee is shared out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlashFee {
    /// The whole fee, native units (rounded up).
    pub fee_amount: u64,
    /// Part added to protocol fees, native units.
    pub to_protocol: u64,
    /// Part added to the insurance fund, native units.
    pub to_insurance: u64,
}

/// Opens a flash loan of `liquidity_amount`: the reserve must allow flash loans, have the liquidity, and
/// have no loan open (pause, reduce-only and emergency mode are the circuit breakers' rule, checked first). The principal stays part of depositors' liquidity while it is out.
pub fn flash_borrow(reserve: &mut Reserve, liquidity_amount: u64) -> Result<()> {
    require!(reserve.config.has_flag(FLAG_FLASH_ENABLED), BallastError::FlashLoansDisabled);
    require!(liquidity_amount > 0, BallastError::ZeroAmount);
    require!(reserve.flash_loan_amount == 0, BallastError::FlashLoanAlreadyActive);
    require!(liquidity_amount <= reserve.available_liquidity, BallastError::InsufficientLiquidity);
    reserve.available_liquidity = math::checked_sub_u64(reserve.available_liquidity, liquidity_amount)?;
    reserve.flash_loan_amount = liquidity_amount;
    Ok(())
}

/// Closes the open flash loan, which must be exactly `liquidity_amount`, and books the fee. The payer owes
/// `liquidity_amount + fee_amount`. Repaying is allowed whatever the flags say, so a loan can always close.
pub fn flash_repay(reserve: &mut Reserve, liquidity_amount: u64) -> Result<FlashFee> {
    require!(reserve.flash_loan_amount != 0, BallastError::FlashRepayWithoutBorrow);
    require!(reserve.flash_loan_amount == liquidity_amount, BallastError::FlashRepayAmountMismatch);
    let fee = flash_fee_ceil(reserve, liquidity_amount)?;
    reserve.protocol_fees_sf.set(math::add(reserve.protocol_fees_sf.get(), from_u64(fee.to_protocol))?);
    reserve.insurance_fund_sf.set(math::add(reserve.insurance_fund_sf.get(), from_u64(fee.to_insurance))?);
    let repaid = math::checked_add_u64(liquidity_amount, fee.fee_amount)?;
    reserve.available_liquidity = math::checked_add_u64(reserve.available_liquidity, repaid)?;
    reserve.flash_loan_amount = 0;
    Ok(fee)
}

/// fee = ceil(amount · flash_fee_bps / 10000), shared like interest: reserve_factor : insurance_factor
/// (all of it to protocol fees when both are 0). Protocol fees get the rounded-down share, so any odd
/// unit goes to the insurance fund.
pub fn flash_fee_ceil(reserve: &Reserve, liquidity_amount: u64) -> Result<FlashFee> {
    let config = &reserve.config;
    let fee_amount = mul_div_ceil(liquidity_amount, config.flash_fee_bps as u64, BPS)?;
    let reserve_factor = config.reserve_factor_bps as u64;
    let shares = math::checked_add_u64(reserve_factor, config.insurance_factor_bps as u64)?;
    let to_protocol = if shares == 0 { fee_amount } else { mul_div_floor(fee_amount, reserve_factor, shares)? };
    let to_insurance = math::checked_sub_u64(fee_amount, to_protocol)?;
    Ok(FlashFee { fee_amount, to_protocol, to_insurance })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::Fraction;
    use bytemuck::Zeroable;
    use proptest::prelude::*;

    fn flash_reserve(available: u64, fee_bps: u16, reserve_factor_bps: u16, insurance_factor_bps: u16) -> Reserve {
        let mut r = Reserve::zeroed();
        r.available_liquidity = available;
        r.ctoken_supply = available;
        r.cumulative_borrow_index_sf.set(Fraction::ONE);
        r.config.flags = FLAG_FLASH_ENABLED;
        r.config.flash_fee_bps = fee_bps;
        r.config.reserve_factor_bps = reserve_factor_bps;
        r.config.insurance_factor_bps = insurance_factor_bps;
        r
    }

    #[test]
    fn flash_borrow_fails_when_disabled_zero_or_too_large() {
        let mut r = flash_reserve(1_000, 9, 1_000, 500);
        r.config.flags = 0;
        assert_eq!(flash_borrow(&mut r, 10).unwrap_err(), BallastError::FlashLoansDisabled.into());
        r.config.flags = FLAG_FLASH_ENABLED;
        assert_eq!(flash_borrow(&mut r, 0).unwrap_err(), BallastError::ZeroAmount.into());
        assert_eq!(flash_borrow(&mut r, 1_001).unwrap_err(), BallastError::InsufficientLiquidity.into());
        assert_eq!(r.available_liquidity, 1_000);
        assert_eq!(r.flash_loan_amount, 0);
    }

    #[test]
    fn flash_borrow_fails_while_a_loan_is_open() {
        let mut r = flash_reserve(1_000, 9, 1_000, 500);
        flash_borrow(&mut r, 100).unwrap();
        assert_eq!(flash_borrow(&mut r, 100).unwrap_err(), BallastError::FlashLoanAlreadyActive.into());
        assert_eq!(r.available_liquidity, 900);
        assert_eq!(r.flash_loan_amount, 100);
    }

    #[test]
    fn flash_repay_fails_without_a_loan_or_with_another_amount() {
        let mut r = flash_reserve(1_000, 9, 1_000, 500);
        assert_eq!(flash_repay(&mut r, 100).unwrap_err(), BallastError::FlashRepayWithoutBorrow.into());
        flash_borrow(&mut r, 100).unwrap();
        assert_eq!(flash_repay(&mut r, 99).unwrap_err(), BallastError::FlashRepayAmountMismatch.into());
        assert_eq!(flash_repay(&mut r, 101).unwrap_err(), BallastError::FlashRepayAmountMismatch.into());
        assert_eq!(r.flash_loan_amount, 100);
    }

    /// 1,000,000 at 9 bps = 900, shared 1000:500 -> 600 protocol, 300 insurance; depositors' liquidity is
    /// the same before, during and after the loan.
    #[test]
    fn flash_repay_charges_the_fee_and_splits_it() {
        let mut r = flash_reserve(2_000_000, 9, 1_000, 500);
        let total_before = r.total_liquidity().unwrap();
        flash_borrow(&mut r, 1_000_000).unwrap();
        assert_eq!(r.total_liquidity().unwrap(), total_before, "the principal out is still depositors' liquidity");
        let fee = flash_repay(&mut r, 1_000_000).unwrap();
        assert_eq!(fee, FlashFee { fee_amount: 900, to_protocol: 600, to_insurance: 300 });
        assert_eq!(r.available_liquidity, 2_000_900);
        assert_eq!(r.protocol_fees_sf.get(), Fraction::from_num(600));
        assert_eq!(r.insurance_fund_sf.get(), Fraction::from_num(300));
        assert_eq!(r.flash_loan_amount, 0);
        assert_eq!(r.total_liquidity().unwrap(), total_before);
        // The loan is closed: a new one may open (the one-per-transaction rule is the instruction's).
        flash_borrow(&mut r, 1).unwrap();
    }

    #[test]
    fn flash_fee_rounds_up_and_goes_to_protocol_when_there_are_no_shares() {
        let r = flash_reserve(0, 9, 0, 0);
        assert_eq!(flash_fee_ceil(&r, 1).unwrap(), FlashFee { fee_amount: 1, to_protocol: 1, to_insurance: 0 });
        assert_eq!(flash_fee_ceil(&r, 10_000).unwrap(), FlashFee { fee_amount: 9, to_protocol: 9, to_insurance: 0 });
        assert_eq!(flash_fee_ceil(&r, 10_001).unwrap().fee_amount, 10);
        let free = flash_reserve(0, 0, 1_000, 500);
        assert_eq!(flash_fee_ceil(&free, 1_000).unwrap(), FlashFee { fee_amount: 0, to_protocol: 0, to_insurance: 0 });
        let insurance_only = flash_reserve(0, 9, 0, 500);
        assert_eq!(flash_fee_ceil(&insurance_only, 10_000).unwrap().to_insurance, 9);
    }

    proptest! {
        /// The fee is never below amount · bps / 10000, and the two shares always add up to it.
        #[test]
        fn flash_fee_is_ceiled_and_fully_shared(amount in 1u64..=u64::MAX, bps in 0u16..=1_000, rf in 0u16..=10_000, ins in 0u16..=10_000) {
            let r = flash_reserve(0, bps, rf, ins);
            let fee = flash_fee_ceil(&r, amount).unwrap();
            let exact = amount as u128 * bps as u128;
            prop_assert!(fee.fee_amount as u128 * 10_000 >= exact);
            prop_assert!((fee.fee_amount as u128) * 10_000 < exact + 10_000);
            prop_assert_eq!(fee.to_protocol + fee.to_insurance, fee.fee_amount);
        }
    }
}
