//! The fuzzed market as plain structs: reserves and their token accounts, price feeds (a Pyth primary and,
//! where the reserve names one, a Switchboard secondary), withdrawal tickets, obligations, users' wallets, and
//! the market account with its quote outflow window.
use crate::rng::Rng;
use anchor_lang::prelude::Pubkey;
use ballast::{
    constants::{DEFAULT_CLOSE_FACTOR_BPS, MIN_SEED_DEPOSIT},
    math::{CurvePoint, Fraction},
    operations::{deposit, health::{Health, ReserveValuation}},
    oracle::{
        liquidation_needs_secondary, sources,
        switchboard::{validate_feed, RawFeed},
        validate_price, Price, PriceUse, RawPrice,
    },
    state::{
        Market, MarketConfig, MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY, Obligation, OracleConfig, Reserve, ReserveConfig, SecondaryOracleConfig, WithdrawalTicket, FLAG_BORROW_ENABLED,
        FLAG_COLLATERAL_ENABLED, FLAG_FLASH_ENABLED, FLAG_SECONDARY_ONLY, FLAG_SINGLE_SOURCE_RISK, SECONDARY_SWITCHBOARD,
    },
};
use bytemuck::Zeroable;

pub const USERS: usize = 8;

/// One reserve, its price feed, and the token accounts the program would hold for it.
#[derive(Clone)]
pub struct Asset {
    pub key: Pubkey,
    pub reserve: Reserve,
    pub price: RawPrice,
    /// The liquidity vault's token balance.
    pub liquidity_vault: u64,
    /// The collateral vault's cToken balance.
    pub collateral_vault: u64,
    /// Swept protocol fees.
    pub fee_vault: u64,
    /// Every token of this mint in the world (wallets, vaults, the admin's seed): conserved.
    pub minted: u128,
    /// How far the reserve's books and its obligations' debts may have drifted apart by rounding, native units
    /// at the stored index: every accrual rounds the index and every position update re-snapshots a debt,
    /// each by at most 2^-60 relative (the index is at least 1); drift already there grows with the index.
    pub drift_budget: Fraction,
    /// The reserve's Switchboard feed as last published: read only while the config names a secondary source.
    pub feed: RawFeed,
    /// Open tickets of the reserve's withdrawal queue (queued, set aside, or cancelled behind the head), by seq.
    pub tickets: Vec<Ticket>,
}

/// A withdrawal ticket as the program stores it, with its owner's index and what fills paid so far.
#[derive(Clone)]
pub struct Ticket {
    pub owner: usize,
    pub state: WithdrawalTicket,
    /// cTokens filled so far.
    pub filled: u64,
}

/// What one user holds outside the program, per asset.
#[derive(Clone)]
pub struct Wallet {
    pub liquidity: Vec<u64>,
    pub ctokens: Vec<u64>,
}

/// User `i` owns `obligations[i]`.
#[derive(Clone)]
pub struct World {
    /// An extreme episode: time jumps up to years and prices walking without bounds, to drive reserves into
    /// their caps. Otherwise time moves seconds to a month and prices stay within 10^-6..10^7 quote per token.
    pub extreme: bool,
    pub now: i64,
    /// The cluster's slot: Switchboard freshness is judged in slots too (2.5 a second).
    pub slot: u64,
    /// The market account: its config and its quote outflow window.
    pub market: Market,
    pub assets: Vec<Asset>,
    pub obligations: Vec<Obligation>,
    pub wallets: Vec<Wallet>,
}

const FEED_EXPONENT: i32 = -8;
const START_TS: i64 = 1_700_000_000;
const START_SLOT: u64 = 300_000_000;
/// Switchboard values are 1e18 fixed point; Pyth mantissas here are 1e-8: a mantissa times this is a feed value.
pub const FEED_PER_MANTISSA: i128 = 10_000_000_000;

/// A Switchboard secondary source for reserve `i`, its bounds drawn across their allowed ranges.
pub fn random_secondary(rng: &mut Rng, i: usize) -> SecondaryOracleConfig {
    SecondaryOracleConfig {
        price_account: Pubkey::new_from_array([i as u8 + 51; 32]),
        max_age_secs: rng.range(30, 120) as u32,
        max_age_slots: rng.range(75, 300) as u32,
        max_divergence_bps: rng.pick(&[50, 200, 700, 2_000]),
        max_conf_bps: rng.range(20, 500) as u16,
        min_samples: rng.range(1, 5) as u8,
        kind: SECONDARY_SWITCHBOARD,
        padding: [0; 18],
    }
}

/// A fresh, calm feed result at the primary's spot `mantissa` (1e-8 quote per token).
pub fn calm_feed(mantissa: i64, now: i64, slot: u64) -> RawFeed {
    RawFeed { value: mantissa as i128 * FEED_PER_MANTISSA, std_dev: 0, num_samples: 5, slot, min_slot: slot, last_update_ts: now, max_staleness: 0, min_sample_size: 1 }
}

