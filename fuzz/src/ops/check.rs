//! What must hold after every action (SECURITY.md, "Invariants"). Exact where the arithmetic allows: equity
//! and exchange-rate comparisons are cross-multiplied in 256-bit integers, never rounded.
use super::{
    actions::{Action, Effect},
    world::World,
};
use ballast::{constants::MAX_REGIME_VARIANCE_NANO, math::{regime::FULL_LEVEL_BPS, Fraction}, oracle::PriceUse};
use ethnum::I256;

/// A rule broken, and where.
#[derive(Clone, Debug)]
pub struct Violation {
    pub rule: &'static str,
    pub detail: String,
}

fn violation(rule: &'static str, detail: String) -> Violation {
    Violation { rule, detail }
}

/// Depositors' liquidity and cToken supply of each asset, projected to now: the exchange rate is T / S.
pub fn rates(w: &World) -> Vec<(Fraction, u64)> {
    w.assets
        .iter()
        .map(|a| {
            let valuation = ballast::operations::health::ReserveValuation::projected(&a.reserve, w.now).expect("projection never fails");
            (valuation.total_liquidity, a.reserve.ctoken_supply)
        })
        .collect()
}

fn bits(x: Fraction) -> I256 {
    I256::from(x.to_bits())
}

/// Fixed-point scale of Fraction: 2^60.
fn one() -> I256 {
    I256::ONE << 60u32
}

/// State rules, whatever the action.
pub fn state(w: &World, out: &mut Vec<Violation>) {
    for (i, a) in w.assets.iter().enumerate() {
        let r = &a.reserve;
        if r.regime_variance_nano > MAX_REGIME_VARIANCE_NANO || r.regime_level_bps() > FULL_LEVEL_BPS {
            out.push(violation("the volatility regime stays within its bounds", format!("asset {i}: variance {} level {}", r.regime_variance_nano, r.regime_level_bps())));
        }
        let wallets: u128 = w.wallets.iter().map(|u| u.liquidity[i] as u128).sum();
        let held = wallets + a.liquidity_vault as u128 + a.fee_vault as u128;
        if held != a.minted {
            out.push(violation("tokens conserved per mint", format!("asset {i}: wallets + vaults = {held}, minted {}", a.minted)));
        }
        if a.liquidity_vault != r.available_liquidity {
            out.push(violation("liquidity vault equals available liquidity", format!("asset {i}: vault {} vs {}", a.liquidity_vault, r.available_liquidity)));
        }
        let pledged: u64 = w.obligations.iter().flat_map(|o| o.active_deposits().iter().filter(|d| d.reserve == a.key).map(|d| d.ctoken_amount)).sum();
        if a.collateral_vault != pledged {
            out.push(violation("collateral vault equals pledged cTokens", format!("asset {i}: vault {} vs pledged {pledged}", a.collateral_vault)));
        }
        // cTokens in wallets, pledged, locked (the seed), queued and set aside in tickets: the whole supply.
        let ctokens: u128 = w.wallets.iter().map(|u| u.ctokens[i] as u128).sum::<u128>()
            + a.collateral_vault as u128
            + r.locked_ctokens as u128
            + r.queued_ctokens as u128
            + r.set_aside_ctokens as u128;
        if ctokens != r.ctoken_supply as u128 {
            out.push(violation("cTokens held, pledged, locked, queued and set aside equal cToken supply", format!("asset {i}: {ctokens} vs supply {}", r.ctoken_supply)));
        }
        let in_tickets = |status: u8| a.tickets.iter().filter(|t| t.state.status == status).map(|t| t.state.ctoken_amount as u128).sum::<u128>();
        let (queued, set_aside) = (in_tickets(ballast::state::TICKET_QUEUED), in_tickets(ballast::state::TICKET_SET_ASIDE));
        if (queued, set_aside) != (r.queued_ctokens as u128, r.set_aside_ctokens as u128) {
            out.push(violation("tickets sum to the queued and set-aside cTokens", format!("asset {i}: tickets {queued} + {set_aside} vs {} + {}", r.queued_ctokens, r.set_aside_ctokens)));
        }
        let projected = match r.accrual(w.now) {
            Ok(p) => p,
            Err(e) => {
                out.push(violation("accrual never fails", format!("asset {i}: {e}")));
                continue;
            }
        };
        let gross = Fraction::from_num(r.available_liquidity) + projected.borrowed;
        if projected.protocol_fees + projected.insurance_fund > gross {
            out.push(violation("fees and insurance within what the reserve holds and is owed", format!("asset {i}: fees {} + insurance {} > {}", projected.protocol_fees, projected.insurance_fund, gross)));
        }
        // The reserve's debt against its obligations' debts, both projected to now, within the drift rounding
        // may have caused (World::drift_budget, grown with the index since) plus a millionth of a native unit
        // (SECURITY.md, "Rounding").
        let owed: Fraction = w
            .obligations
            .iter()
            .flat_map(|o| o.active_borrows().iter().filter(|b| b.reserve == a.key).map(|b| b.debt_at(projected.cumulative_borrow_index).unwrap_or(Fraction::MAX)).collect::<Vec<_>>())
            .fold(Fraction::ZERO, |s, d| s.saturating_add(d));
        let booked = projected.borrowed;
        let grown = projected.cumulative_borrow_index / r.cumulative_borrow_index_sf.get().max(Fraction::ONE);
        let tolerance = Fraction::from_num(0.000_001) + a.drift_budget.saturating_mul(grown) + booked.max(owed) / Fraction::from_num(1u64 << 57);
        if booked > owed + tolerance {
            out.push(violation("reserve debt never exceeds what obligations owe", format!("asset {i}: booked {booked} vs owed {owed} (drift allowed {tolerance})")));
        }
        if owed > booked + tolerance {
            out.push(violation("obligations never owe more than the reserve books", format!("asset {i}: booked {booked} vs owed {owed}")));
        }
        if let Err(e) = r.invariant() {
            out.push(violation("reserve invariant", format!("asset {i}: {e}")));
        }
    }
    for (u, o) in w.obligations.iter().enumerate() {
        if let Err(e) = o.invariant() {
            out.push(violation("obligation invariant", format!("user {u}: {e}")));
        }
    }
}

