//! Liquidation sizing (DESIGN §6) and settlement of the seized collateral.
use crate::{
    constants::{BPS, FULL_LIQUIDATION_HEALTH_BPS, LIQUIDATION_BONUS_RAMP_BPS, MAX_LIQUIDATION_BONUS_BPS},
    error::BallastError,
    math::{self, from_bps, from_u64, mul_bps, ten_pow, to_ceil_u64, to_floor_u64, Fraction},
    operations::{collateral, delisting, deposit, health::Health},
    oracle::market_value,
    state::{ElevationGroup, MarketConfig, Obligation, Reserve, MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY},
};
use anchor_lang::prelude::*;

/// Everything the sizing reads, valued at spot prices (quote per whole token).
pub struct LiquidationInputs {
    pub health: Health,
    /// The obligation's debt in the repay reserve, accrued, native units.
    pub debt: Fraction,
    pub repay_price: Fraction,
    pub repay_decimals: u8,
    /// The obligation's cTokens in the withdraw reserve.
    pub collateral_ctokens: u64,
    /// Withdraw reserve liquidity per cToken.
    pub liquidity_per_ctoken: Fraction,
    pub withdraw_price: Fraction,
    pub withdraw_decimals: u8,
    pub close_factor_bps: u16,
    pub dust_threshold_quote: u64,
    /// MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY: the close factor binds at any health and any debt size, and no
    /// dust rule takes a position whole (one cToken's worth, the least that can change hands, still may).
    pub partial_only: bool,
    pub min_bonus_bps: u16,
    pub max_bonus_bps: u16,
    pub protocol_fee_bps: u16,
    /// Most the liquidator is willing to repay, native units.
    pub max_repay_amount: u64,
    /// The withdraw reserve's `insolvent_auction_secs` (0 = no auction).
    pub insolvent_auction_secs: u32,
    /// Seconds since the obligation was recorded insolvent (0 when it was not, or is recorded now).
    pub insolvent_for_secs: u64,
    /// The withdraw reserve's `liquidation_target_health_bps` (0 = the close factor alone).
    pub target_health_bps: u16,
    /// The liquidation threshold the withdrawn collateral counts at in `health` (its elevation group's when a
    /// member), bps.
    pub withdraw_threshold_bps: u16,
    /// The repay reserve's borrow factor, as `health` weighs its debt, bps.
    pub repay_borrow_factor_bps: u16,
}

/// One side of a liquidation call: the reserve (accrued to now), its key and its liquidation spot.
pub struct LiquidationSide<'a> {
    pub key: &'a Pubkey,
    pub reserve: &'a Reserve,
    pub spot: Fraction,
}

impl LiquidationInputs {
    /// The obligation's borrow in `repay_key` and deposit in `withdraw_key` (slot indexes), or the error naming
    /// the one it does not hold. Checked before any price is read.
    pub fn positions(obligation: &Obligation, repay_key: &Pubkey, withdraw_key: &Pubkey) -> Result<(usize, usize)> {
        let debt_index = obligation.find_borrow(repay_key).ok_or(BallastError::BorrowPositionNotFound)?;
        let deposit_index = obligation.find_deposit(withdraw_key).ok_or(BallastError::DepositPositionNotFound)?;
        Ok((debt_index, deposit_index))
    }

