//! What an account-substitution sweep needs from the harness: every instruction of the committed IDL with its
//! account slots flattened in the order Anchor's `to_account_metas` emits them (composite groups inline, depth
//! first), and a byte-for-byte record of any set of accounts, to prove a rejected transaction changed nothing.
use crate::{idl::committed_path, TestContext};
use anchor_lang::prelude::Pubkey;
use anchor_lang_idl::types::{Idl, IdlInstructionAccountItem};
use solana_account::Account;
use std::collections::BTreeMap;

/// One account meta an instruction takes, as the IDL declares it.
#[derive(Clone, Debug, PartialEq)]
pub struct Slot {
    /// Dotted path through the composite groups: `position.vaults.reserve`.
    pub path: String,
    pub signer: bool,
    pub writable: bool,
    /// The fixed address the IDL pins (programs, sysvars).
    pub address: Option<Pubkey>,
}

impl Slot {
    /// The account's own name, without its groups: `reserve` for `position.vaults.reserve`.
    pub fn name(&self) -> &str {
        self.path.rsplit('.').next().unwrap_or(&self.path)
    }

    /// The composite group holding the slot (`position.vaults`), empty at the top level.
    pub fn group(&self) -> &str {
        self.path.rsplit_once('.').map_or("", |(group, _)| group)
    }
}

/// An instruction of the IDL and its flattened account slots.
#[derive(Clone, Debug)]
pub struct IdlInstruction {
    pub name: String,
    pub slots: Vec<Slot>,
}

/// The committed `idl/ballast.json`.
pub fn committed_idl() -> Idl {
    let path = committed_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// Every instruction of `idl`, in the IDL's order, with its slots flattened.
pub fn instructions(idl: &Idl) -> Vec<IdlInstruction> {
    idl.instructions
        .iter()
        .map(|ix| {
            let mut slots = vec![];
            flatten(&ix.accounts, "", &mut slots);
            IdlInstruction { name: ix.name.clone(), slots }
        })
        .collect()
}

fn flatten(items: &[IdlInstructionAccountItem], prefix: &str, out: &mut Vec<Slot>) {
    for item in items {
        match item {
            IdlInstructionAccountItem::Single(account) => out.push(Slot {
                path: format!("{prefix}{}", account.name),
                signer: account.signer,
                writable: account.writable,
                address: account.address.as_ref().map(|a| a.parse().unwrap_or_else(|e| panic!("IDL address {a}: {e:?}"))),
            }),
            IdlInstructionAccountItem::Composite(group) => flatten(&group.accounts, &format!("{prefix}{}.", group.name), out),
        }
    }
}

/// Each account of a set, whole (lamports, owner, data), `None` where it does not exist.
pub type AccountRecord = BTreeMap<Pubkey, Option<Account>>;

impl TestContext {
    /// The accounts at `keys` as they are now.
    pub async fn record(&mut self, keys: impl IntoIterator<Item = Pubkey>) -> AccountRecord {
        let mut record = AccountRecord::new();
        for key in keys {
            if !record.contains_key(&key) {
                let account = self.account(&key).await;
                record.insert(key, account);
            }
        }
        record
    }

    /// The keys whose account differs from `before` now.
    pub async fn changed_since(&mut self, before: &AccountRecord) -> Vec<Pubkey> {
        let now = self.record(before.keys().copied()).await;
        before.iter().filter(|(key, account)| now.get(key) != Some(account)).map(|(key, _)| *key).collect()
    }
}
