//! The keeper's housekeeping, after each round's liquidations (they are its deadline): `fill_withdrawal` while
//! liquidity serves the head of a reserve's withdrawal queue, and `apply_pending_*` for every queued config
//! whose timelock has passed (market, elevation group, reserves). Both are permissionless. A refusal (nothing
//! to fill yet, a limiter, a change cancelled meanwhile) ends that target's turn and is counted; it is never an
//! error of the round, and the program decides, not this code: it only skips what cannot succeed.
use anyhow::Result;
use ballast_sdk::{accounts::decode, ballast::state::WithdrawalTicket, ix, pda, Cluster, Keypair, MarketSnapshot, ReserveView};
use std::io::Write;

/// Most fills one reserve gets per round, so a long queue of dust cannot hold up the next round.
pub const MAX_FILLS_PER_RESERVE: usize = 16;

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cranked {
    /// Tickets served (`fill_withdrawal` confirmed).
    pub fills: usize,
    /// Fills the program refused (no liquidity free for the queue, a limiter, the utilization ceiling).
    pub fills_refused: usize,
    /// Queued configs applied (`apply_pending_*` confirmed).
    pub applied: usize,
    /// Applications refused.
    pub apply_refused: usize,
}

impl std::ops::AddAssign for Cranked {
    fn add_assign(&mut self, o: Cranked) {
        self.fills += o.fills;
        self.fills_refused += o.fills_refused;
        self.applied += o.applied;
        self.apply_refused += o.apply_refused;
    }
}

/// Serves each reserve's queue head after head while fills go through, for reserves that have a ticket
/// waiting and liquidity in the vault.
pub async fn fill_queues(cluster: &impl Cluster, payer: &Keypair, snap: &MarketSnapshot, out: &mut impl Write) -> Result<Cranked> {
    let mut done = Cranked::default();
    for r in snap.reserves.iter().filter(|r| r.state.queue_head < r.state.queue_tail && r.state.available_liquidity > 0) {
        let mut r: ReserveView = *r;
        for _ in 0..MAX_FILLS_PER_RESERVE {
            let key = pda::ticket(&r.key, r.state.queue_head);
            let Some(account) = cluster.account(&key).await? else { break };
            let ticket: WithdrawalTicket = decode(&account.data)?;
            match cluster.send(&[ix::fill_withdrawal(&r, &ticket)], &[payer]).await {
                Ok(sig) => {
                    done.fills += 1;
                    writeln!(out, "filled ticket {} of reserve {} ({sig})", ticket.seq, r.key)?;
                }
                Err(e) => {
                    done.fills_refused += 1;
                    writeln!(out, "ticket {} of reserve {} waits: {e}", ticket.seq, r.key)?;
                    break;
                }
            }
            let Some(account) = cluster.account(&r.key).await? else { break };
            r.state = decode(&account.data)?;
            if r.state.queue_head >= r.state.queue_tail || r.state.available_liquidity == 0 {
                break;
            }
        }
    }
    Ok(done)
}

/// Sends `apply_pending_*` for every change of the market whose time has come at `snap.now`.
pub async fn apply_due(cluster: &impl Cluster, payer: &Keypair, snap: &MarketSnapshot, out: &mut impl Write) -> Result<Cranked> {
    let due = |ts: i64| ts != 0 && snap.now >= ts;
    let mut targets = vec![];
    if due(snap.market.pending_config_apply_ts) {
        targets.push((format!("market {}", snap.key), ix::apply_pending_market_config(&snap.key)));
    }
    if snap.market.pending_elevation_group_id != 0 && due(snap.market.pending_elevation_group_apply_ts) {
        targets.push((format!("elevation group {} of market {}", snap.market.pending_elevation_group_id, snap.key), ix::apply_pending_elevation_group(&snap.key)));
    }
    for r in snap.reserves.iter().filter(|r| due(r.state.pending_config_apply_ts)) {
        targets.push((format!("reserve {}", r.key), ix::apply_pending_reserve_config(&r.key)));
    }
    let mut done = Cranked::default();
    for (what, ix) in targets {
        match cluster.send(&[ix], &[payer]).await {
            Ok(sig) => {
                done.applied += 1;
                writeln!(out, "applied the queued change of {what} ({sig})")?;
            }
            Err(e) => {
                done.apply_refused += 1;
                writeln!(out, "the queued change of {what} was not applied: {e}")?;
            }
        }
    }
    Ok(done)
}
