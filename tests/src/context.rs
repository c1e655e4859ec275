use crate::{prices::PriceSpec, reserves::ReserveInfo};
use ballast_sdk::events::{BallastEvent, EventKind};
use anchor_lang::{prelude::Pubkey, solana_program::instruction::Instruction, InstructionData, ToAccountMetas};
use ballast::state::{Market, Obligation, Reserve};
use solana_account::Account;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_keypair::Keypair;
use solana_program_test::{processor, BanksClientError, ProgramTestContext};
use solana_signer::Signer;
use std::collections::HashMap;

/// A user: a funded keypair, token accounts per reserve, and obligation 0 in the default market.
pub struct User {
    pub keypair: Keypair,
    pub obligation: Pubkey,
    /// reserve -> (liquidity token account, cToken account)
    pub accounts: HashMap<Pubkey, (Pubkey, Pubkey)>,
}

impl User {
    pub fn key(&self) -> Pubkey {
        self.keypair.pubkey()
    }
    pub fn liquidity(&self, r: &ReserveInfo) -> Pubkey {
        self.accounts[&r.key].0
    }
    pub fn ctokens(&self, r: &ReserveInfo) -> Pubkey {
        self.accounts[&r.key].1
    }
}

pub struct TestContext {
    pub banks: ProgramTestContext,
    /// Admin of the default market (also the seed depositor and liquidity whale).
    pub admin: User,
    /// The default market.
    pub market: Pubkey,
    /// Risk council of every market the context creates.
    pub risk_council: Keypair,
    /// Unix time the bank's clock shows.
    pub now: i64,
    pub reserves: Vec<ReserveInfo>,
    /// Every obligation a scenario opened (for invariants).
    pub obligations: Vec<Pubkey>,
    /// Tokens sent straight into a liquidity vault, outside the program.
    pub donations: HashMap<Pubkey, u64>,
    /// Fees swept into each fee vault.
    pub swept: HashMap<Pubkey, u64>,
    /// Every token account created (for snapshots).
    pub token_accounts: Vec<Pubkey>,
    pub(crate) prices: HashMap<Pubkey, PriceSpec>,
    /// Switchboard feeds written by the test, by feed address.
    pub(crate) feeds: HashMap<Pubkey, crate::switchboard::FeedSpec>,
    /// Each reserve's secondary feed, where a test gave it one (health accounts carry it).
    pub secondaries: HashMap<Pubkey, Pubkey>,
    /// Address lookup tables every transaction may load accounts from (`create_lookup_table`).
    pub lookup_tables: Vec<solana_message::AddressLookupTableAccount>,
    /// Fit of every transaction sent, in order (bytes, locks), for scenarios that check sizes.
    pub fits: Vec<ballast_sdk::tx::Fit>,
    /// The Ballast events of the last transaction that succeeded, in emission order.
    pub events: Vec<BallastEvent>,
    /// Every Ballast event of the scenario, in order.
    pub event_log: Vec<BallastEvent>,
    nonce: u64,
    pub(crate) next_feed: u8,
}

impl TestContext {
    pub async fn new() -> Self {
        Self::with_market_config(default_market_config()).await
    }

    /// A context whose default market starts with `config` (e.g. a non-zero timelock).
    pub async fn with_market_config(config: ballast::state::MarketConfig) -> Self {
        let mut pt = ballast_sdk::cluster::program_test();
        // Forwards an instruction to Ballast through CPI, so scenarios can prove CPI-only checks.
        pt.add_program("ballast_cpi_proxy", crate::flash::CPI_PROXY_ID, processor!(crate::flash::cpi_proxy));
        // Calls Ballast through the module `declare_program!` generates from the committed IDL.
        pt.add_program("ballast_integrator", crate::integrator::PROGRAM_ID, processor!(crate::integrator::processor));
        let banks = pt.start_with_context().await;
        let clock: anchor_lang::prelude::Clock = banks.banks_client.get_sysvar().await.unwrap();
        let admin = User { keypair: Keypair::new(), obligation: Pubkey::default(), accounts: HashMap::new() };
        let mut t = TestContext {
            banks,
            admin,
            market: Pubkey::default(),
            risk_council: Keypair::new(),
            now: clock.unix_timestamp,
            reserves: vec![],
            obligations: vec![],
            donations: HashMap::new(),
            swept: HashMap::new(),
            token_accounts: vec![],
            prices: HashMap::new(),
            feeds: HashMap::new(),
            secondaries: HashMap::new(),
            lookup_tables: vec![],
            fits: vec![],
            events: vec![],
            event_log: vec![],
            nonce: 0,
            next_feed: 1,
        };
        let admin_key = t.admin.key();
        t.airdrop(&admin_key, 100_000_000_000).await;
        let admin = std::mem::replace(&mut t.admin.keypair, Keypair::new());
        t.market = t.create_market_with(&admin, config).await;
        t.admin.keypair = admin;
        t
    }

