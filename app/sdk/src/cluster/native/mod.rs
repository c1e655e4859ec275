//! A native ledger: Ballast's own entrypoint run in this process on accounts held in a map, with no bank,
//! no signature checks and no channels between tasks, for the stress simulator's thousands of transactions.
//! Each instruction is serialized into the runtime's input layout (so programs may grow accounts as on
//! chain), run, and its writable accounts read back; a transaction commits whole or not at all. Cross-program
//! invocations go through syscall stubs (`stubs`) to the emulated programs in `programs`.
//!
//! What it does not do: charge fees, meter compute, check transaction size or account locks, verify
//! signatures (it checks that every signer the instructions name was given), or enforce rent. Simulator paths
//! sampled onto solana-program-test (the real SPL Token, every limit enforced) must end with the same accounts.
mod programs;
mod stubs;

use anchor_lang::prelude::{Clock, Pubkey, Rent};
use anyhow::{anyhow, Result};
use solana_account::Account;
use solana_instruction::{error::InstructionError, Instruction};
use solana_transaction_error::TransactionError;
use std::collections::HashMap;

pub use programs::COMPUTE_BUDGET_ID;

/// Accounts and clock of a native ledger.
#[derive(Clone)]
pub struct Ledger {
    pub accounts: HashMap<Pubkey, Account>,
    pub clock: Clock,
    pub rent: Rent,
}

/// What a committed transaction produced: the data of each event its programs emitted, and every account it
/// wrote.
pub struct Executed {
    pub events: Vec<Vec<u8>>,
    pub written: Vec<Pubkey>,
}

/// Programs whose accounts a transaction may name without the ledger holding them.
fn builtin_program(key: &Pubkey) -> Option<Account> {
    let known = [
        ballast::ID,
        anchor_spl::token::spl_token::ID,
        anchor_lang::solana_program::system_program::ID,
        anchor_spl::associated_token::spl_associated_token_account::program::ID,
        COMPUTE_BUDGET_ID,
    ];
    known.contains(key).then(|| Account { lamports: 1, data: vec![], owner: solana_sdk_ids_native_loader(), executable: true, rent_epoch: 0 })
}

fn solana_sdk_ids_native_loader() -> Pubkey {
    Pubkey::from_str_const("NativeLoader1111111111111111111111111111111")
}

/// One account's place in a serialized instruction input.
struct Slot {
    key: Pubkey,
    writable: bool,
    /// Offsets in the buffer of its owner, lamports and data length (the data follows the length).
    owner_at: usize,
    lamports_at: usize,
    before: Account,
}

const NON_DUP: u8 = u8::MAX;
const REALLOC_SPACE: usize = anchor_lang::solana_program::account_info::MAX_PERMITTED_DATA_INCREASE;

fn align8(n: usize) -> usize {
    (n + 7) & !7
}

