//! The programs a native ledger runs besides Ballast, written over the same `AccountInfo`s a runtime hands
//! them: SPL Token (the instructions Ballast and its clients use), the System program's account creation and
//! transfers, and the associated token account program. Each checks what its real counterpart checks on
//! these paths and fails with the same error codes; anything else is refused as not emulated. Sampled
//! simulator paths run the same transactions on solana-program-test, where SPL Token is the real SBF program,
//! and must end with the same accounts byte for byte.
use super::stubs;
use anchor_lang::{
    prelude::{AccountInfo, Pubkey},
    solana_program::{entrypoint::ProgramResult, program_error::ProgramError, program_option::COption, program_pack::Pack},
};
use anchor_spl::{
    associated_token::spl_associated_token_account::program::ID as ATA_PROGRAM_ID,
    token::spl_token::{
        self,
        error::TokenError,
        instruction::TokenInstruction,
        state::{Account as TokenAccount, AccountState, Mint},
    },
};
use solana_system_interface::instruction::SystemInstruction;

/// The compute budget program: its instructions set limits and prices, which a native ledger does not meter.
pub const COMPUTE_BUDGET_ID: Pubkey = solana_compute_budget_interface::ID;

/// Runs `program_id` on `accounts`.
pub(super) fn process(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    match *program_id {
        id if id == ballast::ID => {
            // SAFETY: only lifetimes change (Anchor's entry ties everything to one 'info); nothing borrowed
            // escapes the call.
            let accounts: &[AccountInfo] = unsafe { std::mem::transmute(accounts) };
            ballast::entry(program_id, accounts, data)
        }
        id if id == spl_token::ID => token(accounts, data),
        id if id == anchor_lang::solana_program::system_program::ID => system(accounts, data),
        id if id == ATA_PROGRAM_ID => associated_token(accounts, data),
        id if id == COMPUTE_BUDGET_ID => Ok(()),
        _ => Err(ProgramError::IncorrectProgramId),
    }
}

fn token_error(e: TokenError) -> ProgramError {
    ProgramError::Custom(e as u32)
}

fn account<'a, 'i>(accounts: &'a [AccountInfo<'i>], i: usize) -> Result<&'a AccountInfo<'i>, ProgramError> {
    accounts.get(i).ok_or(ProgramError::NotEnoughAccountKeys)
}

fn owned_by_token(info: &AccountInfo) -> ProgramResult {
    if *info.owner != spl_token::ID {
        return Err(ProgramError::IncorrectProgramId);
    }
    Ok(())
}

fn load_account(info: &AccountInfo) -> Result<TokenAccount, ProgramError> {
    owned_by_token(info)?;
    let a = TokenAccount::unpack_unchecked(&info.try_borrow_data()?)?;
    if a.state == AccountState::Uninitialized {
        return Err(token_error(TokenError::UninitializedState));
    }
    Ok(a)
}

fn load_mint(info: &AccountInfo) -> Result<Mint, ProgramError> {
    owned_by_token(info)?;
    let m = Mint::unpack_unchecked(&info.try_borrow_data()?)?;
    if !m.is_initialized {
        return Err(token_error(TokenError::UninitializedState));
    }
    Ok(m)
}

fn store<T: Pack>(info: &AccountInfo, value: T) -> ProgramResult {
    T::pack(value, &mut info.try_borrow_mut_data()?)
}

/// The owner (or, within its allowance, the delegate) of `a` must sign as `authority`; a delegate's allowance
/// shrinks by `amount`.
fn authorize(a: &mut TokenAccount, authority: &AccountInfo, amount: u64) -> ProgramResult {
    if a.delegate == COption::Some(*authority.key) && a.owner != *authority.key {
        if a.delegated_amount < amount {
            return Err(token_error(TokenError::InsufficientFunds));
        }
        a.delegated_amount -= amount;
        if a.delegated_amount == 0 {
            a.delegate = COption::None;
        }
    } else if a.owner != *authority.key {
        return Err(token_error(TokenError::OwnerMismatch));
    }
    if !authority.is_signer {
        return Err(ProgramError::MissingRequiredSignature);
    }
    Ok(())
}

