//! An in-process cluster: a solana-program-test bank with Ballast registered natively (SPL Token runs as real
//! SBF there), or a native ledger forked from one (`fork_native`) that runs the same Ballast entrypoint with
//! no bank in between, for the simulator's volume.
use super::{clock_unix_timestamp, native::Ledger, Cluster, Filter, TxEvents};
use crate::errors::describe_transaction_error;
use anchor_lang::prelude::{AccountInfo, Pubkey};
use anyhow::{anyhow, Result};
use solana_account::{Account, AccountSharedData};
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_program_test::{processor, BanksClientError, ProgramTest, ProgramTestContext};
use solana_signer::Signer;
use solana_message::AddressLookupTableAccount;
use std::{
    collections::BTreeSet,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Mutex,
    },
};

/// Top-level calls into the program so far in this process (a self-invocation, such as an event's `emit_cpi!`,
/// is part of the call it happens in): benchmarks label per-call measurements with it.
pub static ENTRY_CALLS: AtomicU64 = AtomicU64::new(0);
/// True while the program runs natively: benchmarks count its heap use with it.
pub static IN_PROGRAM: AtomicBool = AtomicBool::new(false);

std::thread_local! {
    /// Whether this thread is inside a top-level call of the program (a CPI back into it is not a new call).
    static IN_CALL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The processor program-test runs for Ballast. A self-invocation inside a call goes straight to the
/// program; a top-level call goes through [`program_call`], where a profiler toggles and dumps, once per call.
pub fn ballast_processor(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> anchor_lang::solana_program::entrypoint::ProgramResult {
    // Anchor's entry ties everything to one 'info; processor! wants independent lifetimes.
    // SAFETY: only lifetimes change; nothing borrowed escapes `entry`.
    let accounts: &[AccountInfo] = unsafe { std::mem::transmute(accounts) };
    if IN_CALL.with(|c| c.replace(true)) {
        return ballast::entry(program_id, accounts, data);
    }
    let result = program_call(program_id, accounts, data);
    IN_CALL.with(|c| c.set(false));
    result
}

/// One top-level call of the program. Never inlined, so a profiler can toggle on it
/// (`--toggle-collect=ballast_sdk::cluster::in_process::program_call`) whatever the build's LTO does to
/// `ballast::entry`; nested self-invocations happen inside it and are counted with it.
#[inline(never)]
pub fn program_call<'info>(program_id: &'info Pubkey, accounts: &'info [AccountInfo<'info>], data: &'info [u8]) -> anchor_lang::solana_program::entrypoint::ProgramResult {
    ENTRY_CALLS.fetch_add(1, Ordering::Relaxed);
    IN_PROGRAM.store(true, Ordering::Relaxed);
    let result = ballast::entry(program_id, accounts, data);
    IN_PROGRAM.store(false, Ordering::Relaxed);
    result
}

/// The program-test set-up every in-process cluster uses; add programs to it before [`InProcess::start`].
pub fn program_test() -> ProgramTest {
    // program-test logs every instruction at DEBUG; keep output readable unless asked.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let mut pt = ProgramTest::new("ballast", ballast::ID, processor!(ballast_processor));
    pt.prefer_bpf(false);
    pt
}

/// Where an in-process cluster keeps its accounts.
enum Backend {
    /// A solana-program-test bank: every runtime rule, the real SPL Token.
    Bank(tokio::sync::Mutex<ProgramTestContext>),
    /// A native ledger (`cluster::native`).
    Native(Mutex<Ledger>),
}

/// An in-process cluster. The bank cannot list accounts by owner, so this backend remembers every
/// account key its transactions touch and answers `program_accounts` from those: complete for a bank
/// that only this backend writes to.
pub struct InProcess {
    backend: Backend,
    payer: Keypair,
    known: Mutex<BTreeSet<Pubkey>>,
    nonce: AtomicU64,
    /// Every successful transaction with Ballast events, oldest first, with the keys it named.
    history: Mutex<Vec<(TxEvents, Vec<Pubkey>)>>,
}

impl InProcess {
    pub async fn start() -> Self {
        Self::from_program_test(program_test()).await
    }

    pub async fn from_program_test(pt: ProgramTest) -> Self {
        let context = pt.start_with_context().await;
        let payer = context.payer.insecure_clone();
        Self { backend: Backend::Bank(tokio::sync::Mutex::new(context)), payer, known: Mutex::new(BTreeSet::new()), nonce: AtomicU64::new(0), history: Mutex::new(vec![]) }
    }

