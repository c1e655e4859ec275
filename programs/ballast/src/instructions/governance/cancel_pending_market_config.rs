use crate::{error::BallastError, events::ConfigCancelledEvent, operations::governance, state::Market};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct CancelPendingMarketConfig<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ BallastError::NotMarketAdmin)]
    pub market: AccountLoader<'info, Market>,
}

impl CancelPendingMarketConfig<'_> {
    /// 1. drop the pending config  2. emit
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let mut market = ctx.accounts.market.load_mut()?;
        governance::market_slots(&mut market).cancel()?;
        market.invariant()?;
        emit!(ConfigCancelledEvent { target: ctx.accounts.market.key(), by_admin: true });
        Ok(())
    }
}
