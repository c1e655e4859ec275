//! Protocol-wide constants. Tunables live in config; these are the fixed rules.
use anchor_lang::prelude::{pubkey, Pubkey};

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
/// Shortest oracle age a reserve may be configured to accept, in seconds. A floor, because shortening the age
/// is a tightening the risk council applies at once: at one second no liquidator could post a price and land
/// a liquidation before it went stale, so "tightening" would freeze liquidations. Thirty seconds leaves room
/// for a keeper's price post and its liquidation through ordinary congestion.
pub const MIN_ORACLE_AGE_SECS: u32 = 30;
/// Shortest slot age a secondary source may be configured to accept (about 30 s at 400 ms a slot), for the
/// reason MIN_ORACLE_AGE_SECS gives.
pub const MIN_ORACLE_AGE_SLOTS: u32 = 75;
/// Longest slot age a secondary source may be configured to accept (about an hour).
pub const MAX_ORACLE_AGE_SLOTS: u32 = 9_000;
/// Widest disagreement between two fresh sources a reserve may accept for borrow and withdraw, bps.
pub const MAX_SOURCE_DIVERGENCE_BPS: u16 = 2_000;
/// Switchboard on-demand program ids: mainnet, then devnet. Both keys are Switchboard's; an account owned by
/// either was written by Switchboard's program.
pub const SWITCHBOARD_PROGRAM_IDS: [Pubkey; 2] = [
    pubkey!("SBondMDrcV3K4kxZR1HNVT7osZxAHVHgYXL5Ze1oMUv"),
    pubkey!("Aio4gaXjXzJNVLtzwtNVmSqGKpANtXhybbkhtAC94ji2"),
];
/// Longest config timelock a market may set (30 days), so tightening can never freeze governance.
pub const MAX_CONFIG_TIMELOCK_SECS: u64 = 30 * 86_400;
/// Liquidation health at or below which one call may repay the whole debt, bps.
pub const FULL_LIQUIDATION_HEALTH_BPS: u64 = 9_500;
/// Shortfall (1 − health) over which the bonus ramps from min to max, bps.
pub const LIQUIDATION_BONUS_RAMP_BPS: u64 = 1_000;
/// Micro-quote per whole quote unit: isolated debt ceilings, usage and contributions are counted in
/// quote × 1e6, so rounding each borrow up overstates usage by at most a millionth of a quote unit.
pub const MICRO_QUOTE_PER_QUOTE: u64 = 1_000_000;

// --- program-wide bounds: every config is validated against these, and the runtime clamps to them, so a
// stored config that breaks a rule (e.g. one tightened by a program upgrade) can never overflow accrual ---

/// Highest borrow APR any rate curve point may have, bps (500% APR).
pub const MAX_BORROW_RATE_BPS: u32 = 50_000;
/// Most an admin may raise any point of a rate curve at once, bps of APR; a bigger rise waits for the timelock.
pub const MAX_RATE_STEP_BPS: u32 = 500;
/// Least time between two at-once rate rises on one reserve, seconds (one day).
pub const RATE_STEP_COOLDOWN_SECS: i64 = 86_400;
/// Highest origination fee, bps of the borrowed amount (1%).
pub const MAX_ORIGINATION_FEE_BPS: u16 = 100;
/// Highest flash loan fee, bps of the amount (1%).
pub const MAX_FLASH_FEE_BPS: u16 = 100;
/// Highest share of interest that goes to protocol fees and insurance together, bps (all of it: shares come
/// out of interest, so they can never exceed it; raising the reserve factor waits for the timelock).
pub const MAX_INTEREST_SHARES_BPS: u16 = 10_000;
/// Highest share of the liquidation bonus that goes to the insurance fund, bps (50%).
pub const MAX_PROTOCOL_LIQUIDATION_FEE_BPS: u16 = 5_000;
/// Highest liquidation bonus, for reserves and elevation groups alike, bps of the repaid value (25%).
pub const MAX_LIQUIDATION_BONUS_BPS: u16 = 2_500;
/// Longest an insolvent obligation's bonus may take to rise to its maximum: a day (a longer auction leaves bad
/// debt waiting on prices that may fall further).
pub const MAX_INSOLVENT_AUCTION_SECS: u32 = 86_400;
/// Bounds of a reserve's liquidation target health (0 = none): above 1, so a call that reaches it leaves the
/// obligation healthy; at most 1.5, so no call takes far more than the shortfall calls for.
pub const MIN_LIQUIDATION_TARGET_HEALTH_BPS: u16 = 10_000;
pub const MAX_LIQUIDATION_TARGET_HEALTH_BPS: u16 = 15_000;
/// Bounds of a reserve's volatility-regime half-life (0 = regime off), minutes: ten minutes to thirty days.
pub const MIN_REGIME_HALF_LIFE_MINS: u16 = 10;
pub const MAX_REGIME_HALF_LIFE_MINS: u16 = 43_200;
/// Shortest gap between two regime samples, seconds: a burst of refreshes within a minute adds nothing, so the
/// estimate cannot be swamped by many readings of one price.
pub const MIN_REGIME_SAMPLE_SECS: i64 = 60;
/// Highest annualized variance the regime records, in billionths (100 = a 1,000% annual volatility): one
/// reading, however wild, moves the estimate a bounded amount.
pub const MAX_REGIME_VARIANCE_NANO: u64 = 100_000_000_000;
/// Most a turbulent regime may cut LTV at origination, bps of the LTV (50%).
pub const MAX_REGIME_LTV_CUT_BPS: u16 = 5_000;
/// Orderly delisting: the notice before thresholds start to fall is at least a day (and at least the market's
/// timelock), at most ninety days; thresholds fall by at most 1,000 bps a day, bonuses rise by at most 500.
pub const MIN_DELISTING_NOTICE_SECS: u64 = 86_400;
pub const MAX_DELISTING_NOTICE_SECS: u64 = 90 * 86_400;
pub const MAX_DELISTING_THRESHOLD_STEP_BPS_PER_DAY: u16 = 1_000;
pub const MAX_DELISTING_BONUS_STEP_BPS_PER_DAY: u16 = 500;
/// Most a turbulent regime may add to the borrow APR, bps (50 percentage points).
pub const MAX_REGIME_RATE_ADDON_BPS: u16 = 5_000;
/// Highest borrow factor, bps (2×): debt weighed more than twice would mostly serve to liquidate.
pub const MAX_BORROW_FACTOR_BPS: u16 = 20_000;
/// Highest dust threshold a market may set, whole quote units.
pub const MAX_DUST_THRESHOLD_QUOTE: u64 = 100;
/// Narrowest liquidation band a reserve may set around the EMA, bps: spot within [ema / 1.5, ema × 1.5].
/// A floor, so no one can narrow the band until ordinary volatility blocks liquidations.
pub const MIN_LIQUIDATION_BAND_BPS: u16 = 5_000;
/// Widest liquidation band, bps: spot within [ema / 7, ema × 7].
pub const MAX_LIQUIDATION_BAND_BPS: u16 = 60_000;
/// How far ahead of the cluster clock a price's publish time may be, seconds; later ones are refused.
pub const MAX_PRICE_CLOCK_SKEW_SECS: i64 = 30;
/// Cap on the cumulative borrow index: accrual saturates here instead of overflowing.
pub const MAX_BORROW_INDEX: u64 = 1 << 40;
/// Cap on a reserve's total debt, native units: accrual saturates here, so every debt fits a u64 repay.
pub const MAX_RESERVE_DEBT: u64 = u64::MAX / 4;
