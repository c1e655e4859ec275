//! One method per instruction: `try_x` returns the bank's result; `x` expects success.
use crate::{context::*, reserves::ReserveInfo, TestContext};
use anchor_lang::{
    prelude::{AccountMeta, Pubkey},
    solana_program::instruction::Instruction,
};
use ballast::{
    math::Fraction,
    operations::isolation,
    state::{Obligation, ReserveConfig},
};
use ballast::events::*;
use solana_keypair::Keypair;
use solana_program_test::BanksClientError;

type TxResult = Result<(), BanksClientError>;

pub fn vaults(r: &ReserveInfo) -> ballast::accounts::ReserveVaults {
    ballast::accounts::ReserveVaults {
        market: r.market,
        market_authority: market_authority(&r.market),
        reserve: r.key,
        liquidity_mint: r.mint,
        liquidity_vault: r.liquidity_vault,
        ctoken_mint: r.ctoken_mint,
        collateral_vault: r.collateral_vault,
        token_program: r.token_program(),
    }
}

/// The owner-signed obligation with one reserve's vaults.
pub fn position(user: &User, r: &ReserveInfo) -> ballast::accounts::Position {
    ballast::accounts::Position { owner: user.key(), vaults: vaults(r), obligation: user.obligation }
}

macro_rules! expect_ok {
    ($name:ident, $try_name:ident ( $($arg:ident : $ty:ty),* )) => {
        pub async fn $name(&mut self, $($arg: $ty),*) {
            let what = stringify!($name);
            self.$try_name($($arg),*).await.unwrap_or_else(|e| panic!("{what} failed: {e:?}"));
        }
    };
}

impl TestContext {
    /// Health accounts for every distinct reserve of `obligation`, in the order the program expects (the SDK's
    /// builder), with each reserve's secondary feed where the test gave it one.
    pub fn health_metas(&self, obligation: &Obligation) -> Vec<AccountMeta> {
        ballast_sdk::ix::health_metas(obligation, self.price_account_of())
    }

