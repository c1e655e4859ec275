//! The action alphabet, drawn at random and executed through the operations layer in the order each
//! instruction uses them (accrue, operate, check health, record, then move tokens). An action either
//! commits whole or fails and is rolled back, as a transaction would be.
use super::world::{random_config, World};
use crate::rng::Rng;
use anchor_lang::prelude::Pubkey;
use ballast::{
    constants::{MAX_LIQUIDATION_BONUS_BPS, MAX_PRICE_CLOCK_SKEW_SECS},
    error::BallastError,
    math::{self, Fraction},
    operations::{
        bad_debt, borrow, collateral,
        controls::{self, Action as Gate},
        deposit, fees, flash,
        liquidate::{self, LiquidationInputs},
        repay,
    },
    oracle::{PriceUse, Side},
    state::ReserveConfig,
};

#[derive(Clone, Debug)]
pub enum Action {
    Deposit { user: usize, asset: usize, amount: u64 },
    Redeem { user: usize, asset: usize, ctokens: u64 },
    Pledge { user: usize, asset: usize, ctokens: u64 },
    Unpledge { user: usize, asset: usize, ctokens: u64 },
    Borrow { user: usize, asset: usize, amount: u64 },
    /// `payer` repays `owner`'s debt (on behalf when they differ); u64::MAX repays all.
    Repay { payer: usize, owner: usize, asset: usize, amount: u64 },
    Liquidate { liquidator: usize, owner: usize, repay: usize, withdraw: usize, max_repay: u64, underlying: bool, min_out: u64 },
    Socialize { owner: usize, asset: usize },
    /// Borrow and repay in one transaction; `repay` differing from `amount` must fail.
    Flash { user: usize, asset: usize, amount: u64, repay: u64 },
    Refresh { asset: usize },
    SweepFees { asset: usize },
    /// Time passes; with `prices_follow`, every feed publishes again at the new time (an oracle keeps updating).
    Time { secs: i64, prices_follow: bool },
    Price { asset: usize, price: i64, ema: i64, conf: u64, age: i64 },
    Config { asset: usize, config: Box<ReserveConfig> },
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Deposit { .. } => "deposit",
            Action::Redeem { .. } => "redeem",
            Action::Pledge { .. } => "pledge",
            Action::Unpledge { .. } => "unpledge",
            Action::Borrow { .. } => "borrow",
            Action::Repay { .. } => "repay",
            Action::Liquidate { .. } => "liquidate",
            Action::Socialize { .. } => "socialize",
            Action::Flash { .. } => "flash",
            Action::Refresh { .. } => "refresh",
            Action::SweepFees { .. } => "sweep_fees",
            Action::Time { .. } => "time",
            Action::Price { .. } => "price",
            Action::Config { .. } => "config",
        }
    }
}

/// Why an action did not commit.
#[derive(Debug)]
pub enum Failure {
    /// The program refused, with this error.
    Program(anchor_lang::error::Error),
    /// The token program refused a transfer (a balance too small): not the program's rule.
    Token,
}

impl From<anchor_lang::error::Error> for Failure {
    fn from(e: anchor_lang::error::Error) -> Self {
        Failure::Program(e)
    }
}

impl From<BallastError> for Failure {
    fn from(e: BallastError) -> Self {
        Failure::Program(e.into())
    }
}

/// What a committed action did that the checks need to know.
#[derive(Clone, Debug, Default)]
pub struct Effect {
    /// A bad-debt write-off in this asset: the one way its exchange rate may fall.
    pub socialized: Option<usize>,
    pub liquidation: Option<Liquidation>,
}

#[derive(Clone, Debug)]
pub struct Liquidation {
    pub repay_amount: u64,
    pub bonus: Fraction,
}

fn take(balance: &mut u64, amount: u64) -> Result<(), Failure> {
    *balance = balance.checked_sub(amount).ok_or(Failure::Token)?;
    Ok(())
}

fn give(balance: &mut u64, amount: u64) {
    *balance = balance.checked_add(amount).expect("token balances fit u64");
}

