//! Pledging cTokens to an obligation and taking them back.
use crate::{
    error::BallastError,
    math,
    state::{Obligation, Reserve, FLAG_COLLATERAL_ENABLED},
};
use anchor_lang::prelude::*;

/// Adds `ctoken_amount` of `reserve_key`'s cTokens to the obligation.
pub fn pledge(obligation: &mut Obligation, reserve_key: &Pubkey, reserve: &Reserve, ctoken_amount: u64) -> Result<()> {
    require!(ctoken_amount > 0, BallastError::ZeroAmount);
    require!(reserve.config.has_flag(FLAG_COLLATERAL_ENABLED), BallastError::CollateralDisabled);
    require!(
        obligation.elevation_group == 0 || reserve.config.in_elevation_group(obligation.elevation_group),
        BallastError::ElevationGroupNonMemberCollateral
    );
    let i = obligation.deposit_slot(reserve_key)?;
    let slot = &mut obligation.deposits[i];
    slot.ctoken_amount = math::checked_add_u64(slot.ctoken_amount, ctoken_amount)?;
    Ok(())
}

/// Removes `ctoken_amount` from the obligation's position in `reserve_key`; an emptied position is closed.
pub fn unpledge(obligation: &mut Obligation, reserve_key: &Pubkey, ctoken_amount: u64) -> Result<()> {
    require!(ctoken_amount > 0, BallastError::ZeroAmount);
    let i = obligation.find_deposit(reserve_key).ok_or(BallastError::DepositPositionNotFound)?;
    let slot = &mut obligation.deposits[i];
    require!(ctoken_amount <= slot.ctoken_amount, BallastError::InsufficientCollateral);
    slot.ctoken_amount = math::checked_sub_u64(slot.ctoken_amount, ctoken_amount)?;
    if slot.ctoken_amount == 0 {
        obligation.remove_deposit(i);
    }
    Ok(())
}
