//! The in-process world the demo, the simulator and the dashboard's demo mode stand on: mints and Pyth price
//! accounts for a migrations spec, the market applied by `ballast-migrate`, and the few actions every one of
//! them needs (fund a wallet, supply collateral, borrow a share of borrow power). It lives on a bank
//! (solana-program-test); `World::fork_native` moves it to a native ledger for volume.
use anyhow::Result;
use ballast_migrate::{apply, Spec};
use ballast_sdk::{
    accounts::decode,
    ballast::state::Obligation,
    health::Projection,
    ix, pda,
    pyth::{price_update_account, PricePoint},
    tokens, Cluster, InProcess, Keypair, MarketSnapshot, Pubkey, ReserveView, Signer,
};
use std::io::Write;

/// The example spec the demo applies (mints and price accounts are filled in here).
pub const EXAMPLE_SPEC: &str = include_str!("../../../migrations/specs/example.toml");

pub struct Asset {
    pub symbol: String,
    pub mint: Pubkey,
    pub price_account: Pubkey,
    pub feed_id: [u8; 32],
}

/// The demo's in-process market, also what tests seed from.
pub struct World {
    pub cluster: InProcess,
    pub admin: Keypair,
    pub market: Pubkey,
    pub market_keypair: Keypair,
    pub spec: Spec,
    pub assets: Vec<Asset>,
    pub now: i64,
}

impl World {
    pub async fn publish(&self, symbol: &str, price: f64) {
        let a = self.assets.iter().find(|a| a.symbol == symbol).expect("known asset");
        self.cluster.set_account(&a.price_account, price_update_account(&PricePoint::calm(a.feed_id, price, self.now))).await;
    }

    pub async fn publish_all(&self, sol: f64, volt: f64) {
        self.publish("USDC", 1.0).await;
        self.publish("SOL", sol).await;
        self.publish("VOLT", volt).await;
    }

    pub fn mint(&self, symbol: &str) -> Pubkey {
        self.assets.iter().find(|a| a.symbol == symbol).expect("known asset").mint
    }

    /// Gives `owner` an associated account holding `native` units of `symbol`.
    pub async fn fund(&self, owner: &Pubkey, symbol: &str, native: u64) -> Result<Pubkey> {
        let mint = self.mint(symbol);
        let account = pda::associated_token(owner, &mint, &tokens::SPL_TOKEN_ID);
        let payer = self.cluster.payer().pubkey();
        let ixs = [
            tokens::create_ata_idempotent(&payer, owner, &mint, &tokens::SPL_TOKEN_ID),
            tokens::mint_to(&mint, &account, &self.admin.pubkey(), native),
        ];
        self.cluster.send(&ixs, &[&self.admin]).await?;
        Ok(account)
    }

    pub async fn snapshot(&self) -> Result<MarketSnapshot> {
        MarketSnapshot::load(&self.cluster, &self.market).await
    }

    /// The same world on a native ledger forked from this one (`InProcess::fork_native`): every account as it is
    /// now, then moving on alone.
    pub async fn fork_native(&self) -> Result<World> {
        Ok(self.on(self.cluster.fork_native().await?))
    }

    /// The same world on a new bank holding this native world's accounts (`InProcess::fork_bank`).
    pub async fn fork_bank(&self) -> Result<World> {
        Ok(self.on(self.cluster.fork_bank().await?))
    }

    /// This world's market, people and assets on `cluster` (a fork of this world's).
    fn on(&self, cluster: InProcess) -> World {
        let assets = self.assets.iter().map(|a| Asset { symbol: a.symbol.clone(), mint: a.mint, price_account: a.price_account, feed_id: a.feed_id }).collect();
        World {
            cluster,
            admin: self.admin.insecure_clone(),
            market: self.market,
            market_keypair: self.market_keypair.insecure_clone(),
            spec: self.spec.clone(),
            assets,
            now: self.now,
        }
    }

    /// Each reserve's asset symbol, by reserve address.
    pub fn names(&self) -> std::collections::HashMap<Pubkey, String> {
        self.assets.iter().map(|a| (pda::reserve(&self.market, &a.mint), a.symbol.clone())).collect()
    }
}

/// Creates the world: mints, prices, the market from the example spec.
pub async fn set_up(out: &mut impl Write) -> Result<World> {
    set_up_with(EXAMPLE_SPEC, out).await
}