    /// Creates a market administered by `admin` (timelock 0, close factor 20%, dust 1).
    pub async fn create_market(&mut self, admin: &Keypair) -> Pubkey {
        self.create_market_with(admin, default_market_config()).await
    }

    /// Creates a market administered by `admin` with `config`; its risk council is `self.risk_council`.
    pub async fn create_market_with(&mut self, admin: &Keypair, config: ballast::state::MarketConfig) -> Pubkey {
        self.try_create_market_with(admin, config).await.expect("init_market succeeds")
    }

    /// `create_market_with`, returning the transaction's result.
    pub async fn try_create_market_with(&mut self, admin: &Keypair, config: ballast::state::MarketConfig) -> Result<Pubkey, BanksClientError> {
        let market = Keypair::new();
        let mut quote = [0u8; 32];
        quote[..3].copy_from_slice(b"USD");
        let args = ballast::instructions::InitMarketArgs { risk_council: self.risk_council.pubkey(), quote_currency: quote, config: config.into() };
        let ix = ballast_sdk::ix::init_market(&admin.pubkey(), &market.pubkey(), args);
        self.send(&[ix], &[admin, &market]).await?;
        let e = self.emitted::<ballast::events::MarketInitializedEvent>();
        let expected = ballast::events::MarketInitializedEvent { market: market.pubkey(), admin: admin.pubkey(), risk_council: self.risk_council.pubkey() };
        assert_eq!(e, expected);
        Ok(market.pubkey())
    }

    /// Sends `ixs` in one transaction paid by the bank's payer: legacy when it fits, else v0 loading accounts
    /// from `lookup_tables`. Every transaction must fit mainnet (1,232 bytes, 64 account locks), which
    /// program-test does not enforce: one that does not fails the test. A per-transaction compute-unit price
    /// makes every transaction unique, so repeated identical actions are never deduplicated.
    pub async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<(), BanksClientError> {
        self.nonce += 1;
        let mut all = vec![ComputeBudgetInstruction::set_compute_unit_price(self.nonce)];
        all.extend_from_slice(ixs);
        let payer = self.banks.payer.insecure_clone();
        // program-test registers a new blockhash every 6.4 ms and forgets it after 150, so a blockhash
        // fetched at start-up expires within about a second: take a fresh one for every transaction.
        let blockhash = self.banks.banks_client.get_latest_blockhash().await?;
        let tx = ballast_sdk::tx::build(&all, &payer, signers, blockhash, &self.lookup_tables).expect("transaction compiles");
        let fit = ballast_sdk::tx::require_fits(&tx).unwrap_or_else(|e| panic!("mainnet would refuse this transaction: {e}"));
        self.fits.push(fit);
        // Banks return inner instructions only from a simulation: simulate what touches Ballast, on the same
        // bank state, to read its events, then process it for real.
        let events = match all.iter().any(|ix| [ballast::ID, crate::flash::CPI_PROXY_ID, crate::integrator::PROGRAM_ID].contains(&ix.program_id)) {
            true => self.simulated_events(&tx, &all).await?,
            false => vec![],
        };
        // tarpc's default 10 s deadline is too tight on a loaded 2-core machine; a slow bank is not a failure.
        let commitment = solana_commitment_config::CommitmentLevel::default();
        match self.banks.banks_client.process_transaction_with_commitment_and_context(long_deadline(), tx, commitment).await? {
            None => Err(BanksClientError::ClientError("invalid blockhash or fee-payer")),
            Some(result) => {
                result?;
                for event in &events {
                    let json = event.to_json();
                    assert!(json.get("error").is_none(), "the IDL does not describe {}: {json}", event.name());
                }
                self.event_log.extend(events.iter().cloned());
                self.events = events;
                Ok(())
            }
        }
    }

    /// The events `tx` emits, read from a simulation. Every top-level Ballast instruction that succeeds must
    /// emit at least one: no state change goes unseen by indexers.
    async fn simulated_events(&mut self, tx: &solana_transaction::versioned::VersionedTransaction, ixs: &[Instruction]) -> Result<Vec<BallastEvent>, BanksClientError> {
        let commitment = solana_commitment_config::CommitmentLevel::default();
        let sim = self.banks.banks_client.simulate_transaction_with_commitment_and_context(long_deadline(), tx.clone(), commitment).await?;
        let (Some(Ok(())), Some(details)) = (sim.result, sim.simulation_details) else { return Ok(vec![]) };
        let loaded = ballast_sdk::events::resolve_lookups(&tx.message, &self.lookup_tables);
        let keys = ballast_sdk::events::account_keys(&tx.message, &loaded);
        let inner = details.inner_instructions.unwrap_or_default();
        for (i, _) in ixs.iter().enumerate().filter(|(_, ix)| ix.program_id == ballast::ID) {
            let emitted = inner.get(i).is_some_and(|group| !ballast_sdk::events::from_inner_instructions(&keys, std::slice::from_ref(group)).is_empty());
            assert!(emitted, "Ballast instruction {i} of the transaction succeeded without emitting an event");
        }
        Ok(ballast_sdk::events::from_inner_instructions(&keys, &inner))
    }

