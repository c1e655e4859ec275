use crate::{error::BallastError, events::ObligationClosedEvent, state::Obligation};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct CloseObligation<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(
        mut,
        has_one = owner @ BallastError::NotObligationOwner,
        constraint = crate::state::known_version(obligation.load()?.version) @ BallastError::UnsupportedAccountVersion,
        close = owner,
    )]
    pub obligation: AccountLoader<'info, Obligation>,
}

impl CloseObligation<'_> {
    fn validate(&self) -> Result<()> {
        require!(self.obligation.load()?.is_empty(), BallastError::ObligationNotEmpty);
        Ok(())
    }

    /// 1. require no positions  2. emit (Anchor closes the account and returns the rent to the owner)
    #[access_control(ctx.accounts.validate())]
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        emit_cpi!(ObligationClosedEvent { obligation: ctx.accounts.obligation.key(), owner: ctx.accounts.owner.key() });
        Ok(())
    }
}
