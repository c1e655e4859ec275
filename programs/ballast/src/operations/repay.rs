//! Paying debt back. Anyone may repay any obligation.
use crate::{
    error::BallastError,
    math::{self, from_u64, to_ceil_u64},
    operations::isolation,
    state::{Obligation, Reserve},
};
use anchor_lang::prelude::*;

pub struct Repayment {
    /// Native units the payer transfers in.
    pub liquidity_amount: u64,
    /// True when the debt was repaid in full and the position removed.
    pub closed: bool,
    /// Isolated debt released from the position, micro-quote: comes off the obligation's isolated reserve.
    pub isolated_released_micro_quote: u64,
}

/// Repays up to `max_liquidity_amount` (the largest u64 = all) of the obligation's debt to `reserve_key`.
/// The debt is rounded up, so a full repayment never leaves dust behind. The position's isolated debt count
/// is released in proportion to the debt settled.
pub fn repay(reserve: &mut Reserve, obligation: &mut Obligation, reserve_key: &Pubkey, max_liquidity_amount: u64) -> Result<Repayment> {
    require!(max_liquidity_amount > 0, BallastError::ZeroAmount);
    let i = obligation.find_borrow(reserve_key).ok_or(BallastError::BorrowPositionNotFound)?;
    let position = &mut obligation.borrows[i];
    position.accrue(reserve.cumulative_borrow_index_sf.get())?;
    let debt = position.borrowed_sf.get();
    let debt_ceil = to_ceil_u64(debt)?;
    let liquidity_amount = max_liquidity_amount.min(debt_ceil);
    let closed = liquidity_amount == debt_ceil;
    let settled = if closed { debt } else { from_u64(liquidity_amount) };
    let isolated_released_micro_quote = if closed {
        obligation.remove_borrow(i)
    } else {
        position.borrowed_sf.set(math::sub(debt, settled)?);
        isolation::release_partial(obligation, i, settled, debt)?
    };
    reserve.available_liquidity = math::checked_add_u64(reserve.available_liquidity, liquidity_amount)?;
    // Per-position and reserve-wide compounding can differ by a few bits; never underflow on the last repay.
    reserve.borrowed_sf.set(reserve.borrowed_sf.get().saturating_sub(settled));
    Ok(Repayment { liquidity_amount, closed, isolated_released_micro_quote })
}
