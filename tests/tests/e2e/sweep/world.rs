//! The world every substitution runs in, and the role of each account in it.
//!
//! Market M lists USDC (SPL Token, flash loans on), SOL (Token-2022, a member of elevation group 1, whose debt
//! reserve is USDC) and MEME; BTC (Token-2022) is ready to be listed by `init_reserve`. M's outflow limiter is
//! on, so a redeem beyond the window's inflows reads its price account. Market M2, with its own admin and risk
//! council, lists USDC and SOL. Every party holds token accounts for every reserve of both markets and, but
//! for the admin, obligation 0 in both.
//!
//! Positions in M: Alice pledges 8 SOL, holds 2 SOL of cTokens and owes 500 USDC (healthy); Bob holds 500
//! USDC of cTokens and an empty obligation; Carol pledges 1,000 USDC and owes 5 SOL, unhealthy once SOL is at
//! $180; Dave's obligation is empty; Frank's MEME collateral was seized after a crash, leaving bad debt in
//! SOL; Mallory pledges 50 USDC. Ten days of interest have accrued and SOL's fees were swept once.
//!
//! Every account is registered with its role (kind, market, reserve, party), so that "the same kind of
//! account from another reserve or another market" is a lookup.
use anchor_lang::prelude::Pubkey;
use ballast::state::{MarketConfig, FLAG_FLASH_ENABLED};
use ballast_sdk::pda;
use ballast_tests::{prices::mantissa, tokens::MintKind, *};
use std::collections::HashMap;

/// Market indices: the default market and the other market; index 2 is the market `init_market` creates.
pub const M: usize = 0;
pub const M2: usize = 1;

/// The holders of keys and accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Party {
    Admin,
    Alice,
    Bob,
    Carol,
    Dave,
    Frank,
    Liquidator,
    Mallory,
}

impl Party {
    pub const ALL: [Party; 8] = [Party::Admin, Party::Alice, Party::Bob, Party::Carol, Party::Dave, Party::Frank, Party::Liquidator, Party::Mallory];
}

/// Whoever signs instead of the rightful signer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    Mallory,
    Admin,
    Council,
    OtherAdmin,
    OtherCouncil,
}

impl Actor {
    pub const ALL: [Actor; 5] = [Actor::Mallory, Actor::Admin, Actor::Council, Actor::OtherAdmin, Actor::OtherCouncil];

    pub fn describe(self) -> &'static str {
        match self {
            Actor::Mallory => "mallory",
            Actor::Admin => "the admin",
            Actor::Council => "the risk council",
            Actor::OtherAdmin => "the other market's admin",
            Actor::OtherCouncil => "the other market's risk council",
        }
    }
}

/// What an account is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Market,
    MarketAuthority,
    Reserve,
    LiquidityMint,
    LiquidityVault,
    CTokenMint,
    CollateralVault,
    FeeVault,
    Price,
    Obligation,
    UserLiquidity,
    UserCTokens,
    /// A program or sysvar with a fixed address: the system program, the Instructions sysvar.
    Fixed,
    /// SPL Token or Token-2022: shared by reserves, so which reserve it stands for depends on the slot.
    TokenProgram,
    /// A party's wallet (a system account), where an instruction names one unsigned: a ticket's owner.
    Wallet,
    /// A withdrawal ticket of a reserve's queue, `id` its sequence number (registered by the baseline that
    /// makes it).
    Ticket,
}

/// An account's kind and whose it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Role {
    pub kind: Kind,
    pub market: usize,
    pub reserve: Option<usize>,
    pub party: Option<Party>,
    /// Obligation id.
    pub id: u8,
}

impl Role {
    fn market(kind: Kind, market: usize) -> Self {
        Role { kind, market, reserve: None, party: None, id: 0 }
    }
    fn reserve(kind: Kind, market: usize, reserve: usize) -> Self {
        Role { kind, market, reserve: Some(reserve), party: None, id: 0 }
    }
    fn held(kind: Kind, market: usize, reserve: usize, party: Party) -> Self {
        Role { kind, market, reserve: Some(reserve), party: Some(party), id: 0 }
    }
    fn obligation(market: usize, party: Party, id: u8) -> Self {
        Role { kind: Kind::Obligation, market, reserve: None, party: Some(party), id }
    }
}