/// The instruction's borrow-power rule: an obligation with debt must stay within borrow power.
fn require_borrow_power(w: &World, user: usize, error: BallastError) -> Result<(), Failure> {
    if w.obligations[user].active_borrows().is_empty() {
        return Ok(());
    }
    if !w.health(user, PriceUse::Risk)?.within_borrow_power() {
        return Err(error.into());
    }
    Ok(())
}

/// Executes `action` on `w`. On failure `w` may be half-changed: the caller rolls it back.
pub fn apply(w: &mut World, action: &Action) -> Result<Effect, Failure> {
    let now = w.now;
    let mut effect = Effect::default();
    match *action {
        Action::Deposit { user, asset, amount } => {
            let a = &mut w.assets[asset];
            controls::require_allowed(Gate::Deposit, &a.reserve.config, &w.market)?;
            a.reserve.accrue_interest(now)?;
            let minted = deposit::deposit_liquidity(&mut a.reserve, amount)?;
            controls::record_reserve_inflow(&mut a.reserve, amount, &w.market, now);
            a.reserve.invariant()?;
            take(&mut w.wallets[user].liquidity[asset], amount)?;
            give(&mut a.liquidity_vault, amount);
            give(&mut w.wallets[user].ctokens[asset], minted);
        }
        Action::Redeem { user, asset, ctokens } => {
            let a = &mut w.assets[asset];
            controls::require_allowed(Gate::Redeem, &a.reserve.config, &w.market)?;
            a.reserve.accrue_interest(now)?;
            let paid = deposit::redeem_for_depositor(&mut a.reserve, ctokens)?;
            controls::record_reserve_outflow(&mut a.reserve, paid, &w.market, now)?;
            a.reserve.invariant()?;
            take(&mut w.wallets[user].ctokens[asset], ctokens)?;
            take(&mut a.liquidity_vault, paid)?;
            give(&mut w.wallets[user].liquidity[asset], paid);
        }
        Action::Pledge { user, asset, ctokens } => {
            let key = w.assets[asset].key;
            if w.obligations[user].find_deposit(&key).is_none() {
                let price = w.price(asset, PriceUse::Liquidation)?;
                price.require_within_band(&w.assets[asset].reserve.config.oracle, Side::Collateral)?;
            }
            collateral::pledge(&mut w.obligations[user], &key, &w.assets[asset].reserve, ctokens)?;
            w.obligations[user].invariant()?;
            take(&mut w.wallets[user].ctokens[asset], ctokens)?;
            give(&mut w.assets[asset].collateral_vault, ctokens);
        }
        Action::Unpledge { user, asset, ctokens } => {
            let key = w.assets[asset].key;
            let a = &mut w.assets[asset];
            controls::require_allowed(Gate::WithdrawCollateral, &a.reserve.config, &w.market)?;
            a.reserve.accrue_interest(now)?;
            collateral::unpledge(&mut w.obligations[user], &key, ctokens)?;
            require_borrow_power(w, user, BallastError::WithdrawExceedsLtv)?;
            w.obligations[user].invariant()?;
            w.assets[asset].reserve.invariant()?;
            take(&mut w.assets[asset].collateral_vault, ctokens)?;
            give(&mut w.wallets[user].ctokens[asset], ctokens);
        }
        Action::Borrow { user, asset, amount } => {
            let key = w.assets[asset].key;
            let a = &mut w.assets[asset];
            controls::require_allowed(Gate::Borrow, &a.reserve.config, &w.market)?;
            a.reserve.accrue_interest(now)?;
            borrow::borrow(&mut a.reserve, &mut w.obligations[user], &key, amount)?;
            require_borrow_power(w, user, BallastError::BorrowExceedsLtv)?;
            let a = &mut w.assets[asset];
            controls::record_reserve_outflow(&mut a.reserve, amount, &w.market, now)?;
            w.obligations[user].invariant()?;
            a.reserve.invariant()?;
            take(&mut a.liquidity_vault, amount)?;
            give(&mut w.wallets[user].liquidity[asset], amount);
        }
        Action::Repay { payer, owner, asset, amount } => {
            let key = w.assets[asset].key;
            let a = &mut w.assets[asset];
            a.reserve.accrue_interest(now)?;
            let r = repay::repay(&mut a.reserve, &mut w.obligations[owner], &key, amount)?;
            controls::record_reserve_inflow(&mut a.reserve, r.liquidity_amount, &w.market, now);
            w.obligations[owner].invariant()?;
            a.reserve.invariant()?;
            take(&mut w.wallets[payer].liquidity[asset], r.liquidity_amount)?;
            give(&mut a.liquidity_vault, r.liquidity_amount);
        }
        Action::Liquidate { liquidator, owner, repay: ri, withdraw: wi, max_repay, underlying, min_out } => {
            effect.liquidation = Some(liquidate_once(w, liquidator, owner, ri, wi, max_repay, underlying, min_out)?);
        }
        Action::Socialize { owner, asset } => {
            let key = w.assets[asset].key;
            let a = &mut w.assets[asset];
            a.reserve.accrue_interest(now)?;
            bad_debt::socialize(&mut a.reserve, &mut w.obligations[owner], &key)?;
            w.obligations[owner].invariant()?;
            a.reserve.invariant()?;
            effect.socialized = Some(asset);
        }
        Action::Flash { user, asset, amount, repay } => {
            let a = &mut w.assets[asset];
            controls::require_allowed(Gate::FlashLoan, &a.reserve.config, &w.market)?;
            a.reserve.accrue_interest(now)?;
            flash::flash_borrow(&mut a.reserve, amount)?;
            take(&mut a.liquidity_vault, amount)?;
            give(&mut w.wallets[user].liquidity[asset], amount);
            let fee = flash::flash_repay(&mut a.reserve, repay)?;
            a.reserve.invariant()?;
            let owed = math::checked_add_u64(repay, fee.fee_amount)?;
            take(&mut w.wallets[user].liquidity[asset], owed)?;
            give(&mut a.liquidity_vault, owed);
        }
        Action::Refresh { asset } => {
            w.assets[asset].reserve.accrue_interest(now)?;
        }
        Action::SweepFees { asset } => {
            let a = &mut w.assets[asset];
            a.reserve.accrue_interest(now)?;
            let amount = fees::sweep_fees(&mut a.reserve)?;
            a.reserve.invariant()?;
            take(&mut a.liquidity_vault, amount)?;
            give(&mut a.fee_vault, amount);
        }
        Action::Time { secs, prices_follow } => {
            w.now += secs;
            if prices_follow {
                for a in w.assets.iter_mut() {
                    a.price.publish_time = w.now;
                }
            }
        }
        Action::Price { asset, price, ema, conf, age } => {
            let p = &mut w.assets[asset].price;
            p.price = price;
            p.ema_price = ema;
            p.conf = conf;
            p.publish_time = now - age;
        }
        Action::Config { asset, ref config } => {
            config.validate()?;
            w.assets[asset].reserve.accrue_interest(now)?;
            w.assets[asset].reserve.config = **config;
        }
    }
    Ok(effect)
}

