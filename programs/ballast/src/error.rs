//! Every rejected input has a named error whose message states the rule.
//! Append-only: never renumber or delete a variant; deprecate it instead.
use anchor_lang::prelude::*;

#[error_code]
pub enum BallastError {
    // --- math and amounts ---
    #[msg("Math overflow: a checked operation overflowed or divided by zero")]
    MathOverflow,
    #[msg("Amount must be greater than zero")]
    ZeroAmount,
    #[msg("Amount is too small: it converts to zero tokens after rounding")]
    AmountTooSmall,

    // --- reserve config rules (one per rule) ---
    #[msg("ltv_bps must be below liquidation_threshold_bps")]
    LtvNotBelowThreshold,
    #[msg("liquidation_threshold_bps must be below 10000 (100%)")]
    ThresholdTooHigh,
    #[msg("liquidation_threshold_bps x (1 + max_liquidation_bonus_bps) must be below 100%")]
    ThresholdWithBonusTooHigh,
    #[msg("min_liquidation_bonus_bps must not exceed max_liquidation_bonus_bps")]
    BonusRangeInverted,
    #[msg("protocol_liquidation_fee_bps must be at most 5000 (half the bonus)")]
    ProtocolLiquidationFeeTooHigh,
    #[msg("reserve_factor_bps + insurance_factor_bps must be at most 10000")]
    InterestSharesTooHigh,
    #[msg("borrow_factor_bps must be at least 10000 (a borrow factor below 1 would understate debt)")]
    BorrowFactorBelowOne,
    #[msg("origination_fee_bps must be at most 100 (1%)")]
    OriginationFeeTooHigh,
    #[msg("flash_fee_bps must be at most 100 (1%)")]
    FlashFeeTooHigh,
    #[msg("utilization_ceiling_bps must be between 1 and 10000")]
    UtilizationCeilingInvalid,
    #[msg("A rate curve must have between 2 and 11 points")]
    CurveLengthInvalid,
    #[msg("The first rate curve point must be at 0% utilization")]
    CurveMustStartAtZero,
    #[msg("The last rate curve point must be at 100% (10000 bps) utilization")]
    CurveMustEndAtFull,
    #[msg("Rate curve utilization must be strictly increasing")]
    CurveUtilizationNotIncreasing,
    #[msg("Rate curve rates must not decrease as utilization rises")]
    CurveRateDecreasing,
    #[msg("Rate curve points beyond curve_len must be zero")]
    CurveTrailingPointsNotZero,
    #[msg("oracle max_age_secs must be between 30 (MIN_ORACLE_AGE_SECS) and 3600 (MAX_ORACLE_AGE_SECS)")]
    OracleMaxAgeInvalid,
    #[msg("oracle max_conf_bps must be between 1 and 1000 (10%)")]
    OracleMaxConfInvalid,
    #[msg("oracle max_ema_divergence_bps must be between 1 and 5000 (50%)")]
    OracleMaxDivergenceInvalid,
    #[msg("oracle conf_multiplier_bps x max_conf_bps must stay below 100% so biased prices stay positive")]
    OracleConfMultiplierInvalid,
    #[msg("oracle feed_id must not be all zeros")]
    OracleFeedIdMissing,
    #[msg("Reserve flags contain unknown bits")]
    UnknownReserveFlags,
    #[msg("close_factor_bps must be between 1 and 10000")]
    CloseFactorInvalid,
    #[msg("The seed deposit must be at least 1000 native units")]
    SeedDepositTooSmall,
    #[msg("volatility_haircut_bps must be at most 100000 (10x)")]
    VolatilityHaircutInvalid,

    // --- token mints ---
    #[msg("Token-2022 mints with a transfer fee are not supported")]
    MintHasTransferFee,
    #[msg("Token-2022 mints with a transfer hook are not supported")]
    MintHasTransferHook,
    #[msg("Token-2022 mints with a permanent delegate are not supported")]
    MintHasPermanentDelegate,
    #[msg("Token-2022 non-transferable mints are not supported")]
    MintIsNonTransferable,
    #[msg("Token-2022 mints with confidential transfers are not supported")]
    MintHasConfidentialTransfers,

