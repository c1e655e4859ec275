use crate::{events::RedeemEvent, instructions::shared::*, operations::deposit};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[derive(Accounts)]
pub struct RedeemCollateral<'info> {
    pub owner: Signer<'info>,
    pub vaults: ReserveVaults<'info>,
    /// Receives the liquidity.
    #[account(mut)]
    pub user_liquidity: Box<InterfaceAccount<'info, TokenAccount>>,
    /// cTokens to burn, owned by `owner`.
    #[account(mut)]
    pub user_ctokens: Box<InterfaceAccount<'info, TokenAccount>>,
}

impl RedeemCollateral<'_> {
    /// 1. accrue  2. price the liquidity (rounded down)  3. burn cTokens, pay liquidity  4. reconcile, emit
    pub fn handle(ctx: Context<Self>, ctoken_amount: u64) -> Result<()> {
        let liquidity_amount = {
            let mut reserve = ctx.accounts.vaults.reserve.load_mut()?;
            reserve.accrue_interest(Clock::get()?.unix_timestamp)?;
            let paid = deposit::redeem_ctokens(&mut reserve, ctoken_amount)?;
            reserve.invariant()?;
            paid
        };
        let a = &ctx.accounts;
        a.vaults.burn_user_ctokens(&a.user_ctokens, &a.owner, ctoken_amount)?;
        a.vaults.push_liquidity(a.user_liquidity.to_account_info(), liquidity_amount)?;
        ctx.accounts.vaults.reconcile()?;
        emit!(RedeemEvent {
            reserve: ctx.accounts.vaults.reserve.key(),
            user: ctx.accounts.owner.key(),
            ctoken_amount,
            liquidity_amount,
        });
        Ok(())
    }
}
