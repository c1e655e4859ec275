//! Heap use per instruction, native run: a counting allocator that counts only what the program allocates
//! while it runs (`ballast_sdk::cluster::IN_PROGRAM`), not the bank's own allocations nor those of the token
//! program behind a CPI (the syscall stubs are wrapped to pause counting). SBF's default heap is a 32 KiB bump
//! allocator that never frees, so the figure to hold against 32 KiB is the total allocated in one call.
use anchor_lang::solana_program::{account_info::AccountInfo, entrypoint::ProgramResult, instruction::Instruction, pubkey::Pubkey};
use ballast_sdk::cluster::{ENTRY_CALLS, IN_PROGRAM};
use solana_sysvar::program_stubs::{set_syscall_stubs, SyscallStubs};
use std::{
    alloc::{GlobalAlloc, Layout, System},
    sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed},
};

/// SBF's default heap, bytes.
pub const SBF_HEAP_BYTES: u64 = 32 * 1024;

static IN_STUB: AtomicBool = AtomicBool::new(false);
/// Counting is off unless the heap run turns it on, so instruction counts carry no counting overhead.
static ENABLED: AtomicBool = AtomicBool::new(false);
static CALL: AtomicU64 = AtomicU64::new(0);
static TOTAL: AtomicU64 = AtomicU64::new(0);
static LIVE: AtomicU64 = AtomicU64::new(0);
static PEAK: AtomicU64 = AtomicU64::new(0);
/// The counters of recent calls, by call index modulo the ring's length (two calls of one transaction, say).
const RING: usize = 64;
static RING_CALL: [AtomicU64; RING] = [const { AtomicU64::new(0) }; RING];
static RING_TOTAL: [AtomicU64; RING] = [const { AtomicU64::new(0) }; RING];
static RING_PEAK: [AtomicU64; RING] = [const { AtomicU64::new(0) }; RING];

/// Heap use of one program call.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct CallHeap {
    /// Bytes allocated in the call (what a bump allocator uses up).
    pub total_bytes: u64,
    /// Most bytes live at once.
    pub peak_bytes: u64,
}

/// The heap use of program call `call` (1-based, as ENTRY_CALLS counts); zeros if it allocated nothing or is
/// too long ago.
pub fn of_call(call: u64) -> CallHeap {
    if CALL.load(Relaxed) == call {
        return CallHeap { total_bytes: TOTAL.load(Relaxed), peak_bytes: PEAK.load(Relaxed) };
    }
    let i = call as usize % RING;
    if RING_CALL[i].load(Relaxed) == call {
        return CallHeap { total_bytes: RING_TOTAL[i].load(Relaxed), peak_bytes: RING_PEAK[i].load(Relaxed) };
    }
    CallHeap::default()
}

fn counting() -> bool {
    ENABLED.load(Relaxed) && IN_PROGRAM.load(Relaxed) && !IN_STUB.load(Relaxed)
}

fn on_alloc(size: u64) {
    let call = ENTRY_CALLS.load(Relaxed);
    let previous = CALL.swap(call, Relaxed);
    if previous != call {
        let i = previous as usize % RING;
        RING_CALL[i].store(previous, Relaxed);
        RING_TOTAL[i].store(TOTAL.load(Relaxed), Relaxed);
        RING_PEAK[i].store(PEAK.load(Relaxed), Relaxed);
        TOTAL.store(0, Relaxed);
        LIVE.store(0, Relaxed);
        PEAK.store(0, Relaxed);
    }
    TOTAL.fetch_add(size, Relaxed);
    let live = LIVE.fetch_add(size, Relaxed) + size;
    PEAK.fetch_max(live, Relaxed);
}

