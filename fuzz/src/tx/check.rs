//! What must hold around every transaction beyond `assert_invariants`: the rules of `crate::rules` on the accounts
//! before and after it, tickets (untouched by a failed transaction, served in order by a successful one), cTokens
//! by holder, and the two liquidation rules, checked by simulating liquidations on the same bank state.
use super::market::{Market, View, USERS};
use crate::rules::{self, Broken, FlowLedger, VaultMove};
use anchor_lang::{prelude::Pubkey, solana_program::instruction::Instruction};
use ballast::{
    events::{LiquidateEvent, WithdrawalRequestedEvent, WithdrawalServedEvent},
    instructions::LiquidateArgs,
    oracle::PriceUse,
    state::{Market as MarketState, WithdrawalTicket},
};
use ballast_sdk::{events::BallastEvent, ix::PriceKeys, pda};
use ballast_tests::{Keypair, TestContext};
use solana_program_test::BanksClientError;
use std::{
    collections::{BTreeMap, BTreeSet},
    sync::atomic::{AtomicU64, Ordering},
};

/// Liquidations compared with and without their optional price accounts (rule 3), for the report.
pub static SOURCE_COMPARISONS: AtomicU64 = AtomicU64::new(0);

/// A ticket the fuzzer follows: its state when last read, and the cTokens fills have paid from it.
#[derive(Clone, Copy)]
pub struct Tracked {
    pub state: WithdrawalTicket,
    pub filled: u64,
}

/// The queue as the fuzzer follows it, per reserve: open tickets by seq, and every seq that closed.
#[derive(Default)]
pub struct Queues {
    pub open: Vec<BTreeMap<u64, Tracked>>,
    pub closed: Vec<BTreeSet<u64>>,
}

/// The accounts the rules compare, at one moment.
pub struct Observed {
    pub view: View,
    pub vaults: Vec<u64>,
    pub market: MarketState,
    /// Raw bytes of every followed ticket and of the next one (at the tail), per reserve.
    pub tickets: Vec<BTreeMap<u64, Option<Vec<u8>>>>,
}

pub async fn observe(m: &mut Market) -> Observed {
    let view = m.view().await;
    let mut vaults = vec![];
    let mut tickets = vec![];
    for (j, r) in m.reserves.clone().iter().enumerate() {
        vaults.push(m.t.balance(&r.liquidity_vault).await);
        let mut seqs: Vec<u64> = m.queues.open.get(j).map(|o| o.keys().copied().collect()).unwrap_or_default();
        seqs.push(view.reserves[j].queue_tail);
        let mut bytes = BTreeMap::new();
        for seq in seqs {
            bytes.insert(seq, m.t.account(&pda::ticket(&r.key, seq)).await.map(|a| a.data));
        }
        tickets.push(bytes);
    }
    let market = m.t.market_state().await;
    Observed { view, vaults, market, tickets }
}

/// A failed transaction left every followed ticket (and the one it might have created) as it was.
pub fn tickets_unchanged(before: &Observed, after: &Observed) -> Vec<String> {
    (before.tickets != after.tickets).then(|| "a failed transaction changed a withdrawal ticket".to_string()).into_iter().collect()
}

/// Kinds that record flows against the limiters (rule 1); `user` also names the user transactions rule 2 binds.
fn records(kind: &str) -> bool {
    matches!(
        kind,
        "deposit" | "deposit_liquidity_and_collateral" | "repay" | "redeem" | "withdraw_collateral_and_redeem" | "borrow" | "fill_withdrawal" | "request_and_fill"
            | "deposit_collateral" | "withdraw_collateral" | "request_withdrawal" | "cancel_withdrawal" | "fill_withdrawal (empty queue): request"
    )
}

fn user(kind: &str) -> bool {
    records(kind) || kind == "flash"
}

