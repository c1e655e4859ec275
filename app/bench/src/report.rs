//! The report: Markdown for people, the same figures as JSON, and the targets judged.
use crate::{callgrind::Cost, fit::Fit, heap::SBF_HEAP_BYTES, keeper::ScanRate, scenarios::Call, sizes::Size, spl, stack::Stack};
use anyhow::{bail, Result};
use std::{fmt::Write, path::Path, process::Command};

#[derive(Clone, Debug, serde::Serialize)]
pub struct CostRow {
    pub instruction: String,
    pub own_minus_pda: u64,
    pub inclusive: u64,
    pub spl: Option<u64>,
    pub spl_work: Option<String>,
    /// own − PDA over SPL's cost for the same work.
    pub ratio: Option<f64>,
    /// 0.5 for health-checked instructions, 1.0 for the rest.
    pub target: f64,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct HeapRow {
    pub instruction: String,
    pub total_bytes: u64,
    pub peak_bytes: u64,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Report {
    pub sizes: Vec<Size>,
    pub fits: Vec<Fit>,
    pub costs: Vec<CostRow>,
    pub heap: Vec<HeapRow>,
    pub keeper: Option<ScanRate>,
    pub stack: Option<Stack>,
    /// Targets missed, one line each (empty: all met).
    pub missed: Vec<String>,
    pub notes: Vec<String>,
}

pub fn cost_rows(measured: Vec<(Call, Cost)>) -> Vec<CostRow> {
    measured
        .into_iter()
        .map(|(call, cost)| {
            let spl = spl::equivalent(&call.label);
            let target = if spl::health_checked(&call.label) { 0.5 } else { 1.0 };
            CostRow {
                ratio: spl.as_ref().map(|(s, _)| cost.own_minus_pda as f64 / *s as f64),
                spl: spl.as_ref().map(|(s, _)| *s),
                spl_work: spl.map(|(_, how)| how),
                instruction: call.label,
                own_minus_pda: cost.own_minus_pda,
                inclusive: cost.inclusive,
                target,
            }
        })
        .collect()
}

/// Runs `exe scenarios heap` and reads each call's heap use.
pub fn heap_rows(exe: &Path) -> Result<Vec<HeapRow>> {
    let out = Command::new(exe).args(["scenarios", "heap"]).env("RUST_LOG", "error").output()?;
    if !out.status.success() {
        bail!("the heap scenarios failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("CALL "))
        .map(|l| {
            let c: Call = serde_json::from_str(l)?;
            Ok(HeapRow { instruction: c.label, total_bytes: c.heap_total_bytes, peak_bytes: c.heap_peak_bytes })
        })
        .collect()
}

impl Report {
    /// Records every target the figures miss.
    pub fn judge(&mut self) {
        for c in &self.costs {
            if let Some(r) = c.ratio.filter(|r| *r > c.target) {
                self.missed.push(format!("{}: {:.2}× SPL (target {}×)", c.instruction, r, c.target));
            }
        }
        for h in self.heap.iter().filter(|h| h.total_bytes >= SBF_HEAP_BYTES) {
            self.missed.push(format!("{}: {} heap bytes (SBF has {})", h.instruction, h.total_bytes, SBF_HEAP_BYTES));
        }
        for f in self.fits.iter().filter(|f| !f.fits) {
            self.missed.push(format!("{} at {} does not fit one transaction", f.instruction, f.positions));
        }
        if let Some(k) = &self.keeper {
            if k.screened_per_sec < 2e6 {
                self.missed.push(format!("keeper: {:.0} checks/s (target 2,000,000)", k.screened_per_sec));
            }
            if k.screen_misses > 0 {
                self.missed.push(format!("keeper: the screen cleared {} liquidatable obligations", k.screen_misses));
            }
        }
        if let Some(s) = &self.stack {
            for f in &s.over_limit {
                self.missed.push(format!("stack: {} uses {} bytes (SBF allows 4,096)", f.function, f.bytes));
            }
        }
    }

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = self.write_markdown(&mut s);
        s
    }

    fn write_markdown(&self, s: &mut String) -> std::fmt::Result {
        writeln!(s, "# Ballast benchmark\n")?;
        writeln!(s, "## Account sizes\n\n| account | bytes |\n|---|---|")?;
        for z in &self.sizes {
            writeln!(s, "| {} | {} |", z.account, z.bytes)?;
        }
        writeln!(s, "\n## Transaction fit (1,232 bytes, 64 locks)\n")?;
        writeln!(s, "| instruction | positions | accounts | writable | legacy bytes | v0 bytes | locks | fits |\n|---|---|---|---|---|---|---|---|")?;
        for f in &self.fits {
            writeln!(s, "| {} | {} | {} | {} | {} | {} | {} | {} |", f.instruction, f.positions, f.accounts, f.writable, f.legacy_bytes, f.v0_bytes, f.locks, if f.fits { "yes" } else { "**no**" })?;
        }
        if !self.costs.is_empty() {
            writeln!(s, "\n## Native cost (own − PDA, x86 instructions) against SPL token-lending\n")?;
            writeln!(s, "| instruction | Ballast | SPL, same work | ratio | target |\n|---|---|---|---|---|")?;
            for c in &self.costs {
                let spl = c.spl.map(|x| format!("{} ({})", thousands(x), c.spl_work.clone().unwrap_or_default())).unwrap_or_else(|| "no equivalent".into());
                let ratio = c.ratio.map(|r| format!("{r:.2}×")).unwrap_or_else(|| "-".into());
                writeln!(s, "| {} | {} | {} | {} | ≤ {}× |", c.instruction, thousands(c.own_minus_pda), spl, ratio, c.target)?;
            }
        }
        if let Some(k) = &self.keeper {
            writeln!(s, "\n## Keeper scan rate (one core, {} obligations over {} reserves, {:.0}% within 10% of the threshold, from raw bytes)\n", k.obligations, k.reserves, 100.0 * k.near_edge)?;
            writeln!(s, "| path | checks per second |\n|---|---|")?;
            writeln!(s, "| exact (the program's math) | {} |", thousands(k.exact_per_sec as u64))?;
            writeln!(s, "| f64 screen, then exact for {:.1}% | {} |", 100.0 * (1.0 - k.screen_cleared), thousands(k.screened_per_sec as u64))?;
            writeln!(s, "\nScreen misses (cleared but liquidatable): {}", k.screen_misses)?;
        }
        if let Some(st) = &self.stack {
            writeln!(s, "\n## Stack frames (x86-64 proxy for SBF's 4,096 bytes; {} functions, {} of x86 std's backtrace symbolisation left out: SBF has none)\n\n| function | bytes |\n|---|---|", st.functions, st.excluded_not_on_sbf)?;
            for f in &st.largest {
                writeln!(s, "| `{}` | {} |", f.function.chars().take(110).collect::<String>(), f.bytes)?;
            }
        }
        if !self.heap.is_empty() {
            writeln!(s, "\n## Heap per call (native; SBF's bump heap is 32 KiB)\n\n| instruction | allocated | peak live |\n|---|---|---|")?;
            for h in &self.heap {
                writeln!(s, "| {} | {} | {} |", h.instruction, thousands(h.total_bytes), thousands(h.peak_bytes))?;
            }
        }
        writeln!(s, "\n## Targets\n")?;
        if self.missed.is_empty() {
            writeln!(s, "All met.")?;
        }
        for m in &self.missed {
            writeln!(s, "- missed: {m}")?;
        }
        for n in &self.notes {
            writeln!(s, "- note: {n}")?;
        }
        Ok(())
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
