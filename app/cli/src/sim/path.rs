//! One path of one config against the real program, in-process: a fresh market from the spec, the
//! scenario's population, then every step the oracle publishes, borrowers and suppliers react, and the real
//! keeper liquidates within the liquidators' capital and only for a bonus that beats their costs.
use super::{
    prices::Quote,
    scenario::Scenario,
};
use crate::{keeper, rng::Rng, world};
use anyhow::{anyhow, Result};
use ballast_migrate::Spec;
use ballast_sdk::{
    ballast::{events::{BadDebtSocializedEvent, LiquidateEvent}, state::Obligation},
    events::BallastEvent,
    ballast::oracle::PriceUse,
    health::Projection,
    invariants, ix, pda,
    pyth::{mantissa, price_update_account, PricePoint},
    tokens, Cluster, Keypair, MarketSnapshot, Pubkey, ReserveView, Signer,
};
use serde::Serialize;
use std::collections::HashMap;

/// Keeper rounds within one step at most (each liquidates every candidate once, by the close factor).
pub const MAX_KEEPER_ROUNDS_PER_STEP: usize = 12;

/// The "SPL-style" baseline of a market: a fixed 5% bonus, a 50% close factor, prices taken at spot with no
/// confidence band, no volatility haircut on LTV, and no outflow limiter. Everything else is the same.
pub fn spl_baseline(spec: &Spec) -> Spec {
    let mut s = spec.clone();
    s.market.close_factor_bps = 5_000;
    s.market.outflow_limit_quote = None;
    s.market.outflow_window_secs = 0;
    for r in &mut s.reserves {
        (r.min_liquidation_bonus_bps, r.max_liquidation_bonus_bps) = (500, 500);
        r.oracle.conf_multiplier_bps = 0;
        r.oracle.volatility_haircut_bps = 0;
        r.outflow_limit = None;
        r.outflow_window_secs = 0;
    }
    s
}

/// What one path measured. Values are quote units at the step's true prices.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PathResult {
    /// The population's debt and collateral once it is set up, at step 0's prices.
    pub debt_start: f64,
    pub collateral_start: f64,
    /// Debt written off during the path plus, at the end, debt no collateral covers any more.
    pub bad_debt: f64,
    pub written_off: f64,
    pub unrealized_bad_debt: f64,
    /// Bad debt the insurance fund and unswept protocol fees covered.
    pub insurance_drawn: f64,
    /// Bad debt depositors absorbed through a lower cToken exchange rate.
    pub depositor_loss: f64,
    pub liquidations: usize,
    pub liquidation_volume: f64,
    pub bonus_paid: f64,
    /// Lowest liquidity coverage ratio of the borrowed reserve, and the steps it spent below 100%.
    pub min_lcr: f64,
    pub steps_below_full_lcr: usize,
    pub max_utilization: f64,
    /// Protocol equity (insurance funds and fees, less unrealized shortfall and depositor losses) at the start
    /// less at the end.
    pub equity_loss: f64,
    pub refused_withdrawals: usize,
    /// Per step: the borrowed reserve's utilization and LCR, and the liquidations it saw.
    pub utilization: Vec<f64>,
    pub lcr: Vec<f64>,
    pub liquidations_per_step: Vec<usize>,
    pub invariant_violations: Vec<String>,
}

struct Borrower {
    user: Keypair,
    obligation: Pubkey,
}

struct Supplier {
    user: Keypair,
    liquidity: Pubkey,
    ctokens: Pubkey,
}

