//! One path of one config against the real program: the population opens its positions, then at every time of
//! the grid the market price moves (the fundamental path, less what liquidators' sales pushed it down), each
//! oracle publishes what it makes of it, borrowers and suppliers act, the queue is cranked, and the keepers
//! liquidate. Everything random comes from the path's seed, in separate streams, so both configs of a path see
//! the same prices, outages, entrants and draws.
use super::{
    agents::{self, Agents, AssetKeys, Borrower, Opening, Supplier},
    keepers::{self, KeeperState, Liquidation},
    live::{Live, Recorder},
    market::Depth,
    oracle::{draw_outages, Oracle},
    prices,
    scenario::Scenario,
};
use crate::{keeper, rng::Rng, world::World};
use anyhow::Result;
use ballast_sdk::{
    ballast::{math::regime::ltv_at_origination_bps, state::Obligation},
    invariants,
    pyth::{mantissa, price_update_account, PricePoint},
    MarketSnapshot, Pubkey, Signer,
};
use serde::Serialize;

/// Which market a path runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Config {
    Ballast,
    Baseline,
}

/// Everything a path draws before it runs: the same for both configs.
pub struct Inputs {
    pub seed: u64,
    pub path: prices::Path,
    /// Outage windows per asset.
    pub outages: Vec<Vec<(i64, i64)>>,
}

impl Inputs {
    pub fn draw(s: &Scenario, seed: u64) -> Result<Self> {
        let times = prices::grid(s.hours, s.step_secs, s.fine_step_secs, &s.shocks);
        let path = prices::generate(&s.assets, &s.correlation, s.crash_correlation, &s.shocks, &times, seed)?;
        let end = *times.last().unwrap_or(&0);
        let mut rng = Rng::new(seed ^ 0x6f75_7461_6765);
        let outages = s.assets.iter().map(|a| draw_outages(&a.oracle, end, &mut rng)).collect();
        Ok(Self { seed, path, outages })
    }
}

/// What one path measured. Values are quote units at the market prices of their moment.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PathResult {
    /// The opening population's debt and collateral, at the start.
    pub debt_start: f64,
    pub collateral_start: f64,
    /// Debt written off during the path, and at the end debt no collateral covers once sold (its exit cost
    /// counted as a liquidator's would be).
    pub written_off: f64,
    pub unrealized_bad_debt: f64,
    pub bad_debt: f64,
    /// Per asset (the scenario's order): bad debt covered by insurance and unswept fees, and by depositors.
    pub insurance_drawn: Vec<f64>,
    pub depositor_loss: Vec<f64>,
    pub liquidations: usize,
    pub liquidation_volume: f64,
    /// Bonus taken from obligations that were solvent (collateral above debt) and from insolvent ones.
    pub bonus_solvent: f64,
    pub bonus_insolvent: f64,
    /// Collateral taken beyond what restoring liquidation health to 1 needed.
    pub over_liquidation: f64,
    /// What liquidators lost selling seizures into the market.
    pub sale_cost: f64,
    /// Lowest LCR of the debt reserve and the hours it spent below 100%; its highest utilization.
    pub min_lcr: f64,
    pub hours_below_full_lcr: f64,
    pub max_utilization: f64,
    /// Withdrawals refused, tickets taken, the queue at its longest (quote), and how long filled tickets waited
    /// (mean and longest, hours); tickets still open at the end and their value.
    pub refused_withdrawals: usize,
    pub tickets: usize,
    pub max_queue: f64,
    pub mean_wait_hours: f64,
    pub max_wait_hours: f64,
    pub open_tickets: usize,
    pub open_ticket_value: f64,
    /// The share of LTV at origination the volatility regime left collateral in calm hours (no shock's
    /// turbulence), averaged over those hours and the non-debt reserves: 1 = the regime never cut calm borrowing.
    pub calm_ltv_kept: f64,
    /// Per asset (the scenario's order): its LTV at origination in those calm hours, averaged, as a share of
    /// collateral value (the regime's cut applied): the borrowing capacity it gives in a calm market.
    pub calm_ltv: Vec<f64>,
    /// Borrowers who opened during the path, re-levered, topped up.
    pub entrants: usize,
    pub relevers: usize,
    pub topups: usize,
    /// Protocol equity (insurance and fees, less unrealized shortfall and depositors' losses) at the start less
    /// at the end.
    pub equity_loss: f64,
    /// Per grid time: market prices, the debt reserve's utilization and LCR, the queue (quote), liquidations.
    pub times: Vec<i64>,
    pub prices: Vec<Vec<f64>>,
    pub utilization: Vec<f64>,
    pub lcr: Vec<f64>,
    pub queue: Vec<f64>,
    pub liquidations_per_step: Vec<usize>,
    pub invariant_violations: Vec<String>,
}

