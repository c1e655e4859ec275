//! The sliding-window net-flow record kept in reserves and markets (the limiter's rules are in
//! `operations/controls`).
use crate::error::BallastError;
use anchor_lang::prelude::*;

/// Net outflow in a sliding window, approximated from two fixed windows: the previous window's net counts
/// in proportion to how much of it the sliding window still overlaps. Outflow adds, inflow subtracts, so a
/// net below zero is credit that later outflow in the window uses first: a deposit and its redemption
/// cancel out, and a round trip can never fill the window and lock other users out.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct OutflowWindow {
    /// Start of the current fixed window, unix seconds.
    pub window_start_ts: i64,
    /// Net outflow in the current window (native units for a reserve, whole quote units for a market);
    /// negative when more came in than went out.
    pub current: i64,
    /// Net outflow in the previous window, same unit and sign.
    pub previous: i64,
}

impl OutflowWindow {
    /// Moves the fixed windows up to `now_ts`.
    fn roll(&mut self, now_ts: i64, window: i64) {
        let elapsed = now_ts.saturating_sub(self.window_start_ts).max(0);
        if elapsed >= 2 * window {
            // Quiet for a whole window: start afresh.
            *self = OutflowWindow { window_start_ts: now_ts, current: 0, previous: 0 };
        } else if elapsed >= window {
            self.previous = self.current;
            self.current = 0;
            self.window_start_ts = self.window_start_ts.saturating_add(window);
        }
    }

    /// Net outflow over the sliding window ending at `now_ts` (once rolled to it): previous · (window − into) / window
    /// rounded up, so carried outflow is never understated and carried credit never overstated, plus current.
    pub fn net(&self, now_ts: i64, window: i64) -> i128 {
        let into_window = now_ts.saturating_sub(self.window_start_ts).clamp(0, window) as i128;
        let scaled = self.previous as i128 * (window as i128 - into_window);
        let carried = -((-scaled).div_euclid(window as i128)); // ceiling division by a positive window
        carried + self.current as i128
    }

    /// Adds outflow `amount` at `now_ts`. With a `limit`, refuses with `error` (the caller's, so reserve and
    /// market limits name themselves) when the sliding-window net would pass it. A zero window keeps no record.
    pub fn record_outflow(&mut self, amount: u64, now_ts: i64, window_secs: u32, limit: Option<u64>, error: BallastError) -> Result<()> {
        if window_secs == 0 {
            return Ok(());
        }
        let window = window_secs as i64;
        self.roll(now_ts, window);
        let after = self.net(now_ts, window) + amount as i128;
        if limit.is_some_and(|limit| after > limit as i128) {
            return Err(error!(error));
        }
        self.current = saturate(self.current as i128 + amount as i128);
        Ok(())
    }

    /// Subtracts inflow `amount` at `now_ts` (a deposit or a repayment): credit for outflow later in the window.
    pub fn record_inflow(&mut self, amount: u64, now_ts: i64, window_secs: u32) {
        if window_secs == 0 {
            return;
        }
        self.roll(now_ts, window_secs as i64);
        self.current = saturate(self.current as i128 - amount as i128);
    }
}

/// What is left of `credit`, written at `credit_ts`, at `now_ts`: it fades linearly to nothing over
/// `window_secs`, rounded down (credit is never overstated).
pub fn fading_credit(credit: u64, credit_ts: i64, now_ts: i64, window_secs: u32) -> u64 {
    let window = window_secs as i64;
    if window == 0 {
        return 0;
    }
    let left = window - now_ts.saturating_sub(credit_ts).clamp(0, window);
    (credit as u128 * left as u128 / window as u128) as u64
}

fn saturate(value: i128) -> i64 {
    value.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}