/// Runs `quotes` (step 0 first) against a fresh market built from `spec`, with `s`'s population.
pub async fn run(s: &Scenario, spec: Spec, quotes: &[Vec<Quote>], seed: u64) -> Result<PathResult> {
    let start: HashMap<&str, f64> = s.assets.iter().zip(&quotes[0]).map(|(a, q)| (a.symbol.as_str(), q.price)).collect();
    let mut w = world::set_up_spec(spec, &|symbol| start[symbol], &mut std::io::sink()).await?;
    let mut rng = Rng::new(seed ^ 0x5eed);
    let snap = w.snapshot().await?;
    let reserve = |symbol: &str| -> Result<ReserveView> { snap.reserve_by_mint(&w.mint(symbol)).copied().map_err(|e| anyhow!("no reserve for {symbol}: {e}")) };
    let debt = reserve(&s.population.debt)?;
    let p = &s.population;

    // Who borrows what, drawn first so suppliers can fund it.
    let plans: Vec<(ReserveView, f64, f64)> = (0..p.borrowers)
        .map(|i| {
            let symbol = &p.collateral[i % p.collateral.len()];
            Ok((reserve(symbol)?, rng.range(p.collateral_quote[0], p.collateral_quote[1]) / start[symbol.as_str()], rng.range(p.borrow_share[0], p.borrow_share[1])))
        })
        .collect::<Result<_>>()?;
    let expected_borrow: f64 = plans.iter().map(|(r, ui, share)| ui * start[symbol_of(&w, r)] * r.state.config.ltv_bps as f64 / 1e4 * share).sum();
    let per_supplier = p.supply_multiple * expected_borrow / start[p.debt.as_str()] / p.suppliers as f64;
    let mut suppliers = vec![];
    for _ in 0..p.suppliers {
        suppliers.push(supply_liquidity(&w, &debt, per_supplier).await?);
    }
    let mut borrowers = vec![];
    for (r, ui, share) in plans {
        let user = Keypair::new();
        w.cluster.airdrop(&user.pubkey(), 100_000_000).await?;
        let obligation = world::supply(&w, &user, &r, ui).await?;
        world::borrow_share(&w, &user, &obligation, &debt, share).await?;
        borrowers.push(Borrower { user, obligation });
    }
    let liquidator = Keypair::new();
    w.cluster.airdrop(&liquidator.pubkey(), 1_000_000_000).await?;
    let liquidator_liquidity = w.fund(&liquidator.pubkey(), &p.debt, 0).await?;

    let mut result = PathResult { min_lcr: f64::INFINITY, ..Default::default() };
    let set_up = w.snapshot().await?;
    let equity_start = equity(&w, s, &quotes[0], &set_up, 0.0)?;
    (result.collateral_start, result.debt_start) = population_value(&w, s, &quotes[0], &set_up)?;
    let mut seen_events = 0;
    for (step, row) in quotes.iter().enumerate().skip(1) {
        w.now += s.step_secs;
        w.cluster.set_time(w.now).await?;
        for a in &w.assets {
            let q = &row[index_of(s, &a.symbol)];
            if q.published {
                let point = PricePoint { feed_id: a.feed_id, price: mantissa(q.price), conf: mantissa(q.conf).max(0) as u64, ema_price: mantissa(q.ema), publish_time: w.now, verified: true };
                w.cluster.set_account(&a.price_account, price_update_account(&point)).await;
            }
        }
        let snap = w.snapshot().await?;
        borrowers_react(&w, s, &snap, &debt.key, &borrowers, &mut rng).await?;
        result.refused_withdrawals += suppliers_react(&w, s, &snap, &debt.key, &suppliers, &mut rng).await?;

        let (capital, need_bps) = s.liquidators.at(step);
        let held = balance(&w, &liquidator_liquidity).await?;
        let debt_now = *w.snapshot().await?.reserve(&debt.key)?;
        let target = debt_now.native(capital / row[index_of(s, &p.debt)].spot);
        if target > held {
            w.cluster.send(&[tokens::mint_to(&debt.mint(), &liquidator_liquidity, &w.admin.pubkey(), target - held)], &[&w.admin]).await?;
        }
        // The keeper runs round after round within the step (a live one acts within seconds) until it finds
        // nothing it may do or the step's capital is spent.
        let per_native: HashMap<Pubkey, f64> = priced(&w, s, row, &snap)?.into_iter().map(|(key, _, price)| (key, price)).collect();
        let price_of = |reserve: &Pubkey| per_native.get(reserve).copied().unwrap_or(0.0);
        let (mut left, mut liquidated) = (capital, 0);
        for _ in 0..MAX_KEEPER_ROUNDS_PER_STEP {
            let opts = keeper::Options {
                rounds: 1,
                interval: std::time::Duration::ZERO,
                retries: 0,
                min_bonus_bps: need_bps.ceil().min(u16::MAX as f64) as u16,
                capital_quote: Some(left),
                ..Default::default()
            };
            let k = keeper::run(&w.cluster, &liquidator, &w.market, &opts, &mut std::io::sink()).await?;
            let (count, spent) = record(&mut result, &new_events(&w, &mut seen_events).await?, &price_of);
            liquidated += count;
            left -= spent;
            if (k.liquidated.is_empty() && k.socialized.is_empty()) || left <= 0.0 {
                break;
            }
        }
        result.liquidations += liquidated;
        result.liquidations_per_step.push(liquidated);

        let after = w.snapshot().await?;
        let (utilization, lcr) = utilization_and_lcr(after.reserve(&debt.key)?, &after)?;
        result.utilization.push(utilization);
        result.lcr.push(lcr);
        result.max_utilization = result.max_utilization.max(utilization);
        result.min_lcr = result.min_lcr.min(lcr);
        if lcr < 1.0 {
            result.steps_below_full_lcr += 1;
        }
    }
    let end = w.snapshot().await?;
    let last = quotes.last().expect("a path has steps");
    result.unrealized_bad_debt = obligation_values(&priced(&w, s, last, &end)?, &end)?.iter().map(|(c, d)| (d - c).max(0.0)).sum();
    result.bad_debt = result.written_off + result.unrealized_bad_debt;
    result.equity_loss = equity_start - equity(&w, s, last, &end, result.depositor_loss)?;
    result.invariant_violations = invariants::check(&w.cluster, &end).await?;
    Ok(result)
}