pub struct World {
    pub t: TestContext,
    /// M, M2 and the market `init_market` creates.
    pub markets: [Pubkey; 3],
    pub usdc: ReserveInfo,
    pub sol: ReserveInfo,
    pub meme: ReserveInfo,
    /// Not listed yet: `init_reserve` lists it.
    pub btc: ReserveInfo,
    pub btc_config: ballast::state::ReserveConfig,
    /// The admin's BTC, which pays the listing's seed deposit.
    pub admin_btc: Pubkey,
    pub usdc2: ReserveInfo,
    pub sol2: ReserveInfo,
    pub alice: User,
    pub bob: User,
    pub carol: User,
    pub dave: User,
    pub frank: User,
    pub liquidator: User,
    pub mallory: User,
    /// Obligation 0 of each party but the admin in M2.
    pub other_obligations: HashMap<Party, Pubkey>,
    /// Alice's obligation 1 in M, which `init_obligation` creates.
    pub new_obligation: Pubkey,
    pub new_market: Keypair,
    pub admin2: Keypair,
    pub council2: Keypair,
    /// A funded account owned by the system program that is no party's.
    pub stranger: Pubkey,
    keypairs: HashMap<Pubkey, Keypair>,
    roles: HashMap<Pubkey, Role>,
    keys: HashMap<Role, Pubkey>,
}

impl World {
    pub async fn build() -> World {
        let config = MarketConfig { outflow_window_secs: 86_400, outflow_limit_quote: u64::MAX, ..default_market_config() };
        let mut t = TestContext::with_market_config(config).await;
        let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).config(|c| c.flags |= FLAG_FLASH_ENABLED).build().await;
        let sol = t.reserve(Asset::Sol).mint_kind(MintKind::Token2022).liquidity(100.0).config(|c| c.elevation_groups = 1).build().await;
        let meme = t.reserve(Asset::Custom("MEME", 6, 1.0)).build().await;
        t.create_elevation_group(1, &usdc, 8_500, 9_000, 500).await;

        let alice = t.user().funded(&sol, 10.0).funded(&usdc, 100.0).build().await;
        let bob = t.user().funded(&usdc, 1_000.0).funded(&sol, 1.0).build().await;
        let carol = t.user().funded(&usdc, 1_000.0).build().await;
        let dave = t.user().build().await;
        let frank = t.user().funded(&meme, 100.0).build().await;
        let liquidator = t.user().funded(&sol, 50.0).funded(&usdc, 1_000.0).build().await;
        let mallory = t.user().funded(&usdc, 100.0).funded(&sol, 1.0).build().await;

