//! One event per state change; indexers and the dashboard read these.
use crate::state::ElevationGroup;
use anchor_lang::prelude::*;

#[event]
pub struct MarketInitializedEvent {
    pub market: Pubkey,
    pub admin: Pubkey,
    pub risk_council: Pubkey,
}

#[event]
pub struct ReserveInitializedEvent {
    pub market: Pubkey,
    pub reserve: Pubkey,
    pub liquidity_mint: Pubkey,
    /// Native units locked forever as the seed deposit.
    pub seed_liquidity_amount: u64,
}

#[event]
pub struct ReserveConfigUpdatedEvent {
    pub reserve: Pubkey,
}

#[event]
pub struct ObligationInitializedEvent {
    pub obligation: Pubkey,
    pub owner: Pubkey,
    pub id: u8,
}

#[event]
pub struct ObligationClosedEvent {
    pub obligation: Pubkey,
}

#[event]
pub struct DepositEvent {
    pub reserve: Pubkey,
    pub user: Pubkey,
    pub liquidity_amount: u64,
    pub ctoken_amount: u64,
}

#[event]
pub struct RedeemEvent {
    pub reserve: Pubkey,
    pub user: Pubkey,
    pub ctoken_amount: u64,
    pub liquidity_amount: u64,
}

#[event]
pub struct CollateralInEvent {
    pub obligation: Pubkey,
    pub reserve: Pubkey,
    pub ctoken_amount: u64,
}

#[event]
pub struct CollateralOutEvent {
    pub obligation: Pubkey,
    pub reserve: Pubkey,
    pub ctoken_amount: u64,
}

#[event]
pub struct BorrowEvent {
    pub obligation: Pubkey,
    pub reserve: Pubkey,
    /// Native units sent to the borrower.
    pub liquidity_amount: u64,
    /// Native units added to the debt as the origination fee (rounded up).
    pub origination_fee: u64,
}

#[event]
pub struct RepayEvent {
    pub obligation: Pubkey,
    pub reserve: Pubkey,
    pub payer: Pubkey,
    pub liquidity_amount: u64,
    /// True when the position was repaid in full and removed.
    pub closed: bool,
}

#[event]
pub struct ReserveRefreshedEvent {
    pub reserve: Pubkey,
    /// Cumulative borrow index after accrual, as Fraction bits.
    pub cumulative_borrow_index_bits: u128,
    pub borrow_rate_bps: u32,
}

#[event]
pub struct FeesSweptEvent {
    pub reserve: Pubkey,
    pub liquidity_amount: u64,
}

#[event]
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

#[event]
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
pub struct ElevationGroupConfiguredEvent {
    pub market: Pubkey,
    pub id: u8,
    pub group: ElevationGroup,
}

#[event]
pub struct ElevationGroupSetEvent {
    pub obligation: Pubkey,
    /// New group id (0 = none).
    pub id: u8,
}

#[event]
pub struct AdminProposedEvent {
    pub market: Pubkey,
    pub admin: Pubkey,
    /// Who may accept (default = proposal withdrawn).
    pub pending_admin: Pubkey,
}

#[event]
pub struct AdminChangedEvent {
    pub market: Pubkey,
    pub old_admin: Pubkey,
    pub new_admin: Pubkey,
}

#[event]
pub struct MarketConfigUpdatedEvent {
    pub market: Pubkey,
}

/// The risk council applied a change that does not loosen (pause, reduce-only, lower cap or LTV, emergency).
#[event]
pub struct ConfigTightenedEvent {
    /// The reserve or the market whose config changed.
    pub target: Pubkey,
    pub risk_council: Pubkey,
}

#[event]
pub struct ConfigQueuedEvent {
    /// The reserve or the market the change is for.
    pub target: Pubkey,
    /// Earliest time `apply_pending_*` may apply it, unix seconds.
    pub apply_ts: i64,
}

#[event]
pub struct ConfigAppliedEvent {
    /// The reserve or the market whose pending config is now in force.
    pub target: Pubkey,
}

#[event]
pub struct ConfigCancelledEvent {
    /// The reserve or the market whose pending config was dropped.
    pub target: Pubkey,
    /// True when the admin signed (a cancel, or an at-once change by the admin that superseded it).
    pub by_admin: bool,
    /// Who signed: the admin, or the risk council (its cancel is a brake; its tightening supersedes).
    pub signer: Pubkey,
}

/// The admin queued creating or loosening an elevation group; it applies after the timelock.
#[event]
pub struct ElevationGroupQueuedEvent {
    pub market: Pubkey,
    pub id: u8,
    pub group: ElevationGroup,
    /// Earliest time `apply_pending_elevation_group` may apply it, unix seconds.
    pub apply_ts: i64,
}

/// A queued elevation group change was dropped.
#[event]
pub struct ElevationGroupCancelledEvent {
    pub market: Pubkey,
    pub id: u8,
    /// The admin or the risk council.
    pub signer: Pubkey,
}

#[event]
pub struct RiskCouncilProposedEvent {
    pub market: Pubkey,
    pub risk_council: Pubkey,
    /// Who may accept (default = proposal withdrawn).
    pub pending_risk_council: Pubkey,
    /// Earliest time the proposed council may accept, unix seconds (0 = withdrawn).
    pub apply_ts: i64,
}

#[event]
pub struct RiskCouncilChangedEvent {
    pub market: Pubkey,
    pub old_risk_council: Pubkey,
    pub new_risk_council: Pubkey,
}

/// The admin named the market's address lookup table.
#[event]
pub struct LookupTableSetEvent {
    pub market: Pubkey,
    pub lookup_table: Pubkey,
}

/// The admin sent swept fees out of the fee vault.
#[event]
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
pub struct FlashBorrowEvent {
    pub reserve: Pubkey,
    pub user: Pubkey,
    /// Native units lent; the same transaction repays them.
    pub liquidity_amount: u64,
}

#[event]
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
pub struct WithdrawalRequestedEvent {
    pub reserve: Pubkey,
    pub ticket: Pubkey,
    pub owner: Pubkey,
    /// Place in the queue.
    pub seq: u64,
    pub ctoken_amount: u64,
}

#[event]
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
pub struct WithdrawalCancelledEvent {
    pub reserve: Pubkey,
    pub ticket: Pubkey,
    pub seq: u64,
    /// Unfilled cTokens minted back to the owner.
    pub ctoken_amount: u64,
    /// Closed now (at the head or set aside); otherwise closed by the crank when the queue reaches it.
    pub closed: bool,
}
