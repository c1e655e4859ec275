//! Writing off debt that no collateral backs: the insurance fund first, then unswept protocol fees (booked on
//! interest, much of which the bad debt never paid), then depositors.
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
    /// Covered by unswept protocol fees, native units (rounded down).
    pub from_protocol_fees: u64,
    /// Absorbed by depositors, native units.
    pub from_depositors: u64,
    /// Isolated debt released with the position, micro-quote: comes off the obligation's isolated reserve.
    pub isolated_released_micro_quote: u64,
}

/// Removes the obligation's debt in `reserve_key` once it has no collateral left. The insurance fund pays
/// first, then the protocol's unswept fees; the rest lowers depositors' liquidity (and so the cToken exchange
/// rate) by exactly that much.
pub fn socialize(reserve: &mut Reserve, obligation: &mut Obligation, reserve_key: &Pubkey) -> Result<WriteOff> {
    require!(obligation.active_deposits().is_empty(), BallastError::ObligationHasCollateral);
    let i = obligation.find_borrow(reserve_key).ok_or(BallastError::NoBadDebt)?;
    let debt = obligation.borrows[i].debt_at(reserve.cumulative_borrow_index_sf.get())?;
    let insurance = reserve.insurance_fund_sf.get();
    let covered = debt.min(insurance);
    reserve.insurance_fund_sf.set(math::sub(insurance, covered)?);
    let fees = reserve.protocol_fees_sf.get();
    let from_fees = math::sub(debt, covered)?.min(fees);
    reserve.protocol_fees_sf.set(math::sub(fees, from_fees)?);
    reserve.borrowed_sf.set(reserve.borrowed_sf.get().saturating_sub(debt));
    let isolated_released_micro_quote = obligation.remove_borrow(i);
    let debt_amount = to_ceil_u64(debt)?;
    let from_insurance = to_floor_u64(covered)?;
    let from_protocol_fees = to_floor_u64(from_fees)?;
    let from_depositors = debt_amount.saturating_sub(from_insurance).saturating_sub(from_protocol_fees);
    Ok(WriteOff { debt_amount, from_insurance, from_protocol_fees, from_depositors, isolated_released_micro_quote })
}
