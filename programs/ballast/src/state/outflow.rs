//! The sliding-window outflow record kept in reserves and markets (the limiter's rule is in `operations/controls`).
use crate::{error::BallastError, math};
use anchor_lang::prelude::*;
use bytemuck::{Pod, Zeroable};

/// Outflow in a sliding window, approximated from two fixed windows: the previous window's outflow
/// counts in proportion to how much of it the sliding window still overlaps.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct OutflowWindow {
    /// Start of the current fixed window, unix seconds.
    pub window_start_ts: i64,
    /// Outflow in the current window (native units for a reserve, whole quote units for a market).
    pub current: u64,
    /// Outflow in the previous window, same unit.
    pub previous: u64,
}

impl OutflowWindow {
    /// Adds `amount` at `now_ts` if the sliding-window total stays within `limit`; a zero window turns
    /// the limiter off. The error is the caller's, so reserve and market limits name themselves.
    pub fn record(&mut self, amount: u64, now_ts: i64, limit: u64, window_secs: u32, error: BallastError) -> Result<()> {
        if window_secs == 0 {
            return Ok(());
        }
        let window = window_secs as i64;
        let elapsed = now_ts.saturating_sub(self.window_start_ts).max(0);
        if elapsed >= 2 * window {
            // Quiet for a whole window: start afresh at this outflow.
            *self = OutflowWindow { window_start_ts: now_ts, current: 0, previous: 0 };
        } else if elapsed >= window {
            self.previous = self.current;
            self.current = 0;
            self.window_start_ts = self.window_start_ts.saturating_add(window);
        }
        let into_window = now_ts.saturating_sub(self.window_start_ts).clamp(0, window) as u64;
        // previous · (window − into_window) / window, rounded up so the limiter errs on the safe side.
        let carried = math::mul_div_ceil(self.previous, window as u64 - into_window, window as u64)?;
        let total = math::checked_add_u64(math::checked_add_u64(carried, self.current)?, amount)?;
        if total > limit {
            return Err(error!(error));
        }
        self.current = math::checked_add_u64(self.current, amount)?;
        Ok(())
    }
}

