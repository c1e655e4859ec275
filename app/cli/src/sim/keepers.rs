//! Liquidators competing each step: in a random order, each runs the real keeper on the path's snapshot with
//! the capital it has (it recycles as it sells what it seized) and the bonus it needs (its costs, plus what
//! selling the collateral into the market's current depth would cost). Each seizure is sold at once: it moves
//! the price the oracle reads next, and the next seller gets less.
use super::{live::{Live, Recorder}, market::Depth, scenario::Keeper};
use crate::{keeper, rng::Rng};
use anyhow::Result;
use ballast_sdk::{
    ballast::events::{BadDebtSocializedEvent, LiquidateEvent},
    events::BallastEvent,
    pda,
    scan::Scanner,
    tokens, Cluster, Keypair, Pubkey, Signer,
};
use std::collections::HashMap;

/// Keeper rounds per keeper per step at most.
pub const MAX_ROUNDS: usize = 12;

pub struct KeeperState {
    pub model: Keeper,
    pub signer: Keypair,
    /// Capital ready to repay with, quote units.
    pub available: f64,
}

/// One liquidation, valued at the market prices of its step.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Liquidation {
    /// Asset indexes repaid and seized.
    pub repay: usize,
    pub withdraw: usize,
    pub repaid: f64,
    /// Seized collateral's value, and the bonus within it.
    pub seized: f64,
    pub bonus: f64,
    /// The obligation had more collateral than debt at spot before the call.
    pub solvent: bool,
    /// Collateral taken beyond what would have restored liquidation health to 1.
    pub over_liquidation: f64,
    /// What the liquidator lost selling the seizure into the market.
    pub sale_cost: f64,
}

/// One write-off, per asset: what insurance (and unswept fees) and depositors covered.
#[derive(Clone, Copy, Debug, Default)]
pub struct WriteOff {
    pub asset: usize,
    pub debt: f64,
    pub insurance: f64,
    pub depositors: f64,
}

/// The liquidation sums of an obligation before a round: Σ collateral·threshold, Σ debt·borrow factor, and the
/// plain values, at spot.
#[derive(Clone, Copy)]
struct Before {
    weighted_collateral: f64,
    weighted_debt: f64,
    collateral: f64,
    debt: f64,
}

/// Everything the keepers' step needs to know about the path.
pub struct Market<'a> {
    /// Reserve key of each asset (the scenario's order).
    pub reserves: &'a [Pubkey],
    /// Market price per native unit of each asset.
    pub per_native: &'a [f64],
    /// The debt asset the keepers hold (each keeper's capital is in it).
    pub debt_asset: usize,
    pub debt_mint: Pubkey,
    pub admin: &'a Keypair,
}

/// Runs every keeper for a step of `dt` seconds ending at path time `t`; returns the liquidations and
/// write-offs.
pub async fn act(live: &mut Live<'_>, keepers: &mut [KeeperState], m: &Market<'_>, depth: &mut Depth, t: f64, dt: f64, rng: &mut Rng) -> Result<(Vec<Liquidation>, Vec<WriteOff>)> {
    let (mut liquidations, mut write_offs) = (vec![], vec![]);
    let mut order: Vec<usize> = (0..keepers.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
    }
    let asset_of = |key: &Pubkey| m.reserves.iter().position(|r| r == key);
    for k in order {
        let state = &mut keepers[k];
        let dry = state.model.dry_from_hour.is_some_and(|h| t >= h * 3_600.0);
        let capital = state.model.capital_quote * if dry { state.model.dry_capital_factor } else { 1.0 };
        state.available = (state.available + capital * dt / state.model.turnover_secs.max(1.0)).min(capital);
        // Its wallet holds what it may spend this step; rounds only spend it.
        if state.available > 0.0 {
            fund(live, &state.signer.pubkey(), state.available / m.per_native[m.debt_asset], m).await?;
        }
        for _ in 0..MAX_ROUNDS {
            if state.available <= 0.0 {
                break;
            }
            let before = before_round(live)?;
            let hurdles: Vec<(Pubkey, u16)> = m
                .reserves
                .iter()
                .enumerate()
                .map(|(i, r)| (*r, (1e4 * depth.cost(i, state.available)).ceil().min(u16::MAX as f64) as u16))
                .collect();
            let opts = keeper::Options {
                rounds: 1,
                interval: std::time::Duration::ZERO,
                retries: 0,
                min_bonus_bps: state.model.cost_bps.ceil().min(u16::MAX as f64) as u16,
                capital_quote: Some(state.available),
                reserve_hurdle_bps: hurdles,
                quiet: true,
                ..Default::default()
            };
            let recorder = Recorder::new(live.cluster);
            let report = keeper::round_on(&recorder, &state.signer, &live.snap, &opts, &mut std::io::sink()).await?;
            live.refresh(&recorder.take_written()).await?;
            for event in live.new_events() {
                match event {
                    BallastEvent::LiquidateEvent(e) => {
                        let l = value(&e, &before, m, &asset_of, live)?;
                        let sold = sold_value(&e, l.withdraw, m, live)?;
                        let sale_cost = depth.sell(l.withdraw, sold) * sold;
                        state.available -= l.repaid;
                        liquidations.push(Liquidation { sale_cost, ..l });
                    }
                    BallastEvent::BadDebtSocializedEvent(BadDebtSocializedEvent { reserve, debt_amount, from_insurance, from_protocol_fees, from_depositors, .. }) => {
                        if let Some(asset) = asset_of(&reserve) {
                            let p = m.per_native[asset];
                            write_offs.push(WriteOff { asset, debt: debt_amount as f64 * p, insurance: (from_insurance + from_protocol_fees) as f64 * p, depositors: from_depositors as f64 * p });
                        }
                    }
                    _ => {}
                }
            }
            if report.liquidated.is_empty() && report.socialized.is_empty() {
                break;
            }
        }
    }
    Ok((liquidations, write_offs))
}

