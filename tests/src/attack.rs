//! What the exploit catalogue needs beyond the ordinary actions: forged accounts (copies owned by another
//! program, counterfeit sysvars), instructions with hand-made remaining accounts or substituted token accounts,
//! and the value an attacker holds, so a scenario can prove an attack yields nothing.
use crate::{context::User, reserves::ReserveInfo, TestContext};
use anchor_lang::{
    prelude::{AccountMeta, Pubkey},
    solana_program::instruction::Instruction,
};
use ballast::instructions::LiquidateArgs;
use solana_account::Account;
use solana_keypair::Keypair;
use solana_program_test::BanksClientError;
use solana_signer::Signer;

type TxResult = Result<(), BanksClientError>;

/// SPL Token's `MintMismatch`: the token account is of another mint.
pub const TOKEN_MINT_MISMATCH: u32 = 3;
/// SPL Token's `OwnerMismatch`: the signer is not the token account's owner (nor its delegate).
pub const TOKEN_OWNER_MISMATCH: u32 = 4;

/// A program id no one deployed: the owner of forged accounts.
pub const FORGER_PROGRAM_ID: Pubkey = Pubkey::new_from_array([0xF0; 32]);

impl TestContext {
    /// Writes `account` at `key` in the bank, bypassing every program: what an attacker's own program could
    /// create at an address it controls (anything it owns), or what a test needs to pose a forged state.
    pub fn forge_account(&mut self, key: &Pubkey, account: Account) {
        self.banks.set_account(key, &account.into());
    }

    /// Turns the account at `key` (a wallet) into a deployed program, as a deploy to a keypair the owner holds
    /// does: executable, owned by the upgradeable loader, pointing at its program data. An executable account's
    /// balance may not change, so nothing can pay it lamports any more.
    pub async fn make_executable(&mut self, key: &Pubkey) {
        let loader = Pubkey::from_str_const("BPFLoaderUpgradeab1e11111111111111111111111");
        let mut data = 2u32.to_le_bytes().to_vec(); // UpgradeableLoaderState::Program
        data.extend_from_slice(Pubkey::new_unique().as_ref());
        let lamports = self.account(key).await.map_or(1_000_000_000, |a| a.lamports.max(1_000_000_000));
        self.forge_account(key, Account { lamports, data, owner: loader, executable: true, rent_epoch: 0 });
    }

    /// A copy of `source` at a fresh address, owned by `owner`, with `edit` applied to its data: a counterfeit
    /// that carries the real account's discriminator and layout.
    pub async fn counterfeit(&mut self, source: &Pubkey, owner: Pubkey, edit: impl FnOnce(&mut Vec<u8>)) -> Pubkey {
        let mut account = self.account(source).await.expect("the account to copy exists");
        account.owner = owner;
        edit(&mut account.data);
        let key = Pubkey::new_unique();
        self.forge_account(&key, account);
        key
    }

    /// A liquidate instruction with exactly `health` as its remaining accounts.
    #[allow(clippy::too_many_arguments)]
    pub fn liquidate_ix_with(&self, liquidator: &User, owner: &User, repay: &ReserveInfo, withdraw: &ReserveInfo, args: LiquidateArgs, health: Vec<AccountMeta>) -> Instruction {
        let accounts = ballast_sdk::ix::LiquidatorAccounts {
            repay_liquidity: liquidator.liquidity(repay),
            withdraw_ctokens: liquidator.ctokens(withdraw),
            withdraw_liquidity: liquidator.liquidity(withdraw),
        };
        ballast_sdk::ix::liquidate_with(&liquidator.key(), &owner.obligation, &self.build_view(repay), &self.build_view(withdraw), &accounts, args, health)
    }

    /// The liquidate instruction the SDK would build for `owner`'s obligation as it is now (as much as one
    /// call allows, paid in cTokens), for sending inside a larger transaction.
    pub async fn liquidate_ix(&mut self, liquidator: &User, owner: &User, repay: &ReserveInfo, withdraw: &ReserveInfo) -> Instruction {
        let state = self.obligation_state(owner).await;
        let health = ballast_sdk::ix::liquidate_health(&state, &repay.key, &withdraw.key, self.price_account_of());
        self.liquidate_ix_with(liquidator, owner, repay, withdraw, max_liquidation(), health)
    }

    /// A repay of `owner`'s debt in `r`, signed by `payer`, drawing on `payer_liquidity` (any token account).
    pub fn repay_ix_from(&self, payer: &User, owner: &User, r: &ReserveInfo, payer_liquidity: Pubkey, max_liquidity_amount: u64) -> Instruction {
        ballast_sdk::ix::repay_with(&payer.key(), &owner.obligation, &self.build_view(r), &payer_liquidity, max_liquidity_amount, vec![])
    }