/// A valid reserve config with parameters drawn across their allowed ranges.
pub fn random_config(rng: &mut Rng, i: usize) -> ReserveConfig {
    let mut c = ReserveConfig::zeroed();
    c.deposit_limit = u64::MAX;
    c.borrow_limit = u64::MAX;
    c.outflow_limit = u64::MAX;
    c.isolated_debt_ceiling_micro_quote = u64::MAX;
    let kink = rng.range(5_000, 9_000) as u32;
    c.curve[0] = CurvePoint { utilization_bps: 0, borrow_rate_bps: rng.range(0, 200) as u32 };
    c.curve[1] = CurvePoint { utilization_bps: kink, borrow_rate_bps: rng.range(300, 2_000) as u32 };
    c.curve[2] = CurvePoint { utilization_bps: 10_000, borrow_rate_bps: rng.range(5_000, 30_000) as u32 };
    c.curve_len = 3;
    c.oracle = OracleConfig {
        price_account: Pubkey::new_from_array([i as u8 + 1; 32]),
        feed_id: [i as u8 + 1; 32],
        max_age_secs: 60,
        max_conf_bps: 200,
        max_ema_divergence_bps: 500,
        conf_multiplier_bps: 10_000,
        volatility_haircut_bps: 10_000,
        liquidation_band_bps: 10_000,
    };
    c.liquidation_threshold_bps = rng.range(5_000, 9_000) as u16;
    c.ltv_bps = c.liquidation_threshold_bps - rng.range(100, 1_000) as u16;
    c.min_liquidation_bonus_bps = rng.range(0, 300) as u16;
    c.max_liquidation_bonus_bps = c.min_liquidation_bonus_bps + rng.range(0, 700) as u16;
    c.protocol_liquidation_fee_bps = rng.range(0, 5_000) as u16;
    // Half the reserves run an insolvent auction, from a minute to the day the program allows.
    c.insolvent_auction_secs = if rng.chance(0.5) { rng.range(60, 86_400) as u32 } else { 0 };
    // Half of them liquidate toward a target health.
    c.liquidation_target_health_bps = if rng.chance(0.5) { rng.range(10_000, 15_000) as u16 } else { 0 };
    // Half of them run a volatility regime, anywhere within the program's bounds.
    if rng.chance(0.5) {
        c.regime_half_life_mins = rng.range(10, 43_200) as u16;
        c.regime_calm_vol_bps = rng.range(0, 30_000) as u16;
        c.regime_turbulent_vol_bps = c.regime_calm_vol_bps + rng.range(1, 30_000) as u16;
        c.regime_max_ltv_cut_bps = rng.range(0, 5_000) as u16;
        c.regime_max_rate_addon_bps = rng.range(0, 5_000) as u16;
    }
    c.reserve_factor_bps = rng.range(0, 3_000) as u16;
    c.insurance_factor_bps = rng.range(0, 2_000) as u16;
    c.borrow_factor_bps = rng.range(10_000, 15_000) as u16;
    c.origination_fee_bps = rng.range(0, 100) as u16;
    c.flash_fee_bps = rng.range(0, 50) as u16;
    c.utilization_ceiling_bps = rng.range(9_000, 10_000) as u16;
    c.flags = FLAG_BORROW_ENABLED | FLAG_COLLATERAL_ENABLED | FLAG_FLASH_ENABLED;
    // Caps and the net outflow limiter, some of the time: refusals they cause are named, and the limiter's
    // credit bookkeeping runs through deposits, repays, redeems and borrows.
    if rng.chance(0.2) {
        c.deposit_limit = rng.amount(1 << 50);
        c.borrow_limit = rng.amount(1 << 50);
    }
    if rng.chance(0.3) {
        c.outflow_limit = rng.amount(1 << 50);
        c.outflow_window_secs = rng.range(60, 86_400) as u32;
    }
    // A second price source some of the time: the cross-check for risk, the failover for liquidation; now and
    // then risk may rest on one source, or the reserve is priced by the secondary alone.
    if rng.chance(0.4) {
        c.secondary = random_secondary(rng, i);
        if rng.chance(0.15) {
            c.flags |= FLAG_SINGLE_SOURCE_RISK;
        }
        if rng.chance(0.05) {
            c.flags |= FLAG_SECONDARY_ONLY;
        }
    }
    c
}

