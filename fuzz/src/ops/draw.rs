//! Drawing the next action, biased towards ones that can succeed (amounts within balances, borrows near the
//! limit, liquidations of unhealthy obligations, fills of the head ticket) while still producing the invalid
//! ones; prices and feeds at and just past every validation bound.
use super::{
    actions::Action,
    world::{random_config, World, FEED_PER_MANTISSA},
};
use crate::rng::Rng;
use ballast::{
    constants::MAX_PRICE_CLOCK_SKEW_SECS,
    oracle::PriceUse,
    state::{FLAG_PAUSED, FLAG_REDUCE_ONLY, MARKET_FLAG_EMERGENCY},
};

pub fn draw(w: &World, rng: &mut Rng) -> Action {
    let n = w.assets.len();
    let user = rng.below(w.wallets.len() as u64) as usize;
    let asset = rng.below(n as u64) as usize;
    let wallet = &w.wallets[user];
    let key = w.assets[asset].key;
    let o = &w.obligations[user];
    match rng.below(120) {
        0..=11 => Action::Deposit { user, asset, amount: rng.amount(wallet.liquidity[asset].max(1)) },
        12..=18 => Action::Redeem { user, asset, ctokens: rng.amount(wallet.ctokens[asset].max(1)) },
        19..=27 => Action::Pledge { user, asset, ctokens: rng.amount(wallet.ctokens[asset].max(1)) },
        28..=34 => {
            let held = o.find_deposit(&key).map(|i| o.deposits[i].ctoken_amount).unwrap_or(1);
            Action::Unpledge { user, asset, ctokens: rng.amount(held) }
        }
        35..=50 => Action::Borrow { user, asset, amount: borrow_amount(w, user, asset, rng) },
        51..=58 => draw_repay(w, user, asset, rng),
        59..=68 => draw_liquidation(w, rng),
        69..=70 => {
            let owner = (0..w.obligations.len()).find(|&u| w.obligations[u].active_deposits().is_empty() && !w.obligations[u].active_borrows().is_empty()).unwrap_or(user);
            let asset = w.obligations[owner].active_borrows().first().and_then(|b| w.asset_index(&b.reserve)).unwrap_or(asset);
            Action::Socialize { owner, asset }
        }
        71..=73 => {
            let amount = rng.amount(w.assets[asset].reserve.available_liquidity.max(1));
            let repay = if rng.chance(0.9) { amount } else { amount.saturating_sub(1) };
            Action::Flash { user, asset, amount, repay }
        }
        74..=75 => Action::Refresh { asset },
        76 if rng.chance(0.5) => Action::SweepFees { asset },
        // A delisting started (a day's notice to a week, mostly in bounds) or stopped.
        76 => Action::Delist { asset, notice_secs: rng.range(80_000, 7 * 86_400), threshold_step: rng.range(0, 1_100) as u16, bonus_step: rng.range(0, 550) as u16 },
        77..=82 => Action::Time { secs: time_jump(w.extreme, rng), prices_follow: rng.chance(0.85), feeds_follow: rng.chance(0.85) },
        83..=92 => draw_price(w, asset, rng),
        93..=96 => draw_feed(w, asset, rng),
        97..=98 => {
            let mut config = random_config(rng, asset);
            let current = &w.assets[asset].reserve.config;
            config.oracle = current.oracle;
            // Now and then a circuit breaker: paused or reduce-only until the next config change.
            if rng.chance(0.05) {
                config.flags |= FLAG_PAUSED;
            } else if rng.chance(0.05) {
                config.flags |= FLAG_REDUCE_ONLY;
            }
            Action::Config { asset, config: Box::new(config) }
        }
        99 => draw_brake(w, asset, rng),
        100..=105 => Action::Request { user, asset, ctokens: request_amount(wallet.ctokens[asset], rng) },
        106..=111 => draw_fill(w, rng),
        112..=113 => draw_cancel(w, user, asset, rng),
        _ => Action::RequestAndFill { user, asset, ctokens: request_amount(wallet.ctokens[asset], rng) },
    }
}

