//! Accounting invariants checked after every scenario, and snapshots proving failed calls change nothing.
use crate::TestContext;
use anchor_lang::prelude::Pubkey;
use ballast::math::Fraction;
use std::collections::BTreeMap;

/// Token balances, cToken supplies and Ballast account bytes at one moment.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    balances: BTreeMap<Pubkey, u64>,
    supplies: BTreeMap<Pubkey, u64>,
    accounts: BTreeMap<Pubkey, Option<Vec<u8>>>,
}

impl TestContext {
    pub async fn snapshot(&mut self) -> Snapshot {
        let mut s = Snapshot { balances: BTreeMap::new(), supplies: BTreeMap::new(), accounts: BTreeMap::new() };
        for key in self.token_accounts.clone() {
            let b = self.balance(&key).await;
            s.balances.insert(key, b);
        }
        let reserves = self.reserves.clone();
        for r in &reserves {
            let supply = self.mint_supply(&r.ctoken_mint).await;
            s.supplies.insert(r.ctoken_mint, supply);
            let data = self.account(&r.key).await.map(|a| a.data);
            s.accounts.insert(r.key, data);
        }
        for key in self.obligations.clone() {
            let data = self.account(&key).await.map(|a| a.data);
            s.accounts.insert(key, data);
        }
        let market = self.market;
        let data = self.account(&market).await.map(|a| a.data);
        s.accounts.insert(market, data);
        s
    }

    /// Every token balance, cToken supply and Ballast account is exactly as in `before`.
    pub async fn assert_unchanged(&mut self, before: &Snapshot) {
        let now = self.snapshot().await;
        assert_eq!(&now.balances, &before.balances, "token balances changed after a failed instruction");
        assert_eq!(&now.supplies, &before.supplies, "cToken supply changed after a failed instruction");
        assert_eq!(&now.accounts, &before.accounts, "Ballast accounts changed after a failed instruction");
    }

    /// For every reserve: the liquidity vault equals available liquidity (plus outside donations), the
    /// cToken mint supply plus the locked seed equals the reserve's cToken supply, the collateral vault holds
    /// exactly the cTokens obligations pledged, the fee vault holds exactly what was swept, the reserve's debt
    /// equals the sum of its obligations' debts (up to fixed-point rounding), and its isolated debt usage
    /// equals exactly the sum of the counts of the obligations that name it as their isolated reserve.
    pub async fn assert_invariants(&mut self) {
        let obligations: Vec<_> = {
            let mut v = vec![];
            for key in self.obligations.clone() {
                if let Some(o) = self.obligation_at(&key).await {
                    v.push(o);
                }
            }
            v
        };
        for r in self.reserves.clone() {
            let state = self.reserve_state(&r).await;
            let vault = self.balance(&r.liquidity_vault).await;
            let donated = self.donations.get(&r.key).copied().unwrap_or(0);
            assert_eq!(vault, state.available_liquidity + donated, "{}: liquidity vault vs available liquidity", r.symbol);

            let minted = self.mint_supply(&r.ctoken_mint).await;
            let unminted = state.locked_ctokens + state.queued_ctokens + state.set_aside_ctokens;
            assert_eq!(minted + unminted, state.ctoken_supply, "{}: cToken mint supply + locked + ticketed vs supply", r.symbol);
            let tickets = self.tickets(&r).await;
            let (queued, set_aside) = tickets.iter().fold((0, 0), |(q, s), t| match t.status {
                ballast::state::TICKET_QUEUED => (q + t.ctoken_amount, s),
                ballast::state::TICKET_SET_ASIDE => (q, s + t.ctoken_amount),
                _ => (q, s),
            });
            assert_eq!((queued, set_aside), (state.queued_ctokens, state.set_aside_ctokens), "{}: tickets vs queued and set-aside cTokens", r.symbol);

            let pledged: u64 = obligations
                .iter()
                .flat_map(|o| o.active_deposits().iter().filter(|d| d.reserve == r.key).map(|d| d.ctoken_amount).collect::<Vec<_>>())
                .sum();
            assert_eq!(self.balance(&r.collateral_vault).await, pledged, "{}: collateral vault vs pledged cTokens", r.symbol);

            let swept = self.swept.get(&r.key).copied().unwrap_or(0);
            assert_eq!(self.balance(&r.fee_vault).await, swept, "{}: fee vault vs swept fees", r.symbol);

            let index = state.cumulative_borrow_index_sf.get();
            let mut owed = Fraction::ZERO;
            for o in &obligations {
                for b in o.active_borrows().iter().filter(|b| b.reserve == r.key) {
                    owed += b.debt_at(index).unwrap();
                }
            }
            let booked = state.borrowed_sf.get();
            let gap = if owed > booked { owed - booked } else { booked - owed };
            assert!(gap <= ballast_sdk::invariants::debt_drift_tolerance(booked), "{}: reserve debt {booked} vs obligations {owed}", r.symbol);
            assert!(state.total_liquidity().is_ok(), "{}: total liquidity computable", r.symbol);

            let counted: u64 = obligations
                .iter()
                .filter(|o| o.isolated_reserve == r.key)
                .map(|o| o.isolated_debt_micro_quote.iter().sum::<u64>())
                .sum();
            assert_eq!(state.isolated_debt_usage_micro_quote, counted, "{}: isolated debt usage vs obligations' counts", r.symbol);
        }
        for o in &obligations {
            o.invariant().expect("obligation invariant");
        }
        self.market_state().await.invariant().expect("market invariant");
    }
}