    /// The price accounts of a reserve the context knows: its primary, and its secondary when it has one.
    pub fn price_account_of(&self) -> impl Fn(&Pubkey) -> ballast_sdk::ix::PriceKeys + '_ {
        |key| ballast_sdk::ix::PriceKeys { primary: self.reserve_by_key(key).price_account, secondary: self.secondaries.get(key).copied() }
    }

    /// `r` as the SDK's builders read it, without a round trip to the bank: only the addresses they take (vaults,
    /// mints, token program, price accounts). Builders that read live state (the queue's tail) get
    /// `reserve_view`, which reads the bank.
    pub fn build_view(&self, r: &ReserveInfo) -> ballast_sdk::accounts::ReserveView {
        let mut state: ballast::state::Reserve = bytemuck::Zeroable::zeroed();
        state.market = r.market;
        state.liquidity_mint = r.mint;
        state.token_program = r.token_program();
        state.liquidity_vault = r.liquidity_vault;
        state.ctoken_mint = r.ctoken_mint;
        state.collateral_vault = r.collateral_vault;
        state.fee_vault = r.fee_vault;
        state.config.oracle.price_account = r.price_account;
        if let Some(feed) = self.secondaries.get(&r.key) {
            state.config.secondary.kind = ballast::state::SECONDARY_SWITCHBOARD;
            state.config.secondary.price_account = *feed;
        }
        ballast_sdk::accounts::ReserveView { key: r.key, state }
    }

    /// Health accounts for the obligation as it will be after withdrawing `ctoken_amount` from `r`, with the
    /// collateral the withdrawal leaves alone writable (the SDK's rule).
    pub async fn health_after_withdraw(&mut self, user: &User, r: &ReserveInfo, ctoken_amount: u64) -> Vec<AccountMeta> {
        let before = self.obligation_state(user).await;
        ballast_sdk::ix::withdraw_health(&before, &r.key, ctoken_amount, self.price_account_of())
    }

    /// Health accounts for the obligation as it will be after borrowing from `r`. When its sole collateral is
    /// an isolated reserve (other than `r`), that reserve's pair is writable: the borrow counts against its
    /// debt ceiling.
    pub async fn health_after_borrow(&mut self, user: &User, r: &ReserveInfo) -> Vec<AccountMeta> {
        let mut after = self.obligation_state(user).await;
        let _ = after.borrow_slot(&r.key, Fraction::ONE);
        let mut metas = self.health_metas(&after);
        if let Some(key) = isolation::sole_collateral(&after).filter(|k| *k != r.key) {
            let collateral = self.reserve_by_key(&key).clone();
            if isolation::ceiling_applies(&self.reserve_state(&collateral).await.config) {
                writable(&mut metas, key);
            }
        }
        metas
    }

    /// The obligation's isolated reserve, writable, when debt counts against one the instruction does not
    /// already hold (`held`): what repay, liquidate and socialize_bad_debt need to release it.
    pub fn isolated_reserve_needed(obligation: &Obligation, held: &[Pubkey]) -> Option<Pubkey> {
        let key = obligation.isolated_reserve;
        (key != Pubkey::default() && !held.contains(&key)).then_some(key)
    }

    /// Sends `ix` with some account keys swapped, to prove the program rejects them.
    pub async fn try_tampered(&mut self, mut ix: Instruction, swaps: &[(Pubkey, Pubkey)], signers: &[&Keypair]) -> TxResult {
        for meta in ix.accounts.iter_mut() {
            if let Some((_, new)) = swaps.iter().find(|(old, _)| *old == meta.pubkey) {
                meta.pubkey = *new;
            }
        }
        self.send(&[ix], signers).await
    }

    // --- obligations ---

    pub async fn init_obligation(&mut self, user: &User, id: u8) -> TxResult {
        let ix = ballast_sdk::ix::init_obligation(&user.key(), &self.market, id);
        self.send(&[ix], &[&user.keypair]).await?;
        let obligation = obligation_address(&self.market, &user.key(), id);
        assert_eq!(self.emitted::<ObligationInitializedEvent>(), ObligationInitializedEvent { obligation, owner: user.key(), id });
        self.obligations.push(obligation);
        Ok(())
    }

    pub async fn try_close_obligation(&mut self, user: &User) -> TxResult {
        let ix = ballast_sdk::ix::close_obligation(&user.key(), &user.obligation);
        self.send(&[ix], &[&user.keypair]).await?;
        assert_eq!(self.emitted::<ObligationClosedEvent>(), ObligationClosedEvent { obligation: user.obligation, owner: user.key() });
        Ok(())
    }

    // --- liquidity ---

    pub fn deposit_ix(&self, user: &User, r: &ReserveInfo, liquidity_amount: u64) -> Instruction {
        ballast_sdk::ix::deposit_liquidity(&user.key(), &self.build_view(r), &user.liquidity(r), &user.ctokens(r), liquidity_amount)
    }

    pub async fn try_deposit(&mut self, user: &User, r: &ReserveInfo, liquidity_amount: u64) -> TxResult {
        let ix = self.deposit_ix(user, r, liquidity_amount);
        let before = self.balance(&user.ctokens(r)).await;
        self.send(&[ix], &[&user.keypair]).await?;
        let ctoken_amount = self.balance(&user.ctokens(r)).await - before;
        assert_eq!(self.emitted::<DepositEvent>(), DepositEvent { reserve: r.key, user: user.key(), liquidity_amount, ctoken_amount });
        Ok(())
    }
    expect_ok!(deposit, try_deposit(user: &User, r: &ReserveInfo, liquidity_amount: u64));

    pub async fn try_redeem(&mut self, user: &User, r: &ReserveInfo, ctoken_amount: u64) -> TxResult {
        let view = self.reserve_view(r).await;
        let ix = ballast_sdk::ix::redeem_collateral(&user.key(), &view, &user.liquidity(r), &user.ctokens(r), ctoken_amount);
        let before = self.balance(&user.liquidity(r)).await;
        self.send(&[ix], &[&user.keypair]).await?;
        let liquidity_amount = self.balance(&user.liquidity(r)).await - before;
        assert_eq!(self.emitted::<RedeemEvent>(), RedeemEvent { reserve: r.key, user: user.key(), ctoken_amount, liquidity_amount });
        Ok(())
    }
    expect_ok!(redeem, try_redeem(user: &User, r: &ReserveInfo, ctoken_amount: u64));

    // --- collateral ---

    /// With the reserve's price account(s) as the remaining accounts, which opening a new position needs.
    pub fn deposit_collateral_ix(&self, user: &User, r: &ReserveInfo, ctoken_amount: u64) -> Instruction {
        ballast_sdk::ix::deposit_collateral(&user.key(), &user.obligation, &self.build_view(r), &user.ctokens(r), ctoken_amount)
    }

    pub async fn try_deposit_collateral(&mut self, user: &User, r: &ReserveInfo, ctoken_amount: u64) -> TxResult {
        let ix = self.deposit_collateral_ix(user, r, ctoken_amount);
        self.send(&[ix], &[&user.keypair]).await?;
        assert_eq!(self.emitted::<CollateralInEvent>(), CollateralInEvent { obligation: user.obligation, reserve: r.key, ctoken_amount });
        Ok(())
    }
    expect_ok!(deposit_collateral, try_deposit_collateral(user: &User, r: &ReserveInfo, ctoken_amount: u64));

    pub async fn try_withdraw_collateral(&mut self, user: &User, r: &ReserveInfo, ctoken_amount: u64) -> TxResult {
        let health = self.health_after_withdraw(user, r, ctoken_amount).await;
        self.try_withdraw_collateral_with(user, r, ctoken_amount, health).await
    }
    expect_ok!(withdraw_collateral, try_withdraw_collateral(user: &User, r: &ReserveInfo, ctoken_amount: u64));

    pub async fn try_withdraw_collateral_with(&mut self, user: &User, r: &ReserveInfo, ctoken_amount: u64, health: Vec<AccountMeta>) -> TxResult {
        let ix = ballast_sdk::ix::withdraw_collateral_with(&user.key(), &user.obligation, &self.build_view(r), &user.ctokens(r), ctoken_amount, health);
        self.send(&[ix], &[&user.keypair]).await?;
        assert_eq!(self.emitted::<CollateralOutEvent>(), CollateralOutEvent { obligation: user.obligation, reserve: r.key, ctoken_amount });
        Ok(())
    }

    pub async fn try_deposit_liquidity_and_collateral(&mut self, user: &User, r: &ReserveInfo, liquidity_amount: u64) -> TxResult {
        let ix = ballast_sdk::ix::deposit_liquidity_and_collateral(&user.key(), &user.obligation, &self.build_view(r), &user.liquidity(r), liquidity_amount);
        let before = self.deposited_ctokens(user, r).await;
        self.send(&[ix], &[&user.keypair]).await?;
        let ctoken_amount = self.deposited_ctokens(user, r).await - before;
        assert_eq!(self.emitted::<DepositEvent>(), DepositEvent { reserve: r.key, user: user.key(), liquidity_amount, ctoken_amount });
        assert_eq!(self.emitted::<CollateralInEvent>(), CollateralInEvent { obligation: user.obligation, reserve: r.key, ctoken_amount });
        Ok(())
    }

    /// cTokens of `r` pledged in `user`'s obligation.
    pub async fn deposited_ctokens(&mut self, user: &User, r: &ReserveInfo) -> u64 {
        let obligation = self.obligation_state(user).await;
        obligation.active_deposits().iter().find(|d| d.reserve == r.key).map_or(0, |d| d.ctoken_amount)
    }
    expect_ok!(deposit_liquidity_and_collateral, try_deposit_liquidity_and_collateral(user: &User, r: &ReserveInfo, liquidity_amount: u64));

    pub async fn try_withdraw_collateral_and_redeem(&mut self, user: &User, r: &ReserveInfo, ctoken_amount: u64) -> TxResult {
        let view = self.reserve_view(r).await;
        let before = self.obligation_state(user).await;
        let ix = ballast_sdk::ix::withdraw_collateral_and_redeem(&user.key(), (&user.obligation, &before), &view, &user.liquidity(r), ctoken_amount, self.price_account_of());
        let balance = self.balance(&user.liquidity(r)).await;
        self.send(&[ix], &[&user.keypair]).await?;
        let liquidity_amount = self.balance(&user.liquidity(r)).await - balance;
        assert_eq!(self.emitted::<CollateralOutEvent>(), CollateralOutEvent { obligation: user.obligation, reserve: r.key, ctoken_amount });
        assert_eq!(self.emitted::<RedeemEvent>(), RedeemEvent { reserve: r.key, user: user.key(), ctoken_amount, liquidity_amount });
        Ok(())
    }
    expect_ok!(withdraw_collateral_and_redeem, try_withdraw_collateral_and_redeem(user: &User, r: &ReserveInfo, ctoken_amount: u64));

    // --- debt ---

    pub fn borrow_ix(&self, user: &User, r: &ReserveInfo, liquidity_amount: u64, health: Vec<AccountMeta>) -> Instruction {
        ballast_sdk::ix::borrow_with(&user.key(), &user.obligation, &self.build_view(r), &user.liquidity(r), liquidity_amount, health)
    }

    pub async fn try_borrow(&mut self, user: &User, r: &ReserveInfo, liquidity_amount: u64) -> TxResult {
        let health = self.health_after_borrow(user, r).await;
        self.try_borrow_with(user, r, liquidity_amount, health).await
    }
    expect_ok!(borrow, try_borrow(user: &User, r: &ReserveInfo, liquidity_amount: u64));

    pub async fn try_borrow_with(&mut self, user: &User, r: &ReserveInfo, liquidity_amount: u64, health: Vec<AccountMeta>) -> TxResult {
        let ix = self.borrow_ix(user, r, liquidity_amount, health);
        let (balance, fee_bps) = (self.balance(&user.liquidity(r)).await, self.reserve_state(r).await.config.origination_fee_bps);
        self.send(&[ix], &[&user.keypair]).await?;
        assert_eq!(self.balance(&user.liquidity(r)).await - balance, liquidity_amount);
        let origination_fee = ballast::math::mul_div_ceil(liquidity_amount, u64::from(fee_bps), ballast::constants::BPS).unwrap();
        assert_eq!(self.emitted::<BorrowEvent>(), BorrowEvent { obligation: user.obligation, reserve: r.key, liquidity_amount, origination_fee });
        Ok(())
    }

    /// `payer` repays `owner`'s debt to `r` from the payer's own tokens, passing the obligation's isolated
    /// reserve when it has one.
    pub async fn try_repay(&mut self, payer: &User, owner: &User, r: &ReserveInfo, max_liquidity_amount: u64) -> TxResult {
        let state = self.obligation_state(owner).await;
        let ix = ballast_sdk::ix::repay(&payer.key(), (&owner.obligation, &state), &self.build_view(r), &payer.liquidity(r), max_liquidity_amount);
        let balance = self.balance(&payer.liquidity(r)).await;
        self.send(&[ix], &[&payer.keypair]).await?;
        let liquidity_amount = balance - self.balance(&payer.liquidity(r)).await;
        let closed = !self.obligation_state(owner).await.active_borrows().iter().any(|b| b.reserve == r.key);
        let expected = RepayEvent { obligation: owner.obligation, reserve: r.key, payer: payer.key(), liquidity_amount, closed };
        assert_eq!(self.emitted::<RepayEvent>(), expected);
        Ok(())
    }

    /// Repay with exactly `remaining` as its remaining accounts.
    pub async fn try_repay_with(&mut self, payer: &User, owner: &User, r: &ReserveInfo, max_liquidity_amount: u64, remaining: Vec<AccountMeta>) -> TxResult {
        let ix = ballast_sdk::ix::repay_with(&payer.key(), &owner.obligation, &self.build_view(r), &payer.liquidity(r), max_liquidity_amount, remaining);
        self.send(&[ix], &[&payer.keypair]).await
    }
    expect_ok!(repay, try_repay(payer: &User, owner: &User, r: &ReserveInfo, max_liquidity_amount: u64));

    // --- keeper and admin ---

    pub async fn try_refresh_reserve(&mut self, r: &ReserveInfo) -> TxResult {
        let view = self.reserve_view(r).await;
        self.send(&[ballast_sdk::ix::refresh_reserve(&view)], &[]).await?;
        let state = self.reserve_state(r).await;
        let e = self.emitted::<ReserveRefreshedEvent>();
        assert_eq!(e.reserve, r.key);
        assert_eq!(e.cumulative_borrow_index_bits, state.cumulative_borrow_index_sf.get().to_bits());
        assert_eq!((e.price_bits, e.borrowed_bits), (state.cached_price_sf.get().to_bits(), state.borrowed_sf.get().to_bits()));
        assert_eq!(e.available_liquidity, state.available_liquidity);
        assert_eq!((e.regime_variance_nano, e.regime_level_bps), (state.regime_variance_nano, state.regime_level_bps()));
        Ok(())
    }
    expect_ok!(refresh_reserve, try_refresh_reserve(r: &ReserveInfo));

    pub async fn try_sweep_fees(&mut self, r: &ReserveInfo) -> TxResult {
        let before = self.balance(&r.fee_vault).await;
        let ix = ballast_sdk::ix::sweep_fees(&self.admin.key(), &self.build_view(r));
        let admin = self.admin.keypair.insecure_clone();
        self.send(&[ix], &[&admin]).await?;
        let swept = self.balance(&r.fee_vault).await - before;
        assert_eq!(self.emitted::<FeesSweptEvent>(), FeesSweptEvent { reserve: r.key, liquidity_amount: swept });
        *self.swept.entry(r.key).or_default() += swept;
        Ok(())
    }

    /// The admin sends `liquidity_amount` (u64::MAX = all) of swept fees from `r`'s fee vault to `receiver`.
    pub async fn try_withdraw_fees(&mut self, signer: &Keypair, r: &ReserveInfo, receiver: &Pubkey, liquidity_amount: u64) -> TxResult {
        let before = self.balance(&r.fee_vault).await;
        let view = ballast_sdk::accounts::ReserveView { key: r.key, state: self.reserve_state(r).await };
        let ix = ballast_sdk::ix::withdraw_fees(&signer.pubkey_(), &view, receiver, liquidity_amount);
        self.send(&[ix], &[signer]).await?;
        let fee_vault_after = self.balance(&r.fee_vault).await;
        let withdrawn = before - fee_vault_after;
        let expected = FeesWithdrawnEvent { reserve: r.key, receiver: *receiver, liquidity_amount: withdrawn, fee_vault_after };
        assert_eq!(self.emitted::<FeesWithdrawnEvent>(), expected);
        *self.swept.entry(r.key).or_default() -= withdrawn;
        Ok(())
    }

    pub async fn try_update_reserve_config(&mut self, signer: &Keypair, r: &ReserveInfo, config: ReserveConfig) -> TxResult {
        let ix = ballast_sdk::ix::update_reserve_config(&signer.pubkey_(), &r.market, &r.key, config);
        let old = self.reserve_state(r).await.config;
        self.send(&[ix], &[signer]).await?;
        let expected = ReserveConfigChangedEvent { reserve: r.key, signer: signer.pubkey_(), by_admin: true, old: old.into(), new: config.into() };
        assert_eq!(self.emitted::<ReserveConfigChangedEvent>(), expected);
        assert_eq!(self.reserve_state(r).await.config, config);
        Ok(())
    }

    /// `liquidator` repays up to `max_repay_amount` of `owner`'s debt in `repay` for collateral in `withdraw`.
    #[allow(clippy::too_many_arguments)]
    pub async fn try_liquidate(
        &mut self,
        liquidator: &User,
        owner: &User,
        repay: &ReserveInfo,
        withdraw: &ReserveInfo,
        max_repay_amount: u64,
        min_seized_out: u64,
        receive_underlying: bool,
    ) -> TxResult {
        let state = self.obligation_state(owner).await;
        let health = ballast_sdk::ix::liquidate_health(&state, &repay.key, &withdraw.key, self.price_account_of());
        let args = ballast::instructions::LiquidateArgs { max_repay_amount, min_seized_out, receive_underlying };
        let ix = self.liquidate_ix_with(liquidator, owner, repay, withdraw, args, health);
        let paid = self.balance(&liquidator.liquidity(repay)).await;
        let (liquidity, ctokens) = (self.balance(&liquidator.liquidity(withdraw)).await, self.balance(&liquidator.ctokens(withdraw)).await);
        let pledged = self.deposited_ctokens(owner, withdraw).await;
        self.send(&[ix], &[&liquidator.keypair]).await?;
        let e = self.emitted::<LiquidateEvent>();
        assert_eq!((e.obligation, e.liquidator), (owner.obligation, liquidator.key()));
        assert_eq!((e.repay_reserve, e.withdraw_reserve), (repay.key, withdraw.key));
        // Underlying is paid only when asked for (and falls back to cTokens when the vault cannot pay).
        assert!(receive_underlying || !e.received_underlying);
        // Signed: paying and receiving the same token nets out in one account, and may net below zero.
        let received = match e.received_underlying {
            true => self.balance(&liquidator.liquidity(withdraw)).await as i128 - liquidity as i128,
            false => self.balance(&liquidator.ctokens(withdraw)).await as i128 - ctokens as i128,
        };
        let paid_out = paid as i128 - self.balance(&liquidator.liquidity(repay)).await as i128;
        if repay.key != withdraw.key || !e.received_underlying {
            assert_eq!(e.repay_amount as i128, paid_out);
            assert_eq!(e.received_amount as i128, received);
        } else {
            // One account, both legs: the event still states each, and they net to what the account moved.
            assert_eq!(received, e.received_amount as i128 - e.repay_amount as i128);
        }
        assert_eq!(e.seized_ctokens, pledged - self.deposited_ctokens(owner, withdraw).await);
        if !e.received_underlying {
            assert_eq!(e.received_amount, e.seized_ctokens - e.protocol_fee_ctokens, "paid in cTokens: the seized less the fee");
        }
        assert!(e.seized_ctokens >= e.protocol_fee_ctokens && e.received_amount >= min_seized_out);
        Ok(())
    }

    /// Liquidates as much as one call allows, paid in cTokens.
    pub async fn liquidate(&mut self, liquidator: &User, owner: &User, repay: &ReserveInfo, withdraw: &ReserveInfo) {
        self.try_liquidate(liquidator, owner, repay, withdraw, u64::MAX, 0, false)
            .await
            .unwrap_or_else(|e| panic!("liquidate failed: {e:?}"));
    }

    /// Anyone records `owner`'s obligation as insolvent or solvent on the current prices (`mark_insolvency`);
    /// the event states the record as it stands.
    pub async fn try_mark_insolvency(&mut self, owner: &User) -> TxResult {
        let state = self.obligation_state(owner).await;
        let ix = ballast_sdk::ix::mark_insolvency(&self.market, (&owner.obligation, &state), self.price_account_of());
        self.send(&[ix], &[]).await?;
        let after = self.obligation_state(owner).await.insolvent_since;
        let e = self.emitted::<InsolvencyMarkedEvent>();
        assert_eq!((e.obligation, e.insolvent_since), (owner.obligation, after));
        assert!(after == 0 || state.insolvent_since == 0 || after == state.insolvent_since, "a running clock keeps its start");
        Ok(())
    }

    pub async fn try_socialize_bad_debt(&mut self, owner: &User, r: &ReserveInfo) -> TxResult {
        let state = self.obligation_state(owner).await;
        let ix = ballast_sdk::ix::socialize_bad_debt(&r.market, &r.key, (&owner.obligation, &state));
        self.send(&[ix], &[]).await?;
        let e = self.emitted::<BadDebtSocializedEvent>();
        assert_eq!((e.obligation, e.reserve), (owner.obligation, r.key));
        assert_eq!(e.from_insurance + e.from_protocol_fees + e.from_depositors, e.debt_amount, "every unit written off has a payer");
        assert!(!self.obligation_state(owner).await.active_borrows().iter().any(|b| b.reserve == r.key), "the debt is gone");
        Ok(())
    }

    /// The admin edits the reserve's config in place (a change that does not loosen risk).
    pub async fn try_edit_reserve_config(&mut self, r: &ReserveInfo, edit: impl FnOnce(&mut ReserveConfig)) -> TxResult {
        let mut config = self.reserve_state(r).await.config;
        edit(&mut config);
        let admin = self.admin.keypair.insecure_clone();
        self.try_update_reserve_config(&admin, r, config).await
    }

    /// Rewrites the reserve's stored config in the bank, bypassing every validation: what a program upgrade that
    /// tightens a rule leaves behind in accounts created before it.
    pub async fn overwrite_stored_config(&mut self, r: &ReserveInfo, edit: impl FnOnce(&mut ReserveConfig)) {
        let mut account = self.account(&r.key).await.expect("reserve exists");
        let mut state: ballast::state::Reserve = bytemuck::pod_read_unaligned(&account.data[8..8 + std::mem::size_of::<ballast::state::Reserve>()]);
        edit(&mut state.config);
        account.data[8..8 + std::mem::size_of::<ballast::state::Reserve>()].copy_from_slice(bytemuck::bytes_of(&state));
        self.banks.set_account(&r.key, &account.into());
    }

    /// Sends tokens straight into the reserve's liquidity vault, outside the program.
    pub async fn donate(&mut self, from: &User, r: &ReserveInfo, amount: u64) {
        self.transfer_tokens(&from.liquidity(r), &r.liquidity_vault, &from.keypair, &r.mint, amount, r.decimals, r.kind).await;
        *self.donations.entry(r.key).or_default() += amount;
    }
}

/// Makes the reserve `key` writable among `metas` (a health pair), or appends it writable when absent.
fn writable(metas: &mut Vec<AccountMeta>, key: Pubkey) {
    match metas.iter_mut().find(|m| m.pubkey == key) {
        Some(meta) => meta.is_writable = true,
        None => metas.push(AccountMeta::new(key, false)),
    }
}

trait PubkeyOf {
    fn pubkey_(&self) -> Pubkey;
}
impl PubkeyOf for Keypair {
    fn pubkey_(&self) -> Pubkey {
        solana_signer::Signer::pubkey(self)
    }
}
