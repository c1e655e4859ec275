use crate::{
    constants::ACCOUNT_VERSION,
    error::BallastError,
    events::ReserveInitializedEvent,
    instructions::shared::check_mint_extensions,
    math::{Fraction, Sf},
    operations::deposit,
    seeds,
    state::{Market, Reserve, ReserveConfig},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, Mint, TokenAccount, TokenInterface, TransferChecked};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitReserveArgs {
    pub config: ReserveConfig,
    /// Seed deposit taken from the admin, native units; its cTokens are locked forever.
    pub seed_liquidity_amount: u64,
}

#[derive(Accounts)]
pub struct InitReserve<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(has_one = admin @ BallastError::NotMarketAdmin)]
    pub market: AccountLoader<'info, Market>,
    /// CHECK: the market's authority PDA, verified by seeds with the stored bump.
    #[account(seeds = [seeds::AUTHORITY, market.key().as_ref()], bump = market.load()?.authority_bump)]
    pub market_authority: UncheckedAccount<'info>,
    #[account(
        init, payer = admin, space = Reserve::SPACE,
        seeds = [seeds::RESERVE, market.key().as_ref(), liquidity_mint.key().as_ref()], bump,
    )]
    pub reserve: AccountLoader<'info, Reserve>,
    #[account(mint::token_program = token_program)]
    pub liquidity_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(
        init, payer = admin, seeds = [seeds::LIQUIDITY, reserve.key().as_ref()], bump,
        token::mint = liquidity_mint, token::authority = market_authority, token::token_program = token_program,
    )]
    pub liquidity_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(
        init, payer = admin, seeds = [seeds::CTOKEN, reserve.key().as_ref()], bump,
        mint::decimals = liquidity_mint.decimals, mint::authority = market_authority, mint::token_program = token_program,
    )]
    pub ctoken_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(
        init, payer = admin, seeds = [seeds::COLLATERAL, reserve.key().as_ref()], bump,
        token::mint = ctoken_mint, token::authority = market_authority, token::token_program = token_program,
    )]
    pub collateral_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(
        init, payer = admin, seeds = [seeds::FEES, reserve.key().as_ref()], bump,
        token::mint = liquidity_mint, token::authority = market_authority, token::token_program = token_program,
    )]
    pub fee_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The admin's liquidity tokens that pay the seed deposit.
    #[account(mut)]
    pub admin_liquidity: Box<InterfaceAccount<'info, TokenAccount>>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl InitReserve<'_> {
    fn validate(&self, args: &InitReserveArgs) -> Result<()> {
        check_mint_extensions(&self.liquidity_mint.to_account_info())?;
        args.config.validate()
    }

    /// 1. refuse unsafe mints and invalid configs  2. write the reserve  3. book the seed deposit
    /// 4. transfer the seed into the vault  5. emit
    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<Self>, args: InitReserveArgs) -> Result<()> {
        let a = &ctx.accounts;
        {
            let mut reserve = a.reserve.load_init()?;
            reserve.market = a.market.key();
            reserve.liquidity_mint = a.liquidity_mint.key();
            reserve.token_program = a.token_program.key();
            reserve.liquidity_vault = a.liquidity_vault.key();
            reserve.ctoken_mint = a.ctoken_mint.key();
            reserve.collateral_vault = a.collateral_vault.key();
            reserve.fee_vault = a.fee_vault.key();
            reserve.config = args.config;
            reserve.liquidity_decimals = a.liquidity_mint.decimals;
            reserve.cumulative_borrow_index_sf = Sf::from(Fraction::ONE);
            reserve.last_update_ts = Clock::get()?.unix_timestamp;
            reserve.bump = ctx.bumps.reserve;
            reserve.version = ACCOUNT_VERSION;
            deposit::seed_reserve(&mut reserve, args.seed_liquidity_amount)?;
            reserve.invariant()?;
        }
        let accounts = TransferChecked {
            from: a.admin_liquidity.to_account_info(),
            mint: a.liquidity_mint.to_account_info(),
            to: a.liquidity_vault.to_account_info(),
            authority: a.admin.to_account_info(),
        };
        token_interface::transfer_checked(
            CpiContext::new(a.token_program.key(), accounts),
            args.seed_liquidity_amount,
            a.liquidity_mint.decimals,
        )?;
        emit!(ReserveInitializedEvent {
            market: a.market.key(),
            reserve: a.reserve.key(),
            liquidity_mint: a.liquidity_mint.key(),
            seed_liquidity_amount: args.seed_liquidity_amount,
        });
        Ok(())
    }
}
