use super::destination_usable;
use crate::{
    error::BallastError,
    events::WithdrawalServedEvent,
    instructions::shared::*,
    operations::{
        controls::{self, Action},
        withdrawal_queue::{self, Served},
    },
    oracle::{load_reserve_price, trailing_secondary, Now, PriceUse},
    state::{Market, WithdrawalTicket},
};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct FillWithdrawal<'info> {
    pub vaults: ReserveVaults<'info>,
    /// The ticket at the head of the queue.
    #[account(
        mut,
        constraint = crate::state::known_version(ticket.load()?.version) @ BallastError::UnsupportedAccountVersion,
        constraint = ticket.load()?.reserve == vaults.reserve.key() @ BallastError::TicketReserveMismatch,
    )]
    pub ticket: AccountLoader<'info, WithdrawalTicket>,
    /// CHECK: the ticket's destination, by address; whether a fill can pay into it is checked in the handler.
    #[account(mut, address = ticket.load()?.destination @ BallastError::WithdrawalDestinationInvalid)]
    pub destination: UncheckedAccount<'info>,
    /// CHECK: the ticket's owner, by address: receives the ticket's rent when it closes (the reserve does when the
    /// owner has become an executable account, which cannot be credited).
    #[account(mut, address = ticket.load()?.owner @ BallastError::NotTicketOwner)]
    pub owner: UncheckedAccount<'info>,
    /// The vaults' market again, writable: a fill counts against its quote outflow limit, as a redeem does.
    #[account(mut, address = vaults.market.key() @ BallastError::ReserveMarketMismatch)]
    pub market: AccountLoader<'info, Market>,
    /// The reserve's primary price account, read only when the market outflow limiter is on; its secondary,
    /// when configured, may follow as the one remaining account (the oracle sources module).
    /// CHECK: address-checked against the reserve's oracle config in `record_outflow`.
    pub price: UncheckedAccount<'info>,
}

impl<'info> FillWithdrawal<'info> {
    /// Permissionless. A fill is an outflow like a redeem: the circuit breakers that stop a redeem stop it
    /// (pause; reduce-only and emergency do not), and it takes no more than leaves the reserve within its
    /// utilization ceiling and both outflow limiters allow, counting against them.
    ///
    /// 1. accrue  2. serve the head ticket: skip it if cancelled, set it aside if its destination cannot be paid,
    /// else fill what a redeem could take now at today's exchange rate  3. count the fill against the outflow
    /// limiters  4. pay the destination  5. close the ticket when done (rent to its owner, or to the reserve when
    /// the owner cannot take it)  6. reconcile, emit
    #[access_control(ctx.accounts.vaults.require_allowed(Action::Redeem))]
    pub fn handle(ctx: Context<'info, Self>) -> Result<()> {
        let clock = Now::get()?;
        let now = clock.ts;
        let a = &ctx.accounts;
        let (reserve_key, ticket_key) = (a.vaults.reserve.key(), a.ticket.key());
        let usable = destination_usable(&a.destination, &a.vaults.token_program.key(), &a.vaults.liquidity_mint.key(), &a.owner.key());
        let (served, seq) = {
            let mut reserve = a.vaults.reserve.load_mut()?;
            reserve.accrue_interest(now)?;
            let prices = trailing_secondary(&a.price, ctx.remaining_accounts, &reserve.config)?;
            require_keys_eq!(a.price.key(), reserve.config.oracle.price_account, BallastError::OracleAccountMismatch);
            let mut ticket = a.ticket.load_mut()?;
            let room = |reserve: &crate::state::Reserve| {
                let market = a.market.load()?;
                let price = match market.config.outflow_window_secs {
                    0 => None,
                    _ => Some(load_reserve_price(prices, &reserve.config, clock, PriceUse::Liquidation)?.outflow()),
                };
                controls::outflow_room(reserve, &market, price, now)
            };
            let served = withdrawal_queue::serve(&mut reserve, &mut ticket, usable, room)?;
            if let Served::Filled { liquidity, .. } = served {
                record_outflow(&a.market, &mut reserve, prices, liquidity, clock)?;
            }
            reserve.invariant()?;
            (served, ticket.seq)
        };
        if let Served::Filled { liquidity, .. } = served {
            a.vaults.push_liquidity(a.destination.to_account_info(), liquidity)?;
        }
        if matches!(served, Served::Skipped | Served::Filled { done: true, .. }) {
            // An owner that has become a program (deployed at its address since) may not be creditable: without
            // SIMD-0162 the runtime refuses any change to an executable account's balance, and the queue would
            // stall behind this ticket. Its rent stays with the reserve instead.
            let rent_to = if a.owner.executable { a.vaults.reserve.to_account_info() } else { a.owner.to_account_info() };
            a.ticket.close(rent_to)?;
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
