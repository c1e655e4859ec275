//! Taking liquidity out as debt. The health check is done by the caller on the result.
use crate::{
    constants::BPS,
    error::BallastError,
    math::{self, from_u64, mul_bps, mul_div_ceil},
    operations::withdrawal_queue,
    state::{Obligation, Reserve, FLAG_BORROW_ENABLED},
};
use anchor_lang::prelude::*;

/// Records a borrow of `liquidity_amount` and returns the origination fee added to the debt (rounded up).
pub fn borrow(reserve: &mut Reserve, obligation: &mut Obligation, reserve_key: &Pubkey, liquidity_amount: u64) -> Result<u64> {
    require!(liquidity_amount > 0, BallastError::ZeroAmount);
    require!(reserve.config.has_flag(FLAG_BORROW_ENABLED), BallastError::BorrowDisabled);
    require!(liquidity_amount <= reserve.available_liquidity, BallastError::InsufficientLiquidity);
    let fee = mul_div_ceil(liquidity_amount, reserve.config.origination_fee_bps as u64, BPS)?;
    let debt_added = from_u64(math::checked_add_u64(liquidity_amount, fee)?);

    let borrowed_after = math::add(reserve.borrowed_sf.get(), debt_added)?;
    require!(borrowed_after <= from_u64(reserve.config.borrow_limit), BallastError::BorrowCapExceeded);
    reserve.available_liquidity = math::checked_sub_u64(reserve.available_liquidity, liquidity_amount)?;
    reserve.borrowed_sf.set(borrowed_after);
    reserve.protocol_fees_sf.set(math::add(reserve.protocol_fees_sf.get(), from_u64(fee))?);
    require!(within_utilization_ceiling(reserve)?, BallastError::UtilizationCeilingExceeded);
    withdrawal_queue::require_unreserved(reserve)?;

    let index = reserve.cumulative_borrow_index_sf.get();
    let i = obligation.borrow_slot(reserve_key, index)?;
    let position = &mut obligation.borrows[i];
    position.accrue(index)?;
    position.borrowed_sf.set(math::add(position.borrowed_sf.get(), debt_added)?);
    Ok(fee)
}

/// borrowed / (available + borrowed) <= the utilization ceiling: the liquidity the ceiling keeps for
/// liquidations and the withdrawal queue. Borrows and redeems must leave a reserve within it.
pub fn within_utilization_ceiling(reserve: &Reserve) -> Result<bool> {
    let borrowed = reserve.borrowed_sf.get();
    let gross = math::add(from_u64(reserve.available_liquidity), borrowed)?;
    Ok(borrowed <= mul_bps(gross, reserve.config.utilization_ceiling_bps as u64)?)
}
