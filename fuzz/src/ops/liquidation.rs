//! `liquidate`, step for step, with the liquidator choosing which secondary price accounts to pass; and the two
//! liquidation rules the fuzzer checks around it: the optional accounts never change the outcome, and an
//! unhealthy obligation in an ordinary market can always be liquidated by some amount.
use super::{
    actions::{give, is_named, take, Action, Failure, Liquidation},
    check::Violation,
    world::World,
};
use ballast::{
    operations::{
        liquidate::{self, LiquidationInputs, LiquidationPlan, LiquidationSide},
        repay,
    },
    oracle::{PriceUse, Side},
};

/// The plan `liquidate` makes now (both reserves accrued by the caller), on liquidation prices with reserve `i`'s
/// secondary account passed where `pass(i)` (`compute_health`, then `price_of` for both reserves).
pub fn plan_with(w: &World, owner: usize, ri: usize, wi: usize, max_repay: u64, pass: &dyn Fn(usize) -> bool) -> anchor_lang::Result<LiquidationPlan> {
    // As `size_liquidation`: the positions first, before any price is read.
    let positions = LiquidationInputs::positions(&w.obligations[owner], &w.assets[ri].key, &w.assets[wi].key)?;
    let health = w.health_with(owner, PriceUse::Liquidation, pass)?;
    let repay_price = w.price_with(ri, PriceUse::Liquidation, pass(ri))?;
    let withdraw_price = w.price_with(wi, PriceUse::Liquidation, pass(wi))?;
    let repay = LiquidationSide { key: &w.assets[ri].key, reserve: &w.assets[ri].reserve, spot: repay_price.spot(Side::Debt) };
    let withdraw = LiquidationSide { key: &w.assets[wi].key, reserve: &w.assets[wi].reserve, spot: withdraw_price.spot(Side::Collateral) };
    liquidate::plan(&LiquidationInputs::for_call(&w.obligations[owner], positions, &w.market.config, None, &repay, &withdraw, health, max_repay, w.now)?)
}

/// `liquidate`: accrue both reserves, size on liquidation prices, repay, seize, pay the liquidator in cTokens or
/// underlying. Caps, limiters and breakers never apply.
#[allow(clippy::too_many_arguments)]
pub fn liquidate_once(w: &mut World, liquidator: usize, owner: usize, ri: usize, wi: usize, max_repay: u64, underlying: bool, min_out: u64, pass: &dyn Fn(usize) -> bool) -> Result<Liquidation, Failure> {
    let now = w.now;
    let (repay_key, withdraw_key) = (w.assets[ri].key, w.assets[wi].key);
    w.assets[ri].reserve.accrue_interest(now)?;
    w.assets[wi].reserve.accrue_interest(now)?;
    let plan = plan_with(w, owner, ri, wi, max_repay, pass)?;
    w.obligations[owner].insolvent_since = liquidate::next_insolvent_since(&w.obligations[owner], plan.insolvent, now);
    repay::repay(&mut w.assets[ri].reserve, &mut w.obligations[owner], &repay_key, plan.repay_amount)?;
    let payout = liquidate::settle(&mut w.assets[wi].reserve, &mut w.obligations[owner], &withdraw_key, &plan, underlying, min_out)?;
    w.assets[ri].reserve.invariant()?;
    w.assets[wi].reserve.invariant()?;
    w.obligations[owner].invariant()?;
    take(&mut w.wallets[liquidator].liquidity[ri], plan.repay_amount)?;
    give(&mut w.assets[ri].liquidity_vault, plan.repay_amount);
    // The fee's cTokens are burned from the collateral vault; the liquidator's leave it, or are burned for
    // underlying paid from the liquidity vault.
    take(&mut w.assets[wi].collateral_vault, plan.seized_ctokens)?;
    match payout.underlying {
        Some(liquidity) => {
            take(&mut w.assets[wi].liquidity_vault, liquidity)?;
            give(&mut w.wallets[liquidator].liquidity[wi], liquidity);
        }
        None => give(&mut w.wallets[liquidator].ctokens[wi], payout.ctoken_amount),
    }
    Ok(Liquidation { repay_amount: plan.repay_amount, seized_ctokens: plan.seized_ctokens, bonus: plan.bonus })
}

