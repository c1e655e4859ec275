use crate::{constants::ACCOUNT_VERSION, events::ObligationInitializedEvent, seeds, state::{Market, Obligation}};
use anchor_lang::prelude::*;

#[derive(Accounts)]
#[instruction(id: u8)]
pub struct InitObligation<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    pub market: AccountLoader<'info, Market>,
    #[account(
        init, payer = owner, space = Obligation::SPACE,
        seeds = [seeds::OBLIGATION, market.key().as_ref(), owner.key().as_ref(), &[id]], bump,
    )]
    pub obligation: AccountLoader<'info, Obligation>,
    pub system_program: Program<'info, System>,
}

impl InitObligation<'_> {
    /// 1. write owner, market, id  2. emit
    pub fn handle(ctx: Context<Self>, id: u8) -> Result<()> {
        let mut obligation = ctx.accounts.obligation.load_init()?;
        obligation.market = ctx.accounts.market.key();
        obligation.owner = ctx.accounts.owner.key();
        obligation.id = id;
        obligation.bump = ctx.bumps.obligation;
        obligation.version = ACCOUNT_VERSION;
        emit!(ObligationInitializedEvent { obligation: ctx.accounts.obligation.key(), owner: obligation.owner, id });
        Ok(())
    }
}
