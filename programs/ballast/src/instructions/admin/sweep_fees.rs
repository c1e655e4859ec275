use crate::{
    error::BallastError,
    events::FeesSweptEvent,
    instructions::shared::*,
    operations::fees,
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

#[event_cpi]
#[derive(Accounts)]
pub struct SweepFees<'info> {
    #[account(constraint = vaults.market.load()?.admin == admin.key() @ BallastError::NotMarketAdmin)]
    pub admin: Signer<'info>,
    pub vaults: ReserveVaults<'info>,
    #[account(mut, address = vaults.reserve.load()?.fee_vault @ BallastError::InvalidFeeVault)]
    pub fee_vault: Box<InterfaceAccount<'info, TokenAccount>>,
}

impl SweepFees<'_> {
    /// 1. accrue  2. take the whole-unit fees the vault can pay  3. transfer them to the fee vault  4. emit
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let liquidity_amount = {
            let mut reserve = ctx.accounts.vaults.reserve.load_mut()?;
            reserve.accrue_interest(Clock::get()?.unix_timestamp)?;
            let amount = fees::sweep_fees(&mut reserve)?;
            reserve.invariant()?;
            amount
        };
        let a = &ctx.accounts;
        a.vaults.push_liquidity(a.fee_vault.to_account_info(), liquidity_amount)?;
        ctx.accounts.vaults.reconcile()?;
        emit_cpi!(FeesSweptEvent { reserve: ctx.accounts.vaults.reserve.key(), liquidity_amount });
        Ok(())
    }
}