    /// `signer` tries to create obligation `id` at `obligation` (which need not be the signer's own PDA).
    pub async fn try_init_obligation_at(&mut self, signer: &User, obligation: Pubkey, id: u8) -> TxResult {
        // The SDK's instruction with the obligation account swapped for `obligation`.
        let mut ix = ballast_sdk::ix::init_obligation(&signer.key(), &self.market, id);
        let own = ballast_sdk::pda::obligation(&self.market, &signer.key(), id);
        ix.accounts.iter_mut().filter(|m| m.pubkey == own).for_each(|m| m.pubkey = obligation);
        self.send(&[ix], &[&signer.keypair]).await
    }

    /// A funded keypair that administers a market of its own (as anyone may create one), with its risk council
    /// the context's.
    pub async fn attacker_market(&mut self) -> (Keypair, Pubkey) {
        let admin = Keypair::new();
        self.airdrop(&admin.pubkey(), 10_000_000_000).await;
        let market = self.create_market(&admin).await;
        (admin, market)
    }

    /// Spot price of `r` as published, quote per whole token.
    pub fn spot(&self, r: &ReserveInfo) -> f64 {
        self.price_spec(r).price as f64 / 1e8
    }

    /// Quote value of `ctoken_amount` of `r`'s cTokens at its exchange rate and spot price.
    pub async fn ctoken_value(&mut self, r: &ReserveInfo, ctoken_amount: u64) -> f64 {
        if ctoken_amount == 0 {
            return 0.0;
        }
        let liquidity: f64 = self.reserve_state(r).await.ctokens_to_liquidity(ctoken_amount).unwrap().to_num();
        liquidity / 10f64.powi(r.decimals as i32) * self.spot(r)
    }

    /// Quote value of everything `user` holds in its wallet across `reserves`: liquidity and cTokens.
    pub async fn wallet_value(&mut self, user: &User, reserves: &[&ReserveInfo]) -> f64 {
        let mut value = 0.0;
        for r in reserves {
            let liquidity = self.balance(&user.liquidity(r)).await as f64 / 10f64.powi(r.decimals as i32);
            let ctokens = self.balance(&user.ctokens(r)).await;
            value += liquidity * self.spot(r) + self.ctoken_value(r, ctokens).await;
        }
        value
    }

    /// Quote value of `user`'s obligation: collateral at its exchange rate less debt, both at spot.
    pub async fn obligation_equity(&mut self, user: &User) -> f64 {
        let state = self.obligation_state(user).await;
        let mut equity = 0.0;
        for d in state.active_deposits() {
            let r = self.reserve_by_key(&d.reserve).clone();
            equity += self.ctoken_value(&r, d.ctoken_amount).await;
        }
        for b in state.active_borrows() {
            let r = self.reserve_by_key(&b.reserve).clone();
            let index = self.reserve_state(&r).await.cumulative_borrow_index_sf.get();
            let debt: f64 = b.debt_at(index).unwrap().to_num();
            equity -= debt / 10f64.powi(r.decimals as i32) * self.spot(&r);
        }
        equity
    }

    /// Depositors' liquidity of `r` per cToken (its exchange rate), as stored.
    pub async fn exchange_rate(&mut self, r: &ReserveInfo) -> f64 {
        let state = self.reserve_state(r).await;
        state.total_liquidity().unwrap().to_num::<f64>() / state.ctoken_supply as f64
    }
}

/// As much as one liquidation call allows, paid in cTokens, no slippage floor.
pub fn max_liquidation() -> LiquidateArgs {
    LiquidateArgs { max_repay_amount: u64::MAX, min_seized_out: 0, receive_underlying: false }
}

/// `ix` with the account at `index` replaced by `key` (keeping its signer and writable flags): for
/// substituting one of several metas that share a key.
pub fn with_account_at(mut ix: Instruction, index: usize, key: Pubkey) -> Instruction {
    ix.accounts[index].pubkey = key;
    ix
}

/// The data of an Instructions sysvar listing `ixs` with `current` as the running instruction, in the runtime's
/// layout (count, offsets, then per instruction its metas, program id and data, and the current index last):
/// what a counterfeit sysvar would carry.
pub fn instructions_sysvar_data(ixs: &[Instruction], current: u16) -> Vec<u8> {
    let mut bodies: Vec<Vec<u8>> = vec![];
    for ix in ixs {
        let mut body = (ix.accounts.len() as u16).to_le_bytes().to_vec();
        for meta in &ix.accounts {
            body.push(meta.is_signer as u8 | (meta.is_writable as u8) << 1);
            body.extend_from_slice(meta.pubkey.as_ref());
        }
        body.extend_from_slice(ix.program_id.as_ref());
        body.extend_from_slice(&(ix.data.len() as u16).to_le_bytes());
        body.extend_from_slice(&ix.data);
        bodies.push(body);
    }
    let mut data = (ixs.len() as u16).to_le_bytes().to_vec();
    let mut offset = 2 + 2 * ixs.len();
    for body in &bodies {
        data.extend_from_slice(&(offset as u16).to_le_bytes());
        offset += body.len();
    }
    for body in bodies {
        data.extend(body);
    }
    data.extend_from_slice(&current.to_le_bytes());
    data
}
