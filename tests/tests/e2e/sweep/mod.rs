//! Account-substitution sweep, generated from the committed IDL (`idl/ballast.json`).
//!
//! For every instruction the IDL lists and every account slot it declares (composite groups flattened in
//! the order `to_account_metas` emits them), a valid baseline transaction is built on one world of two
//! markets (see `world`), and the slot is substituted in turn by: the same kind of account from another
//! reserve of the market, the same kind from the other market, a copy of the account owned by another
//! program, and a system account; a signer slot by five other keypairs signing instead, and by its key
//! without a signature. Every substitution must be rejected and leave every token balance, cToken supply and
//! account the world knows byte for byte as it was; then the unmodified baseline must succeed, proving the
//! rejections came from the substitution. A second sweep does the same for the remaining accounts: each
//! health list (pairs duplicated, left out, reordered, priced by another reserve, taken from the other
//! market, forged) and each new collateral's price account.
//!
//! Substitutes equal to the original (a market's own authority "from another reserve", the same token
//! program) are identities, counted apart. Slots that legitimately accept a substitute are listed in
//! `exemptions::SKIPS` with their reason and printed; an instruction without a baseline builder fails the
//! sweep. Accepted substitutions are collected and reported together at the end: that list is the defect
//! report (known ones live in `exemptions::DEFECTS`).
//!
//! One case prints a panic that is not a failure: `init_market.market [unsigned]` makes the system program's
//! `create_account` CPI escalate a privilege, and program-test's native CPI shim unwraps that error; the panic
//! is caught and the transaction fails (`ProgramFailedToComplete`), as the real runtime fails it.
mod baselines;
mod cases;
mod exemptions;
mod health;
mod world;

use anchor_lang::solana_program::instruction::Instruction;
use baselines::{Baseline, Remaining};
use cases::{send, substituted, Guard, Substitute};
use exemptions::{DEFECTS, SKIPS};
use world::{Kind, World};
use ballast_tests::sweep::{committed_idl, instructions, IdlInstruction, Slot};
use std::collections::BTreeSet;

#[derive(Default)]
struct Row {
    label: String,
    slots: usize,
    cases: usize,
    identities: usize,
    skipped: usize,
}

#[derive(Default)]
struct Report {
    rows: Vec<Row>,
    /// Exemptions applied, by index into SKIPS.
    skips: BTreeSet<usize>,
    /// Exemptions of DEFECTS whose substitution was accepted as expected.
    defects_seen: BTreeSet<usize>,
    /// Substitutions accepted, or rejections that changed something: the defect report.
    failures: Vec<String>,
}

impl Report {
    /// Sends a case that must be rejected, recording it as a failure unless rejected with nothing changed;
    /// returns whether it was accepted (the state then moved, and `guard` is taken again).
    async fn expect_rejected(&mut self, w: &mut World, guard: &mut Guard, what: String, case: &[Instruction], defect: Option<usize>) -> bool {
        match send(w, case).await {
            Err(_) => {
                let changes = guard.changes(w).await;
                if !changes.is_empty() {
                    self.failures.push(format!("{what}: rejected, but changed {}", changes.join(", ")));
                    *guard = Guard::take(w).await;
                }
                false
            }
            Ok(()) => {
                match defect {
                    Some(index) => {
                        println!("  expected DEFECT, accepted: {what}: {}", DEFECTS[index].reason);
                        self.defects_seen.insert(index);
                    }
                    None => self.failures.push(format!("{what}: accepted")),
                }
                *guard = Guard::take(w).await;
                true
            }
        }
    }

    /// One row per baseline: its slots (or remaining accounts), cases run, identities and skipped substitutes.
    fn print(&self, title: &str, slots: &str) {
        println!("{title}: {:<34} {slots:>8} {:>6} {:>10} {:>7}", "instruction", "cases", "identities", "skipped");
        for r in &self.rows {
            println!("{title}: {:<34} {:>8} {:>6} {:>10} {:>7}", r.label, r.slots, r.cases, r.identities, r.skipped);
        }
    }

    /// Panics with every failure at once.
    fn finish(&self) {
        assert!(
            self.failures.is_empty(),
            "{} substitution(s) not rejected cleanly (the defect report):\n  {}",
            self.failures.len(),
            self.failures.join("\n  ")
        );
    }
}

/// The IDL name of `slot` must describe the account the baseline put there: counts, flags, fixed addresses,
/// and the kind of every account a well-known slot name implies.
fn check_layout(w: &World, ix: &IdlInstruction, b: &Baseline) {
    let metas = &b.ix().accounts;
    assert_eq!(metas.len() - b.remaining, ix.slots.len(), "{}: the baseline names {} accounts, the IDL declares {} slots", b.label, metas.len() - b.remaining, ix.slots.len());
    for (slot, meta) in ix.slots.iter().zip(metas) {
        let at = format!("{}.{}", b.label, slot.path);
        assert_eq!((meta.is_signer, meta.is_writable), (slot.signer, slot.writable), "{at}: signer and writable flags differ from the IDL's");
        if let Some(address) = slot.address {
            assert_eq!(meta.pubkey, address, "{at}: the IDL pins another address");
        }
        if let Some(kind) = implied_kind(slot) {
            let role = w.role_of(&meta.pubkey).unwrap_or_else(|| panic!("{at}: {} has no role in the world", meta.pubkey));
            assert_eq!(role.kind, kind, "{at}: the baseline puts another kind of account there");
        }
    }
}

