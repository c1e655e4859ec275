//! A real `solana-test-validator` in this process, with Ballast running in it natively.
//!
//! The validator has no hook for native programs, so Ballast is registered the way solana-program-test
//! registers one (`../shared/TOOLCHAIN.md`, "A real validator on localhost"): a throwaway program-test bank
//! first installs program-test's CPI and sysvar stubs for the process; the program's account goes into genesis
//! (native-loader-owned and executable, so the bank need not create it once frozen); after start, every bank
//! gets the builtin, and new banks inherit it from their parents.
//!
//! There is no Pyth receiver on localhost. A stand-in builtin at the receiver's address owns the price
//! accounts and overwrites one with the bytes a transaction carries, signed by [`price_authority`]: prices
//! then move through real transactions, as the receiver moves them on mainnet, and a websocket follower
//! sees them change.
use anchor_lang::prelude::{AccountInfo, ProgramError, Pubkey};
use anyhow::{anyhow, Context, Result};
use solana_account::{Account, AccountSharedData};
use solana_instruction::{AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_program_runtime::{invoke_context::BuiltinFunctionWithContext, loaded_programs::ProgramCacheEntry};
use solana_program_test::processor;
use solana_rpc::rpc::JsonRpcConfig;
use solana_signer::Signer;
use solana_test_validator::{TestValidator, TestValidatorGenesis};
use std::{
    net::{Ipv4Addr, TcpListener, UdpSocket},
    path::PathBuf,
    time::Duration,
};

const BALLAST_NAME: &str = "ballast";
const PRICE_WRITER_NAME: &str = "pyth_receiver_stand_in";

/// The one key the stand-in receiver takes price writes from (fixed, so a test can sign with it anywhere).
pub fn price_authority() -> Keypair {
    Keypair::new_from_array([7; 32])
}

/// The stand-in receiver: overwrites `accounts[0]` (which it owns) with the instruction data, byte for byte,
/// when `accounts[1]` is [`price_authority`] and has signed.
fn price_writer(_program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> anchor_lang::solana_program::entrypoint::ProgramResult {
    let [target, authority, ..] = accounts else { return Err(ProgramError::NotEnoughAccountKeys) };
    if !authority.is_signer || *authority.key != price_authority().pubkey() {
        return Err(ProgramError::MissingRequiredSignature);
    }
    let mut bytes = target.try_borrow_mut_data()?;
    if bytes.len() != data.len() {
        return Err(ProgramError::InvalidAccountData);
    }
    bytes.copy_from_slice(data);
    Ok(())
}

/// An instruction that makes `price_account` hold `account`'s data (a Pyth `PriceUpdateV2`).
pub fn write_price_ix(price_account: &Pubkey, account: &Account) -> Instruction {
    Instruction {
        program_id: pyth_receiver(),
        accounts: vec![AccountMeta::new(*price_account, false), AccountMeta::new_readonly(price_authority().pubkey(), true)],
        data: account.data.clone(),
    }
}

fn pyth_receiver() -> Pubkey {
    pyth_solana_receiver_sdk::ID
}

/// A validator on 127.0.0.1 with Ballast and the stand-in receiver, its ledger in a temporary directory.
pub struct Node {
    pub validator: TestValidator,
    /// Genesis's mint: holds the cluster's lamports, pays for everything the suite sets up.
    pub faucet: Keypair,
    pub rpc_url: String,
    pub ws_url: String,
    ledger: PathBuf,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.ledger);
    }
}

/// `width` consecutive ports from `base` that nothing on 127.0.0.1 holds (TCP and UDP), for one validator.
fn free_ports(width: u16) -> Result<u16> {
    let seed = std::process::id() as u16;
    for attempt in 0..200u16 {
        let base = 20_000 + (seed.wrapping_add(attempt.wrapping_mul(7919)) % 400) * 100;
        let free = (base..base + width).all(|p| TcpListener::bind((Ipv4Addr::LOCALHOST, p)).is_ok() && UdpSocket::bind((Ipv4Addr::LOCALHOST, p)).is_ok());
        if free {
            return Ok(base);
        }
    }
    Err(anyhow!("no {width} free consecutive ports on 127.0.0.1 between 20000 and 60000"))
}

fn native_program_account(name: &str) -> AccountSharedData {
    AccountSharedData::from(Account { lamports: 1_000_000_000, data: name.as_bytes().to_vec(), owner: solana_sdk_ids::native_loader::id(), executable: true, rent_epoch: 0 })
}

impl Node {
    /// Starts a validator whose genesis holds `accounts` (price accounts, for one) besides the two programs.
    /// Call it inside a tokio runtime (the validator starts with `start_async`).
    pub async fn start(accounts: &[(Pubkey, Account)]) -> Result<Node> {
        // program-test's stubs route the program's CPIs and sysvar reads into the invoke context: once per
        // process, installed by starting any program-test bank.
        let _stubs = ballast_sdk::cluster::program_test().start_with_context().await;

        let ledger = std::env::temp_dir().join(format!("ballast-validator-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&ledger);
        let base = free_ports(40)?;
        let mut genesis = TestValidatorGenesis::default();
        genesis
            .ledger_path(&ledger)
            .rpc_port(base)
            .gossip_port(base + 2)
            .port_range((base + 3, base + 40))
            // getTransaction returns logs and inner instructions (where events live) only with both.
            .rpc_config(JsonRpcConfig { enable_rpc_transaction_history: true, enable_extended_tx_metadata_storage: true, ..JsonRpcConfig::default_for_test() })
            .add_account(ballast_sdk::ballast::ID, native_program_account(BALLAST_NAME))
            .add_account(pyth_receiver(), native_program_account(PRICE_WRITER_NAME));
        for (key, account) in accounts {
            genesis.add_account(*key, AccountSharedData::from(account.clone()));
        }
        let (validator, faucet) = genesis.start_async().await;
        let node = Node { rpc_url: validator.rpc_url(), ws_url: validator.rpc_pubsub_url(), validator, faucet, ledger };
        node.register_builtins().await?;
        Ok(node)
    }

    /// Adds both builtins to every bank the validator holds, sweeping again over the next two seconds for a
    /// bank created meanwhile; later banks copy them from their parents.
    async fn register_builtins(&self) -> Result<()> {
        let ballast: Option<BuiltinFunctionWithContext> = processor!(ballast_sdk::cluster::ballast_processor);
        let writer: Option<BuiltinFunctionWithContext> = processor!(price_writer);
        let builtins = [(ballast_sdk::ballast::ID, BALLAST_NAME, ballast.context("ballast entry")?), (pyth_receiver(), PRICE_WRITER_NAME, writer.context("writer entry")?)];
        let mut done = std::collections::HashSet::new();
        for _ in 0..10 {
            let banks: Vec<_> = self.validator.bank_forks().read().map_err(|_| anyhow!("bank forks lock poisoned"))?.banks().values().map(|b| b.clone_without_scheduler()).collect();
            for bank in banks {
                if done.insert(bank.slot()) {
                    for (id, name, entry) in &builtins {
                        bank.add_builtin(*id, name, ProgramCacheEntry::new_builtin(0, name.len(), *entry));
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Ok(())
    }
}

/// The faucet's transfer of `lamports` to `to`, as an instruction.
pub fn transfer_ix(from: &Pubkey, to: &Pubkey, lamports: u64) -> Instruction {
    solana_system_interface::instruction::transfer(from, to, lamports)
}
