//! The fuzzed market in the bank: USDC, SOL and BTC reserves, six funded users, and per episode a random choice
//! of second price sources, reserve outflow limiters and the market's quote limiter; and the program's own price
//! and health rules run client-side on the bank's accounts.
use crate::rng::Rng;
use anchor_lang::prelude::Pubkey;
use ballast::{
    math::Fraction,
    operations::health::{Health, ReserveValuation},
    oracle::{
        liquidation_needs_secondary, pyth::price_from_bytes, sources::select, switchboard::feed_from_bytes, Now, Price, PriceUse,
    },
    state::{MarketConfig, Obligation, Reserve, ReserveConfig, FLAG_FLASH_ENABLED, FLAG_SECONDARY_ONLY, FLAG_SINGLE_SOURCE_RISK},
};
use ballast_tests::{Asset, ReserveInfo, TestContext, User};

pub const USERS: usize = 6;

pub struct Market {
    pub t: TestContext,
    pub reserves: Vec<ReserveInfo>,
    pub users: Vec<User>,
    /// Each reserve's config as the episode set it up: what the admin restores when a brake is released.
    pub base: Vec<ReserveConfig>,
    pub base_market: MarketConfig,
    /// The withdrawal queues as the fuzzer follows them.
    pub queues: super::check::Queues,
}

/// A fresh market. Each reserve may get a Switchboard secondary (sometimes trusted alone for risk, rarely the
/// only source), and an hourly outflow limit of 2% to 50% of its starting liquidity; the market may get an hourly
/// quote limit. Half the markets run the insolvent auction, half liquidate toward a target health, half run a
/// volatility regime.
pub async fn market(rng: &mut Rng) -> Market {
    let mut t = TestContext::new().await;
    let limit = |rng: &mut Rng, whole: f64, unit: u64| -> Option<u64> { rng.chance(0.4).then(|| (whole * (0.02 + rng.unit() * 0.48)) as u64 * unit) };
    let (usdc_limit, sol_limit, btc_limit) = (limit(rng, 1_000_000.0, 1_000_000), limit(rng, 5_000.0, 1_000_000_000), limit(rng, 20.0, 100_000_000));
    // Half the markets run the insolvent auction on every reserve, over a minute to an hour.
    let auction = if rng.chance(0.5) { rng.range(60, 3_600) as u32 } else { 0 };
    // And half liquidate toward a target health.
    let target = if rng.chance(0.5) { rng.range(10_000, 15_000) as u16 } else { 0 };
    // And half run a volatility regime, fed by the refreshes the fuzzer sends.
    let regime = rng.chance(0.5).then(|| {
        let calm = rng.range(5_000, 15_000) as u16;
        (rng.range(10, 720) as u16, calm, calm + rng.range(1, 20_000) as u16, rng.range(0, 5_000) as u16, rng.range(0, 5_000) as u16)
    });
    let limited = move |l: Option<u64>| {
        move |c: &mut ReserveConfig| {
            c.insolvent_auction_secs = auction;
            c.liquidation_target_health_bps = target;
            if let Some((half_life, calm, turbulent, cut, addon)) = regime {
                (c.regime_half_life_mins, c.regime_calm_vol_bps, c.regime_turbulent_vol_bps) = (half_life, calm, turbulent);
                (c.regime_max_ltv_cut_bps, c.regime_max_rate_addon_bps) = (cut, addon);
            }
            if let Some(l) = l {
                c.outflow_limit = l;
                c.outflow_window_secs = 3_600;
            }
        }
    };
    let usdc = t.reserve(Asset::Usdc).liquidity(1_000_000.0).config(move |c| {
        c.flags |= FLAG_FLASH_ENABLED;
        limited(usdc_limit)(c)
    });
    let usdc = usdc.build().await;
    let sol = t.reserve(Asset::Sol).liquidity(5_000.0).config(move |c| {
        c.origination_fee_bps = 30;
        limited(sol_limit)(c)
    });
    let sol = sol.build().await;
    let btc = t.reserve(Asset::Btc).liquidity(20.0).config(move |c| {
        c.flash_fee_bps = 9;
        limited(btc_limit)(c)
    });
    let btc = btc.build().await;
    let mut users = vec![];
    for i in 0..USERS {
        let scale = [1.0, 10.0, 100.0][i % 3];
        users.push(t.user().funded(&usdc, 50_000.0 * scale).funded(&sol, 300.0 * scale).funded(&btc, 1.0 * scale).build().await);
    }
    let reserves = vec![usdc, sol, btc];
    for (r, chance) in reserves.iter().zip([0.3, 0.7, 0.7]) {
        if rng.chance(chance) {
            let flags = match rng.below(10) {
                0..=1 => FLAG_SINGLE_SOURCE_RISK,
                2 => FLAG_SECONDARY_ONLY,
                _ => 0,
            };
            let divergence = rng.pick(&[100u16, 200, 700]);
            t.add_secondary(r, move |c| {
                c.flags |= flags;
                c.secondary.max_divergence_bps = divergence;
            })
            .await;
        }
    }
    if rng.chance(0.3) {
        let mut config = t.market_config().await;
        config.outflow_window_secs = 3_600;
        config.outflow_limit_quote = rng.range(20_000, 2_000_000);
        let admin = t.admin.keypair.insecure_clone();
        t.try_update_market_config(&admin, config).await.expect("the admin turns the market limiter on");
    }
    // SPL-style partial liquidation only, some of the time (the simulator's baseline).
    if rng.chance(0.2) {
        let mut config = t.market_config().await;
        config.flags |= ballast::state::MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY;
        let admin = t.admin.keypair.insecure_clone();
        // It changes who is liquidated for how much, so it goes through the queue (no timelock here).
        t.try_queue_market_config(&admin, config).await.expect("the admin queues partial liquidation only");
        t.try_apply_pending_market_config().await.expect("and applies it");
    }
    let mut base = vec![];
    for r in &reserves {
        base.push(t.reserve_config(r).await);
    }
    let base_market = t.market_config().await;
    Market { t, reserves, users, base, base_market, queues: Default::default() }
}