/// `liquidate`, step for step: accrue both reserves, liquidation health on fresh prices, size, repay, seize,
/// pay the liquidator in cTokens or underlying.
#[allow(clippy::too_many_arguments)]
fn liquidate_once(w: &mut World, liquidator: usize, owner: usize, ri: usize, wi: usize, max_repay: u64, underlying: bool, min_out: u64) -> Result<Liquidation, Failure> {
    let now = w.now;
    let (repay_key, withdraw_key) = (w.assets[ri].key, w.assets[wi].key);
    w.assets[ri].reserve.accrue_interest(now)?;
    w.assets[wi].reserve.accrue_interest(now)?;
    let o = &w.obligations[owner];
    let debt_index = o.find_borrow(&repay_key).ok_or(BallastError::BorrowPositionNotFound)?;
    let deposit_index = o.find_deposit(&withdraw_key).ok_or(BallastError::DepositPositionNotFound)?;
    let health = w.health(owner, PriceUse::Liquidation)?;
    let repay_price = w.price(ri, PriceUse::Liquidation)?;
    let withdraw_price = w.price(wi, PriceUse::Liquidation)?;
    let (rr, wr) = (&w.assets[ri].reserve, &w.assets[wi].reserve);
    let cfg = &wr.config;
    let max_bonus_bps = cfg.max_liquidation_bonus_bps.min(MAX_LIQUIDATION_BONUS_BPS);
    let plan = liquidate::plan(&LiquidationInputs {
        health,
        debt: o.borrows[debt_index].debt_at(rr.cumulative_borrow_index_sf.get())?,
        repay_price: repay_price.spot(ballast::oracle::Side::Debt),
        repay_decimals: rr.liquidity_decimals,
        collateral_ctokens: o.deposits[deposit_index].ctoken_amount,
        liquidity_per_ctoken: wr.ctokens_to_liquidity(1)?,
        withdraw_price: withdraw_price.spot(ballast::oracle::Side::Collateral),
        withdraw_decimals: wr.liquidity_decimals,
        close_factor_bps: w.market.close_factor_bps,
        dust_threshold_quote: w.market.dust_threshold_quote,
        min_bonus_bps: cfg.min_liquidation_bonus_bps.min(max_bonus_bps),
        max_bonus_bps,
        protocol_fee_bps: cfg.protocol_liquidation_fee_bps,
        max_repay_amount: max_repay,
    })?;
    repay::repay(&mut w.assets[ri].reserve, &mut w.obligations[owner], &repay_key, plan.repay_amount)?;
    let payout = liquidate::settle(&mut w.assets[wi].reserve, &mut w.obligations[owner], &withdraw_key, &plan, underlying, min_out)?;
    w.assets[ri].reserve.invariant()?;
    w.assets[wi].reserve.invariant()?;
    w.obligations[owner].invariant()?;
    take(&mut w.wallets[liquidator].liquidity[ri], plan.repay_amount)?;
    give(&mut w.assets[ri].liquidity_vault, plan.repay_amount);
    // The fee's cTokens are burned from the collateral vault; the liquidator's leave it, or are burned for
    // underlying paid from the liquidity vault.
    take(&mut w.assets[wi].collateral_vault, plan.seized_ctokens)?;
    match payout.underlying {
        Some(liquidity) => {
            take(&mut w.assets[wi].liquidity_vault, liquidity)?;
            give(&mut w.wallets[liquidator].liquidity[wi], liquidity);
        }
        None => give(&mut w.wallets[liquidator].ctokens[wi], payout.ctoken_amount),
    }
    Ok(Liquidation { repay_amount: plan.repay_amount, bonus: plan.bonus })
}

