//! Substitutes for one account slot, and sending a case: signed by whoever its metas name as signers, then
//! judged rejected or accepted, with every account the world knows compared byte for byte.
use super::world::{Actor, Kind, Party, Role, World};
use anchor_lang::{
    prelude::{AccountMeta, Pubkey},
    solana_program::instruction::Instruction,
};
use ballast_tests::{attack::FORGER_PROGRAM_ID, invariants::Snapshot, sweep::{AccountRecord, Slot}, *};
use solana_account::Account;
use solana_program_test::BanksClientError;
use std::fmt;

/// What takes a slot's place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Substitute {
    /// The same kind of account, of another reserve of the same market (another obligation of the market).
    OtherReserve,
    /// The same kind of account, of the other market (the same party's, where it is a party's).
    OtherMarket,
    /// A copy of the account, data and all, owned by a program no one deployed.
    ForeignOwner,
    /// A funded account of the system program that belongs to no one involved.
    SystemAccount,
    /// Another keypair signs in the signer's place.
    Signer(Actor),
    /// The signer's key, but no signature.
    Unsigned,
}

impl Substitute {
    /// The substitutes a slot gets: signers are replaced by other signers, other accounts by accounts.
    pub fn for_slot(slot: &Slot) -> Vec<Substitute> {
        if slot.signer {
            Actor::ALL.iter().map(|a| Substitute::Signer(*a)).chain([Substitute::Unsigned]).collect()
        } else {
            vec![Substitute::OtherReserve, Substitute::OtherMarket, Substitute::ForeignOwner, Substitute::SystemAccount]
        }
    }
}

impl fmt::Display for Substitute {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Substitute::OtherReserve => write!(f, "another reserve of the market"),
            Substitute::OtherMarket => write!(f, "the other market"),
            Substitute::ForeignOwner => write!(f, "owned by another program"),
            Substitute::SystemAccount => write!(f, "a system account"),
            Substitute::Signer(actor) => write!(f, "signed by {}", actor.describe()),
            Substitute::Unsigned => write!(f, "unsigned"),
        }
    }
}

/// The transaction `ixs` with slot `index` of instruction `target` replaced by `substitute`; `None` when the
/// substitute is the account already there (an identity, not a case).
pub async fn substituted(w: &mut World, ixs: &[Instruction], target: usize, slots: &[Slot], index: usize, substitute: Substitute) -> Option<Vec<Instruction>> {
    let original = ixs[target].accounts[index].pubkey;
    let mut out = ixs.to_vec();
    let meta = &mut out[target].accounts[index];
    let key = match substitute {
        Substitute::OtherReserve | Substitute::OtherMarket => same_kind_elsewhere(w, ixs[target].accounts.as_slice(), slots, index, substitute)?,
        Substitute::ForeignOwner => forged_copy(w, &original).await,
        Substitute::SystemAccount => w.stranger,
        Substitute::Signer(actor) => w.actor(actor).pubkey(),
        Substitute::Unsigned => {
            let signs_elsewhere = ixs.iter().enumerate().any(|(i, ix)| {
                ix.accounts.iter().enumerate().any(|(j, m)| m.pubkey == original && m.is_signer && (i, j) != (target, index))
            });
            if signs_elsewhere {
                return None;
            }
            meta.is_signer = false;
            return Some(out);
        }
    };
    if key == original {
        return None;
    }
    meta.pubkey = key;
    Some(out)
}