/// The runtime's (aligned, ABI v1) input for one instruction: every account once with its privileges, then
/// the data and the program id. Returns the buffer (u64s, so it is 8-aligned) and each distinct account's slot.
fn serialize(ix: &Instruction, accounts: &[(Pubkey, Account, bool, bool)]) -> (Vec<u64>, Vec<Slot>) {
    let mut bytes: Vec<u8> = Vec::with_capacity(64 + accounts.iter().map(|a| 96 + a.1.data.len() + REALLOC_SPACE + 16).sum::<usize>() + ix.data.len());
    bytes.extend_from_slice(&(ix.accounts.len() as u64).to_le_bytes());
    let mut slots: Vec<Slot> = vec![];
    for (index, meta) in ix.accounts.iter().enumerate() {
        // A repeated account names the position of its first appearance among the instruction's accounts.
        if let Some(first) = ix.accounts[..index].iter().position(|m| m.pubkey == meta.pubkey) {
            bytes.push(first as u8);
            bytes.extend_from_slice(&[0; 7]);
            continue;
        }
        let (key, account, signer, writable) = accounts.iter().find(|a| a.0 == meta.pubkey).expect("every meta resolved");
        bytes.push(NON_DUP);
        bytes.extend_from_slice(&[*signer as u8, *writable as u8, account.executable as u8, 0, 0, 0, 0]);
        bytes.extend_from_slice(key.as_ref());
        let owner_at = bytes.len();
        bytes.extend_from_slice(account.owner.as_ref());
        let lamports_at = bytes.len();
        bytes.extend_from_slice(&account.lamports.to_le_bytes());
        bytes.extend_from_slice(&(account.data.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&account.data);
        let end = align8(bytes.len() + REALLOC_SPACE + 8);
        bytes.resize(end, 0);
        slots.push(Slot { key: *key, writable: *writable, owner_at, lamports_at, before: account.clone() });
    }
    bytes.extend_from_slice(&(ix.data.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&ix.data);
    bytes.extend_from_slice(ix.program_id.as_ref());
    let mut words = vec![0u64; bytes.len().div_ceil(8)];
    bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..bytes.len()].copy_from_slice(&bytes);
    (words, slots)
}

/// An account as the program left it in `buffer`.
fn read_back(buffer: &[u8], slot: &Slot) -> Account {
    let at = |o: usize, n: usize| &buffer[o..o + n];
    let owner = Pubkey::try_from(at(slot.owner_at, 32)).expect("32 bytes");
    let lamports = u64::from_le_bytes(at(slot.lamports_at, 8).try_into().expect("8 bytes"));
    let len = u64::from_le_bytes(at(slot.lamports_at + 8, 8).try_into().expect("8 bytes")) as usize;
    let data = at(slot.lamports_at + 16, len).to_vec();
    Account { lamports, data, owner, executable: slot.before.executable, rent_epoch: slot.before.rent_epoch }
}

impl Ledger {
    pub fn new(accounts: HashMap<Pubkey, Account>, clock: Clock, rent: Rent) -> Self {
        Self { accounts, clock, rent }
    }

    /// The account at `key`, as the runtime would load it (a program this ledger runs is always there, and
    /// the clock sysvar says the ledger's clock).
    pub fn get(&self, key: &Pubkey) -> Option<Account> {
        if *key == <Clock as anchor_lang::solana_program::sysvar::SysvarId>::id() {
            let c = &self.clock;
            let data = [c.slot.to_le_bytes(), c.epoch_start_timestamp.to_le_bytes(), c.epoch.to_le_bytes(), c.leader_schedule_epoch.to_le_bytes(), c.unix_timestamp.to_le_bytes()].concat();
            return Some(Account { lamports: 1, data, owner: Pubkey::from_str_const("Sysvar1111111111111111111111111111111111111"), executable: false, rent_epoch: 0 });
        }
        self.accounts.get(key).cloned().or_else(|| builtin_program(key))
    }

    /// Runs `ixs` as one transaction signed by `signers`: all of it commits, or nothing does.
    pub fn execute(&mut self, ixs: &[Instruction], signers: &[Pubkey]) -> Result<Executed> {
        let mut changed: HashMap<Pubkey, Account> = HashMap::new();
        let ctx = stubs::Context { clock: self.clock.clone(), rent: self.rent.clone(), stack: vec![], events: vec![], return_data: None };
        let (result, ctx) = stubs::with_context(ctx, || {
            for (index, ix) in ixs.iter().enumerate() {
                self.run(ix, signers, &mut changed).map_err(|e| TransactionError::InstructionError(index as u8, e))?;
            }
            Ok::<_, TransactionError>(())
        });
        result.map_err(|e| anyhow!(crate::errors::describe_transaction_error(&e)))?;
        let written: Vec<Pubkey> = changed.keys().copied().collect();
        for (key, account) in changed {
            // The runtime drops an account left without lamports.
            if account.lamports == 0 {
                self.accounts.remove(&key);
            } else {
                self.accounts.insert(key, account);
            }
        }
        Ok(Executed { events: ctx.events, written })
    }

    /// One top-level instruction over the accounts as this transaction has left them so far.
    fn run(&self, ix: &Instruction, signers: &[Pubkey], changed: &mut HashMap<Pubkey, Account>) -> Result<(), InstructionError> {
        if ix.program_id == COMPUTE_BUDGET_ID {
            return Ok(());
        }
        let mut accounts: Vec<(Pubkey, Account, bool, bool)> = vec![];
        for meta in &ix.accounts {
            if let Some(a) = accounts.iter_mut().find(|a| a.0 == meta.pubkey) {
                a.2 |= meta.is_signer;
                a.3 |= meta.is_writable;
                continue;
            }
            if meta.is_signer && !signers.contains(&meta.pubkey) {
                return Err(InstructionError::MissingRequiredSignature);
            }
            let account = changed.get(&meta.pubkey).cloned().or_else(|| self.get(&meta.pubkey)).unwrap_or_default();
            accounts.push((meta.pubkey, account, meta.is_signer, meta.is_writable));
        }
        let (mut words, slots) = serialize(ix, &accounts);
        let result = {
            // SAFETY: `words` is laid out as the runtime lays out program input and outlives `infos`, which
            // are dropped before the buffer is read back.
            let (program_id, infos, data) = unsafe { anchor_lang::solana_program::entrypoint::deserialize(words.as_mut_ptr() as *mut u8) };
            stubs::push(*program_id);
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| programs::process(program_id, &infos, data)));
            stubs::pop();
            drop(infos);
            match outcome {
                Ok(r) => r.map_err(|e| InstructionError::from(u64::from(e))),
                Err(_) => Err(InstructionError::ProgramFailedToComplete),
            }
        };
        result?;
        let buffer = bytemuck::cast_slice::<u64, u8>(&words);
        let (mut before, mut after_sum) = (0u128, 0u128);
        for slot in &slots {
            before += slot.before.lamports as u128;
            after_sum += read_back(buffer, slot).lamports as u128;
        }
        if before != after_sum {
            return Err(InstructionError::UnbalancedInstruction);
        }
        for slot in &slots {
            let after = read_back(buffer, slot);
            let moved = after.lamports != slot.before.lamports || after.data != slot.before.data || after.owner != slot.before.owner;
            if !moved {
                continue;
            }
            if !slot.writable {
                return Err(if after.lamports != slot.before.lamports { InstructionError::ReadonlyLamportChange } else { InstructionError::ReadonlyDataModified });
            }
            changed.insert(slot.key, after);
        }
        Ok(())
    }
}