/// The people of a path once opened.
pub struct Population {
    pub borrowers: Vec<Borrower>,
    pub suppliers: Vec<Supplier>,
    pub debt_start: f64,
    pub collateral_start: f64,
}

/// The asset keys of `w` in the scenario's order.
pub fn asset_keys(s: &Scenario, w: &World) -> Vec<AssetKeys> {
    s.assets.iter().map(|a| AssetKeys { reserve: ballast_sdk::pda::reserve(&w.market, &w.mint(&a.symbol)), mint: w.mint(&a.symbol) }).collect()
}

/// One borrower's opening, drawn from the scenario's ranges; `whale` sizes it up.
fn draw_opening(s: &Scenario, k: usize, whale: bool, rng: &mut Rng) -> Opening {
    let p = &s.population;
    let collateral = s.asset_index(&p.collateral[k % p.collateral.len()]);
    let looper = rng.uniform() < p.loopers;
    let quote = rng.range(p.collateral_quote[0], p.collateral_quote[1]) * if whale { p.whale_multiple } else { 1.0 };
    let target = rng.range(p.target_share[0], p.target_share[1]);
    Opening { collateral, debt: if looper { collateral } else { s.asset_index(&p.debt) }, quote, target, wallet_share: p.wallet_share }
}

/// Opens the scenario's population on `w` at the start prices: suppliers of the debt asset (enough for the
/// borrowers' expected borrowing times the supply multiple), then the crowd and the whales.
pub async fn populate(s: &Scenario, w: &World, inputs: &Inputs) -> Result<Population> {
    let mut live = Live::load(&w.cluster, &w.market).await?;
    let mut agents = Agents::new(w, asset_keys(s, w), inputs.seed);
    let p = &s.population;
    let mut rng = Rng::new(inputs.seed ^ 0x706f_7075);
    let openings: Vec<Opening> = (0..p.borrowers + p.whales).map(|k| draw_opening(s, k, k >= p.borrowers, &mut rng)).collect();
    let debt = s.asset_index(&p.debt);
    let ltv = |i: usize| s.market().reserves.iter().find(|r| r.symbol == s.assets[i].symbol).map_or(0.0, |r| r.ltv_bps as f64 / 1e4);
    let expected: f64 = openings.iter().filter(|o| o.debt == debt).map(|o| o.quote * ltv(o.collateral) * o.target).sum();
    let per_supplier = p.supply_multiple * expected / s.assets[debt].price / p.suppliers as f64;
    let mut suppliers = vec![];
    for _ in 0..p.suppliers {
        suppliers.push(agents.open_supplier(&mut live, debt, per_supplier).await?);
    }
    let start: Vec<f64> = s.assets.iter().map(|a| a.price).collect();
    let mut borrowers = vec![];
    for o in &openings {
        if let Some(b) = agents.open_borrower(&mut live, o, &start).await? {
            borrowers.push(b);
        }
    }
    let per_native = per_native(&live.snap, &agents.assets, &start)?;
    let (collateral_start, debt_start) = totals(&live.snap, &agents.assets, &per_native)?;
    Ok(Population { borrowers, suppliers, debt_start, collateral_start })
}

/// Each asset's price per native unit.
fn per_native(snap: &MarketSnapshot, assets: &[AssetKeys], prices: &[f64]) -> Result<Vec<f64>> {
    assets.iter().zip(prices).map(|(a, p)| Ok(p / 10f64.powi(snap.reserve(&a.reserve)?.decimals() as i32))).collect()
}