/// The price accounts of one reserve as the bank holds them.
pub struct PriceAccounts {
    /// (owner, data) of the primary's account.
    pub primary: Option<(Pubkey, Vec<u8>)>,
    /// (owner, data) of the secondary's feed, where the reserve names one.
    pub secondary: Option<(Pubkey, Vec<u8>)>,
}

/// Every reserve's state and price accounts, and the clock, at one moment.
pub struct View {
    pub now: Now,
    pub reserves: Vec<Reserve>,
    pub prices: Vec<PriceAccounts>,
}

impl Market {
    pub async fn reserve_states(&mut self) -> Vec<Reserve> {
        let mut out = vec![];
        for r in self.reserves.clone() {
            out.push(self.t.reserve_state(&r).await);
        }
        out
    }

    pub async fn view(&mut self) -> View {
        let clock: anchor_lang::prelude::Clock = self.t.banks.banks_client.get_sysvar().await.unwrap();
        let reserves = self.reserve_states().await;
        let mut prices = vec![];
        for (r, s) in self.reserves.clone().iter().zip(&reserves) {
            let primary = self.t.account(&r.price_account).await.map(|a| (a.owner, a.data));
            let secondary = match s.config.secondary.is_configured() {
                true => self.t.account(&s.config.secondary.price_account).await.map(|a| (a.owner, a.data)),
                false => None,
            };
            prices.push(PriceAccounts { primary, secondary });
        }
        View { now: Now { ts: clock.unix_timestamp, slot: clock.slot }, reserves, prices }
    }

    /// Depositors' liquidity and cToken supply per reserve, projected to now.
    pub async fn rates(&mut self) -> Vec<(Fraction, u64)> {
        let now = self.t.now;
        self.reserve_states().await.iter().map(|r| (ReserveValuation::projected(r, now).map(|v| v.total_liquidity).unwrap_or_default(), r.ctoken_supply)).collect()
    }

    pub fn index_of(&self, key: &Pubkey) -> Option<usize> {
        self.reserves.iter().position(|r| r.key == *key)
    }

    pub fn spot(&self, i: usize) -> f64 {
        self.t.price_spec(&self.reserves[i]).price as f64 * 1e-8
    }

    /// Spare borrow power of `user` in quote, by the program's own health math (None when it cannot be priced).
    pub async fn spare_power(&mut self, user: usize) -> Option<f64> {
        let o: Obligation = self.t.obligation_state(&self.users[user]).await;
        let view = self.view().await;
        let h = view.health(self, &o, PriceUse::Risk, &|_| true).ok()?;
        Some(h.borrow_power.saturating_sub(h.initial_debt).to_num::<f64>())
    }
}

impl View {
    /// The primary source alone, validated for `use_`.
    pub fn primary(&self, i: usize, use_: PriceUse) -> anchor_lang::Result<Price> {
        let cfg = &self.reserves[i].config;
        let (owner, data) = self.prices[i].primary.as_ref().ok_or(ballast::error::BallastError::OracleInvalidAccount)?;
        price_from_bytes(owner, data, &cfg.oracle, self.now.ts, use_)
    }

    /// Reserve `i`'s price for `use_` as `load_reserve_price` selects it, its secondary passed where `pass`.
    pub fn price(&self, i: usize, use_: PriceUse, pass: bool) -> anchor_lang::Result<Price> {
        let cfg = &self.reserves[i].config;
        let primary = (!cfg.has_flag(FLAG_SECONDARY_ONLY)).then(|| self.primary(i, use_));
        let secondary = (pass && cfg.secondary.is_configured()).then(|| match &self.prices[i].secondary {
            Some((owner, data)) => feed_from_bytes(owner, data, &cfg.secondary, self.now.ts, self.now.slot, use_),
            None => Err(ballast::error::BallastError::OracleInvalidAccount.into()),
        });
        select(cfg, primary, secondary, use_)
    }

    /// Whether a liquidation must pass reserve `i`'s secondary (`liquidation_needs_secondary`).
    pub fn needs_secondary(&self, i: usize) -> bool {
        liquidation_needs_secondary(&self.reserves[i].config, self.primary(i, PriceUse::Liquidation).is_ok())
    }

    /// Health of `o` for `use_`, reserve `i`'s secondary passed where `pass(i)`.
    pub fn health(&self, m: &Market, o: &Obligation, use_: PriceUse, pass: &dyn Fn(usize) -> bool) -> anchor_lang::Result<Health> {
        let mut health = Health::default();
        for position in o.health_positions() {
            let i = m.index_of(&position.reserve).ok_or(ballast::error::BallastError::HealthAccountMismatch)?;
            let price = self.price(i, use_, pass(i))?;
            health.add_position(o, &position, &self.reserves[i], &price, None, self.now.ts, use_)?;
        }
        Ok(health)
    }
}
