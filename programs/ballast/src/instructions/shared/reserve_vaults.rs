//! `ReserveVaults`: a reserve with its market, authority PDA, mints and vaults, validated together.
use crate::{
    error::BallastError,
    math::Fraction,
    operations::controls::{self, Action},
    oracle::{load_reserve_price, market_value, Now, PriceAccounts, PriceUse},
    seeds,
    state::{Market, Reserve},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, Burn, Mint, MintTo, TokenAccount, TokenInterface, TransferChecked};

/// Writable fields carry `dup`: liquidation may name one reserve on both sides. That is safe because
/// nothing here is serialized on exit (a zero-copy loader and accounts owned by the token program).
#[derive(Accounts)]
pub struct ReserveVaults<'info> {
    #[account(constraint = crate::state::known_version(market.load()?.version) @ BallastError::UnsupportedAccountVersion)]
    pub market: AccountLoader<'info, Market>,
    /// CHECK: the market's authority PDA (derived with the stored bump); signs for the vaults.
    #[account(address = market.load()?.authority_address(&market.key())? @ BallastError::InvalidMarketAuthority)]
    pub market_authority: UncheckedAccount<'info>,
    #[account(
        mut,
        dup,
        has_one = market @ BallastError::ReserveMarketMismatch,
        has_one = liquidity_mint @ BallastError::InvalidLiquidityMint,
        has_one = liquidity_vault @ BallastError::InvalidLiquidityVault,
        has_one = ctoken_mint @ BallastError::InvalidCTokenMint,
        has_one = collateral_vault @ BallastError::InvalidCollateralVault,
        has_one = token_program @ BallastError::InvalidTokenProgram,
        constraint = crate::state::known_version(reserve.load()?.version) @ BallastError::UnsupportedAccountVersion,
    )]
    pub reserve: AccountLoader<'info, Reserve>,
    pub liquidity_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mut, dup)]
    pub liquidity_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, dup)]
    pub ctoken_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mut, dup)]
    pub collateral_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl<'info> ReserveVaults<'info> {
    /// Circuit breakers for `action`: reserve pause / reduce-only and market emergency mode.
    pub fn require_allowed(&self, action: Action) -> Result<()> {
        let market = self.market.load()?;
        let reserve = self.reserve.load()?;
        controls::require_allowed(action, &reserve.config, &market.config)
    }

    fn with_authority<T>(&self, f: impl FnOnce(&[&[&[u8]]]) -> Result<T>) -> Result<T> {
        sign_as_authority(&self.market, f)
    }

    fn transfer(&self, from: AccountInfo<'info>, to: AccountInfo<'info>, authority: AccountInfo<'info>, mint: &InterfaceAccount<'info, Mint>, amount: u64, signer: &[&[&[u8]]]) -> Result<()> {
        let accounts = TransferChecked { from, mint: mint.to_account_info(), to, authority };
        let ctx = CpiContext::new_with_signer(self.token_program.key(), accounts, signer);
        token_interface::transfer_checked(ctx, amount, mint.decimals)
    }

    /// User liquidity -> liquidity vault, signed by the user.
    pub fn pull_liquidity(&self, from: &InterfaceAccount<'info, TokenAccount>, authority: &Signer<'info>, amount: u64) -> Result<()> {
        self.transfer(from.to_account_info(), self.liquidity_vault.to_account_info(), authority.to_account_info(), &self.liquidity_mint, amount, &[])
    }

    /// Liquidity vault -> `to`, signed by the market authority.
    pub fn push_liquidity(&self, to: AccountInfo<'info>, amount: u64) -> Result<()> {
        self.with_authority(|s| {
            self.transfer(self.liquidity_vault.to_account_info(), to, self.market_authority.to_account_info(), &self.liquidity_mint, amount, s)
        })
    }

    /// User cTokens -> collateral vault, signed by the user.
    pub fn pull_collateral(&self, from: &InterfaceAccount<'info, TokenAccount>, authority: &Signer<'info>, amount: u64) -> Result<()> {
        self.transfer(from.to_account_info(), self.collateral_vault.to_account_info(), authority.to_account_info(), &self.ctoken_mint, amount, &[])
    }

    /// Collateral vault -> user cTokens, signed by the market authority.
    pub fn push_collateral(&self, to: &InterfaceAccount<'info, TokenAccount>, amount: u64) -> Result<()> {
        self.with_authority(|s| {
            self.transfer(self.collateral_vault.to_account_info(), to.to_account_info(), self.market_authority.to_account_info(), &self.ctoken_mint, amount, s)
        })
    }

    /// Mints cTokens to `to`, signed by the market authority.
    pub fn mint_ctokens(&self, to: AccountInfo<'info>, amount: u64) -> Result<()> {
        self.with_authority(|s| {
            let accounts = MintTo { mint: self.ctoken_mint.to_account_info(), to, authority: self.market_authority.to_account_info() };
            token_interface::mint_to(CpiContext::new_with_signer(self.token_program.key(), accounts, s), amount)
        })
    }

    /// Burns cTokens held by the user, signed by the user.
    pub fn burn_user_ctokens(&self, from: &InterfaceAccount<'info, TokenAccount>, authority: &Signer<'info>, amount: u64) -> Result<()> {
        let accounts = Burn { mint: self.ctoken_mint.to_account_info(), from: from.to_account_info(), authority: authority.to_account_info() };
        token_interface::burn(CpiContext::new(self.token_program.key(), accounts), amount)
    }

    /// Burns cTokens held in the collateral vault, signed by the market authority.
    pub fn burn_vault_ctokens(&self, amount: u64) -> Result<()> {
        self.with_authority(|s| {
            let accounts = Burn {
                mint: self.ctoken_mint.to_account_info(),
                from: self.collateral_vault.to_account_info(),
                authority: self.market_authority.to_account_info(),
            };
            token_interface::burn(CpiContext::new_with_signer(self.token_program.key(), accounts, s), amount)
        })
    }

    /// After transfers: the vault must hold at least what the reserve accounts for (donations may add more).
    pub fn reconcile(&mut self) -> Result<()> {
        self.liquidity_vault.reload()?;
        let available = self.reserve.load()?.available_liquidity;
        require!(self.liquidity_vault.amount >= available, BallastError::VaultReconciliationFailed);
        Ok(())
    }
}

