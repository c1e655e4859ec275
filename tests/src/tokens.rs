//! Mints and token accounts for SPL Token and Token-2022, read by raw layout (same base for both).
use crate::TestContext;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_spl::token::spl_token;
use anchor_spl::token_2022::spl_token_2022::{
    self,
    extension::{confidential_transfer, default_account_state, pausable, transfer_fee, transfer_hook, ExtensionType},
    state::{Account as Account2022, AccountState, Mint as Mint2022},
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
    /// Token-2022 with one more mint extension, set up by the bank's payer as its authority.
    Token2022With(Extension),
    /// SPL Token with a freeze authority (the bank's payer), as USDC has.
    SplTokenFreezable,
}

/// Token-2022 mint extensions the tests create.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Extension {
    TransferHook,
    PermanentDelegate,
    NonTransferable,
    ConfidentialTransfers,
    Pausable,
    /// New accounts start frozen (the mint then needs a freeze authority).
    DefaultFrozen,
    /// New accounts start initialized.
    DefaultInitialized,
    MintCloseAuthority,
}

impl Extension {
    fn extension_type(self) -> ExtensionType {
        match self {
            Extension::TransferHook => ExtensionType::TransferHook,
            Extension::PermanentDelegate => ExtensionType::PermanentDelegate,
            Extension::NonTransferable => ExtensionType::NonTransferable,
            Extension::ConfidentialTransfers => ExtensionType::ConfidentialTransferMint,
            Extension::Pausable => ExtensionType::Pausable,
            Extension::DefaultFrozen | Extension::DefaultInitialized => ExtensionType::DefaultAccountState,
            Extension::MintCloseAuthority => ExtensionType::MintCloseAuthority,
        }
    }

    fn init_instruction(self, program: &Pubkey, mint: &Pubkey, authority: &Pubkey) -> Instruction {
        let ix = match self {
            Extension::TransferHook => transfer_hook::instruction::initialize(program, mint, Some(*authority), Some(Pubkey::new_unique())),
            Extension::PermanentDelegate => spl_token_2022::instruction::initialize_permanent_delegate(program, mint, authority),
            Extension::NonTransferable => spl_token_2022::instruction::initialize_non_transferable_mint(program, mint),
            Extension::ConfidentialTransfers => confidential_transfer::instruction::initialize_mint(program, mint, Some(*authority), true, None),
            Extension::Pausable => pausable::instruction::initialize(program, mint, authority),
            Extension::DefaultFrozen => default_account_state::instruction::initialize_default_account_state(program, mint, &AccountState::Frozen),
            Extension::DefaultInitialized => {
                default_account_state::instruction::initialize_default_account_state(program, mint, &AccountState::Initialized)
            }
            Extension::MintCloseAuthority => spl_token_2022::instruction::initialize_mint_close_authority(program, mint, Some(authority)),
        };
        ix.expect("extension instruction")
    }
}

impl MintKind {
    pub fn program(self) -> Pubkey {
        match self {
            MintKind::SplToken | MintKind::SplTokenFreezable => spl_token::ID,
            _ => spl_token_2022::ID,
        }
    }
    fn mint_extensions(self) -> Vec<ExtensionType> {
        match self {
            MintKind::Token2022TransferFee(_) => vec![ExtensionType::TransferFeeConfig],
            MintKind::Token2022With(e) => vec![e.extension_type()],
            _ => vec![],
        }
    }
    fn is_spl_token(self) -> bool {
        self.program() == spl_token::ID
    }
    /// Whether the mint has a freeze authority (the bank's payer).
    fn freezable(self) -> bool {
        matches!(self, MintKind::SplTokenFreezable | MintKind::Token2022With(Extension::DefaultFrozen | Extension::DefaultInitialized))
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
        let space = match kind.is_spl_token() {
            true => 82,
            false => ExtensionType::try_calculate_account_len::<Mint2022>(&kind.mint_extensions()).unwrap(),
        };
        let mut ixs: Vec<Instruction> = vec![];
        match kind {
            MintKind::Token2022TransferFee(bps) => ixs.push(
                transfer_fee::instruction::initialize_transfer_fee_config(&program, &mint.pubkey(), Some(&payer), Some(&payer), bps, u64::MAX)
                    .unwrap(),
            ),
            MintKind::Token2022With(e) => ixs.push(e.init_instruction(&program, &mint.pubkey(), &payer)),
            _ => {}
        }
        let freeze = kind.freezable().then_some(&payer);
        ixs.push(match kind.is_spl_token() {
            true => spl_token::instruction::initialize_mint2(&program, &mint.pubkey(), &payer, freeze, decimals).unwrap(),
            false => spl_token_2022::instruction::initialize_mint2(&program, &mint.pubkey(), &payer, freeze, decimals).unwrap(),
        });
        self.create_account(&mint, space, &program).await;
        self.send(&ixs, &[]).await.unwrap();
        mint.pubkey()
    }