        t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(8.0)).await;
        t.deposit(&alice, &sol, sol.amount(2.0)).await;
        t.borrow(&alice, &usdc, usdc.amount(500.0)).await;
        t.deposit(&bob, &usdc, usdc.amount(500.0)).await;
        t.deposit_liquidity_and_collateral(&carol, &usdc, usdc.amount(1_000.0)).await;
        t.borrow(&carol, &sol, sol.amount(5.0)).await;
        t.deposit_liquidity_and_collateral(&frank, &meme, meme.amount(100.0)).await;
        t.borrow(&frank, &sol, sol.amount(0.4)).await;
        t.deposit_liquidity_and_collateral(&mallory, &usdc, usdc.amount(50.0)).await;

        t.set_price(&meme, 0.1);
        for _ in 0..10 {
            if t.obligation_state(&frank).await.active_deposits().is_empty() {
                break;
            }
            t.liquidate(&liquidator, &frank, &sol, &meme).await;
        }
        assert!(t.obligation_state(&frank).await.active_deposits().is_empty(), "Frank's collateral is all seized");
        t.set_price(&sol, 180.0);

        let admin2 = Keypair::new();
        t.airdrop(&admin2.pubkey(), 10_000_000_000).await;
        let council2 = Keypair::new();
        let council = std::mem::replace(&mut t.risk_council, council2.insecure_clone());
        let m2 = t.create_market(&admin2).await;
        t.risk_council = council;
        let usdc2 = t.reserve(Asset::Usdc).market(m2, admin2.insecure_clone()).build().await;
        let sol2 = t.reserve(Asset::Sol).mint_kind(MintKind::Token2022).market(m2, admin2.insecure_clone()).build().await;

        let (btc, btc_config) = unlisted_btc(&mut t).await;
        let admin_key = t.admin.key();
        let admin_btc = t.create_token_account(&btc.mint, &admin_key, btc.kind).await;
        t.mint_to(&btc.mint, &admin_btc, btc.amount(1.0), btc.kind).await;

        let stranger = Keypair::new().pubkey();
        t.airdrop(&stranger, 1_000_000_000).await;
        let new_market = Keypair::new();
        let market = t.market;
        let new_obligation = obligation_address(&market, &alice.key(), 1);
        let mut w = World {
            markets: [market, m2, new_market.pubkey()],
            t,
            usdc,
            sol,
            meme,
            btc,
            btc_config,
            admin_btc,
            usdc2,
            sol2,
            alice,
            bob,
            carol,
            dave,
            frank,
            liquidator,
            mallory,
            other_obligations: HashMap::new(),
            new_obligation,
            new_market,
            admin2,
            council2,
            stranger,
            keypairs: HashMap::new(),
            roles: HashMap::new(),
            keys: HashMap::new(),
        };
        w.open_other_market_accounts().await;
        w.t.advance(10 * 86_400).await;
        let sol = w.sol.clone();
        w.t.try_sweep_fees(&sol).await.expect("SOL has fees to sweep");
        w.register();
        w
    }

    /// Token accounts for M2's reserves and obligation 0 in M2, for every party.
    async fn open_other_market_accounts(&mut self) {
        let other = [self.usdc2.clone(), self.sol2.clone()];
        for party in Party::ALL {
            let owner = self.user(party).keypair.insecure_clone();
            let mut accounts = vec![];
            for r in &other {
                let liquidity = self.t.create_token_account(&r.mint, &owner.pubkey(), r.kind).await;
                let ctokens = self.t.create_token_account(&r.ctoken_mint, &owner.pubkey(), r.kind).await;
                accounts.push((r.key, (liquidity, ctokens)));
            }
            self.user_mut(party).accounts.extend(accounts);
            if party != Party::Admin {
                let obligation = obligation_address(&self.markets[M2], &owner.pubkey(), 0);
                let ix = TestContext::instruction(
                    ballast::accounts::InitObligation {
                        owner: owner.pubkey(),
                        market: self.markets[M2],
                        obligation,
                        system_program: anchor_lang::system_program::ID,
                        event_authority: ballast_sdk::pda::event_authority(),
                        program: ballast::ID,
                    },
                    ballast::instruction::InitObligation { id: 0 },
                );
                self.t.send(&[ix], &[&owner]).await.expect("init_obligation in M2");
                self.t.obligations.push(obligation);
                self.other_obligations.insert(party, obligation);
            }
        }
    }

    pub fn user(&self, party: Party) -> &User {
        match party {
            Party::Admin => &self.t.admin,
            Party::Alice => &self.alice,
            Party::Bob => &self.bob,
            Party::Carol => &self.carol,
            Party::Dave => &self.dave,
            Party::Frank => &self.frank,
            Party::Liquidator => &self.liquidator,
            Party::Mallory => &self.mallory,
        }
    }

    fn user_mut(&mut self, party: Party) -> &mut User {
        match party {
            Party::Admin => &mut self.t.admin,
            Party::Alice => &mut self.alice,
            Party::Bob => &mut self.bob,
            Party::Carol => &mut self.carol,
            Party::Dave => &mut self.dave,
            Party::Frank => &mut self.frank,
            Party::Liquidator => &mut self.liquidator,
            Party::Mallory => &mut self.mallory,
        }
    }

    /// The reserves of market `m`, in their index order (M's BTC last, listed or not).
    pub fn reserves_of(&self, m: usize) -> Vec<&ReserveInfo> {
        match m {
            M => vec![&self.usdc, &self.sol, &self.meme, &self.btc],
            M2 => vec![&self.usdc2, &self.sol2],
            _ => vec![],
        }
    }

    pub fn actor(&self, actor: Actor) -> &Keypair {
        match actor {
            Actor::Mallory => &self.mallory.keypair,
            Actor::Admin => &self.t.admin.keypair,
            Actor::Council => &self.t.risk_council,
            Actor::OtherAdmin => &self.admin2,
            Actor::OtherCouncil => &self.council2,
        }
    }

    fn register(&mut self) {
        let mut entries: Vec<(Pubkey, Role)> = vec![];
        for (m, market) in self.markets.iter().enumerate() {
            entries.push((*market, Role::market(Kind::Market, m)));
            entries.push((market_authority(market), Role::market(Kind::MarketAuthority, m)));
        }
        for m in [M, M2] {
            for (i, r) in self.reserves_of(m).into_iter().enumerate() {
                for (key, kind) in [
                    (r.key, Kind::Reserve),
                    (r.mint, Kind::LiquidityMint),
                    (r.liquidity_vault, Kind::LiquidityVault),
                    (r.ctoken_mint, Kind::CTokenMint),
                    (r.collateral_vault, Kind::CollateralVault),
                    (r.fee_vault, Kind::FeeVault),
                    (r.price_account, Kind::Price),
                ] {
                    entries.push((key, Role::reserve(kind, m, i)));
                }
                for party in Party::ALL {
                    if let Some((liquidity, ctokens)) = self.user(party).accounts.get(&r.key) {
                        entries.push((*liquidity, Role::held(Kind::UserLiquidity, m, i, party)));
                        entries.push((*ctokens, Role::held(Kind::UserCTokens, m, i, party)));
                    }
                }
            }
        }
        entries.push((self.admin_btc, Role::held(Kind::UserLiquidity, M, 3, Party::Admin)));
        for party in Party::ALL.into_iter().filter(|p| *p != Party::Admin) {
            entries.push((self.user(party).obligation, Role::obligation(M, party, 0)));
            entries.push((self.other_obligations[&party], Role::obligation(M2, party, 0)));
        }
        entries.push((self.new_obligation, Role::obligation(M, Party::Alice, 1)));
        for party in Party::ALL {
            entries.push((self.user(party).key(), Role { party: Some(party), ..Role::market(Kind::Wallet, M) }));
        }
        let fixed = [anchor_lang::system_program::ID, solana_instructions_sysvar::ID, ballast_sdk::pda::event_authority(), ballast::ID];
        for (id, key) in fixed.into_iter().enumerate() {
            entries.push((key, Role { id: id as u8, ..Role::market(Kind::Fixed, M) }));
        }
        for (key, role) in entries {
            assert!(self.roles.insert(key, role).is_none(), "{key} registered twice");
            assert!(self.keys.insert(role, key).is_none(), "{role:?} registered twice");
        }

        let mut keypairs: Vec<Keypair> = Party::ALL.iter().map(|p| self.user(*p).keypair.insecure_clone()).collect();
        keypairs.extend(Actor::ALL.iter().map(|a| self.actor(*a).insecure_clone()));
        keypairs.push(self.new_market.insecure_clone());
        self.keypairs = keypairs.into_iter().map(|k| (k.pubkey(), k)).collect();
    }

    /// The role of `key`; token programs answer `TokenProgram` whichever reserve they serve.
    pub fn role_of(&self, key: &Pubkey) -> Option<Role> {
        if [anchor_spl::token::ID, anchor_spl::token_2022::ID].contains(key) {
            return Some(Role::market(Kind::TokenProgram, M));
        }
        self.roles.get(key).copied()
    }

    pub fn key_of(&self, role: &Role) -> Option<Pubkey> {
        self.keys.get(role).copied()
    }

    /// The reserve standing in for reserve `i` of market `m` from elsewhere in `m`: USDC for any other, SOL
    /// for USDC.
    pub fn other_reserve(&self, i: usize) -> usize {
        if i == 0 { 1 } else { 0 }
    }

    /// The market standing in for `m`, and the reserve standing in for `i` there (the same index when it
    /// exists, else USDC).
    pub fn other_market(&self, m: usize, i: Option<usize>) -> (usize, Option<usize>) {
        let other = if m == M { M2 } else { M };
        (other, i.map(|i| if i < self.reserves_of(other).len() { i } else { 0 }))
    }

    /// The keypair of `key`, for signing.
    pub fn keypair(&self, key: &Pubkey) -> Keypair {
        self.keypairs.get(key).unwrap_or_else(|| panic!("no keypair for signer {key}")).insecure_clone()
    }

    /// Every account the world knows (but the bank's fee payer), for proving a rejected case changed none.
    pub fn watched(&self) -> Vec<Pubkey> {
        let mut keys: Vec<Pubkey> = self.roles.keys().copied().collect();
        keys.extend(self.keypairs.keys().copied());
        keys.extend(self.t.token_accounts.iter().copied());
        keys.push(self.stranger);
        keys
    }

    /// Registers ticket `seq` of reserve `i` of market `m`, which a baseline has requested or is about to.
    pub fn register_ticket(&mut self, m: usize, i: usize, seq: u64) {
        let key = ballast_sdk::pda::ticket(&self.reserves_of(m)[i].key, seq);
        let role = Role { id: seq as u8, ..Role::reserve(Kind::Ticket, m, i) };
        self.roles.insert(key, role);
        self.keys.insert(role, key);
    }

    /// Registers a reserve `init_reserve` listed with the context, for snapshots and invariants.
    pub fn listed(&mut self, r: ReserveInfo) {
        self.t.token_accounts.extend([r.liquidity_vault, r.collateral_vault, r.fee_vault]);
        self.t.reserves.push(r);
    }
}

/// BTC's mint (Token-2022), price account and config, with the addresses its listing will create.
async fn unlisted_btc(t: &mut TestContext) -> (ReserveInfo, ballast::state::ReserveConfig) {
    let kind = MintKind::Token2022;
    let mint = t.create_mint(8, kind).await;
    let price_account = Pubkey::new_unique();
    let feed_id = [0xB7; 32];
    let spec = PriceSpec { feed_id, price: mantissa(60_000.0), conf: 0, ema_price: mantissa(60_000.0), publish_time: t.now, verified: true, frozen: false };
    t.write_price_at(&price_account, spec);
    let market = t.market;
    let key = pda::reserve(&market, &mint);
    let info = ReserveInfo {
        symbol: "BTC",
        market,
        key,
        mint,
        kind,
        decimals: 8,
        liquidity_vault: pda::liquidity_vault(&key),
        ctoken_mint: pda::ctoken_mint(&key),
        collateral_vault: pda::collateral_vault(&key),
        fee_vault: pda::fee_vault(&key),
        price_account,
        feed_id,
    };
    (info, default_config(price_account, feed_id))
}