/// After a successful transaction of `kind`: rules 1, 2, 4 and 5; follows the queue on.
pub async fn after_success(m: &mut Market, kind: &str, before: &Observed, after: &Observed, ledger: &mut FlowLedger) -> Vec<String> {
    let now = after.view.now.ts;
    let mut found: Vec<Broken> = vec![];
    let mut market_growth: u128 = 0;
    for j in 0..m.reserves.len() {
        let (rb, ra) = (&before.view.reserves[j], &after.view.reserves[j]);
        let mv = VaultMove::new(before.vaults[j], after.vaults[j], records(kind));
        let new = rules::recorded_outflow(rb, ra, &after.market.config, now, &mv, &mut found);
        if after.market.config.outflow_window_secs != 0 && new > 0 {
            match before.view.price(j, PriceUse::Liquidation, true).and_then(|p| rules::market_count(new, ra.liquidity_decimals, p.outflow())) {
                Ok(v) => market_growth += v as u128,
                Err(e) => found.push(("outflow the market limiter cannot price is refused", format!("{new} new, {e}"))),
            }
        }
        ledger.step(j, ra, now, &mv, &mut found);
        if user(kind) {
            rules::utilization_kept(rb, ra, now, &mut found);
        }
    }
    if user(kind) {
        rules::market_outflow(&before.market.outflow, &after.market.outflow, &after.market.config, now, market_growth, &mut found);
    }
    follow_queues(m, before, after, &mut found).await;
    ctokens_by_holder(m, after, &mut found).await;
    found.into_iter().map(|(rule, detail)| format!("[{rule}] {detail}")).collect()
}

/// Rule 4: fills serve the head, one after the other; a request books the tail; tickets kept (`rules::tickets_kept`).
async fn follow_queues(m: &mut Market, before: &Observed, after: &Observed, found: &mut Vec<Broken>) {
    let n = m.reserves.len();
    m.queues.open.resize_with(n, Default::default);
    m.queues.closed.resize_with(n, Default::default);
    let events: Vec<BallastEvent> = m.t.events.clone();
    for j in 0..n {
        let key = m.reserves[j].key;
        let (rb, ra) = (&before.view.reserves[j], &after.view.reserves[j]);
        let mut head = rb.queue_head;
        for e in ballast_sdk::events::of_kind::<WithdrawalServedEvent>(&events).into_iter().filter(|e| e.reserve == key) {
            if e.seq != head {
                found.push(("a fill serves the head ticket only", format!("reserve {j}: served {} with the head at {head}", e.seq)));
            }
            if let Some(t) = m.queues.open[j].get_mut(&e.seq) {
                t.filled += e.ctoken_amount;
            }
            // The head moves on unless the ticket was only partly filled.
            let left = m.t.ticket(&m.reserves[j], e.seq).await.map(|t| t.ctoken_amount);
            if left.is_none_or(|l| l == 0) || e.set_aside {
                head = e.seq + 1;
            }
        }
        for e in ballast_sdk::events::of_kind::<WithdrawalRequestedEvent>(&events).into_iter().filter(|e| e.reserve == key) {
            if !(rb.queue_tail..ra.queue_tail).contains(&e.seq) {
                found.push(("a request books the tail", format!("reserve {j}: seq {} with the tail {} -> {}", e.seq, rb.queue_tail, ra.queue_tail)));
            }
        }
        let mut seqs: Vec<u64> = m.queues.open[j].keys().copied().collect();
        seqs.extend(rb.queue_tail..ra.queue_tail);
        for seq in seqs {
            match m.t.ticket(&m.reserves[j], seq).await {
                Some(state) => {
                    let t = m.queues.open[j].entry(seq).or_insert(Tracked { state, filled: 0 });
                    t.state = state;
                }
                None => {
                    m.queues.open[j].remove(&seq);
                    m.queues.closed[j].insert(seq);
                }
            }
        }
        let open: Vec<_> = m.queues.open[j].values().map(|t| (t.state, t.filled)).collect();
        let mut broken = vec![];
        rules::tickets_kept(rb, ra, &open, &m.queues.closed[j], &mut broken);
        found.extend(broken.into_iter().map(|(rule, d)| (rule, format!("reserve {j}: {d}"))));
    }
}

/// Every seq below each tail: a closed ticket never reappears (run now and then: it reads the whole queue).
pub async fn closed_stay_closed(m: &mut Market) -> Vec<String> {
    let mut found = vec![];
    for (j, r) in m.reserves.clone().iter().enumerate() {
        let tail = m.t.reserve_state(r).await.queue_tail;
        for seq in 0..tail {
            if m.queues.closed.get(j).is_some_and(|c| c.contains(&seq)) && m.t.ticket(r, seq).await.is_some() {
                found.push(format!("[a closed ticket never reappears] reserve {j}: seq {seq}"));
            }
        }
    }
    found
}