    /// A new token account for `mint` owned by `owner`, tracked for snapshots.
    pub async fn create_token_account(&mut self, mint: &Pubkey, owner: &Pubkey, kind: MintKind) -> Pubkey {
        let account = Keypair::new();
        let program = kind.program();
        let space = match kind.is_spl_token() {
            true => 165,
            false => {
                let required = ExtensionType::get_required_init_account_extensions(&kind.mint_extensions());
                ExtensionType::try_calculate_account_len::<Account2022>(&required).unwrap()
            }
        };
        self.create_account(&account, space, &program).await;
        let mut ixs = vec![match kind.is_spl_token() {
            true => spl_token::instruction::initialize_account3(&program, &account.pubkey(), mint, owner).unwrap(),
            false => spl_token_2022::instruction::initialize_account3(&program, &account.pubkey(), mint, owner).unwrap(),
        }];
        if kind == MintKind::Token2022With(Extension::DefaultFrozen) {
            // Test accounts are thawed by the freeze authority so the seed can be minted; vaults would not be.
            let payer = self.banks.payer.pubkey();
            ixs.push(spl_token_2022::instruction::thaw_account(&program, &account.pubkey(), mint, &payer, &[]).unwrap());
        }
        self.send(&ixs, &[]).await.unwrap();
        self.token_accounts.push(account.pubkey());
        account.pubkey()
    }

    /// Mints `amount` native units of a test mint to `to`.
    pub async fn mint_to(&mut self, mint: &Pubkey, to: &Pubkey, amount: u64, kind: MintKind) {
        let payer = self.banks.payer.pubkey();
        let program = kind.program();
        let ix = match kind.is_spl_token() {
            true => spl_token::instruction::mint_to(&program, mint, to, &payer, &[], amount).unwrap(),
            false => spl_token_2022::instruction::mint_to(&program, mint, to, &payer, &[], amount).unwrap(),
        };
        self.send(&[ix], &[]).await.unwrap();
    }

    /// Plain SPL transfer between two token accounts (used for donations straight into a vault).
    pub async fn transfer_tokens(&mut self, from: &Pubkey, to: &Pubkey, authority: &Keypair, mint: &Pubkey, amount: u64, decimals: u8, kind: MintKind) {
        let program = kind.program();
        let ix = match kind.is_spl_token() {
            true => spl_token::instruction::transfer_checked(&program, from, mint, to, &authority.pubkey(), &[], amount, decimals).unwrap(),
            false => spl_token_2022::instruction::transfer_checked(&program, from, mint, to, &authority.pubkey(), &[], amount, decimals)
                .unwrap(),
        };
        self.send(&[ix], &[authority]).await.unwrap();
    }

    /// `owner` closes its empty token account `account`, rent back to itself.
    pub async fn close_token_account(&mut self, owner: &crate::context::User, account: &Pubkey, kind: MintKind) {
        let program = kind.program();
        let key = owner.key();
        let ix = match kind.is_spl_token() {
            true => spl_token::instruction::close_account(&program, account, &key, &key, &[]).unwrap(),
            false => spl_token_2022::instruction::close_account(&program, account, &key, &key, &[]).unwrap(),
        };
        self.send(&[ix], &[&owner.keypair]).await.expect("close_account succeeds on an empty account");
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