    /// The Ballast events of the transactions committed since the first `from` (history order) and the new
    /// length of the history: a poller reads only what it has not read.
    pub fn events_since(&self, from: usize) -> (Vec<TxEvents>, usize) {
        let history = self.history.lock().unwrap();
        (history.iter().skip(from).map(|(tx, _)| tx.clone()).collect(), history.len())
    }

    /// Every account key a transaction or a write named so far (on a native ledger: every account it holds,
    /// and every key written into it).
    pub fn known_keys(&self) -> Vec<Pubkey> {
        let mut known = self.known.lock().unwrap().clone();
        if let Backend::Native(l) = &self.backend {
            known.extend(l.lock().unwrap().accounts.keys().copied());
        }
        known.into_iter().collect()
    }

    /// Whether transactions run on a native ledger rather than a bank.
    pub fn is_native(&self) -> bool {
        matches!(self.backend, Backend::Native(_))
    }

    /// A native ledger holding this cluster's accounts as they are now (every account its transactions and
    /// writes named, the payer, and the clock and rent), with its history; it then moves on alone. Forking a
    /// native ledger copies it.
    pub async fn fork_native(&self) -> Result<InProcess> {
        let known: Vec<Pubkey> = self.known_keys().into_iter().chain([self.payer.pubkey()]).collect();
        let ledger = match &self.backend {
            Backend::Native(l) => l.lock().unwrap().clone(),
            Backend::Bank(ctx) => {
                let client = ctx.lock().await.banks_client.clone();
                let mut accounts = super::native::AccountMap::default();
                for key in &known {
                    if let Some(account) = client.get_account(*key).await? {
                        accounts.insert(*key, account);
                    }
                }
                let clock: anchor_lang::prelude::Clock = client.get_sysvar().await?;
                let rent: anchor_lang::prelude::Rent = client.get_sysvar().await?;
                Ledger::new(accounts, clock, rent)
            }
        };
        Ok(InProcess {
            backend: Backend::Native(Mutex::new(ledger)),
            payer: self.payer.insecure_clone(),
            known: Mutex::new(self.known.lock().unwrap().clone()),
            nonce: AtomicU64::new(self.nonce.load(Ordering::Relaxed)),
            history: Mutex::new(self.history.lock().unwrap().clone()),
        })
    }

    /// A new bank holding this native ledger's accounts (every one but the programs, which the bank has), its
    /// clock's unix time and a slot past its own: the same state where every runtime rule applies and SPL
    /// Token is the real program.
    pub async fn fork_bank(&self) -> Result<InProcess> {
        let Backend::Native(l) = &self.backend else { return Err(anyhow!("fork_bank forks a native ledger")) };
        let (accounts, clock) = {
            let ledger = l.lock().unwrap();
            (ledger.accounts.iter().filter(|(_, a)| !a.executable).map(|(k, a)| (*k, a.clone())).collect::<Vec<_>>(), ledger.clock.clone())
        };
        let bank = InProcess::start().await;
        let payer = bank.payer.pubkey();
        for (key, account) in accounts {
            if key != payer && key != self.payer.pubkey() {
                bank.set_account(&key, account).await;
            }
        }
        bank.warp_slots(clock.slot + 2).await?;
        bank.set_time(clock.unix_timestamp).await?;
        bank.known.lock().unwrap().extend(self.known_keys());
        Ok(bank)
    }

    /// Writes an account straight into the ledger (prices, test fixtures).
    pub async fn set_account(&self, key: &Pubkey, account: Account) {
        self.known.lock().unwrap().insert(*key);
        match &self.backend {
            Backend::Bank(ctx) => ctx.lock().await.set_account(key, &AccountSharedData::from(account)),
            Backend::Native(l) => {
                l.lock().unwrap().accounts.insert(*key, account);
            }
        }
    }

    /// Sets the clock's unix time.
    pub async fn set_time(&self, unix_timestamp: i64) -> Result<()> {
        match &self.backend {
            Backend::Bank(ctx) => {
                let ctx = ctx.lock().await;
                let mut clock: anchor_lang::prelude::Clock = ctx.banks_client.get_sysvar().await?;
                clock.unix_timestamp = unix_timestamp;
                ctx.set_sysvar(&clock);
            }
            Backend::Native(l) => l.lock().unwrap().clock.unix_timestamp = unix_timestamp,
        }
        Ok(())
    }

