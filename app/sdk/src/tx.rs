//! Transactions that fit mainnet: a legacy transaction when it fits, else a v0 transaction that loads accounts
//! from the market's address lookup table; and the check every sent transaction passes (solana-program-test
//! enforces neither limit, so a green test would otherwise prove nothing about mainnet).
use anchor_lang::prelude::Pubkey;
use anyhow::{bail, Result};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::{v0, AddressLookupTableAccount, Hash, VersionedMessage};
use solana_signer::Signer;
use solana_transaction::{versioned::VersionedTransaction, Transaction};

/// Largest serialized transaction the network accepts, bytes (the IPv6 MTU minus headers).
pub const MAX_TX_BYTES: usize = 1_232;
/// Most accounts one transaction may lock on mainnet (program-test allows 128).
pub const MAX_ACCOUNT_LOCKS: usize = 64;
/// Bytes of an address lookup table account before its addresses.
const LOOKUP_TABLE_META_BYTES: usize = 56;

/// How a transaction measures against mainnet's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fit {
    /// Serialized size, bytes.
    pub bytes: usize,
    /// Accounts the transaction locks (static keys plus those loaded from tables).
    pub locks: usize,
    /// Accounts it locks for writing.
    pub writable: usize,
    /// Whether it is a v0 transaction with table lookups.
    pub versioned: bool,
}

impl Fit {
    pub fn fits(&self) -> bool {
        self.bytes <= MAX_TX_BYTES && self.locks <= MAX_ACCOUNT_LOCKS
    }
}

/// The addresses stored in an address lookup table account's data.
pub fn lookup_table_addresses(data: &[u8]) -> Result<Vec<Pubkey>> {
    if data.len() < LOOKUP_TABLE_META_BYTES || (data.len() - LOOKUP_TABLE_META_BYTES) % 32 != 0 {
        bail!("not an address lookup table account ({} bytes)", data.len());
    }
    Ok(data[LOOKUP_TABLE_META_BYTES..].chunks_exact(32).map(|c| Pubkey::try_from(c).expect("32 bytes")).collect())
}

/// Measures `tx`.
pub fn fit(tx: &VersionedTransaction) -> Fit {
    let bytes = bincode::serialized_size(tx).map(|n| n as usize).unwrap_or(usize::MAX);
    let message = &tx.message;
    let static_keys = message.static_account_keys().len();
    let (loaded, loaded_writable) = match message {
        VersionedMessage::V0(m) => m
            .address_table_lookups
            .iter()
            .fold((0, 0), |(all, w), l| (all + l.writable_indexes.len() + l.readonly_indexes.len(), w + l.writable_indexes.len())),
        VersionedMessage::Legacy(_) => (0, 0),
    };
    let static_writable = (0..static_keys).filter(|i| message.is_maybe_writable(*i, None)).count();
    Fit {
        bytes,
        locks: static_keys + loaded,
        writable: static_writable + loaded_writable,
        versioned: loaded > 0,
    }
}

/// Fails, naming the limit, unless `tx` fits mainnet.
pub fn require_fits(tx: &VersionedTransaction) -> Result<Fit> {
    let f = fit(tx);
    if f.bytes > MAX_TX_BYTES {
        bail!("transaction is {} bytes; mainnet accepts at most {MAX_TX_BYTES} (add the market's lookup table)", f.bytes);
    }
    if f.locks > MAX_ACCOUNT_LOCKS {
        bail!("transaction locks {} accounts; mainnet allows at most {MAX_ACCOUNT_LOCKS}", f.locks);
    }
    Ok(f)
}

/// `ixs` signed by `payer` (first) and `signers`: legacy when that fits in MAX_TX_BYTES or no table is given,
/// else v0 with every account the `tables` hold loaded from them.
pub fn build(ixs: &[Instruction], payer: &Keypair, signers: &[&Keypair], blockhash: Hash, tables: &[AddressLookupTableAccount]) -> Result<VersionedTransaction> {
    let keys = signer_keys(ixs, payer, signers);
    let legacy = VersionedTransaction::from(Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &keys, blockhash));
    if tables.is_empty() || fit(&legacy).bytes <= MAX_TX_BYTES {
        return Ok(legacy);
    }
    build_v0(ixs, payer, signers, blockhash, tables)
}

/// `ixs` as a v0 transaction loading from `tables` every account they hold that need not be static.
pub fn build_v0(ixs: &[Instruction], payer: &Keypair, signers: &[&Keypair], blockhash: Hash, tables: &[AddressLookupTableAccount]) -> Result<VersionedTransaction> {
    let keys = signer_keys(ixs, payer, signers);
    let message = v0::Message::try_compile(&payer.pubkey(), ixs, tables, blockhash)?;
    Ok(VersionedTransaction::try_new(VersionedMessage::V0(message), &keys)?)
}

/// The payer, then each of `signers` the instructions ask a signature of, once (a transaction may not carry a
/// signature it does not ask for).
fn signer_keys<'a>(ixs: &[Instruction], payer: &'a Keypair, signers: &[&'a Keypair]) -> Vec<&'a Keypair> {
    let required = |key: &Pubkey| ixs.iter().flat_map(|ix| &ix.accounts).any(|m| m.is_signer && m.pubkey == *key);
    let mut keys: Vec<&Keypair> = vec![payer];
    for s in signers {
        if required(&s.pubkey()) && !keys.iter().any(|k| k.pubkey() == s.pubkey()) {
            keys.push(s);
        }
    }
    keys
}
