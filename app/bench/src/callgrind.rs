//! Native instruction counts per program call, by the method of the team's perf notes: run the scenarios
//! under callgrind with one dump per call of the program's entry, then count what on-chain would be the
//! program's own work: inclusive − syscall stubs (CPI, logs, sysvars) − native PDA derivation (sha256 and curve
//! point decompression natively; a cheap syscall on-chain). A ratio against SPL token-lending measured the same
//! way is meaningful; the absolute figure is not a compute-unit count.
use crate::scenarios::Call;
use anyhow::{bail, Context, Result};
use std::{collections::HashMap, path::Path, process::Command};

/// The function callgrind toggles on: the SDK's never-inlined top-level call of the program (an event's
/// self-invocation runs inside it, so one call is one dump).
pub const ENTRY_FN: &str = "ballast_sdk::cluster::in_process::program_call";
/// program-test's syscall stubs: the on-chain syscalls, run natively.
const STUB_PREFIX: &str = "<solana_program_test::SyscallStubs as solana_sysvar::program_stubs::SyscallStubs>::";
/// What native PDA derivation calls from the program's code (see the perf notes: solana 3.x inlines
/// create_program_address into Anchor's account validation).
const PDA_CALLEES: &[&str] = &[
    "curve25519_dalek::edwards::CompressedEdwardsY::decompress",
    "digest::FixedOutput::finalize_fixed",
    "<D as digest::digest::Digest>::update",
    "sha2::sha256::compress256",
];

/// One call's counts.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Cost {
    pub inclusive: u64,
    /// Syscall stubs and `msg!` printing (a log syscall on chain).
    pub stubs: u64,
    pub pda: u64,
    /// inclusive − stubs − pda.
    pub own_minus_pda: u64,
}

/// Whether valgrind can be run here.
pub fn available() -> bool {
    Command::new("valgrind").arg("--version").output().map(|o| o.status.success()).unwrap_or(false)
}

/// Runs `exe scenarios cost` under callgrind in `dir`; returns each measured call's label and counts.
pub fn measure(exe: &Path, dir: &Path) -> Result<Vec<(Call, Cost)>> {
    measure_scenarios(exe, dir, false)
}

/// The check `.ci/run` makes: the 1+1 scenario under callgrind must leave exactly one dump per program call,
/// numbered as the scenario numbers its calls (a mismatch once left every cost figure unreproducible).
/// Returns (calls, dumps).
pub fn check(exe: &Path, dir: &Path) -> Result<(usize, usize)> {
    let measured = measure_scenarios(exe, dir, true)?;
    let dumps = dumps(dir)?;
    let calls = ENTRY_CALLS_IN_RUN.with(|c| c.get());
    if dumps.len() != calls {
        bail!("callgrind wrote {} dumps for {calls} program calls", dumps.len());
    }
    Ok((measured.len(), dumps.len()))
}

std::thread_local! {
    /// How many program calls the last measured run made (the last call's number).
    static ENTRY_CALLS_IN_RUN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Dump files in `dir` by call number: `<prefix>.<pid>.<n>`, n from 1.
fn dumps(dir: &Path) -> Result<HashMap<u64, std::path::PathBuf>> {
    let mut dumps = HashMap::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy().to_string();
        if let Some(n) = name.rsplit('.').next().and_then(|n| n.parse::<u64>().ok()) {
            if name.matches('.').count() >= 3 {
                dumps.insert(n, path);
            }
        }
    }
    Ok(dumps)
}