/// Mostly a debtor repaying one of its debts; sometimes someone else pays, or nothing is owed.
fn draw_repay(w: &World, user: usize, asset: usize, rng: &mut Rng) -> Action {
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

/// A ticket is for when a redeem cannot be met: mostly everything the user holds (the redeem most likely to be
/// refused), else any amount.
fn request_amount(held: u64, rng: &mut Rng) -> u64 {
    if rng.chance(0.5) {
        held.max(1)
    } else {
        rng.amount(held.max(1))
    }
}

/// Mostly the head ticket of a queue that has one; sometimes the one behind it, or a seq with no ticket; now and
/// then its destination has become unusable.
fn draw_fill(w: &World, rng: &mut Rng) -> Action {
    let queued: Vec<usize> = (0..w.assets.len()).filter(|&i| w.head(i).is_some()).collect();
    let asset = if !queued.is_empty() && rng.chance(0.95) { rng.pick(&queued) } else { rng.below(w.assets.len() as u64) as usize };
    let r = &w.assets[asset].reserve;
    let seq = match rng.below(20) {
        0 => r.queue_head + 1,
        1 => r.queue_tail,
        _ => r.queue_head,
    };
    Action::Fill { asset, seq, usable: rng.chance(0.97) }
}

/// Mostly an open ticket by its owner; sometimes by someone else, or a seq with no ticket.
fn draw_cancel(w: &World, user: usize, asset: usize, rng: &mut Rng) -> Action {
    let open: Vec<(usize, usize, u64)> = w.assets.iter().enumerate().flat_map(|(i, a)| a.tickets.iter().map(move |t| (t.owner, i, t.state.seq))).collect();
    match open.get(rng.below(open.len().max(1) as u64) as usize) {
        Some(&(owner, asset, seq)) if rng.chance(0.95) => Action::Cancel { user: if rng.chance(0.9) { owner } else { user }, asset, seq },
        _ => Action::Cancel { user, asset, seq: w.assets[asset].reserve.queue_head },
    }
}

/// A council brake on one reserve or the market, or their release (as the admin would after the timelock).
fn draw_brake(w: &World, asset: usize, rng: &mut Rng) -> Action {
    let mut config = w.assets[asset].reserve.config;
    let mut market = w.market.config;
    // Brakes come off far more often than they go on, so the market spends most of its time open.
    let kind = match rng.below(20) {
        0 => {
            config.flags |= FLAG_PAUSED;
            "pause"
        }
        1 => {
            config.flags |= FLAG_REDUCE_ONLY;
            "reduce-only"
        }
        2..=3 => {
            config.outflow_limit = 0;
            if config.outflow_window_secs == 0 {
                config.outflow_window_secs = 3_600;
            }
            "reserve outflow limit 0"
        }
        4 => {
            market.flags |= MARKET_FLAG_EMERGENCY;
            "emergency mode"
        }
        5 => {
            market.outflow_limit_quote = 0;
            if market.outflow_window_secs == 0 {
                market.outflow_window_secs = 3_600;
            }
            "market outflow limit 0"
        }
        _ => {
            config.flags &= !(FLAG_PAUSED | FLAG_REDUCE_ONLY);
            market.flags &= !MARKET_FLAG_EMERGENCY;
            if config.outflow_limit == 0 {
                config.outflow_limit = rng.amount(1 << 50);
            }
            if market.outflow_limit_quote == 0 {
                market.outflow_limit_quote = rng.amount(1 << 32);
            }
            "release"
        }
    };
    Action::Brake { asset, kind, config: Box::new(config), market }
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

/// Mostly an obligation the exact path finds liquidatable, paying with one of its debts for one of its deposits;
/// the liquidator passes every secondary (as the SDK does), only those needed, or any subset.
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
    let sources = match rng.below(10) {
        0..=5 => u8::MAX,
        6..=7 => (0..w.assets.len()).filter(|&i| w.needs_secondary(i)).fold(0, |m, i| m | 1 << i),
        _ => rng.below(256) as u8,
    };
    let min_out = if rng.chance(0.9) { 0 } else { rng.amount(1 << 40) };
    Action::Liquidate { liquidator, owner, repay, withdraw, max_repay, underlying: rng.chance(0.5), min_out, sources }
}

/// A price move: drifts, crashes and spikes; confidence and EMA gap at, just inside and just past the
/// validation limits; ages at the staleness boundary and from the future; now and then the primary dies (long
/// stale or unverified) while its secondary may carry on.
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
    let age = match rng.below(9) {
        0 => max_age,
        1 => max_age + 1,
        2 => -MAX_PRICE_CLOCK_SKEW_SECS,
        3 => -MAX_PRICE_CLOCK_SKEW_SECS - 1,
        4 if rng.chance(0.5) => max_age + rng.range(2, 100_000) as i64,
        _ => rng.below(max_age as u64) as i64,
    };
    Action::Price { asset, price, ema, conf, age, verified: rng.chance(0.98), feed_follows: rng.chance(0.9) }
}

/// A Switchboard result: mostly calm and agreeing with the primary; else one fault at a time, at or just past its
/// bound: divergence from the primary (near, past, far), deviation, sample count, slot, oldest sample, age, a
/// result from the future, an invalid value.
fn draw_feed(w: &World, asset: usize, rng: &mut Rng) -> Action {
    let a = &w.assets[asset];
    let cfg = &a.reserve.config.secondary;
    let configured = cfg.is_configured();
    let bound = if configured { cfg.max_divergence_bps as f64 / 10_000.0 } else { 0.02 };
    let conf = if configured { cfg.max_conf_bps as f64 / 10_000.0 } else { 0.01 };
    let min_samples = cfg.min_samples.max(1);
    let max_slots = cfg.max_age_slots.max(75) as u64;
    let max_age = cfg.max_age_secs.max(30) as i64;
    let sign = if rng.chance(0.5) { 1.0 } else { -1.0 };
    let (mut gap, mut deviation) = (bound * (rng.unit() - 0.5), conf * rng.unit() * 0.5);
    let (mut num_samples, mut slot_lag, mut spread, mut age) = (5.max(min_samples), rng.below(max_slots / 2), rng.below(max_slots / 4), rng.below(max_age as u64 / 2) as i64);
    let mut invalid = None;
    if rng.chance(0.4) {
        match rng.below(14) {
            0 => gap = bound * sign * 0.9999,
            1 => gap = bound * sign * 1.0001,
            2 => gap = (0.1 + rng.unit() * 0.5) * sign,
            3 => deviation = conf,
            4 => deviation = conf * 1.01,
            5 => num_samples = min_samples,
            6 => num_samples = min_samples - 1,
            7 => (slot_lag, spread) = (max_slots, 0),
            8 => (slot_lag, spread) = (max_slots + 1, 0),
            9 => (slot_lag, spread) = (0, max_slots + 1),
            10 => age = max_age,
            11 => age = max_age + 1,
            12 => age = -MAX_PRICE_CLOCK_SKEW_SECS - 1,
            _ => invalid = Some(if rng.chance(0.5) { 0 } else { -FEED_PER_MANTISSA }),
        }
    }
    let spot = a.price.price.max(1) as f64 * (1.0 + gap);
    let value = invalid.unwrap_or(((spot * FEED_PER_MANTISSA as f64) as i128).max(1));
    let std_dev = (value.max(0) as f64 * deviation) as i128;
    Action::Feed { asset, value, std_dev, num_samples, slot_lag, spread, age }
}