    /// The one event of type `T` the last transaction emitted; fails the test unless there is exactly one.
    pub fn emitted<T: EventKind + Clone>(&self) -> T {
        match ballast_sdk::events::of_kind::<T>(&self.events)[..] {
            [one] => one.clone(),
            ref found => panic!("expected one {} in the last transaction, found {}: {:?}", std::any::type_name::<T>(), found.len(), self.events),
        }
    }

    /// Every event of type `T` the last transaction emitted.
    pub fn emitted_all<T: EventKind + Clone>(&self) -> Vec<T> {
        ballast_sdk::events::of_kind::<T>(&self.events).into_iter().cloned().collect()
    }

    pub async fn airdrop(&mut self, to: &Pubkey, lamports: u64) {
        let ix = solana_system_interface::instruction::transfer(&self.banks.payer.pubkey(), to, lamports);
        self.send(&[ix], &[]).await.unwrap();
    }

    pub async fn account(&mut self, key: &Pubkey) -> Option<Account> {
        self.banks.banks_client.get_account(*key).await.unwrap()
    }

    pub(crate) async fn zero_copy<T: bytemuck::Pod>(&mut self, key: &Pubkey) -> T {
        let data = self.account(key).await.expect("account exists").data;
        bytemuck::pod_read_unaligned(&data[8..8 + std::mem::size_of::<T>()])
    }

    pub async fn reserve_state(&mut self, r: &ReserveInfo) -> Reserve {
        self.zero_copy(&r.key).await
    }

    pub async fn obligation_state(&mut self, user: &User) -> Obligation {
        self.zero_copy(&user.obligation).await
    }

    pub async fn obligation_at(&mut self, key: &Pubkey) -> Option<Obligation> {
        let data = self.account(key).await?.data;
        Some(bytemuck::pod_read_unaligned(&data[8..8 + std::mem::size_of::<Obligation>()]))
    }

    pub async fn market_state(&mut self) -> Market {
        let m = self.market;
        self.zero_copy(&m).await
    }

    /// Moves the bank's clock forward and republishes every price that is not frozen.
    pub async fn advance(&mut self, secs: i64) {
        self.now += secs;
        let mut clock: anchor_lang::prelude::Clock = self.banks.banks_client.get_sysvar().await.unwrap();
        clock.unix_timestamp = self.now;
        self.banks.set_sysvar(&clock);
        let live: Vec<Pubkey> = self.prices.iter().filter(|(_, p)| !p.frozen).map(|(k, _)| *k).collect();
        for key in live {
            let mut spec = self.prices[&key];
            spec.publish_time = self.now;
            self.write_price(&key, spec);
        }
        self.refresh_feeds().await;
    }

    pub fn instruction(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
        Instruction { program_id: ballast::ID, accounts: accounts.to_account_metas(None), data: data.data() }
    }

    /// A copy of the admin as a user (same keypair and token accounts), for acting as the admin.
    pub fn admin_user(&self) -> User {
        User { keypair: self.admin.keypair.insecure_clone(), obligation: self.admin.obligation, accounts: self.admin.accounts.clone() }
    }

    pub fn reserve_by_key(&self, key: &Pubkey) -> &ReserveInfo {
        self.reserves.iter().find(|r| r.key == *key).expect("reserve known to the context")
    }
}

/// A tarpc context with a 300 s deadline: the default 10 s is too tight on a loaded 2-core machine.
fn long_deadline() -> tarpc::context::Context {
    let mut ctx = tarpc::context::current();
    ctx.deadline = std::time::SystemTime::now() + std::time::Duration::from_secs(300);
    ctx
}

/// Close factor 20%, $1 dust, no timelock, no outflow limit, not in emergency.
pub fn default_market_config() -> ballast::state::MarketConfig {
    ballast::state::MarketConfig {
        dust_threshold_quote: 1,
        config_timelock_secs: 0,
        outflow_limit_quote: u64::MAX,
        outflow_window_secs: 0,
        close_factor_bps: ballast::constants::DEFAULT_CLOSE_FACTOR_BPS,
        flags: 0,
    }
}

pub use ballast_sdk::pda::{market_authority, obligation as obligation_address};