    /// The sizing's inputs for a call on `obligation` repaying in `repay` and seizing from `withdraw`, with
    /// `health` on the same liquidation prices: the one mapping the instruction, the SDK's projection and the
    /// fuzzers share. Member collateral of the obligation's elevation group counts at the group's threshold
    /// and bonus cap (never above the program's).
    /// `(debt_index, deposit_index)` are the slots `positions` found: callers look them up before reading any
    /// price, so a call on a position the obligation does not hold is named as such.
    #[allow(clippy::too_many_arguments)]
    pub fn for_call(obligation: &Obligation, (debt_index, deposit_index): (usize, usize), market: &MarketConfig, group: Option<&ElevationGroup>, repay: &LiquidationSide, withdraw: &LiquidationSide, health: Health, max_repay_amount: u64, now_ts: i64) -> Result<Self> {
        let (rr, wr) = (repay.reserve, withdraw.reserve);
        let cfg = &wr.config;
        let member = group.filter(|_| cfg.in_elevation_group(obligation.elevation_group));
        // A delisting raises the bonus bounds and lowers the threshold by its daily steps (`operations::delisting`).
        let max_bonus_bps = delisting::bonus_bps(wr, member.map_or(cfg.max_liquidation_bonus_bps, |g| g.max_liquidation_bonus_bps), now_ts);
        let min_bonus_bps = delisting::bonus_bps(wr, cfg.min_liquidation_bonus_bps, now_ts);
        let threshold_bps = member.map_or(cfg.liquidation_threshold_bps, |g| g.liquidation_threshold_bps) as u64;
        let threshold_bps = delisting::threshold_bps(threshold_bps, delisting::threshold_cut_bps(wr, now_ts)) as u16;
        Ok(LiquidationInputs {
            health,
            debt: obligation.borrows[debt_index].debt_at(rr.cumulative_borrow_index_sf.get())?,
            repay_price: repay.spot,
            repay_decimals: rr.liquidity_decimals,
            collateral_ctokens: obligation.deposits[deposit_index].ctoken_amount,
            liquidity_per_ctoken: wr.ctokens_to_liquidity(1)?,
            withdraw_price: withdraw.spot,
            withdraw_decimals: wr.liquidity_decimals,
            close_factor_bps: market.close_factor_bps,
            dust_threshold_quote: market.dust_threshold_quote,
            partial_only: market.has_flag(MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY),
            min_bonus_bps: min_bonus_bps.min(max_bonus_bps),
            max_bonus_bps,
            protocol_fee_bps: cfg.protocol_liquidation_fee_bps,
            max_repay_amount,
            insolvent_auction_secs: cfg.insolvent_auction_secs,
            insolvent_for_secs: insolvent_for_secs(obligation, now_ts),
            target_health_bps: cfg.liquidation_target_health_bps,
            withdraw_threshold_bps: threshold_bps,
            repay_borrow_factor_bps: rr.config.borrow_factor_bps,
        })
    }
}

#[derive(Debug, PartialEq)]
pub struct LiquidationPlan {
    /// Native units the liquidator pays into the repay reserve.
    pub repay_amount: u64,
    /// cTokens taken from the obligation (liquidator's share plus the protocol fee).
    pub seized_ctokens: u64,
    /// Part of `seized_ctokens` that goes to the withdraw reserve's insurance fund.
    pub protocol_fee_ctokens: u64,
    /// The bonus applied, as a fraction of the repaid value.
    pub bonus: Fraction,
    /// The obligation was insolvent (collateral worth less than debt at these prices) before this call.
    pub insolvent: bool,
}

/// Bonus: `min` at the threshold, rising linearly with the shortfall (1 − health) to `max` at a 10% shortfall;
/// never above MAX_LIQUIDATION_BONUS_BPS, whatever the config says.
pub fn liquidation_bonus(health: Fraction, min_bonus_bps: u16, max_bonus_bps: u16) -> Result<Fraction> {
    let shortfall = Fraction::ONE.saturating_sub(health);
    let ramp = math::div(shortfall, from_bps(LIQUIDATION_BONUS_RAMP_BPS)?)?.min(Fraction::ONE);
    let max_bps = max_bonus_bps.min(MAX_LIQUIDATION_BONUS_BPS);
    let min = from_bps(min_bonus_bps.min(max_bps) as u64)?;
    let span = math::sub(from_bps(max_bps as u64)?, min)?;
    math::add(min, math::mul(span, ramp)?)
}

/// The bonus of an insolvent obligation under an auction in time: zero when it is found insolvent, rising
/// linearly with the seconds since to `max_bonus_bps` (capped by MAX_LIQUIDATION_BONUS_BPS) at `auction_secs`.
/// Every unit of bonus an insolvent obligation pays is bad debt, so it pays only what the first liquidator who
/// acts needs; the shortfall's depth is the wrong clock after a gap (Maker LIQ 2.0 prices by time too).
pub fn insolvent_auction_bonus(max_bonus_bps: u16, insolvent_for_secs: u64, auction_secs: u32) -> Result<Fraction> {
    let max = from_bps(max_bonus_bps.min(MAX_LIQUIDATION_BONUS_BPS) as u64)?;
    if auction_secs == 0 || insolvent_for_secs >= auction_secs as u64 {
        return Ok(max);
    }
    math::div(math::mul(max, from_u64(insolvent_for_secs))?, from_u64(auction_secs as u64))
}