fn index_of(s: &Scenario, symbol: &str) -> usize {
    s.assets.iter().position(|a| a.symbol == symbol).expect("every reserve has an asset model")
}

fn symbol_of<'w>(w: &'w world::World, r: &ReserveView) -> &'w str {
    &w.assets.iter().find(|a| a.mint == r.mint()).expect("every reserve has an asset").symbol
}

/// A supplier holding `ui` of `r` as plain cTokens (no obligation), so it can redeem them.
async fn supply_liquidity(w: &world::World, r: &ReserveView, ui: f64) -> Result<Supplier> {
    let user = Keypair::new();
    w.cluster.airdrop(&user.pubkey(), 100_000_000).await?;
    let symbol = symbol_of(w, r).to_string();
    let liquidity = w.fund(&user.pubkey(), &symbol, r.native(ui)).await?;
    let ctokens = pda::associated_token(&user.pubkey(), &r.state.ctoken_mint, &r.token_program());
    let payer = w.cluster.payer().pubkey();
    let ixs = [
        tokens::create_ata_idempotent(&payer, &user.pubkey(), &r.state.ctoken_mint, &r.token_program()),
        ix::deposit_liquidity(&user.pubkey(), r, &liquidity, &ctokens, r.native(ui)),
    ];
    w.cluster.send(&ixs, &[&user]).await?;
    Ok(Supplier { user, liquidity, ctokens })
}

