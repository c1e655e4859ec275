//! A live cluster over JSON-RPC.
use super::{clock_unix_timestamp, Cluster, Filter, TxEvents};
use crate::errors::describe_transaction_error;
use anchor_lang::prelude::Pubkey;
use anyhow::{anyhow, Result};
use solana_account::Account;
use solana_commitment_config::CommitmentConfig;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::{
    config::{RpcAccountInfoConfig, RpcProgramAccountsConfig},
    filter::{Memcmp, RpcFilterType},
};
use solana_message::AddressLookupTableAccount;

pub struct Rpc {
    pub client: RpcClient,
    payer: Keypair,
    /// Fault injection for tests ([`Rpc::drop_next_blockhash`]).
    drop_next_blockhash: std::sync::atomic::AtomicBool,
}

/// Further attempts, each with a fresh blockhash, after a transaction's blockhash was dropped (unknown to the
/// node, or expired before the client saw the transaction confirmed). Before signing again the client asks for
/// the signature's status with history: a transaction that landed after all is not sent twice; one that did not
/// can never land (its blockhash is gone), so signing again is safe.
pub const BLOCKHASH_RETRIES: u32 = 2;

impl Rpc {
    /// A client for `url` at `confirmed` commitment; `payer` signs and pays for every transaction.
    pub fn new(url: &str, payer: Keypair) -> Self {
        Self { client: RpcClient::new_with_commitment(url.to_string(), CommitmentConfig::confirmed()), payer, drop_next_blockhash: false.into() }
    }

    /// Test hook: the next send signs its first attempt with a blockhash no cluster knows, as if the one it
    /// fetched had expired in flight, so the retry path runs against a real node.
    pub fn drop_next_blockhash(&self) {
        self.drop_next_blockhash.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Whether `e` says the transaction's blockhash is gone: refused at preflight as unknown, or expired before
/// the client could confirm it (the node then no longer accepts it either).
fn blockhash_dropped(e: &solana_rpc_client_api::client_error::Error) -> bool {
    matches!(e.get_transaction_error(), Some(solana_transaction_error::TransactionError::BlockhashNotFound)) || e.to_string().contains("unable to confirm transaction")
}

/// `(json_rpc_url, keypair_path)` from the Solana CLI config file, when it exists
/// (`$SOLANA_CONFIG`, else `~/.config/solana/cli/config.yml`).
pub fn solana_cli_config() -> Option<(Option<String>, Option<String>)> {
    let path = match std::env::var_os("SOLANA_CONFIG") {
        Some(p) => std::path::PathBuf::from(p),
        None => std::path::PathBuf::from(std::env::var_os("HOME")?).join(".config/solana/cli/config.yml"),
    };
    let text = std::fs::read_to_string(path).ok()?;
    let field = |name: &str| {
        text.lines().find_map(|line| {
            let value = line.trim().strip_prefix(name)?.trim_start().strip_prefix(':')?;
            Some(value.trim().trim_matches(|c| c == '"' || c == '\'').to_string()).filter(|v| !v.is_empty())
        })
    };
    Some((field("json_rpc_url"), field("keypair_path")))
}

impl Cluster for Rpc {
    fn payer(&self) -> &Keypair {
        &self.payer
    }

    async fn account(&self, key: &Pubkey) -> Result<Option<Account>> {
        Ok(self.client.get_account_with_commitment(key, self.client.commitment()).await?.value)
    }

    async fn accounts(&self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            out.extend(self.client.get_multiple_accounts(chunk).await?);
        }
        Ok(out)
    }

    async fn program_accounts(&self, program: &Pubkey, filters: &[Filter]) -> Result<Vec<(Pubkey, Account)>> {
        let filters = filters
            .iter()
            .map(|f| match f {
                Filter::DataSize(n) => RpcFilterType::DataSize(*n),
                Filter::Memcmp { offset, bytes } => RpcFilterType::Memcmp(Memcmp::new_raw_bytes(*offset, bytes.clone())),
            })
            .collect();
        let config = RpcProgramAccountsConfig {
            filters: Some(filters),
            account_config: RpcAccountInfoConfig {
                encoding: Some(solana_rpc_client_api::response::UiAccountEncoding::Base64),
                commitment: Some(self.client.commitment()),
                ..Default::default()
            },
            ..Default::default()
        };
        Ok(self.client.get_program_accounts_with_config(program, config).await?)
    }

    async fn send_with_tables(&self, ixs: &[Instruction], signers: &[&Keypair], tables: &[AddressLookupTableAccount]) -> Result<String> {
        let mut attempt = 0;
        loop {
            let mut blockhash = self.client.get_latest_blockhash().await?;
            if self.drop_next_blockhash.swap(false, std::sync::atomic::Ordering::Relaxed) {
                blockhash = solana_message::Hash::from([0x5a_u8; 32]);
            }
            let tx = crate::tx::build(ixs, &self.payer, signers, blockhash, tables)?;
            crate::tx::require_fits(&tx)?;
            match self.client.send_and_confirm_transaction(&tx).await {
                Ok(signature) => return Ok(signature.to_string()),
                Err(e) if attempt < BLOCKHASH_RETRIES && blockhash_dropped(&e) => {
                    // Expired while the client waited: if it landed after all (seen at no commitment the client
                    // polled), that is the answer; signing again would send it twice.
                    let signature = tx.signatures[0];
                    let landed = self.client.get_signature_statuses_with_history(&[signature]).await?.value.into_iter().next().flatten();
                    if let Some(status) = landed {
                        return match status.err {
                            None => Ok(signature.to_string()),
                            Some(err) => Err(anyhow!(describe_transaction_error(&err))),
                        };
                    }
                    attempt += 1;
                }
                Err(e) => {
                    return match e.get_transaction_error() {
                        Some(tx_err) => Err(anyhow!(describe_transaction_error(&tx_err))),
                        None => Err(anyhow!("{e}")),
                    }
                }
            }
        }
    }

    /// getSignaturesForAddress for each address (newest first, `limit` each), then getTransaction for the
    /// newest `limit` distinct signatures that succeeded; events come from their inner instructions.
    async fn ballast_transactions(&self, addresses: &[Pubkey], limit: usize) -> Result<Vec<TxEvents>> {
        self.transactions(addresses, limit, &mut std::collections::HashSet::new()).await
    }

    /// Only signatures not in `seen` are fetched with getTransaction, so a poller's round costs one
    /// getSignaturesForAddress per address plus one getTransaction per new transaction.
    async fn new_ballast_transactions(&self, addresses: &[Pubkey], limit: usize, seen: &mut std::collections::HashSet<String>) -> Result<Vec<TxEvents>> {
        self.transactions(addresses, limit, seen).await
    }

    async fn now(&self) -> Result<i64> {
        let clock = self.account(&<anchor_lang::prelude::Clock as anchor_lang::solana_program::sysvar::SysvarId>::id()).await?.ok_or_else(|| anyhow!("no clock sysvar"))?;
        clock_unix_timestamp(&clock.data)
    }
}

impl Rpc {
    /// The events of the newest `limit` successful transactions naming any of `addresses` that are not in
    /// `seen`; each one read is added to `seen` (with events or not), so it is never fetched twice.
    async fn transactions(&self, addresses: &[Pubkey], limit: usize, seen: &mut std::collections::HashSet<String>) -> Result<Vec<TxEvents>> {
        use solana_rpc_client::rpc_client::GetConfirmedSignaturesForAddress2Config;
        let mut found: Vec<(u64, String)> = vec![];
        for address in addresses {
            let config = GetConfirmedSignaturesForAddress2Config { limit: Some(limit.min(1_000)), commitment: Some(self.client.commitment()), ..Default::default() };
            for status in self.client.get_signatures_for_address_with_config(address, config).await? {
                if status.err.is_none() && !seen.contains(&status.signature) && !found.iter().any(|(_, s)| *s == status.signature) {
                    found.push((status.slot, status.signature));
                }
            }
        }
        found.sort_by_key(|(slot, _)| std::cmp::Reverse(*slot));
        let mut out = vec![];
        for (slot, signature) in found {
            if out.len() == limit {
                break;
            }
            let events = self.transaction_events(&signature).await?;
            seen.insert(signature.clone());
            if !events.is_empty() {
                out.push(TxEvents { signature, slot, events });
            }
        }
        Ok(out)
    }