/// For a solvent obligation, above the minimum bonus never more than its cushion, (collateral − debt) / debt at
/// spot: a liquidation then cannot turn it insolvent (it removes r·(1 + bonus) of collateral and r of debt, and
/// r·bonus ≤ collateral − debt). An insolvent obligation keeps the full bonus, so liquidators clear it while
/// its collateral is still worth something.
pub fn solvency_capped_bonus(bonus: Fraction, health: &Health, min_bonus_bps: u16) -> Result<Fraction> {
    if health.debt_value == Fraction::ZERO || health.collateral_value < health.debt_value {
        return Ok(bonus);
    }
    let min = from_bps(min_bonus_bps.min(MAX_LIQUIDATION_BONUS_BPS) as u64)?;
    // A crumb of debt against real collateral has a cushion past Fraction's range: no cap at all. (Reachable once
    // a delisting has taken the threshold to zero: every such obligation is then liquidatable. The ops fuzzer
    // found it, seed 900 step 567: MathOverflow on 4e-7 native units of debt against 110 cTokens.)
    let cushion = math::sub(health.collateral_value, health.debt_value)?.checked_div(health.debt_value).unwrap_or(Fraction::MAX);
    Ok(bonus.min(cushion.max(min)))
}

fn native_of(value: Fraction, decimals: u8, price: Fraction) -> Result<Fraction> {
    math::mul(math::div(value, price)?, ten_pow(decimals as u32)?)
}

/// Sizes one liquidation call.
/// 1. only below health 1
/// 2. repay ≤ close factor × debt value, or what brings health to the collateral's target if that is more
///    (all of it at health ≤ 0.95 or below dust; the close factor alone when partial liquidation only)
/// 3. seize repay value × (1 + bonus), the bonus capped by the obligation's cushion and the seizure by the
///    collateral held
/// 4. never leave dust debt behind; sweep dust collateral only when paid for at the bonus price
/// 5. the protocol's share of the bonus, in cTokens.
pub fn plan(i: &LiquidationInputs) -> Result<LiquidationPlan> {
    let health = i.health.liquidation_health()?.ok_or(BallastError::ObligationHealthy)?;
    require!(health < Fraction::ONE, BallastError::ObligationHealthy);
    let full = !i.partial_only
        && (mul_bps(i.health.liquidation_debt, FULL_LIQUIDATION_HEALTH_BPS)? >= i.health.liquidation_collateral
            || i.health.debt_value < from_u64(i.dust_threshold_quote));
    // Insolvent under an auction: the bonus by time since it was found so, and no protocol cut (it would be bad
    // debt too). Otherwise the ramp by shortfall, capped for a solvent obligation by its cushion.
    let insolvent = i.health.debt_value > Fraction::ZERO && i.health.collateral_value < i.health.debt_value;
    let auction = insolvent && i.insolvent_auction_secs > 0;
    let bonus = if auction {
        insolvent_auction_bonus(i.max_bonus_bps, i.insolvent_for_secs, i.insolvent_auction_secs)?
    } else {
        let ramp = liquidation_bonus(health, i.min_bonus_bps, i.max_bonus_bps)?;
        solvency_capped_bonus(ramp, &i.health, i.min_bonus_bps.min(i.max_bonus_bps))?
    };
    let protocol_fee_bps = if auction { 0 } else { i.protocol_fee_bps };
    let with_bonus = math::add(Fraction::ONE, bonus)?;
    // Within [1 bps, 100%] whatever is stored, so no stored close factor can stop liquidations. With a target
    // health, the close factor's share is the least a call may take, and what reaches the target the most.
    let close_factor_bps = i.close_factor_bps.clamp(1, BPS as u16) as u64;
    let share = mul_bps(i.health.debt_value, close_factor_bps)?;
    let max_value = if full {
        i.health.debt_value
    } else if i.target_health_bps > 0 && !i.partial_only {
        share.max(repay_value_to_target(i, with_bonus)?).min(i.health.debt_value)
    } else {
        share
    };
    let debt_ceil = to_ceil_u64(i.debt)?;
    // Compared in value first, so a cheap repay asset never converts the whole debt into tokens.
    let allowed = if max_value >= market_value(i.debt, i.repay_decimals, i.repay_price)? {
        debt_ceil
    } else {
        to_floor_u64(native_of(max_value, i.repay_decimals, i.repay_price)?)?
    };
    let mut repay_amount = allowed.min(i.max_repay_amount);

    // A partial repay may not leave a position worth less than the dust threshold: take it all instead. Partial
    // liquidation only has no dust rules: the close factor binds.
    let dust = if i.partial_only { Fraction::ZERO } else { from_u64(i.dust_threshold_quote) };
    let left = i.debt.saturating_sub(from_u64(repay_amount));
    if left > Fraction::ZERO && market_value(left, i.repay_decimals, i.repay_price)? < dust {
        require!(i.max_repay_amount >= debt_ceil, BallastError::LiquidationLeavesDust);
        repay_amount = debt_ceil;
    }

    let collateral_liquidity = math::mul(from_u64(i.collateral_ctokens), i.liquidity_per_ctoken)?;
    let collateral_value = market_value(collateral_liquidity, i.withdraw_decimals, i.withdraw_price)?;
    let seize_value = math::mul(market_value(from_u64(repay_amount), i.repay_decimals, i.repay_price)?, with_bonus)?;
    // Repaying this much buys all the collateral at the bonus price; owed, so rounded up, and at least one
    // unit, so a crumb of collateral can always be cleared.
    // Saturates: collateral worth more than u64::MAX native units of the repay asset can never be bought whole.
    let covered = math::div(collateral_value, with_bonus).and_then(|v| native_of(v, i.repay_decimals, i.repay_price));
    let repay_for_all = covered.and_then(to_ceil_u64).unwrap_or(u64::MAX).max(1);
    let seized_ctokens = if seize_value >= collateral_value {
        // Not enough collateral for the bonus: take all of it and repay only what it is worth.
        repay_amount = repay_amount.min(repay_for_all);
        i.collateral_ctokens
    } else {
        let seized_liquidity = native_of(seize_value, i.withdraw_decimals, i.withdraw_price)?;
        let seized = to_floor_u64(math::div(seized_liquidity, i.liquidity_per_ctoken)?)?.min(i.collateral_ctokens);
        // Collateral left worth less than the dust threshold is swept too, so no position is stranded, but
        // only paid for at the bonus price, and only when the liquidator's limit allows it and no debt below
        // dust is left behind. Otherwise it stays: a later call can take it all at the bonus price.
        let left = math::mul(from_u64(i.collateral_ctokens - seized), i.liquidity_per_ctoken)?;
        let dust_left = market_value(left, i.withdraw_decimals, i.withdraw_price)? < dust;
        let debt_left = i.debt.saturating_sub(from_u64(repay_for_all));
        let sweep_leaves_dust_debt = debt_left > Fraction::ZERO && market_value(debt_left, i.repay_decimals, i.repay_price)? < dust;
        if dust_left && repay_for_all <= i.max_repay_amount && repay_for_all <= debt_ceil && !sweep_leaves_dust_debt {
            repay_amount = repay_amount.max(repay_for_all);
            i.collateral_ctokens
        } else if seized == 0 {
            // Less than one cToken: collateral in coarse units (few decimals, a high price, a high exchange rate).
            // One cToken is the least that can change hands, so the liquidator may buy one at the bonus price,
            // past the close factor if need be. Else such an obligation, however unhealthy, could not be
            // liquidated until its debt grew to a cToken's worth.
            match repay_for_one_ctoken(i, with_bonus, debt_ceil, dust)? {
                repay if repay <= i.max_repay_amount => {
                    repay_amount = repay_amount.max(repay);
                    1
                }
                _ => 0,
            }
        } else {
            seized
        }
    };
    require!(repay_amount > 0 && seized_ctokens > 0, BallastError::AmountTooSmall);

    let bonus_ctokens = math::div(math::mul(from_u64(seized_ctokens), bonus)?, with_bonus)?;
    let protocol_fee_ctokens = to_floor_u64(mul_bps(bonus_ctokens, protocol_fee_bps as u64)?)?;
    Ok(LiquidationPlan { repay_amount, seized_ctokens, protocol_fee_ctokens, bonus, insolvent })
}