/// Tops the keeper's wallet of the debt asset up to `native` units.
async fn fund(live: &Live<'_>, owner: &Pubkey, native: f64, m: &Market<'_>) -> Result<()> {
    let account = pda::associated_token(owner, &m.debt_mint, &tokens::SPL_TOKEN_ID);
    let held = super::agents::balance(live, &account).await?;
    let want = native.ceil() as u64;
    if want > held {
        let payer = live.cluster.payer().pubkey();
        let ixs = [tokens::create_ata_idempotent(&payer, owner, &m.debt_mint, &tokens::SPL_TOKEN_ID), tokens::mint_to(&m.debt_mint, &account, &m.admin.pubkey(), want - held)];
        live.cluster.send(&ixs, &[m.admin]).await?;
    }
    Ok(())
}

/// What the liquidator received (net of the protocol's cut), at market price: it sells all of it.
fn sold_value(e: &LiquidateEvent, withdraw: usize, m: &Market<'_>, live: &Live) -> Result<f64> {
    let w = live.snap.reserve(&e.withdraw_reserve)?;
    let native = if e.received_underlying {
        e.received_amount as f64
    } else {
        e.received_amount as f64 * w.state.total_liquidity()?.to_num::<f64>() / w.state.ctoken_supply.max(1) as f64
    };
    Ok(native * m.per_native[withdraw])
}

/// The liquidation sums of every liquidatable obligation, before a round.
fn before_round(live: &Live) -> Result<HashMap<Pubkey, Before>> {
    let scanner = Scanner::new(&live.snap)?;
    let mut out = HashMap::new();
    for o in &live.snap.obligations {
        if o.state.active_borrows().is_empty() {
            continue;
        }
        // The keeper's own screen: only what it may liquidate needs the exact sums.
        if !scanner.liquidatable(&o.state).unwrap_or(false) {
            continue;
        }
        let Ok(h) = scanner.health(&o.state) else { continue };
        {
            let f = |x: ballast_sdk::ballast::math::Fraction| x.to_num::<f64>();
            out.insert(o.key, Before { weighted_collateral: f(h.liquidation_collateral), weighted_debt: f(h.liquidation_debt), collateral: f(h.collateral_value), debt: f(h.debt_value) });
        }
    }
    Ok(out)
}

/// A liquidation event valued: repaid and seized at market prices, whether the obligation was solvent, and
/// the collateral taken beyond what restoring health to 1 needed: repaying R restores it when
/// (C − R(1 + b)t) / (D − R·bf) = 1, so R* = (D − C) / (bf − (1 + b)t) where C and D are the weighted sums.
fn value(e: &LiquidateEvent, before: &HashMap<Pubkey, Before>, m: &Market<'_>, asset_of: &dyn Fn(&Pubkey) -> Option<usize>, live: &Live) -> Result<Liquidation> {
    let (repay, withdraw) = (asset_of(&e.repay_reserve).unwrap_or(0), asset_of(&e.withdraw_reserve).unwrap_or(0));
    let w = live.snap.reserve(&e.withdraw_reserve)?;
    let rate = w.state.total_liquidity()?.to_num::<f64>() / w.state.ctoken_supply.max(1) as f64;
    let repaid = e.repay_amount as f64 * m.per_native[repay];
    let seized = e.seized_ctokens as f64 * rate * m.per_native[withdraw];
    let b = e.bonus_bps as f64 / 1e4;
    let bonus = seized - seized / (1.0 + b);
    let (solvent, over) = match before.get(&e.obligation) {
        Some(x) => {
            let threshold = w.state.config.liquidation_threshold_bps as f64 / 1e4;
            let bf = live.snap.reserve(&e.repay_reserve)?.state.config.borrow_factor_bps as f64 / 1e4;
            let denominator = bf - (1.0 + b) * threshold;
            let needed = if denominator > 0.0 { ((x.weighted_debt - x.weighted_collateral) / denominator).max(0.0) } else { f64::INFINITY };
            (x.collateral >= x.debt, ((repaid - needed).max(0.0) * (1.0 + b)).min(seized))
        }
        None => (true, 0.0),
    };
    Ok(Liquidation { repay, withdraw, repaid, seized, bonus, solvent, over_liquidation: over, sale_cost: 0.0 })
}
