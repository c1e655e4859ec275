//! The syscalls a natively run program makes (logs, CPI, sysvars, return data, stack height), answered by the
//! native ledger while one of its transactions runs on this thread, and by whatever stubs were installed
//! before (solana-program-test's) otherwise. Installed once per process, after program-test's own, which
//! would otherwise replace them.
use super::programs;
use anchor_lang::{
    prelude::{AccountInfo, Clock, Pubkey, Rent},
    solana_program::{entrypoint::ProgramResult, program_error::ProgramError},
};
use solana_instruction::Instruction;
use std::{cell::RefCell, collections::HashMap, sync::Once};

type Stubs = dyn solana_sysvar::program_stubs::SyscallStubs;

/// What one native transaction's syscalls see: the clock, the programs running (innermost last), the events
/// the program emitted, and the return data.
pub(super) struct Context {
    pub clock: Clock,
    pub rent: Rent,
    pub stack: Vec<Pubkey>,
    /// Data of every self-invocation by the event authority (Anchor's `emit_cpi!`), in order.
    pub events: Vec<Vec<u8>>,
    pub return_data: Option<(Pubkey, Vec<u8>)>,
}

thread_local! {
    static CONTEXT: RefCell<Option<Context>> = const { RefCell::new(None) };
}

/// Runs `f` with `ctx` as this thread's native context; returns what `f` returned and the context after.
pub(super) fn with_context<R>(ctx: Context, f: impl FnOnce() -> R) -> (R, Context) {
    install();
    CONTEXT.with(|c| *c.borrow_mut() = Some(ctx));
    let out = f();
    let ctx = CONTEXT.with(|c| c.borrow_mut().take()).expect("the native context is set while a transaction runs");
    (out, ctx)
}

fn active() -> bool {
    CONTEXT.with(|c| c.borrow().is_some())
}

fn with<R>(f: impl FnOnce(&mut Context) -> R) -> R {
    CONTEXT.with(|c| f(c.borrow_mut().as_mut().expect("native context")))
}

/// The program running now (the top of the invoke stack).
pub(super) fn caller() -> Pubkey {
    with(|c| *c.stack.last().expect("a program is running"))
}

/// The rent sysvar of the running transaction.
pub(super) fn rent() -> Rent {
    with(|c| c.rent.clone())
}

pub(super) fn push(program: Pubkey) {
    with(|c| c.stack.push(program));
}

pub(super) fn pop() {
    with(|c| c.stack.pop());
}

/// Installs the native stubs over whatever is installed, once per process. solana-program-test installs its
/// own the first time a bank starts (once per process, unconditionally), so one is started first: the native
/// stubs then delegate to program-test's outside native transactions, and nothing replaces them later.
fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::thread::spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            rt.block_on(async { drop(solana_program_test::ProgramTest::default().start_with_context().await) });
        })
        .join()
        .expect("program-test starts");
        let placeholder: Box<Stubs> = Box::new(Native { inner: None });
        let inner = solana_sysvar::program_stubs::set_syscall_stubs(placeholder);
        solana_sysvar::program_stubs::set_syscall_stubs(Box::new(Native { inner: Some(inner) }));
    });
}

struct Native {
    inner: Option<Box<Stubs>>,
}

impl Native {
    fn inner(&self) -> &Stubs {
        self.inner.as_deref().expect("stubs installed before native ones")
    }
}

/// What a syscall answers for a sysvar it does not serve.
const UNSUPPORTED: u64 = anchor_lang::solana_program::program_error::UNSUPPORTED_SYSVAR;

fn write_sysvar<T>(value: &T, var_addr: *mut u8) -> u64 {
    // SAFETY: the caller passes a pointer to a `T` (how `Sysvar::get` calls the syscall).
    unsafe { std::ptr::copy_nonoverlapping(value as *const T as *const u8, var_addr, std::mem::size_of::<T>()) };
    0
}