/// The debt value whose repayment (with its seizure at `with_bonus`) brings liquidation health to the target:
/// health after = (LC − r·(1 + bonus)·θ) / (LD − r·bf) = T, so r = (T·LD − LC) / (T·bf − (1 + bonus)·θ), where θ
/// is the withdrawn collateral's threshold and bf the repaid debt's borrow factor. The denominator is positive
/// whenever a target can be reached by seizing this collateral (θ·(1 + bonus) < 1 ≤ T·bf, which validation
/// keeps); else, or when health is already at the target, zero (the close factor decides). Rounding is the
/// caller's: the value goes through the same floor as the close factor's share.
fn repay_value_to_target(i: &LiquidationInputs, with_bonus: Fraction) -> Result<Fraction> {
    let target = from_bps(i.target_health_bps as u64)?;
    let need = math::mul(target, i.health.liquidation_debt)?.saturating_sub(i.health.liquidation_collateral);
    let gain = math::mul(target, from_bps(i.repay_borrow_factor_bps as u64)?)?;
    let cost = math::mul(with_bonus, from_bps(i.withdraw_threshold_bps as u64)?)?;
    if need == Fraction::ZERO || gain <= cost {
        return Ok(Fraction::ZERO);
    }
    math::div(need, math::sub(gain, cost)?)
}

