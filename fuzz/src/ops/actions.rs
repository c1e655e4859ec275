//! The action alphabet, executed through the operations layer in the order each instruction uses them
//! (accrue, operate, check health, record, then move tokens). An action either commits whole or fails and is
//! rolled back, as a transaction would be. Drawing them is `draw`'s; the queue's are in `queue`, liquidation's in
//! `liquidation`.
use super::{liquidation, queue, world::World};
use ballast::{
    error::BallastError,
    math::{self, Fraction},
    operations::{
        bad_debt, borrow, collateral,
        controls::{self, Action as Gate},
        delisting, deposit, fees, flash, regime, repay,
    },
    oracle::{market_value, PriceUse, Side},
    state::{MarketConfig, ReserveConfig},
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
    /// `sources`: bit i set when the liquidator passes reserve i's secondary price account (where it has one).
    Liquidate { liquidator: usize, owner: usize, repay: usize, withdraw: usize, max_repay: u64, underlying: bool, min_out: u64, sources: u8 },
    Socialize { owner: usize, asset: usize },
    /// Borrow and repay in one transaction; `repay` differing from `amount` must fail.
    Flash { user: usize, asset: usize, amount: u64, repay: u64 },
    Refresh { asset: usize },
    SweepFees { asset: usize },
    /// The admin starts a delisting of `asset` on these terms, or stops the one under way.
    Delist { asset: usize, notice_secs: u64, threshold_step: u16, bonus_step: u16 },
    /// `user` queues cTokens for a withdrawal ticket (refused while a redeem could be met).
    Request { user: usize, asset: usize, ctokens: u64 },
    /// The permissionless crank serves ticket `seq` (the head, unless it tries another); `usable`: the ticket's
    /// destination can be paid.
    Fill { asset: usize, seq: u64, usable: bool },
    /// `user` cancels ticket `seq` (its own, unless it tries another's).
    Cancel { user: usize, asset: usize, seq: u64 },
    /// A request and the fill of the ticket it creates, in one transaction: both commit or neither.
    RequestAndFill { user: usize, asset: usize, ctokens: u64 },
    /// Time passes; every primary (`prices_follow`) and every secondary feed (`feeds_follow`) publishes again at
    /// the new time, or stays as it was and ages.
    Time { secs: i64, prices_follow: bool, feeds_follow: bool },
    /// The primary publishes; with `feed_follows` the secondary moves with it (keeping its relative gap).
    Price { asset: usize, price: i64, ema: i64, conf: u64, age: i64, verified: bool, feed_follows: bool },
    /// The secondary feed publishes a result (`value` 1e18 per whole token), `slot_lag` slots and `age` seconds
    /// old, its oldest sample `spread` slots older.
    Feed { asset: usize, value: i128, std_dev: i128, num_samples: u8, slot_lag: u64, spread: u64, age: i64 },
    Config { asset: usize, config: Box<ReserveConfig> },
    /// The risk council's brakes (pause, reduce-only, an outflow limit of zero, emergency mode) and their
    /// release: the reserve's and the market's config after it.
    Brake { asset: usize, kind: &'static str, config: Box<ReserveConfig>, market: MarketConfig },
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
            Action::Delist { .. } => "delist",
            Action::Request { .. } => "request_withdrawal",
            Action::Fill { .. } => "fill_withdrawal",
            Action::Cancel { .. } => "cancel_withdrawal",
            Action::RequestAndFill { .. } => "request_and_fill",
            Action::Time { .. } => "time",
            Action::Price { .. } => "price",
            Action::Feed { .. } => "feed",
            Action::Config { .. } => "config",
            Action::Brake { .. } => "brake",
        }
    }

    /// A user's transaction (the crank's fill included): what the utilization ceiling binds. Not interest
    /// accrual, not liquidation or write-off, not the admin's sweep, not governance, not the world moving.
    pub fn is_user(&self) -> bool {
        matches!(
            self,
            Action::Deposit { .. }
                | Action::Redeem { .. }
                | Action::Pledge { .. }
                | Action::Unpledge { .. }
                | Action::Borrow { .. }
                | Action::Repay { .. }
                | Action::Flash { .. }
                | Action::Request { .. }
                | Action::Fill { .. }
                | Action::Cancel { .. }
                | Action::RequestAndFill { .. }
        )
    }
}