/// (collateral, debt) of one obligation at `per_native` prices.
fn value(o: &Obligation, snap: &MarketSnapshot, assets: &[AssetKeys], per_native: &[f64]) -> Result<(f64, f64)> {
    let price = |key: &Pubkey| assets.iter().position(|a| a.reserve == *key).map_or(0.0, |i| per_native[i]);
    let mut collateral = 0.0;
    for d in o.active_deposits() {
        let r = snap.reserve(&d.reserve)?;
        collateral += d.ctoken_amount as f64 * r.state.total_liquidity()?.to_num::<f64>() / r.state.ctoken_supply.max(1) as f64 * price(&d.reserve);
    }
    let mut debt = 0.0;
    for b in o.active_borrows() {
        let r = snap.reserve(&b.reserve)?;
        debt += b.debt_at(r.state.cumulative_borrow_index_sf.get())?.to_num::<f64>() * price(&b.reserve);
    }
    Ok((collateral, debt))
}

/// Σ (collateral, debt) over every obligation.
fn totals(snap: &MarketSnapshot, assets: &[AssetKeys], per_native: &[f64]) -> Result<(f64, f64)> {
    let mut values = snap.obligations.iter().map(|o| value(&o.state, snap, assets, per_native)).collect::<Result<Vec<_>>>()?;
    values.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    Ok(values.iter().fold((0.0, 0.0), |(c, d), (oc, od)| (c + oc, d + od)))
}

/// Insurance funds and unswept fees at `per_native` prices.
fn buffers(snap: &MarketSnapshot, assets: &[AssetKeys], per_native: &[f64]) -> Result<f64> {
    assets.iter().zip(per_native).map(|(a, p)| {
        let r = snap.reserve(&a.reserve)?;
        Ok((r.state.insurance_fund_sf.get().to_num::<f64>() + r.state.protocol_fees_sf.get().to_num::<f64>()) * p)
    }).sum()
}

