use super::destination_usable;
use crate::{
    constants::ACCOUNT_VERSION,
    error::BallastError,
    events::WithdrawalRequestedEvent,
    instructions::shared::*,
    math,
    operations::{controls::{self, Action}, withdrawal_queue},
    oracle::{load_reserve_price, market_value, trailing_secondary, Now, PriceUse, Side},
    seeds,
    state::WithdrawalTicket,
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[event_cpi]
#[derive(Accounts)]
#[instruction(ctoken_amount: u64, seq: u64)]
pub struct RequestWithdrawal<'info> {
    /// Queues its cTokens and pays the ticket's rent (returned when the ticket closes).
    #[account(mut)]
    pub owner: Signer<'info>,
    pub vaults: ReserveVaults<'info>,
    /// cTokens to queue, owned by `owner`: burned now, paid out in liquidity as the queue reaches them.
    #[account(mut)]
    pub user_ctokens: Box<InterfaceAccount<'info, TokenAccount>>,
    /// CHECK: where every fill pays: checked in the handler to be the owner's token account of the liquidity mint.
    pub destination: UncheckedAccount<'info>,
    /// The reserve again, at the top level: the ticket's seeds name it here so that clients generated from the
    /// IDL derive the ticket themselves (Anchor's and Codama's resolvers cannot follow a seed into a composite).
    /// CHECK: must be the reserve of `vaults`; a duplicate account costs one byte in the transaction.
    #[account(constraint = reserve.key() == vaults.reserve.key() @ BallastError::WithdrawalReserveMismatch)]
    pub reserve: UncheckedAccount<'info>,
    /// CHECK: the ticket PDA [TICKET, reserve, seq], created here; `seq` must be the queue's tail.
    #[account(mut, seeds = [seeds::TICKET, reserve.key().as_ref(), &seq.to_le_bytes()], bump)]
    pub ticket: UncheckedAccount<'info>,
    /// The reserve's primary price account: the ticket must be worth the dust threshold. Its secondary, when
    /// configured, may follow as the one remaining account (the oracle sources module).
    /// CHECK: checked against the reserve's oracle config in `load_reserve_price`.
    pub price: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl<'info> RequestWithdrawal<'info> {
    /// Only for when a redeem cannot be met (liquidity lent out, reserved for tickets ahead, the utilization
    /// ceiling, the outflow limiters); allowed wherever a redeem is (pause stops it, reduce-only and emergency
    /// do not).
    ///
    /// 1. accrue  2. check the destination, the sequence number and the minimum value  3. refuse when a redeem
    /// could be met now  4. create the ticket at the tail  5. burn the cTokens (they stay in the reserve's supply,
    /// earning, until filled)  6. emit
    #[access_control(ctx.accounts.vaults.require_allowed(Action::Redeem))]
    pub fn handle(ctx: Context<'info, Self>, ctoken_amount: u64, seq: u64) -> Result<()> {
        let clock = Now::get()?;
        let now = clock.ts;
        let a = &ctx.accounts;
        let (reserve_key, owner_key, destination_key) = (a.vaults.reserve.key(), a.owner.key(), a.destination.key());
        let usable = destination_usable(&a.destination, &a.vaults.token_program.key(), &a.vaults.liquidity_mint.key(), &owner_key);
        require!(usable, BallastError::WithdrawalDestinationInvalid);
        let bump = ctx.bumps.ticket;
        {
            let mut reserve = a.vaults.reserve.load_mut()?;
            reserve.accrue_interest(now)?;
            require!(seq == reserve.queue_tail, BallastError::WithdrawalTicketNotNext);
            let prices = trailing_secondary(&a.price, ctx.remaining_accounts, &reserve.config)?;
            let price = load_reserve_price(prices, &reserve.config, clock, PriceUse::Liquidation)?;
            let liquidity = reserve.ctokens_to_liquidity(ctoken_amount)?;
            let market = a.vaults.market.load()?;
            let dust = math::from_u64(market.config.dust_threshold_quote);
            require!(market_value(liquidity, reserve.liquidity_decimals, price.spot(Side::Collateral))? >= dust, BallastError::WithdrawalTicketTooSmall);
            let (outflow_room, _) = controls::outflow_room(&reserve, &market, Some(price.outflow()), now)?;
            drop(market);
            let seq_bytes = seq.to_le_bytes();
            let ticket_seeds: &[&[u8]] = &[seeds::TICKET, reserve_key.as_ref(), &seq_bytes, &[bump]];
            create_zero_copy(&a.owner, &a.ticket, &a.system_program, ticket_seeds, |ticket: &mut WithdrawalTicket| {
                ticket.reserve = reserve_key;
                ticket.owner = owner_key;
                ticket.destination = destination_key;
                ticket.bump = bump;
                ticket.version = ACCOUNT_VERSION;
                withdrawal_queue::request(&mut reserve, ticket, ctoken_amount, now, outflow_room)
            })?;
            reserve.invariant()?;
        }
        a.vaults.burn_user_ctokens(&a.user_ctokens, &a.owner, ctoken_amount)?;
        emit_cpi!(WithdrawalRequestedEvent { reserve: reserve_key, ticket: a.ticket.key(), owner: owner_key, seq, ctoken_amount });
        Ok(())
    }
}