/// Why an action did not commit.
#[derive(Debug)]
pub enum Failure {
    /// The program refused, with this error.
    Program(anchor_lang::error::Error),
    /// The token program refused a transfer (a balance too small): not the program's rule.
    Token,
    /// A ticket account that does not exist (never requested, or closed): the runtime refuses the transaction
    /// before the program runs.
    NoAccount,
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
    /// Tickets served, in order.
    pub served: Vec<queue::ServedTicket>,
}

#[derive(Clone, Debug)]
pub struct Liquidation {
    pub repay_amount: u64,
    pub seized_ctokens: u64,
    pub bonus: Fraction,
}

pub(super) fn take(balance: &mut u64, amount: u64) -> Result<(), Failure> {
    *balance = balance.checked_sub(amount).ok_or(Failure::Token)?;
    Ok(())
}

pub(super) fn give(balance: &mut u64, amount: u64) {
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

/// `reserve_vaults::record_outflow`: liquidity leaving reserve `i` (borrow, redeem, fill) counts against its own
/// limiter beyond its inflow credit, and what is new, at the outflow price, against the market's quote limiter.
pub(super) fn record_outflow(w: &mut World, i: usize, amount: u64) -> Result<(), Failure> {
    let (now, market) = (w.now, w.market.config);
    let new = controls::record_reserve_outflow(&mut w.assets[i].reserve, amount, &market, now)?;
    if market.outflow_window_secs == 0 || new == 0 {
        return Ok(());
    }
    let price = w.price(i, PriceUse::Liquidation)?;
    let value = market_value(Fraction::from_num(new), w.assets[i].reserve.liquidity_decimals, price.outflow())?;
    controls::record_market_outflow(&mut w.market, value, now)?;
    Ok(())
}

/// Executes `action` on `w`. On failure `w` may be half-changed: the caller rolls it back.
pub fn apply(w: &mut World, action: &Action) -> Result<Effect, Failure> {
    let now = w.now;
    let mut effect = Effect::default();
    match *action {
        Action::Deposit { user, asset, amount } => {
            let a = &mut w.assets[asset];
            controls::require_allowed(Gate::Deposit, &a.reserve.config, &w.market.config)?;
            a.reserve.accrue_interest(now)?;
            let minted = deposit::deposit_liquidity(&mut a.reserve, amount)?;
            controls::record_reserve_inflow(&mut a.reserve, amount, &w.market.config, now);
            a.reserve.invariant()?;
            take(&mut w.wallets[user].liquidity[asset], amount)?;
            give(&mut a.liquidity_vault, amount);
            give(&mut w.wallets[user].ctokens[asset], minted);
        }
        Action::Redeem { user, asset, ctokens } => {
            let a = &mut w.assets[asset];
            controls::require_allowed(Gate::Redeem, &a.reserve.config, &w.market.config)?;
            a.reserve.accrue_interest(now)?;
            let paid = deposit::redeem_for_depositor(&mut a.reserve, ctokens)?;
            record_outflow(w, asset, paid)?;
            let a = &mut w.assets[asset];
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
            controls::require_allowed(Gate::WithdrawCollateral, &a.reserve.config, &w.market.config)?;
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
            controls::require_allowed(Gate::Borrow, &a.reserve.config, &w.market.config)?;
            a.reserve.accrue_interest(now)?;
            borrow::borrow(&mut a.reserve, &mut w.obligations[user], &key, amount)?;
            require_borrow_power(w, user, BallastError::BorrowExceedsLtv)?;
            record_outflow(w, asset, amount)?;
            let a = &mut w.assets[asset];
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
            controls::record_reserve_inflow(&mut a.reserve, r.liquidity_amount, &w.market.config, now);
            w.obligations[owner].invariant()?;
            a.reserve.invariant()?;
            take(&mut w.wallets[payer].liquidity[asset], r.liquidity_amount)?;
            give(&mut a.liquidity_vault, r.liquidity_amount);
        }
        Action::Liquidate { liquidator, owner, repay: ri, withdraw: wi, max_repay, underlying, min_out, sources } => {
            let pass = move |i: usize| sources >> i & 1 == 1;
            effect.liquidation = Some(liquidation::liquidate_once(w, liquidator, owner, ri, wi, max_repay, underlying, min_out, &pass)?);
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
            controls::require_allowed(Gate::FlashLoan, &a.reserve.config, &w.market.config)?;
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
            // As `refresh_reserve`: a verified price or nothing, then accrual, then the regime's sample.
            let price = w.price(asset, PriceUse::Liquidation)?;
            let reserve = &mut w.assets[asset].reserve;
            reserve.accrue_interest(now)?;
            regime::observe(reserve, price.spot(Side::Collateral), now);
        }
        Action::Delist { asset, notice_secs, threshold_step, bonus_step } => {
            let timelock = w.market.config.config_timelock_secs;
            let reserve = &mut w.assets[asset].reserve;
            reserve.accrue_interest(now)?;
            if delisting::is_delisting(reserve) {
                delisting::stop(reserve)?;
            } else {
                delisting::start(reserve, now, notice_secs, threshold_step, bonus_step, timelock)?;
            }
        }
        Action::SweepFees { asset } => {
            let a = &mut w.assets[asset];
            a.reserve.accrue_interest(now)?;
            let amount = fees::sweep_fees(&mut a.reserve)?;
            a.reserve.invariant()?;
            take(&mut a.liquidity_vault, amount)?;
            give(&mut a.fee_vault, amount);
        }
        Action::Request { user, asset, ctokens } => {
            queue::request(w, user, asset, ctokens)?;
        }
        Action::Fill { asset, seq, usable } => {
            effect.served.push(queue::fill(w, asset, seq, usable)?);
        }
        Action::Cancel { user, asset, seq } => {
            queue::cancel(w, user, asset, seq)?;
        }
        Action::RequestAndFill { user, asset, ctokens } => {
            // The fill names the ticket the request is about to create: the queue's tail now.
            let seq = queue::request(w, user, asset, ctokens)?;
            effect.served.push(queue::fill(w, asset, seq, true)?);
        }
        Action::Time { secs, prices_follow, feeds_follow } => {
            w.now += secs;
            w.slot += secs as u64 * 5 / 2;
            for a in w.assets.iter_mut() {
                if prices_follow {
                    a.price.publish_time = w.now;
                }
                if feeds_follow {
                    let spread = a.feed.slot - a.feed.min_slot;
                    a.feed.last_update_ts = w.now;
                    a.feed.slot = w.slot;
                    a.feed.min_slot = w.slot.saturating_sub(spread).max(1);
                }
            }
        }
        Action::Price { asset, price, ema, conf, age, verified, feed_follows } => {
            let a = &mut w.assets[asset];
            if feed_follows && a.price.price > 0 {
                a.feed.value = a.feed.value.saturating_mul(price as i128) / a.price.price as i128;
                a.feed.std_dev = a.feed.std_dev.saturating_mul(price as i128) / a.price.price as i128;
            }
            let p = &mut a.price;
            p.price = price;
            p.ema_price = ema;
            p.conf = conf;
            p.publish_time = now - age;
            p.fully_verified = verified;
        }
        Action::Feed { asset, value, std_dev, num_samples, slot_lag, spread, age } => {
            let slot = w.slot.saturating_sub(slot_lag).max(1);
            let f = &mut w.assets[asset].feed;
            f.value = value;
            f.std_dev = std_dev;
            f.num_samples = num_samples;
            f.slot = slot;
            f.min_slot = slot.saturating_sub(spread).max(1);
            f.last_update_ts = now - age;
        }
        Action::Config { asset, ref config } => {
            config.validate()?;
            w.assets[asset].reserve.accrue_interest(now)?;
            w.assets[asset].reserve.config = **config;
        }
        Action::Brake { asset, ref config, market, .. } => {
            config.validate()?;
            market.validate()?;
            w.assets[asset].reserve.accrue_interest(now)?;
            w.assets[asset].reserve.config = **config;
            w.market.config = market;
        }
    }
    Ok(effect)
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
