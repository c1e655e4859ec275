use crate::{
    constants::ACCOUNT_VERSION,
    error::BallastError,
    events::ReserveInitializedEvent,
    instructions::shared::{check_mint_extensions, create_pda_account, create_zero_copy, token_account_space},
    math::{Fraction, Sf},
    operations::{deposit, governance},
    seeds,
    state::{Market, Reserve, ReserveConfig, ReserveConfigWire},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, InitializeAccount3, InitializeMint2, Mint, TokenAccount, TokenInterface, TransferChecked};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitReserveArgs {
    pub config: ReserveConfigWire,
    /// Seed deposit taken from the admin, native units; its cTokens are locked forever.
    pub seed_liquidity_amount: u64,
}

#[event_cpi]
#[derive(Accounts)]
pub struct InitReserve<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(has_one = admin @ BallastError::NotMarketAdmin)]
    pub market: AccountLoader<'info, Market>,
    /// CHECK: the market's authority PDA (derived with the stored bump).
    #[account(address = market.load()?.authority_address(&market.key())? @ BallastError::InvalidMarketAuthority)]
    pub market_authority: UncheckedAccount<'info>,
    /// CHECK: the reserve PDA, verified by seeds; created here, pre-funded or not (see `create_account`).
    #[account(mut, seeds = [seeds::RESERVE, market.key().as_ref(), liquidity_mint.key().as_ref()], bump)]
    pub reserve: UncheckedAccount<'info>,
    #[account(mint::token_program = token_program)]
    pub liquidity_mint: Box<InterfaceAccount<'info, Mint>>,
    /// CHECK: PDA [LIQUIDITY, reserve], verified by seeds; created here as a token account of the mint.
    #[account(mut, seeds = [seeds::LIQUIDITY, reserve.key().as_ref()], bump)]
    pub liquidity_vault: UncheckedAccount<'info>,
    /// CHECK: PDA [CTOKEN, reserve], verified by seeds; created here as the cToken mint.
    #[account(mut, seeds = [seeds::CTOKEN, reserve.key().as_ref()], bump)]
    pub ctoken_mint: UncheckedAccount<'info>,
    /// CHECK: PDA [COLLATERAL, reserve], verified by seeds; created here as a token account of the cToken mint.
    #[account(mut, seeds = [seeds::COLLATERAL, reserve.key().as_ref()], bump)]
    pub collateral_vault: UncheckedAccount<'info>,
    /// CHECK: PDA [FEES, reserve], verified by seeds; created here as a token account of the mint.
    #[account(mut, seeds = [seeds::FEES, reserve.key().as_ref()], bump)]
    pub fee_vault: UncheckedAccount<'info>,
    /// The admin's liquidity tokens that pay the seed deposit.
    #[account(mut)]
    pub admin_liquidity: Box<InterfaceAccount<'info, TokenAccount>>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl<'info> InitReserve<'info> {
    fn validate(&self, args: &InitReserveArgs) -> Result<()> {
        check_mint_extensions(&self.liquidity_mint.to_account_info())?;
        ReserveConfig::from(args.config).validate()
    }

    /// Creates the token account `account` (PDA [seed, reserve]) of `mint`, owned by the market authority.
    fn create_token_account(&self, account: &AccountInfo<'info>, mint: &AccountInfo<'info>, seed: &[u8], bump: u8) -> Result<()> {
        let reserve = self.reserve.key();
        let seeds: &[&[u8]] = &[seed, reserve.as_ref(), &[bump]];
        let space = token_account_space(mint)?;
        create_pda_account(&self.admin, account, &self.system_program, space, &self.token_program.key(), seeds)?;
        let accounts = InitializeAccount3 { account: account.clone(), mint: mint.clone(), authority: self.market_authority.to_account_info() };
        token_interface::initialize_account3(CpiContext::new(self.token_program.key(), accounts))
    }

    /// Creates the cToken mint (PDA [CTOKEN, reserve]): the liquidity mint's decimals, the market authority mints.
    fn create_ctoken_mint(&self, bump: u8) -> Result<()> {
        let reserve = self.reserve.key();
        let seeds: &[&[u8]] = &[seeds::CTOKEN, reserve.as_ref(), &[bump]];
        let mint = self.ctoken_mint.to_account_info();
        create_pda_account(&self.admin, &mint, &self.system_program, anchor_spl::token::Mint::LEN, &self.token_program.key(), seeds)?;
        let accounts = InitializeMint2 { mint };
        let authority = self.market_authority.key();
        token_interface::initialize_mint2(CpiContext::new(self.token_program.key(), accounts), self.liquidity_mint.decimals, &authority, None)
    }

    /// 1. refuse unsafe mints and invalid configs
    /// 2. create the reserve, its vaults and cToken mint, even on addresses someone pre-funded
    /// 3. write the reserve (its config live at once, or queued for the market's timelock: `governance::list_reserve`)
    ///    and book the seed deposit
    /// 4. transfer the seed into the vault
    /// 5. emit
    #[access_control(ctx.accounts.validate(&args))]
    pub fn handle(ctx: Context<'info, Self>, args: InitReserveArgs) -> Result<()> {
        let a = &ctx.accounts;
        let b = &ctx.bumps;
        let (market_key, mint_key) = (a.market.key(), a.liquidity_mint.key());
        let reserve_seeds: &[&[u8]] = &[seeds::RESERVE, market_key.as_ref(), mint_key.as_ref(), &[b.reserve]];
        let liquidity_mint = a.liquidity_mint.to_account_info();
        a.create_token_account(&a.liquidity_vault, &liquidity_mint, seeds::LIQUIDITY, b.liquidity_vault)?;
        a.create_ctoken_mint(b.ctoken_mint)?;
        a.create_token_account(&a.collateral_vault, &a.ctoken_mint, seeds::COLLATERAL, b.collateral_vault)?;
        a.create_token_account(&a.fee_vault, &liquidity_mint, seeds::FEES, b.fee_vault)?;
        let now = Clock::get()?.unix_timestamp;
        let timelock_secs = a.market.load()?.config.config_timelock_secs;
        let (mut config, mut pending_apply_ts) = (ReserveConfig::from(args.config), 0);
        create_zero_copy(&a.admin, &a.reserve, &a.system_program, reserve_seeds, |reserve: &mut Reserve| {
            reserve.market = market_key;
            reserve.liquidity_mint = mint_key;
            reserve.token_program = a.token_program.key();
            reserve.liquidity_vault = a.liquidity_vault.key();
            reserve.ctoken_mint = a.ctoken_mint.key();
            reserve.collateral_vault = a.collateral_vault.key();
            reserve.fee_vault = a.fee_vault.key();
            reserve.liquidity_decimals = a.liquidity_mint.decimals;
            reserve.cumulative_borrow_index_sf = Sf::from(Fraction::ONE);
            reserve.last_update_ts = now;
            reserve.bump = b.reserve;
            reserve.version = ACCOUNT_VERSION;
            governance::list_reserve(reserve, ReserveConfig::from(args.config), now, timelock_secs)?;
            deposit::seed_reserve(reserve, args.seed_liquidity_amount)?;
            (config, pending_apply_ts) = (reserve.config, reserve.pending_config_apply_ts);
            reserve.invariant()
        })?;
        let accounts = TransferChecked {
            from: a.admin_liquidity.to_account_info(),
            mint: liquidity_mint,
            to: a.liquidity_vault.to_account_info(),
            authority: a.admin.to_account_info(),
        };
        token_interface::transfer_checked(
            CpiContext::new(a.token_program.key(), accounts),
            args.seed_liquidity_amount,
            a.liquidity_mint.decimals,
        )?;
        emit_cpi!(ReserveInitializedEvent {
            market: market_key,
            reserve: a.reserve.key(),
            liquidity_mint: mint_key,
            seed_liquidity_amount: args.seed_liquidity_amount,
            config: config.into(),
            pending_apply_ts,
        });
        Ok(())
    }
}
