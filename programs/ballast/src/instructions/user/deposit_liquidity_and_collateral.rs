use crate::{
    error::BallastError,
    events::{CollateralInEvent, DepositEvent},
    instructions::shared::*,
    operations::{collateral, deposit},
    state::Obligation,
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[derive(Accounts)]
pub struct DepositLiquidityAndCollateral<'info> {
    pub owner: Signer<'info>,
    pub vaults: ReserveVaults<'info>,
    #[account(
        mut,
        has_one = owner @ BallastError::NotObligationOwner,
        constraint = obligation.load()?.market == vaults.market.key() @ BallastError::ObligationMarketMismatch,
    )]
    pub obligation: AccountLoader<'info, Obligation>,
    /// Source of the liquidity, owned by `owner`.
    #[account(mut)]
    pub user_liquidity: Box<InterfaceAccount<'info, TokenAccount>>,
}

impl DepositLiquidityAndCollateral<'_> {
    /// 1. accrue  2. deposit (cTokens rounded down) and pledge them  3. pull liquidity, mint cTokens
    /// straight into the collateral vault  4. reconcile, emit both events
    pub fn handle(ctx: Context<Self>, liquidity_amount: u64) -> Result<()> {
        let reserve_key = ctx.accounts.vaults.reserve.key();
        let ctoken_amount = {
            let mut reserve = ctx.accounts.vaults.reserve.load_mut()?;
            reserve.accrue_interest(Clock::get()?.unix_timestamp)?;
            let minted = deposit::deposit_liquidity(&mut reserve, liquidity_amount)?;
            let mut obligation = ctx.accounts.obligation.load_mut()?;
            collateral::pledge(&mut obligation, &reserve_key, &reserve, minted)?;
            obligation.invariant()?;
            reserve.invariant()?;
            minted
        };
        let a = &ctx.accounts;
        a.vaults.pull_liquidity(&a.user_liquidity, &a.owner, liquidity_amount)?;
        a.vaults.mint_ctokens(a.vaults.collateral_vault.to_account_info(), ctoken_amount)?;
        ctx.accounts.vaults.reconcile()?;
        let a = &ctx.accounts;
        emit!(DepositEvent { reserve: reserve_key, user: a.owner.key(), liquidity_amount, ctoken_amount });
        emit!(CollateralInEvent { obligation: a.obligation.key(), reserve: reserve_key, ctoken_amount });
        Ok(())
    }
}
