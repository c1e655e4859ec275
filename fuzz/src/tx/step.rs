//! One random step: a transaction (valid or not) or the world moving (time, a primary price, a secondary feed).
use super::{
    check,
    market::{Market, USERS},
};
use crate::rng::Rng;
use anchor_lang::prelude::Pubkey;
use ballast::{
    instructions::LiquidateArgs,
    state::{WithdrawalTicket, FLAG_PAUSED, FLAG_REDUCE_ONLY, MARKET_FLAG_EMERGENCY},
};
use ballast_sdk::ix;
use ballast_tests::{FeedSpec, PriceSpec};
use bytemuck::Zeroable;
use solana_program_test::BanksClientError;

pub type TxResult = Result<(), BanksClientError>;

/// What a step did: its kind, the transaction's result (Ok for the world moving), and for a liquidation whose
/// obligation it was.
pub struct Step {
    pub kind: &'static str,
    pub result: TxResult,
    pub liquidated: Option<usize>,
}

fn tx(kind: &'static str, result: TxResult) -> Step {
    Step { kind, result, liquidated: None }
}

/// Users with debt, by index.
async fn debtors(m: &mut Market) -> Vec<usize> {
    let mut out = vec![];
    for u in 0..USERS {
        if !m.t.obligation_state(&m.users[u]).await.active_borrows().is_empty() {
            out.push(u);
        }
    }
    out
}