/// Draws the next action, biased towards ones that can succeed (amounts within balances, borrows near the
/// limit, liquidations of unhealthy obligations) while still producing the invalid ones.
pub fn draw(w: &World, rng: &mut Rng) -> Action {
    let n = w.assets.len();
    let user = rng.below(w.wallets.len() as u64) as usize;
    let asset = rng.below(n as u64) as usize;
    let wallet = &w.wallets[user];
    let key = w.assets[asset].key;
    let o = &w.obligations[user];
    match rng.below(100) {
        0..=13 => Action::Deposit { user, asset, amount: rng.amount(wallet.liquidity[asset].max(1)) },
        14..=20 => Action::Redeem { user, asset, ctokens: rng.amount(wallet.ctokens[asset].max(1)) },
        21..=32 => Action::Pledge { user, asset, ctokens: rng.amount(wallet.ctokens[asset].max(1)) },
        33..=39 => {
            let held = o.find_deposit(&key).map(|i| o.deposits[i].ctoken_amount).unwrap_or(1);
            Action::Unpledge { user, asset, ctokens: rng.amount(held) }
        }
        40..=53 => Action::Borrow { user, asset, amount: borrow_amount(w, user, asset, rng) },
        54..=61 => {
            // Mostly a debtor repaying one of its debts; sometimes someone else pays, or nothing is owed.
            let debtors: Vec<usize> = (0..w.obligations.len()).filter(|&u| !w.obligations[u].active_borrows().is_empty()).collect();
            let owner = if !debtors.is_empty() && rng.chance(0.85) { rng.pick(&debtors) } else { user };
            let borrows = w.obligations[owner].active_borrows();
            let asset = match borrows.get(rng.below(borrows.len().max(1) as u64) as usize) {
                Some(b) if rng.chance(0.9) => w.asset_index(&b.reserve).unwrap_or(asset),
                _ => asset,
            };
            let key = w.assets[asset].key;
            let o = &w.obligations[owner];
            let payer = if rng.chance(0.7) { owner } else { rng.below(w.wallets.len() as u64) as usize };
            let debt = o.find_borrow(&key).and_then(|i| o.borrows[i].borrowed_sf.get().checked_to_num::<u64>()).unwrap_or(1);
            let amount = if rng.chance(0.3) { u64::MAX } else { rng.amount(debt.max(1)) };
            Action::Repay { payer, owner, asset, amount }
        }
        62..=71 => draw_liquidation(w, rng),
        72..=73 => {
            let owner = (0..w.obligations.len()).find(|&u| w.obligations[u].active_deposits().is_empty() && !w.obligations[u].active_borrows().is_empty()).unwrap_or(user);
            let asset = w.obligations[owner].active_borrows().first().and_then(|b| w.asset_index(&b.reserve)).unwrap_or(asset);
            Action::Socialize { owner, asset }
        }
        74..=76 => {
            let amount = rng.amount(w.assets[asset].reserve.available_liquidity.max(1));
            let repay = if rng.chance(0.9) { amount } else { amount.saturating_sub(1) };
            Action::Flash { user, asset, amount, repay }
        }
        77..=78 => Action::Refresh { asset },
        79 => Action::SweepFees { asset },
        80..=86 => Action::Time { secs: time_jump(w.extreme, rng), prices_follow: rng.chance(0.85) },
        87..=97 => draw_price(w, asset, rng),
        _ => {
            let mut config = random_config(rng, asset);
            config.oracle = w.assets[asset].reserve.config.oracle;
            // Now and then a circuit breaker: paused or reduce-only until the next config change.
            if rng.chance(0.05) {
                config.flags |= ballast::state::FLAG_PAUSED;
            } else if rng.chance(0.05) {
                config.flags |= ballast::state::FLAG_REDUCE_ONLY;
            }
            Action::Config { asset, config: Box::new(config) }
        }
    }
}

