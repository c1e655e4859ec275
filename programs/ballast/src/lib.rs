//! Ballast: an over-collateralized lending protocol for Solana.
//!
//! Depositors supply liquidity to per-asset reserves for cTokens; borrowers pledge cTokens in an
//! obligation and borrow against them. Health is computed from Pyth prices on every instruction
//! that can lower it. See DESIGN.md for the architecture.
#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

pub mod constants;
pub mod error;
pub mod events;
pub mod instructions;
pub mod math;
pub mod operations;
pub mod oracle;
pub mod seeds;
pub mod state;
pub mod wire;

use instructions::*;
use state::{MarketConfigWire, ReserveConfigWire};

declare_id!("Dbz3F2SiH8ostijwFL3XpKzAWXA79azwayL77WhmPkvo");

#[program]
pub mod ballast {
    use super::*;

    // --- admin ---

    /// Creates a market with its admin, risk council, quote currency and liquidation settings.
    pub fn init_market(ctx: Context<InitMarket>, args: InitMarketArgs) -> Result<()> {
        InitMarket::handle(ctx, args)
    }

    /// Creates a reserve with its vaults and cToken mint, a validated config and a locked seed deposit.
    pub fn init_reserve<'info>(ctx: Context<'info, InitReserve<'info>>, args: InitReserveArgs) -> Result<()> {
        InitReserve::handle(ctx, args)
    }

    /// Replaces a reserve's config at once after accruing; refuses a change that loosens risk (queue it instead).
    pub fn update_reserve_config(ctx: Context<UpdateReserveConfig>, config: ReserveConfigWire) -> Result<()> {
        UpdateReserveConfig::handle(ctx, config.into())
    }

    /// Tightens an elevation group (eMode) at once; creating or loosening one is queued. Membership is part of
    /// each reserve's config.
    pub fn configure_elevation_group(ctx: Context<ConfigureElevationGroup>, args: ConfigureElevationGroupArgs) -> Result<()> {
        ConfigureElevationGroup::handle(ctx, args)
    }

    /// Moves accrued protocol fees from the liquidity vault to the fee vault.
    pub fn sweep_fees(ctx: Context<SweepFees>) -> Result<()> {
        SweepFees::handle(ctx)
    }

    /// Records the market's address lookup table for clients (v0 transactions); the program never reads it.
    pub fn set_lookup_table(ctx: Context<SetLookupTable>, lookup_table: Pubkey) -> Result<()> {
        SetLookupTable::handle(ctx, lookup_table)
    }

    /// Sends swept fees from the fee vault to any token account (the largest u64 = all); touches no reserve state.
    pub fn withdraw_fees(ctx: Context<WithdrawFees>, liquidity_amount: u64) -> Result<()> {
        WithdrawFees::handle(ctx, liquidity_amount)
    }

    // --- governance ---

    /// Proposes the next admin (default key = withdraw); nothing changes until they accept.
    pub fn propose_admin(ctx: Context<ProposeAdmin>, new_admin: Pubkey) -> Result<()> {
        ProposeAdmin::handle(ctx, new_admin)
    }

    /// The proposed admin takes over the market.
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        AcceptAdmin::handle(ctx)
    }

    /// Admin: replaces the market config at once; refuses a change that loosens risk (queue it instead).
    pub fn update_market_config(ctx: Context<UpdateMarketConfig>, config: MarketConfigWire) -> Result<()> {
        UpdateMarketConfig::handle(ctx, config.into())
    }

    /// Risk council: applies a reserve config at once if it loosens nothing (pause, reduce-only, lower caps or LTV).
    pub fn tighten_reserve_config(ctx: Context<TightenReserveConfig>, config: ReserveConfigWire) -> Result<()> {
        TightenReserveConfig::handle(ctx, config.into())
    }

    /// Risk council: applies a market config at once if it loosens nothing (emergency mode, lower limits).
    pub fn tighten_market_config(ctx: Context<TightenMarketConfig>, config: MarketConfigWire) -> Result<()> {
        TightenMarketConfig::handle(ctx, config.into())
    }

    /// Admin: queues a validated reserve config to apply after the market's timelock.
    pub fn queue_reserve_config(ctx: Context<QueueReserveConfig>, config: ReserveConfigWire) -> Result<()> {
        QueueReserveConfig::handle(ctx, config.into())
    }

    /// Admin: queues a validated market config to apply after the current timelock.
    pub fn queue_market_config(ctx: Context<QueueMarketConfig>, config: MarketConfigWire) -> Result<()> {
        QueueMarketConfig::handle(ctx, config.into())
    }

    /// Applies a reserve's pending config once its timelock has passed; permissionless.
    pub fn apply_pending_reserve_config(ctx: Context<ApplyPendingReserveConfig>) -> Result<()> {
        ApplyPendingReserveConfig::handle(ctx)
    }

    /// Applies the market's pending config once its timelock has passed; permissionless.
    pub fn apply_pending_market_config(ctx: Context<ApplyPendingMarketConfig>) -> Result<()> {
        ApplyPendingMarketConfig::handle(ctx)
    }

    /// Admin: marks a collateral reserve for delisting. It backs no new borrows from now; after `notice_secs`
    /// (a day to ninety, at least the timelock) its liquidation threshold falls and its bonus rises by the given
    /// bps a day, so positions in it unwind gradually.
    pub fn start_delisting(ctx: Context<StartDelisting>, notice_secs: u64, threshold_step_bps_per_day: u16, bonus_step_bps_per_day: u16) -> Result<()> {
        StartDelisting::handle(ctx, notice_secs, threshold_step_bps_per_day, bonus_step_bps_per_day)
    }

    /// Admin or risk council: stops a reserve's delisting; its configured thresholds and bonuses apply again.
    pub fn stop_delisting(ctx: Context<StopDelisting>) -> Result<()> {
        StopDelisting::handle(ctx)
    }

    /// Admin or risk council: drops a reserve's pending config.
    pub fn cancel_pending_reserve_config(ctx: Context<CancelPendingReserveConfig>) -> Result<()> {
        CancelPendingReserveConfig::handle(ctx)
    }

    /// Admin or risk council: drops the market's pending config.
    pub fn cancel_pending_market_config(ctx: Context<CancelPendingMarketConfig>) -> Result<()> {
        CancelPendingMarketConfig::handle(ctx)
    }

    /// Admin: queues creating or loosening an elevation group, to apply after the market's timelock.
    pub fn queue_elevation_group(ctx: Context<QueueElevationGroup>, args: ConfigureElevationGroupArgs) -> Result<()> {
        QueueElevationGroup::handle(ctx, args)
    }

    /// Applies the market's pending elevation group change once its timelock has passed; permissionless.
    pub fn apply_pending_elevation_group(ctx: Context<ApplyPendingElevationGroup>) -> Result<()> {
        ApplyPendingElevationGroup::handle(ctx)
    }

    /// Admin or risk council: drops the market's pending elevation group change.
    pub fn cancel_pending_elevation_group(ctx: Context<CancelPendingElevationGroup>) -> Result<()> {
        CancelPendingElevationGroup::handle(ctx)
    }

    /// Admin: proposes the next risk council (default key = withdraw); it may accept after the timelock.
    pub fn propose_risk_council(ctx: Context<ProposeRiskCouncil>, new_risk_council: Pubkey) -> Result<()> {
        ProposeRiskCouncil::handle(ctx, new_risk_council)
    }

    /// The proposed risk council takes over, once the timelock since its proposal has passed.
    pub fn accept_risk_council(ctx: Context<AcceptRiskCouncil>) -> Result<()> {
        AcceptRiskCouncil::handle(ctx)
    }

    // --- user ---

    /// Opens obligation `id` for the signer in a market (even at an address someone pre-funded).
    pub fn init_obligation(ctx: Context<InitObligation>, id: u8) -> Result<()> {
        InitObligation::handle(ctx, id)
    }

    /// Closes an empty obligation and returns its rent.
    pub fn close_obligation(ctx: Context<CloseObligation>) -> Result<()> {
        CloseObligation::handle(ctx)
    }

    /// Supplies liquidity for cTokens.
    pub fn deposit_liquidity(ctx: Context<DepositLiquidity>, liquidity_amount: u64) -> Result<()> {
        DepositLiquidity::handle(ctx, liquidity_amount)
    }

    /// Burns cTokens for liquidity. Remaining accounts: nothing, or the reserve's secondary price account.
    pub fn redeem_collateral<'info>(ctx: Context<'info, RedeemCollateral<'info>>, ctoken_amount: u64) -> Result<()> {
        RedeemCollateral::handle(ctx, ctoken_amount)
    }

    /// Queues cTokens for a withdrawal ticket at the tail (`seq` = reserve.queue_tail) when a redeem cannot be met.
    /// Remaining accounts: nothing, or the reserve's secondary price account.
    pub fn request_withdrawal<'info>(ctx: Context<'info, RequestWithdrawal<'info>>, ctoken_amount: u64, seq: u64) -> Result<()> {
        RequestWithdrawal::handle(ctx, ctoken_amount, seq)
    }

    /// The owner takes a ticket's unfilled cTokens back.
    pub fn cancel_withdrawal(ctx: Context<CancelWithdrawal>) -> Result<()> {
        CancelWithdrawal::handle(ctx)
    }

    /// Serves the ticket at the head of the queue from available liquidity, partly if need be; permissionless.
    pub fn fill_withdrawal<'info>(ctx: Context<'info, FillWithdrawal<'info>>) -> Result<()> {
        FillWithdrawal::handle(ctx)
    }

    /// Pledges cTokens to an obligation; allowed whatever the circuit breakers say, since it only lowers risk.
    pub fn deposit_collateral(ctx: Context<DepositCollateral>, ctoken_amount: u64) -> Result<()> {
        DepositCollateral::handle(ctx, ctoken_amount)
    }

    /// Takes pledged cTokens back; health-checked (remaining accounts: one health group (reserve, primary price[, secondary price]) per position; the
    /// pair of isolated collateral left alone under debt writable, as that debt then counts against its ceiling).
    pub fn withdraw_collateral<'info>(ctx: Context<'info, WithdrawCollateral<'info>>, ctoken_amount: u64) -> Result<()> {
        WithdrawCollateral::handle(ctx, ctoken_amount)
    }

    /// Supplies liquidity and pledges the cTokens in one step.
    pub fn deposit_liquidity_and_collateral(ctx: Context<DepositLiquidityAndCollateral>, liquidity_amount: u64) -> Result<()> {
        DepositLiquidityAndCollateral::handle(ctx, liquidity_amount)
    }

    /// Takes pledged cTokens back and redeems them in one step; health-checked.
    pub fn withdraw_collateral_and_redeem<'info>(ctx: Context<'info, WithdrawCollateralAndRedeem<'info>>, ctoken_amount: u64) -> Result<()> {
        WithdrawCollateralAndRedeem::handle(ctx, ctoken_amount)
    }

    /// Borrows liquidity against the obligation; health-checked, with an origination fee; counted against the
    /// debt ceiling of isolated sole collateral (its health pair then writable).
    pub fn borrow<'info>(ctx: Context<'info, Borrow<'info>>, liquidity_amount: u64) -> Result<()> {
        Borrow::handle(ctx, liquidity_amount)
    }

    /// Opts an obligation into an elevation group (0 = leave); health-checked under the new parameters.
    pub fn set_elevation_group<'info>(ctx: Context<'info, SetElevationGroup<'info>>, id: u8) -> Result<()> {
        SetElevationGroup::handle(ctx, id)
    }

    /// Repays debt for any obligation; the largest u64 repays all (remaining accounts: the obligation's isolated reserve,
    /// writable, when it has one other than this reserve).
    pub fn repay<'info>(ctx: Context<'info, Repay<'info>>, max_liquidity_amount: u64) -> Result<()> {
        Repay::handle(ctx, max_liquidity_amount)
    }

    // --- flash loans ---

    /// Lends liquidity for one transaction; top level only, and a flash_repay of the same reserve and amount must follow.
    pub fn flash_borrow(ctx: Context<FlashBorrow>, liquidity_amount: u64) -> Result<()> {
        FlashBorrow::handle(ctx, liquidity_amount)
    }

    /// Closes the transaction's flash loan: pays back `liquidity_amount` plus the flash fee; top level only.
    pub fn flash_repay(ctx: Context<FlashRepay>, liquidity_amount: u64) -> Result<()> {
        FlashRepay::handle(ctx, liquidity_amount)
    }

    // --- keeper ---

    /// Optional crank: accrues interest and caches the spot price for dashboards. Remaining accounts: nothing,
    /// or the reserve's secondary price account.
    pub fn refresh_reserve<'info>(ctx: Context<'info, RefreshReserve<'info>>) -> Result<()> {
        RefreshReserve::handle(ctx)
    }

    /// Repays part of an unhealthy obligation's debt for its collateral plus a bonus; permissionless (the
    /// obligation's isolated reserve, if any, writable among or after the health pairs).
    pub fn liquidate<'info>(ctx: Context<'info, Liquidate<'info>>, args: LiquidateArgs) -> Result<()> {
        Liquidate::handle(ctx, args)
    }

    /// Records whether an obligation is insolvent on verified liquidation prices: starts the insolvent auction's
    /// clock when first found so, clears it once solvent; permissionless (remaining accounts: the health pairs).
    pub fn mark_insolvency<'info>(ctx: Context<'info, MarkInsolvency<'info>>) -> Result<()> {
        MarkInsolvency::handle(ctx)
    }

    /// Writes off debt left without collateral: insurance fund first, then depositors; permissionless (remaining
    /// accounts: the obligation's isolated reserve, writable, when it has one other than this reserve).
    pub fn socialize_bad_debt<'info>(ctx: Context<'info, SocializeBadDebt<'info>>) -> Result<()> {
        SocializeBadDebt::handle(ctx)
    }
}
