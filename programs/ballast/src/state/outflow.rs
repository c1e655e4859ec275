//! The sliding-window outflow record kept in reserves and markets, and a reserve's fading inflow credit (the
//! limiter's rules are in `operations/controls`).
use crate::error::BallastError;
use anchor_lang::prelude::*;

/// New outflow in a sliding window, approximated from two fixed windows: the previous window's outflow counts
/// in proportion to how much of it the sliding window still overlaps. Only outflow beyond the reserve's inflow
/// [`Credit`] is recorded here, so a deposit and its redemption cancel out and a round trip can never fill the
/// window and lock other users out.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct OutflowWindow {
    /// Start of the current fixed window, unix seconds.
    pub window_start_ts: i64,
    /// New outflow in the current window (native units for a reserve, whole quote units for a market). A
    /// negative value (the net flow an earlier layout kept) counts as zero: inflow is `Credit`'s alone.
    pub current: i64,
    /// New outflow in the previous window, same unit.
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

    /// Outflow over the sliding window ending at `now_ts` (once rolled to it): previous · (window − into) /
    /// window rounded up, so carried outflow is never understated, plus current.
    pub fn net(&self, now_ts: i64, window: i64) -> i128 {
        let into_window = now_ts.saturating_sub(self.window_start_ts).clamp(0, window) as i128;
        let scaled = self.previous.max(0) as i128 * (window as i128 - into_window);
        let carried = scaled.div_euclid(window as i128) + (scaled.rem_euclid(window as i128) != 0) as i128;
        carried + self.current.max(0) as i128
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
        self.current = saturate(self.current.max(0) as i128 + amount as i128);
        Ok(())
    }

    /// How much more outflow fits under `limit` at `now_ts` (the window rolled to it); all of it with a zero
    /// window (no record) or no limit.
    pub fn room(&self, now_ts: i64, window_secs: u32, limit: Option<u64>) -> u64 {
        let Some(limit) = limit.filter(|_| window_secs != 0) else { return u64::MAX };
        let mut rolled = *self;
        rolled.roll(now_ts, window_secs as i64);
        (limit as i128 - rolled.net(now_ts, window_secs as i64)).clamp(0, u64::MAX as i128) as u64
    }
}

/// Inflow credit: liquidity that came into a reserve (deposits, repayments) and may go back out without
/// counting as new outflow (a round trip). Each inflow's credit fades linearly to nothing over one window from
/// the moment it came in, however busy the reserve is afterwards.
///
/// The sum of such fades is convex in time, so a single line through today's credit with the sum's current
/// slope lies below it: the credit is kept as that line, `amount` at `ts` falling by `fade_per_window` per
/// window. Adding inflow adds its own line (amount `a`, slope `a` per window); using credit lowers the amount
/// and keeps the slope, so it only ever fades sooner. Since `amount <= fade_per_window` always holds, the line
/// reaches zero within one window of the last write, and it is never above what the inflows of the last
/// window would give.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Credit {
    /// Credit left at `ts`, native units.
    pub amount: u64,
    /// When `amount` was written, unix seconds.
    pub ts: i64,
    /// How much of it fades per window, native units per window (at least `amount`).
    pub fade_per_window: u64,
}

impl Credit {
    /// The credit left at `now_ts` with flows kept over `window_secs`, rounded down (never overstated). A
    /// zero window keeps none.
    pub fn at(&self, now_ts: i64, window_secs: u32) -> u64 {
        if window_secs == 0 || self.amount == 0 {
            return 0;
        }
        let window = window_secs as u128;
        let elapsed = now_ts.saturating_sub(self.ts).max(0) as u128;
        // A layout written before the slope existed stores none: the amount then fades over one window.
        let fade = self.fade_per_window.max(self.amount) as u128;
        let faded = (fade * elapsed).div_ceil(window);
        (self.amount as u128).saturating_sub(faded) as u64
    }

    /// Adds `amount` of inflow at `now_ts`: it fades to nothing by `now_ts` + one window.
    pub fn add(&mut self, amount: u64, now_ts: i64, window_secs: u32) {
        let left = self.at(now_ts, window_secs);
        // Once the old credit is gone its line no longer counts.
        let fade = if left == 0 { 0 } else { self.fade_per_window.max(self.amount) };
        *self = Credit { amount: left.saturating_add(amount), ts: now_ts, fade_per_window: fade.saturating_add(amount) };
    }

    /// Uses up to `amount` of the credit at `now_ts`; returns how much it covered.
    pub fn take(&mut self, amount: u64, now_ts: i64, window_secs: u32) -> u64 {
        let left = self.at(now_ts, window_secs);
        let covered = left.min(amount);
        let fade = if left == covered { 0 } else { self.fade_per_window.max(self.amount) };
        *self = Credit { amount: left - covered, ts: now_ts, fade_per_window: fade };
        covered
    }
}

fn saturate(value: i128) -> i64 {
    value.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}
