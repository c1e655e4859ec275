use crate::{events::MarketConfigAppliedEvent, operations::governance, state::Market};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct ApplyPendingMarketConfig<'info> {
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
}

impl ApplyPendingMarketConfig<'_> {
    /// Permissionless: the timelock, not a signer, is the safeguard.
    /// 1. apply the pending config once due, validating it again  2. emit
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let mut market = ctx.accounts.market.load_mut()?;
        let old = governance::market_slots(&mut market).apply_due(Clock::get()?.unix_timestamp)?;
        market.invariant()?;
        emit_cpi!(MarketConfigAppliedEvent { market: ctx.accounts.market.key(), old: old.into(), new: market.config.into() });
        Ok(())
    }
}
