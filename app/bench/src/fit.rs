//! Transaction fit per instruction: accounts, writable accounts, legacy and v0 bytes and account locks at 1+1,
//! 4+4 and 8+8 positions over distinct reserves, built with the SDK's own builders over synthetic state.
use anchor_lang::prelude::Pubkey;
use ballast::{
    instructions::LiquidateArgs,
    math::{Fraction, Sf},
    state::{Obligation, ObligationCollateral, ObligationLiquidity, Reserve},
};
use ballast_sdk::{accounts::ReserveView, ix, lut, pda, tx};
use bytemuck::Zeroable;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::{AddressLookupTableAccount, Hash};
use solana_signer::Signer;

#[derive(Clone, Debug, serde::Serialize)]
pub struct Fit {
    pub instruction: String,
    /// "1+1", "4+4", "8+8", or "-" where positions do not matter.
    pub positions: String,
    pub accounts: usize,
    pub writable: usize,
    pub legacy_bytes: usize,
    pub v0_bytes: usize,
    pub locks: usize,
    /// Fits mainnet as legacy, or else as v0 with the market's table.
    pub fits: bool,
}

struct World {
    market: Pubkey,
    reserves: Vec<ReserveView>,
    table: AddressLookupTableAccount,
    payer: Keypair,
    user: Keypair,
}

impl World {
    /// 16 reserves; with `secondaries`, each has a Switchboard feed as its second source (in the table too).
    fn new(secondaries: bool) -> Self {
        let market = Pubkey::new_unique();
        let reserves: Vec<ReserveView> = (0..16)
            .map(|_| {
                let mint = Pubkey::new_unique();
                let key = pda::reserve(&market, &mint);
                let mut state = Reserve::zeroed();
                state.market = market;
                state.liquidity_mint = mint;
                state.token_program = ballast_sdk::tokens::SPL_TOKEN_ID;
                state.liquidity_vault = pda::liquidity_vault(&key);
                state.ctoken_mint = pda::ctoken_mint(&key);
                state.collateral_vault = pda::collateral_vault(&key);
                state.fee_vault = pda::fee_vault(&key);
                state.config.oracle.price_account = Pubkey::new_unique();
                if secondaries {
                    state.config.secondary.kind = ballast::state::SECONDARY_SWITCHBOARD;
                    state.config.secondary.price_account = Pubkey::new_unique();
                }
                ReserveView { key, state }
            })
            .collect();
        let table = AddressLookupTableAccount { key: Pubkey::new_unique(), addresses: lut::market_table_addresses(&market, &reserves) };
        Self { market, reserves, table, payer: Keypair::new(), user: Keypair::new() }
    }

    /// n deposits in reserves 0..n and n borrows in reserves 8..8+n.
    fn obligation(&self, n: usize) -> Obligation {
        let mut o = Obligation::zeroed();
        o.market = self.market;
        o.owner = self.user.pubkey();
        for i in 0..n {
            o.deposits[i] = ObligationCollateral { reserve: self.reserves[i].key, ctoken_amount: 1 };
            o.borrows[i] = ObligationLiquidity { reserve: self.reserves[8 + i].key, borrowed_sf: Sf::from(Fraction::ONE), cumulative_borrow_index_sf: Sf::from(Fraction::ONE) };
        }
        o
    }

    fn price_of(&self) -> impl Fn(&Pubkey) -> Pubkey + '_ {
        |k| self.reserves.iter().find(|r| r.key == *k).map(|r| r.price_account()).unwrap_or_default()
    }

    /// Every reserve's primary and secondary (what borrow and withdraw must pass).
    fn both_sources(&self) -> impl Fn(&Pubkey) -> ix::PriceKeys + '_ {
        |k| self.reserves.iter().find(|r| r.key == *k).map(|r| r.price_keys()).unwrap_or_default()
    }

    /// As the keeper builds a liquidation when the primaries of the first `dead` reserves fail: the secondary
    /// only for those (`MarketSnapshot::liquidation_price_accounts`).
    fn failover(&self, dead: usize) -> impl Fn(&Pubkey) -> ix::PriceKeys + '_ {
        move |k| match self.reserves.iter().position(|r| r.key == *k) {
            Some(i) if i < dead => self.reserves[i].price_keys(),
            Some(i) => self.reserves[i].price_account().into(),
            None => ix::PriceKeys::default(),
        }
    }

    fn measure(&self, instruction: &str, positions: &str, ixs: &[Instruction]) -> Fit {
        let mut keys: Vec<(Pubkey, bool)> = vec![];
        for meta in ixs.iter().flat_map(|ix| &ix.accounts) {
            match keys.iter_mut().find(|(k, _)| *k == meta.pubkey) {
                Some((_, w)) => *w |= meta.is_writable,
                None => keys.push((meta.pubkey, meta.is_writable)),
            }
        }
        let signers = [&self.user];
        let legacy = tx::build(ixs, &self.payer, &signers, Hash::default(), &[]).expect("legacy compiles");
        let v0 = tx::build_v0(ixs, &self.payer, &signers, Hash::default(), std::slice::from_ref(&self.table)).expect("v0 compiles");
        let (l, v) = (tx::fit(&legacy), tx::fit(&v0));
        Fit {
            instruction: instruction.into(),
            positions: positions.into(),
            accounts: keys.len(),
            writable: keys.iter().filter(|(_, w)| *w).count(),
            legacy_bytes: l.bytes,
            v0_bytes: v.bytes,
            locks: v.locks,
            fits: l.fits() || v.fits(),
        }
    }
}

/// Every user and keeper instruction; the health-checked ones at 1+1, 4+4 and 8+8.
pub fn fits() -> Vec<Fit> {
    let mut out = single_source_fits();
    out.extend(two_source_fits());
    out
}

