//! Accounting invariants any observer can check against a live market.
use crate::{accounts::MarketSnapshot, tokens::token_amount, Cluster};
use anyhow::Result;
use ballast::math::Fraction;

/// Supply of an SPL Token / Token-2022 mint from its base layout.
fn mint_supply(data: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(data.get(36..44)?.try_into().ok()?))
}

/// How far a reserve's booked debt may drift from the sum of its obligations' debts. The reserve books its
/// debt as one sum and each obligation its own share, and every accrual and position update rounds each at
/// 2^-60 relative (SECURITY.md, rounding): allow 2^-48 relative, thousands of updates' worth, plus a
/// hundredth of a native unit, the drift a debt of 10^12 units leaves behind once it is repaid.
pub fn debt_drift_tolerance(booked: Fraction) -> Fraction {
    Fraction::from_num(0.01) + (booked >> 48)
}

/// Violations of the accounting invariants, one line each (empty when they all hold):
/// - the liquidity vault holds at least the available liquidity (more only through outside donations);
/// - cToken mint supply + locked seed = the reserve's cToken supply;
/// - the collateral vault holds exactly the cTokens obligations pledged;
/// - the reserve's debt equals the sum of its obligations' debts, within `debt_drift_tolerance`;
/// - every obligation and the market pass their own invariant checks.
pub async fn check(cluster: &impl Cluster, snap: &MarketSnapshot) -> Result<Vec<String>> {
    let mut bad = vec![];
    for r in &snap.reserves {
        let s = &r.state;
        let keys = [s.liquidity_vault, s.ctoken_mint, s.collateral_vault];
        let accounts = cluster.accounts(&keys).await?;
        let read = |i: usize, f: fn(&[u8]) -> Option<u64>| accounts[i].as_ref().and_then(|a| f(&a.data)).unwrap_or(0);
        let (vault, supply, collateral) = (read(0, token_amount), read(1, mint_supply), read(2, token_amount));
        if vault < s.available_liquidity {
            bad.push(format!("{}: liquidity vault {vault} < available liquidity {}", r.key, s.available_liquidity));
        }
        let unminted = s.locked_ctokens + s.queued_ctokens + s.set_aside_ctokens;
        if supply + unminted != s.ctoken_supply {
            bad.push(format!("{}: cToken mint supply {supply} + locked and ticketed {unminted} != cToken supply {}", r.key, s.ctoken_supply));
        }
        let pledged: u64 = snap
            .obligations
            .iter()
            .flat_map(|o| o.state.active_deposits().iter().filter(|d| d.reserve == r.key).map(|d| d.ctoken_amount).collect::<Vec<_>>())
            .sum();
        if collateral != pledged {
            bad.push(format!("{}: collateral vault {collateral} != pledged cTokens {pledged}", r.key));
        }
        let index = s.cumulative_borrow_index_sf.get();
        let mut owed = Fraction::ZERO;
        for o in &snap.obligations {
            for b in o.state.active_borrows().iter().filter(|b| b.reserve == r.key) {
                owed += b.debt_at(index)?;
            }
        }
        let booked = s.borrowed_sf.get();
        let gap = if owed > booked { owed - booked } else { booked - owed };
        if gap > debt_drift_tolerance(booked) {
            bad.push(format!("{}: reserve debt {booked} != obligations' debt {owed}", r.key));
        }
    }
    for o in &snap.obligations {
        if let Err(e) = o.state.invariant() {
            bad.push(format!("obligation {}: {e}", o.key));
        }
    }
    if let Err(e) = snap.market.invariant() {
        bad.push(format!("market {}: {e}", snap.key));
    }
    Ok(bad)
}
