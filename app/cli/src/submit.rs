//! How every write command ends: say what it will do, then send it (or, with `--dry-run`, not), in text
//! or as one JSON object.
use anyhow::Result;
use ballast_sdk::{Cluster, Keypair};
use serde_json::{json, Value};
use solana_message::AddressLookupTableAccount;
use std::io::Write;

pub use anchor_lang::solana_program::instruction::Instruction;

/// The output and sending switches every write command shares.
#[derive(Clone, Copy, Debug, Default)]
pub struct Mode {
    pub dry_run: bool,
    pub json: bool,
}

/// One write command's plan: a one-line summary, the lines that explain it (a config diff, when it applies),
/// and machine-readable details for `--json`.
pub struct Plan {
    pub action: String,
    pub lines: Vec<String>,
    pub details: Value,
}

impl Plan {
    pub fn new(action: impl Into<String>) -> Self {
        Self { action: action.into(), lines: vec![], details: json!({}) }
    }

    pub fn line(mut self, line: impl Into<String>) -> Self {
        self.lines.push(line.into());
        self
    }

    pub fn lines(mut self, lines: impl IntoIterator<Item = String>) -> Self {
        self.lines.extend(lines);
        self
    }

    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

/// Prints `plan`, then sends `ixs` in one transaction signed by `signers` unless this is a dry run.
/// Returns the signature when sent.
pub async fn submit(
    cluster: &impl Cluster,
    ixs: &[Instruction],
    signers: &[&Keypair],
    tables: &[AddressLookupTableAccount],
    plan: Plan,
    mode: Mode,
    out: &mut impl Write,
) -> Result<Option<String>> {
    if !mode.json {
        writeln!(out, "{}", plan.action)?;
        for line in &plan.lines {
            writeln!(out, "  {line}")?;
        }
    }
    let signature = match mode.dry_run {
        true => None,
        false => Some(cluster.send_with_tables(ixs, signers, tables).await?),
    };
    if mode.json {
        let value = json!({
            "action": plan.action,
            "plan": plan.lines,
            "details": plan.details,
            "dry_run": mode.dry_run,
            "signature": signature,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
    } else {
        match &signature {
            Some(sig) => writeln!(out, "sent: {sig}")?,
            None => writeln!(out, "dry run: nothing sent")?,
        }
    }
    Ok(signature)
}
