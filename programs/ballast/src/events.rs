//! One event per state change, emitted with `emit_cpi!` as an inner instruction of the program to itself, so
//! a validator's log truncation cannot drop it. Each carries what an indexer needs without a second read:
//! config events carry the config before and after (or the one queued or dropped).
use crate::state::{ElevationGroupWire, MarketConfigWire, ReserveConfigWire};
use anchor_lang::prelude::*;

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarketInitializedEvent {
    pub market: Pubkey,
    pub admin: Pubkey,
    pub risk_council: Pubkey,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReserveInitializedEvent {
    pub market: Pubkey,
    pub reserve: Pubkey,
    pub liquidity_mint: Pubkey,
    /// Native units locked forever as the seed deposit.
    pub seed_liquidity_amount: u64,
    /// The config in force now (with a timelock: collateral off until the requested one applies).
    pub config: ReserveConfigWire,
    /// Earliest time the requested config applies, unix seconds (0 = it is the one in force).
    pub pending_apply_ts: i64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObligationInitializedEvent {
    pub obligation: Pubkey,
    pub owner: Pubkey,
    pub id: u8,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObligationClosedEvent {
    pub obligation: Pubkey,
    /// Who signed and received the rent.
    pub owner: Pubkey,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepositEvent {
    pub reserve: Pubkey,
    pub user: Pubkey,
    pub liquidity_amount: u64,
    pub ctoken_amount: u64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedeemEvent {
    pub reserve: Pubkey,
    pub user: Pubkey,
    pub ctoken_amount: u64,
    pub liquidity_amount: u64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollateralInEvent {
    pub obligation: Pubkey,
    pub reserve: Pubkey,
    pub ctoken_amount: u64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollateralOutEvent {
    pub obligation: Pubkey,
    pub reserve: Pubkey,
    pub ctoken_amount: u64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BorrowEvent {
    pub obligation: Pubkey,
    pub reserve: Pubkey,
    /// Native units sent to the borrower.
    pub liquidity_amount: u64,
    /// Native units added to the debt as the origination fee (rounded up).
    pub origination_fee: u64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepayEvent {
    pub obligation: Pubkey,
    pub reserve: Pubkey,
    pub payer: Pubkey,
    pub liquidity_amount: u64,
    /// True when the position was repaid in full and removed.
    pub closed: bool,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReserveRefreshedEvent {
    pub reserve: Pubkey,
    /// Cumulative borrow index after accrual, as Fraction bits.
    pub cumulative_borrow_index_bits: u128,
    pub borrow_rate_bps: u32,
    /// The verified spot price now cached in the reserve, quote per whole token, as Fraction bits.
    pub price_bits: u128,
    /// Native units owed by all borrowers after accrual, as Fraction bits.
    pub borrowed_bits: u128,
    /// Native units in the liquidity vault that are free to lend or redeem.
    pub available_liquidity: u64,
    /// The volatility regime after this refresh: annualized variance (billionths) and level (bps of full
    /// turbulence; 0 with the regime off).
    pub regime_variance_nano: u64,
    pub regime_level_bps: u16,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeesSweptEvent {
    pub reserve: Pubkey,
    pub liquidity_amount: u64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiquidateEvent {
    pub obligation: Pubkey,
    pub liquidator: Pubkey,
    pub repay_reserve: Pubkey,
    pub withdraw_reserve: Pubkey,
    /// Native units of the repay reserve paid by the liquidator.
    pub repay_amount: u64,
    /// cTokens taken from the obligation, including the protocol fee.
    pub seized_ctokens: u64,
    /// cTokens of the bonus redeemed into the withdraw reserve's insurance fund.
    pub protocol_fee_ctokens: u64,
    /// Liquidation bonus applied, bps of the repaid value.
    pub bonus_bps: u64,
    /// True when the liquidator received liquidity rather than cTokens.
    pub received_underlying: bool,
    /// What the liquidator received: native liquidity units or cTokens.
    pub received_amount: u64,
}

/// An obligation's insolvent auction clock as `mark_insolvency` left it: running since `insolvent_since`, or
/// clear (0).
#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InsolvencyMarkedEvent {
    pub obligation: Pubkey,
    /// Unix seconds the obligation was first found insolvent; 0 = solvent, no clock.
    pub insolvent_since: i64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadDebtSocializedEvent {
    pub obligation: Pubkey,
    pub reserve: Pubkey,
    /// Debt written off, native units (rounded up).
    pub debt_amount: u64,
    /// Part covered by the reserve's insurance fund, native units (rounded down).
    pub from_insurance: u64,
    /// Part covered by unswept protocol fees, native units (rounded down).
    pub from_protocol_fees: u64,
    /// Part absorbed by depositors through a lower cToken exchange rate, native units.
    pub from_depositors: u64,
}

/// An elevation group is now in force as `group` (tightened at once, or a queued change applied).
#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElevationGroupConfiguredEvent {
    pub market: Pubkey,
    pub id: u8,
    /// The group before (all zeros: it did not exist).
    pub old: ElevationGroupWire,
    pub group: ElevationGroupWire,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElevationGroupSetEvent {
    pub obligation: Pubkey,
    /// Group id before (0 = none).
    pub old_id: u8,
    /// New group id (0 = none).
    pub id: u8,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminProposedEvent {
    pub market: Pubkey,
    pub admin: Pubkey,
    /// Who may accept (default = proposal withdrawn).
    pub pending_admin: Pubkey,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminChangedEvent {
    pub market: Pubkey,
    pub old_admin: Pubkey,
    pub new_admin: Pubkey,
}

/// A reserve's config in force changed at once: the admin's change that loosens nothing or a bounded rate
/// step (`by_admin`), or the risk council's tightening. Any queued change it superseded has its own
/// `ReserveConfigCancelledEvent` first.
#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReserveConfigChangedEvent {
    pub reserve: Pubkey,
    /// The admin or the risk council.
    pub signer: Pubkey,
    pub by_admin: bool,
    pub old: ReserveConfigWire,
    pub new: ReserveConfigWire,
}

/// The market's config in force changed at once (see `ReserveConfigChangedEvent`).
#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarketConfigChangedEvent {
    pub market: Pubkey,
    pub signer: Pubkey,
    pub by_admin: bool,
    pub old: MarketConfigWire,
    pub new: MarketConfigWire,
}

/// The admin queued a reserve config change behind the market's timelock.
#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReserveConfigQueuedEvent {
    pub reserve: Pubkey,
    /// The config in force until it applies.
    pub current: ReserveConfigWire,
    pub pending: ReserveConfigWire,
    /// Earliest time `apply_pending_reserve_config` may apply it, unix seconds.
    pub apply_ts: i64,
}

/// The admin queued a market config change behind the timelock.
#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarketConfigQueuedEvent {
    pub market: Pubkey,
    pub current: MarketConfigWire,
    pub pending: MarketConfigWire,
    /// Earliest time `apply_pending_market_config` may apply it, unix seconds.
    pub apply_ts: i64,
}

/// A queued reserve config is now in force.
#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReserveConfigAppliedEvent {
    pub reserve: Pubkey,
    pub old: ReserveConfigWire,
    pub new: ReserveConfigWire,
}

/// A queued market config is now in force.
#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarketConfigAppliedEvent {
    pub market: Pubkey,
    pub old: MarketConfigWire,
    pub new: MarketConfigWire,
}

/// A queued reserve config was dropped: cancelled by the admin or the risk council (the council's cancel is
/// a brake), or superseded by an at-once change.
#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReserveConfigCancelledEvent {
    pub reserve: Pubkey,
    pub signer: Pubkey,
    pub by_admin: bool,
    pub dropped: ReserveConfigWire,
    /// When it would have applied, unix seconds.
    pub apply_ts: i64,
}

/// The admin marked a reserve for delisting: it backs no new borrows from now, and from `starts_at` its
/// liquidation threshold falls and its liquidation bonus rises by these steps a day.
#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DelistingStartedEvent {
    pub reserve: Pubkey,
    /// When thresholds start to fall, unix seconds (now plus the notice).
    pub starts_at: i64,
    pub threshold_step_bps_per_day: u16,
    pub bonus_step_bps_per_day: u16,
}

/// The admin or the risk council stopped a delisting: the config's thresholds and bonuses apply again.
#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DelistingStoppedEvent {
    pub reserve: Pubkey,
    pub signer: Pubkey,
    pub by_admin: bool,
    /// When its thresholds had started, or would have started, to fall, unix seconds.
    pub started_at: i64,
}

/// A queued market config was dropped (see `ReserveConfigCancelledEvent`).
#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarketConfigCancelledEvent {
    pub market: Pubkey,
    pub signer: Pubkey,
    pub by_admin: bool,
    pub dropped: MarketConfigWire,
    pub apply_ts: i64,
}

/// The admin queued creating or loosening an elevation group; it applies after the timelock.
#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElevationGroupQueuedEvent {
    pub market: Pubkey,
    pub id: u8,
    pub group: ElevationGroupWire,
    /// Earliest time `apply_pending_elevation_group` may apply it, unix seconds.
    pub apply_ts: i64,
}

/// A queued elevation group change was dropped.
#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElevationGroupCancelledEvent {
    pub market: Pubkey,
    pub id: u8,
    /// The queued group that was dropped.
    pub dropped: ElevationGroupWire,
    /// The admin or the risk council.
    pub signer: Pubkey,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskCouncilProposedEvent {
    pub market: Pubkey,
    pub risk_council: Pubkey,
    /// Who may accept (default = proposal withdrawn).
    pub pending_risk_council: Pubkey,
    /// Earliest time the proposed council may accept, unix seconds (0 = withdrawn).
    pub apply_ts: i64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskCouncilChangedEvent {
    pub market: Pubkey,
    pub old_risk_council: Pubkey,
    pub new_risk_council: Pubkey,
}

/// The admin named the market's address lookup table.
#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupTableSetEvent {
    pub market: Pubkey,
    /// The table named before (default = none).
    pub old_lookup_table: Pubkey,
    pub lookup_table: Pubkey,
}

/// The admin sent swept fees out of the fee vault.
#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeesWithdrawnEvent {
    pub reserve: Pubkey,
    /// Token account that received them.
    pub receiver: Pubkey,
    /// Native units.
    pub liquidity_amount: u64,
    /// Native units left in the fee vault.
    pub fee_vault_after: u64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlashBorrowEvent {
    pub reserve: Pubkey,
    pub user: Pubkey,
    /// Native units lent; the same transaction repays them.
    pub liquidity_amount: u64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlashRepayEvent {
    pub reserve: Pubkey,
    pub user: Pubkey,
    /// Native units of principal repaid.
    pub liquidity_amount: u64,
    /// Flash fee paid on top, native units (rounded up).
    pub fee_amount: u64,
    /// Part of the fee added to protocol fees, native units.
    pub protocol_fee_amount: u64,
    /// Part of the fee added to the insurance fund, native units.
    pub insurance_fee_amount: u64,
}

/// Debt counted against, or released from, an isolated reserve's market-wide debt ceiling.
#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IsolatedDebtEvent {
    pub obligation: Pubkey,
    /// The isolated reserve whose usage changed.
    pub reserve: Pubkey,
    /// Counted by a borrow, micro-quote (quote × 1e6).
    pub counted_micro_quote: u64,
    /// Released by a repay, liquidation or bad-debt write-off, micro-quote.
    pub released_micro_quote: u64,
    /// The reserve's usage after the change, micro-quote.
    pub usage_micro_quote: u64,
    /// The reserve's ceiling, micro-quote.
    pub ceiling_micro_quote: u64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WithdrawalRequestedEvent {
    pub reserve: Pubkey,
    pub ticket: Pubkey,
    pub owner: Pubkey,
    /// Place in the queue.
    pub seq: u64,
    pub ctoken_amount: u64,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WithdrawalServedEvent {
    pub reserve: Pubkey,
    pub ticket: Pubkey,
    pub seq: u64,
    /// cTokens filled and the liquidity paid for them (both 0 when the ticket was skipped or set aside).
    pub ctoken_amount: u64,
    pub liquidity_amount: u64,
    /// The destination could not be paid: the ticket keeps its cTokens for its owner and the queue moves on.
    pub set_aside: bool,
}

#[event]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WithdrawalCancelledEvent {
    pub reserve: Pubkey,
    pub ticket: Pubkey,
    pub seq: u64,
    /// Unfilled cTokens minted back to the owner.
    pub ctoken_amount: u64,
    /// Closed now (at the head or set aside); otherwise closed by the crank when the queue reaches it.
    pub closed: bool,
}