    // --- account relations ---
    #[msg("Signer is not the market admin")]
    NotMarketAdmin,
    #[msg("Signer is not the obligation owner")]
    NotObligationOwner,
    #[msg("The reserve belongs to another market")]
    ReserveMarketMismatch,
    #[msg("The obligation belongs to another market")]
    ObligationMarketMismatch,
    #[msg("The liquidity vault is not this reserve's vault")]
    InvalidLiquidityVault,
    #[msg("The cToken mint is not this reserve's cToken mint")]
    InvalidCTokenMint,
    #[msg("The collateral vault is not this reserve's collateral vault")]
    InvalidCollateralVault,
    #[msg("The fee vault is not this reserve's fee vault")]
    InvalidFeeVault,
    #[msg("The liquidity mint is not this reserve's liquidity mint")]
    InvalidLiquidityMint,
    #[msg("The token program is not the one this reserve's mint uses")]
    InvalidTokenProgram,
    #[msg("The market authority is not this market's authority PDA")]
    InvalidMarketAuthority,

    // --- obligation positions ---
    #[msg("An obligation holds at most 8 deposit positions")]
    ObligationDepositsFull,
    #[msg("An obligation holds at most 8 borrow positions")]
    ObligationBorrowsFull,
    #[msg("An obligation can only be closed when it has no deposits and no borrows")]
    ObligationNotEmpty,
    #[msg("The obligation has no deposit in this reserve")]
    DepositPositionNotFound,
    #[msg("The obligation has no borrow in this reserve")]
    BorrowPositionNotFound,
    #[msg("Withdraw exceeds the cTokens pledged in this position")]
    InsufficientCollateral,
    #[msg("The reserve does not have enough available liquidity")]
    InsufficientLiquidity,

    // --- risk ---
    #[msg("Borrow would push the obligation's debt above its borrow power")]
    BorrowExceedsLtv,
    #[msg("Withdraw would leave the obligation's debt above its borrow power")]
    WithdrawExceedsLtv,
    #[msg("Deposit would exceed the reserve's deposit cap")]
    DepositCapExceeded,
    #[msg("Borrow would exceed the reserve's borrow cap")]
    BorrowCapExceeded,
    #[msg("Borrow would push utilization above the reserve's utilization ceiling")]
    UtilizationCeilingExceeded,
    #[msg("Borrowing is disabled on this reserve")]
    BorrowDisabled,
    #[msg("This reserve cannot be used as collateral")]
    CollateralDisabled,

    // --- health accounts ---
    #[msg("Health check needs one group (reserve, primary price[, secondary price]) per distinct position: deposits first, then borrows")]
    HealthAccountsMissing,
    #[msg("Health accounts must follow the obligation's position order, each reserve once")]
    HealthAccountMismatch,

    // --- oracle ---
    #[msg("The price account is not this reserve's configured oracle")]
    OracleAccountMismatch,
    #[msg("The price account is not owned by the Pyth receiver program")]
    OracleInvalidOwner,
    #[msg("The price account is not a Pyth PriceUpdateV2")]
    OracleInvalidAccount,
    #[msg("The price update is for another feed id")]
    OracleFeedIdMismatch,
    #[msg("The price update is not fully verified (a full verification level is required)")]
    OracleNotFullyVerified,
    #[msg("The price is older than the reserve's max_age_secs")]
    OracleStale,
    #[msg("The price confidence interval is wider than the reserve's max_conf_bps")]
    OracleConfidenceTooWide,
    #[msg("Spot price diverges from the EMA by more than max_ema_divergence_bps")]
    OracleEmaDivergence,
    #[msg("The price must be positive")]
    OracleInvalidPrice,

    // --- fees and vaults ---
    #[msg("There are no protocol fees to sweep")]
    NoFeesToSweep,
    #[msg("Vault balance is below the reserve's accounting after a transfer")]
    VaultReconciliationFailed,
    #[msg("Obligation positions must be packed, one per reserve per side, none empty")]
    ObligationLayoutInvalid,
    #[msg("Reserve accounting is inconsistent (locked cTokens above supply or borrow index below 1)")]
    ReserveAccountingInvalid,