fn check_decimals(mint: &Mint, expected: Option<u8>) -> ProgramResult {
    match expected {
        Some(d) if d != mint.decimals => Err(token_error(TokenError::MintDecimalsMismatch)),
        _ => Ok(()),
    }
}

fn token(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    match TokenInstruction::unpack(data)? {
        TokenInstruction::InitializeAccount3 { owner } => init_account(account(accounts, 0)?, account(accounts, 1)?, owner),
        TokenInstruction::InitializeAccount2 { owner } => init_account(account(accounts, 0)?, account(accounts, 1)?, owner),
        TokenInstruction::InitializeAccount => init_account(account(accounts, 0)?, account(accounts, 1)?, *account(accounts, 2)?.key),
        TokenInstruction::InitializeMint2 { decimals, mint_authority, freeze_authority }
        | TokenInstruction::InitializeMint { decimals, mint_authority, freeze_authority } => {
            let info = account(accounts, 0)?;
            owned_by_token(info)?;
            if Mint::unpack_unchecked(&info.try_borrow_data()?)?.is_initialized {
                return Err(token_error(TokenError::AlreadyInUse));
            }
            store(info, Mint { mint_authority: COption::Some(mint_authority), supply: 0, decimals, is_initialized: true, freeze_authority })
        }
        TokenInstruction::InitializeImmutableOwner => Ok(()),
        TokenInstruction::Transfer { amount } => transfer(account(accounts, 0)?, None, account(accounts, 1)?, account(accounts, 2)?, amount, None),
        TokenInstruction::TransferChecked { amount, decimals } => {
            transfer(account(accounts, 0)?, Some(account(accounts, 1)?), account(accounts, 2)?, account(accounts, 3)?, amount, Some(decimals))
        }
        TokenInstruction::MintTo { amount } => mint_to(account(accounts, 0)?, account(accounts, 1)?, account(accounts, 2)?, amount, None),
        TokenInstruction::MintToChecked { amount, decimals } => mint_to(account(accounts, 0)?, account(accounts, 1)?, account(accounts, 2)?, amount, Some(decimals)),
        TokenInstruction::Burn { amount } => burn(account(accounts, 0)?, account(accounts, 1)?, account(accounts, 2)?, amount, None),
        TokenInstruction::BurnChecked { amount, decimals } => burn(account(accounts, 0)?, account(accounts, 1)?, account(accounts, 2)?, amount, Some(decimals)),
        TokenInstruction::CloseAccount => close(account(accounts, 0)?, account(accounts, 1)?, account(accounts, 2)?),
        _ => Err(ProgramError::InvalidInstructionData),
    }
}

fn init_account(info: &AccountInfo, mint: &AccountInfo, owner: Pubkey) -> ProgramResult {
    owned_by_token(info)?;
    if TokenAccount::unpack_unchecked(&info.try_borrow_data()?)?.state != AccountState::Uninitialized {
        return Err(token_error(TokenError::AlreadyInUse));
    }
    load_mint(mint)?;
    let a = TokenAccount { mint: *mint.key, owner, state: AccountState::Initialized, ..Default::default() };
    store(info, a)
}

fn transfer(source: &AccountInfo, mint: Option<&AccountInfo>, dest: &AccountInfo, authority: &AccountInfo, amount: u64, decimals: Option<u8>) -> ProgramResult {
    let mut from = load_account(source)?;
    let mut to = load_account(dest)?;
    if from.is_frozen() || to.is_frozen() {
        return Err(token_error(TokenError::AccountFrozen));
    }
    if from.mint != to.mint {
        return Err(token_error(TokenError::MintMismatch));
    }
    if from.amount < amount {
        return Err(token_error(TokenError::InsufficientFunds));
    }
    if let Some(mint) = mint {
        if *mint.key != from.mint {
            return Err(token_error(TokenError::MintMismatch));
        }
        check_decimals(&load_mint(mint)?, decimals)?;
    }
    authorize(&mut from, authority, amount)?;
    if source.key == dest.key {
        return store(source, from);
    }
    from.amount -= amount;
    to.amount = to.amount.checked_add(amount).ok_or(token_error(TokenError::Overflow))?;
    store(source, from)?;
    store(dest, to)
}

