//! An integrator's program: a vault whose PDA supplies its liquidity to a Ballast reserve and takes it back.
//!
//! It knows Ballast only through `declare_program!(ballast)`, generated from the committed IDL
//! (`idls/ballast.json` links to `idl/ballast.json`), the way a program outside this workspace would: the CPI
//! helpers build Ballast's instructions and the zero-copy `Reserve` is read through the generated layout.
//! The e2e test `integrator` drives it in program-test, so an IDL `declare_program!` cannot consume fails CI.
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

declare_id!("GR2TJiYMF7ckVwJXhRLg9bMAqrGa4W9HwPBQ1aK2L952");
declare_program!(ballast);

use ballast::{accounts::Reserve as BallastReserve, program::Ballast};

// Rebuild when the IDL changes: `declare_program!` reads it with no dependency cargo can see.
const _: &[u8] = include_bytes!("../idls/ballast.json");

/// Seed of the vault PDA: [VAULT_SEED, reserve]. It owns the vault's token accounts and signs the CPIs.
pub const VAULT_SEED: &[u8] = b"vault";

#[program]
pub mod ballast_integrator {
    use super::*;

    /// Supplies `amount` of the vault's liquidity to the reserve; returns the cTokens minted.
    pub fn supply(ctx: Context<Move>, amount: u64) -> Result<u64> {
        ctx.accounts.supply(amount, ctx.bumps.vault)
    }

    /// Redeems `ctoken_amount` of the vault's cTokens; returns the liquidity received.
    pub fn withdraw(ctx: Context<Move>, ctoken_amount: u64) -> Result<u64> {
        ctx.accounts.withdraw(ctoken_amount, ctx.bumps.vault)
    }
}

#[error_code]
pub enum IntegratorError {
    #[msg("The reserve's cToken supply did not move by what the vault's cToken account did")]
    SupplyMismatch,
}

/// The vault and the Ballast accounts both CPIs need (deposit and redeem name the same ones).
#[derive(Accounts)]
pub struct Move<'info> {
    /// CHECK: a PDA of this program; it holds no data and signs for the vault's token accounts.
    #[account(seeds = [VAULT_SEED, reserve.key().as_ref()], bump)]
    pub vault: UncheckedAccount<'info>,
    #[account(mut, token::authority = vault, token::mint = liquidity_mint)]
    pub vault_liquidity: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, token::authority = vault, token::mint = ctoken_mint)]
    pub vault_ctokens: Box<InterfaceAccount<'info, TokenAccount>>,
    /// CHECK: Ballast checks it (has_one on the reserve, version).
    #[account(mut)]
    pub market: UncheckedAccount<'info>,
    /// CHECK: Ballast checks it against the market's stored bump.
    pub market_authority: UncheckedAccount<'info>,
    /// Read through the generated layout: its owner (Ballast) and discriminator are checked on load.
    #[account(mut)]
    pub reserve: AccountLoader<'info, BallastReserve>,
    pub liquidity_mint: Box<InterfaceAccount<'info, Mint>>,
    /// CHECK: Ballast checks it against the reserve.
    #[account(mut)]
    pub liquidity_vault: UncheckedAccount<'info>,
    #[account(mut)]
    pub ctoken_mint: Box<InterfaceAccount<'info, Mint>>,
    /// CHECK: Ballast checks it against the reserve.
    #[account(mut)]
    pub collateral_vault: UncheckedAccount<'info>,
    /// CHECK: the reserve's primary price account; Ballast checks its address.
    pub price: UncheckedAccount<'info>,
    pub token_program: Interface<'info, TokenInterface>,
    /// CHECK: Ballast's event authority PDA; Ballast checks it.
    pub event_authority: UncheckedAccount<'info>,
    pub ballast_program: Program<'info, Ballast>,
}

impl<'info> Move<'info> {
    fn vaults(&self) -> ballast::cpi::accounts::Vaults<'info> {
        ballast::cpi::accounts::Vaults {
            market: self.market.to_account_info(),
            market_authority: self.market_authority.to_account_info(),
            reserve: self.reserve.to_account_info(),
            liquidity_mint: self.liquidity_mint.to_account_info(),
            liquidity_vault: self.liquidity_vault.to_account_info(),
            ctoken_mint: self.ctoken_mint.to_account_info(),
            collateral_vault: self.collateral_vault.to_account_info(),
            token_program: self.token_program.to_account_info(),
        }
    }

    fn supply(&mut self, amount: u64, bump: u8) -> Result<u64> {
        let (supply_before, held_before) = (self.reserve.load()?.ctoken_supply, self.vault_ctokens.amount);
        let reserve = self.reserve.key();
        let seeds: &[&[u8]] = &[VAULT_SEED, reserve.as_ref(), &[bump]];
        let accounts = ballast::cpi::accounts::DepositLiquidity {
            owner: self.vault.to_account_info(),
            vaults: self.vaults(),
            user_liquidity: self.vault_liquidity.to_account_info(),
            user_ctokens: self.vault_ctokens.to_account_info(),
            event_authority: self.event_authority.to_account_info(),
            program: self.ballast_program.to_account_info(),
        };
        let signer = &[seeds];
        ballast::cpi::deposit_liquidity(CpiContext::new_with_signer(ballast::ID, accounts, signer), amount)?;
        self.vault_ctokens.reload()?;
        let minted = self.vault_ctokens.amount - held_before;
        let supply_after = self.reserve.load()?.ctoken_supply;
        require_eq!(supply_after - supply_before, minted, IntegratorError::SupplyMismatch);
        Ok(minted)
    }

    fn withdraw(&mut self, ctoken_amount: u64, bump: u8) -> Result<u64> {
        let held_before = self.vault_liquidity.amount;
        let reserve = self.reserve.key();
        let seeds: &[&[u8]] = &[VAULT_SEED, reserve.as_ref(), &[bump]];
        let accounts = ballast::cpi::accounts::RedeemCollateral {
            owner: self.vault.to_account_info(),
            vaults: self.vaults(),
            user_liquidity: self.vault_liquidity.to_account_info(),
            user_ctokens: self.vault_ctokens.to_account_info(),
            market: self.market.to_account_info(),
            price: self.price.to_account_info(),
            event_authority: self.event_authority.to_account_info(),
            program: self.ballast_program.to_account_info(),
        };
        let signer = &[seeds];
        ballast::cpi::redeem_collateral(CpiContext::new_with_signer(ballast::ID, accounts, signer), ctoken_amount)?;
        self.vault_liquidity.reload()?;
        Ok(self.vault_liquidity.amount - held_before)
    }
}
