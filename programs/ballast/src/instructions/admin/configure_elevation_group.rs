use crate::{
    error::BallastError,
    events::{ElevationGroupCancelledEvent, ElevationGroupConfiguredEvent},
    operations::governance,
    state::{ElevationGroup, Market, Reserve},
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ConfigureElevationGroupArgs {
    /// Group id, 1..=16.
    pub id: u8,
    pub ltv_bps: u16,
    pub liquidation_threshold_bps: u16,
    pub max_liquidation_bonus_bps: u16,
}

impl ConfigureElevationGroupArgs {
    /// The group these arguments describe, borrowing only from `debt_reserve`.
    pub fn group(&self, debt_reserve: Pubkey) -> ElevationGroup {
        ElevationGroup {
            debt_reserve,
            ltv_bps: self.ltv_bps,
            liquidation_threshold_bps: self.liquidation_threshold_bps,
            max_liquidation_bonus_bps: self.max_liquidation_bonus_bps,
            padding: 0,
        }
    }
}

#[event_cpi]
#[derive(Accounts)]
pub struct ConfigureElevationGroup<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ BallastError::NotMarketAdmin)]
    pub market: AccountLoader<'info, Market>,
    /// The one reserve the group's obligations may borrow.
    #[account(has_one = market @ BallastError::ReserveMarketMismatch)]
    pub debt_reserve: AccountLoader<'info, Reserve>,
}

impl ConfigureElevationGroup<'_> {
    /// Tightens an existing group at once. Creating a group, or loosening one, raises the LTV of every member
    /// reserve, so it goes through `queue_elevation_group` and waits the timelock. Which reserves are members
    /// is part of each reserve's config, so joining a group waits the reserve-config timelock.
    /// 1. validate id and parameters  2. refuse creating or loosening  3. store (dropping a pending change of
    /// this group)  4. emit
    pub fn handle(ctx: Context<Self>, args: ConfigureElevationGroupArgs) -> Result<()> {
        let group = args.group(ctx.accounts.debt_reserve.key());
        let market_key = ctx.accounts.market.key();
        let mut market = ctx.accounts.market.load_mut()?;
        let old = market.elevation_group(args.id).copied().unwrap_or_default();
        let pending = market.pending_elevation_group;
        let dropped = governance::tighten_elevation_group(&mut market, args.id, group)?;
        market.invariant()?;
        if dropped {
            emit_cpi!(ElevationGroupCancelledEvent { market: market_key, id: args.id, dropped: pending.into(), signer: ctx.accounts.admin.key() });
        }
        emit_cpi!(ElevationGroupConfiguredEvent { market: market_key, id: args.id, old: old.into(), group: group.into() });
        Ok(())
    }
}
