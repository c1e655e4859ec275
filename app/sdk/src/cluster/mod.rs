//! Where transactions go: a live cluster over RPC, or an in-process bank.
mod in_process;
pub mod native;
mod rpc;

pub use in_process::{ballast_processor, program_test, quiet_program_logs, InProcess, ENTRY_CALLS, IN_PROGRAM};
pub use rpc::{solana_cli_config, Rpc};

use anchor_lang::prelude::Pubkey;
use anyhow::Result;
use solana_account::Account;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::AddressLookupTableAccount;

/// A getProgramAccounts filter.
#[derive(Clone, Debug)]
pub enum Filter {
    DataSize(u64),
    Memcmp { offset: usize, bytes: Vec<u8> },
}

impl Filter {
    pub fn matches(&self, data: &[u8]) -> bool {
        match self {
            Filter::DataSize(n) => data.len() as u64 == *n,
            Filter::Memcmp { offset, bytes } => data.get(*offset..offset + bytes.len()) == Some(bytes.as_slice()),
        }
    }
}

/// One confirmed transaction's Ballast events.
#[derive(Clone, Debug)]
pub struct TxEvents {
    pub signature: String,
    pub slot: u64,
    pub events: Vec<crate::events::BallastEvent>,
}

/// The operations clients need from a cluster. Every method takes `&self`, so one cluster can be shared.
#[allow(async_fn_in_trait)]
pub trait Cluster {
    /// Pays fees for every transaction `send` submits.
    fn payer(&self) -> &Keypair;
    async fn account(&self, key: &Pubkey) -> Result<Option<Account>>;
    async fn accounts(&self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            out.push(self.account(key).await?);
        }
        Ok(out)
    }
    /// Accounts owned by `program` that pass every filter.
    async fn program_accounts(&self, program: &Pubkey, filters: &[Filter]) -> Result<Vec<(Pubkey, Account)>>;
    /// Sends `ixs` in one transaction signed by the payer and `signers`, and waits until it is confirmed.
    /// A failed transaction is an error whose message names the Ballast error when there is one.
    async fn send(&self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<String> {
        self.send_with_tables(ixs, signers, &[]).await
    }
    /// As `send`, as a v0 transaction loading accounts from `tables` when a legacy one would not fit
    /// ([`crate::tx::build`]). A transaction mainnet would refuse (over 1,232 bytes or 64 account locks) is
    /// refused before it is sent, whatever the backend enforces.
    async fn send_with_tables(&self, ixs: &[Instruction], signers: &[&Keypair], tables: &[AddressLookupTableAccount]) -> Result<String>;
    /// The cluster clock's unix time.
    async fn now(&self) -> Result<i64>;
    /// The Ballast events of the most recent transactions (up to `limit`) that name any of `addresses`,
    /// newest first. A transaction without events is left out.
    async fn ballast_transactions(&self, addresses: &[Pubkey], limit: usize) -> Result<Vec<TxEvents>>;
    /// As `ballast_transactions`, leaving out the signatures in `seen` and adding every one it examines: a
    /// poller passes the same set each round and fetches only what it has not read before.
    async fn new_ballast_transactions(&self, addresses: &[Pubkey], limit: usize, seen: &mut std::collections::HashSet<String>) -> Result<Vec<TxEvents>> {
        let txs = self.ballast_transactions(addresses, limit).await?;
        Ok(txs.into_iter().filter(|t| seen.insert(t.signature.clone())).collect())
    }
    /// The cluster clock's slot.
    async fn slot(&self) -> Result<u64> {
        let id = <anchor_lang::prelude::Clock as anchor_lang::solana_program::sysvar::SysvarId>::id();
        let clock = self.account(&id).await?.ok_or_else(|| anyhow::anyhow!("no clock sysvar"))?;
        let bytes: [u8; 8] = clock.data.get(0..8).ok_or_else(|| anyhow::anyhow!("short clock sysvar"))?.try_into()?;
        Ok(u64::from_le_bytes(bytes))
    }
}

/// Unix time from the Clock sysvar's bytes (slot, epoch_start_timestamp, epoch, leader_schedule_epoch,
/// unix_timestamp).
pub(crate) fn clock_unix_timestamp(data: &[u8]) -> Result<i64> {
    let bytes: [u8; 8] = data.get(32..40).ok_or_else(|| anyhow::anyhow!("short clock sysvar"))?.try_into()?;
    Ok(i64::from_le_bytes(bytes))
}


