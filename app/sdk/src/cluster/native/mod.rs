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

/// Hashes an address by its first eight bytes: addresses are hashes or curve points already, and SipHash over
/// all 32 was a tenth of a simulated transaction. (A local ledger: nobody chooses its keys to collide.)
#[derive(Default)]
pub struct AddressHasher(u64);

impl std::hash::Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut word = [0u8; 8];
        let n = bytes.len().min(8);
        word[..n].copy_from_slice(&bytes[..n]);
        self.0 = self.0.rotate_left(17) ^ u64::from_le_bytes(word);
    }
    fn write_usize(&mut self, _: usize) {}
}

/// Accounts by address.
pub type AccountMap<V = Account> = HashMap<Pubkey, V, std::hash::BuildHasherDefault<AddressHasher>>;

/// Accounts and clock of a native ledger.
#[derive(Clone)]
pub struct Ledger {
    pub accounts: AccountMap,
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
}

/// The data of `account` an instruction is given: none for a program, whose bytes (an ELF of 100 KiB or more
/// for SPL Token) no program here reads and copying them into every instruction was most of a transaction's
/// cost. The runtime passes them; this is the ledger's one departure from its input layout.
fn passed_data(account: &Account) -> &[u8] {
    if account.executable {
        &[]
    } else {
        &account.data
    }
}

const NON_DUP: u8 = u8::MAX;
const REALLOC_SPACE: usize = anchor_lang::solana_program::account_info::MAX_PERMITTED_DATA_INCREASE;

fn align8(n: usize) -> usize {
    (n + 7) & !7
}

/// Writes bytes at a moving offset of a zeroed buffer.
struct Writer<'a> {
    bytes: &'a mut [u8],
    at: usize,
}

impl Writer<'_> {
    fn put(&mut self, data: &[u8]) {
        self.bytes[self.at..self.at + data.len()].copy_from_slice(data);
        self.at += data.len();
    }
}

/// The runtime's (aligned, ABI v1) input for one instruction: every account once with its privileges, then
/// the data and the program id. Returns the buffer (u64s, so it is 8-aligned) and each distinct account's slot.
/// Each account's data is copied once, straight into `words`, a buffer kept between instructions: only the
/// bytes the layout defines are written. The realloc space keeps whatever it held, as no program can read it
/// without growing the account, and `AccountInfo::resize` zeroes what it grows into.
fn serialize(ix: &Instruction, accounts: &[(Pubkey, &Account, bool, bool)], words: &mut Vec<u64>) -> Vec<Slot> {
    let first_of = |index: usize| ix.accounts[..index].iter().position(|m| m.pubkey == ix.accounts[index].pubkey);
    let mut len = 8;
    for index in 0..ix.accounts.len() {
        len += match first_of(index) {
            Some(_) => 8,
            None => {
                let account = accounts.iter().find(|a| a.0 == ix.accounts[index].pubkey).expect("every meta resolved").1;
                align8(8 + 32 + 32 + 8 + 8 + passed_data(account).len() + REALLOC_SPACE + 8)
            }
        };
    }
    len += 8 + ix.data.len() + 32;
    if words.len() < len.div_ceil(8) {
        words.resize(len.div_ceil(8), 0);
    }
    let mut w = Writer { bytes: bytemuck::cast_slice_mut::<u64, u8>(words), at: 0 };
    w.put(&(ix.accounts.len() as u64).to_le_bytes());
    let mut slots: Vec<Slot> = Vec::with_capacity(accounts.len());
    for (index, meta) in ix.accounts.iter().enumerate() {
        // A repeated account names the position of its first appearance among the instruction's accounts.
        if let Some(first) = first_of(index) {
            w.put(&[first as u8, 0, 0, 0, 0, 0, 0, 0]);
            continue;
        }
        let (key, account, signer, writable) = accounts.iter().find(|a| a.0 == meta.pubkey).expect("every meta resolved");
        w.put(&[NON_DUP, *signer as u8, *writable as u8, account.executable as u8, 0, 0, 0, 0]);
        w.put(key.as_ref());
        let owner_at = w.at;
        w.put(account.owner.as_ref());
        let lamports_at = w.at;
        w.put(&account.lamports.to_le_bytes());
        let data = passed_data(account);
        w.put(&(data.len() as u64).to_le_bytes());
        w.put(data);
        // Realloc space, then the rent epoch (which the layout keeps and no program reads).
        let padded = align8(w.at + REALLOC_SPACE);
        w.bytes[w.at + REALLOC_SPACE..padded].fill(0);
        w.at = padded;
        w.put(&account.rent_epoch.to_le_bytes());
        slots.push(Slot { key: *key, writable: *writable, owner_at, lamports_at });
    }
    w.put(&(ix.data.len() as u64).to_le_bytes());
    w.put(&ix.data);
    w.put(ix.program_id.as_ref());
    slots
}