/// One random step. Rule checks that need the state before the transaction (a liquidation's sources) run here and
/// push what they find to `found`.
pub async fn step(m: &mut Market, rng: &mut Rng, found: &mut Vec<String>) -> Step {
    let n = m.reserves.len();
    let mut u = rng.below(USERS as u64) as usize;
    let kind = rng.below(112);
    if (47..=62).contains(&kind) {
        // Repay and liquidate mostly pick an obligation that owes something.
        let owing = debtors(m).await;
        if !owing.is_empty() && rng.chance(0.85) {
            u = rng.pick(&owing);
        }
    }
    let i = rng.below(n as u64) as usize;
    let r = m.reserves[i].clone();
    let user = &m.users[u];
    let (liquidity, ctokens) = (m.t.balance(&user.liquidity(&r)).await, m.t.balance(&user.ctokens(&r)).await);
    // Amounts mostly within what the user holds, sometimes past it.
    let over = |rng: &mut Rng, held: u64| if rng.chance(0.08) { held.saturating_add(rng.amount(1 << 20)) } else { rng.amount(held.max(1)) };
    match kind {
        0..=10 => {
            let amount = over(rng, liquidity);
            tx("deposit", m.t.try_deposit(&m.users[u], &r, amount).await)
        }
        11..=15 => {
            let amount = over(rng, ctokens);
            tx("redeem", m.t.try_redeem(&m.users[u], &r, amount).await)
        }
        16..=22 => {
            let amount = over(rng, ctokens);
            tx("deposit_collateral", m.t.try_deposit_collateral(&m.users[u], &r, amount).await)
        }
        23..=26 => {
            let amount = over(rng, liquidity);
            tx("deposit_liquidity_and_collateral", m.t.try_deposit_liquidity_and_collateral(&m.users[u], &r, amount).await)
        }
        27..=33 => {
            let o = m.t.obligation_state(&m.users[u]).await;
            let held = o.find_deposit(&r.key).map(|d| o.deposits[d].ctoken_amount).unwrap_or(1);
            let amount = over(rng, held);
            if rng.chance(0.5) {
                tx("withdraw_collateral", m.t.try_withdraw_collateral(&m.users[u], &r, amount).await)
            } else {
                tx("withdraw_collateral_and_redeem", m.t.try_withdraw_collateral_and_redeem(&m.users[u], &r, amount).await)
            }
        }
        34..=46 => {
            let spare = m.spare_power(u).await.unwrap_or(0.0);
            let cfg = m.t.reserve_state(&r).await.config;
            let room = spare / m.spot(i) / (cfg.borrow_factor_bps as f64 / 10_000.0) * 10f64.powi(r.decimals as i32);
            let amount = if room >= 1.0 && rng.chance(0.85) { ((room * (0.3 + 0.75 * rng.unit())) as u64).max(1) } else { rng.amount(1 << 40) };
            tx("borrow", m.t.try_borrow(&m.users[u], &r, amount).await)
        }
        47..=54 => {
            let o = m.t.obligation_state(&m.users[u]).await;
            let r = match o.active_borrows().get(rng.below(o.active_borrows().len().max(1) as u64) as usize) {
                Some(b) if rng.chance(0.9) => m.reserves.iter().find(|x| x.key == b.reserve).cloned().unwrap_or(r),
                _ => r,
            };
            let payer = if rng.chance(0.75) { u } else { rng.below(USERS as u64) as usize };
            let amount = if rng.chance(0.4) { u64::MAX } else { rng.amount(1 << 36) };
            tx("repay", m.t.try_repay(&m.users[payer], &m.users[u], &r, amount).await)
        }
        55..=62 => {
            let o = m.t.obligation_state(&m.users[u]).await;
            let pick = |rng: &mut Rng, keys: Vec<Pubkey>| keys.get(rng.below(keys.len().max(1) as u64) as usize).copied();
            let repay = pick(rng, o.active_borrows().iter().map(|b| b.reserve).collect()).and_then(|k| m.index_of(&k)).unwrap_or(i);
            let withdraw = pick(rng, o.active_deposits().iter().map(|d| d.reserve).collect()).and_then(|k| m.index_of(&k)).unwrap_or(i);
            let liquidator = (u + 1 + rng.below(USERS as u64 - 1) as usize) % USERS;
            let max = if rng.chance(0.6) { u64::MAX } else { rng.amount(1 << 36) };
            let underlying = rng.chance(0.5);
            check::liquidation_sources(m, liquidator, u, repay, withdraw, max, underlying, rng.below(8) as u8, found).await;
            let (rr, wr) = (m.reserves[repay].clone(), m.reserves[withdraw].clone());
            let result = if repay == withdraw && underlying {
                // `try_liquidate` nets the two legs of one token by subtraction, which underflows when rounding pays
                // back less than was repaid (a few native units, the liquidator's to accept): sent as the SDK builds it.
                let o = m.t.obligation_state(&m.users[u]).await;
                let health = ballast_sdk::ix::liquidate_health(&o, &rr.key, &wr.key, m.t.price_account_of());
                let args = LiquidateArgs { max_repay_amount: max, min_seized_out: 0, receive_underlying: true };
                let ix = m.t.liquidate_ix_with(&m.users[liquidator], &m.users[u], &rr, &wr, args, health);
                let signer = m.users[liquidator].keypair.insecure_clone();
                m.t.send(&[ix], &[&signer]).await
            } else {
                m.t.try_liquidate(&m.users[liquidator], &m.users[u], &rr, &wr, max, 0, underlying).await
            };
            Step { kind: "liquidate", result, liquidated: Some(u) }
        }
        63..=64 => tx("socialize_bad_debt", m.t.try_socialize_bad_debt(&m.users[u], &r).await),
        65..=67 => {
            let available = m.t.reserve_state(&r).await.available_liquidity;
            let amount = rng.amount(available.max(1));
            let repay = if rng.chance(0.9) { amount } else { amount.saturating_sub(1) };
            tx("flash", m.t.try_flash(&m.users[u], &r, amount, &r, repay).await)
        }
        68 => tx("refresh_reserve", m.t.try_refresh_reserve(&r).await),
        69 => tx("mark_insolvency", m.t.try_mark_insolvency(&m.users[u]).await),
        70 => tx("sweep_fees", m.t.try_sweep_fees(&r).await),
        71..=73 => {
            // The wrong signer: another user's keypair signs for this obligation's owner slot.
            let other = (u + 1) % USERS;
            let o = m.t.obligation_state(&m.users[u]).await;
            let health = m.t.health_metas(&o);
            let ix = m.t.borrow_ix(&m.users[u], &r, 1, health);
            let signer = m.users[other].keypair.insecure_clone();
            let swaps = [(m.users[u].key(), m.users[other].key())];
            tx("borrow_signed_by_another", m.t.try_tampered(ix, &swaps, &[&signer]).await)
        }
        74..=76 => {
            // Another reserve's vault, mint or price account in a deposit.
            let j = (i + 1 + rng.below(n as u64 - 1) as usize) % n;
            let other = m.reserves[j].clone();
            let ix = m.t.deposit_ix(&m.users[u], &r, rng.amount(liquidity.max(1)));
            let swaps = match rng.below(3) {
                0 => [(r.liquidity_vault, other.liquidity_vault)],
                1 => [(r.ctoken_mint, other.ctoken_mint)],
                _ => [(r.key, other.key)],
            };
            let signer = m.users[u].keypair.insecure_clone();
            tx("deposit_with_swapped_account", m.t.try_tampered(ix, &swaps, &[&signer]).await)
        }
        77..=84 => {
            m.t.advance(10f64.powf(rng.unit() * 6.0) as i64).await;
            tx("time", Ok(()))
        }
        85..=93 => {
            move_price(m, i, rng).await;
            tx("price", Ok(()))
        }
        94..=96 => {
            move_feed(m, i, rng).await;
            tx("feed", Ok(()))
        }
        97 => brake(m, i, rng).await,
        98..=101 => {
            let amount = if rng.chance(0.5) { ctokens.max(1) } else { over(rng, ctokens) };
            tx("request_withdrawal", m.t.try_request_withdrawal(&m.users[u], &r, amount).await.map(|_| ()))
        }
        102..=105 => {
            // The head of a queue that has one.
            let mut queued = vec![];
            for (j, s) in m.reserve_states().await.iter().enumerate() {
                if s.queue_head < s.queue_tail {
                    queued.push(j);
                }
            }
            match queued.is_empty() {
                true => tx("fill_withdrawal (empty queue): request", m.t.try_request_withdrawal(&m.users[u], &r, ctokens.max(1)).await.map(|_| ())),
                false => {
                    let r = m.reserves[rng.pick(&queued)].clone();
                    tx("fill_withdrawal", m.t.try_fill_withdrawal(&r).await)
                }
            }
        }
        106..=107 => {
            let open: Vec<(usize, u64, Pubkey)> = m.queues.open.iter().enumerate().flat_map(|(j, t)| t.values().map(move |t| (j, t.state.seq, t.state.owner))).collect();
            let (j, seq, owner) = open.get(rng.below(open.len().max(1) as u64) as usize).copied().unwrap_or((i, 0, m.users[u].key()));
            let by = match m.users.iter().position(|x| x.key() == owner) {
                Some(o) if rng.chance(0.9) => o,
                _ => u,
            };
            let r = m.reserves[j].clone();
            tx("cancel_withdrawal", m.t.try_cancel_withdrawal(&m.users[by], &r, seq).await)
        }
        _ => {
            // A request and the fill of the ticket it is about to create, in one transaction.
            let amount = if rng.chance(0.5) { ctokens.max(1) } else { over(rng, ctokens) };
            let view = m.t.reserve_view(&r).await;
            let user = &m.users[u];
            let request = ix::request_withdrawal(&user.key(), &view, &user.ctokens(&r), &user.liquidity(&r), amount);
            let ticket = WithdrawalTicket { seq: view.state.queue_tail, owner: user.key(), destination: user.liquidity(&r), ..WithdrawalTicket::zeroed() };
            let fill = ix::fill_withdrawal(&view, &ticket);
            let signer = user.keypair.insecure_clone();
            tx("request_and_fill", m.t.send(&[request, fill], &[&signer]).await)
        }
    }
}