/// What buys one whole cToken at the bonus price: its value over (1 + bonus) in repay units, owed, so rounded up and
/// at least one. The whole debt when that is more than the debt (the borrower then gives up less than one cToken past
/// the bonus: the collateral's own granularity), or when a partial repay would leave dust.
fn repay_for_one_ctoken(i: &LiquidationInputs, with_bonus: Fraction, debt_ceil: u64, dust: Fraction) -> Result<u64> {
    let one = market_value(i.liquidity_per_ctoken, i.withdraw_decimals, i.withdraw_price)?;
    let covered = math::div(one, with_bonus).and_then(|v| native_of(v, i.repay_decimals, i.repay_price));
    let repay = covered.and_then(to_ceil_u64).unwrap_or(u64::MAX).max(1);
    if repay >= debt_ceil {
        return Ok(debt_ceil);
    }
    let left = i.debt.saturating_sub(from_u64(repay));
    if left > Fraction::ZERO && market_value(left, i.repay_decimals, i.repay_price)? < dust {
        return Ok(debt_ceil);
    }
    Ok(repay)
}

/// Takes the seized cTokens out of the obligation and redeems the protocol fee into the insurance fund.
/// Returns the cTokens left for the liquidator. The exchange rate is unchanged: the fee's liquidity moves
/// from depositors' liquidity to the insurance fund as its cTokens are burned.
pub fn seize(reserve: &mut Reserve, obligation: &mut crate::state::Obligation, reserve_key: &Pubkey, plan: &LiquidationPlan) -> Result<u64> {
    collateral::unpledge(obligation, reserve_key, plan.seized_ctokens)?;
    if plan.protocol_fee_ctokens > 0 {
        let fee_liquidity = reserve.ctokens_to_liquidity(plan.protocol_fee_ctokens)?;
        reserve.insurance_fund_sf.set(math::add(reserve.insurance_fund_sf.get(), fee_liquidity)?);
        reserve.ctoken_supply = math::checked_sub_u64(reserve.ctoken_supply, plan.protocol_fee_ctokens)?;
    }
    math::checked_sub_u64(plan.seized_ctokens, plan.protocol_fee_ctokens)
}

/// What the liquidator is paid.
pub struct Payout {
    /// cTokens seized for the liquidator (burned when paid in underlying).
    pub ctoken_amount: u64,
    /// Liquidity paid instead of cTokens, when asked for and available.
    pub underlying: Option<u64>,
}

/// Seizes per `plan` and decides the payout: underlying liquidity when asked for and the reserve has it
/// (redeemed at the exchange rate, rounded down), cTokens otherwise; never less than `min_seized_out`.
pub fn settle(
    reserve: &mut Reserve,
    obligation: &mut crate::state::Obligation,
    reserve_key: &Pubkey,
    plan: &LiquidationPlan,
    receive_underlying: bool,
    min_seized_out: u64,
) -> Result<Payout> {
    let ctoken_amount = seize(reserve, obligation, reserve_key, plan)?;
    let liquidity = reserve.ctokens_to_liquidity_floor(ctoken_amount)?;
    // Paid in underlying only from liquidity the withdrawal queue has not reserved; else in cTokens.
    let free = super::withdrawal_queue::unreserved_liquidity(reserve)?;
    let underlying = if receive_underlying && liquidity > 0 && liquidity <= free {
        deposit::redeem_ctokens(reserve, ctoken_amount)?;
        Some(liquidity)
    } else {
        None
    };
    require!(underlying.unwrap_or(ctoken_amount) >= min_seized_out, BallastError::LiquidationSlippage);
    Ok(Payout { ctoken_amount, underlying })
}

/// Seconds since `obligation` was recorded insolvent (0 when it is not recorded).
pub fn insolvent_for_secs(obligation: &crate::state::Obligation, now: i64) -> u64 {
    match obligation.insolvent_since {
        0 => 0,
        since => now.saturating_sub(since).max(0) as u64,
    }
}

/// The auction clock after a verified look at the obligation: started now when first found insolvent, kept
/// while it stays so, cleared once it is solvent.
pub fn next_insolvent_since(obligation: &crate::state::Obligation, insolvent: bool, now: i64) -> i64 {
    match (insolvent, obligation.insolvent_since) {
        (false, _) => 0,
        (true, 0) => now.max(1),
        (true, since) => since,
    }
}