/// The exchange rate T / S never falls, except for the asset whose bad debt was just written off.
pub fn rates_never_fall(before: &[(Fraction, u64)], after: &[(Fraction, u64)], effect: &Effect, out: &mut Vec<Violation>) {
    for (i, ((t0, s0), (t1, s1))) in before.iter().zip(after).enumerate() {
        if effect.socialized == Some(i) || *s0 == 0 || *s1 == 0 {
            continue;
        }
        // t1 / s1 >= t0 / s0  <=>  t1 · s0 >= t0 · s1
        if bits(*t1) * I256::from(*s0) < bits(*t0) * I256::from(*s1) {
            out.push(violation("exchange rate never falls outside a write-off", format!("asset {i}: {t0}/{s0} -> {t1}/{s1}")));
        }
    }
}

/// A user's equity in one asset, in native units × 2^60 × S (S the asset's cToken supply after the action):
/// (wallet + debt-free claims) · S + cTokens · T − debt · S, all at the post-action exchange rate and index,
/// so only the action itself can move it.
fn equity(w: &World, user: usize, asset: usize, t: Fraction, s: u64, index: Fraction) -> I256 {
    let a = &w.assets[asset];
    let o = &w.obligations[user];
    let pledged = o.find_deposit(&a.key).map(|i| o.deposits[i].ctoken_amount).unwrap_or(0);
    let debt = o.find_borrow(&a.key).map(|i| o.borrows[i].debt_at(index).unwrap_or(Fraction::MAX)).unwrap_or(Fraction::ZERO);
    let wallet = w.wallets[user].liquidity[asset];
    // cTokens waiting in the user's tickets are still its own (filled or cancelled, they come back).
    let ctokens = w.wallets[user].ctokens[asset] as u128 + pledged as u128 + w.ticket_ctokens(user, asset) as u128;
    let s = I256::from(s);
    I256::from(wallet) * one() * s + I256::from(ctokens) * bits(t) - bits(debt) * s
}

