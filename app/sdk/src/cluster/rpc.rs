//! A live cluster over JSON-RPC.
use super::{clock_unix_timestamp, Cluster, Filter};
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
}

impl Rpc {
    /// A client for `url` at `confirmed` commitment; `payer` signs and pays for every transaction.
    pub fn new(url: &str, payer: Keypair) -> Self {
        Self { client: RpcClient::new_with_commitment(url.to_string(), CommitmentConfig::confirmed()), payer }
    }
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
        let blockhash = self.client.get_latest_blockhash().await?;
        let tx = crate::tx::build(ixs, &self.payer, signers, blockhash, tables)?;
        crate::tx::require_fits(&tx)?;
        match self.client.send_and_confirm_transaction(&tx).await {
            Ok(signature) => Ok(signature.to_string()),
            Err(e) => match e.get_transaction_error() {
                Some(tx_err) => Err(anyhow!(describe_transaction_error(&tx_err))),
                None => Err(anyhow!("{e}")),
            },
        }
    }

    async fn now(&self) -> Result<i64> {
        let clock = self.account(&<anchor_lang::prelude::Clock as anchor_lang::solana_program::sysvar::SysvarId>::id()).await?.ok_or_else(|| anyhow!("no clock sysvar"))?;
        clock_unix_timestamp(&clock.data)
    }
}