fn implied_kind(slot: &Slot) -> Option<Kind> {
    Some(match slot.name() {
        "market" => Kind::Market,
        "market_authority" => Kind::MarketAuthority,
        "reserve" | "debt_reserve" => Kind::Reserve,
        "liquidity_mint" => Kind::LiquidityMint,
        "liquidity_vault" => Kind::LiquidityVault,
        "ctoken_mint" => Kind::CTokenMint,
        "collateral_vault" => Kind::CollateralVault,
        "fee_vault" => Kind::FeeVault,
        "price" => Kind::Price,
        "obligation" => Kind::Obligation,
        "token_program" => Kind::TokenProgram,
        "system_program" | "instructions" => Kind::Fixed,
        _ => return None,
    })
}

/// Sends the unmodified baseline, which must succeed, and records its effects. After an accepted
/// substitution changed the state the baseline may no longer apply: that is reported, not fatal.
async fn baseline_succeeds(w: &mut World, b: Baseline, report: &mut Report, after_accepted: bool) {
    match send(w, &b.ixs).await {
        Ok(()) => baselines::apply(w, b.effects).await,
        Err(e) if after_accepted => report.failures.push(format!("{}: the baseline failed after an accepted substitution: {e:?}", b.label)),
        Err(e) => panic!("{}: the unmodified baseline fails, so its rejections prove nothing: {e:?}", b.label),
    }
}

async fn sweep_slots(w: &mut World, ix: &IdlInstruction, b: Baseline, report: &mut Report) {
    check_layout(w, ix, &b);
    let mut row = Row { label: b.label.clone(), slots: ix.slots.len(), ..Row::default() };
    let mut guard = Guard::take(w).await;
    let mut accepted = false;
    for (index, slot) in ix.slots.iter().enumerate() {
        let at = format!("{}.{}", b.label, slot.path);
        for substitute in Substitute::for_slot(slot) {
            let Some(case) = substituted(w, &b.ixs, b.target, &ix.slots, index, substitute).await else {
                row.identities += 1;
                continue;
            };
            if let Some(skip) = SKIPS.iter().position(|e| e.covers(&at, substitute)) {
                report.skips.insert(skip);
                row.skipped += 1;
                continue;
            }
            row.cases += 1;
            let defect = DEFECTS.iter().position(|e| e.covers(&at, substitute));
            accepted |= report.expect_rejected(w, &mut guard, format!("{at} [{substitute}]"), &case, defect).await;
        }
    }
    report.rows.push(row);
    baseline_succeeds(w, b, report, accepted).await;
}

/// Every substitution of `b`'s remaining accounts (see `health`), then the baseline.
async fn sweep_remaining(w: &mut World, b: Baseline, report: &mut Report) {
    let mut row = Row { label: b.label.clone(), slots: b.remaining, ..Row::default() };
    let mut guard = Guard::take(w).await;
    let mut accepted = false;
    let named = b.ix().accounts.len() - b.remaining;
    for case in health::list_cases(w, &b).await {
        let mut ixs = b.ixs.clone();
        ixs[b.target].accounts.truncate(named);
        ixs[b.target].accounts.extend(case.list);
        row.cases += 1;
        accepted |= report.expect_rejected(w, &mut guard, format!("{}: {}", b.label, case.name), &ixs, None).await;
    }
    report.rows.push(row);
    baseline_succeeds(w, b, report, accepted).await;
}

#[tokio::test]
async fn every_instruction_fails_with_any_substituted_account() {
    let started = std::time::Instant::now();
    let idl = instructions(&committed_idl());
    let mut w = World::build().await;
    let mut report = Report::default();
    for ix in &idl {
        for b in baselines::build(&mut w, &ix.name).await {
            sweep_slots(&mut w, ix, b, &mut report).await;
        }
    }
    report.print("sweep", "slots");
    let slots: usize = idl.iter().map(|ix| ix.slots.len()).sum();
    let cases: usize = report.rows.iter().map(|r| r.cases).sum();
    let identities: usize = report.rows.iter().map(|r| r.identities).sum();
    println!("sweep: {} instructions, {slots} slots, {cases} cases run, {} slots skipped", idl.len(), report.skips.len());
    println!("sweep: {identities} substitutes equal to the original (identities, not run); {:.1} s", started.elapsed().as_secs_f64());
    for index in &report.skips {
        println!("  {}: {}", SKIPS[*index].describe(), SKIPS[*index].reason);
    }
    for stale in (0..SKIPS.len()).filter(|i| !report.skips.contains(i)) {
        report.failures.push(format!("{}: a skip entry that matches no substitution of the sweep (stale)", SKIPS[stale].describe()));
    }
    for (i, d) in DEFECTS.iter().enumerate().filter(|(i, _)| !report.defects_seen.contains(i)) {
        println!("  DEFECT entry {i} no longer accepted (fixed? remove it): {}", d.describe());
    }
    report.finish();
    w.t.assert_invariants().await;
}

#[tokio::test]
async fn every_health_list_fails_with_substituted_remaining_accounts() {
    let started = std::time::Instant::now();
    let idl = instructions(&committed_idl());
    let mut w = World::build().await;
    let mut report = Report::default();
    for ix in &idl {
        for b in baselines::build(&mut w, &ix.name).await {
            check_layout(&w, ix, &b);
            match b.list {
                Remaining::None => baseline_succeeds(&mut w, b, &mut report, false).await,
                _ => sweep_remaining(&mut w, b, &mut report).await,
            }
        }
    }
    report.print("health sweep", "accounts");
    let cases: usize = report.rows.iter().map(|r| r.cases).sum();
    println!("health sweep: {} lists, {cases} cases run; {:.1} s", report.rows.len(), started.elapsed().as_secs_f64());
    assert!(report.rows.iter().any(|r| r.label == "liquidate:ctokens"), "the sweep reaches the health lists");
    report.finish();
    w.t.assert_invariants().await;
}
