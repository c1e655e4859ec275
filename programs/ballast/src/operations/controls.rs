//! Circuit breakers (DESIGN §7): which actions pause, reduce-only and emergency mode allow, and the
//! sliding-window outflow limiter. Repay and liquidate are never blocked by any of them.
use crate::{
    error::BallastError,
    math,
    state::{MarketConfig, ReserveConfig, FLAG_PAUSED, FLAG_REDUCE_ONLY, MARKET_FLAG_EMERGENCY},
};
use anchor_lang::prelude::*;
pub use crate::state::OutflowWindow;

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

/// Records liquidity leaving `reserve` (redeem, borrow) against its own outflow limit.
pub fn record_reserve_outflow(reserve: &mut crate::state::Reserve, liquidity_amount: u64, now_ts: i64) -> Result<()> {
    let (limit, window) = (reserve.config.outflow_limit, reserve.config.outflow_window_secs);
    reserve.outflow.record(liquidity_amount, now_ts, limit, window, BallastError::ReserveOutflowLimitExceeded)
}

/// Records value leaving the market (whole quote units, rounded up) against the market's outflow limit.
pub fn record_market_outflow(market: &mut crate::state::Market, value_quote: math::Fraction, now_ts: i64) -> Result<()> {
    let (limit, window) = (market.config.outflow_limit_quote, market.config.outflow_window_secs);
    let value = math::to_ceil_u64(value_quote)?;
    market.outflow.record(value, now_ts, limit, window, BallastError::MarketOutflowLimitExceeded)
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
        w.record(600, 0, 1_000, 100, e).unwrap();
        assert!(w.record(401, 50, 1_000, 100, e).is_err());
        w.record(400, 50, 1_000, 100, e).unwrap();
        // Half-way through the next window half of the previous 1,000 still counts.
        assert!(w.record(501, 150, 1_000, 100, e).is_err());
        w.record(500, 150, 1_000, 100, e).unwrap();
        // Two windows later everything has faded.
        w.record(1_000, 400, 1_000, 100, e).unwrap();
        assert_eq!(w.previous, 0);
        // A zero window is off.
        w.record(u64::MAX, 400, 0, 0, e).unwrap();
    }
}