thread_local! {
    /// The input buffer of the last instruction run on this thread, reused (it is some 10 KiB per account).
    static INPUT: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An account as the program left it in `buffer`, borrowed from it.
struct Written<'a> {
    owner: &'a [u8],
    lamports: u64,
    data: &'a [u8],
}

fn read_back<'a>(buffer: &'a [u8], slot: &Slot) -> Written<'a> {
    let len = u64::from_le_bytes(buffer[slot.lamports_at + 8..slot.lamports_at + 16].try_into().expect("8 bytes")) as usize;
    Written {
        owner: &buffer[slot.owner_at..slot.owner_at + 32],
        lamports: u64::from_le_bytes(buffer[slot.lamports_at..slot.lamports_at + 8].try_into().expect("8 bytes")),
        data: &buffer[slot.lamports_at + 16..slot.lamports_at + 16 + len],
    }
}

impl Ledger {
    pub fn new(accounts: AccountMap, clock: Clock, rent: Rent) -> Self {
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
        let mut changed: AccountMap = AccountMap::default();
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
    fn run(&self, ix: &Instruction, signers: &[Pubkey], changed: &mut AccountMap) -> Result<(), InstructionError> {
        if ix.program_id == COMPUTE_BUDGET_ID {
            return Ok(());
        }
        let mut privileges: Vec<(Pubkey, bool, bool)> = Vec::with_capacity(ix.accounts.len());
        for meta in &ix.accounts {
            if let Some(a) = privileges.iter_mut().find(|a| a.0 == meta.pubkey) {
                a.1 |= meta.is_signer;
                a.2 |= meta.is_writable;
                continue;
            }
            if meta.is_signer && !signers.contains(&meta.pubkey) {
                return Err(InstructionError::MissingRequiredSignature);
            }
            privileges.push((meta.pubkey, meta.is_signer, meta.is_writable));
        }
        // Accounts absent from the ledger (and the clock, which it computes) are held here while they are lent.
        let mut loaded: Vec<(Pubkey, Account)> = vec![];
        for (key, ..) in &privileges {
            if !changed.contains_key(key) && !self.accounts.contains_key(key) {
                loaded.push((*key, self.get(key).unwrap_or_default()));
            }
        }
        let current = |key: &Pubkey| -> &Account {
            changed.get(key).or_else(|| self.accounts.get(key)).or_else(|| loaded.iter().find(|l| l.0 == *key).map(|l| &l.1)).expect("loaded above")
        };
        let accounts: Vec<(Pubkey, &Account, bool, bool)> = privileges.iter().map(|(k, s, w)| (*k, current(k), *s, *w)).collect();
        let mut words = INPUT.with(|b| std::mem::take(&mut *b.borrow_mut()));
        let slots = serialize(ix, &accounts, &mut words);
        drop(accounts);
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
        let updates = result.and_then(|()| Self::written(bytemuck::cast_slice::<u64, u8>(&words), &slots, current));
        INPUT.with(|b| *b.borrow_mut() = words);
        changed.extend(updates?);
        Ok(())
    }

    /// The accounts an instruction changed, read back from its input buffer, once the runtime's checks pass:
    /// lamports balance, and nothing changed that the instruction held read-only.
    fn written<'a>(buffer: &[u8], slots: &[Slot], current: impl Fn(&Pubkey) -> &'a Account) -> Result<Vec<(Pubkey, Account)>, InstructionError> {
        let (mut before_sum, mut after_sum) = (0u128, 0u128);
        for slot in slots {
            before_sum += current(&slot.key).lamports as u128;
            after_sum += read_back(buffer, slot).lamports as u128;
        }
        if before_sum != after_sum {
            return Err(InstructionError::UnbalancedInstruction);
        }
        let mut updates: Vec<(Pubkey, Account)> = vec![];
        for slot in slots {
            let (before, after) = (current(&slot.key), read_back(buffer, slot));
            let moved = after.lamports != before.lamports || after.data != passed_data(before) || after.owner != before.owner.as_ref();
            if !moved {
                continue;
            }
            if !slot.writable {
                return Err(if after.lamports != before.lamports { InstructionError::ReadonlyLamportChange } else { InstructionError::ReadonlyDataModified });
            }
            if before.executable {
                return Err(InstructionError::ExecutableModified);
            }
            let owner = Pubkey::try_from(after.owner).expect("32 bytes");
            updates.push((slot.key, Account { lamports: after.lamports, data: after.data.to_vec(), owner, executable: before.executable, rent_epoch: before.rent_epoch }));
        }
        Ok(updates)
    }
}
