//! SPL Token instructions clients need around Ballast: mints and associated token accounts.
use anchor_lang::prelude::Pubkey;
use anchor_spl::token::spl_token;
use solana_instruction::Instruction;

/// Creates `owner`'s associated token account for `mint` unless it exists.
/// The same instruction `spl_associated_token_account`'s builder makes, with the address from the SDK's memo
/// (the builder derives it afresh, a bump search, on every call).
pub fn create_ata_idempotent(payer: &Pubkey, owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Instruction {
    use anchor_lang::solana_program::instruction::AccountMeta;
    Instruction {
        program_id: anchor_spl::associated_token::spl_associated_token_account::program::ID,
        accounts: vec![
            AccountMeta::new(*payer, true),
            AccountMeta::new(crate::pda::associated_token(owner, mint, token_program), false),
            AccountMeta::new_readonly(*owner, false),
            AccountMeta::new_readonly(*mint, false),
            AccountMeta::new_readonly(anchor_lang::solana_program::system_program::ID, false),
            AccountMeta::new_readonly(*token_program, false),
        ],
        data: vec![1],
    }
}

/// Space and rent-exempt minimum of an SPL Token mint.
pub const MINT_SPACE: usize = 82;
pub const MINT_RENT: u64 = 1_461_600;

/// Instructions that create an SPL Token mint at `mint` with `decimals`, minted by `authority`.
pub fn create_mint(payer: &Pubkey, mint: &Pubkey, authority: &Pubkey, decimals: u8) -> Vec<Instruction> {
    vec![
        solana_system_interface::instruction::create_account(payer, mint, MINT_RENT, MINT_SPACE as u64, &spl_token::ID),
        spl_token::instruction::initialize_mint2(&spl_token::ID, mint, authority, None, decimals).expect("valid mint args"),
    ]
}

pub fn mint_to(mint: &Pubkey, to: &Pubkey, authority: &Pubkey, amount: u64) -> Instruction {
    spl_token::instruction::mint_to(&spl_token::ID, mint, to, authority, &[], amount).expect("valid mint_to args")
}

/// Amount of a token account (SPL Token or Token-2022 base layout).
pub fn token_amount(data: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(data.get(64..72)?.try_into().ok()?))
}

/// The SPL Token program id.
pub const SPL_TOKEN_ID: Pubkey = spl_token::ID;

#[cfg(test)]
mod tests {
    #[test]
    fn create_ata_idempotent_succeeds_matching_the_crate_builder() {
        let (payer, owner, mint) = (super::Pubkey::new_unique(), super::Pubkey::new_unique(), super::Pubkey::new_unique());
        let ours = super::create_ata_idempotent(&payer, &owner, &mint, &super::spl_token::ID);
        assert_eq!(ours, anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent(&payer, &owner, &mint, &super::spl_token::ID));
    }
}
