use crate::{
    error::BallastError,
    events::WithdrawalCancelledEvent,
    instructions::shared::*,
    operations::withdrawal_queue,
    state::WithdrawalTicket,
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[event_cpi]
#[derive(Accounts)]
pub struct CancelWithdrawal<'info> {
    /// The ticket's owner; receives the rent when the ticket closes.
    #[account(mut)]
    pub owner: Signer<'info>,
    pub vaults: ReserveVaults<'info>,
    #[account(
        mut,
        has_one = owner @ BallastError::NotTicketOwner,
        constraint = crate::state::known_version(ticket.load()?.version) @ BallastError::UnsupportedAccountVersion,
        constraint = ticket.load()?.reserve == vaults.reserve.key() @ BallastError::TicketReserveMismatch,
    )]
    pub ticket: AccountLoader<'info, WithdrawalTicket>,
    /// Receives the unfilled cTokens, minted back.
    #[account(mut)]
    pub user_ctokens: Box<InterfaceAccount<'info, TokenAccount>>,
}

impl CancelWithdrawal<'_> {
    /// Never refused by a circuit breaker: it only gives the owner back what is theirs.
    ///
    /// 1. take the unfilled cTokens off the queue (or off the set-aside pile)  2. mint them back to the owner
    /// 3. close the ticket when it is at the head or set aside (else it waits, cancelled, for the crank)  4. emit
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let reserve_key = ctx.accounts.vaults.reserve.key();
        let ticket_key = ctx.accounts.ticket.key();
        let (cancelled, seq) = {
            let mut reserve = ctx.accounts.vaults.reserve.load_mut()?;
            let mut ticket = ctx.accounts.ticket.load_mut()?;
            let cancelled = withdrawal_queue::cancel(&mut reserve, &mut ticket)?;
            reserve.invariant()?;
            (cancelled, ticket.seq)
        };
        let a = &ctx.accounts;
        if cancelled.ctokens > 0 {
            a.vaults.mint_ctokens(a.user_ctokens.to_account_info(), cancelled.ctokens)?;
        }
        if cancelled.close {
            a.ticket.close(a.owner.to_account_info())?;
        }
        emit_cpi!(WithdrawalCancelledEvent { reserve: reserve_key, ticket: ticket_key, seq, ctoken_amount: cancelled.ctokens, closed: cancelled.close });
        Ok(())
    }
}