/// A primary price move (drift, crash, spike, wide confidence, an EMA gap); now and then the primary stops
/// publishing (goes stale a minute later). The secondary mostly follows, near the primary.
async fn move_price(m: &mut Market, i: usize, rng: &mut Rng) {
    let r = m.reserves[i].clone();
    let spec = m.t.price_spec(&r);
    let factor = match rng.below(10) {
        0 => 0.3 + rng.unit() * 0.4,
        1 => 1.5 + rng.unit(),
        _ => (rng.unit() - 0.5).mul_add(0.1, 1.0),
    };
    let price = ((spec.price as f64 * factor) as i64).max(1);
    let ema = if rng.chance(0.7) { price } else { spec.ema_price };
    let conf = if rng.chance(0.7) { 0 } else { rng.below(price as u64 / 40 + 1) };
    let has_secondary = m.t.secondaries.contains_key(&r.key);
    let frozen = rng.chance(if has_secondary { 0.08 } else { 0.05 });
    m.t.set_price_spec(&r, PriceSpec { price, ema_price: ema, conf, frozen, ..spec });
    if has_secondary && rng.chance(0.7) {
        let near = price as f64 * 1e-8 * (1.0 + (rng.unit() - 0.5) * 0.004);
        m.t.set_feed_price(&r, near).await;
    }
}

