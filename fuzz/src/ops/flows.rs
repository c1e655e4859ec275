//! The rules the withdrawal queue and the limiters must keep (`crate::rules`), checked after every committed
//! action: outflow within the limiters (exactly as recorded, and against an independent ledger of gross flows),
//! utilization within the ceiling after user actions, and tickets served once each, in order.
use super::{
    actions::{Action, Effect},
    check::Violation,
    world::World,
};
use crate::rules::{self, Broken, FlowLedger, VaultMove};
use ballast::oracle::PriceUse;
use std::collections::BTreeSet;

/// What the episode remembers outside the world (never rolled back, never cloned): the flows since each reserve's
/// limiter last changed, and every ticket that closed.
#[derive(Default)]
pub struct Ledger {
    flows: FlowLedger,
    closed: Vec<BTreeSet<u64>>,
}

fn report(found: Vec<Broken>, what: String, out: &mut Vec<Violation>) {
    out.extend(found.into_iter().map(|(rule, detail)| Violation { rule, detail: format!("{what}: {detail}") }));
}

/// Rule 1: no action moves more out of a reserve than its limiters allow (liquidations and the admin's fee sweep
/// are exempt): the program's records match what left each vault and stay within both limits, and the ledger's
/// gross flows stay within the bound any limiter implies.
pub fn outflow_within_limits(before: &World, after: &World, action: &Action, ledger: &mut Ledger, out: &mut Vec<Violation>) {
    let now = after.now;
    let records = action.is_user() && !matches!(action, Action::Flash { .. });
    let mut market_growth: u128 = 0;
    for i in 0..after.assets.len() {
        let mut found = vec![];
        let (b, a) = (&before.assets[i], &after.assets[i]);
        let mv = VaultMove::new(b.liquidity_vault, a.liquidity_vault, records);
        let new = rules::recorded_outflow(&b.reserve, &a.reserve, &after.market.config, now, &mv, &mut found);
        if after.market.config.outflow_window_secs != 0 && new > 0 {
            match before.price(i, PriceUse::Liquidation).and_then(|p| rules::market_count(new, a.reserve.liquidity_decimals, p.outflow())) {
                Ok(value) => market_growth += value as u128,
                Err(e) => found.push(("outflow the market limiter cannot price is refused", format!("{new} new, {e}"))),
            }
        }
        ledger.flows.step(i, &a.reserve, now, &mv, &mut found);
        report(found, format!("{} asset {i}", action.name()), out);
    }
    if action.is_user() {
        let mut found = vec![];
        rules::market_outflow(&before.market.outflow, &after.market.outflow, &after.market.config, now, market_growth, &mut found);
        report(found, action.name().to_string(), out);
    }
}

/// Rule 2: after any user action (not accrual, not liquidation, not the admin), a reserve within its utilization
/// ceiling stays within it, and one past it does not rise.
pub fn utilization_within_ceiling(before: &World, after: &World, action: &Action, out: &mut Vec<Violation>) {
    if !action.is_user() {
        return;
    }
    for i in 0..after.assets.len() {
        let mut found = vec![];
        rules::utilization_kept(&before.assets[i].reserve, &after.assets[i].reserve, after.now, &mut found);
        report(found, format!("{} asset {i}", action.name()), out);
    }
}

/// Rule 4: every ticket is served at most once and in order: a fill serves the ticket at the head, and
/// `rules::tickets_kept` for every queue.
pub fn tickets_in_order(before: &World, after: &World, effect: &Effect, ledger: &mut Ledger, out: &mut Vec<Violation>) {
    ledger.closed.resize_with(after.assets.len(), Default::default);
    for served in &effect.served {
        if served.seq != served.head_before {
            out.push(Violation { rule: "a fill serves the head ticket only", detail: format!("asset {}: served {} with the head at {}", served.asset, served.seq, served.head_before) });
        }
    }
    for i in 0..after.assets.len() {
        let closed = &mut ledger.closed[i];
        for t in &before.assets[i].tickets {
            if !after.assets[i].tickets.iter().any(|u| u.state.seq == t.state.seq) {
                closed.insert(t.state.seq);
            }
        }
        let open: Vec<_> = after.assets[i].tickets.iter().map(|t| (t.state, t.filled)).collect();
        let mut found = vec![];
        rules::tickets_kept(&before.assets[i].reserve, &after.assets[i].reserve, &open, closed, &mut found);
        report(found, format!("asset {i}"), out);
    }
}