/// Runs the path's steps on `w` (its population opened) under `config`.
pub async fn run(s: &Scenario, w: &World, inputs: &Inputs, population: &Population, config: Config) -> Result<PathResult> {
    let mut live = Live::load(&w.cluster, &w.market).await?;
    let agents = Agents::new(w, asset_keys(s, w), inputs.seed);
    let mut entrant_agents = Agents::new(w, agents.assets.clone(), inputs.seed ^ 0x656e_7472);
    let keys = agents.assets.clone();
    let reserves: Vec<Pubkey> = keys.iter().map(|k| k.reserve).collect();
    let debt = s.asset_index(&s.population.debt);
    let n = s.assets.len();
    let mut oracles: Vec<Oracle> = s.assets.iter().zip(&inputs.outages).map(|(a, o)| Oracle::new(a.oracle.clone(), a.price, o.clone())).collect();
    let mut depth = Depth::new(&s.assets);
    let mut keepers: Vec<KeeperState> = s
        .keepers
        .iter()
        .enumerate()
        .map(|(k, model)| KeeperState { model: model.clone(), signer: agents::keypair(inputs.seed ^ 0x6b65_6570, k as u64), available: model.capital_quote })
        .collect();
    for k in &keepers {
        w.cluster.airdrop(&k.signer.pubkey(), 1_000_000_000).await?;
    }
    let (mut borrower_rng, mut supplier_rng, mut entrant_rng, mut keeper_rng) =
        (Rng::new(inputs.seed ^ 0x626f_72), Rng::new(inputs.seed ^ 0x7375_70), Rng::new(inputs.seed ^ 0x656e_74), Rng::new(inputs.seed ^ 0x6b65_65));
    let mut borrowers: Vec<Borrower> = vec![];
    let mut r = PathResult {
        min_lcr: f64::INFINITY,
        debt_start: population.debt_start,
        collateral_start: population.collateral_start,
        insurance_drawn: vec![0.0; n],
        depositor_loss: vec![0.0; n],
        ..Default::default()
    };
    let start_prices: Vec<f64> = s.assets.iter().map(|a| a.price).collect();
    let equity_start = buffers(&live.snap, &keys, &per_native(&live.snap, &keys, &start_prices)?)? - shortfall(&live.snap, &keys, &per_native(&live.snap, &keys, &start_prices)?, &depth, s)?;
    let mut tickets: std::collections::HashMap<u64, i64> = std::collections::HashMap::new();
    let mut waits: Vec<f64> = vec![];
    let base_ts = w.now;
    let times = &inputs.path.times;
    let mut market: Vec<f64> = start_prices.clone();
    let (mut calm_kept, mut calm_samples) = (0.0, 0usize);
    let (mut calm_ltv, mut calm_steps) = (vec![0.0; n], 0usize);
    for k in 1..times.len() {
        let (t, dt) = (times[k], (times[k] - times[k - 1]) as f64);
        live.set_time(base_ts + t).await?;
        depth.thinning = keepers.iter().map(|k| if k.model.dry_from_hour.is_some_and(|h| t as f64 >= h * 3_600.0) { k.model.dry_capital_factor } else { 1.0 }).fold(1.0, f64::min);
        depth.recover(dt);
        for i in 0..n {
            market[i] = inputs.path.prices[k][i] * depth.factor(i);
            let published = oracles[i].observe(t, market[i]);
            let (conf, ema) = match config {
                Config::Ballast => (published.conf, published.ema),
                // The baseline reads its spot only, as an SPL-style protocol reads a spot oracle.
                Config::Baseline => (0.0, published.price),
            };
            let a = &w.assets[w.assets.iter().position(|x| x.symbol == s.assets[i].symbol).expect("asset")];
            let point = PricePoint { feed_id: a.feed_id, price: mantissa(published.price), conf: mantissa(conf).max(0) as u64, ema_price: mantissa(ema), publish_time: base_ts + published.publish_time, verified: true };
            live.set_price_account(&a.price_account, price_update_account(&point)).await?;
        }
        // A keeper's crank feeds each reserve's volatility regime from the price just published (a no-op
        // where the regime is off, as in the baseline).
        let recorder = Recorder::new(live.cluster);
        keeper::regime::feed(&recorder, &w.admin, &live.snap).await?;
        live.refresh(&recorder.take_written()).await?;
        if inputs.path.turbulence[k] == 0.0 {
            for (i, key) in reserves.iter().enumerate() {
                let state = &live.snap.reserve(key)?.state;
                let (cut, level) = (state.config.regime_max_ltv_cut_bps, state.regime_level_bps());
                calm_ltv[i] += ltv_at_origination_bps(state.config.ltv_bps as u64, cut, level) as f64 / 1e4;
                if i != debt {
                    calm_kept += ltv_at_origination_bps(10_000, cut, level) as f64 / 1e4;
                    calm_samples += 1;
                }
            }
            calm_steps += 1;
        }
        // New borrowers open at the prices of the moment; the rest act on theirs.
        let arrivals = entrant_rng.poisson(s.population.entrants_per_hour * dt / 3_600.0);
        for _ in 0..arrivals {
            let o = draw_opening(s, entrant_rng.next_u64() as usize, false, &mut entrant_rng);
            if let Some(b) = entrant_agents.open_borrower(&mut live, &o, &market).await? {
                borrowers.push(b);
                r.entrants += 1;
            }
        }
        let mut everyone: Vec<&Borrower> = population.borrowers.iter().collect();
        everyone.extend(borrowers.iter());
        let activity = agents.borrowers_act(&mut live, &everyone, &s.population, dt, &mut borrower_rng).await?;
        r.topups += activity.topups;
        r.relevers += activity.relevers;
        let queue = config == Config::Ballast;
        let activity = agents.suppliers_act(&mut live, &population.suppliers, debt, &s.population, queue, dt, &mut supplier_rng).await?;
        r.refused_withdrawals += activity.refused;
        r.tickets += activity.tickets;
        let head = live.snap.reserve(&reserves[debt])?.state.queue_tail;
        for seq in head.saturating_sub(activity.tickets as u64)..head {
            tickets.entry(seq).or_insert(t);
        }
        let pn = per_native(&live.snap, &keys, &market)?;
        let m = keepers::Market { reserves: &reserves, per_native: &pn, debt_asset: debt, debt_mint: keys[debt].mint, admin: &w.admin };
        let (liquidations, write_offs) = keepers::act(&mut live, &mut keepers, &m, &mut depth, t as f64, dt, &mut keeper_rng).await?;
        for (seq, _, closed) in agents.crank_queue(&mut live, debt).await? {
            if closed {
                if let Some(at) = tickets.remove(&seq) {
                    waits.push((t - at) as f64 / 3_600.0);
                }
            }
        }
        record(&mut r, &liquidations, &write_offs);
        r.liquidations_per_step.push(liquidations.len());
        let d = live.snap.reserve(&reserves[debt])?;
        let (utilization, lcr) = agents::utilization_and_lcr(d, &live)?;
        let queued = d.state.ctokens_to_liquidity(d.state.queued_ctokens).map(|x| x.to_num::<f64>()).unwrap_or(0.0) * pn[debt];
        r.times.push(t);
        r.prices.push(market.clone());
        r.utilization.push(utilization);
        r.lcr.push(lcr);
        r.queue.push(queued);
        r.max_utilization = r.max_utilization.max(utilization);
        r.max_queue = r.max_queue.max(queued);
        r.min_lcr = r.min_lcr.min(lcr);
        if lcr < 1.0 {
            r.hours_below_full_lcr += dt / 3_600.0;
        }
    }
    r.calm_ltv_kept = if calm_samples == 0 { 1.0 } else { calm_kept / calm_samples as f64 };
    r.calm_ltv = if calm_steps == 0 {
        let state = |key: &Pubkey| live.snap.reserve(key).map(|r| r.state.config.ltv_bps as f64 / 1e4);
        reserves.iter().map(state).collect::<Result<_>>()?
    } else {
        calm_ltv.iter().map(|x| x / calm_steps as f64).collect()
    };
    let end = live.snap;
    let pn = per_native(&end, &keys, &market)?;
    r.unrealized_bad_debt = shortfall(&end, &keys, &pn, &depth, s)?;
    r.bad_debt = r.written_off + r.unrealized_bad_debt;
    let depositor_loss: f64 = r.depositor_loss.iter().sum();
    r.equity_loss = equity_start - (buffers(&end, &keys, &pn)? - r.unrealized_bad_debt - depositor_loss);
    r.open_tickets = tickets.len();
    let d = end.reserve(&reserves[debt])?;
    r.open_ticket_value = d.state.ctokens_to_liquidity(d.state.queued_ctokens).map(|x| x.to_num::<f64>()).unwrap_or(0.0) * pn[debt];
    if !waits.is_empty() {
        r.mean_wait_hours = waits.iter().sum::<f64>() / waits.len() as f64;
        r.max_wait_hours = waits.iter().copied().fold(0.0, f64::max);
    }
    r.invariant_violations = invariants::check(&w.cluster, &end).await?;
    Ok(r)
}