    /// The Ballast events of one confirmed transaction, read from its inner instructions.
    async fn transaction_events(&self, signature: &str) -> Result<Vec<crate::events::BallastEvent>> {
        use solana_rpc_client_api::config::RpcTransactionConfig;
        use solana_transaction_status_client_types::{option_serializer::OptionSerializer, UiInstruction, UiTransactionEncoding};
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Base64),
            commitment: Some(self.client.commitment()),
            max_supported_transaction_version: Some(0),
        };
        let signature: solana_signature::Signature = signature.parse().map_err(|e| anyhow!("signature {signature}: {e}"))?;
        let tx = self.client.get_transaction_with_config(&signature, config).await?;
        let decoded = tx.transaction.transaction.decode().ok_or_else(|| anyhow!("transaction {signature} does not decode"))?;
        let Some(meta) = tx.transaction.meta else { return Ok(vec![]) };
        let parse = |keys: &[String]| keys.iter().map(|k| k.parse::<Pubkey>().map_err(|e| anyhow!("{k}: {e}"))).collect::<Result<Vec<_>>>();
        let mut keys = decoded.message.static_account_keys().to_vec();
        if let OptionSerializer::Some(loaded) = &meta.loaded_addresses {
            keys.extend(parse(&loaded.writable)?);
            keys.extend(parse(&loaded.readonly)?);
        }
        let OptionSerializer::Some(inner) = meta.inner_instructions else { return Ok(vec![]) };
        let mut out = vec![];
        for ix in inner.iter().flat_map(|group| &group.instructions) {
            let UiInstruction::Compiled(ix) = ix else { continue };
            let Ok(data) = bs58::decode(&ix.data).into_vec() else { continue };
            let compiled = solana_message::compiled_instruction::CompiledInstruction { program_id_index: ix.program_id_index, accounts: ix.accounts.clone(), data };
            out.extend(crate::events::from_compiled(&keys, &compiled));
        }
        Ok(out)
    }
}
