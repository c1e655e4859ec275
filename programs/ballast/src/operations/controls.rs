//! Circuit breakers (DESIGN §7): which actions pause, reduce-only and emergency mode allow, and the
//! sliding-window outflow limiter. Repay and liquidate are never blocked by any of them.
use crate::{
    error::BallastError,
    math,
    state::{MarketConfig, ReserveConfig, FLAG_PAUSED, FLAG_REDUCE_ONLY, MARKET_FLAG_EMERGENCY},
};
use anchor_lang::prelude::*;
pub use crate::state::{Credit, OutflowWindow};

/// What an instruction does to a reserve, for the circuit breakers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Liquidity in (deposit_liquidity, the deposit half of deposit_liquidity_and_collateral).
    Deposit,
    /// cTokens into an obligation.
    PledgeCollateral,
    /// cTokens out of an obligation.
    WithdrawCollateral,
    /// Liquidity out for cTokens.
    Redeem,
    /// Liquidity out as debt.
    Borrow,
    /// Liquidity out and back within one transaction.
    FlashLoan,
    /// Debt paid back.
    Repay,
    /// Debt repaid by a liquidator for collateral.
    Liquidate,
}

impl Action {
    /// Actions that only shrink positions: allowed in reduce-only and emergency mode.
    fn reduces(self) -> bool {
        matches!(self, Action::WithdrawCollateral | Action::Redeem | Action::Repay | Action::Liquidate)
    }
}

/// Rejects `action` if the reserve's pause / reduce-only flags or the market's emergency mode forbid it.
/// Repay, liquidate and pledging cTokens one already holds pass every breaker: each only lowers risk, and
/// a borrower must be able to save a position while liquidations go on (new liquidity stays blocked).
pub fn require_allowed(action: Action, reserve: &ReserveConfig, market: &MarketConfig) -> Result<()> {
    if matches!(action, Action::Repay | Action::Liquidate | Action::PledgeCollateral) {
        return Ok(());
    }
    require!(!reserve.has_flag(FLAG_PAUSED), BallastError::ReservePaused);
    if action.reduces() {
        return Ok(());
    }
    require!(!reserve.has_flag(FLAG_REDUCE_ONLY), BallastError::ReserveReduceOnly);
    require!(!market.has_flag(MARKET_FLAG_EMERGENCY), BallastError::MarketEmergencyMode);
    Ok(())
}

/// The window a reserve keeps its net flow in: its own limiter's, or with that off the market's, so the market
/// limiter still knows which outflow is only inflow going back out.
fn reserve_flow_window(reserve: &ReserveConfig, market: &MarketConfig) -> u32 {
    match reserve.outflow_window_secs {
        0 => market.outflow_window_secs,
        own => own,
    }
}

/// Records liquidity leaving `reserve` (borrow, redeem, queue fill). The part its inflow credit covers only takes
/// back what came in within the window (a deposit's round trip, a borrow repaid and taken again) and counts
/// nowhere, so no one can fill a window for free; the rest is new outflow, counted against the reserve's own
/// limit here and returned for the market's. Credit fades within one window of its inflow, so a run on old
/// deposits counts in full.
pub fn record_reserve_outflow(reserve: &mut crate::state::Reserve, liquidity_amount: u64, market: &MarketConfig, now_ts: i64) -> Result<u64> {
    let window = reserve_flow_window(&reserve.config, market);
    if window == 0 {
        return Ok(liquidity_amount);
    }
    let mut credit = reserve.credit();
    let new_outflow = liquidity_amount - credit.take(liquidity_amount, now_ts, window);
    let limit = (reserve.config.outflow_window_secs != 0).then_some(reserve.config.outflow_limit);
    reserve.outflow.record_outflow(new_outflow, now_ts, window, limit, BallastError::ReserveOutflowLimitExceeded)?;
    reserve.set_credit(credit);
    Ok(new_outflow)
}

/// Records liquidity coming into `reserve` (deposit, repay) as inflow credit, which outflow uses first
/// (`record_reserve_outflow`) and which fades to nothing one window after it came in.
pub fn record_reserve_inflow(reserve: &mut crate::state::Reserve, liquidity_amount: u64, market: &MarketConfig, now_ts: i64) {
    let window = reserve_flow_window(&reserve.config, market);
    if window == 0 {
        return;
    }
    let mut credit = reserve.credit();
    credit.add(liquidity_amount, now_ts, window);
    reserve.set_credit(credit);
}

/// Records new outflow (whole quote units, rounded up) against the market's limit. Inflow is credited per
/// reserve, never here, so deposits need not write the market account.
pub fn record_market_outflow(market: &mut crate::state::Market, value_quote: math::Fraction, now_ts: i64) -> Result<()> {
    let (limit, window) = (market.config.outflow_limit_quote, market.config.outflow_window_secs);
    let value = math::to_ceil_u64(value_quote)?;
    market.outflow.record_outflow(value, now_ts, window, Some(limit), BallastError::MarketOutflowLimitExceeded)
}