/// The actor of a user action never gains in any asset: deposits and redemptions round against the user, a
/// borrow owes at least what it received, a repay pays at least what it settles, a flash loan pays its fee, a
/// ticket's fill pays its owner at most what its cTokens are worth, a request or a cancel moves cTokens between
/// wallet and ticket.
pub fn actor_never_gains(before: &World, after: &World, action: &Action, out: &mut Vec<Violation>) {
    let actor = match *action {
        Action::Deposit { user, .. }
        | Action::Redeem { user, .. }
        | Action::Pledge { user, .. }
        | Action::Unpledge { user, .. }
        | Action::Borrow { user, .. }
        | Action::Flash { user, .. }
        | Action::Request { user, .. }
        | Action::Cancel { user, .. }
        | Action::RequestAndFill { user, .. } => user,
        Action::Repay { payer, .. } => payer,
        Action::Fill { asset, seq, .. } => match before.assets[asset].tickets.iter().find(|t| t.state.seq == seq) {
            Some(t) => t.owner,
            None => return,
        },
        _ => return,
    };
    let post = rates(after);
    for (i, a) in after.assets.iter().enumerate() {
        let index = a.reserve.accrual(after.now).map(|p| p.cumulative_borrow_index).unwrap_or(Fraction::ONE);
        let (t, s) = post[i];
        let e0 = equity(before, actor, i, t, s, index);
        let e1 = equity(after, actor, i, t, s, index);
        if e1 > e0 {
            out.push(violation("a user action never raises the actor's equity", format!("{} by user {actor}, asset {i}: {e0} -> {e1}", action.name())));
        }
    }
}

/// How much a user's equity moved over an action, summed over assets in quote at spot. Each asset's change is
/// exact (at the post-action rate and index) before it is priced, so large positions lose no precision.
fn quote_equity_change(before: &World, after: &World, user: usize) -> f64 {
    let post = rates(after);
    (0..after.assets.len())
        .map(|i| {
            let a = &after.assets[i];
            let index = a.reserve.accrual(after.now).map(|p| p.cumulative_borrow_index).unwrap_or(Fraction::ONE);
            let (t, s) = post[i];
            let change = equity(after, user, i, t, s, index) - equity(before, user, i, t, s, index);
            let native = change.as_f64() / (s.max(1) as f64 * 2f64.powi(60));
            native * unit_value(after, i)
        })
        .sum()
}

/// Quote per native unit of asset `i` at the spot a liquidation uses (`World::price`: the primary, or the secondary
/// it fails over to), or the primary's raw spot when neither validates.
fn unit_value(w: &World, i: usize) -> f64 {
    let a = &w.assets[i];
    let spot = match w.price(i, PriceUse::Liquidation) {
        Ok(p) => p.spot(ballast::oracle::Side::Collateral).to_num::<f64>(),
        Err(_) => a.price.price as f64 * 10f64.powi(a.price.exponent),
    };
    spot / 10f64.powi(a.reserve.liquidity_decimals as i32)
}

/// cTokens of asset `i` that `user` holds: in its wallet, pledged, and in its tickets.
fn held_ctokens(w: &World, user: usize, i: usize) -> u64 {
    let key = w.assets[i].key;
    let pledged = w.obligations[user].find_deposit(&key).map_or(0, |d| w.obligations[user].deposits[d].ctoken_amount);
    w.wallets[user].ctokens[i] + pledged + w.ticket_ctokens(user, i)
}

