use crate::{events::MarketConfigCancelledEvent, operations::governance, state::Market};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct CancelPendingMarketConfig<'info> {
    /// The admin, or the risk council: cancelling is a brake, never an accelerator.
    pub authority: Signer<'info>,
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
}

impl CancelPendingMarketConfig<'_> {
    /// 1. the signer is the admin or the risk council  2. drop the pending config  3. emit
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let signer = ctx.accounts.authority.key();
        let mut market = ctx.accounts.market.load_mut()?;
        let by_admin = governance::require_admin_or_council(&market, &signer)?;
        let apply_ts = market.pending_config_apply_ts;
        let dropped = governance::market_slots(&mut market).cancel()?;
        market.invariant()?;
        emit_cpi!(MarketConfigCancelledEvent { market: ctx.accounts.market.key(), signer, by_admin, dropped: dropped.into(), apply_ts });
        Ok(())
    }
}
