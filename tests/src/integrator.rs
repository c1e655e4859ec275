//! The example integrator program (`examples/integrator`): a vault PDA that supplies to a Ballast reserve
//! through the module `declare_program!` generates from the committed IDL.
use crate::{ReserveInfo, TestContext};
use anchor_lang::{prelude::Pubkey, InstructionData, ToAccountMetas};
use ballast_integrator::VAULT_SEED;
use solana_instruction::Instruction;
use solana_program_test::BanksClientError;

pub use ballast_integrator::ID as PROGRAM_ID;

/// The integrator's entry, in the shape `processor!` wants.
pub fn processor(program_id: &Pubkey, accounts: &[anchor_lang::prelude::AccountInfo], data: &[u8]) -> anchor_lang::solana_program::entrypoint::ProgramResult {
    // SAFETY: as for Ballast's adapter (`ballast_sdk::cluster`): only lifetimes change; nothing borrowed escapes.
    let accounts: &[anchor_lang::prelude::AccountInfo] = unsafe { std::mem::transmute(accounts) };
    ballast_integrator::entry(program_id, accounts, data)
}

/// One integrator vault over one reserve: the PDA and the token accounts it owns.
#[derive(Clone, Debug)]
pub struct Vault {
    pub pda: Pubkey,
    pub liquidity: Pubkey,
    pub ctokens: Pubkey,
}

impl TestContext {
    /// The vault PDA of reserve `r`, with its two token accounts and `liquidity` native units to supply.
    pub async fn integrator_vault(&mut self, r: &ReserveInfo, liquidity: u64) -> Vault {
        let (pda, _) = Pubkey::find_program_address(&[VAULT_SEED, r.key.as_ref()], &PROGRAM_ID);
        let liquidity_account = self.create_token_account(&r.mint, &pda, r.kind).await;
        let ctokens = self.create_token_account(&r.ctoken_mint, &pda, r.kind).await;
        self.mint_to(&r.mint, &liquidity_account, liquidity, r.kind).await;
        Vault { pda, liquidity: liquidity_account, ctokens }
    }

    /// The integrator's accounts for `vault` over `r`; `reserve` is what it is told the reserve is.
    pub fn integrator_accounts(&self, vault: &Vault, r: &ReserveInfo, reserve: Pubkey) -> ballast_integrator::accounts::Move {
        ballast_integrator::accounts::Move {
            vault: vault.pda,
            vault_liquidity: vault.liquidity,
            vault_ctokens: vault.ctokens,
            market: r.market,
            market_authority: ballast_sdk::pda::market_authority(&r.market),
            reserve,
            liquidity_mint: r.mint,
            liquidity_vault: r.liquidity_vault,
            ctoken_mint: r.ctoken_mint,
            collateral_vault: r.collateral_vault,
            price: r.price_account,
            token_program: r.token_program(),
            event_authority: ballast_sdk::pda::event_authority(),
            ballast_program: ballast::ID,
        }
    }

    pub fn integrator_ix(accounts: ballast_integrator::accounts::Move, data: impl InstructionData) -> Instruction {
        Instruction { program_id: PROGRAM_ID, accounts: accounts.to_account_metas(None), data: data.data() }
    }

    /// The vault supplies `amount` to `r` through the integrator's CPI.
    pub async fn try_integrator_supply(&mut self, vault: &Vault, r: &ReserveInfo, amount: u64) -> Result<(), BanksClientError> {
        let ix = Self::integrator_ix(self.integrator_accounts(vault, r, r.key), ballast_integrator::instruction::Supply { amount });
        self.send(&[ix], &[]).await
    }

    /// The vault redeems `ctoken_amount` from `r` through the integrator's CPI.
    pub async fn try_integrator_withdraw(&mut self, vault: &Vault, r: &ReserveInfo, ctoken_amount: u64) -> Result<(), BanksClientError> {
        let ix = Self::integrator_ix(self.integrator_accounts(vault, r, r.key), ballast_integrator::instruction::Withdraw { ctoken_amount });
        self.send(&[ix], &[]).await
    }
}