/// Rule 3: adding or removing an optional account never changes a liquidation's outcome. Checked on every drawn
/// liquidation, committed or not, against the state it starts from. Sized with every secondary passed, with only
/// those the program's rule needs (`liquidation_needs_secondary`: the reserve is priced by its secondary alone, or
/// its primary fails), with none, and with the liquidator's own choice: every choice that passes the needed ones
/// gives the very same plan (or the very same error), and one that leaves a needed one out never succeeds.
pub fn sources_never_change_the_outcome(before: &World, action: &Action, out: &mut Vec<Violation>) {
    let Action::Liquidate { owner, repay: ri, withdraw: wi, max_repay, sources, .. } = *action else { return };
    let mut w = before.clone();
    if w.assets[ri].reserve.accrue_interest(w.now).is_err() || w.assets[wi].reserve.accrue_interest(w.now).is_err() {
        return;
    }
    let positions: Vec<usize> = w.obligations[owner].health_positions().filter_map(|p| w.asset_index(&p.reserve)).collect();
    let needed: Vec<usize> = positions.iter().copied().filter(|&i| w.needs_secondary(i)).collect();
    // Plans compared whole; errors by name (where they were raised is no part of the outcome).
    let named = |r: anchor_lang::Result<LiquidationPlan>| r.map_err(|e| is_named(&e).unwrap_or_else(|| format!("{e}")));
    let full = named(plan_with(&w, owner, ri, wi, max_repay, &|_| true));
    let choices: [(&str, u8); 3] = [("only the needed secondaries", needed.iter().fold(0, |m, i| m | 1 << i)), ("no secondary", 0), ("the liquidator's choice", sources)];
    for (what, mask) in choices {
        let result = named(plan_with(&w, owner, ri, wi, max_repay, &|i| mask >> i & 1 == 1));
        let complete = needed.iter().all(|i| mask >> i & 1 == 1);
        let same = match (&full, &result) {
            (Ok(a), Ok(b)) => a == b,
            (Err(a), Err(b)) => a == b,
            _ => false,
        };
        if complete && !same {
            out.push(Violation { rule: "adding or removing an optional price account never changes a liquidation", detail: format!("with every secondary: {full:?}; with {what}: {result:?}") });
        }
        if !complete && result.is_ok() {
            out.push(Violation { rule: "a liquidation never prices without a source it needs", detail: format!("with {what} (needed {needed:?}): {result:?}") });
        }
    }
}

/// Refusals that leave an unhealthy obligation unliquidated for a reason outside the program's liveness promise:
/// no price the program may trust (a dead or glitching oracle, DESIGN §5), or nothing to liquidate.
fn expected(name: &str) -> bool {
    name.starts_with("Oracle") || matches!(name, "ObligationHealthy" | "BorrowPositionNotFound" | "DepositPositionNotFound")
}

/// What an SDK-style liquidation of an unhealthy obligation finds.
pub enum Liveness {
    /// Some call succeeds.
    Liquidatable,
    /// Every call is refused, each for an expected reason (named).
    Expected(String),
    /// Every call is refused, one for a reason outside the expected ones: a liveness defect.
    Stuck(String),
}

/// Rule 6, liveness: an unhealthy obligation in an ordinary market (the caller checks both) can be liquidated by
/// some SDK-style call: each debt and deposit pair, as much as allowed, no minimum out, paid in cTokens, every
/// secondary passed, by a liquidator with the funds.
pub fn probe(before: &World, owner: usize) -> Liveness {
    let o = &before.obligations[owner];
    if o.active_deposits().is_empty() {
        return Liveness::Expected("no collateral left: bad debt to write off".into());
    }
    let liquidator = (owner + 1) % before.wallets.len();
    let mut refusals = vec![];
    for b in o.active_borrows() {
        for d in o.active_deposits() {
            let (Some(ri), Some(wi)) = (before.asset_index(&b.reserve), before.asset_index(&d.reserve)) else { continue };
            let mut w = before.clone();
            w.wallets[liquidator].liquidity[ri] = 1 << 62;
            match liquidate_once(&mut w, liquidator, owner, ri, wi, u64::MAX, false, 0, &|_| true) {
                Ok(_) => return Liveness::Liquidatable,
                Err(Failure::Program(e)) => refusals.push(is_named(&e).unwrap_or_else(|| format!("{e}"))),
                Err(other) => refusals.push(format!("{other:?}")),
            }
        }
    }
    refusals.sort();
    refusals.dedup();
    let all = refusals.join(", ");
    if refusals.iter().all(|r| expected(r)) {
        Liveness::Expected(all)
    } else {
        Liveness::Stuck(all)
    }
}