    // --- liquidation and bad debt ---
    #[msg("The obligation is healthy: liquidation needs liquidation health below 1")]
    ObligationHealthy,
    #[msg("Liquidation would leave a debt below the market's dust threshold; repay it in full")]
    LiquidationLeavesDust,
    #[msg("Liquidation would pay out less than min_seized_out")]
    LiquidationSlippage,
    #[msg("Bad debt can only be socialized once the obligation has no collateral left")]
    ObligationHasCollateral,
    #[msg("The obligation has no debt in this reserve to write off")]
    NoBadDebt,
    #[msg("The reserve's cTokens are backed by no liquidity after bad debt; deposits are refused")]
    ReserveWipedOut,

    // --- circuit breakers ---
    #[msg("The reserve is paused: only repay and liquidate are allowed")]
    ReservePaused,
    #[msg("The reserve is reduce-only: only repay, withdraw, redeem and liquidate are allowed")]
    ReserveReduceOnly,
    #[msg("The market is in emergency mode: only repay, withdraw and liquidate are allowed")]
    MarketEmergencyMode,
    #[msg("Withdraw or borrow would exceed the reserve's outflow limit for the current window")]
    ReserveOutflowLimitExceeded,
    #[msg("Withdraw or borrow would exceed the market's outflow limit (in quote) for the current window")]
    MarketOutflowLimitExceeded,
    #[msg("Market flags contain unknown bits")]
    UnknownMarketFlags,

    // --- isolated assets and elevation groups ---
    #[msg("Isolated collateral can back borrows only as the obligation's sole collateral")]
    IsolatedCollateralNotAlone,
    #[msg("Debt borrowed against isolated collateral may not take the reserve's market-wide usage above its isolated_debt_ceiling_micro_quote")]
    IsolatedDebtCeilingExceeded,
    #[msg("Elevation group ids run from 1 to 16, and the group must be configured")]
    ElevationGroupInvalid,
    #[msg("Every collateral reserve of the obligation must belong to the elevation group")]
    ElevationGroupNonMemberCollateral,
    #[msg("An obligation in an elevation group may only borrow the group's debt reserve")]
    ElevationGroupDebtNotAllowed,
    #[msg("Elevation group: ltv < liquidation threshold < 100% and threshold x (1 + max bonus) < 100%")]
    ElevationGroupConfigInvalid,

    // --- governance ---
    #[msg("Signer is not the market's risk council")]
    NotRiskCouncil,
    #[msg("The risk council can only make things safer; this change loosens risk")]
    RiskCouncilCannotLoosen,
    #[msg("This change loosens risk: queue it and apply it after the market's timelock")]
    ConfigChangeLoosens,
    #[msg("Signer is not the proposed admin")]
    NotPendingAdmin,
    #[msg("There is no pending config change")]
    NoPendingConfig,
    #[msg("The timelock has not elapsed yet")]
    TimelockNotElapsed,
    #[msg("A config change is already pending; cancel it first")]
    ConfigChangeAlreadyPending,

    // --- flash loans ---
    #[msg("Flash loans are disabled on this reserve")]
    FlashLoansDisabled,
    #[msg("flash_borrow must be a top-level instruction, never called through CPI")]
    FlashLoanCpiForbidden,
    #[msg("flash_borrow needs a flash_repay later in the same transaction")]
    FlashRepayMissing,
    #[msg("flash_repay must name the same reserve as its flash_borrow")]
    FlashRepayWrongReserve,
    #[msg("flash_repay must repay exactly the amount flash_borrow lent")]
    FlashRepayAmountMismatch,
    #[msg("Only one flash loan per reserve per transaction")]
    FlashLoanAlreadyActive,
    #[msg("flash_repay has no matching flash_borrow")]
    FlashRepayWithoutBorrow,
    #[msg("Changing elevation group would leave the obligation's debt above its borrow power")]
    ElevationGroupChangeUnhealthy,
    #[msg("config_timelock_secs must be at most 2592000 (30 days)")]
    TimelockTooLong,
    #[msg("The risk council only tightens; the rate curve and fees are the admin's to change")]
    RiskCouncilCannotReprice,
    #[msg("This obligation's debt counts against an isolated reserve's ceiling: pass that reserve, writable, in remaining accounts")]
    IsolatedReserveAccountMissing,
    #[msg("An obligation's debt counts against one isolated reserve at a time: repay what counts against it before borrowing against another")]
    IsolatedReserveMismatch,
    #[msg("Isolated debt is counted only on open borrow slots, and the obligation names its isolated reserve exactly while some is")]
    IsolatedDebtAccountingInvalid,