/// Runs `f` with the signer seeds of `market`'s authority PDA: the one place those seeds are assembled.
pub fn sign_as_authority<T>(market: &AccountLoader<Market>, f: impl FnOnce(&[&[&[u8]]]) -> Result<T>) -> Result<T> {
    let market_key = market.key();
    let bump = [market.load()?.authority_bump];
    let seeds: &[&[u8]] = &[seeds::AUTHORITY, market_key.as_ref(), &bump];
    f(&[seeds])
}

/// Records `liquidity_amount` leaving `reserve`: against the reserve's net outflow limit, then the part beyond
/// the reserve's standing credit against the market's quote limit, valued at the higher of the reserve's fresh
/// spot and EMA (`Price::outflow`; the secondary's spot while the primary has failed over to it). Instructions that move liquidity out take the market writable and the reserve's price account
/// for this; the price is read only when the market limiter has new outflow to count, but its address is
/// always checked, so the slot never accepts just any account.
pub fn record_outflow(market: &AccountLoader<Market>, reserve: &mut Reserve, prices: PriceAccounts, liquidity_amount: u64, now: Now) -> Result<()> {
    require_keys_eq!(prices.primary.key(), reserve.config.oracle.price_account, BallastError::OracleAccountMismatch);
    let market_config = market.load()?.config;
    let new_outflow = controls::record_reserve_outflow(reserve, liquidity_amount, &market_config, now.ts)?;
    if market_config.outflow_window_secs == 0 || new_outflow == 0 {
        return Ok(());
    }
    let price = load_reserve_price(prices, &reserve.config, now, PriceUse::Liquidation)?;
    let value = market_value(Fraction::from_num(new_outflow), reserve.liquidity_decimals, price.outflow())?;
    controls::record_market_outflow(&mut *market.load_mut()?, value, now.ts)
}

/// Records `liquidity_amount` coming into `reserve` (deposit, repay) as credit in its net-flow window.
pub fn record_inflow(market: &AccountLoader<Market>, reserve: &mut Reserve, liquidity_amount: u64, now_ts: i64) -> Result<()> {
    controls::record_reserve_inflow(reserve, liquidity_amount, &market.load()?.config, now_ts);
    Ok(())
}
