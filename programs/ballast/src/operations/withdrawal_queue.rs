//! The FIFO withdrawal queue: when a redeem cannot be met, a depositor's cTokens wait in a ticket, liquidity
//! that comes back is reserved for tickets ahead of new borrows and redeems, and a permissionless crank serves
//! the head ticket, partly if need be, at the exchange rate of the fill.
use crate::{
    error::BallastError,
    math::{self, to_ceil_u64},
    operations::{borrow::within_utilization_ceiling, deposit::ceiling_room},
    state::{Reserve, WithdrawalTicket, TICKET_CANCELLED, TICKET_QUEUED, TICKET_SET_ASIDE},
};
use anchor_lang::prelude::*;

/// Liquidity the queued tickets claim at today's exchange rate, rounded up: what borrows, redeems and
/// liquidations paid in underlying must leave in the vault.
pub fn reserved_liquidity(reserve: &Reserve) -> Result<u64> {
    if reserve.queued_ctokens == 0 {
        return Ok(0);
    }
    to_ceil_u64(reserve.ctokens_to_liquidity(reserve.queued_ctokens)?)
}

/// Available liquidity the queue has not reserved: what a fee sweep or a liquidator's underlying payout may take.
pub fn unreserved_liquidity(reserve: &Reserve) -> Result<u64> {
    Ok(reserve.available_liquidity.saturating_sub(reserved_liquidity(reserve)?))
}

/// After liquidity has been taken out (borrow, redeem): refuses when what is left would not cover the
/// liquidity reserved for the queue.
pub fn require_unreserved(reserve: &Reserve) -> Result<()> {
    require!(reserve.available_liquidity >= reserved_liquidity(reserve)?, BallastError::LiquidityReservedForWithdrawals);
    Ok(())
}

/// Whether a redeem of `ctoken_amount` could be met now: its liquidity is not reserved for tickets ahead, leaves
/// the reserve within its utilization ceiling, and fits the outflow limiters' `outflow_room`
/// (`controls::outflow_room`). The rules are `deposit::redeem_for_depositor`'s and the limiters'.
pub fn redeem_possible(reserve: &Reserve, ctoken_amount: u64, outflow_room: u64) -> Result<bool> {
    let paid = reserve.ctokens_to_liquidity_floor(ctoken_amount)?;
    Ok(paid > 0 && paid <= unreserved_liquidity(reserve)? && paid <= ceiling_room(reserve)? && paid <= outflow_room)
}

/// Books a new ticket for `ctoken_amount` at the tail of the queue; the caller burns the cTokens. A ticket is for
/// a redeem that cannot be met now (`redeem_possible`, given the limiters' `outflow_room`): one that can is
/// refused, so the queue is never a way around a redeem's checks.
pub fn request(reserve: &mut Reserve, ticket: &mut WithdrawalTicket, ctoken_amount: u64, now_ts: i64, outflow_room: u64) -> Result<()> {
    require!(ctoken_amount > 0, BallastError::ZeroAmount);
    require!(!redeem_possible(reserve, ctoken_amount, outflow_room)?, BallastError::WithdrawalRedeemPossible);
    ticket.seq = reserve.queue_tail;
    ticket.ctoken_amount = ctoken_amount;
    ticket.requested_ctokens = ctoken_amount;
    ticket.requested_ts = now_ts;
    ticket.status = TICKET_QUEUED;
    reserve.queue_tail = math::checked_add_u64(reserve.queue_tail, 1)?;
    reserve.queued_ctokens = math::checked_add_u64(reserve.queued_ctokens, ctoken_amount)?;
    Ok(())
}

/// What serving the head ticket did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Served {
    /// `ctokens` of the ticket filled for `liquidity`; `done` when nothing is left (the ticket closes).
    Filled { ctokens: u64, liquidity: u64, done: bool },
    /// The ticket had been cancelled: it closes and the queue moves on.
    Skipped,
    /// Its destination is unusable: the ticket keeps its cTokens for its owner, claims nothing, and the queue
    /// moves on.
    SetAside,
}