/// Log-uniform: seconds to ten years in an extreme episode, seconds to a month otherwise.
fn time_jump(extreme: bool, rng: &mut Rng) -> i64 {
    let decades = if extreme { 8.5 } else { 6.4 };
    (10f64.powf(rng.unit() * decades) as i64).max(1)
}

/// Near the obligation's remaining borrow power in this asset (sometimes past it), else anything.
fn borrow_amount(w: &World, user: usize, asset: usize, rng: &mut Rng) -> u64 {
    let available = w.assets[asset].reserve.available_liquidity.max(1);
    let room = w.health(user, PriceUse::Risk).ok().and_then(|h| {
        let spare = h.borrow_power.saturating_sub(h.initial_debt).to_num::<f64>();
        let price = w.price(asset, PriceUse::Risk).ok()?.risk(&w.assets[asset].reserve.config.oracle).ok()?.high.to_num::<f64>();
        let bf = w.assets[asset].reserve.config.borrow_factor_bps as f64 / 10_000.0;
        (price > 0.0).then(|| spare / price / bf * 10f64.powi(w.assets[asset].reserve.liquidity_decimals as i32))
    });
    match room {
        Some(room) if room >= 1.0 && rng.chance(0.8) => {
            let share = if rng.chance(0.2) { 1.0 + rng.unit() * 0.01 } else { 0.5 + rng.unit() * 0.5 };
            ((room * share) as u64).clamp(1, available)
        }
        _ => rng.amount(available),
    }
}

