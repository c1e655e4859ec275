use crate::{
    events::CollateralInEvent,
    instructions::shared::*,
    operations::{collateral, controls::Action},
};
use crate::oracle::{Now};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[event_cpi]
#[derive(Accounts)]
pub struct DepositCollateral<'info> {
    pub position: Position<'info>,
    /// cTokens to pledge, owned by `owner`.
    #[account(mut)]
    pub user_ctokens: Box<InterfaceAccount<'info, TokenAccount>>,
}

impl DepositCollateral<'_> {
    /// Passes every circuit breaker: pledging cTokens one holds only lowers risk.
    /// 1. a new position needs a valid price (remaining_accounts[0])  2. record the pledge  3. move cTokens
    /// into the collateral vault  4. emit
    #[access_control(ctx.accounts.position.vaults.require_allowed(Action::PledgeCollateral))]
    pub fn handle(ctx: Context<Self>, ctoken_amount: u64) -> Result<()> {
        let reserve_key = ctx.accounts.position.vaults.reserve.key();
        {
            let reserve = ctx.accounts.position.vaults.reserve.load()?;
            let mut obligation = ctx.accounts.position.obligation.load_mut()?;
            require_price_for_new_collateral(&obligation, &reserve_key, &reserve, ctx.remaining_accounts, Now::get()?)?;
            collateral::pledge(&mut obligation, &reserve_key, &reserve, ctoken_amount)?;
            obligation.invariant()?;
        }
        let a = &ctx.accounts;
        a.position.vaults.pull_collateral(&a.user_ctokens, &a.position.owner, ctoken_amount)?;
        emit_cpi!(CollateralInEvent { obligation: a.position.obligation.key(), reserve: reserve_key, ctoken_amount });
        Ok(())
    }
}
