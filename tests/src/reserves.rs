//! Reserve and user builders with production-like defaults.
use crate::{context::*, prices::{mantissa, PriceSpec}, tokens::MintKind, TestContext};
use anchor_lang::prelude::Pubkey;
use ballast::{
    math::CurvePoint,
    seeds,
    state::{OracleConfig, ReserveConfig, FLAG_BORROW_ENABLED, FLAG_COLLATERAL_ENABLED},
};
use bytemuck::Zeroable;
use solana_program_test::BanksClientError;
use solana_signer::Signer;
use std::collections::HashMap;

/// Test assets: symbol, decimals, starting price.
#[derive(Clone, Copy, Debug)]
pub enum Asset {
    Sol,
    Usdc,
    Btc,
    Custom(&'static str, u8, f64),
}

impl Asset {
    fn spec(self) -> (&'static str, u8, f64) {
        match self {
            Asset::Sol => ("SOL", 9, 150.0),
            Asset::Usdc => ("USDC", 6, 1.0),
            Asset::Btc => ("BTC", 8, 60_000.0),
            Asset::Custom(s, d, p) => (s, d, p),
        }
    }
}

/// Everything a scenario needs to address a reserve.
#[derive(Clone, Debug)]
pub struct ReserveInfo {
    pub symbol: &'static str,
    pub market: Pubkey,
    pub key: Pubkey,
    pub mint: Pubkey,
    pub kind: MintKind,
    pub decimals: u8,
    pub liquidity_vault: Pubkey,
    pub ctoken_mint: Pubkey,
    pub collateral_vault: Pubkey,
    pub fee_vault: Pubkey,
    pub price_account: Pubkey,
    pub feed_id: [u8; 32],
}

impl ReserveInfo {
    /// Whole tokens to native units.
    pub fn amount(&self, ui: f64) -> u64 {
        (ui * 10f64.powi(self.decimals as i32)).round() as u64
    }
    pub fn token_program(&self) -> Pubkey {
        self.kind.program()
    }
}

/// LTV 80%, threshold 85%, bonus 2–10%, 10% reserve factor, 5% insurance, no origination fee, a kinked curve
/// (0% → 8% APR at 80% utilization → 108% at 100%), 95% utilization ceiling, no caps (nor an isolated
/// debt ceiling, should a scenario flag the reserve isolated), 60 s oracle age, a 100% liquidation band
/// (spot within [ema / 2, 2 · ema]).
pub fn default_config(price_account: Pubkey, feed_id: [u8; 32]) -> ReserveConfig {
    let mut c = ReserveConfig::zeroed();
    c.deposit_limit = u64::MAX;
    c.borrow_limit = u64::MAX;
    c.outflow_limit = u64::MAX;
    c.outflow_window_secs = 0;
    c.isolated_debt_ceiling_micro_quote = u64::MAX;
    c.curve[0] = CurvePoint { utilization_bps: 0, borrow_rate_bps: 0 };
    c.curve[1] = CurvePoint { utilization_bps: 8_000, borrow_rate_bps: 800 };
    c.curve[2] = CurvePoint { utilization_bps: 10_000, borrow_rate_bps: 10_800 };
    c.curve_len = 3;
    c.oracle = OracleConfig {
        price_account,
        feed_id,
        max_age_secs: 60,
        max_conf_bps: 200,
        max_ema_divergence_bps: 500,
        conf_multiplier_bps: 10_000,
        volatility_haircut_bps: 10_000,
        liquidation_band_bps: 10_000,
    };
    c.ltv_bps = 8_000;
    c.liquidation_threshold_bps = 8_500;
    c.min_liquidation_bonus_bps = 200;
    c.max_liquidation_bonus_bps = 1_000;
    c.protocol_liquidation_fee_bps = 2_000;
    c.reserve_factor_bps = 1_000;
    c.insurance_factor_bps = 500;
    c.borrow_factor_bps = 10_000;
    c.origination_fee_bps = 0;
    c.flash_fee_bps = 0;
    c.utilization_ceiling_bps = 9_500;
    c.flags = FLAG_BORROW_ENABLED | FLAG_COLLATERAL_ENABLED;
    c
}

type ConfigEdit = Box<dyn FnOnce(&mut ReserveConfig)>;

pub struct ReserveBuilder<'a> {
    t: &'a mut TestContext,
    asset: Asset,
    kind: MintKind,
    edits: Vec<ConfigEdit>,
    seed_native: Option<u64>,
    prefund_lamports: Option<u64>,
    liquidity: f64,
    market: Option<(Pubkey, solana_keypair::Keypair)>,
    listing_pending: bool,
}

