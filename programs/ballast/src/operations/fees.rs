//! Moving accrued protocol fees out of the depositors' pool.
use crate::{
    error::BallastError,
    math::{self, from_u64, to_floor_u64},
    state::Reserve,
};
use anchor_lang::prelude::*;

/// Takes the whole-unit part of accrued fees that the vault can pay now, leaving the liquidity reserved for
/// withdrawal tickets (depositors waiting in the queue come before the protocol); returns the amount to
/// transfer.
pub fn sweep_fees(reserve: &mut Reserve) -> Result<u64> {
    let fees = reserve.protocol_fees_sf.get();
    let free = super::withdrawal_queue::unreserved_liquidity(reserve)?;
    let amount = to_floor_u64(fees)?.min(free);
    require!(amount > 0, BallastError::NoFeesToSweep);
    reserve.protocol_fees_sf.set(math::sub(fees, from_u64(amount))?);
    reserve.available_liquidity = math::checked_sub_u64(reserve.available_liquidity, amount)?;
    Ok(amount)
}
