use crate::{
    error::BallastError,
    events::FeesWithdrawnEvent,
    instructions::shared::sign_as_authority,
    state::{Market, Reserve},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, Mint, TokenAccount, TokenInterface, TransferChecked};

#[event_cpi]
#[derive(Accounts)]
pub struct WithdrawFees<'info> {
    pub admin: Signer<'info>,
    #[account(
        has_one = admin @ BallastError::NotMarketAdmin,
        constraint = crate::state::known_version(market.load()?.version) @ BallastError::UnsupportedAccountVersion,
    )]
    pub market: AccountLoader<'info, Market>,
    /// CHECK: the market's authority PDA (derived with the stored bump); signs for the fee vault.
    #[account(address = market.load()?.authority_address(&market.key())? @ BallastError::InvalidMarketAuthority)]
    pub market_authority: UncheckedAccount<'info>,
    #[account(
        has_one = market @ BallastError::ReserveMarketMismatch,
        has_one = liquidity_mint @ BallastError::InvalidLiquidityMint,
        has_one = fee_vault @ BallastError::InvalidFeeVault,
        has_one = token_program @ BallastError::InvalidTokenProgram,
        constraint = crate::state::known_version(reserve.load()?.version) @ BallastError::UnsupportedAccountVersion,
    )]
    pub reserve: AccountLoader<'info, Reserve>,
    pub liquidity_mint: Box<InterfaceAccount<'info, Mint>>,
    /// The reserve's fee vault: the only account this instruction takes tokens from.
    #[account(mut)]
    pub fee_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Any token account of the liquidity mint but the reserve's own liquidity vault.
    #[account(
        mut,
        constraint = receiver.mint == liquidity_mint.key() @ BallastError::InvalidLiquidityMint,
        constraint = receiver.key() != reserve.load()?.liquidity_vault @ BallastError::InvalidLiquidityVault,
    )]
    pub receiver: Box<InterfaceAccount<'info, TokenAccount>>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl WithdrawFees<'_> {
    /// Swept fees are the protocol's: they left depositors' accounting when `sweep_fees` moved them, so this
    /// touches no reserve state. Its only source is the fee vault (a PDA checked against the reserve), never
    /// the liquidity vault (depositors' liquidity and the insurance fund) or the collateral vault.
    /// 1. amount (the largest u64 = all) within what the fee vault holds  2. transfer, signed by the market authority
    /// 3. emit
    pub fn handle(ctx: Context<Self>, liquidity_amount: u64) -> Result<()> {
        let a = &ctx.accounts;
        let held = a.fee_vault.amount;
        let amount = if liquidity_amount == u64::MAX { held } else { liquidity_amount };
        require!(amount > 0, BallastError::ZeroAmount);
        require!(amount <= held, BallastError::FeeWithdrawExceedsSwept);
        sign_as_authority(&a.market, |signer| {
            let accounts = TransferChecked {
                from: a.fee_vault.to_account_info(),
                mint: a.liquidity_mint.to_account_info(),
                to: a.receiver.to_account_info(),
                authority: a.market_authority.to_account_info(),
            };
            token_interface::transfer_checked(CpiContext::new_with_signer(a.token_program.key(), accounts, signer), amount, a.liquidity_mint.decimals)
        })?;
        emit_cpi!(FeesWithdrawnEvent {
            reserve: a.reserve.key(),
            receiver: a.receiver.key(),
            liquidity_amount: amount,
            fee_vault_after: held - amount,
        });
        Ok(())
    }
}