impl TestContext {
    pub fn reserve(&mut self, asset: Asset) -> ReserveBuilder<'_> {
        ReserveBuilder { t: self, asset, kind: MintKind::SplToken, edits: vec![], seed_native: None, prefund_lamports: None, liquidity: 0.0, market: None, listing_pending: false }
    }
}

impl ReserveBuilder<'_> {
    pub fn config(mut self, edit: impl FnOnce(&mut ReserveConfig) + 'static) -> Self {
        self.edits.push(Box::new(edit));
        self
    }
    pub fn ltv_bps(self, bps: u16) -> Self {
        self.config(move |c| c.ltv_bps = bps)
    }
    pub fn origination_fee_bps(self, bps: u16) -> Self {
        self.config(move |c| c.origination_fee_bps = bps)
    }
    pub fn mint_kind(mut self, kind: MintKind) -> Self {
        self.kind = kind;
        self
    }
    pub fn seed_native(mut self, amount: u64) -> Self {
        self.seed_native = Some(amount);
        self
    }
    /// Before `init_reserve`, a griefer sends `lamports` to the reserve's address and to each of its vaults'.
    pub fn prefunded(mut self, lamports: u64) -> Self {
        self.prefund_lamports = Some(lamports);
        self
    }
    /// Extra liquidity the admin supplies after the seed, whole tokens.
    pub fn liquidity(mut self, ui: f64) -> Self {
        self.liquidity = ui;
        self
    }
    /// Builds in another market, administered by `admin`.
    pub fn market(mut self, market: Pubkey, admin: solana_keypair::Keypair) -> Self {
        self.market = Some((market, admin));
        self
    }
    /// In a market with a timelock, leaves the listing queued (collateral off until it applies). Otherwise the
    /// builder lets the timelock pass and applies it, standing for a reserve listed long ago.
    pub fn listing_pending(mut self) -> Self {
        self.listing_pending = true;
        self
    }

    pub async fn build(self) -> ReserveInfo {
        self.try_build().await.expect("init_reserve succeeds")
    }

    pub async fn try_build(self) -> Result<ReserveInfo, BanksClientError> {
        let (symbol, decimals, price) = self.asset.spec();
        let t = self.t;
        let mint = t.create_mint(decimals, self.kind).await;
        let price_account = Pubkey::new_unique();
        let feed_id = [t.next_feed; 32];
        t.next_feed += 1;
        let spec = PriceSpec { feed_id, price: mantissa(price), conf: 0, ema_price: mantissa(price), publish_time: t.now, verified: true, frozen: false };
        t.write_price(&price_account, spec);
        let mut config = default_config(price_account, feed_id);
        for edit in self.edits {
            edit(&mut config);
        }
        let (market, admin) = match self.market {
            Some((m, a)) => (m, a),
            None => (t.market, t.admin.keypair.insecure_clone()),
        };
        let seed = self.seed_native.unwrap_or(10u64.pow(decimals as u32));
        let liquidity = (self.liquidity * 10f64.powi(decimals as i32)).round() as u64;
        let admin_liquidity = t.create_token_account(&mint, &admin.pubkey(), self.kind).await;
        t.mint_to(&mint, &admin_liquidity, seed + liquidity, self.kind).await;

        let reserve = Pubkey::find_program_address(&[seeds::RESERVE, market.as_ref(), mint.as_ref()], &ballast::ID).0;
        let pda = |seed: &[u8]| Pubkey::find_program_address(&[seed, reserve.as_ref()], &ballast::ID).0;
        let info = ReserveInfo {
            symbol,
            market,
            key: reserve,
            mint,
            kind: self.kind,
            decimals,
            liquidity_vault: pda(seeds::LIQUIDITY),
            ctoken_mint: pda(seeds::CTOKEN),
            collateral_vault: pda(seeds::COLLATERAL),
            fee_vault: pda(seeds::FEES),
            price_account,
            feed_id,
        };
        if let Some(lamports) = self.prefund_lamports {
            for address in [reserve, info.liquidity_vault, info.ctoken_mint, info.collateral_vault, info.fee_vault] {
                t.airdrop(&address, lamports).await;
            }
        }
        let args = ballast::instructions::InitReserveArgs { config: config.into(), seed_liquidity_amount: seed };
        let ix = ballast_sdk::ix::init_reserve(&admin.pubkey(), &market, &mint, &self.kind.program(), &admin_liquidity, args);
        assert_eq!(ix.accounts[3].pubkey, reserve, "the SDK derives the reserve the test expects");
        t.send(&[ix], &[&admin]).await?;
        let listed: ballast::state::Reserve = t.zero_copy(&reserve).await;
        let e = t.emitted::<ballast::events::ReserveInitializedEvent>();
        let expected = ballast::events::ReserveInitializedEvent {
            market,
            reserve,
            liquidity_mint: mint,
            seed_liquidity_amount: seed,
            config: listed.config.into(),
            pending_apply_ts: listed.pending_config_apply_ts,
        };
        assert_eq!(e, expected);
        if listed.pending_config_apply_ts != 0 && !self.listing_pending {
            t.advance((listed.pending_config_apply_ts - t.now).max(0)).await;
            t.send(&[ballast_sdk::ix::apply_pending_reserve_config(&reserve)], &[]).await?;
        }
        for vault in [info.liquidity_vault, info.collateral_vault, info.fee_vault] {
            t.token_accounts.push(vault);
        }
        t.reserves.push(info.clone());
        if market == t.market {
            let ctokens = t.create_token_account(&info.ctoken_mint, &admin.pubkey(), self.kind).await;
            t.admin.accounts.insert(reserve, (admin_liquidity, ctokens));
            if liquidity > 0 {
                let admin_user = std::mem::replace(&mut t.admin, User { keypair: admin.insecure_clone(), obligation: Pubkey::default(), accounts: HashMap::new() });
                t.deposit(&admin_user, &info, liquidity).await;
                t.admin = admin_user;
            }
        }
        Ok(info)
    }
}

