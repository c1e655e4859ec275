use crate::{
    error::BallastError,
    events::ElevationGroupConfiguredEvent,
    state::{ElevationGroup, Market, Reserve, MAX_ELEVATION_GROUPS},
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
    /// Creates a group, or changes one only in ways that tighten it. Which reserves are members is part
    /// of each reserve's config, so widening a group's reach goes through the reserve-config timelock.
    /// 1. validate id and parameters  2. refuse loosening an existing group  3. store  4. emit
    pub fn handle(ctx: Context<Self>, args: ConfigureElevationGroupArgs) -> Result<()> {
        require!((1..=MAX_ELEVATION_GROUPS as u8).contains(&args.id), BallastError::ElevationGroupInvalid);
        let group = ElevationGroup {
            debt_reserve: ctx.accounts.debt_reserve.key(),
            ltv_bps: args.ltv_bps,
            liquidation_threshold_bps: args.liquidation_threshold_bps,
            max_liquidation_bonus_bps: args.max_liquidation_bonus_bps,
            padding: 0,
        };
        group.validate()?;
        let mut market = ctx.accounts.market.load_mut()?;
        if let Some(existing) = market.elevation_group(args.id) {
            require!(!existing.loosens_to(&group), BallastError::ConfigChangeLoosens);
        }
        market.elevation_groups[args.id as usize - 1] = group;
        market.invariant()?;
        emit!(ElevationGroupConfiguredEvent {
            market: ctx.accounts.market.key(),
            id: args.id,
            debt_reserve: group.debt_reserve,
            ltv_bps: group.ltv_bps,
            liquidation_threshold_bps: group.liquidation_threshold_bps,
            max_liquidation_bonus_bps: group.max_liquidation_bonus_bps,
        });
        Ok(())
    }
}
