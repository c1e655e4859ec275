//! Flash loans in the harness: instruction builders, a borrow + repay pair sent as one transaction, and a
//! test-only native program that forwards an instruction to Ballast through a real CPI.
use crate::{context::User, reserves::ReserveInfo, TestContext};
use anchor_lang::{
    prelude::{AccountInfo, AccountMeta, ProgramError, Pubkey},
    solana_program::{entrypoint::ProgramResult, instruction::Instruction, program::invoke},
};
use ballast::state::MARKET_FLAG_EMERGENCY;
use solana_program_test::BanksClientError;

type TxResult = Result<(), BanksClientError>;

/// Program id of the CPI proxy registered in every `TestContext`.
pub const CPI_PROXY_ID: Pubkey = Pubkey::new_from_array([0xCF; 32]);

/// The CPI proxy: account 0 is the program to call, the rest are that program's accounts in order, and
/// the instruction data is passed through unchanged. Signer and writable flags are kept.
pub fn cpi_proxy(_program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let (program, rest) = accounts.split_first().ok_or(ProgramError::NotEnoughAccountKeys)?;
    let metas = rest
        .iter()
        .map(|a| AccountMeta { pubkey: *a.key, is_signer: a.is_signer, is_writable: a.is_writable })
        .collect();
    invoke(&Instruction { program_id: *program.key, accounts: metas, data: data.to_vec() }, accounts)
}

/// `ix` wrapped so that the CPI proxy, not the transaction, invokes it.
pub fn through_cpi(ix: Instruction) -> Instruction {
    let mut accounts = vec![AccountMeta::new_readonly(ix.program_id, false)];
    accounts.extend(ix.accounts);
    Instruction { program_id: CPI_PROXY_ID, accounts, data: ix.data }
}

impl TestContext {
    pub fn flash_borrow_ix(&self, user: &User, r: &ReserveInfo, liquidity_amount: u64) -> Instruction {
        ballast_sdk::ix::flash_borrow(&user.key(), &self.build_view(r), &user.liquidity(r), liquidity_amount)
    }

    pub fn flash_repay_ix(&self, user: &User, r: &ReserveInfo, liquidity_amount: u64) -> Instruction {
        ballast_sdk::ix::flash_repay(&user.key(), &self.build_view(r), &user.liquidity(r), liquidity_amount)
    }

    /// `flash_borrow(borrow, borrow_amount)` then `flash_repay(repay, repay_amount)` in one transaction.
    pub async fn try_flash(&mut self, user: &User, borrow: &ReserveInfo, borrow_amount: u64, repay: &ReserveInfo, repay_amount: u64) -> TxResult {
        let ixs = [self.flash_borrow_ix(user, borrow, borrow_amount), self.flash_repay_ix(user, repay, repay_amount)];
        let fee = ballast::operations::flash::flash_fee_ceil(&self.reserve_state(repay).await, borrow_amount).unwrap();
        self.send(&ixs, &[&user.keypair]).await?;
        let lent = ballast::events::FlashBorrowEvent { reserve: borrow.key, user: user.key(), liquidity_amount: borrow_amount };
        assert_eq!(self.emitted::<ballast::events::FlashBorrowEvent>(), lent);
        let e = self.emitted::<ballast::events::FlashRepayEvent>();
        assert_eq!((e.reserve, e.user, e.liquidity_amount), (repay.key, user.key(), borrow_amount));
        assert_eq!((e.fee_amount, e.protocol_fee_amount, e.insurance_fee_amount), (fee.fee_amount, fee.to_protocol, fee.to_insurance));
        Ok(())
    }

    /// A correct flash loan of `liquidity_amount` from `r`.
    pub async fn flash(&mut self, user: &User, r: &ReserveInfo, liquidity_amount: u64) {
        self.try_flash(user, r, liquidity_amount, r, liquidity_amount)
            .await
            .unwrap_or_else(|e| panic!("flash loan failed: {e:?}"));
    }

    /// Any sequence of instructions (from the `*_ix` builders) as one transaction signed by `user`.
    pub async fn try_in_one_transaction(&mut self, user: &User, ixs: &[Instruction]) -> TxResult {
        self.send(ixs, &[&user.keypair]).await
    }

    /// Turns the default market's emergency mode on (the risk council, at once) or off (queued by the
    /// admin and applied after the market's timelock, which is 0 in tests).
    pub async fn set_market_emergency(&mut self, on: bool) {
        let mut config = self.market_config().await;
        if on {
            config.flags |= MARKET_FLAG_EMERGENCY;
            let council = self.risk_council.insecure_clone();
            self.try_tighten_market_config(&council, config).await.expect("council enters emergency mode");
        } else {
            config.flags &= !MARKET_FLAG_EMERGENCY;
            let admin = self.admin.keypair.insecure_clone();
            self.try_queue_market_config(&admin, config).await.expect("admin queues leaving emergency mode");
            self.try_apply_pending_market_config().await.expect("the change applies after the timelock");
        }
    }
}