    /// Moves the clock `slots` slots on, keeping its unix time (a lookup table's new entries load from the slot
    /// after they were added).
    pub async fn warp_slots(&self, slots: u64) -> Result<()> {
        match &self.backend {
            Backend::Bank(ctx) => {
                let mut ctx = ctx.lock().await;
                let clock: anchor_lang::prelude::Clock = ctx.banks_client.get_sysvar().await?;
                ctx.warp_to_slot(clock.slot + slots).map_err(|e| anyhow!("warp: {e:?}"))?;
                let mut after: anchor_lang::prelude::Clock = ctx.banks_client.get_sysvar().await?;
                after.unix_timestamp = clock.unix_timestamp;
                ctx.set_sysvar(&after);
            }
            Backend::Native(l) => l.lock().unwrap().clock.slot += slots,
        }
        Ok(())
    }

    /// Lamports from the bank's payer.
    pub async fn airdrop(&self, to: &Pubkey, lamports: u64) -> Result<()> {
        let ix = solana_system_interface::instruction::transfer(&self.payer.pubkey(), to, lamports);
        self.send(&[ix], &[]).await.map(|_| ())
    }
}

impl Cluster for InProcess {
    fn payer(&self) -> &Keypair {
        &self.payer
    }

    async fn account(&self, key: &Pubkey) -> Result<Option<Account>> {
        match &self.backend {
            Backend::Bank(ctx) => {
                let client = ctx.lock().await.banks_client.clone();
                Ok(client.get_account(*key).await?)
            }
            Backend::Native(l) => Ok(l.lock().unwrap().get(key)),
        }
    }

    async fn program_accounts(&self, program: &Pubkey, filters: &[Filter]) -> Result<Vec<(Pubkey, Account)>> {
        if let Backend::Native(l) = &self.backend {
            let ledger = l.lock().unwrap();
            let mut out: Vec<(Pubkey, Account)> =
                ledger.accounts.iter().filter(|(_, a)| a.owner == *program && filters.iter().all(|f| f.matches(&a.data))).map(|(k, a)| (*k, a.clone())).collect();
            out.sort_by_key(|(k, _)| *k);
            return Ok(out);
        }
        let keys: Vec<Pubkey> = self.known.lock().unwrap().iter().copied().collect();
        let mut out = vec![];
        for (key, account) in keys.iter().zip(self.accounts(&keys).await?) {
            if let Some(account) = account {
                if account.owner == *program && filters.iter().all(|f| f.matches(&account.data)) {
                    out.push((*key, account));
                }
            }
        }
        Ok(out)
    }

