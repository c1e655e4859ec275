use crate::{
    events::{CollateralInEvent, DepositEvent},
    instructions::shared::*,
    operations::{collateral, controls::Action, deposit},
};
use crate::oracle::{Now};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[event_cpi]
#[derive(Accounts)]
pub struct DepositLiquidityAndCollateral<'info> {
    pub position: Position<'info>,
    /// Source of the liquidity, owned by `owner`.
    #[account(mut)]
    pub user_liquidity: Box<InterfaceAccount<'info, TokenAccount>>,
}

impl DepositLiquidityAndCollateral<'_> {
    /// 1. accrue  2. deposit (cTokens rounded down, credited to the reserve's net outflow window) and pledge them; a new position needs a valid price
    /// (remaining_accounts[0])  3. pull liquidity, mint cTokens straight into the collateral vault
    /// 4. reconcile, emit both events
    #[access_control(ctx.accounts.position.vaults.require_allowed(Action::Deposit))]
    pub fn handle(ctx: Context<Self>, liquidity_amount: u64) -> Result<()> {
        let reserve_key = ctx.accounts.position.vaults.reserve.key();
        let ctoken_amount = {
            let clock = Now::get()?;
            let now = clock.ts;
            let mut reserve = ctx.accounts.position.vaults.reserve.load_mut()?;
            reserve.accrue_interest(now)?;
            let minted = deposit::deposit_liquidity(&mut reserve, liquidity_amount)?;
            record_inflow(&ctx.accounts.position.vaults.market, &mut reserve, liquidity_amount, now)?;
            let mut obligation = ctx.accounts.position.obligation.load_mut()?;
            require_price_for_new_collateral(&obligation, &reserve_key, &reserve, ctx.remaining_accounts, clock)?;
            collateral::pledge(&mut obligation, &reserve_key, &reserve, minted)?;
            obligation.invariant()?;
            reserve.invariant()?;
            minted
        };
        let a = &ctx.accounts;
        a.position.vaults.pull_liquidity(&a.user_liquidity, &a.position.owner, liquidity_amount)?;
        a.position.vaults.mint_ctokens(a.position.vaults.collateral_vault.to_account_info(), ctoken_amount)?;
        ctx.accounts.position.vaults.reconcile()?;
        let a = &ctx.accounts;
        emit_cpi!(DepositEvent { reserve: reserve_key, user: a.position.owner.key(), liquidity_amount, ctoken_amount });
        emit_cpi!(CollateralInEvent { obligation: a.position.obligation.key(), reserve: reserve_key, ctoken_amount });
        Ok(())
    }
}