    // --- program-wide bounds, oracle bands, governance and account creation (added after isolated debt) ---
    #[msg("Rate curve points may not exceed 50000 bps (500% APR)")]
    CurveRateTooHigh,
    #[msg("max_liquidation_bonus_bps must be at most 2500 (25%), for reserves and elevation groups alike")]
    LiquidationBonusTooHigh,
    #[msg("dust_threshold_quote must be at most 100 whole quote units")]
    DustThresholdTooHigh,
    #[msg("oracle liquidation_band_bps must be between 5000 and 60000 and at least max_ema_divergence_bps")]
    OracleLiquidationBandInvalid,
    #[msg("Spot price is outside the reserve's liquidation band around the EMA; liquidation refuses it")]
    OracleOutsideLiquidationBand,
    #[msg("The price is dated more than 30 s ahead of the cluster clock")]
    OraclePublishTimeInFuture,
    #[msg("Token-2022 pausable mints are not supported: a pause would block repay and liquidation")]
    MintIsPausable,
    #[msg("Token-2022 mints whose new accounts start frozen are not supported: vaults and repayers would be frozen")]
    MintDefaultAccountFrozen,
    #[msg("Signer is neither the market admin nor its risk council")]
    NotAdminOrRiskCouncil,
    #[msg("Signer is not the proposed risk council")]
    NotPendingRiskCouncil,
    #[msg("Withdraw exceeds the swept fees held in the fee vault")]
    FeeWithdrawExceedsSwept,
    #[msg("Withdraw would leave isolated collateral alone under debt counted against another isolated reserve; repay that debt first")]
    IsolatedCollateralLeftUncounted,
    #[msg("A rate rise applies at once only up to 500 bps at every curve point and once a day; queue this one behind the timelock")]
    RateRiseNeedsTimelock,
    #[msg("The account to create already holds data or belongs to another program")]
    AccountAlreadyInUse,
    #[msg("A market's pending slots must be all zeros exactly when nothing waits in them")]
    MarketPendingStateInvalid,
    #[msg("borrow_factor_bps must be at most 20000 (2x)")]
    BorrowFactorTooHigh,
    #[msg("Token-2022 mints with a close authority are not supported: a closed mint could come back with other extensions")]
    MintHasCloseAuthority,
    #[msg("Opening a collateral position needs the reserve's price account in remaining_accounts[0], with a valid price")]
    NewCollateralPriceMissing,
    #[msg("That liquidity is reserved for withdrawal tickets ahead in the queue: request a ticket (request_withdrawal) instead")]
    LiquidityReservedForWithdrawals,
    #[msg("Redeem would push utilization above the reserve's utilization ceiling: request a withdrawal ticket instead")]
    RedeemExceedsUtilizationCeiling,
    #[msg("A withdrawal ticket must be worth at least the market's dust threshold")]
    WithdrawalTicketTooSmall,
    #[msg("Only the ticket at the head of the queue can be served, and a new ticket takes the queue's tail (reserve.queue_tail)")]
    WithdrawalTicketNotNext,
    #[msg("The reserve has no available liquidity to fill the next withdrawal ticket")]
    NothingToFill,
    #[msg("The ticket's destination must be the owner's token account of the reserve's liquidity mint")]
    WithdrawalDestinationInvalid,
    #[msg("This withdrawal ticket is already cancelled")]
    WithdrawalTicketCancelled,
    #[msg("Only the ticket's owner may cancel it, and its rent goes back to that owner")]
    NotTicketOwner,
    #[msg("The withdrawal ticket belongs to another reserve's queue")]
    TicketReserveMismatch,
    #[msg("The deposit would take the reserve's cToken supply past the largest u64 (a cToken is worth little after a write-off): deposit less")]
    CTokenSupplyOverflow,
    #[msg("FLAG_SECONDARY_ONLY and FLAG_SINGLE_SOURCE_RISK need a configured secondary price source")]
    OracleSecondaryNotConfigured,
    #[msg("Without a secondary source (kind 0) every secondary oracle field, padding included, must be zero")]
    OracleSecondaryFieldsWithoutSource,
    #[msg("The secondary oracle kind is unknown: 0 = none, 1 = Switchboard on-demand")]
    OracleSecondaryKindUnknown,
    #[msg("The secondary price account must be set and differ from the primary's")]
    OracleSecondaryAccountInvalid,
    #[msg("A secondary source's max_age_slots must be within 75..=9000")]
    OracleMaxAgeSlotsInvalid,
    #[msg("The bound on disagreement between two price sources must be within 1..=2000 bps")]
    OracleSourceDivergenceBoundInvalid,
    #[msg("A secondary source must need at least one oracle sample")]
    OracleMinSamplesInvalid,
    #[msg("The price result, or its oldest sample, is older than the source's max_age_slots or the feed's own max_staleness")]
    OracleSlotStale,
    #[msg("The price result is dated at a slot after the current one")]
    OracleSlotInFuture,
    #[msg("Fewer oracle samples stand behind the price than the source's min_samples or the feed's own min_sample_size")]
    OracleTooFewSamples,
    #[msg("The reserve's two fresh price sources disagree by more than its max_divergence_bps: borrow and withdraw wait until they agree")]
    OracleSourcesDiverge,
    #[msg("This reserve has a secondary price source: pass its account right after the primary's, so the two can be cross-checked")]
    OracleSecondaryMissing,
    #[msg("The secondary price account is not owned by the Switchboard on-demand program")]
    OracleSecondaryInvalidOwner,
    #[msg("After its named accounts this instruction takes nothing, or exactly the reserve's configured secondary price account")]
    OracleSecondarySlotMismatch,
    #[msg("The account's layout version is not one this program knows; it must be migrated first")]
    UnsupportedAccountVersion,
    #[msg("A withdrawal ticket is for a redeem that cannot be met now (liquidity lent out or reserved, the utilization ceiling, the outflow limiters); this one can: redeem instead")]
    WithdrawalRedeemPossible,
    #[msg("A queue fill follows the redeem rules: the reserve is at its utilization ceiling, so the next fill waits for repayments or deposits")]
    FillWaitsForUtilizationCeiling,
    #[msg("insolvent_auction_secs must be at most 86400: an insolvent obligation's bonus reaches its maximum within a day")]
    InsolventAuctionTooLong,
    #[msg("liquidation_target_health_bps must be 0 (none) or between 10000 and 15000")]
    LiquidationTargetHealthInvalid,
    #[msg("A volatility regime needs a half-life of 10 to 43200 minutes and calm volatility below turbulent; with regime_half_life_mins 0 (off) its other fields must be 0")]
    RegimeSettingsInvalid,
    #[msg("regime_max_ltv_cut_bps must be at most 5000: a turbulent regime at most halves LTV at origination")]
    RegimeLtvCutTooHigh,
    #[msg("regime_max_rate_addon_bps must be at most 5000: a turbulent regime adds at most 50 percentage points to the borrow APR")]
    RegimeRateAddonTooHigh,
    #[msg("request_withdrawal names the reserve twice (in its vaults, and at the top level for the ticket's seeds): both must be the same reserve")]
    WithdrawalReserveMismatch,
    #[msg("A delisting needs a notice of one to ninety days and at least the market's timelock, a threshold step of 1 to 1000 bps a day and a bonus step of at most 500 bps a day")]
    DelistingTermsInvalid,
    #[msg("This reserve is already being delisted: stop the delisting first to change its terms")]
    DelistingAlreadyStarted,
    #[msg("This reserve is not being delisted")]
    DelistingNotStarted,
}

/// Checked-math helper: `checked!(a.checked_mul(b))` returns `MathOverflow`, logging where it happened.
#[macro_export]
macro_rules! checked {
    ($e:expr) => {
        match $e {
            Some(v) => Ok(v),
            None => {
                anchor_lang::prelude::msg!("math overflow at {}:{}", file!(), line!());
                Err($crate::error::BallastError::MathOverflow)
            }
        }
    };
}
