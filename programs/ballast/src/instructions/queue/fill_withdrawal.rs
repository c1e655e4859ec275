use super::destination_usable;
use crate::{
    error::BallastError,
    events::WithdrawalServedEvent,
    instructions::shared::*,
    operations::withdrawal_queue::{self, Served},
    state::WithdrawalTicket,
};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct FillWithdrawal<'info> {
    pub vaults: ReserveVaults<'info>,
    /// The ticket at the head of the queue.
    #[account(mut, constraint = ticket.load()?.reserve == vaults.reserve.key() @ BallastError::TicketReserveMismatch)]
    pub ticket: AccountLoader<'info, WithdrawalTicket>,
    /// CHECK: the ticket's destination, by address; whether a fill can pay into it is checked in the handler.
    #[account(mut, address = ticket.load()?.destination @ BallastError::WithdrawalDestinationInvalid)]
    pub destination: UncheckedAccount<'info>,
    /// CHECK: the ticket's owner, by address: receives the ticket's rent when it closes.
    #[account(mut, address = ticket.load()?.owner @ BallastError::NotTicketOwner)]
    pub owner: UncheckedAccount<'info>,
}

impl FillWithdrawal<'_> {
    /// Permissionless and never refused by a circuit breaker: it only pays depositors who are owed.
    ///
    /// 1. accrue  2. serve the head ticket: skip it if cancelled, set it aside if its destination cannot be paid,
    /// else fill what available liquidity allows at today's exchange rate  3. pay the destination  4. close the
    /// ticket when done (rent to its owner)  5. reconcile, emit
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let a = &ctx.accounts;
        let (reserve_key, ticket_key) = (a.vaults.reserve.key(), a.ticket.key());
        let usable = destination_usable(&a.destination, &a.vaults.token_program.key(), &a.vaults.liquidity_mint.key(), &a.owner.key());
        let (served, seq) = {
            let mut reserve = a.vaults.reserve.load_mut()?;
            reserve.accrue_interest(now)?;
            let mut ticket = a.ticket.load_mut()?;
            let served = withdrawal_queue::serve(&mut reserve, &mut ticket, usable)?;
            reserve.invariant()?;
            (served, ticket.seq)
        };
        if let Served::Filled { liquidity, .. } = served {
            a.vaults.push_liquidity(a.destination.to_account_info(), liquidity)?;
        }
        if matches!(served, Served::Skipped | Served::Filled { done: true, .. }) {
            a.ticket.close(a.owner.to_account_info())?;
        }
        ctx.accounts.vaults.reconcile()?;
        let (ctoken_amount, liquidity_amount) = match served {
            Served::Filled { ctokens, liquidity, .. } => (ctokens, liquidity),
            _ => (0, 0),
        };
        let set_aside = served == Served::SetAside;
        emit_cpi!(WithdrawalServedEvent { reserve: reserve_key, ticket: ticket_key, seq, ctoken_amount, liquidity_amount, set_aside });
        Ok(())
    }
}
