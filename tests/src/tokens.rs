//! Mints and token accounts for SPL Token and Token-2022, read by raw layout (same base for both).
use crate::TestContext;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_spl::token::spl_token;
use anchor_spl::token_2022::spl_token_2022::{
    self,
    extension::{transfer_fee, ExtensionType},
    state::{Account as Account2022, Mint as Mint2022},
};
use solana_keypair::Keypair;
use solana_signer::Signer;

/// Extra behaviour for a Token-2022 test mint.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MintKind {
    SplToken,
    Token2022,
    /// Token-2022 with a transfer fee (bps).
    Token2022TransferFee(u16),
}

impl MintKind {
    pub fn program(self) -> Pubkey {
        match self {
            MintKind::SplToken => spl_token::ID,
            _ => spl_token_2022::ID,
        }
    }
    fn mint_extensions(self) -> Vec<ExtensionType> {
        match self {
            MintKind::Token2022TransferFee(_) => vec![ExtensionType::TransferFeeConfig],
            _ => vec![],
        }
    }
}

impl TestContext {
    async fn create_account(&mut self, account: &Keypair, space: usize, owner: &Pubkey) {
        let rent = self.banks.banks_client.get_rent().await.unwrap();
        let ix = solana_system_interface::instruction::create_account(
            &self.banks.payer.pubkey(),
            &account.pubkey(),
            rent.minimum_balance(space),
            space as u64,
            owner,
        );
        self.send(&[ix], &[account]).await.unwrap();
    }

    /// A new mint whose authority is the bank's payer.
    pub async fn create_mint(&mut self, decimals: u8, kind: MintKind) -> Pubkey {
        let mint = Keypair::new();
        let program = kind.program();
        let payer = self.banks.payer.pubkey();
        let (space, mut ixs): (usize, Vec<Instruction>) = match kind {
            MintKind::SplToken => (82, vec![]),
            _ => (ExtensionType::try_calculate_account_len::<Mint2022>(&kind.mint_extensions()).unwrap(), vec![]),
        };
        if let MintKind::Token2022TransferFee(bps) = kind {
            ixs.push(
                transfer_fee::instruction::initialize_transfer_fee_config(&program, &mint.pubkey(), Some(&payer), Some(&payer), bps, u64::MAX)
                    .unwrap(),
            );
        }
        ixs.push(match kind {
            MintKind::SplToken => spl_token::instruction::initialize_mint2(&program, &mint.pubkey(), &payer, None, decimals).unwrap(),
            _ => spl_token_2022::instruction::initialize_mint2(&program, &mint.pubkey(), &payer, None, decimals).unwrap(),
        });
        self.create_account(&mint, space, &program).await;
        self.send(&ixs, &[]).await.unwrap();
        mint.pubkey()
    }

    /// A new token account for `mint` owned by `owner`, tracked for snapshots.
    pub async fn create_token_account(&mut self, mint: &Pubkey, owner: &Pubkey, kind: MintKind) -> Pubkey {
        let account = Keypair::new();
        let program = kind.program();
        let space = match kind {
            MintKind::SplToken => 165,
            _ => {
                let required = ExtensionType::get_required_init_account_extensions(&kind.mint_extensions());
                ExtensionType::try_calculate_account_len::<Account2022>(&required).unwrap()
            }
        };
        self.create_account(&account, space, &program).await;
        let ix = match kind {
            MintKind::SplToken => spl_token::instruction::initialize_account3(&program, &account.pubkey(), mint, owner).unwrap(),
            _ => spl_token_2022::instruction::initialize_account3(&program, &account.pubkey(), mint, owner).unwrap(),
        };
        self.send(&[ix], &[]).await.unwrap();
        self.token_accounts.push(account.pubkey());
        account.pubkey()
    }

    /// Mints `amount` native units of a test mint to `to`.
    pub async fn mint_to(&mut self, mint: &Pubkey, to: &Pubkey, amount: u64, kind: MintKind) {
        let payer = self.banks.payer.pubkey();
        let program = kind.program();
        let ix = match kind {
            MintKind::SplToken => spl_token::instruction::mint_to(&program, mint, to, &payer, &[], amount).unwrap(),
            _ => spl_token_2022::instruction::mint_to(&program, mint, to, &payer, &[], amount).unwrap(),
        };
        self.send(&[ix], &[]).await.unwrap();
    }

    /// Plain SPL transfer between two token accounts (used for donations straight into a vault).
    pub async fn transfer_tokens(&mut self, from: &Pubkey, to: &Pubkey, authority: &Keypair, mint: &Pubkey, amount: u64, decimals: u8, kind: MintKind) {
        let program = kind.program();
        let ix = match kind {
            MintKind::SplToken => {
                spl_token::instruction::transfer_checked(&program, from, mint, to, &authority.pubkey(), &[], amount, decimals).unwrap()
            }
            _ => spl_token_2022::instruction::transfer_checked(&program, from, mint, to, &authority.pubkey(), &[], amount, decimals)
                .unwrap(),
        };
        self.send(&[ix], &[authority]).await.unwrap();
    }

    /// Token balance of a token account (0 when it does not exist).
    pub async fn balance(&mut self, account: &Pubkey) -> u64 {
        match self.account(account).await {
            Some(a) if a.data.len() >= 72 => u64::from_le_bytes(a.data[64..72].try_into().unwrap()),
            _ => 0,
        }
    }

    /// Supply of a mint.
    pub async fn mint_supply(&mut self, mint: &Pubkey) -> u64 {
        let a = self.account(mint).await.expect("mint exists");
        u64::from_le_bytes(a.data[36..44].try_into().unwrap())
    }
}