/// Creates a world from a spec whose mints and price accounts are left out: each reserve gets a new mint and a
/// price account, published at its `seed_price` (1.0 when the demo's crash path does not name it).
pub async fn set_up_with(spec_text: &str, out: &mut impl Write) -> Result<World> {
    let price = |symbol: &str| match symbol {
        "SOL" => crate::demo::CRASH[0].0,
        "VOLT" => crate::demo::CRASH[0].1,
        _ => 1.0,
    };
    set_up_spec(Spec::parse(spec_text)?, &price, out).await
}

/// Creates a world from `spec` (mints and price accounts left out): each reserve gets a new mint and a price
/// account published at `price(symbol)`, then migrations apply the spec.
pub async fn set_up_spec(spec: Spec, price: &dyn Fn(&str) -> f64, out: &mut impl Write) -> Result<World> {
    set_up_keyed(spec, price, &|_| Keypair::new(), out).await
}

/// `set_up_spec` with every key it makes (admin, mints, price accounts, market) from `key(n)`: worlds set up
/// with the same keys hold the same accounts at the same addresses, whatever ledger they live on.
pub async fn set_up_keyed(mut spec: Spec, price: &dyn Fn(&str) -> f64, key: &dyn Fn(u64) -> Keypair, out: &mut impl Write) -> Result<World> {
    let cluster = InProcess::start().await;
    let admin = key(0);
    cluster.airdrop(&admin.pubkey(), 1_000_000_000_000).await?;
    let now = cluster.now().await?;
    let mut assets = vec![];
    for (n, r) in spec.reserves.iter_mut().enumerate() {
        let mint = key(1 + 2 * n as u64);
        cluster.send(&tokens::create_mint(&cluster.payer().pubkey(), &mint.pubkey(), &admin.pubkey(), r.decimals), &[&mint]).await?;
        let price_account = key(2 + 2 * n as u64).pubkey();
        r.mint = Some(mint.pubkey().to_string());
        r.price_account = Some(price_account.to_string());
        assets.push(Asset { symbol: r.symbol.clone(), mint: mint.pubkey(), price_account, feed_id: r.feed_id()? });
    }
    let market = key(1_000);
    let world = World { cluster, admin, market: market.pubkey(), market_keypair: market.insecure_clone(), spec: spec.clone(), assets, now };
    for a in &world.assets {
        world.publish(&a.symbol, price(&a.symbol)).await;
    }
    for r in &spec.reserves {
        world.fund(&world.admin.pubkey(), &r.symbol, r.seed_native()).await?;
    }
    let plan = apply(&world.cluster, &spec, &market, &world.admin).await?;
    write!(out, "{plan}")?;
    Ok(world)
}

/// A user who supplies `ui` whole tokens of `r` as collateral in obligation 0.
pub async fn supply(w: &World, user: &Keypair, r: &ReserveView, ui: f64) -> Result<Pubkey> {
    let symbol = &w.assets.iter().find(|a| a.mint == r.mint()).expect("asset").symbol;
    let liquidity = w.fund(&user.pubkey(), symbol, r.native(ui)).await?;
    let obligation = pda::obligation(&w.market, &user.pubkey(), 0);
    let mut ixs = vec![];
    if w.cluster.account(&obligation).await?.is_none() {
        ixs.push(ix::init_obligation(&user.pubkey(), &w.market, 0));
    }
    ixs.push(ix::deposit_liquidity_and_collateral(&user.pubkey(), &obligation, r, &liquidity, r.native(ui)));
    w.cluster.send(&ixs, &[user]).await?;
    Ok(obligation)
}

/// Borrows `fraction` of what the obligation may borrow from `r`, as the SDK projects it.
pub async fn borrow_share(w: &World, user: &Keypair, obligation: &Pubkey, r: &ReserveView, fraction: f64) -> Result<u64> {
    let snap = w.snapshot().await?;
    let o: Obligation = decode(&w.cluster.account(obligation).await?.expect("obligation").data)?;
    let max = Projection::new(&snap).max_borrow(&o, &r.key)?;
    let amount = (max as f64 * fraction) as u64;
    if amount == 0 {
        return Ok(0);
    }
    let liquidity = pda::associated_token(&user.pubkey(), &r.mint(), &r.token_program());
    let payer = w.cluster.payer().pubkey();
    let ixs = [
        tokens::create_ata_idempotent(&payer, &user.pubkey(), &r.mint(), &r.token_program()),
        ix::borrow(&user.pubkey(), (obligation, &o), r, &liquidity, amount, snap.price_accounts()),
    ];
    w.cluster.send(&ixs, &[user]).await?;
    Ok(amount)
}