fn single_source_fits() -> Vec<Fit> {
    let w = World::new(false);
    let (user, obligation_key) = (w.user.pubkey(), Pubkey::new_unique());
    let r = &w.reserves[0];
    let any = Pubkey::new_unique();
    let mut out = vec![
        w.measure("deposit_liquidity", "-", &[ix::deposit_liquidity(&user, r, &any, &any, 1)]),
        w.measure("redeem_collateral", "-", &[ix::redeem_collateral(&user, r, &any, &any, 1)]),
        w.measure("deposit_collateral", "-", &[ix::deposit_collateral(&user, &obligation_key, r, &any, 1)]),
        w.measure("deposit_liquidity_and_collateral", "-", &[ix::deposit_liquidity_and_collateral(&user, &obligation_key, r, &any, 1)]),
        w.measure("repay", "-", &[ix::repay(&user, (&obligation_key, &w.obligation(1)), &w.reserves[8], &any, 1)]),
        w.measure("flash_borrow + flash_repay", "-", &[ix::flash_borrow(&user, r, &any, 1), ix::flash_repay(&user, r, &any, 1)]),
        w.measure("socialize_bad_debt", "-", &[ix::socialize_bad_debt(&w.market, &w.reserves[8].key, (&obligation_key, &w.obligation(1)))]),
        w.measure("refresh_reserve", "-", &[ix::refresh_reserve(r)]),
    ];
    for n in [1usize, 4, 8] {
        let o = w.obligation(n);
        let p = format!("{n}+{n}");
        let (debt, coll) = (&w.reserves[8], &w.reserves[0]);
        out.push(w.measure("borrow", &p, &[ix::borrow(&user, (&obligation_key, &o), debt, &any, 1, w.price_of())]));
        out.push(w.measure("withdraw_collateral", &p, &[ix::withdraw_collateral(&user, (&obligation_key, &o), coll, &any, 1, w.price_of())]));
        out.push(w.measure("withdraw_collateral_and_redeem", &p, &[ix::withdraw_collateral_and_redeem(&user, (&obligation_key, &o), coll, &any, 1, w.price_of())]));
        out.push(w.measure("set_elevation_group", &p, &[ix::set_elevation_group(&user, &w.market, (&obligation_key, &o), 0, w.price_of())]));
        let accounts = ix::LiquidatorAccounts { repay_liquidity: any, withdraw_ctokens: Pubkey::new_unique(), withdraw_liquidity: Pubkey::new_unique() };
        let args = LiquidateArgs { max_repay_amount: u64::MAX, min_seized_out: 0, receive_underlying: false };
        out.push(w.measure("liquidate", &p, &[ix::liquidate(&user, (&obligation_key, &o), debt, coll, &accounts, args, w.price_of())]));
    }
    out
}

/// With a secondary source on every reserve at 8+8: borrow and withdraw carry both sources of all 16; a
/// liquidation carries a secondary only for the reserves whose primary failed (0, 8, 13 or all 16 of them).
fn two_source_fits() -> Vec<Fit> {
    let w = World::new(true);
    let (user, obligation_key) = (w.user.pubkey(), Pubkey::new_unique());
    let any = Pubkey::new_unique();
    let o = w.obligation(8);
    let (debt, coll) = (&w.reserves[8], &w.reserves[0]);
    let mut out = vec![
        w.measure("borrow, two sources", "8+8", &[ix::borrow(&user, (&obligation_key, &o), debt, &any, 1, w.both_sources())]),
        w.measure("withdraw_collateral, two sources", "8+8", &[ix::withdraw_collateral(&user, (&obligation_key, &o), coll, &any, 1, w.both_sources())]),
        w.measure("redeem_collateral, two sources", "-", &[ix::redeem_collateral(&user, coll, &any, &any, 1)]),
    ];
    let accounts = ix::LiquidatorAccounts { repay_liquidity: any, withdraw_ctokens: Pubkey::new_unique(), withdraw_liquidity: Pubkey::new_unique() };
    let args = LiquidateArgs { max_repay_amount: u64::MAX, min_seized_out: 0, receive_underlying: false };
    for dead in [0usize, 8, 13, 16] {
        let label = format!("liquidate, {dead} primaries dead");
        out.push(w.measure(&label, "8+8", &[ix::liquidate(&user, (&obligation_key, &o), debt, coll, &accounts, args.clone(), w.failover(dead))]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(rows: &'a [Fit], instruction: &str) -> &'a Fit {
        rows.iter().find(|f| f.instruction == instruction).unwrap_or_else(|| panic!("no row {instruction}"))
    }

    /// Mainnet's limits (program-test enforces neither): with two sources per reserve an 8+8 borrow fits, and
    /// a liquidation fits while at most 13 of the 16 primaries have failed over (the event authority takes one
    /// lock). With all 16 dead it needs 67 locks: the SDK refuses it before sending, and a partial liquidation
    /// on fewer positions is the way out.
    #[test]
    fn fit_succeeds_within_mainnet_limits_for_two_source_liquidations_up_to_thirteen_dead_primaries() {
        let rows = two_source_fits();
        for name in ["borrow, two sources", "withdraw_collateral, two sources", "redeem_collateral, two sources", "liquidate, 0 primaries dead", "liquidate, 8 primaries dead", "liquidate, 13 primaries dead"] {
            let f = row(&rows, name);
            assert!(f.fits && f.locks <= tx::MAX_ACCOUNT_LOCKS, "{name}: {f:?}");
        }
        let all_dead = row(&rows, "liquidate, 16 primaries dead");
        assert!(!all_dead.fits && all_dead.locks > tx::MAX_ACCOUNT_LOCKS, "{all_dead:?}");
    }
}