/// Rule 5: cTokens in every holder's account (users, the admin, the collateral vault), locked, queued and set aside
/// add up to the reserve's cToken supply.
async fn ctokens_by_holder(m: &mut Market, after: &Observed, found: &mut Vec<Broken>) {
    for (j, r) in m.reserves.clone().iter().enumerate() {
        let mut holders: Vec<Pubkey> = m.users.iter().map(|u| u.ctokens(r)).collect();
        holders.extend(m.t.admin.accounts.get(&r.key).map(|a| a.1));
        holders.push(r.collateral_vault);
        let mut held: u128 = 0;
        for h in holders {
            held += m.t.balance(&h).await as u128;
        }
        let s = &after.view.reserves[j];
        let total = held + s.locked_ctokens as u128 + s.queued_ctokens as u128 + s.set_aside_ctokens as u128;
        if total != s.ctoken_supply as u128 {
            found.push(("cTokens held, pledged, locked, queued and set aside equal cToken supply", format!("reserve {j}: {total} vs {}", s.ctoken_supply)));
        }
    }
}

/// Simulates `ixs` on the bank as it is: the events on success, the error otherwise.
async fn simulate(t: &mut TestContext, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Vec<BallastEvent>, BanksClientError> {
    let payer = t.banks.payer.insecure_clone();
    let blockhash = t.banks.banks_client.get_latest_blockhash().await?;
    let tx = ballast_sdk::tx::build(ixs, &payer, signers, blockhash, &t.lookup_tables).expect("transaction compiles");
    let sim = t.banks.banks_client.simulate_transaction(tx.clone()).await?;
    match sim.result {
        Some(Ok(())) => {
            let loaded = ballast_sdk::events::resolve_lookups(&tx.message, &t.lookup_tables);
            let keys = ballast_sdk::events::account_keys(&tx.message, &loaded);
            let inner = sim.simulation_details.and_then(|d| d.inner_instructions).unwrap_or_default();
            Ok(ballast_sdk::events::from_inner_instructions(&keys, &inner))
        }
        Some(Err(e)) => Err(BanksClientError::TransactionError(e)),
        None => Err(BanksClientError::ClientError("no simulation result")),
    }
}

/// A liquidation of `owner` by `liquidator` with reserve i's secondary account passed where `pass(i)`, simulated:
/// the liquidation event, or the error's name.
#[allow(clippy::too_many_arguments)]
async fn simulate_liquidation(m: &mut Market, liquidator: usize, owner: usize, ri: usize, wi: usize, args: LiquidateArgs, pass: &dyn Fn(usize) -> bool) -> Result<LiquidateEvent, String> {
    let o = m.t.obligation_state(&m.users[owner]).await;
    let (rr, wr) = (m.reserves[ri].clone(), m.reserves[wi].clone());
    let price_of = |k: &Pubkey| {
        let i = m.index_of(k).expect("a reserve of the market");
        PriceKeys { primary: m.reserves[i].price_account, secondary: m.t.secondaries.get(k).copied().filter(|_| pass(i)) }
    };
    let health = ballast_sdk::ix::liquidate_health(&o, &rr.key, &wr.key, price_of);
    let ix = m.t.liquidate_ix_with(&m.users[liquidator], &m.users[owner], &rr, &wr, args, health);
    let signer = m.users[liquidator].keypair.insecure_clone();
    match simulate(&mut m.t, &[ix], &[&signer]).await {
        Ok(events) => ballast_sdk::events::of_kind::<LiquidateEvent>(&events).first().map(|e| (*e).clone()).ok_or_else(|| "no liquidation event".into()),
        Err(e) => Err(super::outcome(&Err(e))),
    }
}

/// Rule 3: adding or removing an optional account never changes a liquidation's outcome. Before a drawn
/// liquidation of an obligation with a position in a reserve that has a secondary, it is simulated with every
/// secondary passed, with only those the program's rule needs, with none, and with the liquidator's own choice
/// (`mask`): every choice that passes the needed ones gives the very same result (the same liquidation event, or
/// the same error), and one that leaves a needed one out never succeeds.
#[allow(clippy::too_many_arguments)]
pub async fn liquidation_sources(m: &mut Market, liquidator: usize, owner: usize, ri: usize, wi: usize, max: u64, underlying: bool, mask: u8, found: &mut Vec<String>) {
    let view = m.view().await;
    let o = m.t.obligation_state(&m.users[owner]).await;
    let positions: Vec<usize> = o.health_positions().filter_map(|p| m.index_of(&p.reserve)).collect();
    if !positions.iter().any(|&i| view.reserves[i].config.secondary.is_configured()) {
        return;
    }
    SOURCE_COMPARISONS.fetch_add(1, Ordering::Relaxed);
    let needed = positions.iter().filter(|&&i| view.needs_secondary(i)).fold(0u8, |acc, &i| acc | 1 << i);
    let args = || LiquidateArgs { max_repay_amount: max, min_seized_out: 0, receive_underlying: underlying };
    let full = simulate_liquidation(m, liquidator, owner, ri, wi, args(), &|_| true).await;
    for (what, choice) in [("only the needed secondaries", needed), ("no secondary", 0), ("the liquidator's choice", mask)] {
        let result = simulate_liquidation(m, liquidator, owner, ri, wi, args(), &|i| choice >> i & 1 == 1).await;
        let complete = choice & needed == needed;
        if complete && result != full {
            found.push(format!("[adding or removing an optional price account never changes a liquidation] every secondary: {full:?}; {what}: {result:?}"));
        }
        if !complete && result.is_ok() {
            found.push(format!("[a liquidation never prices without a source it needs] {what} (needed {needed:#b}): {result:?}"));
        }
    }
}

/// Refusals that leave an unhealthy obligation unliquidated for a reason outside the liveness promise: no price
/// the program may trust, nothing to liquidate, or a liquidator without the tokens (the token program's error).
fn expected(name: &str) -> bool {
    name.starts_with("Oracle") || name.starts_with("error ") || matches!(name, "ObligationHealthy" | "BorrowPositionNotFound" | "DepositPositionNotFound")
}

/// Rule 6, liveness: after a refused liquidation, an unhealthy obligation within ordinary bounds (every position
/// worth under 2^50 quote) must be liquidatable by some SDK-style call (each debt and deposit pair, as much as
/// allowed, no minimum out, cTokens, every secondary passed, by the user holding most of the repay asset). Returns
/// the class of the refusal for the report, and pushes a violation when none succeeds for an unexpected reason.
pub async fn liveness(m: &mut Market, owner: usize, found: &mut Vec<String>) -> String {
    let view = m.view().await;
    let o = m.t.obligation_state(&m.users[owner]).await;
    let health = match view.health(m, &o, PriceUse::Liquidation, &|_| true).and_then(|h| h.is_liquidatable().map(|l| (h, l))) {
        Ok((h, true)) => h,
        Ok(_) => return "healthy".into(),
        Err(e) => return format!("unpriceable ({})", crate::ops::actions::is_named(&e).unwrap_or_else(|| e.to_string())),
    };
    if o.active_deposits().is_empty() {
        return "unhealthy, ordinary: expected (no collateral left: bad debt to write off)".into();
    }
    let bound = ballast::math::Fraction::from_num(1u64 << 50);
    if health.collateral_value > bound || health.debt_value > bound {
        return "unhealthy, outside the ordinary bounds".into();
    }
    let mut refusals = vec![];
    for b in o.active_borrows() {
        for d in o.active_deposits() {
            let (Some(ri), Some(wi)) = (m.index_of(&b.reserve), m.index_of(&d.reserve)) else { continue };
            let mut liquidator = (owner + 1) % USERS;
            let mut best = 0;
            for u in (0..USERS).filter(|&u| u != owner) {
                let held = m.t.balance(&m.users[u].liquidity(&m.reserves[ri])).await;
                if held > best {
                    (best, liquidator) = (held, u);
                }
            }
            let args = LiquidateArgs { max_repay_amount: u64::MAX, min_seized_out: 0, receive_underlying: false };
            match simulate_liquidation(m, liquidator, owner, ri, wi, args, &|_| true).await {
                Ok(_) => return "unhealthy, ordinary: another call liquidates it".into(),
                Err(e) => refusals.push(e),
            }
        }
    }
    refusals.sort();
    refusals.dedup();
    let all = refusals.join(", ");
    if refusals.iter().all(|r| expected(r)) {
        format!("unhealthy, ordinary: expected ({all})")
    } else {
        found.push(format!("[an unhealthy obligation within the bounds can always be liquidated] user {owner}: every pair refused: {all}"));
        format!("unhealthy, ordinary: NOT LIQUIDATABLE ({all})")
    }
}