/// Mostly an obligation the exact path finds liquidatable, paying with one of its debts for one of its deposits.
fn draw_liquidation(w: &World, rng: &mut Rng) -> Action {
    let users = w.obligations.len();
    let unhealthy: Vec<usize> = (0..users)
        .filter(|&u| w.health(u, PriceUse::Liquidation).ok().and_then(|h| h.is_liquidatable().ok()).unwrap_or(false))
        .collect();
    let debtors: Vec<usize> = (0..users).filter(|&u| !w.obligations[u].active_borrows().is_empty()).collect();
    let owner = if !unhealthy.is_empty() && rng.chance(0.9) {
        rng.pick(&unhealthy)
    } else if !debtors.is_empty() && rng.chance(0.8) {
        rng.pick(&debtors)
    } else {
        rng.below(users as u64) as usize
    };
    let o = &w.obligations[owner];
    let n = w.assets.len() as u64;
    let repay = o.active_borrows().get(rng.below(o.active_borrows().len().max(1) as u64) as usize).and_then(|b| w.asset_index(&b.reserve)).unwrap_or(rng.below(n) as usize);
    let withdraw = o.active_deposits().get(rng.below(o.active_deposits().len().max(1) as u64) as usize).and_then(|d| w.asset_index(&d.reserve)).unwrap_or(rng.below(n) as usize);
    let liquidator = rng.below(users as u64) as usize;
    let max_repay = if rng.chance(0.6) { u64::MAX } else { rng.amount(w.wallets[liquidator].liquidity[repay].max(1)) };
    Action::Liquidate { liquidator, owner, repay, withdraw, max_repay, underlying: rng.chance(0.5), min_out: if rng.chance(0.9) { 0 } else { rng.amount(1 << 40) } }
}

/// A price move: drifts, crashes and spikes; confidence and EMA gap at, just inside and just past the
/// validation limits; ages at the staleness boundary and from the future.
fn draw_price(w: &World, asset: usize, rng: &mut Rng) -> Action {
    let a = &w.assets[asset];
    let cfg = &a.reserve.config.oracle;
    let old = a.price.price.max(1) as f64;
    let factor = match rng.below(10) {
        0 => 0.2 + rng.unit() * 0.3,
        1 => 2.0 + rng.unit() * 3.0,
        _ => (rng.unit() - 0.5).mul_add(0.2, 1.0),
    };
    // Mantissas at exponent -8: 10^-6 to 10^7 quote per token unless the episode is extreme.
    let (low, high) = if w.extreme { (1, i64::MAX / 4) } else { (100, 1_000_000_000_000_000) };
    let price = ((old * factor) as i64).clamp(low, high);
    let ema = match rng.below(20) {
        0..=9 => price,
        10..=12 => a.price.ema_price,
        13..=15 => {
            let gap = cfg.max_ema_divergence_bps as f64 / 10_000.0 * if rng.chance(0.5) { 1.0 } else { 1.0001 };
            ((price as f64 / (1.0 + gap)) as i64).max(1)
        }
        _ => ((a.price.ema_price as f64 + price as f64) / 2.0) as i64,
    }
    .max(1);
    let limit = price as u128 * cfg.max_conf_bps as u128 / 10_000;
    let conf = match rng.below(20) {
        0..=7 => 0,
        8..=13 => rng.below(limit as u64 + 1),
        14..=16 => limit as u64,
        _ => limit as u64 + 1,
    };
    let max_age = cfg.max_age_secs as i64;
    let age = match rng.below(8) {
        0 => max_age,
        1 => max_age + 1,
        2 => -MAX_PRICE_CLOCK_SKEW_SECS,
        3 => -MAX_PRICE_CLOCK_SKEW_SECS - 1,
        _ => rng.below(max_age as u64) as i64,
    };
    Action::Price { asset, price, ema, conf, age }
}

/// Whether the error is one of the program's named errors (not a panic, not a bare ProgramError).
pub fn is_named(e: &anchor_lang::error::Error) -> Option<String> {
    match e {
        anchor_lang::error::Error::AnchorError(ae) => {
            let code = ae.error_code_number;
            let named = code >= anchor_lang::error::ERROR_CODE_OFFSET;
            named.then(|| ae.error_name.clone())
        }
        anchor_lang::error::Error::ProgramError(_) => None,
    }
}

/// Keys are not part of the alphabet; kept for reports.
pub fn describe(w: &World, action: &Action) -> String {
    let keys: Vec<Pubkey> = w.assets.iter().map(|a| a.key).collect();
    format!("{action:?} (reserves {keys:?})")
}