impl solana_sysvar::program_stubs::SyscallStubs for Native {
    fn sol_log(&self, message: &str) {
        if !active() {
            self.inner().sol_log(message)
        }
    }
    fn sol_log_compute_units(&self) {
        if !active() {
            self.inner().sol_log_compute_units()
        }
    }
    fn sol_remaining_compute_units(&self) -> u64 {
        if active() {
            1_400_000
        } else {
            self.inner().sol_remaining_compute_units()
        }
    }
    fn sol_log_data(&self, fields: &[&[u8]]) {
        if !active() {
            self.inner().sol_log_data(fields)
        }
    }
    fn sol_invoke_signed(&self, instruction: &Instruction, account_infos: &[AccountInfo], signers_seeds: &[&[&[u8]]]) -> ProgramResult {
        if !active() {
            return self.inner().sol_invoke_signed(instruction, account_infos, signers_seeds);
        }
        invoke(instruction, account_infos, signers_seeds)
    }
    fn sol_get_clock_sysvar(&self, var_addr: *mut u8) -> u64 {
        if !active() {
            return self.inner().sol_get_clock_sysvar(var_addr);
        }
        write_sysvar(&with(|c| c.clock.clone()), var_addr)
    }
    fn sol_get_rent_sysvar(&self, var_addr: *mut u8) -> u64 {
        if !active() {
            return self.inner().sol_get_rent_sysvar(var_addr);
        }
        write_sysvar(&with(|c| c.rent.clone()), var_addr)
    }
    fn sol_get_epoch_schedule_sysvar(&self, var_addr: *mut u8) -> u64 {
        if active() { UNSUPPORTED } else { self.inner().sol_get_epoch_schedule_sysvar(var_addr) }
    }
    fn sol_get_epoch_rewards_sysvar(&self, var_addr: *mut u8) -> u64 {
        if active() { UNSUPPORTED } else { self.inner().sol_get_epoch_rewards_sysvar(var_addr) }
    }
    #[allow(deprecated)]
    fn sol_get_fees_sysvar(&self, var_addr: *mut u8) -> u64 {
        if active() { UNSUPPORTED } else { self.inner().sol_get_fees_sysvar(var_addr) }
    }
    fn sol_get_last_restart_slot(&self, var_addr: *mut u8) -> u64 {
        if active() { UNSUPPORTED } else { self.inner().sol_get_last_restart_slot(var_addr) }
    }
    fn sol_get_sysvar(&self, sysvar_id_addr: *const u8, var_addr: *mut u8, offset: u64, length: u64) -> u64 {
        if active() { UNSUPPORTED } else { self.inner().sol_get_sysvar(sysvar_id_addr, var_addr, offset, length) }
    }
    fn sol_get_epoch_stake(&self, vote_address: *const u8) -> u64 {
        if active() { 0 } else { self.inner().sol_get_epoch_stake(vote_address) }
    }
    fn sol_get_processed_sibling_instruction(&self, index: usize) -> Option<Instruction> {
        if active() { None } else { self.inner().sol_get_processed_sibling_instruction(index) }
    }
    fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
        if !active() {
            return self.inner().sol_get_return_data();
        }
        with(|c| c.return_data.clone())
    }
    fn sol_set_return_data(&self, data: &[u8]) {
        if !active() {
            return self.inner().sol_set_return_data(data);
        }
        let caller = caller();
        with(|c| c.return_data = (!data.is_empty()).then(|| (caller, data.to_vec())));
    }
    fn sol_get_stack_height(&self) -> u64 {
        if !active() {
            return self.inner().sol_get_stack_height();
        }
        with(|c| c.stack.len() as u64)
    }
}

thread_local! {
    /// PDA signers already derived, by caller and seeds: the market authority signs most of a transaction's
    /// invocations, and a derivation costs a curve check.
    static SIGNERS: RefCell<HashMap<Vec<u8>, Option<Pubkey>>> = RefCell::new(HashMap::new());
}

fn signer_address(seeds: &[&[u8]], caller: &Pubkey) -> Result<Pubkey, ProgramError> {
    let mut key = caller.to_bytes().to_vec();
    for seed in seeds {
        key.push(seed.len() as u8);
        key.extend_from_slice(seed);
    }
    let found = SIGNERS.with(|s| s.borrow().get(&key).copied());
    let address = match found {
        Some(address) => address,
        None => {
            let address = Pubkey::create_program_address(seeds, caller).ok();
            SIGNERS.with(|s| {
                let mut s = s.borrow_mut();
                if s.len() >= 1 << 14 {
                    s.clear();
                }
                s.insert(key, address);
            });
            address
        }
    };
    address.ok_or(ProgramError::InvalidSeeds)
}

/// A cross-program invocation inside a native transaction. The callee sees the caller's accounts (the same
/// memory, so its writes are the caller's) with the privileges the instruction asks for, which may not exceed
/// the caller's: a signer must have signed the transaction or be a PDA of the caller's seeds.
fn invoke(instruction: &Instruction, account_infos: &[AccountInfo], signers_seeds: &[&[&[u8]]]) -> ProgramResult {
    let caller = caller();
    let pda_signers: Vec<Pubkey> = signers_seeds
        .iter()
        .map(|seeds| signer_address(seeds, &caller))
        .collect::<Result<_, _>>()?;
    let mut callee = Vec::with_capacity(instruction.accounts.len());
    for meta in &instruction.accounts {
        let info = account_infos.iter().find(|a| *a.key == meta.pubkey).ok_or(ProgramError::NotEnoughAccountKeys)?;
        if meta.is_writable && !info.is_writable {
            return Err(ProgramError::Custom(PRIVILEGE_ESCALATION));
        }
        if meta.is_signer && !info.is_signer && !pda_signers.contains(&meta.pubkey) {
            return Err(ProgramError::MissingRequiredSignature);
        }
        let mut info = info.clone();
        info.is_signer = meta.is_signer;
        info.is_writable = meta.is_writable;
        callee.push(info);
    }
    if instruction.program_id == ballast::ID && caller == ballast::ID && instruction.data.starts_with(anchor_lang::event::EVENT_IX_TAG_LE) {
        // `emit_cpi!`: the event authority signs a self-invocation the program accepts and ignores.
        with(|c| c.events.push(instruction.data.clone()));
        return Ok(());
    }
    push(instruction.program_id);
    let result = programs::process(&instruction.program_id, &callee, &instruction.data);
    pop();
    result
}

/// Not a program error of any program: the runtime's refusal of a writable account the caller holds read-only.
pub(super) const PRIVILEGE_ESCALATION: u32 = 0xBA11_A57;