/// The account of the same kind as the one at `index`, from another reserve of its market (for an obligation,
/// another obligation of the market) or from the other market; `None` when the kind has no such counterpart
/// (a program or sysvar, a market "from another reserve").
fn same_kind_elsewhere(w: &World, metas: &[AccountMeta], slots: &[Slot], index: usize, substitute: Substitute) -> Option<Pubkey> {
    let key = metas[index].pubkey;
    let role = w.role_of(&key).unwrap_or_else(|| panic!("{} ({key}) has no role in the sweep's world", slots[index].path));
    let elsewhere = substitute == Substitute::OtherMarket;
    let other = match role.kind {
        Kind::Fixed => return None,
        Kind::Market | Kind::MarketAuthority if !elsewhere => return None,
        Kind::TokenProgram => {
            let (m, i) = slot_reserve(w, metas, slots, index);
            let (m, i) = match elsewhere {
                true => w.other_market(m, Some(i)),
                false => (m, Some(w.other_reserve(i))),
            };
            return Some(w.reserves_of(m)[i.expect("a reserve")].token_program());
        }
        // Another reserve's (or market's) ticket of the same number: an address the program never made for this queue.
        Kind::Ticket => {
            let (m, i) = match elsewhere {
                true => w.other_market(role.market, role.reserve),
                false => (role.market, Some(w.other_reserve(role.reserve.expect("a ticket's reserve")))),
            };
            return Some(ballast_sdk::pda::ticket(&w.reserves_of(m)[i.expect("a reserve")].key, role.id as u64));
        }
        // Wallets belong to no market: another party's stands in for one.
        Kind::Wallet if elsewhere => return None,
        Kind::Wallet => Role { party: Some(if role.party == Some(Party::Mallory) { Party::Alice } else { Party::Mallory }), ..role },
        Kind::Obligation if elsewhere => Role { market: w.other_market(role.market, None).0, id: 0, ..role },
        // A new obligation stands against the owner's live one; a live one against another owner's.
        Kind::Obligation if role.id != 0 => Role { id: 0, ..role },
        Kind::Obligation => Role { party: Some(if role.party == Some(Party::Mallory) { Party::Alice } else { Party::Mallory }), ..role },
        _ if elsewhere => {
            let (market, reserve) = w.other_market(role.market, role.reserve);
            Role { market, reserve, ..role }
        }
        _ => Role { reserve: Some(w.other_reserve(role.reserve.expect("a reserve's account"))), ..role },
    };
    Some(w.key_of(&other).unwrap_or_else(|| panic!("{}: the world has no {other:?}", slots[index].path)))
}

/// The (market, reserve index) a token program slot serves: the `reserve` of its group, else of the
/// instruction's top level.
fn slot_reserve(w: &World, metas: &[AccountMeta], slots: &[Slot], index: usize) -> (usize, usize) {
    let group = slots[index].group();
    let position = slots
        .iter()
        .position(|s| s.group() == group && s.name() == "reserve")
        .or_else(|| slots.iter().position(|s| s.group().is_empty() && s.name() == "reserve"))
        .unwrap_or_else(|| panic!("{}: no reserve slot tells which reserve the token program serves", slots[index].path));
    let role = w.role_of(&metas[position].pubkey).expect("the reserve has a role");
    (role.market, role.reserve.expect("a reserve"))
}

/// A copy of the account at `key` (an empty one where none exists) owned by the forger program, at a fresh
/// address.
pub async fn forged_copy(w: &mut World, key: &Pubkey) -> Pubkey {
    let account = w.t.account(key).await.map(|a| Account { owner: FORGER_PROGRAM_ID, executable: false, ..a });
    let account = account.unwrap_or(Account { lamports: 1_000_000_000, data: vec![], owner: FORGER_PROGRAM_ID, executable: false, rent_epoch: 0 });
    let copy = Pubkey::new_unique();
    w.t.forge_account(&copy, account);
    copy
}

/// Sends `ixs` signed by every key their metas mark as a signer. `Err` is a rejection by the runtime or the
/// program; a transport failure fails the sweep.
pub async fn send(w: &mut World, ixs: &[Instruction]) -> Result<(), BanksClientError> {
    let mut keys: Vec<Pubkey> = ixs.iter().flat_map(|ix| ix.accounts.iter().filter(|m| m.is_signer).map(|m| m.pubkey)).collect();
    keys.sort();
    keys.dedup();
    let keypairs: Vec<Keypair> = keys.iter().map(|k| w.keypair(k)).collect();
    let signers: Vec<&Keypair> = keypairs.iter().collect();
    let result = w.t.send(ixs, &signers).await;
    if let Err(e) = &result {
        if !matches!(e, BanksClientError::TransactionError(_) | BanksClientError::SimulationError { .. }) {
            panic!("transport failure, not a rejection: {e:?}");
        }
    }
    result
}

/// The state a rejected case must leave exactly as it was: the harness's snapshot (token balances, cToken
/// supplies, Ballast accounts) and every account the world knows, whole.
pub struct Guard {
    snapshot: Snapshot,
    record: AccountRecord,
}

impl Guard {
    pub async fn take(w: &mut World) -> Guard {
        let watched = w.watched();
        Guard { snapshot: w.t.snapshot().await, record: w.t.record(watched).await }
    }

    /// What changed since the guard was taken, by name; empty when nothing did.
    pub async fn changes(&self, w: &mut World) -> Vec<String> {
        let mut changes: Vec<String> = w.t.changed_since(&self.record).await.iter().map(|k| format!("account {k}")).collect();
        if w.t.snapshot().await != self.snapshot {
            changes.push("the harness snapshot (balances, cToken supplies or Ballast accounts)".into());
        }
        changes
    }
}