/// Serves the ticket at the head of the queue: skips a cancelled one, sets one aside whose destination is not
/// `destination_usable`, else fills what a redeem could take now. A fill is an outflow like a redeem: no more
/// than available liquidity, than leaves the reserve within its utilization ceiling, and than the outflow
/// limiters allow (`outflow_room`, asked only for a fill: the room in liquidity and the binding limiter's
/// error). When none of it is left the fill is refused with the rule that binds, and the queue resumes as
/// repayments, deposits or the sliding window free some. Moves the head past the ticket unless it is only
/// partly filled.
pub fn serve(
    reserve: &mut Reserve,
    ticket: &mut WithdrawalTicket,
    destination_usable: bool,
    outflow_room: impl FnOnce(&Reserve) -> Result<(u64, BallastError)>,
) -> Result<Served> {
    require!(ticket.seq == reserve.queue_head && reserve.queue_head < reserve.queue_tail, BallastError::WithdrawalTicketNotNext);
    let served = match ticket.status {
        TICKET_CANCELLED => Served::Skipped,
        _ if !destination_usable => {
            reserve.queued_ctokens = math::checked_sub_u64(reserve.queued_ctokens, ticket.ctoken_amount)?;
            reserve.set_aside_ctokens = math::checked_add_u64(reserve.set_aside_ctokens, ticket.ctoken_amount)?;
            ticket.status = TICKET_SET_ASIDE;
            Served::SetAside
        }
        _ => {
            let (room, limiter) = outflow_room(reserve)?;
            // What binds the fill, and the rule to name when it leaves nothing to pay.
            let (cap, binding) = [
                (reserve.available_liquidity, BallastError::NothingToFill),
                (ceiling_room(reserve)?, BallastError::FillWaitsForUtilizationCeiling),
                (room, limiter),
            ]
            .into_iter()
            .min_by_key(|(amount, _)| *amount)
            .unwrap_or((0, BallastError::NothingToFill));
            let ctokens = if reserve.ctokens_to_liquidity_floor(ticket.ctoken_amount)? <= cap {
                ticket.ctoken_amount
            } else {
                // As many cTokens as `cap` pays for, rounded down.
                reserve.liquidity_to_ctokens_floor(cap)?.min(ticket.ctoken_amount)
            };
            let liquidity = reserve.ctokens_to_liquidity_floor(ctokens)?;
            if ctokens == 0 || liquidity == 0 || liquidity > cap {
                return Err(error!(binding));
            }
            reserve.available_liquidity -= liquidity;
            reserve.ctoken_supply = math::checked_sub_u64(reserve.ctoken_supply, ctokens)?;
            reserve.queued_ctokens = math::checked_sub_u64(reserve.queued_ctokens, ctokens)?;
            require!(within_utilization_ceiling(reserve)?, BallastError::FillWaitsForUtilizationCeiling);
            ticket.ctoken_amount -= ctokens;
            Served::Filled { ctokens, liquidity, done: ticket.ctoken_amount == 0 }
        }
    };
    if !matches!(served, Served::Filled { done: false, .. }) {
        reserve.queue_head += 1;
    }
    Ok(served)
}

/// What cancelling a ticket did: the cTokens to mint back to the owner, and whether the ticket closes now (else
/// it stays, cancelled, until the queue reaches it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cancelled {
    pub ctokens: u64,
    pub close: bool,
}