/// bps of a Fraction, for events.
pub fn to_bps(x: Fraction) -> Result<u64> {
    to_floor_u64(math::mul(x, from_u64(BPS))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(collateral_value: f64, debt_value: f64) -> LiquidationInputs {
        // USDC debt at $1 (6 decimals), SOL collateral at $100 (9 decimals), threshold 85%.
        let health = Health {
            liquidation_collateral: Fraction::from_num(collateral_value * 0.85),
            liquidation_debt: Fraction::from_num(debt_value),
            collateral_value: Fraction::from_num(collateral_value),
            debt_value: Fraction::from_num(debt_value),
            ..Health::default()
        };
        LiquidationInputs {
            health,
            debt: Fraction::from_num(debt_value * 1e6),
            repay_price: Fraction::ONE,
            repay_decimals: 6,
            collateral_ctokens: (collateral_value / 100.0 * 1e9) as u64,
            liquidity_per_ctoken: Fraction::ONE,
            withdraw_price: Fraction::from_num(100),
            withdraw_decimals: 9,
            close_factor_bps: 2_000,
            dust_threshold_quote: 1,
            partial_only: false,
            min_bonus_bps: 200,
            max_bonus_bps: 1_000,
            protocol_fee_bps: 2_000,
            max_repay_amount: u64::MAX,
            insolvent_auction_secs: 0,
            insolvent_for_secs: 0,
            target_health_bps: 0,
            withdraw_threshold_bps: 8_500,
            repay_borrow_factor_bps: 10_000,
        }
    }

    #[test]
    fn plan_succeeds_repaying_up_to_the_target_health() {
        // Health 850 / 860 = 0.988: the close factor's 20% ($172) would stop at 1.0; with a 1.10 target the call
        // repays r = (1.1·860 − 850) / (1.1 − (1 + bonus)·0.85), and health after is the target.
        let i = LiquidationInputs { target_health_bps: 11_000, ..inputs(1_000.0, 860.0) };
        let p = plan(&i).unwrap();
        let bonus = p.bonus.to_num::<f64>();
        let r = (1.1 * 860.0 - 850.0) / (1.1 - (1.0 + bonus) * 0.85);
        assert!((p.repay_amount as f64 / 1e6 - r).abs() < 1e-5, "{p:?} vs {r}");
        let seized = p.seized_ctokens as f64 / 1e9 * 100.0;
        let after = (850.0 - seized * 0.85) / (860.0 - p.repay_amount as f64 / 1e6);
        assert!((after - 1.1).abs() < 1e-6, "health after {after}");
        // A target below what the close factor reaches changes nothing; partial liquidation only ignores it.
        assert_eq!(plan(&LiquidationInputs { target_health_bps: 10_000, ..inputs(1_000.0, 860.0) }).unwrap().repay_amount, 172_000_000);
        assert_eq!(plan(&LiquidationInputs { partial_only: true, ..i }).unwrap().repay_amount, 172_000_000);
    }

    #[test]
    fn plan_succeeds_with_a_bonus_rising_with_time_when_insolvent_under_an_auction() {
        // $950 of collateral for $1,000 of debt: insolvent. With a 1,000 s auction the bonus is 0 when found,
        // half the 10% cap after 500 s, the cap from 1,000 s on; no protocol cut on any of it.
        let at = |secs: u64| plan(&LiquidationInputs { insolvent_auction_secs: 1_000, insolvent_for_secs: secs, ..inputs(950.0, 1_000.0) }).unwrap();
        for (secs, bonus) in [(0, 0.0), (500, 0.05), (1_000, 0.1), (90_000, 0.1)] {
            let p = at(secs);
            assert!((p.bonus.to_num::<f64>() - bonus).abs() < 1e-12 && p.insolvent && p.protocol_fee_ctokens == 0, "{secs} s: {p:?}");
        }
        // Found now, the whole debt may be repaid (health ≤ 0.95) and buys collateral at its value: no bad debt
        // is made by the bonus.
        let p = at(0);
        assert_eq!((p.repay_amount, p.seized_ctokens), ((950e6f64).ceil() as u64, 9_500_000_000), "{p:?}");
        // A solvent obligation keeps the ramp and the protocol's cut, auction or not.
        let p = plan(&LiquidationInputs { insolvent_auction_secs: 1_000, ..inputs(1_000.0, 860.0) }).unwrap();
        assert!(!p.insolvent && p.protocol_fee_ctokens > 0 && p.bonus > Fraction::from_num(0.02), "{p:?}");
        // Without an auction an insolvent obligation pays the cap at once, and the cut.
        let p = plan(&inputs(950.0, 1_000.0)).unwrap();
        assert!(p.insolvent && p.protocol_fee_ctokens > 0 && (p.bonus.to_num::<f64>() - 0.1).abs() < 1e-12, "{p:?}");
    }

    #[test]
    fn healthy_obligations_cannot_be_liquidated() {
        assert_eq!(plan(&inputs(1_000.0, 850.0)).unwrap_err(), BallastError::ObligationHealthy.into());
    }

    #[test]
    fn close_factor_limits_a_shallow_liquidation() {
        // health = 850·… : collateral 1,000 × 0.85 = 850 vs debt 860 → health 0.988
        let p = plan(&inputs(1_000.0, 860.0)).unwrap();
        assert_eq!(p.repay_amount, 172_000_000); // 20% of $860
        let health = 850.0 / 860.0;
        let bonus = 0.02 + 0.08 * ((1.0 - health) / 0.1);
        assert!((p.bonus.to_num::<f64>() - bonus).abs() < 1e-12);
        let seized = (172.0 * (1.0 + bonus) / 100.0 * 1e9).floor();
        assert!((p.seized_ctokens as f64 - seized).abs() <= 1.0);
        let fee = (p.seized_ctokens as f64 * bonus / (1.0 + bonus) * 0.2).floor();
        assert!((p.protocol_fee_ctokens as f64 - fee).abs() <= 1.0);
    }

    #[test]
    fn deep_shortfall_allows_everything_at_the_minimum_bonus_when_nothing_is_left_over() {
        // health 0.85 × 1,000 / 1,000 = 0.85 ≤ 0.95: full repay allowed. The ramp says max (shortfall 15% > 10%),
        // but collateral equals debt: no cushion, so the minimum bonus (2%).
        let p = plan(&inputs(1_000.0, 1_000.0)).unwrap();
        assert!((p.bonus.to_num::<f64>() - 0.02).abs() < 1e-15);
        // $1,000 × 1.02 > $1,000 of collateral: everything is seized, repay = 1,000 / 1.02.
        assert_eq!(p.seized_ctokens, 10_000_000_000);
        assert_eq!(p.repay_amount, (1_000e6f64 / 1.02).ceil() as u64, "owed, so rounded up");
    }

    #[test]
    fn plan_succeeds_with_the_close_factor_only_when_partial_liquidation_only() {
        // Health 0.85 (full liquidation allowed above), and a debt under the dust threshold: with the flag, the
        // close factor binds both times.
        let deep = LiquidationInputs { partial_only: true, ..inputs(1_000.0, 1_000.0) };
        assert_eq!(plan(&deep).unwrap().repay_amount, 200_000_000, "20% of $1,000");
        let small = LiquidationInputs { partial_only: true, dust_threshold_quote: 10_000, ..inputs(1_000.0, 860.0) };
        assert_eq!(plan(&small).unwrap().repay_amount, 172_000_000, "20% of $860, dust or not");
        let small_full = LiquidationInputs { dust_threshold_quote: 10_000, ..inputs(1_000.0, 860.0) };
        assert_eq!(plan(&small_full).unwrap().repay_amount, 860_000_000, "without the flag a debt under dust goes whole");
    }

    #[test]
    fn solvency_capped_bonus_never_turns_a_solvent_obligation_insolvent() {
        // $1,050 of collateral for $1,000 of debt: health 0.8925, the ramp's 10% would leave $50 of debt with
        // nothing behind it. Capped at the 5% cushion, one full liquidation clears both sides.
        let p = plan(&inputs(1_050.0, 1_000.0)).unwrap();
        assert!((p.bonus.to_num::<f64>() - 0.05).abs() < 1e-12, "{p:?}");
        assert_eq!(p.repay_amount, 1_000_000_000);
        assert!(p.seized_ctokens >= 10_499_999_999, "{p:?}");
        // Insolvent: the full ramp, so it is cleared while the collateral is worth something.
        let p = plan(&inputs(950.0, 1_000.0)).unwrap();
        assert!((p.bonus.to_num::<f64>() - 0.1).abs() < 1e-12, "{p:?}");
        // With a wide cushion the ramp decides.
        let p = plan(&inputs(1_150.0, 1_000.0)).unwrap();
        let ramp = 0.02 + 0.08 * ((1.0 - 1_150.0 * 0.85 / 1_000.0) / 0.1);
        assert!((p.bonus.to_num::<f64>() - ramp).abs() < 1e-12, "{p:?}");
    }

    #[test]
    fn sub_dust_collateral_is_swept_only_when_paid_for_at_the_bonus_price() {
        // A $0.90 SOL position (dust $1) in an obligation $100 in debt: health 0.86; the cushion is 0.9%, so the
        // minimum bonus (2%).
        let mut i = inputs(100.9, 100.0);
        i.collateral_ctokens = 9_000_000;
        i.max_repay_amount = 1; // the attack: one native unit for the whole position
        let p = plan(&i).unwrap();
        assert_eq!(p.repay_amount, 1);
        assert!(p.seized_ctokens < 20, "one micro-dollar buys a micro-dollar and its bonus, not the position: {p:?}");
        // With a limit that pays for it, the whole position goes at the bonus price.
        i.max_repay_amount = u64::MAX;
        let p = plan(&i).unwrap();
        assert_eq!(p.seized_ctokens, i.collateral_ctokens);
        assert_eq!(p.repay_amount, (0.9e6f64 / 1.02).ceil() as u64);
    }

    #[test]
    fn a_dust_remainder_is_swept_at_the_bonus_price_not_for_free() {
        // $100 of SOL in this reserve (more collateral elsewhere), $430 of debt, dust $20. The 20% call repays $86
        // and seizes ~$88.4, leaving ~$11.6 (< dust): the sweep takes it, and the liquidator pays for it all.
        let mut i = inputs(500.8, 430.0);
        i.collateral_ctokens = 1_000_000_000;
        i.dust_threshold_quote = 20;
        let p = plan(&i).unwrap();
        assert_eq!(p.seized_ctokens, i.collateral_ctokens);
        let bonus = 1.0 + p.bonus.to_num::<f64>();
        assert_eq!(p.repay_amount, (100e6 / bonus).ceil() as u64, "all of it, at the bonus price");
        // A liquidator unwilling to pay for the sweep leaves the remainder where it is.
        i.max_repay_amount = 90_000_000;
        let p = plan(&i).unwrap();
        assert!(p.seized_ctokens < i.collateral_ctokens && p.repay_amount == 86_000_000, "{p:?}");
    }

    #[test]
    fn a_crumb_of_debt_against_real_collateral_caps_no_bonus() {
        let health = Health { collateral_value: from_u64(1_000_000), debt_value: Fraction::from_bits(1), ..Health::default() };
        let bonus = from_bps(500).unwrap();
        assert_eq!(solvency_capped_bonus(bonus, &health, 200).unwrap(), bonus);
    }

    /// `units` of a 0-decimal asset at `unit_price` (coarse collateral units) as the only collateral, threshold 85%.
    fn coarse(units: u64, unit_price: u64, debt_value: f64) -> LiquidationInputs {
        let mut i = inputs((units * unit_price) as f64, debt_value);
        (i.collateral_ctokens, i.withdraw_decimals, i.withdraw_price) = (units, 0, Fraction::from_num(unit_price));
        i
    }

    /// Found by the operations fuzzer's liveness rule: a seizure under one cToken rounded to nothing and the call was
    /// refused (AmountTooSmall), so an obligation backed by coarse units stayed unliquidatable, however unhealthy,
    /// until its debt grew to a unit's worth over the bonus ($359,172 of debt against one $438,680 unit, health 0.87).
    #[test]
    fn plan_succeeds_with_one_whole_ctoken_when_the_seizure_rounds_below_one() {
        // Health 0.944: all of the $90,000 may be repaid, but with the 6.5% bonus that buys $95,832, under one unit.
        let p = plan(&coarse(1, 100_000, 90_000.0)).unwrap();
        assert_eq!((p.repay_amount, p.seized_ctokens), (90_000_000_000, 1), "the whole debt buys the one unit: {p:?}");
        // Four $25,000 units, $86,000 of debt (health 0.988): the 20% call ($17,200 and its bonus) buys under one
        // unit; the liquidator may repay what one unit costs at the bonus price, rounded up, past the close factor.
        let p = plan(&coarse(4, 25_000, 86_000.0)).unwrap();
        let one_at_bonus = (25_000e6 / (1.0 + p.bonus.to_num::<f64>())).ceil();
        assert_eq!(p.seized_ctokens, 1, "{p:?}");
        assert!((p.repay_amount as f64 - one_at_bonus).abs() <= 1.0, "{p:?} vs {one_at_bonus}");
        assert!(p.repay_amount > 17_200_000_000 && p.repay_amount < 86_000_000_000);
    }

    #[test]
    fn plan_fails_below_one_ctoken_past_the_liquidators_limit() {
        // The whole debt buys the unit; a liquidator who will repay less gets nothing.
        let mut i = coarse(1, 100_000, 90_000.0);
        i.max_repay_amount = 50_000_000_000;
        assert_eq!(plan(&i).unwrap_err(), BallastError::AmountTooSmall.into());
    }

    #[test]
    fn a_partial_repay_never_leaves_dust() {
        let mut i = inputs(1_000.0, 860.0);
        i.dust_threshold_quote = 700; // 80% of $860 left would be $688 < $700
        assert_eq!(plan(&i).unwrap().repay_amount, 860_000_000);
        i.max_repay_amount = 500_000_000;
        assert_eq!(plan(&i).unwrap_err(), BallastError::LiquidationLeavesDust.into());
    }
}