    async fn send_with_tables(&self, ixs: &[Instruction], signers: &[&Keypair], tables: &[AddressLookupTableAccount]) -> Result<String> {
        // A native ledger knows its keys already (`known_keys`).
        if !self.is_native() {
            let mut known = self.known.lock().unwrap();
            known.extend(ixs.iter().flat_map(|ix| ix.accounts.iter().map(|m| m.pubkey)));
        }
        let ctx = match &self.backend {
            Backend::Native(l) => return self.send_native(l, ixs, signers, tables),
            Backend::Bank(ctx) => ctx,
        };
        // A per-transaction compute-unit price makes repeated identical transactions distinct, unless the
        // caller set its own (a priority fee): the runtime refuses two of the same compute-budget instruction.
        let nonce = self.nonce.fetch_add(1, Ordering::Relaxed) + 1;
        let priced = ixs.iter().any(|ix| ix.program_id == solana_compute_budget_interface::ID && ix.data.first() == Some(&3));
        let mut all = if priced { vec![] } else { vec![ComputeBudgetInstruction::set_compute_unit_price(nonce)] };
        all.extend_from_slice(ixs);
        let client = ctx.lock().await.banks_client.clone();
        // program-test registers a new blockhash every 6.4 ms and keeps 150: take a fresh one per transaction.
        let blockhash = client.get_latest_blockhash().await?;
        let tx = crate::tx::build(&all, &self.payer, signers, blockhash, tables)?;
        // program-test enforces neither mainnet limit: refuse here what mainnet would.
        crate::tx::require_fits(&tx)?;
        let signature = tx.signatures[0].to_string();
        let commitment = solana_commitment_config::CommitmentLevel::default();
        // Banks give inner instructions only from a simulation: read the events from one on the same state.
        let mut record = None;
        if ixs.iter().any(|ix| ix.program_id == ballast::ID) {
            let sim = client.simulate_transaction_with_commitment_and_context(long_deadline(), tx.clone(), commitment).await?;
            if let (Some(Ok(())), Some(details)) = (sim.result, sim.simulation_details) {
                let keys = crate::events::account_keys(&tx.message, &crate::events::resolve_lookups(&tx.message, tables));
                let events = crate::events::from_inner_instructions(&keys, &details.inner_instructions.unwrap_or_default());
                record = Some((events, keys));
            }
        }
        match client.process_transaction_with_commitment_and_context(long_deadline(), tx, commitment).await {
            Ok(Some(Ok(()))) => {
                if let Some((events, keys)) = record.filter(|(events, _)| !events.is_empty()) {
                    let slot = client.get_root_slot().await.unwrap_or_default();
                    self.history.lock().unwrap().push((TxEvents { signature: signature.clone(), slot, events }, keys));
                }
                Ok(signature)
            }
            Ok(Some(Err(e))) => Err(anyhow!(describe_transaction_error(&e))),
            Ok(None) => Err(anyhow!("transaction dropped: invalid blockhash or fee payer")),
            Err(BanksClientError::TransactionError(e)) | Err(BanksClientError::SimulationError { err: e, .. }) => {
                Err(anyhow!(describe_transaction_error(&e)))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn ballast_transactions(&self, addresses: &[Pubkey], limit: usize) -> Result<Vec<TxEvents>> {
        let history = self.history.lock().unwrap();
        let touching = history.iter().rev().filter(|(_, keys)| keys.iter().any(|k| addresses.contains(k)));
        Ok(touching.take(limit).map(|(tx, _)| tx.clone()).collect())
    }

    async fn now(&self) -> Result<i64> {
        if let Backend::Native(l) = &self.backend {
            return Ok(l.lock().unwrap().clock.unix_timestamp);
        }
        let clock = self.account(&<anchor_lang::prelude::Clock as anchor_lang::solana_program::sysvar::SysvarId>::id()).await?.ok_or_else(|| anyhow!("no clock sysvar"))?;
        clock_unix_timestamp(&clock.data)
    }
}

impl InProcess {
    /// `send_with_tables` on a native ledger: every instruction runs (compute-budget ones are no-ops); the keys
    /// each named, as the transaction's account keys, index its events.
    fn send_native(&self, ledger: &Mutex<Ledger>, ixs: &[Instruction], signers: &[&Keypair], _tables: &[AddressLookupTableAccount]) -> Result<String> {
        let signer_keys: Vec<Pubkey> = std::iter::once(self.payer.pubkey()).chain(signers.iter().map(|k| k.pubkey())).collect();
        let executed = ledger.lock().unwrap().execute(ixs, &signer_keys)?;
        let nonce = self.nonce.fetch_add(1, Ordering::Relaxed) + 1;
        let signature = format!("native-{nonce}");
        let events: Vec<crate::events::BallastEvent> = executed.events.iter().filter_map(|data| crate::events::BallastEvent::decode(data)).collect();
        if !events.is_empty() {
            let mut keys: Vec<Pubkey> = vec![self.payer.pubkey()];
            for key in ixs.iter().flat_map(|ix| ix.accounts.iter().map(|m| m.pubkey).chain([ix.program_id])) {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            let slot = ledger.lock().unwrap().clock.slot;
            self.history.lock().unwrap().push((TxEvents { signature: signature.clone(), slot, events }, keys));
        }
        Ok(signature)
    }
}

/// A tarpc context with a 300 s deadline: the default 10 s is too tight on a loaded 2-core machine.
fn long_deadline() -> tarpc::context::Context {
    let mut ctx = tarpc::context::current();
    ctx.deadline = std::time::SystemTime::now() + std::time::Duration::from_secs(300);
    ctx
}

/// The natively run program prints its `msg!` lines to stdout; the demo's report should not drown in them.
/// Points file descriptor 1 at /dev/null and returns a writer on the real stdout.
#[cfg(unix)]
pub fn quiet_program_logs() -> Option<Box<dyn std::io::Write>> {
    use std::os::fd::{AsRawFd, FromRawFd};
    let devnull = std::fs::OpenOptions::new().write(true).open("/dev/null").ok()?;
    // SAFETY: dup/dup2 on valid descriptors; the duplicate is owned by the returned File alone.
    unsafe {
        let real = libc::dup(1);
        if real < 0 || libc::dup2(devnull.as_raw_fd(), 1) < 0 {
            return None;
        }
        Some(Box::new(std::fs::File::from_raw_fd(real)))
    }
}

#[cfg(not(unix))]
pub fn quiet_program_logs() -> Option<Box<dyn std::io::Write>> {
    None
}
