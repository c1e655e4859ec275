//! Program-derived addresses, one function per seed in `ballast::seeds`.
use anchor_lang::prelude::Pubkey;
use ballast::seeds;

fn find(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &ballast::ID).0
}

/// Signs for every vault of `market`.
pub fn market_authority(market: &Pubkey) -> Pubkey {
    find(&[seeds::AUTHORITY, market.as_ref()])
}

/// The reserve of `liquidity_mint` in `market`.
pub fn reserve(market: &Pubkey, liquidity_mint: &Pubkey) -> Pubkey {
    find(&[seeds::RESERVE, market.as_ref(), liquidity_mint.as_ref()])
}

pub fn liquidity_vault(reserve: &Pubkey) -> Pubkey {
    find(&[seeds::LIQUIDITY, reserve.as_ref()])
}

pub fn ctoken_mint(reserve: &Pubkey) -> Pubkey {
    find(&[seeds::CTOKEN, reserve.as_ref()])
}

pub fn collateral_vault(reserve: &Pubkey) -> Pubkey {
    find(&[seeds::COLLATERAL, reserve.as_ref()])
}

pub fn fee_vault(reserve: &Pubkey) -> Pubkey {
    find(&[seeds::FEES, reserve.as_ref()])
}

/// Obligation number `id` of `owner` in `market`.
pub fn obligation(market: &Pubkey, owner: &Pubkey, id: u8) -> Pubkey {
    find(&[seeds::OBLIGATION, market.as_ref(), owner.as_ref(), &[id]])
}

/// Withdrawal ticket number `seq` in `reserve`'s queue.
pub fn ticket(reserve: &Pubkey, seq: u64) -> Pubkey {
    find(&[seeds::TICKET, reserve.as_ref(), &seq.to_le_bytes()])
}

/// The associated token account of `owner` for `mint` under `token_program`.
pub fn associated_token(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    anchor_spl::associated_token::get_associated_token_address_with_program_id(owner, mint, token_program)
}

/// Signs the program's `emit_cpi!` self-invocations; every instruction takes it (with the program itself) as
/// its last two named accounts, and indexers recognise Ballast's events by it.
pub fn event_authority() -> Pubkey {
    ballast::EVENT_AUTHORITY_AND_BUMP.0
}