/// The secondary feed: agreeing, diverging near or past the bound, far off, stale, or too thin to trust.
async fn move_feed(m: &mut Market, i: usize, rng: &mut Rng) {
    let r = m.reserves[i].clone();
    if !m.t.secondaries.contains_key(&r.key) {
        return;
    }
    let primary = mantissa_price(m.t.price_spec(&r).price);
    let bound = m.t.reserve_config(&r).await.secondary.max_divergence_bps as f64 / 10_000.0;
    let sign = if rng.chance(0.5) { 1.0 } else { -1.0 };
    match rng.below(10) {
        0..=4 => m.t.set_feed_price(&r, primary * (1.0 + (rng.unit() - 0.5) * bound)).await,
        5..=6 => m.t.set_feed_price(&r, primary * (1.0 + sign * bound * (0.9 + rng.unit() * 0.6))).await,
        7 => m.t.set_feed_price(&r, primary * (1.0 + sign * (0.2 + rng.unit() * 0.3))).await,
        8 => m.t.freeze_feed(&r).await,
        _ => {
            let feed = m.t.secondary_of(&r);
            m.t.set_feed_spec(&feed, FeedSpec { num_samples: 1, ..FeedSpec::calm(primary) }).await;
        }
    }
}

fn mantissa_price(m: i64) -> f64 {
    m as f64 * 1e-8
}

/// The risk council's brakes (pause, reduce-only, a reserve's or the market's outflow limit to zero, emergency
/// mode), at once; more often their release by the admin through the queue (the market's timelock is zero), of the
/// market when it is braked, else of a braked reserve.
async fn brake(m: &mut Market, i: usize, rng: &mut Rng) -> Step {
    let r = m.reserves[i].clone();
    let council = m.t.risk_council.insecure_clone();
    let admin = m.t.admin.keypair.insecure_clone();
    let mut config = m.t.reserve_config(&r).await;
    let mut market = m.t.market_config().await;
    // Brakes come off more often than they go on, so the market spends most of its time open.
    match rng.below(20) {
        0 => {
            config.flags |= FLAG_PAUSED;
            tx("brake: pause", m.t.try_tighten_reserve_config(&council, &r, config).await)
        }
        1 => {
            config.flags |= FLAG_REDUCE_ONLY;
            tx("brake: reduce-only", m.t.try_tighten_reserve_config(&council, &r, config).await)
        }
        2 => {
            config.outflow_limit = 0;
            if config.outflow_window_secs == 0 {
                config.outflow_window_secs = 3_600;
            }
            tx("brake: reserve outflow limit 0", m.t.try_tighten_reserve_config(&council, &r, config).await)
        }
        3 => {
            market.flags |= MARKET_FLAG_EMERGENCY;
            tx("brake: emergency mode", m.t.try_tighten_market_config(&council, market).await)
        }
        4 => {
            market.outflow_limit_quote = 0;
            if market.outflow_window_secs == 0 {
                market.outflow_window_secs = 3_600;
            }
            tx("brake: market outflow limit 0", m.t.try_tighten_market_config(&council, market).await)
        }
        _ if market != m.base_market => {
            let base = m.base_market;
            market.flags &= !MARKET_FLAG_EMERGENCY;
            (market.outflow_limit_quote, market.outflow_window_secs) = (base.outflow_limit_quote, base.outflow_window_secs);
            if let Err(e) = m.t.try_queue_market_config(&admin, market).await {
                return tx("release: market", Err(e));
            }
            tx("release: market", m.t.try_apply_pending_market_config().await)
        }
        _ => {
            let mut braked = None;
            for (j, r) in m.reserves.clone().iter().enumerate() {
                let c = m.t.reserve_config(r).await;
                if c.flags & (FLAG_PAUSED | FLAG_REDUCE_ONLY) != 0 || (c.outflow_limit, c.outflow_window_secs) != (m.base[j].outflow_limit, m.base[j].outflow_window_secs) {
                    braked = Some((j, c));
                    break;
                }
            }
            let (j, mut config) = braked.unwrap_or((i, config));
            let (r, base) = (m.reserves[j].clone(), m.base[j]);
            config.flags &= !(FLAG_PAUSED | FLAG_REDUCE_ONLY);
            (config.outflow_limit, config.outflow_window_secs) = (base.outflow_limit, base.outflow_window_secs);
            if let Err(e) = m.t.try_queue_reserve_config(&admin, &r, config).await {
                return tx("release: reserve", Err(e));
            }
            tx("release: reserve", m.t.try_apply_pending_reserve_config(&r).await)
        }
    }
}