pub struct UserBuilder<'a> {
    t: &'a mut TestContext,
    funds: Vec<(Pubkey, f64)>,
}

impl TestContext {
    pub fn user(&mut self) -> UserBuilder<'_> {
        UserBuilder { t: self, funds: vec![] }
    }
}

impl UserBuilder<'_> {
    /// Mints `ui` whole tokens of `r` to the user.
    pub fn funded(mut self, r: &ReserveInfo, ui: f64) -> Self {
        self.funds.push((r.key, ui));
        self
    }

    /// A user with lamports, token accounts for every reserve of the default market, and obligation 0.
    pub async fn build(self) -> User {
        let t = self.t;
        let keypair = solana_keypair::Keypair::new();
        t.airdrop(&keypair.pubkey(), 10_000_000_000).await;
        let mut user = User { obligation: obligation_address(&t.market, &keypair.pubkey(), 0), keypair, accounts: HashMap::new() };
        let reserves: Vec<ReserveInfo> = t.reserves.iter().filter(|r| r.market == t.market).cloned().collect();
        for r in &reserves {
            let liquidity = t.create_token_account(&r.mint, &user.key(), r.kind).await;
            let ctokens = t.create_token_account(&r.ctoken_mint, &user.key(), r.kind).await;
            user.accounts.insert(r.key, (liquidity, ctokens));
        }
        for (key, ui) in self.funds {
            let r = t.reserve_by_key(&key).clone();
            let account = user.liquidity(&r);
            t.mint_to(&r.mint, &account, r.amount(ui), r.kind).await;
        }
        t.init_obligation(&user, 0).await.unwrap();
        user
    }
}
