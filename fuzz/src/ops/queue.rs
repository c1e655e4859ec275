//! The withdrawal queue's instructions, step for step (`instructions/queue/`): request a ticket, fill the head,
//! cancel. Tickets live in their asset (`Asset::tickets`) as the program stores them.
use super::{
    actions::{give, record_outflow, take, Failure},
    world::{Ticket, World},
};
use anchor_lang::prelude::Pubkey;
use ballast::{
    constants::ACCOUNT_VERSION,
    error::BallastError,
    math,
    operations::{
        controls::{self, Action as Gate},
        withdrawal_queue::{self, Served},
    },
    oracle::{market_value, PriceUse, Side},
    state::{Reserve, WithdrawalTicket},
};
use bytemuck::Zeroable;

/// One ticket served by a fill: which, where the head was, and what it paid.
#[derive(Clone, Debug)]
pub struct ServedTicket {
    pub asset: usize,
    pub seq: u64,
    pub head_before: u64,
    pub served: Served,
}

/// `request_withdrawal`: accrue, price the ticket (it must be worth the dust threshold), refuse while a redeem
/// could be met (`withdrawal_queue::request` with the limiters' room), book the ticket at the tail, burn the
/// cTokens. Returns the ticket's seq.
pub fn request(w: &mut World, user: usize, asset: usize, ctokens: u64) -> Result<u64, Failure> {
    let now = w.now;
    controls::require_allowed(Gate::Redeem, &w.assets[asset].reserve.config, &w.market.config)?;
    w.assets[asset].reserve.accrue_interest(now)?;
    let price = w.price(asset, PriceUse::Liquidation)?;
    let a = &mut w.assets[asset];
    let liquidity = a.reserve.ctokens_to_liquidity(ctokens)?;
    let dust = math::from_u64(w.market.config.dust_threshold_quote);
    if market_value(liquidity, a.reserve.liquidity_decimals, price.spot(Side::Collateral))? < dust {
        return Err(BallastError::WithdrawalTicketTooSmall.into());
    }
    let (room, _) = controls::outflow_room(&a.reserve, &w.market, Some(price.outflow()), now)?;
    let mut ticket = WithdrawalTicket::zeroed();
    ticket.reserve = a.key;
    ticket.owner = w.obligations[user].owner;
    ticket.destination = Pubkey::new_from_array([user as u8 + 1; 32]);
    ticket.version = ACCOUNT_VERSION;
    withdrawal_queue::request(&mut a.reserve, &mut ticket, ctokens, now, room)?;
    a.reserve.invariant()?;
    take(&mut w.wallets[user].ctokens[asset], ctokens)?;
    a.tickets.push(Ticket { owner: user, state: ticket, filled: 0 });
    Ok(ticket.seq)
}

/// `fill_withdrawal` of ticket `seq`: refused by pause as a redeem is; accrue; serve it (the head only) within
/// available liquidity, the utilization ceiling and both limiters' room; count the fill against the limiters;
/// pay the owner; close the ticket when done or skipped.
pub fn fill(w: &mut World, asset: usize, seq: u64, usable: bool) -> Result<ServedTicket, Failure> {
    let now = w.now;
    controls::require_allowed(Gate::Redeem, &w.assets[asset].reserve.config, &w.market.config)?;
    let t = w.assets[asset].tickets.iter().position(|t| t.state.seq == seq).ok_or(Failure::NoAccount)?;
    let mut reserve = w.assets[asset].reserve;
    reserve.accrue_interest(now)?;
    let head_before = reserve.queue_head;
    let mut ticket = w.assets[asset].tickets[t].state;
    let served = {
        let w = &*w;
        // The market's room is priced only while its limiter is on, as the instruction does.
        let room = |r: &Reserve| {
            let price = match w.market.config.outflow_window_secs {
                0 => None,
                _ => Some(w.price(asset, PriceUse::Liquidation)?.outflow()),
            };
            controls::outflow_room(r, &w.market, price, now)
        };
        withdrawal_queue::serve(&mut reserve, &mut ticket, usable, room)?
    };
    w.assets[asset].reserve = reserve;
    if let Served::Filled { liquidity, .. } = served {
        record_outflow(w, asset, liquidity)?;
    }
    let a = &mut w.assets[asset];
    a.reserve.invariant()?;
    let owner = a.tickets[t].owner;
    if let Served::Filled { ctokens, liquidity, .. } = served {
        take(&mut a.liquidity_vault, liquidity)?;
        give(&mut w.wallets[owner].liquidity[asset], liquidity);
        a.tickets[t].filled += ctokens;
    }
    a.tickets[t].state = ticket;
    if matches!(served, Served::Skipped | Served::Filled { done: true, .. }) {
        a.tickets.remove(t);
    }
    Ok(ServedTicket { asset, seq, head_before, served })
}

/// `cancel_withdrawal` by `user`: its own ticket only; the unfilled cTokens minted back; the ticket closes at the
/// head or set aside, else waits, cancelled, for the crank. No breaker stops it, and it does not accrue.
pub fn cancel(w: &mut World, user: usize, asset: usize, seq: u64) -> Result<(), Failure> {
    let a = &mut w.assets[asset];
    let t = a.tickets.iter().position(|t| t.state.seq == seq).ok_or(Failure::NoAccount)?;
    if a.tickets[t].owner != user {
        return Err(BallastError::NotTicketOwner.into());
    }
    let mut ticket = a.tickets[t].state;
    let cancelled = withdrawal_queue::cancel(&mut a.reserve, &mut ticket)?;
    a.reserve.invariant()?;
    give(&mut w.wallets[user].ctokens[asset], cancelled.ctokens);
    a.tickets[t].state = ticket;
    if cancelled.close {
        a.tickets.remove(t);
    }
    Ok(())
}
