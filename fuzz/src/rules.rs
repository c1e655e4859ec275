//! Rules both fuzzers check, over reserve states before and after a step (plain structs in `ops`, accounts read
//! from the bank in `tx`): outflow within the limiters, utilization within the ceiling, tickets served once each
//! and in order. Each returns the rules it finds broken, named, with what shows it.
use ballast::{
    math::{self, Fraction},
    operations::borrow::within_utilization_ceiling,
    oracle::market_value,
    state::{MarketConfig, OutflowWindow, Reserve, WithdrawalTicket, TICKET_SET_ASIDE},
};
use ethnum::U256;
use std::collections::{BTreeSet, VecDeque};

/// A rule broken, and what shows it.
pub type Broken = (&'static str, String);

/// Outflow counted over the sliding window ending at `now` (the record rolled to it).
pub fn counted(window: &OutflowWindow, now: i64, secs: u32) -> u64 {
    u64::MAX - window.room(now, secs, Some(u64::MAX))
}

/// The window a reserve's flows are kept in: its own limiter's, or with that off the market's.
pub fn flow_window(reserve: &Reserve, market: &MarketConfig) -> u32 {
    match reserve.config.outflow_window_secs {
        0 => market.outflow_window_secs,
        own => own,
    }
}

/// How a step moved one reserve's liquidity vault, and whether it is a user action that records its flows
/// (borrow, redeem, fill out; deposit, repay in; not a liquidation, a flash loan, the admin's sweep).
pub struct VaultMove {
    pub out: u64,
    pub inflow: u64,
    pub records: bool,
}

impl VaultMove {
    pub fn new(before: u64, after: u64, records: bool) -> Self {
        VaultMove { out: before.saturating_sub(after), inflow: after.saturating_sub(before), records }
    }
}

/// Rule 1 on the program's own records of one reserve: what left the vault is exactly the inflow credit used plus
/// the new outflow recorded (an inflow adds exactly its credit, nothing else moves them), and new outflow never takes
/// the reserve's window past its own limit. Returns the new outflow recorded (what the market must count).
pub fn recorded_outflow(rb: &Reserve, ra: &Reserve, market: &MarketConfig, now: i64, mv: &VaultMove, out: &mut Vec<Broken>) -> u64 {
    let window = flow_window(ra, market);
    if !mv.records || window == 0 {
        return 0;
    }
    let (credit_b, credit_a) = (rb.credit().at(now, window), ra.credit().at(now, window));
    let (net_b, net_a) = (counted(&rb.outflow, now, window), counted(&ra.outflow, now, window));
    let ok = match (mv.out, mv.inflow) {
        (0, 0) => credit_a == credit_b && net_a == net_b,
        (0, inflow) => credit_a == credit_b.saturating_add(inflow) && net_a == net_b,
        (outflow, _) => credit_b.checked_sub(credit_a).zip(net_a.checked_sub(net_b)).is_some_and(|(used, new)| used as u128 + new as u128 == outflow as u128),
    };
    if !ok {
        out.push((
            "every outflow is counted: credit used plus new outflow equals what left the vault",
            format!("vault -{} +{}, credit {credit_b} -> {credit_a}, counted {net_b} -> {net_a}", mv.out, mv.inflow),
        ));
    }
    if ra.config.outflow_window_secs != 0 && net_a > net_b && net_a > ra.config.outflow_limit {
        out.push(("new outflow never takes a reserve past its limit", format!("counted {net_a} > limit {}", ra.config.outflow_limit)));
    }
    net_a.saturating_sub(net_b)
}

/// The market's count for `new` native units of outflow at the outflow price: its value rounded up.
pub fn market_count(new: u64, decimals: u8, outflow_price: Fraction) -> anchor_lang::Result<u64> {
    math::to_ceil_u64(market_value(Fraction::from_num(new), decimals, outflow_price)?)
}

/// Rule 1 on the market's record: it grew by exactly `expected` (the reserves' new outflow at the outflow price),
/// and new outflow never takes it past its limit.
pub fn market_outflow(before: &OutflowWindow, after: &OutflowWindow, config: &MarketConfig, now: i64, expected: u128, out: &mut Vec<Broken>) {
    let w = config.outflow_window_secs;
    if w == 0 {
        return;
    }
    let (b, a) = (counted(before, now, w) as u128, counted(after, now, w) as u128);
    if a != b + expected {
        out.push(("the market counts exactly the reserves' new outflow, at the outflow price", format!("market {b} -> {a}, expected +{expected}")));
    }
    if a > b && a > config.outflow_limit_quote as u128 {
        out.push(("new outflow never takes the market past its limit", format!("counted {a} > limit {}", config.outflow_limit_quote)));
    }
}

/// Rule 1, independently of the program's records: per reserve with a limiter of its own, the user flows since the
/// limiter last changed. Over any window, gross outflow stays within twice the limit (a sliding window spans at
/// most two fixed ones, each holding at most the limit of new outflow) plus every inflow of the last two windows
/// (each inflow's credit is gone one window after it).
#[derive(Default)]
pub struct FlowLedger {
    reserves: Vec<ReserveFlows>,
}

#[derive(Default)]
struct ReserveFlows {
    /// (window, limit) the flows were logged under.
    limiter: (u32, u64),
    /// (time, liquidity in, liquidity out) of each committed user step, the last two windows of them.
    flows: VecDeque<(i64, u64, u64)>,
}

impl FlowLedger {
    /// Logs reserve `i`'s step (its state after it) and checks the bound.
    pub fn step(&mut self, i: usize, ra: &Reserve, now: i64, mv: &VaultMove, out: &mut Vec<Broken>) {
        if self.reserves.len() <= i {
            self.reserves.resize_with(i + 1, Default::default);
        }
        let l = &mut self.reserves[i];
        let cfg = &ra.config;
        if cfg.outflow_window_secs == 0 {
            *l = ReserveFlows::default();
            return;
        }
        let key = (cfg.outflow_window_secs, cfg.outflow_limit);
        if l.limiter != key {
            // A new limiter: whatever credit is left from before still counts as inflow (it fades within a window).
            l.limiter = key;
            l.flows.clear();
            l.flows.push_back((now, ra.credit().at(now, cfg.outflow_window_secs), 0));
        }
        if mv.records {
            l.flows.push_back((now, mv.inflow, mv.out));
        }
        let w = cfg.outflow_window_secs as i64;
        while l.flows.front().is_some_and(|f| f.0 <= now - 2 * w) {
            l.flows.pop_front();
        }
        let gross_out: u128 = l.flows.iter().filter(|f| f.0 > now - w).map(|f| f.2 as u128).sum();
        let gross_in: u128 = l.flows.iter().map(|f| f.1 as u128).sum();
        if gross_out > 2 * cfg.outflow_limit as u128 + gross_in {
            out.push(("gross outflow over a window stays within twice the limit plus the inflow of the last two windows", format!("out {gross_out}, limit {}, in {gross_in}", cfg.outflow_limit)));
        }
    }
}

/// borrowed and available + borrowed, as integers (Fraction bits).
fn utilization_terms(r: &Reserve) -> Option<(U256, U256)> {
    let borrowed = r.borrowed_sf.get();
    let gross = math::add(Fraction::from_num(r.available_liquidity), borrowed).ok()?;
    Some((U256::from(borrowed.to_bits()), U256::from(gross.to_bits())))
}

/// Rule 2, after a user step: a reserve within its utilization ceiling stays within it, and one past it (a
/// ceiling lowered, interest accrued) does not rise. Both sides are projected to `now`, so the interest the step
/// accrues is not counted as its doing.
pub fn utilization_kept(before: &Reserve, after: &Reserve, now: i64, out: &mut Vec<Broken>) {
    let (mut rb, mut ra) = (*before, *after);
    if rb.accrue_interest(now).is_err() || ra.accrue_interest(now).is_err() {
        return;
    }
    let (Ok(within_b), Ok(within_a)) = (within_utilization_ceiling(&rb), within_utilization_ceiling(&ra)) else { return };
    let (Some((b0, g0)), Some((b1, g1))) = (utilization_terms(&rb), utilization_terms(&ra)) else { return };
    // b1 / g1 > b0 / g0  <=>  b1 · g0 > b0 · g1
    let rose = b1.checked_mul(g0).zip(b0.checked_mul(g1)).is_some_and(|(l, r)| l > r);
    let shown = || format!("{} -> {} (ceiling {} bps)", rb.utilization().unwrap_or_default(), ra.utilization().unwrap_or_default(), ra.config.utilization_ceiling_bps);
    if within_b && !within_a {
        out.push(("a user action never takes a reserve past its utilization ceiling", shown()));
    } else if !within_b && rose {
        out.push(("a user action never raises utilization past the ceiling", shown()));
    }
}

/// Rule 4 for one reserve: the head and tail only advance; no ticket behind the head still waits; a ticket never
/// pays out more cTokens than it queued (`filled` so far, by the fuzzer's count); a closed ticket never reappears.
/// `open` are the tickets open after the step with what each has filled, by seq; `closed` every seq closed before.
pub fn tickets_kept(rb: &Reserve, ra: &Reserve, open: &[(WithdrawalTicket, u64)], closed: &BTreeSet<u64>, out: &mut Vec<Broken>) {
    if ra.queue_head < rb.queue_head || ra.queue_tail < rb.queue_tail || ra.queue_head > ra.queue_tail {
        out.push(("the queue's head and tail only advance", format!("[{}, {}) -> [{}, {})", rb.queue_head, rb.queue_tail, ra.queue_head, ra.queue_tail)));
    }
    let mut last = None;
    for (s, filled) in open {
        if last.is_some_and(|l| s.seq <= l) || s.seq >= ra.queue_tail {
            out.push(("tickets are unique and below the tail", format!("seq {} after {last:?}, tail {}", s.seq, ra.queue_tail)));
        }
        last = Some(s.seq);
        if s.seq < ra.queue_head && s.status != TICKET_SET_ASIDE {
            out.push(("no ticket behind the head still waits", format!("seq {} status {} with the head at {}", s.seq, s.status, ra.queue_head)));
        }
        if *filled as u128 + s.ctoken_amount as u128 > s.requested_ctokens as u128 {
            out.push(("a ticket never pays out more cTokens than it queued", format!("seq {} filled {filled} + left {} > {}", s.seq, s.ctoken_amount, s.requested_ctokens)));
        }
        if closed.contains(&s.seq) {
            out.push(("a closed ticket never reappears", format!("seq {}", s.seq)));
        }
    }
}