fn mint_to(mint_info: &AccountInfo, dest: &AccountInfo, authority: &AccountInfo, amount: u64, decimals: Option<u8>) -> ProgramResult {
    let mut to = load_account(dest)?;
    if to.is_frozen() {
        return Err(token_error(TokenError::AccountFrozen));
    }
    if to.mint != *mint_info.key {
        return Err(token_error(TokenError::MintMismatch));
    }
    let mut mint = load_mint(mint_info)?;
    check_decimals(&mint, decimals)?;
    match mint.mint_authority {
        COption::Some(a) if a == *authority.key => {}
        COption::Some(_) => return Err(token_error(TokenError::OwnerMismatch)),
        COption::None => return Err(token_error(TokenError::FixedSupply)),
    }
    if !authority.is_signer {
        return Err(ProgramError::MissingRequiredSignature);
    }
    mint.supply = mint.supply.checked_add(amount).ok_or(token_error(TokenError::Overflow))?;
    to.amount = to.amount.checked_add(amount).ok_or(token_error(TokenError::Overflow))?;
    store(dest, to)?;
    store(mint_info, mint)
}

fn burn(source: &AccountInfo, mint_info: &AccountInfo, authority: &AccountInfo, amount: u64, decimals: Option<u8>) -> ProgramResult {
    let mut from = load_account(source)?;
    let mut mint = load_mint(mint_info)?;
    if from.is_frozen() {
        return Err(token_error(TokenError::AccountFrozen));
    }
    if from.mint != *mint_info.key {
        return Err(token_error(TokenError::MintMismatch));
    }
    check_decimals(&mint, decimals)?;
    if from.amount < amount {
        return Err(token_error(TokenError::InsufficientFunds));
    }
    authorize(&mut from, authority, amount)?;
    from.amount -= amount;
    mint.supply = mint.supply.checked_sub(amount).ok_or(token_error(TokenError::Overflow))?;
    store(source, from)?;
    store(mint_info, mint)
}

fn close(info: &AccountInfo, dest: &AccountInfo, authority: &AccountInfo) -> ProgramResult {
    let a = load_account(info)?;
    if a.amount != 0 {
        return Err(token_error(TokenError::NonNativeHasBalance));
    }
    let allowed = match a.close_authority {
        COption::Some(c) => c == *authority.key,
        COption::None => a.owner == *authority.key,
    };
    if !allowed {
        return Err(token_error(TokenError::OwnerMismatch));
    }
    if !authority.is_signer {
        return Err(ProgramError::MissingRequiredSignature);
    }
    let lamports = **info.try_borrow_lamports()?;
    **dest.try_borrow_mut_lamports()? = dest.lamports().checked_add(lamports).ok_or(ProgramError::ArithmeticOverflow)?;
    **info.try_borrow_mut_lamports()? = 0;
    info.try_borrow_mut_data()?.fill(0);
    Ok(())
}

/// System program errors (`SystemError`), by their codes.
const ACCOUNT_ALREADY_IN_USE: u32 = 0;
const RESULT_WITH_NEGATIVE_LAMPORTS: u32 = 1;

fn move_lamports(from: &AccountInfo, to: &AccountInfo, lamports: u64) -> ProgramResult {
    let left = from.lamports().checked_sub(lamports).ok_or(ProgramError::Custom(RESULT_WITH_NEGATIVE_LAMPORTS))?;
    **from.try_borrow_mut_lamports()? = left;
    **to.try_borrow_mut_lamports()? = to.lamports().checked_add(lamports).ok_or(ProgramError::ArithmeticOverflow)?;
    Ok(())
}

