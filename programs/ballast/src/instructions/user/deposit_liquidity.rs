use crate::{
    events::DepositEvent,
    instructions::shared::*,
    operations::{controls::Action, deposit},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[event_cpi]
#[derive(Accounts)]
pub struct DepositLiquidity<'info> {
    pub owner: Signer<'info>,
    pub vaults: ReserveVaults<'info>,
    /// Source of the liquidity, owned by `owner`.
    #[account(mut)]
    pub user_liquidity: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Receives the minted cTokens.
    #[account(mut)]
    pub user_ctokens: Box<InterfaceAccount<'info, TokenAccount>>,
}

impl DepositLiquidity<'_> {
    /// 0. circuit breakers  1. accrue  2. price the cTokens (rounded down), credit the reserve's net outflow window
    /// 3. pull liquidity, mint cTokens  4. reconcile, emit
    #[access_control(ctx.accounts.vaults.require_allowed(Action::Deposit))]
    pub fn handle(ctx: Context<Self>, liquidity_amount: u64) -> Result<()> {
        let ctoken_amount = {
            let mut reserve = ctx.accounts.vaults.reserve.load_mut()?;
            let now = Clock::get()?.unix_timestamp;
            reserve.accrue_interest(now)?;
            let minted = deposit::deposit_liquidity(&mut reserve, liquidity_amount)?;
            record_inflow(&ctx.accounts.vaults.market, &mut reserve, liquidity_amount, now)?;
            reserve.invariant()?;
            minted
        };
        let a = &ctx.accounts;
        a.vaults.pull_liquidity(&a.user_liquidity, &a.owner, liquidity_amount)?;
        a.vaults.mint_ctokens(a.user_ctokens.to_account_info(), ctoken_amount)?;
        ctx.accounts.vaults.reconcile()?;
        emit_cpi!(DepositEvent {
            reserve: ctx.accounts.vaults.reserve.key(),
            user: ctx.accounts.owner.key(),
            liquidity_amount,
            ctoken_amount,
        });
        Ok(())
    }
}
