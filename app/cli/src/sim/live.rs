//! A market snapshot kept in step with the chain: after every transaction only the accounts it could write
//! are read again and folded in (`MarketSnapshot::apply`), so a path never re-reads the whole market. The
//! keeper runs on it through `Recorder`, which notes what each of its transactions wrote.
use anyhow::Result;
use ballast_sdk::{
    cluster::{Filter, TxEvents},
    events::BallastEvent,
    Cluster, InProcess, Keypair, MarketSnapshot, Pubkey,
};
use solana_account::Account;
use solana_instruction::Instruction;
use solana_message::AddressLookupTableAccount;
use std::sync::Mutex;

/// The writable accounts `ixs` name, each once.
pub fn writable(ixs: &[Instruction]) -> Vec<Pubkey> {
    let mut keys: Vec<Pubkey> = vec![];
    for m in ixs.iter().flat_map(|ix| ix.accounts.iter()).filter(|m| m.is_writable) {
        if !keys.contains(&m.pubkey) {
            keys.push(m.pubkey);
        }
    }
    keys
}

pub struct Live<'c> {
    pub cluster: &'c InProcess,
    pub snap: MarketSnapshot,
    /// How much of the cluster's event history has been read.
    events_read: usize,
}

impl<'c> Live<'c> {
    pub async fn load(cluster: &'c InProcess, market: &Pubkey) -> Result<Self> {
        let snap = MarketSnapshot::load(cluster, market).await?;
        let (_, events_read) = cluster.events_since(usize::MAX);
        Ok(Self { cluster, snap, events_read })
    }

    /// Sends `ixs`; on success folds in every account they could have written.
    pub async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<()> {
        self.cluster.send(ixs, signers).await?;
        self.refresh(&writable(ixs)).await
    }

    /// Reads `keys` again and folds them into the snapshot.
    pub async fn refresh(&mut self, keys: &[Pubkey]) -> Result<()> {
        for key in keys {
            let account = self.cluster.account(key).await?;
            self.snap.apply(*key, account)?;
        }
        Ok(())
    }

    /// Writes a price account and folds it in.
    pub async fn set_price_account(&mut self, key: &Pubkey, account: Account) -> Result<()> {
        self.cluster.set_account(key, account.clone()).await;
        self.snap.apply(*key, Some(account))?;
        Ok(())
    }

    /// Moves the clock to unix time `now`.
    pub async fn set_time(&mut self, now: i64) -> Result<()> {
        self.cluster.set_time(now).await?;
        self.snap.now = now;
        Ok(())
    }

    /// The events of the transactions committed since the last call, oldest first.
    pub fn new_events(&mut self) -> Vec<BallastEvent> {
        let (txs, len) = self.cluster.events_since(self.events_read);
        self.events_read = len;
        txs.into_iter().flat_map(|tx| tx.events).collect()
    }
}

/// A cluster that forwards everything to `inner` and remembers the writable accounts of every transaction that
/// succeeded, so a snapshot can be brought up to date after code that sends on its own (the keeper).
pub struct Recorder<'c> {
    pub inner: &'c InProcess,
    pub written: Mutex<Vec<Pubkey>>,
}

impl<'c> Recorder<'c> {
    pub fn new(inner: &'c InProcess) -> Self {
        Self { inner, written: Mutex::new(vec![]) }
    }

    /// What the transactions sent through it so far could have written.
    pub fn take_written(&self) -> Vec<Pubkey> {
        std::mem::take(&mut *self.written.lock().expect("recorder lock"))
    }
}

impl Cluster for Recorder<'_> {
    fn payer(&self) -> &Keypair {
        self.inner.payer()
    }
    async fn account(&self, key: &Pubkey) -> Result<Option<Account>> {
        self.inner.account(key).await
    }
    async fn program_accounts(&self, program: &Pubkey, filters: &[Filter]) -> Result<Vec<(Pubkey, Account)>> {
        self.inner.program_accounts(program, filters).await
    }
    async fn send_with_tables(&self, ixs: &[Instruction], signers: &[&Keypair], tables: &[AddressLookupTableAccount]) -> Result<String> {
        let signature = self.inner.send_with_tables(ixs, signers, tables).await?;
        self.written.lock().expect("recorder lock").extend(writable(ixs));
        Ok(signature)
    }
    async fn now(&self) -> Result<i64> {
        self.inner.now().await
    }
    async fn ballast_transactions(&self, addresses: &[Pubkey], limit: usize) -> Result<Vec<TxEvents>> {
        self.inner.ballast_transactions(addresses, limit).await
    }
}