impl World {
    /// 3 or 4 reserves of different decimals and prices, seeded by the admin; 8 funded users, each with an
    /// empty obligation.
    pub fn new(rng: &mut Rng) -> Self {
        let n_assets = rng.range(3, 4) as usize;
        let mut decimals = vec![0u8, 6, 8, 9];
        for i in (1..decimals.len()).rev() {
            decimals.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let now = START_TS;
        let slot = START_SLOT;
        let mut assets = vec![];
        for (i, &dec) in decimals.iter().take(n_assets).enumerate() {
            let mut reserve = Reserve::zeroed();
            reserve.version = ballast::constants::ACCOUNT_VERSION;
            reserve.liquidity_decimals = dec;
            reserve.config = random_config(rng, i);
            reserve.config.validate().expect("a generated config is valid");
            reserve.cumulative_borrow_index_sf.set(Fraction::ONE);
            reserve.last_update_ts = now;
            let unit = 10u64.pow(dec as u32);
            let seed = MIN_SEED_DEPOSIT.max(unit);
            deposit::seed_reserve(&mut reserve, seed).expect("seed");
            // $0.001 to $100,000 per whole token.
            let dollars = 10f64.powf(rng.unit() * 8.0 - 3.0);
            let mantissa = ((dollars * 1e8) as i64).max(1);
            let price = RawPrice { fully_verified: true, feed_id: [i as u8 + 1; 32], price: mantissa, conf: 0, ema_price: mantissa, exponent: FEED_EXPONENT, publish_time: now };
            let feed = calm_feed(mantissa, now, slot);
            let key = Pubkey::new_from_array([i as u8 + 101; 32]);
            assets.push(Asset { key, reserve, price, liquidity_vault: seed, collateral_vault: 0, fee_vault: 0, minted: seed as u128, drift_budget: Fraction::ZERO, feed, tickets: vec![] });
        }
        let mut wallets = vec![];
        for _ in 0..USERS {
            let mut liquidity = vec![];
            for a in assets.iter_mut() {
                // Worth about $10 to $10M, in native units.
                let dollars = 10f64.powf(1.0 + rng.unit() * 6.0);
                let whole = dollars / (a.price.price as f64 * 1e-8);
                let amount = (whole * 10f64.powi(a.reserve.liquidity_decimals as i32)).clamp(1.0, 1e18) as u64;
                a.minted += amount as u128;
                liquidity.push(amount);
            }
            wallets.push(Wallet { liquidity, ctokens: vec![0; assets.len()] });
        }
        let obligations = (0..USERS)
            .map(|u| {
                let mut o = Obligation::zeroed();
                o.version = ballast::constants::ACCOUNT_VERSION;
                o.owner = Pubkey::new_from_array([u as u8 + 201; 32]);
                o
            })
            .collect();
        let mut market = Market::zeroed();
        market.config = MarketConfig {
            dust_threshold_quote: rng.range(0, 5),
            config_timelock_secs: 0,
            outflow_limit_quote: u64::MAX,
            outflow_window_secs: 0,
            close_factor_bps: rng.pick(&[DEFAULT_CLOSE_FACTOR_BPS, 2_000, 5_000, 10_000]),
            // SPL-style partial liquidation only, some of the time (the simulator's baseline).
            flags: if rng.chance(0.2) { MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY } else { 0 },
        };
        // The market's quote outflow limiter, some of the time (whole quote units per window).
        if rng.chance(0.3) {
            market.config.outflow_limit_quote = rng.amount(1 << 32);
            market.config.outflow_window_secs = rng.range(60, 86_400) as u32;
        }
        World { extreme: rng.chance(0.25), now, slot, market, assets, obligations, wallets }
    }

    /// A market within ordinary magnitudes: every reserve's liquidity, debt and fees worth under 2^50 quote
    /// (about 10^15) at spot, exchange rates between 2^-20 and 2^20, borrow indexes under 2^30. Arithmetic
    /// must never overflow in such a market; outside it (centuries of 500% interest, prices walked to
    /// 10^9 quote per native unit, reserves written off to a crumb) U68F60 may run out of range, and the
    /// program refuses with MathOverflow rather than misprice.
    pub fn ordinary(&self) -> bool {
        let limit = 2f64.powi(50);
        self.assets.iter().all(|a| {
            // Judged as the action will see it: accrued to now. Interest left unaccrued for years at a high rate
            // can carry a reserve past these bounds the moment an action accrues it (found at seed 563, step
            // 4281 of a 10M run: a stored index of 293 reached the 2^40 cap inside the liquidation).
            let mut r = a.reserve;
            if r.accrue_interest(self.now).is_err() {
                return false;
            }
            let r = &r;
            let feed = if r.config.secondary.is_configured() { a.feed.value as f64 * 1e-18 } else { 0.0 };
            let unit = (a.price.price.max(a.price.ema_price) as f64 * 10f64.powi(a.price.exponent)).max(feed) / 10f64.powi(r.liquidity_decimals as i32);
            let native = r.available_liquidity as f64 + r.borrowed_sf.get().to_num::<f64>() + r.protocol_fees_sf.get().to_num::<f64>() + r.insurance_fund_sf.get().to_num::<f64>()
                + self.wallets.iter().map(|w| w.liquidity[self.asset_index(&a.key).unwrap_or(0)] as f64).sum::<f64>();
            let rate = r.total_liquidity().map(|t| t.to_num::<f64>()).unwrap_or(0.0) / r.ctoken_supply.max(1) as f64;
            native * unit < limit && (2f64.powi(-20)..2f64.powi(20)).contains(&rate) && r.cumulative_borrow_index_sf.get() < Fraction::from_num(1u64 << 30)
        })
    }

    pub fn asset_index(&self, key: &Pubkey) -> Option<usize> {
        self.assets.iter().position(|a| a.key == *key)
    }

    /// The primary (Pyth) source alone, validated for `use_`.
    pub fn primary(&self, i: usize, use_: PriceUse) -> anchor_lang::Result<Price> {
        let a = &self.assets[i];
        validate_price(&a.price, &a.reserve.config.oracle, self.now, use_)
    }

    /// The secondary (Switchboard) source alone, validated for `use_` against the reserve's secondary config.
    pub fn secondary(&self, i: usize, use_: PriceUse) -> anchor_lang::Result<Price> {
        let a = &self.assets[i];
        validate_feed(&a.feed, &a.reserve.config.secondary, self.now, self.slot, use_)
    }

    /// The reserve's price for `use_` exactly as `load_reserve_price` selects it: the primary unless the reserve
    /// is priced by its secondary alone, the secondary's account passed (`pass_secondary`) only where the reserve
    /// names one, and `oracle::sources::select` deciding.
    pub fn price_with(&self, i: usize, use_: PriceUse, pass_secondary: bool) -> anchor_lang::Result<Price> {
        let cfg = &self.assets[i].reserve.config;
        let primary = (!cfg.has_flag(FLAG_SECONDARY_ONLY)).then(|| self.primary(i, use_));
        let secondary = (pass_secondary && cfg.secondary.is_configured()).then(|| self.secondary(i, use_));
        sources::select(cfg, primary, secondary, use_)
    }

    /// The price as the SDK's accounts give it: the secondary passed wherever the reserve has one.
    pub fn price(&self, i: usize, use_: PriceUse) -> anchor_lang::Result<Price> {
        self.price_with(i, use_, true)
    }

    /// Whether a liquidation must pass reserve `i`'s secondary (the program's own rule): priced by it alone, or
    /// its primary fails now.
    pub fn needs_secondary(&self, i: usize) -> bool {
        liquidation_needs_secondary(&self.assets[i].reserve.config, self.primary(i, PriceUse::Liquidation).is_ok())
    }

    /// Health as the program computes it for `use_` (stored reserves, the valuation each position needs).
    pub fn health(&self, user: usize, use_: PriceUse) -> anchor_lang::Result<Health> {
        self.health_with(user, use_, &|_| true)
    }

    /// `health` with reserve `i`'s secondary passed only where `pass(i)`.
    pub fn health_with(&self, user: usize, use_: PriceUse, pass: &dyn Fn(usize) -> bool) -> anchor_lang::Result<Health> {
        let o = &self.obligations[user];
        let mut health = Health::default();
        for position in o.health_positions() {
            let i = self.asset_index(&position.reserve).expect("positions name known reserves");
            let price = self.price_with(i, use_, pass(i))?;
            health.add_position(o, &position, &self.assets[i].reserve, &price, None, self.now, use_)?;
        }
        Ok(health)
    }

    /// Health with every reserve fully projected to now: the reference the program's shortcuts must never beat.
    pub fn health_projected(&self, user: usize, use_: PriceUse) -> anchor_lang::Result<Health> {
        let o = &self.obligations[user];
        let mut health = Health::default();
        for position in o.health_positions() {
            let i = self.asset_index(&position.reserve).expect("positions name known reserves");
            let price = self.price(i, use_)?;
            let valuation = ReserveValuation::projected(&self.assets[i].reserve, self.now)?;
            health.add_priced_position(o, &position, &valuation, &price, None, use_)?;
        }
        Ok(health)
    }
}

impl World {
    /// cTokens of asset `i` waiting or set aside in `user`'s tickets: still theirs, to be filled or cancelled.
    pub fn ticket_ctokens(&self, user: usize, i: usize) -> u64 {
        self.assets[i].tickets.iter().filter(|t| t.owner == user).map(|t| t.state.ctoken_amount).sum()
    }

    /// The seq of reserve `i`'s head ticket while the queue is not empty.
    pub fn head(&self, i: usize) -> Option<u64> {
        let r = &self.assets[i].reserve;
        (r.queue_head < r.queue_tail).then_some(r.queue_head)
    }
}
