//! The market's address lookup table: which accounts it holds, reading it back, and the instructions that
//! create and extend it (`ballast-migrate apply` runs them and records the table on the market).
use crate::{accounts::ReserveView, pda, tx::lookup_table_addresses};
use anchor_lang::prelude::Pubkey;
use anyhow::Result;
use solana_address_lookup_table_interface::instruction as lut;
use solana_instruction::Instruction;
use solana_message::AddressLookupTableAccount;

pub use solana_address_lookup_table_interface::program::ID as LOOKUP_TABLE_PROGRAM;

/// Most addresses one extend instruction carries, so its transaction stays well inside 1,232 bytes.
pub const EXTEND_CHUNK: usize = 20;

/// The accounts any Ballast transaction of this market may load from its table: the market and its authority,
/// the token and system programs and sysvars the program takes, and per reserve the reserve, its mint, vaults,
/// cToken mint and price accounts (the secondary too, when configured). Signers and program ids stay in the
/// message itself.
pub fn market_table_addresses(market: &Pubkey, reserves: &[ReserveView]) -> Vec<Pubkey> {
    let mut out = market_base_addresses(market);
    for r in reserves {
        push_new(&mut out, reserve_table_addresses(&r.key, &r.mint(), &r.price_account(), &r.token_program()));
        push_new(&mut out, r.secondary_price_account());
    }
    out
}

/// The market's own entries: the market, its authority, the system program, the Instructions sysvar and the
/// program's event authority (every instruction names it).
pub fn market_base_addresses(market: &Pubkey) -> Vec<Pubkey> {
    vec![
        *market,
        pda::market_authority(market),
        anchor_lang::system_program::ID,
        solana_instructions_sysvar::ID,
        pda::event_authority(),
    ]
}

/// One reserve's entries, derivable before the reserve exists: the reserve, its mint, its four PDA vaults and
/// mint, its price account and token program.
pub fn reserve_table_addresses(reserve: &Pubkey, mint: &Pubkey, price_account: &Pubkey, token_program: &Pubkey) -> Vec<Pubkey> {
    vec![
        *reserve,
        *mint,
        pda::liquidity_vault(reserve),
        pda::ctoken_mint(reserve),
        pda::collateral_vault(reserve),
        pda::fee_vault(reserve),
        *price_account,
        *token_program,
    ]
}

/// Appends the keys of `more` that `out` lacks.
pub fn push_new(out: &mut Vec<Pubkey>, more: impl IntoIterator<Item = Pubkey>) {
    for key in more {
        if !out.contains(&key) {
            out.push(key);
        }
    }
}

/// The table at `key` as a transaction compiler needs it.
pub fn decode(key: Pubkey, data: &[u8]) -> Result<AddressLookupTableAccount> {
    Ok(AddressLookupTableAccount { key, addresses: lookup_table_addresses(data)? })
}

/// What `wanted` holds that `table` lacks, in order.
pub fn missing(table: &[Pubkey], wanted: &[Pubkey]) -> Vec<Pubkey> {
    wanted.iter().filter(|k| !table.contains(k)).copied().collect()
}

/// Creates a table owned by `authority`, derived from `recent_slot` (a slot in the SlotHashes sysvar).
pub fn create(authority: &Pubkey, payer: &Pubkey, recent_slot: u64) -> (Instruction, Pubkey) {
    lut::create_lookup_table(*authority, *payer, recent_slot)
}

/// Appends `addresses` to `table`, one instruction per EXTEND_CHUNK of them (send each in its own transaction).
/// New entries become loadable from the next slot on.
pub fn extend(table: &Pubkey, authority: &Pubkey, payer: &Pubkey, addresses: &[Pubkey]) -> Vec<Instruction> {
    addresses.chunks(EXTEND_CHUNK).map(|chunk| lut::extend_lookup_table(*table, *authority, Some(*payer), chunk.to_vec())).collect()
}