/// Borrowers near liquidation repay part of their debt from what they borrowed, some of them, each step, as
/// long as they have equity to protect: an insolvent borrower (debt above collateral at spot) walks away.
async fn borrowers_react(w: &world::World, s: &Scenario, snap: &MarketSnapshot, debt: &Pubkey, borrowers: &[Borrower], rng: &mut Rng) -> Result<()> {
    let p = Projection::new(snap);
    let r = *snap.reserve(debt)?;
    for b in borrowers {
        let acts = rng.uniform() < s.population.topup_probability;
        let Ok(o) = snap.obligation(&b.obligation) else { continue };
        let near = matches!(p.liquidation_health(&o.state), Ok(Some(h)) if h < s.population.topup_health);
        let solvent = matches!(p.health(&o.state, PriceUse::Liquidation), Ok(h) if h.collateral_value > h.debt_value);
        let Some(i) = o.state.find_borrow(debt) else { continue };
        if !(acts && near && solvent) {
            continue;
        }
        let owed = o.state.borrows[i].debt_at(r.state.cumulative_borrow_index_sf.get())?.to_num::<f64>();
        let wallet = pda::associated_token(&b.user.pubkey(), &r.mint(), &r.token_program());
        let amount = ((owed * s.population.repay_share) as u64).min(balance(w, &wallet).await?);
        if amount > 0 {
            // A refusal (a stale price, say) leaves the borrower as it was; it may try again next step.
            let _ = w.cluster.send(&[ix::repay(&b.user.pubkey(), (&b.obligation, &o.state), &r, &wallet, amount)], &[&b.user]).await;
        }
    }
    Ok(())
}

/// With utilization above the scenario's level or LCR below 1, suppliers redeem part of their cTokens; returns
/// how many redemptions the program refused (no liquidity, the outflow limiter).
async fn suppliers_react(w: &world::World, s: &Scenario, snap: &MarketSnapshot, debt: &Pubkey, suppliers: &[Supplier], rng: &mut Rng) -> Result<usize> {
    let r = *snap.reserve(debt)?;
    let (utilization, lcr) = utilization_and_lcr(&r, snap)?;
    let p = &s.population;
    if utilization * 1e4 <= p.withdraw_utilization_bps as f64 && lcr >= 1.0 {
        return Ok(0);
    }
    let mut refused = 0;
    for supplier in suppliers {
        if rng.uniform() >= p.withdraw_probability {
            continue;
        }
        let held = balance(w, &supplier.ctokens).await?;
        let amount = (held as f64 * p.withdraw_share) as u64;
        if amount == 0 {
            continue;
        }
        let ix = ix::redeem_collateral(&supplier.user.pubkey(), &r, &supplier.liquidity, &supplier.ctokens, amount);
        if w.cluster.send(&[ix], &[&supplier.user]).await.is_err() {
            refused += 1;
        }
    }
    Ok(refused)
}

/// Utilization and liquidity coverage ratio of `r` (LCR without deposits counts as full).
fn utilization_and_lcr(r: &ReserveView, snap: &MarketSnapshot) -> Result<(f64, f64)> {
    let v = crate::read::reserve_json(r, Some(snap))?;
    let lcr = v["lcr"].as_f64().unwrap_or(f64::INFINITY);
    Ok((v["utilization"].as_f64().unwrap_or(0.0), lcr.min(1e6)))
}

/// Each reserve (in the scenario's asset order, so runs add up identically) and its price per native unit.
fn priced(w: &world::World, s: &Scenario, row: &[Quote], snap: &MarketSnapshot) -> Result<Vec<(Pubkey, ReserveView, f64)>> {
    s.assets
        .iter()
        .map(|a| {
            let key = pda::reserve(&w.market, &w.mint(&a.symbol));
            let r = *snap.reserve(&key)?;
            Ok((key, r, row[index_of(s, &a.symbol)].spot / 10f64.powi(r.decimals() as i32)))
        })
        .collect()
}

/// Insurance funds and unswept fees, less the debt no collateral covers any more and what depositors lost,
/// at the row's true prices.
fn equity(w: &world::World, s: &Scenario, row: &[Quote], snap: &MarketSnapshot, depositor_loss: f64) -> Result<f64> {
    let priced = priced(w, s, row, snap)?;
    let buffers: f64 = priced.iter().map(|(_, r, p)| (r.state.insurance_fund_sf.get().to_num::<f64>() + r.state.protocol_fees_sf.get().to_num::<f64>()) * p).sum();
    let shortfall: f64 = obligation_values(&priced, snap)?.iter().map(|(collateral, debt)| (debt - collateral).max(0.0)).sum();
    Ok(buffers - shortfall - depositor_loss)
}

