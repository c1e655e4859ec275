//! Creating program-derived accounts that anyone may have sent lamports to first.
//!
//! Anchor 1.2's `init` creates a pre-funded address with the system program's `CreateAccountAllowPrefund`
//! (SIMD-0312). Runtimes without that feature (Solana 3.1, this repository's test bank) answer it with
//! `InvalidInstructionData`, so one rent-exempt transfer to a PDA before its creation would block that
//! obligation id, or a reserve for that mint, forever. These helpers take the path every runtime supports:
//! `create_account` for an empty address, else top up, `allocate` and `assign`, each signed by the PDA.
use crate::error::BallastError;
use anchor_lang::{
    prelude::*,
    system_program::{self, Allocate, Assign, CreateAccount, Transfer},
    Discriminator, ZeroCopy,
};
use anchor_spl::token_2022::{
    spl_token_2022::{
        self,
        extension::{BaseStateWithExtensions, ExtensionType, StateWithExtensions},
    },
    Token2022,
};

/// Creates `target` (the PDA of `signer_seeds`) with `space` bytes owned by `owner`, paid by `payer`.
pub fn create_pda_account<'info>(
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    system: &AccountInfo<'info>,
    space: usize,
    owner: &Pubkey,
    signer_seeds: &[&[u8]],
) -> Result<()> {
    let rent = Rent::get()?.minimum_balance(space);
    let signer = &[signer_seeds];
    let current = target.lamports();
    if current == 0 {
        let accounts = CreateAccount { from: payer.clone(), to: target.clone() };
        return system_program::create_account(CpiContext::new_with_signer(system.key(), accounts, signer), rent, space as u64, owner);
    }
    // Lamports alone do not make an account: anything with data or another owner is a real account.
    require!(
        target.owner == &system_program::ID && target.data_is_empty(),
        BallastError::AccountAlreadyInUse
    );
    if current < rent {
        let accounts = Transfer { from: payer.clone(), to: target.clone() };
        system_program::transfer(CpiContext::new(system.key(), accounts), rent - current)?;
    }
    let allocate = Allocate { account_to_allocate: target.clone() };
    system_program::allocate(CpiContext::new_with_signer(system.key(), allocate, signer), space as u64)?;
    let assign = Assign { account_to_assign: target.clone() };
    system_program::assign(CpiContext::new_with_signer(system.key(), assign, signer), owner)
}

/// Creates the zero-copy account `target` for `T` at the PDA of `signer_seeds`, writes its discriminator and lets
/// `fill` write the fields (all zeros before it); returns what `fill` returns.
pub fn create_zero_copy<'info, T: ZeroCopy + Owner + Discriminator, R>(
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    system: &AccountInfo<'info>,
    signer_seeds: &[&[u8]],
    fill: impl FnOnce(&mut T) -> Result<R>,
) -> Result<R> {
    let size = core::mem::size_of::<T>();
    create_pda_account(payer, target, system, 8 + size, &T::owner(), signer_seeds)?;
    let mut data = target.try_borrow_mut_data()?;
    data[..8].copy_from_slice(T::DISCRIMINATOR);
    fill(bytemuck::from_bytes_mut(&mut data[8..8 + size]))
}

/// Bytes a token account of `mint` needs: the extensions the mint makes every account carry, on Token-2022.
pub fn token_account_space(mint: &AccountInfo) -> Result<usize> {
    if *mint.owner != Token2022::id() {
        return Ok(anchor_spl::token::TokenAccount::LEN);
    }
    let data = mint.try_borrow_data()?;
    let state = StateWithExtensions::<spl_token_2022::state::Mint>::unpack(&data)?;
    let required = ExtensionType::get_required_init_account_extensions(&state.get_extension_types()?);
    Ok(ExtensionType::try_calculate_account_len::<spl_token_2022::state::Account>(&required)?)
}
