//! The measured program calls, run in-process through the test harness: each scenario builds its state, lets
//! an hour pass (so every measured call accrues interest, as SPL's refresh_reserve does), then makes the calls
//! it names. The `scenarios` subcommand prints one JSON line per measured call with its 1-based index among
//! every call into the program in this process (what callgrind's per-call dumps are numbered by) and, in
//! `heap` mode, its heap use.
use crate::heap;
use anyhow::Result;
use ballast::state::FLAG_FLASH_ENABLED;
use ballast_sdk::cluster::ENTRY_CALLS;
use ballast_tests::{Asset, ReserveInfo, TestContext, User};
use std::sync::atomic::Ordering::Relaxed;

/// One measured call.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Call {
    pub label: String,
    /// 1-based index among every call into the program in the process.
    pub call: u64,
    pub heap_total_bytes: u64,
    pub heap_peak_bytes: u64,
}

/// Every label, in the order the scenarios make the calls.
pub const LABELS: &[&str] = &[
    "deposit_liquidity",
    "redeem_collateral",
    "deposit_collateral",
    "borrow 1+1",
    "repay",
    "flash_borrow",
    "flash_repay",
    "liquidate 1+1",
    "socialize_bad_debt",
    "borrow 5+5",
    "withdraw_collateral 5+5",
    "borrow 8+8",
    "liquidate 8+8",
];

struct Recorder {
    heap: bool,
    calls: Vec<Call>,
}

impl Recorder {
    /// Records that the next call into the program is `label` (the harness sends one program call per action).
    fn next_is(&mut self, label: &str) -> u64 {
        let call = ENTRY_CALLS.load(Relaxed) + 1;
        self.calls.push(Call { label: label.into(), call, heap_total_bytes: 0, heap_peak_bytes: 0 });
        call
    }

    fn done(&mut self) {
        if let Some(last) = self.calls.last_mut() {
            if self.heap {
                let h = heap::of_call(last.call);
                (last.heap_total_bytes, last.heap_peak_bytes) = (h.total_bytes, h.peak_bytes);
            }
        }
    }

    async fn context(&self) -> TestContext {
        let t = TestContext::new().await;
        if self.heap {
            heap::pause_in_stubs();
        }
        t
    }
}

const HOUR: i64 = 3_600;

/// USDC and SOL; Alice supplies, redeems, pledges, borrows, repays; a flash loan; a liquidation at 1+1; a
/// write-off of debt left without collateral.
async fn one_and_one(r: &mut Recorder) {
    let mut t = r.context().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(100_000.0).config(|c| c.flags |= FLAG_FLASH_ENABLED).build().await;
    let sol = t.reserve(Asset::Sol).liquidity(1_000.0).build().await;
    let alice = t.user().funded(&sol, 20.0).funded(&usdc, 1_000.0).build().await;
    let bob = t.user().funded(&sol, 1.0).build().await;
    let liquidator = t.user().funded(&usdc, 100_000.0).build().await;
    t.deposit(&alice, &sol, sol.amount(10.0)).await;
    t.deposit_liquidity_and_collateral(&bob, &sol, sol.amount(1.0)).await;
    t.borrow(&bob, &usdc, usdc.amount(100.0)).await;
    t.advance(HOUR).await;

    r.next_is("deposit_liquidity");
    t.deposit(&alice, &sol, sol.amount(5.0)).await;
    r.done();
    r.next_is("redeem_collateral");
    t.redeem(&alice, &sol, sol.amount(1.0)).await;
    r.done();
    r.next_is("deposit_collateral");
    t.deposit_collateral(&alice, &sol, sol.amount(10.0)).await;
    r.done();
    r.next_is("borrow 1+1");
    t.borrow(&alice, &usdc, usdc.amount(1_000.0)).await;
    r.done();
    r.next_is("repay");
    t.repay(&alice, &alice, &usdc, usdc.amount(100.0)).await;
    r.done();
    let first = r.next_is("flash_borrow");
    r.calls.push(Call { label: "flash_repay".into(), call: first + 1, heap_total_bytes: 0, heap_peak_bytes: 0 });
    t.flash(&alice, &usdc, usdc.amount(10_000.0)).await;
    if r.heap {
        for c in r.calls.iter_mut().rev().take(2) {
            let h = heap::of_call(c.call);
            (c.heap_total_bytes, c.heap_peak_bytes) = (h.total_bytes, h.peak_bytes);
        }
    }

    t.set_price(&sol, 95.0); // Bob: 1 SOL × $95 × 85% < $100
    r.next_is("liquidate 1+1");
    t.liquidate(&liquidator, &bob, &usdc, &sol).await;
    r.done();
    t.set_price(&sol, 10.0);
    while !t.obligation_state(&bob).await.active_deposits().is_empty() {
        t.liquidate(&liquidator, &bob, &usdc, &sol).await;
    }
    r.next_is("socialize_bad_debt");
    t.try_socialize_bad_debt(&bob, &usdc).await.expect("socialize_bad_debt");
    r.done();
}