fn measure_scenarios(exe: &Path, dir: &Path, only_first: bool) -> Result<Vec<(Call, Cost)>> {
    std::fs::create_dir_all(dir)?;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("cg.out")) {
            std::fs::remove_file(path)?;
        }
    }
    let out = Command::new("valgrind")
        .args(["--tool=callgrind", "--collect-atstart=no", "--smc-check=all-non-file"])
        .arg(format!("--toggle-collect={ENTRY_FN}"))
        .arg(format!("--dump-after={ENTRY_FN}"))
        .arg(format!("--callgrind-out-file={}/cg.out.%p", dir.display()))
        .arg(exe)
        .args(["scenarios", "cost"])
        .args(only_first.then_some("first"))
        .env("RUST_LOG", "error")
        .output()
        .context("running valgrind")?;
    if !out.status.success() {
        bail!("the scenarios failed under callgrind: {}", String::from_utf8_lossy(&out.stderr).lines().rev().take(20).collect::<Vec<_>>().join("\n"));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let calls: Vec<Call> = stdout.lines().filter_map(|l| l.strip_prefix("CALL ")).map(serde_json::from_str).collect::<Result<_, _>>()?;
    let total = stdout.lines().find_map(|l| l.strip_prefix("CALLS ")).and_then(|n| n.trim().parse::<usize>().ok()).unwrap_or(0);
    ENTRY_CALLS_IN_RUN.with(|c| c.set(total));
    // Dumps are numbered per call of ENTRY_FN: <prefix>.<pid>.<n>, n from 1.
    let dumps = dumps(dir)?;
    calls
        .into_iter()
        .map(|c| {
            let dump = dumps.get(&c.call).with_context(|| format!("no callgrind dump for call {} ({})", c.call, c.label))?;
            let cost = cost_of(dump)?;
            Ok((c, cost))
        })
        .collect()
}

/// The counts in one dump.
pub fn cost_of(dump: &Path) -> Result<Cost> {
    let text = std::fs::read_to_string(dump)?;
    let p = parse(&text);
    let stubs: u64 = p.inclusive.iter().filter(|(f, _)| f.starts_with(STUB_PREFIX)).map(|(_, c)| c).sum();
    // Natively `msg!` prints through std instead of calling the sol_log stub; on chain it is that syscall.
    let logs: u64 = p.edges.iter().filter(|((caller, callee), _)| caller.contains("ballast") && callee == "std::io::stdio::_print").map(|(_, c)| c).sum();
    let stubs = stubs + logs;
    let pda: u64 = p
        .edges
        .iter()
        .filter(|((caller, callee), _)| caller.contains("ballast") && (PDA_CALLEES.contains(&callee.as_str()) || callee.ends_with("program_address")))
        .map(|(_, c)| c)
        .sum();
    Ok(Cost { inclusive: p.total, stubs, pda, own_minus_pda: p.total.saturating_sub(stubs).saturating_sub(pda) })
}

struct Parsed {
    total: u64,
    inclusive: HashMap<String, u64>,
    /// (caller, callee) -> inclusive cost of the calls.
    edges: HashMap<(String, String), u64>,
}

/// A callgrind out-file: self cost per function, inclusive cost = self + the cost of calls to other functions,
/// and the caller → callee edges.
fn parse(text: &str) -> Parsed {
    let mut names: HashMap<String, String> = HashMap::new();
    let mut self_cost: HashMap<String, u64> = HashMap::new();
    let mut call_cost: HashMap<String, u64> = HashMap::new();
    let mut edges: HashMap<(String, String), u64> = HashMap::new();
    let (mut current, mut callee) = (String::new(), String::new());
    let (mut in_call, mut total) = (false, 0u64);
    let resolve = |names: &mut HashMap<String, String>, value: &str| -> String {
        match value.strip_prefix('(').and_then(|v| v.split_once(')')) {
            Some((id, rest)) => {
                let rest = rest.trim_start();
                if !rest.is_empty() {
                    names.insert(id.to_string(), rest.to_string());
                }
                names.get(id).cloned().unwrap_or_default()
            }
            None => value.to_string(),
        }
    };
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("fn=") {
            current = resolve(&mut names, v);
        } else if let Some(v) = line.strip_prefix("cfn=") {
            callee = resolve(&mut names, v);
        } else if line.starts_with("calls=") {
            in_call = true;
        } else if let Some(v) = line.strip_prefix("totals:").or_else(|| line.strip_prefix("summary:")) {
            total = v.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
        } else if line.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '-' || c == '*') {
            let cost: u64 = line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0);
            if in_call {
                if callee != current {
                    *call_cost.entry(current.clone()).or_default() += cost;
                }
                *edges.entry((current.clone(), callee.clone())).or_default() += cost;
                in_call = false;
            } else {
                *self_cost.entry(current.clone()).or_default() += cost;
            }
        }
    }
    let mut inclusive = self_cost.clone();
    for (f, c) in call_cost {
        *inclusive.entry(f).or_default() += c;
    }
    Parsed { total, inclusive, edges }
}