/// The owner takes a ticket's unfilled cTokens back. A ticket at the head, or set aside, closes at once (the head
/// moves past it); one further back stays, cancelled, so the queue's order never has a hole.
pub fn cancel(reserve: &mut Reserve, ticket: &mut WithdrawalTicket) -> Result<Cancelled> {
    let ctokens = ticket.ctoken_amount;
    let close = match ticket.status {
        TICKET_CANCELLED => return err!(BallastError::WithdrawalTicketCancelled),
        TICKET_SET_ASIDE => {
            reserve.set_aside_ctokens = math::checked_sub_u64(reserve.set_aside_ctokens, ctokens)?;
            true
        }
        _ => {
            reserve.queued_ctokens = math::checked_sub_u64(reserve.queued_ctokens, ctokens)?;
            let at_head = ticket.seq == reserve.queue_head;
            if at_head {
                reserve.queue_head += 1;
            }
            at_head
        }
    };
    ticket.ctoken_amount = 0;
    ticket.status = TICKET_CANCELLED;
    Ok(Cancelled { ctokens, close })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::{CurvePoint, Fraction};
    use crate::operations::{borrow::within_utilization_ceiling, deposit};
    use bytemuck::Zeroable;

    fn reserve() -> Reserve {
        let mut r = Reserve::zeroed();
        r.version = crate::constants::ACCOUNT_VERSION;
        r.config.deposit_limit = u64::MAX;
        r.config.utilization_ceiling_bps = 9_000;
        r.config.curve[1] = CurvePoint { utilization_bps: 10_000, borrow_rate_bps: 1_000 };
        r.config.curve_len = 2;
        r.cumulative_borrow_index_sf.set(Fraction::ONE);
        deposit::seed_reserve(&mut r, 1_000).unwrap();
        deposit::deposit_liquidity(&mut r, 9_000).unwrap();
        r
    }

    fn ticket(r: &mut Reserve, ctokens: u64) -> WithdrawalTicket {
        let mut t = WithdrawalTicket::zeroed();
        request(r, &mut t, ctokens, 0, 0).unwrap(); // no outflow room: a redeem cannot be met
        t
    }

    /// No outflow limiter.
    fn unlimited(_: &Reserve) -> Result<(u64, BallastError)> {
        Ok((u64::MAX, BallastError::ReserveOutflowLimitExceeded))
    }

    fn serve_all(r: &mut Reserve, t: &mut WithdrawalTicket) -> Result<Served> {
        serve(r, t, true, unlimited)
    }

    #[test]
    fn tickets_are_served_in_order_and_partly() {
        let mut r = reserve();
        r.config.utilization_ceiling_bps = 10_000; // this test is about order: no ceiling
        r.available_liquidity = 500; // the rest is lent out
        r.borrowed_sf.set(Fraction::from_num(9_500));
        let (mut a, mut b) = (ticket(&mut r, 800), ticket(&mut r, 100));
        assert_eq!(serve_all(&mut r, &mut b).unwrap_err(), BallastError::WithdrawalTicketNotNext.into());
        assert_eq!(serve_all(&mut r, &mut a).unwrap(), Served::Filled { ctokens: 500, liquidity: 500, done: false });
        assert_eq!(serve_all(&mut r, &mut a).unwrap_err(), BallastError::NothingToFill.into());
        r.available_liquidity = 1_000; // 1,000 repaid
        r.borrowed_sf.set(Fraction::from_num(8_500));
        assert_eq!(serve_all(&mut r, &mut a).unwrap(), Served::Filled { ctokens: 300, liquidity: 300, done: true });
        assert_eq!(serve_all(&mut r, &mut a).unwrap_err(), BallastError::WithdrawalTicketNotNext.into(), "never filled twice");
        assert_eq!(serve_all(&mut r, &mut b).unwrap(), Served::Filled { ctokens: 100, liquidity: 100, done: true });
        assert_eq!((r.queue_head, r.queue_tail, r.queued_ctokens), (2, 2, 0));
        r.invariant().unwrap();
    }

    #[test]
    fn queued_liquidity_is_reserved_ahead_of_every_outflow() {
        let mut r = reserve();
        let _t = ticket(&mut r, 2_000);
        assert_eq!(reserved_liquidity(&r).unwrap(), 2_000);
        r.available_liquidity = 1_999;
        r.borrowed_sf.set(Fraction::from_num(8_001));
        assert_eq!(require_unreserved(&r).unwrap_err(), BallastError::LiquidityReservedForWithdrawals.into());
        r.available_liquidity = 2_000;
        r.borrowed_sf.set(Fraction::from_num(8_000));
        require_unreserved(&r).unwrap();
        // 8,000 of 10,000 lent: 80% is within the 90% ceiling; 8,000 of 8,800 is not.
        assert!(within_utilization_ceiling(&r).unwrap());
        r.available_liquidity = 800;
        assert!(!within_utilization_ceiling(&r).unwrap());
    }

    #[test]
    fn fee_sweeps_leave_the_reserved_liquidity() {
        let mut r = reserve();
        r.protocol_fees_sf.set(Fraction::from_num(500));
        r.available_liquidity = 9_700;
        r.borrowed_sf.set(Fraction::from_num(300)); // depositors' liquidity 9,500: a cToken is worth 0.95
        let _t = ticket(&mut r, 10_000);
        assert_eq!(reserved_liquidity(&r).unwrap(), 9_500);
        assert_eq!(crate::operations::fees::sweep_fees(&mut r).unwrap(), 200, "only what the queue does not claim");
        assert_eq!(crate::operations::fees::sweep_fees(&mut r).unwrap_err(), BallastError::NoFeesToSweep.into());
    }

    #[test]
    fn a_bad_destination_is_set_aside_and_a_cancel_returns_every_ctoken() {
        let mut r = reserve();
        let (mut a, mut b, mut c) = (ticket(&mut r, 100), ticket(&mut r, 200), ticket(&mut r, 300));
        assert_eq!(cancel(&mut r, &mut b).unwrap(), Cancelled { ctokens: 200, close: false });
        assert_eq!(cancel(&mut r, &mut b).unwrap_err(), BallastError::WithdrawalTicketCancelled.into());
        assert_eq!(serve(&mut r, &mut a, false, unlimited).unwrap(), Served::SetAside);
        assert_eq!((r.queued_ctokens, r.set_aside_ctokens), (300, 100));
        assert_eq!(serve_all(&mut r, &mut b).unwrap(), Served::Skipped);
        assert_eq!(cancel(&mut r, &mut a).unwrap(), Cancelled { ctokens: 100, close: true });
        assert_eq!(cancel(&mut r, &mut c).unwrap(), Cancelled { ctokens: 300, close: true }, "at the head it closes at once");
        assert_eq!((r.queue_head, r.queued_ctokens, r.set_aside_ctokens), (3, 0, 0));
        r.invariant().unwrap();
    }

    /// Issue 24 (high): a fill is an outflow like a redeem. It stops at the utilization ceiling and at the
    /// limiters' room, naming the rule that binds, and resumes as liquidity comes back.
    #[test]
    fn a_fill_stops_at_the_ceiling_and_the_outflow_room() {
        let mut r = reserve(); // 10,000 deposited, ceiling 90%
        r.available_liquidity = 2_000;
        r.borrowed_sf.set(Fraction::from_num(8_000)); // 80%
        let mut a = ticket(&mut r, 2_000);
        // At 90%, 8,000 borrowed needs 8,888.9 in the reserve: about 1,111 may leave.
        let Served::Filled { liquidity, done: false, .. } = serve_all(&mut r, &mut a).unwrap() else { panic!() };
        assert_eq!(liquidity, 1_111);
        assert!(within_utilization_ceiling(&r).unwrap());
        assert_eq!(serve_all(&mut r, &mut a).unwrap_err(), BallastError::FillWaitsForUtilizationCeiling.into());
        // 1,000 repaid: the fill resumes, now bound by a limiter with 300 of room.
        r.available_liquidity += 1_000;
        r.borrowed_sf.set(Fraction::from_num(7_000));
        let limited = |_: &Reserve| Ok((300, BallastError::MarketOutflowLimitExceeded));
        assert_eq!(serve(&mut r, &mut a, true, limited).unwrap(), Served::Filled { ctokens: 300, liquidity: 300, done: false });
        let full = |_: &Reserve| Ok((0, BallastError::MarketOutflowLimitExceeded));
        assert_eq!(serve(&mut r, &mut a, true, full).unwrap_err(), BallastError::MarketOutflowLimitExceeded.into());
        r.invariant().unwrap();
    }

    /// Issue 24 (high): a ticket is for a redeem that cannot be met. One that could is refused.
    #[test]
    fn a_ticket_is_refused_while_a_redeem_could_be_met() {
        let mut r = reserve();
        r.available_liquidity = 5_000;
        r.borrowed_sf.set(Fraction::from_num(5_000)); // 50%: room under the 90% ceiling ≈ 4,444
        let mut t = WithdrawalTicket::zeroed();
        assert_eq!(request(&mut r, &mut t, 1_000, 0, u64::MAX).unwrap_err(), BallastError::WithdrawalRedeemPossible.into());
        // Past the ceiling, past the limiter's room, or with the liquidity lent out, it may queue.
        request(&mut r, &mut t, 4_500, 0, u64::MAX).unwrap();
        let mut u = WithdrawalTicket::zeroed();
        request(&mut r, &mut u, 100, 0, 99).unwrap();
        assert_eq!((r.queue_tail, r.queued_ctokens), (2, 4_600));
    }
}
