//! `ballast-migrate`: a market and its reserves as a TOML spec, applied idempotently.
//! `plan` prints what differs between the spec and the cluster; `apply` makes the cluster match.
pub mod plan;
pub mod spec;

pub use plan::{apply, plan, Plan, Route, Step};
pub use spec::Spec;

use anyhow::{anyhow, Context, Result};
use solana_keypair::Keypair;
use std::path::Path;

/// Reads a Solana keypair file (a JSON array of 64 bytes).
pub fn read_keypair(path: &Path) -> Result<Keypair> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read keypair file {}", path.display()))?;
    let bytes: Vec<u8> = serde_json::from_str(&text).map_err(|_| anyhow!("{} is not a keypair file (a JSON array of 64 bytes)", path.display()))?;
    Keypair::try_from(bytes.as_slice()).map_err(|_| anyhow!("{} is not a keypair file (a JSON array of 64 bytes)", path.display()))
}

/// Writes `keypair` as a Solana keypair file.
pub fn write_keypair(path: &Path, keypair: &Keypair) -> Result<()> {
    let json = serde_json::to_string(&keypair.to_bytes().to_vec())?;
    std::fs::write(path, json).with_context(|| format!("cannot write keypair file {}", path.display()))
}

/// The market keypair the spec names, resolved against the spec's directory; created when `create`.
pub fn market_keypair(spec: &Spec, spec_path: &Path, create: bool) -> Result<Option<Keypair>> {
    let path = spec_path.parent().unwrap_or(Path::new(".")).join(&spec.market.keypair);
    if path.exists() {
        return read_keypair(&path).map(Some);
    }
    if !create {
        return Ok(None);
    }
    let keypair = Keypair::new();
    write_keypair(&path, &keypair)?;
    Ok(Some(keypair))
}
