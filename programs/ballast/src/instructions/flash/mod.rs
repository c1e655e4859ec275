//! Flash loans (DESIGN §8): `flash_borrow` and `flash_repay` are top-level instructions of one transaction,
//! matched through the Instructions sysvar. This module reads the sysvar; the loan logic is in
//! `operations::flash`.
pub mod flash_borrow;
pub mod flash_repay;

pub use flash_borrow::*;
pub use flash_repay::*;

use crate::error::BallastError;
use anchor_lang::{prelude::*, solana_program::instruction::get_stack_height, Discriminator};
use solana_instructions_sysvar::{load_current_index_checked, load_instruction_at_checked};

/// Stack height of an instruction the transaction itself invokes; CPI runs at 2 and above.
const TRANSACTION_LEVEL_STACK_HEIGHT: usize = 1;

/// Where the reserve sits in the account list of both flash instructions: user, then `ReserveVaults`
/// (market, market_authority, reserve, …). A unit test pins it against the generated account metas.
pub const FLASH_RESERVE_ACCOUNT_INDEX: usize = 3;

/// A flash instruction of this program found in the transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FlashIx {
    Borrow { reserve: Pubkey, liquidity_amount: u64 },
    Repay { reserve: Pubkey, liquidity_amount: u64 },
}

/// Rejects unless the running instruction is a top-level instruction of this program: not invoked through
/// CPI (stack height), and the sysvar's current instruction is ours. Returns the current index.
fn require_top_level(sysvar: &AccountInfo) -> Result<usize> {
    require!(get_stack_height() == TRANSACTION_LEVEL_STACK_HEIGHT, BallastError::FlashLoanCpiForbidden);
    let current = load_current_index_checked(sysvar)? as usize;
    let ix = load_instruction_at_checked(current, sysvar)?;
    require_keys_eq!(ix.program_id, crate::ID, BallastError::FlashLoanCpiForbidden);
    Ok(current)
}

/// Number of instructions in the transaction: the sysvar data starts with it as a little-endian u16.
fn instruction_count(sysvar: &AccountInfo) -> Result<usize> {
    let data = sysvar.try_borrow_data()?;
    let bytes: [u8; 2] = data
        .get(0..2)
        .and_then(|b| b.try_into().ok())
        .ok_or(ProgramError::InvalidAccountData)?;
    Ok(u16::from_le_bytes(bytes) as usize)
}

/// The flash instruction at `index`, if that instruction is one of ours with a well-formed amount.
fn flash_ix_at(sysvar: &AccountInfo, index: usize) -> Result<Option<FlashIx>> {
    let ix = load_instruction_at_checked(index, sysvar)?;
    if ix.program_id != crate::ID || ix.data.len() < 8 {
        return Ok(None);
    }
    let Some(reserve) = ix.accounts.get(FLASH_RESERVE_ACCOUNT_INDEX).map(|m| m.pubkey) else {
        return Ok(None);
    };
    let (discriminator, mut args) = ix.data.split_at(8);
    let parsed = if discriminator == crate::instruction::FlashBorrow::DISCRIMINATOR {
        crate::instruction::FlashBorrow::deserialize(&mut args)
            .ok()
            .map(|a| FlashIx::Borrow { reserve, liquidity_amount: a.liquidity_amount })
    } else if discriminator == crate::instruction::FlashRepay::DISCRIMINATOR {
        crate::instruction::FlashRepay::deserialize(&mut args)
            .ok()
            .map(|a| FlashIx::Repay { reserve, liquidity_amount: a.liquidity_amount })
    } else {
        None
    };
    Ok(parsed)
}

/// For a flash_borrow of `liquidity_amount` from `reserve` at the current instruction:
///
/// 1. it is top level
/// 2. no earlier instruction flash-borrowed from this reserve (one loan per reserve per transaction)
/// 3. the first later flash_repay of this reserve repays exactly `liquidity_amount`
fn require_matching_repay(sysvar: &AccountInfo, reserve: &Pubkey, liquidity_amount: u64) -> Result<()> {
    let current = require_top_level(sysvar)?;
    for i in 0..current {
        if matches!(flash_ix_at(sysvar, i)?, Some(FlashIx::Borrow { reserve: r, .. }) if r == *reserve) {
            return Err(error!(BallastError::FlashLoanAlreadyActive));
        }
    }
    let mut repay_for_other_reserve = false;
    for i in current + 1..instruction_count(sysvar)? {
        match flash_ix_at(sysvar, i)? {
            Some(FlashIx::Repay { reserve: r, liquidity_amount: repaid }) if r == *reserve => {
                require!(repaid == liquidity_amount, BallastError::FlashRepayAmountMismatch);
                return Ok(());
            }
            Some(FlashIx::Repay { .. }) => repay_for_other_reserve = true,
            _ => {}
        }
    }
    if repay_for_other_reserve {
        return Err(error!(BallastError::FlashRepayWrongReserve));
    }
    Err(error!(BallastError::FlashRepayMissing))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::ToAccountMetas;

    fn vaults(reserve: Pubkey) -> crate::accounts::ReserveVaults {
        let k = Pubkey::new_unique;
        crate::accounts::ReserveVaults {
            market: k(),
            market_authority: k(),
            reserve,
            liquidity_mint: k(),
            liquidity_vault: k(),
            ctoken_mint: k(),
            collateral_vault: k(),
            token_program: k(),
        }
    }

    #[test]
    fn flash_instructions_carry_the_reserve_at_the_scanned_index() {
        let reserve = Pubkey::new_unique();
        let (user, user_liquidity, instructions) = (Pubkey::new_unique(), Pubkey::new_unique(), solana_instructions_sysvar::ID);
        let (event_authority, program) = (crate::EVENT_AUTHORITY_AND_BUMP.0, crate::ID);
        let borrow = crate::accounts::FlashBorrow { user, vaults: vaults(reserve), user_liquidity, instructions, event_authority, program };
        let repay = crate::accounts::FlashRepay { user, vaults: vaults(reserve), user_liquidity, instructions, event_authority, program };
        assert_eq!(borrow.to_account_metas(None)[FLASH_RESERVE_ACCOUNT_INDEX].pubkey, reserve);
        assert_eq!(repay.to_account_metas(None)[FLASH_RESERVE_ACCOUNT_INDEX].pubkey, reserve);
    }
}
