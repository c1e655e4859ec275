use crate::{
    error::BallastError,
    events::ElevationGroupSetEvent,
    instructions::shared::*,
    oracle::PriceUse,
    state::{Market, Obligation},
};
use crate::oracle::{Now};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct SetElevationGroup<'info> {
    pub owner: Signer<'info>,
    pub market: AccountLoader<'info, Market>,
    #[account(
        mut,
        has_one = owner @ BallastError::NotObligationOwner,
        has_one = market @ BallastError::ObligationMarketMismatch,
    )]
    pub obligation: AccountLoader<'info, Obligation>,
}

impl<'info> SetElevationGroup<'info> {
    /// Opts the obligation into elevation group `id` (0 = leave). Remaining accounts: one health group (reserve, primary price[, secondary price])
    /// pair per position, as for borrow. 1. the group must be configured  2. every collateral must be a
    /// member and the only debt the group's debt reserve  3. health under the new parameters  4. emit
    pub fn handle(ctx: Context<'info, Self>, id: u8) -> Result<()> {
        let clock = Now::get()?;
        let group = if id == 0 {
            None
        } else {
            let market = ctx.accounts.market.load()?;
            Some(*market.elevation_group(id).ok_or(BallastError::ElevationGroupInvalid)?)
        };
        let mut obligation = ctx.accounts.obligation.load_mut()?;
        let old_id = std::mem::replace(&mut obligation.elevation_group, id);
        let market_key = ctx.accounts.market.key();
        let health = compute_health(&obligation, &market_key, group.as_ref(), ctx.remaining_accounts, &[], clock, PriceUse::Risk)?;
        require!(health.within_borrow_power(), BallastError::ElevationGroupChangeUnhealthy);
        obligation.invariant()?;
        emit_cpi!(ElevationGroupSetEvent { obligation: ctx.accounts.obligation.key(), old_id, id });
        Ok(())
    }
}