/// Adds a step's liquidations and write-offs to `r`.
fn record(r: &mut PathResult, liquidations: &[Liquidation], write_offs: &[keepers::WriteOff]) {
    for l in liquidations {
        r.liquidations += 1;
        r.liquidation_volume += l.repaid;
        if l.solvent {
            r.bonus_solvent += l.bonus;
        } else {
            r.bonus_insolvent += l.bonus;
        }
        r.over_liquidation += l.over_liquidation;
        r.sale_cost += l.sale_cost;
    }
    for w in write_offs {
        r.written_off += w.debt;
        r.insurance_drawn[w.asset] += w.insurance;
        r.depositor_loss[w.asset] += w.depositors;
    }
}

/// Debt no collateral covers once the collateral is sold: each obligation's collateral valued at the market
/// price less what selling it into today's depth and paying the cheapest keeper's costs would take.
fn shortfall(snap: &MarketSnapshot, assets: &[AssetKeys], per_native: &[f64], depth: &Depth, s: &Scenario) -> Result<f64> {
    let cost = s.keepers.iter().map(|k| k.cost_bps).fold(f64::INFINITY, f64::min) / 1e4;
    let mut gaps = vec![];
    for o in &snap.obligations {
        let mut exit = 0.0;
        for d in o.state.active_deposits() {
            let i = assets.iter().position(|a| a.reserve == d.reserve).unwrap_or(0);
            let r = snap.reserve(&d.reserve)?;
            let v = d.ctoken_amount as f64 * r.state.total_liquidity()?.to_num::<f64>() / r.state.ctoken_supply.max(1) as f64 * per_native[i];
            exit += v * (1.0 - depth.cost(i, v) - cost).max(0.0);
        }
        let (_, debt) = value(&o.state, snap, assets, per_native)?;
        gaps.push((debt - exit).max(0.0));
    }
    gaps.sort_by(f64::total_cmp);
    Ok(gaps.iter().sum())
}
