//! Protocol-wide constants. Tunables live in config; these are the fixed rules.

/// Basis points in one whole (100%).
pub const BPS: u64 = 10_000;
/// Seconds in the 365-day year used to turn an APR into a per-second rate.
pub const SECONDS_PER_YEAR: u64 = 31_536_000;
/// Positions an obligation can hold on each side.
pub const MAX_OBLIGATION_DEPOSITS: usize = 8;
/// Positions an obligation can hold on each side.
pub const MAX_OBLIGATION_BORROWS: usize = 8;
/// Points a rate curve may have.
pub const MAX_CURVE_POINTS: usize = 11;
/// Smallest seed deposit (native liquidity units) `init_reserve` accepts; its cTokens are locked forever.
pub const MIN_SEED_DEPOSIT: u64 = 1_000;
/// Default share of the debt value one liquidation call may repay.
pub const DEFAULT_CLOSE_FACTOR_BPS: u16 = 2_000;
/// Account layout version written at creation.
pub const ACCOUNT_VERSION: u8 = 1;
/// Longest oracle age a reserve may be configured to accept, in seconds.
pub const MAX_ORACLE_AGE_SECS: u32 = 3_600;
/// Longest config timelock a market may set (30 days), so tightening can never freeze governance.
pub const MAX_CONFIG_TIMELOCK_SECS: u64 = 30 * 86_400;
/// Liquidation health at or below which one call may repay the whole debt, bps.
pub const FULL_LIQUIDATION_HEALTH_BPS: u64 = 9_500;
/// Shortfall (1 − health) over which the bonus ramps from min to max, bps.
pub const LIQUIDATION_BONUS_RAMP_BPS: u64 = 1_000;
/// Micro-quote per whole quote unit: isolated debt ceilings, usage and contributions are counted in
/// quote × 1e6, so rounding each borrow up overstates usage by at most a millionth of a quote unit.
pub const MICRO_QUOTE_PER_QUOTE: u64 = 1_000_000;