/// (collateral, debt) of every obligation together, at the row's true prices.
fn population_value(w: &world::World, s: &Scenario, row: &[Quote], snap: &MarketSnapshot) -> Result<(f64, f64)> {
    let values = obligation_values(&priced(w, s, row, snap)?, snap)?;
    Ok(values.iter().fold((0.0, 0.0), |(c, d), (oc, od)| (c + oc, d + od)))
}

/// (collateral, debt) of each obligation, sorted: obligation addresses are random, and f64 sums must not
/// depend on the order the chain lists them in.
fn obligation_values(priced: &[(Pubkey, ReserveView, f64)], snap: &MarketSnapshot) -> Result<Vec<(f64, f64)>> {
    let reserves: HashMap<Pubkey, ReserveView> = priced.iter().map(|(k, r, _)| (*k, *r)).collect();
    let price: HashMap<Pubkey, f64> = priced.iter().map(|(k, _, p)| (*k, *p)).collect();
    let mut values = snap.obligations.iter().map(|o| value(&o.state, &reserves, &price)).collect::<Result<Vec<_>>>()?;
    values.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    Ok(values)
}

/// (collateral, debt) of `o` at `price` per native unit.
fn value(o: &Obligation, reserves: &HashMap<Pubkey, ReserveView>, price: &HashMap<Pubkey, f64>) -> Result<(f64, f64)> {
    let mut collateral = 0.0;
    for d in o.active_deposits() {
        let r = &reserves[&d.reserve];
        let supply = r.state.ctoken_supply.max(1) as f64;
        collateral += d.ctoken_amount as f64 * r.state.total_liquidity()?.to_num::<f64>() / supply * price[&d.reserve];
    }
    let mut debt = 0.0;
    for b in o.active_borrows() {
        let r = &reserves[&b.reserve];
        debt += b.debt_at(r.state.cumulative_borrow_index_sf.get())?.to_num::<f64>() * price[&b.reserve];
    }
    Ok((collateral, debt))
}

/// Adds `events`' liquidations and write-offs to `result`, valued by `price_of` (per native unit of a
/// reserve); returns the liquidations and the repay value they spent.
fn record(result: &mut PathResult, events: &[BallastEvent], price_of: &dyn Fn(&Pubkey) -> f64) -> (usize, f64) {
    let (mut count, mut spent) = (0, 0.0);
    for e in events {
        match e {
            BallastEvent::LiquidateEvent(LiquidateEvent { repay_reserve, repay_amount, bonus_bps, .. }) => {
                let value = *repay_amount as f64 * price_of(repay_reserve);
                count += 1;
                spent += value;
                result.liquidation_volume += value;
                result.bonus_paid += value * *bonus_bps as f64 / 1e4;
            }
            BallastEvent::BadDebtSocializedEvent(BadDebtSocializedEvent { reserve, debt_amount, from_insurance, from_protocol_fees, from_depositors, .. }) => {
                let price = price_of(reserve);
                result.written_off += *debt_amount as f64 * price;
                result.insurance_drawn += (*from_insurance + *from_protocol_fees) as f64 * price;
                result.depositor_loss += *from_depositors as f64 * price;
            }
            _ => {}
        }
    }
    (count, spent)
}

/// A token account's balance (0 when it does not exist).
async fn balance(w: &world::World, account: &Pubkey) -> Result<u64> {
    Ok(w.cluster.account(account).await?.and_then(|a| tokens::token_amount(&a.data)).unwrap_or(0))
}

/// The Ballast events since the last call, oldest first.
async fn new_events(w: &world::World, seen: &mut usize) -> Result<Vec<BallastEvent>> {
    let all = w.cluster.ballast_transactions(&[w.market], usize::MAX).await?;
    let fresh = all.len() - *seen;
    *seen = all.len();
    Ok(all.into_iter().take(fresh).rev().flat_map(|tx| tx.events).collect())
}
