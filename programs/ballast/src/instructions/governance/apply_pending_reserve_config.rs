use crate::{events::ReserveConfigAppliedEvent, operations::governance, state::Reserve};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct ApplyPendingReserveConfig<'info> {
    #[account(mut)]
    pub reserve: AccountLoader<'info, Reserve>,
}

impl ApplyPendingReserveConfig<'_> {
    /// Permissionless: the timelock, not a signer, is the safeguard.
    /// 1. accrue under the old config  2. apply the pending config once due, validating it again  3. emit
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        reserve.accrue_interest(now)?;
        let old = governance::reserve_slots(&mut reserve).apply_due(now)?;
        reserve.invariant()?;
        emit_cpi!(ReserveConfigAppliedEvent { reserve: ctx.accounts.reserve.key(), old: old.into(), new: reserve.config.into() });
        Ok(())
    }
}