/// A liquidator gains at most the bonus on what it repaid, and the borrower loses at most that, in quote at spot
/// (with a rounding allowance of one native unit of each asset).
pub fn liquidation_bounded(before: &World, after: &World, action: &Action, effect: &Effect, out: &mut Vec<Violation>) {
    let (Action::Liquidate { liquidator, owner, repay, withdraw, .. }, Some(l)) = (action, &effect.liquidation) else { return };
    let allowance: f64 = (0..after.assets.len()).map(|i| unit_value(after, i)).sum::<f64>() * 2.0;
    let repaid = l.repay_amount as f64 * unit_value(after, *repay);
    let bonus = repaid * l.bonus.to_num::<f64>();
    // Equity is valued at the rates after the action, and the action itself raises the seized reserve's rate
    // (interest accrued, sub-unit rounding left to fewer cTokens): the cTokens that changed hands were seized
    // at the rate before, so the rise on them is the valuation's, not the liquidation's.
    let (rates_before, rates_after) = (rates(before), rates(after));
    let rate_rise = |user: usize| -> f64 {
        (0..after.assets.len())
            .map(|i| {
                let moved = held_ctokens(before, user, i).abs_diff(held_ctokens(after, user, i)) as f64;
                let rate = |(t, s): (Fraction, u64)| if s == 0 { 0.0 } else { t.to_num::<f64>() / s as f64 };
                moved * (rate(rates_after[i]) - rate(rates_before[i])).max(0.0) * unit_value(after, i)
            })
            .sum()
    };
    // One whole cToken is the least a liquidation seizes (`liquidate::plan`): when even the whole debt buys less of
    // a coarse collateral unit at the bonus price, the borrower gives up less than one cToken past the bonus.
    let one_ctoken = match l.seized_ctokens {
        1 => rates_before[*withdraw].0.to_num::<f64>() / rates_before[*withdraw].1.max(1) as f64 * unit_value(after, *withdraw),
        _ => 0.0,
    };
    let tolerance = allowance + 1e-9 * repaid + rate_rise(*owner) + rate_rise(*liquidator) + one_ctoken;
    if liquidator == owner {
        let change = quote_equity_change(before, after, *owner);
        if change > tolerance {
            out.push(violation("self-liquidation never pays", format!("user {owner} gained {change:.6} on {repaid:.6} repaid")));
        }
        return;
    }
    let gained = quote_equity_change(before, after, *liquidator);
    if gained > bonus + tolerance {
        out.push(violation("a liquidator gains at most the bonus on what it repaid", format!("gained {gained:.6}, repaid {repaid:.6}, bonus {bonus:.6}")));
    }
    let lost = -quote_equity_change(before, after, *owner);
    if lost > bonus + tolerance {
        out.push(violation("a liquidated borrower loses at most the bonus on what was repaid", format!("lost {lost:.6}, repaid {repaid:.6}, bonus {bonus:.6}")));
    }
}

/// After a borrow or a withdrawal of collateral, the obligation is within its borrow power even with every
/// reserve fully projected to now (the program may take cheaper valuations only where they are conservative).
pub fn actor_within_borrow_power(after: &World, action: &Action, out: &mut Vec<Violation>) {
    let (Action::Borrow { user, .. } | Action::Unpledge { user, .. }) = *action else { return };
    if after.obligations[user].active_borrows().is_empty() {
        return;
    }
    match after.health_projected(user, PriceUse::Risk) {
        Ok(h) if h.within_borrow_power() => {}
        Ok(h) => out.push(violation("a borrow or withdrawal leaves the obligation within borrow power", format!("{} by user {user}: debt {} > power {}", action.name(), h.initial_debt, h.borrow_power))),
        Err(e) => out.push(violation("a committed borrow or withdrawal can be re-priced", format!("user {user}: {e}"))),
    }
}
