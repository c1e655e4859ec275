use crate::{error::BallastError, events::AdminChangedEvent, state::Market};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    /// The proposed admin, proving it controls the key.
    pub new_admin: Signer<'info>,
    #[account(mut, constraint = market.load()?.pending_admin == new_admin.key() @ BallastError::NotPendingAdmin)]
    pub market: AccountLoader<'info, Market>,
}

impl AcceptAdmin<'_> {
    /// 1. make the signer admin  2. clear the proposal  3. emit
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let mut market = ctx.accounts.market.load_mut()?;
        let old_admin = market.admin;
        market.admin = ctx.accounts.new_admin.key();
        market.pending_admin = Pubkey::default();
        market.invariant()?;
        emit_cpi!(AdminChangedEvent { market: ctx.accounts.market.key(), old_admin, new_admin: market.admin });
        Ok(())
    }
}