pub struct Counting;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counting() {
            on_alloc(layout.size() as u64);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if counting() {
            let _ = LIVE.fetch_update(Relaxed, Relaxed, |v| Some(v.saturating_sub(layout.size() as u64)));
        }
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if counting() {
            // A bump allocator copies into a fresh block.
            on_alloc(new_size as u64);
            let _ = LIVE.fetch_update(Relaxed, Relaxed, |v| Some(v.saturating_sub(layout.size() as u64)));
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Pauses counting while a syscall stub (a CPI, a log, a sysvar read) runs.
struct Paused;
impl Paused {
    fn new() -> Self {
        IN_STUB.store(true, Relaxed);
        Paused
    }
}
impl Drop for Paused {
    fn drop(&mut self) {
        IN_STUB.store(false, Relaxed);
    }
}

/// program-test's syscall stubs, each call paused.
struct PausingStubs(Box<dyn SyscallStubs>);

struct Placeholder;
impl SyscallStubs for Placeholder {}

/// Turns counting on and wraps the syscall stubs in force (call after every bank start: program-test installs
/// its own).
pub fn pause_in_stubs() {
    ENABLED.store(true, Relaxed);
    let inner = set_syscall_stubs(Box::new(Placeholder));
    set_syscall_stubs(Box::new(PausingStubs(inner)));
}

impl SyscallStubs for PausingStubs {
    fn sol_log(&self, message: &str) {
        let _p = Paused::new();
        self.0.sol_log(message)
    }
    fn sol_log_compute_units(&self) {
        let _p = Paused::new();
        self.0.sol_log_compute_units()
    }
    fn sol_remaining_compute_units(&self) -> u64 {
        let _p = Paused::new();
        self.0.sol_remaining_compute_units()
    }
    fn sol_invoke_signed(&self, instruction: &Instruction, account_infos: &[AccountInfo], signers_seeds: &[&[&[u8]]]) -> ProgramResult {
        let _p = Paused::new();
        self.0.sol_invoke_signed(instruction, account_infos, signers_seeds)
    }
    fn sol_get_sysvar(&self, sysvar_id_addr: *const u8, var_addr: *mut u8, offset: u64, length: u64) -> u64 {
        let _p = Paused::new();
        self.0.sol_get_sysvar(sysvar_id_addr, var_addr, offset, length)
    }
    fn sol_get_clock_sysvar(&self, var_addr: *mut u8) -> u64 {
        let _p = Paused::new();
        self.0.sol_get_clock_sysvar(var_addr)
    }
    fn sol_get_epoch_schedule_sysvar(&self, var_addr: *mut u8) -> u64 {
        let _p = Paused::new();
        self.0.sol_get_epoch_schedule_sysvar(var_addr)
    }
    fn sol_get_fees_sysvar(&self, var_addr: *mut u8) -> u64 {
        let _p = Paused::new();
        self.0.sol_get_fees_sysvar(var_addr)
    }
    fn sol_get_rent_sysvar(&self, var_addr: *mut u8) -> u64 {
        let _p = Paused::new();
        self.0.sol_get_rent_sysvar(var_addr)
    }
    fn sol_get_epoch_rewards_sysvar(&self, var_addr: *mut u8) -> u64 {
        let _p = Paused::new();
        self.0.sol_get_epoch_rewards_sysvar(var_addr)
    }
    fn sol_get_last_restart_slot(&self, var_addr: *mut u8) -> u64 {
        let _p = Paused::new();
        self.0.sol_get_last_restart_slot(var_addr)
    }
    fn sol_get_epoch_stake(&self, vote_address: *const u8) -> u64 {
        let _p = Paused::new();
        self.0.sol_get_epoch_stake(vote_address)
    }
    unsafe fn sol_memcpy(&self, dst: *mut u8, src: *const u8, n: usize) {
        unsafe { self.0.sol_memcpy(dst, src, n) }
    }
    unsafe fn sol_memmove(&self, dst: *mut u8, src: *const u8, n: usize) {
        unsafe { self.0.sol_memmove(dst, src, n) }
    }
    unsafe fn sol_memcmp(&self, s1: *const u8, s2: *const u8, n: usize, result: *mut i32) {
        unsafe { self.0.sol_memcmp(s1, s2, n, result) }
    }
    unsafe fn sol_memset(&self, s: *mut u8, c: u8, n: usize) {
        unsafe { self.0.sol_memset(s, c, n) }
    }
    fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
        let _p = Paused::new();
        self.0.sol_get_return_data()
    }
    fn sol_set_return_data(&self, data: &[u8]) {
        let _p = Paused::new();
        self.0.sol_set_return_data(data)
    }
    fn sol_log_data(&self, fields: &[&[u8]]) {
        let _p = Paused::new();
        self.0.sol_log_data(fields)
    }
    fn sol_get_processed_sibling_instruction(&self, index: usize) -> Option<Instruction> {
        let _p = Paused::new();
        self.0.sol_get_processed_sibling_instruction(index)
    }
    fn sol_get_stack_height(&self) -> u64 {
        let _p = Paused::new();
        self.0.sol_get_stack_height()
    }
}