/// Alice pledges $1,000 in each of `n` collateral reserves and borrows $100 from each of `n` debt reserves.
async fn full(r: &Recorder, n: usize, table: bool) -> (TestContext, Vec<ReserveInfo>, Vec<ReserveInfo>, User) {
    let mut t = r.context().await;
    let names = ["A", "B", "C", "D", "E", "F", "G", "H"];
    let mut collateral = vec![];
    let mut debt = vec![];
    for name in &names[..n] {
        collateral.push(t.reserve(Asset::Custom(Box::leak(format!("C{name}").into_boxed_str()), 6, 1.0)).build().await);
    }
    for name in &names[..n] {
        debt.push(t.reserve(Asset::Custom(Box::leak(format!("D{name}").into_boxed_str()), 6, 1.0)).liquidity(10_000.0).build().await);
    }
    if table {
        t.create_lookup_table().await;
    }
    let mut builder = t.user();
    for c in &collateral {
        builder = builder.funded(c, 1_000.0);
    }
    let alice = builder.build().await;
    for c in &collateral {
        t.deposit_liquidity_and_collateral(&alice, c, c.amount(1_000.0)).await;
    }
    for d in &debt {
        t.borrow(&alice, d, d.amount(100.0)).await;
    }
    t.advance(HOUR).await;
    (t, collateral, debt, alice)
}

async fn five_and_five(r: &mut Recorder) {
    let (mut t, collateral, debt, alice) = full(r, 5, true).await; // ten pairs need the table
    r.next_is("borrow 5+5");
    t.borrow(&alice, &debt[4], debt[4].amount(100.0)).await;
    r.done();
    r.next_is("withdraw_collateral 5+5");
    t.withdraw_collateral(&alice, &collateral[2], collateral[2].amount(100.0)).await;
    r.done();
}

async fn eight_and_eight(r: &mut Recorder) {
    let (mut t, collateral, debt, alice) = full(r, 8, true).await;
    r.next_is("borrow 8+8");
    t.borrow(&alice, &debt[7], debt[7].amount(300.0)).await;
    r.done();
    for c in &collateral {
        t.set_price(c, 0.15); // $8,000 × 0.15 × 85% = $1,020 < $1,100 of debt
    }
    let liquidator = t.user().funded(&debt[7], 10_000.0).build().await;
    r.next_is("liquidate 8+8");
    t.liquidate(&liquidator, &alice, &debt[7], &collateral[0]).await;
    r.done();
}

/// Runs every scenario (or with `only_first`, the 1+1 one); `heap` measures heap use per call (the syscall
/// stubs are then wrapped, so do not combine with an instruction count).
pub async fn run(heap: bool, only_first: bool) -> Vec<Call> {
    let mut r = Recorder { heap, calls: vec![] };
    one_and_one(&mut r).await;
    if !only_first {
        five_and_five(&mut r).await;
        eight_and_eight(&mut r).await;
    }
    r.calls
}

/// The `scenarios [cost|heap] [first]` subcommand: prints one JSON line per measured call.
pub fn main(args: &[String]) -> Result<()> {
    let heap = args.first().map(String::as_str) == Some("heap");
    let only_first = args.get(1).map(String::as_str) == Some("first");
    let calls = tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run(heap, only_first));
    for c in calls {
        println!("CALL {}", serde_json::to_string(&c)?);
    }
    println!("CALLS {}", ENTRY_CALLS.load(Relaxed));
    Ok(())
}