fn signed_system_account(info: &AccountInfo) -> ProgramResult {
    if !info.is_signer {
        return Err(ProgramError::MissingRequiredSignature);
    }
    if *info.owner != anchor_lang::solana_program::system_program::ID {
        return Err(ProgramError::Custom(ACCOUNT_ALREADY_IN_USE));
    }
    Ok(())
}

/// Gives the empty, system-owned `info` `space` zeroed bytes and `owner`.
fn allocate_and_assign(info: &AccountInfo, space: u64, owner: &Pubkey) -> ProgramResult {
    if !info.data_is_empty() || *info.owner != anchor_lang::solana_program::system_program::ID {
        return Err(ProgramError::Custom(ACCOUNT_ALREADY_IN_USE));
    }
    info.resize(space as usize)?;
    info.assign(owner);
    Ok(())
}

fn system(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let ix: SystemInstruction = bincode::deserialize(data).map_err(|_| ProgramError::InvalidInstructionData)?;
    match ix {
        SystemInstruction::CreateAccount { lamports, space, owner } => {
            let (from, to) = (account(accounts, 0)?, account(accounts, 1)?);
            signed_system_account(from)?;
            if !to.is_signer {
                return Err(ProgramError::MissingRequiredSignature);
            }
            if to.lamports() > 0 {
                return Err(ProgramError::Custom(ACCOUNT_ALREADY_IN_USE));
            }
            allocate_and_assign(to, space, &owner)?;
            move_lamports(from, to, lamports)
        }
        SystemInstruction::Transfer { lamports } => {
            let (from, to) = (account(accounts, 0)?, account(accounts, 1)?);
            signed_system_account(from)?;
            if !from.data_is_empty() {
                return Err(ProgramError::InvalidArgument);
            }
            move_lamports(from, to, lamports)
        }
        SystemInstruction::Allocate { space } => {
            let info = account(accounts, 0)?;
            signed_system_account(info)?;
            allocate_and_assign(info, space, &anchor_lang::solana_program::system_program::ID)
        }
        SystemInstruction::Assign { owner } => {
            let info = account(accounts, 0)?;
            signed_system_account(info)?;
            info.assign(&owner);
            Ok(())
        }
        _ => Err(ProgramError::InvalidInstructionData),
    }
}

/// `create` (no data or 0) and `create_idempotent` (1) of an associated token account of classic SPL Token.
fn associated_token(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let idempotent = match data {
        [] | [0] => false,
        [1] => true,
        _ => return Err(ProgramError::InvalidInstructionData),
    };
    let (payer, ata, owner, mint, token_program) = (account(accounts, 0)?, account(accounts, 1)?, account(accounts, 2)?, account(accounts, 3)?, account(accounts, 5)?);
    if *token_program.key != spl_token::ID {
        return Err(ProgramError::IncorrectProgramId);
    }
    if crate::pda::associated_token(owner.key, mint.key, token_program.key) != *ata.key {
        return Err(ProgramError::InvalidSeeds);
    }
    if idempotent && *ata.owner == spl_token::ID {
        let a = load_account(ata)?;
        if a.owner != *owner.key || a.mint != *mint.key {
            return Err(ProgramError::Custom(0)); // AssociatedTokenAccountError::InvalidOwner
        }
        return Ok(());
    }
    if !payer.is_signer {
        return Err(ProgramError::MissingRequiredSignature);
    }
    let rent = stubs::rent().minimum_balance(TokenAccount::LEN);
    let needed = rent.saturating_sub(ata.lamports());
    if needed > 0 {
        let left = payer.lamports().checked_sub(needed).ok_or(ProgramError::Custom(RESULT_WITH_NEGATIVE_LAMPORTS))?;
        **payer.try_borrow_mut_lamports()? = left;
        **ata.try_borrow_mut_lamports()? = rent;
    }
    allocate_and_assign(ata, TokenAccount::LEN as u64, &spl_token::ID)?;
    init_account(ata, mint, *owner.key)
}