/// How much liquidity may leave `reserve` at `now_ts` under both outflow limiters, and the error of the one
/// that binds: its inflow credit plus the new outflow both windows still allow. The market's room, in whole
/// quote units, is converted at `outflow_price` (quote per whole token, `Price::outflow`), rounded down; it is
/// needed only while the market limiter is on.
pub fn outflow_room(reserve: &crate::state::Reserve, market: &crate::state::Market, outflow_price: Option<math::Fraction>, now_ts: i64) -> Result<(u64, BallastError)> {
    let window = reserve_flow_window(&reserve.config, &market.config);
    if window == 0 {
        return Ok((u64::MAX, BallastError::ReserveOutflowLimitExceeded));
    }
    let own_limit = (reserve.config.outflow_window_secs != 0).then_some(reserve.config.outflow_limit);
    let own = reserve.outflow.room(now_ts, window, own_limit);
    let market_window = market.config.outflow_window_secs;
    let market_room = match (market_window, outflow_price) {
        (0, _) => u64::MAX,
        (_, Some(price)) if price > math::Fraction::ZERO => {
            let quote = market.outflow.room(now_ts, market_window, Some(market.config.outflow_limit_quote));
            let scale = math::pow10(reserve.liquidity_decimals as u32)?;
            let tokens = math::div(math::from_u64(quote), price)?;
            tokens.checked_mul_int(scale as u128).and_then(|native| math::to_floor_u64(native).ok()).unwrap_or(u64::MAX)
        }
        _ => return Err(error!(BallastError::OracleInvalidPrice)),
    };
    let (new, error) = if market_room < own {
        (market_room, BallastError::MarketOutflowLimitExceeded)
    } else {
        (own, BallastError::ReserveOutflowLimitExceeded)
    };
    Ok((reserve.credit().at(now_ts, window).saturating_add(new), error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytemuck::Zeroable;

    fn configs(reserve_flags: u16, market_flags: u16) -> (ReserveConfig, MarketConfig) {
        let mut r = ReserveConfig::zeroed();
        r.flags = reserve_flags;
        let mut m = MarketConfig::zeroed();
        m.flags = market_flags;
        (r, m)
    }

    #[test]
    fn repay_liquidate_and_pledge_pass_every_breaker() {
        let (r, m) = configs(FLAG_PAUSED | FLAG_REDUCE_ONLY, MARKET_FLAG_EMERGENCY);
        assert!(require_allowed(Action::Repay, &r, &m).is_ok());
        assert!(require_allowed(Action::Liquidate, &r, &m).is_ok());
        assert!(require_allowed(Action::PledgeCollateral, &r, &m).is_ok());
    }

    #[test]
    fn each_breaker_blocks_what_it_must() {
        use Action::*;
        let all = [Deposit, WithdrawCollateral, Redeem, Borrow, FlashLoan];
        let (paused, m) = configs(FLAG_PAUSED, 0);
        for a in all {
            assert_eq!(require_allowed(a, &paused, &m).unwrap_err(), BallastError::ReservePaused.into(), "{a:?}");
        }
        let (reduce, m) = configs(FLAG_REDUCE_ONLY, 0);
        let (r, emergency) = configs(0, MARKET_FLAG_EMERGENCY);
        for a in all {
            let (reduce_ok, emergency_ok) = (require_allowed(a, &reduce, &m), require_allowed(a, &r, &emergency));
            if matches!(a, WithdrawCollateral | Redeem) {
                assert!(reduce_ok.is_ok() && emergency_ok.is_ok(), "{a:?}");
            } else {
                assert_eq!(reduce_ok.unwrap_err(), BallastError::ReserveReduceOnly.into(), "{a:?}");
                assert_eq!(emergency_ok.unwrap_err(), BallastError::MarketEmergencyMode.into(), "{a:?}");
            }
        }
    }

    #[test]
    fn the_window_slides_and_old_outflow_fades() {
        let e = BallastError::ReserveOutflowLimitExceeded;
        let mut w = OutflowWindow::default();
        let limit = Some(1_000);
        w.record_outflow(600, 0, 100, limit, e).unwrap();
        assert!(w.record_outflow(401, 50, 100, limit, e).is_err());
        w.record_outflow(400, 50, 100, limit, e).unwrap();
        // Half-way through the next window half of the previous 1,000 still counts.
        assert!(w.record_outflow(501, 150, 100, limit, e).is_err());
        w.record_outflow(500, 150, 100, limit, e).unwrap();
        // Two windows later everything has faded.
        w.record_outflow(1_000, 400, 100, limit, e).unwrap();
        assert_eq!(w.previous, 0);
        // A zero window is off.
        w.record_outflow(u64::MAX, 400, 0, Some(0), e).unwrap();
    }

    #[test]
    fn inflow_credit_covers_round_trips_and_frees_a_full_window() {
        let (mut r, m) = configs(0, 0);
        r.outflow_window_secs = 100;
        r.outflow_limit = 1_000;
        let mut reserve = crate::state::Reserve::zeroed();
        reserve.config = r;
        // A round trip, deposit first: nothing is left counted against the limit.
        record_reserve_inflow(&mut reserve, 1_000, &m, 0);
        assert_eq!(record_reserve_outflow(&mut reserve, 1_000, &m, 0).unwrap(), 0);
        assert_eq!(record_reserve_outflow(&mut reserve, 1_000, &m, 0).unwrap(), 1_000);
        assert!(record_reserve_outflow(&mut reserve, 1, &m, 0).is_err());
        // Outflow first, then inflow: the inflow frees the window again, for as much as came in.
        record_reserve_inflow(&mut reserve, 400, &m, 1);
        assert_eq!(record_reserve_outflow(&mut reserve, 400, &m, 1).unwrap(), 0);
        assert!(record_reserve_outflow(&mut reserve, 1, &m, 1).is_err());
        // A window written by an earlier layout (net inflow stored as a negative count) is no credit.
        let mut w = OutflowWindow { window_start_ts: 0, current: -5_000, previous: -5_000 };
        assert_eq!(w.net(10, 100), 0);
        assert!(w.record_outflow(1_001, 10, 100, Some(1_000), BallastError::ReserveOutflowLimitExceeded).is_err());
    }

    /// Issue 24 (low): restarting the fade clock on every flow made a large deposit's credit decay like e^(−t/W)
    /// on a busy reserve (about 36% left a window later). Each inflow's credit is gone one window after it.
    #[test]
    fn inflow_credit_is_gone_one_window_later_however_busy_the_reserve() {
        let (mut r, m) = configs(0, 0);
        r.outflow_window_secs = 3_600;
        r.outflow_limit = u64::MAX;
        let mut reserve = crate::state::Reserve::zeroed();
        reserve.config = r;
        record_reserve_inflow(&mut reserve, 1_000_000, &m, 0);
        for minute in 1..=60 {
            // A small deposit and a small redemption every minute.
            record_reserve_inflow(&mut reserve, 10, &m, minute * 60);
            record_reserve_outflow(&mut reserve, 5, &m, minute * 60 + 1).unwrap();
            let true_credit: u64 = 1_000_000 * (3_600 - (minute * 60 + 1).min(3_600) as u64) / 3_600 + 10 * minute as u64;
            assert!(reserve.credit().at(minute * 60 + 1, 3_600) <= true_credit, "never above the sum of the fades");
        }
        // A window after the big deposit only the last window's small deposits can be left.
        assert!(reserve.credit().at(3_601, 3_600) <= 600, "{}", reserve.credit().at(3_601, 3_600));
        // And a window after the last inflow nothing is.
        assert_eq!(reserve.credit().at(3_600 + 3_600, 3_600), 0);
        // Credit a layout stored without a slope still fades within one window.
        let legacy = Credit { amount: 1_000, ts: 0, fade_per_window: 0 };
        assert_eq!((legacy.at(1_800, 3_600), legacy.at(3_600, 3_600)), (500, 0));
    }

    #[test]
    fn the_market_counts_only_outflow_beyond_the_fading_inflow_credit() {
        let (mut r, mut m) = configs(0, 0);
        m.outflow_window_secs = 100;
        let mut reserve = crate::state::Reserve::zeroed();
        reserve.config = r;
        // With no limiter anywhere nothing is kept, and all outflow is new.
        assert_eq!(record_reserve_outflow(&mut reserve, 10, &MarketConfig::zeroed(), 0).unwrap(), 10);
        // A round trip in one moment: the redemption is covered, nothing is new.
        record_reserve_inflow(&mut reserve, 500, &m, 0);
        assert_eq!(record_reserve_outflow(&mut reserve, 500, &m, 0).unwrap(), 0);
        assert_eq!(record_reserve_outflow(&mut reserve, 500, &m, 0).unwrap(), 500, "the credit is used up");
        // Credit fades over the window: half of it is left half-way, none a window later.
        record_reserve_inflow(&mut reserve, 1_000, &m, 10);
        assert_eq!(record_reserve_outflow(&mut reserve, 1_000, &m, 60).unwrap(), 500);
        record_reserve_inflow(&mut reserve, 1_000, &m, 200);
        assert_eq!(record_reserve_outflow(&mut reserve, 1_000, &m, 300).unwrap(), 1_000);
        // The reserve's own window, when it has one, is the one the credit fades over.
        r.outflow_window_secs = 1_000;
        r.outflow_limit = u64::MAX;
        reserve.config = r;
        record_reserve_inflow(&mut reserve, 1_000, &m, 400);
        assert_eq!(record_reserve_outflow(&mut reserve, 1_000, &m, 500).unwrap(), 100);
    }

    #[test]
    fn a_reserve_without_its_own_limiter_keeps_flow_in_the_market_window() {
        let (mut r, mut m) = configs(0, 0);
        assert_eq!(reserve_flow_window(&r, &m), 0);
        m.outflow_window_secs = 3_600;
        assert_eq!(reserve_flow_window(&r, &m), 3_600);
        r.outflow_window_secs = 60;
        assert_eq!(reserve_flow_window(&r, &m), 60);
    }
}
