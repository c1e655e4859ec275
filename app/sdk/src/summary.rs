//! What a client shows for a reserve and for an obligation, computed in one place: `ballast reserve show`,
//! `obligation show`, the demo's table, the simulator and the dashboard all print these. Interest is accrued
//! to the snapshot's clock with the program's own arithmetic; amounts are whole tokens of the reserve.
use crate::{accounts::{liquidity_coverage, MarketSnapshot}, health::{LiquidationPrice, Projection}, ReserveView};
use anchor_lang::prelude::Pubkey;
use anyhow::Result;
use ballast::{
    math::Fraction,
    oracle::PriceUse,
    state::{Obligation, Reserve, FLAG_SECONDARY_ONLY},
};
use serde::Serialize;

fn f(x: Fraction) -> f64 {
    x.to_num::<f64>()
}

/// The price the refresh crank last verified and cached (the program never reads it back: prices it uses are
/// read fresh from the oracle in the same instruction).
#[derive(Clone, Debug, Serialize)]
pub struct CachedPrice {
    pub price: f64,
    pub at: i64,
    pub age_secs: Option<i64>,
}

/// One price source as of the snapshot: whether it validates for liquidation, its price and how old it is.
#[derive(Clone, Debug, Serialize)]
pub struct SourceStatus {
    pub valid: Option<bool>,
    pub price: Option<f64>,
    pub age_secs: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PriceSource {
    pub account: String,
    pub kind: &'static str,
    pub status: SourceStatus,
}

#[derive(Clone, Debug, Serialize)]
pub struct OracleSummary {
    pub primary: PriceSource,
    /// None when no secondary source is configured.
    pub secondary: Option<PriceSource>,
    pub secondary_only: bool,
}

/// A reserve's numbers. Fractions are 0–1 (`utilization`, APRs, cap use); `None` where there is nothing to
/// measure (no cap, limiter off, nothing owed for the LCR, no snapshot for prices).
#[derive(Clone, Debug, Serialize)]
pub struct ReserveSummary {
    pub reserve: String,
    pub market: String,
    pub mint: String,
    pub decimals: u8,
    pub price: Option<f64>,
    pub cached_price: Option<CachedPrice>,
    pub available_liquidity: f64,
    pub borrowed: f64,
    pub utilization: f64,
    pub borrow_apr: f64,
    pub supply_apr: f64,
    pub insurance_fund: f64,
    pub protocol_fees: f64,
    pub ctoken_exchange_rate: f64,
    /// Liquidity the withdrawal queue is owed, at the current exchange rate.
    pub queued_withdrawals: f64,
    /// What depositors are owed: everything but the protocol's fees and the insurance fund.
    pub deposits: f64,
    /// Liquidity coverage ratio ([`liquidity_coverage`]).
    pub lcr: Option<f64>,
    pub oracle: OracleSummary,
    pub ltv_bps: u16,
    pub liquidation_threshold_bps: u16,
    pub deposit_limit: u64,
    pub borrow_limit: u64,
    /// Depositor liquidity over the deposit cap, as the deposit instruction counts it.
    pub deposit_cap_use: Option<f64>,
    /// Borrowed liquidity over the borrow cap, as the borrow instruction counts it.
    pub borrow_cap_use: Option<f64>,
    pub outflow_window_secs: u32,
    pub outflow_limit: f64,
    /// New outflow of the sliding window over the reserve's outflow limit.
    pub outflow_use: Option<f64>,
    pub flags: u16,
    pub pending_config_apply_ts: i64,
}

/// How much of a cap `used` (native units) takes; None for an unlimited cap (`u64::MAX`). A zero cap is full
/// as soon as anything is used.
fn cap_use(used: f64, cap: u64) -> Option<f64> {
    match cap {
        u64::MAX => None,
        0 => Some(if used > 0.0 { 1.0 } else { 0.0 }),
        cap => Some(used / cap as f64),
    }
}

/// How much of its outflow limit the reserve's sliding-window new outflow (beyond its inflow credit) uses at
/// `now`, by the program's own window arithmetic. None when the reserve's limiter is off.
fn outflow_use(s: &Reserve, now: i64) -> Option<f64> {
    let window = s.config.outflow_window_secs;
    if window == 0 {
        return None;
    }
    let limit = s.config.outflow_limit;
    let room = s.outflow.room(now, window, Some(limit));
    cap_use(limit.saturating_sub(room) as f64, limit)
}

impl ReserveSummary {
    /// `r` as of `snap` (prices and the clock come from it; without one, as of the reserve's last update).
    pub fn new(r: &ReserveView, snap: Option<&MarketSnapshot>) -> Result<Self> {
        let s = &r.state;
        let now = snap.map(|m| m.now).unwrap_or(s.last_update_ts);
        let accrued = s.accrual(now)?;
        let borrowed = r.ui(f(accrued.borrowed) as u64);
        let available = r.ui(s.available_liquidity);
        let total = available + borrowed;
        let utilization = if total > 0.0 { borrowed / total } else { 0.0 };
        let borrow_apr = f(s.borrow_apr()?);
        let shares = 1.0 - (s.config.reserve_factor_bps as f64 + s.config.insurance_factor_bps as f64) / 10_000.0;
        let exchange = if s.ctoken_supply > 0 { f(s.total_liquidity()?) / s.ctoken_supply as f64 } else { 1.0 };
        let queued = r.ui(s.queued_ctokens) * exchange;
        let (fees, insurance) = (r.ui(f(accrued.protocol_fees) as u64), r.ui(f(accrued.insurance_fund) as u64));
        let deposits = total - fees - insurance;
        let depositor_liquidity = Reserve::depositor_liquidity(ballast::math::from_u64(s.owned_liquidity()?), accrued.borrowed, accrued.protocol_fees, accrued.insurance_fund)?;
        Ok(ReserveSummary {
            reserve: r.key.to_string(),
            market: s.market.to_string(),
            mint: s.liquidity_mint.to_string(),
            decimals: s.liquidity_decimals,
            price: snap.and_then(|m| m.spot_price(r)),
            cached_price: (s.cached_price_ts != 0).then(|| CachedPrice { price: f(s.cached_price_sf.get()), at: s.cached_price_ts, age_secs: snap.map(|m| m.now.saturating_sub(s.cached_price_ts)) }),
            available_liquidity: available,
            borrowed,
            utilization,
            borrow_apr,
            supply_apr: borrow_apr * utilization * shares,
            insurance_fund: insurance,
            protocol_fees: fees,
            ctoken_exchange_rate: exchange,
            queued_withdrawals: queued,
            deposits,
            lcr: liquidity_coverage(available, deposits, queued),
            oracle: oracle(r, snap),
            ltv_bps: s.config.ltv_bps,
            liquidation_threshold_bps: s.config.liquidation_threshold_bps,
            deposit_limit: s.config.deposit_limit,
            borrow_limit: s.config.borrow_limit,
            deposit_cap_use: cap_use(f(depositor_liquidity), s.config.deposit_limit),
            borrow_cap_use: cap_use(f(accrued.borrowed), s.config.borrow_limit),
            outflow_window_secs: s.config.outflow_window_secs,
            outflow_limit: r.ui(s.config.outflow_limit),
            outflow_use: outflow_use(s, now),
            flags: s.config.flags,
            pending_config_apply_ts: s.pending_config_apply_ts,
        })
    }
}

/// Each price source of `r` as of the snapshot.
fn oracle(r: &ReserveView, snap: Option<&MarketSnapshot>) -> OracleSummary {
    let status = |valid: Option<bool>, price: Option<f64>, at: Option<i64>| SourceStatus { valid, price, age_secs: at.zip(snap).map(|(t, m)| m.now.saturating_sub(t)) };
    let primary = snap.map(|m| {
        let raw = m.raw.get(&r.price_account());
        (m.primary_valid(r), raw.and_then(crate::pyth::spot_price), raw.and_then(crate::pyth::publish_time))
    });
    let secondary = r.secondary_price_account().map(|key| {
        let seen = snap.map(|m| {
            let raw = m.raw.get(&key);
            (m.secondary_price(&r.state, PriceUse::Liquidation).is_some_and(|p| p.is_ok()), raw.and_then(crate::switchboard::spot_price), raw.and_then(crate::switchboard::updated_at))
        });
        PriceSource { account: key.to_string(), kind: "switchboard", status: status(seen.map(|s| s.0), seen.and_then(|s| s.1), seen.and_then(|s| s.2)) }
    });
    OracleSummary {
        primary: PriceSource { account: r.price_account().to_string(), kind: "pyth", status: status(primary.map(|p| p.0), primary.and_then(|p| p.1), primary.and_then(|p| p.2)) },
        secondary,
        secondary_only: r.state.config.has_flag(FLAG_SECONDARY_ONLY),
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct DepositSummary {
    pub reserve: String,
    pub ctokens: u64,
    /// What the cTokens redeem for now, rounded down.
    pub liquidity: f64,
    pub max_withdraw_ctokens: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct BorrowSummary {
    pub reserve: String,
    /// Accrued to the snapshot's clock, rounded up.
    pub debt: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct MaxBorrow {
    pub reserve: String,
    pub max_borrow: f64,
}

/// An obligation's positions, health, max borrow per reserve and liquidation prices.
#[derive(Clone, Debug, Serialize)]
pub struct ObligationSummary {
    pub obligation: String,
    pub owner: String,
    pub market: String,
    pub elevation_group: u8,
    pub deposits: Vec<DepositSummary>,
    pub borrows: Vec<BorrowSummary>,
    /// At liquidation prices, quote units.
    pub collateral_value: f64,
    pub debt_value: f64,
    pub liquidation_health: Option<f64>,
    pub liquidatable: bool,
    pub max_borrow: Vec<MaxBorrow>,
    pub liquidation_prices: Vec<LiquidationPrice>,
}

impl ObligationSummary {
    pub fn new(snap: &MarketSnapshot, key: &Pubkey, o: &Obligation) -> Result<Self> {
        let p = Projection::new(snap);
        let deposits = o
            .active_deposits()
            .iter()
            .map(|d| {
                let r = snap.reserve(&d.reserve)?;
                let liquidity = r.state.ctokens_to_liquidity_floor(d.ctoken_amount)?;
                Ok(DepositSummary { reserve: d.reserve.to_string(), ctokens: d.ctoken_amount, liquidity: r.ui(liquidity), max_withdraw_ctokens: p.max_withdraw(o, &d.reserve)? })
            })
            .collect::<Result<_>>()?;
        let borrows = o
            .active_borrows()
            .iter()
            .map(|b| {
                let r = snap.reserve(&b.reserve)?;
                let debt = f(b.debt_at(r.state.accrual(snap.now)?.cumulative_borrow_index)?);
                Ok(BorrowSummary { reserve: b.reserve.to_string(), debt: r.ui(debt.ceil() as u64) })
            })
            .collect::<Result<_>>()?;
        let max_borrow = snap.reserves.iter().map(|r| Ok(MaxBorrow { reserve: r.key.to_string(), max_borrow: r.ui(p.max_borrow(o, &r.key)?) })).collect::<Result<_>>()?;
        let health = p.health(o, PriceUse::Liquidation)?;
        Ok(ObligationSummary {
            obligation: key.to_string(),
            owner: o.owner.to_string(),
            market: o.market.to_string(),
            elevation_group: o.elevation_group,
            deposits,
            borrows,
            collateral_value: f(health.collateral_value),
            debt_value: f(health.debt_value),
            liquidation_health: health.liquidation_health()?.map(f),
            liquidatable: health.is_liquidatable()?,
            max_borrow,
            liquidation_prices: p.liquidation_prices(o)?,
        })
    }
}
