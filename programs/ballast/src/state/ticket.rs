//! A withdrawal ticket: a depositor's place in a reserve's FIFO withdrawal queue.
use anchor_lang::prelude::*;

/// Waiting in the queue: its cTokens claim liquidity ahead of new borrows and redeems.
pub const TICKET_QUEUED: u8 = 0;
/// Passed over because its destination was unusable when the queue reached it; its owner may cancel it.
pub const TICKET_SET_ASIDE: u8 = 1;
/// Cancelled while others were ahead of it; the crank closes it when the queue reaches it.
pub const TICKET_CANCELLED: u8 = 2;

/// PDA [TICKET, reserve, seq (u64 little-endian)]. The cTokens it holds were burned from the mint when it was
/// requested and are still counted in the reserve's `ctoken_supply`, so they earn until filled; a fill pays
/// liquidity at the exchange rate of the fill.
#[account(zero_copy)]
#[repr(C)]
pub struct WithdrawalTicket {
    /// Reserve whose queue this ticket is in.
    pub reserve: Pubkey,
    /// Who requested it: may cancel it, and receives its rent when it closes.
    pub owner: Pubkey,
    /// Liquidity token account every fill pays into (the owner's, of the reserve's mint, when requested).
    pub destination: Pubkey,
    /// Place in the queue: tickets are served in increasing `seq`, one at a time.
    pub seq: u64,
    /// cTokens not yet filled.
    pub ctoken_amount: u64,
    /// cTokens when requested.
    pub requested_ctokens: u64,
    /// When requested, unix seconds.
    pub requested_ts: i64,
    /// TICKET_QUEUED, TICKET_SET_ASIDE or TICKET_CANCELLED.
    pub status: u8,
    /// Bump of the ticket PDA.
    pub bump: u8,
    /// Layout version.
    pub version: u8,
    pub padding: [u8; 5],
}

const _: () = assert!(core::mem::size_of::<WithdrawalTicket>() == 136);

impl WithdrawalTicket {
    pub const SPACE: usize = 8 + core::mem::size_of::<WithdrawalTicket>();
}
