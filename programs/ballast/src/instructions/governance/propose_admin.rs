use crate::{error::BallastError, events::AdminProposedEvent, state::Market};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct ProposeAdmin<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ BallastError::NotMarketAdmin)]
    pub market: AccountLoader<'info, Market>,
}

impl ProposeAdmin<'_> {
    /// Nothing changes hands until `new_admin` accepts, so a mistyped key cannot lock the market.
    /// 1. record the proposal (default = withdraw it)  2. emit
    pub fn handle(ctx: Context<Self>, new_admin: Pubkey) -> Result<()> {
        let mut market = ctx.accounts.market.load_mut()?;
        market.pending_admin = new_admin;
        market.invariant()?;
        emit_cpi!(AdminProposedEvent { market: ctx.accounts.market.key(), admin: market.admin, pending_admin: new_admin });
        Ok(())
    }
}
