//! The check that lets paths run on native ledgers: a sampled path runs again on solana-program-test (every
//! runtime rule enforced, the real SBF SPL Token), from the same market, and every account the path touched
//! must end the same on both, byte for byte: data, owner and lamports (the fee payers, which only the bank
//! charges, apart).
use super::{baseline, path::{self, Config, Inputs}, path_seed, scenario::Scenario};
use crate::world::World;
use anyhow::{bail, Result};
use ballast_sdk::{Cluster, Signer};
use serde::Serialize;

/// A path that ran on both kinds of ledger and ended the same.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Verified {
    pub path: usize,
    /// Accounts compared, per config.
    pub accounts: usize,
    /// Seconds the bank took for both configs.
    pub bank_seconds: f64,
}

/// Runs path `i` of `s` under both configs on banks forked from `template` and compares every account with the
/// native worlds the path ended in.
pub async fn path(s: &Scenario, i: usize, template: &World, native_ballast: &World, native_base: &World) -> Result<Verified> {
    let started = std::time::Instant::now();
    let inputs = Inputs::draw(s, path_seed(s.seed, i))?;
    let mut compared = 0;
    for (config, native) in [(Config::Ballast, native_ballast), (Config::Baseline, native_base)] {
        let bank = template.fork_bank().await?;
        let population = path::populate(s, &bank, &inputs).await?;
        if config == Config::Baseline {
            baseline::rewrite_configs(&bank.cluster, &bank.market, &baseline::spl_baseline(&bank.spec)).await?;
        }
        path::run(s, &bank, &inputs, &population, config).await?;
        compared = compare(&bank, native).await?;
    }
    Ok(Verified { path: i, accounts: compared, bank_seconds: started.elapsed().as_secs_f64() })
}

/// Every account either world knows, but the fee payers, must be equal; returns how many were compared.
pub async fn compare(bank: &World, native: &World) -> Result<usize> {
    let payers = [bank.cluster.payer().pubkey(), native.cluster.payer().pubkey()];
    let mut keys = bank.cluster.known_keys();
    keys.extend(native.cluster.known_keys());
    keys.sort();
    keys.dedup();
    let mut compared = 0;
    for key in keys.iter().filter(|k| !payers.contains(k)) {
        let strip = |a: Option<solana_account::Account>| a.filter(|a| a.lamports > 0 && !a.executable).map(|a| (a.lamports, a.owner, a.data));
        let (a, b) = (strip(bank.cluster.account(key).await?), strip(native.cluster.account(key).await?));
        if a != b {
            bail!("account {key} differs between the bank and the native ledger: {:?} vs {:?}", a.map(|x| (x.0, x.1, x.2.len())), b.map(|x| (x.0, x.1, x.2.len())));
        }
        compared += 1;
    }
    Ok(compared)
}
