//! Writing off debt that no collateral backs: insurance first, then depositors.
use crate::{
    error::BallastError,
    math::{self, to_ceil_u64, to_floor_u64},
    state::{Obligation, Reserve},
};
use anchor_lang::prelude::*;

pub struct WriteOff {
    /// Debt removed, native units (rounded up).
    pub debt_amount: u64,
    /// Covered by the insurance fund, native units (rounded down).
    pub from_insurance: u64,
    /// Absorbed by depositors, native units.
    pub from_depositors: u64,
    /// Isolated debt released with the position, micro-quote: comes off the obligation's isolated reserve.
    pub isolated_released_micro_quote: u64,
}

/// Removes the obligation's debt in `reserve_key` once it has no collateral left. The insurance fund pays
/// first; the rest lowers depositors' liquidity (and so the cToken exchange rate) by exactly that much.
pub fn socialize(reserve: &mut Reserve, obligation: &mut Obligation, reserve_key: &Pubkey) -> Result<WriteOff> {
    require!(obligation.active_deposits().is_empty(), BallastError::ObligationHasCollateral);
    let i = obligation.find_borrow(reserve_key).ok_or(BallastError::NoBadDebt)?;
    let debt = obligation.borrows[i].debt_at(reserve.cumulative_borrow_index_sf.get())?;
    let insurance = reserve.insurance_fund_sf.get();
    let covered = debt.min(insurance);
    reserve.insurance_fund_sf.set(math::sub(insurance, covered)?);
    reserve.borrowed_sf.set(reserve.borrowed_sf.get().saturating_sub(debt));
    let isolated_released_micro_quote = obligation.remove_borrow(i);
    let debt_amount = to_ceil_u64(debt)?;
    let from_insurance = to_floor_u64(covered)?;
    let from_depositors = math::checked_sub_u64(debt_amount, from_insurance)?;
    Ok(WriteOff { debt_amount, from_insurance, from_depositors, isolated_released_micro_quote })
}
