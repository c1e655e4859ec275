use super::{config::ReserveConfig, outflow::{Credit, OutflowWindow}};
use crate::{
    constants::{MAX_BORROW_INDEX, MAX_BORROW_RATE_BPS, MAX_RESERVE_DEBT},
    error::BallastError,
    math::{self, borrow_apr, compounded_growth, from_bps, from_u64, Fraction, Sf},
};
use anchor_lang::prelude::*;

/// One asset's pool: liquidity, debt, fees and the cToken supply that claims it.
#[account(zero_copy)]
#[repr(C)]
pub struct Reserve {
    /// Market this reserve belongs to.
    pub market: Pubkey,
    /// Mint of the liquidity token.
    pub liquidity_mint: Pubkey,
    /// Token program that owns the liquidity mint (SPL Token or Token-2022); the cToken mint uses it too.
    pub token_program: Pubkey,
    /// PDA [LIQUIDITY, reserve]: holds available liquidity and unswept fees.
    pub liquidity_vault: Pubkey,
    /// PDA [CTOKEN, reserve]: the deposit receipt mint.
    pub ctoken_mint: Pubkey,
    /// PDA [COLLATERAL, reserve]: cTokens pledged by obligations.
    pub collateral_vault: Pubkey,
    /// PDA [FEES, reserve]: swept protocol fees.
    pub fee_vault: Pubkey,
    /// Governance-set parameters.
    pub config: ReserveConfig,
    /// Liquidity in the vault that the reserve accounts for, native units.
    pub available_liquidity: u64,
    /// All cTokens in existence for this reserve, including the locked seed, native cToken units.
    pub ctoken_supply: u64,
    /// cTokens from the seed deposit, never minted and never redeemable, native cToken units.
    pub locked_ctokens: u64,
    /// Last interest accrual, unix seconds.
    pub last_update_ts: i64,
    /// When `cached_price_sf` was read, unix seconds (dashboards only; never trusted).
    pub cached_price_ts: i64,
    /// Outstanding debt including accrued interest, native units (Fraction).
    pub borrowed_sf: Sf,
    /// Product of all growth factors since creation (starts at 1).
    pub cumulative_borrow_index_sf: Sf,
    /// Protocol fees owed to the fee vault and not yet swept, native units (Fraction).
    pub protocol_fees_sf: Sf,
    /// Insurance fund, reserved for bad debt, native units (Fraction).
    pub insurance_fund_sf: Sf,
    /// Last spot price read by `refresh_reserve`, quote per whole token (Fraction).
    pub cached_price_sf: Sf,
    /// A queued loosening config change; applies once `pending_config_apply_ts` has passed.
    pub pending_config: ReserveConfig,
    /// Earliest time the pending config may apply, unix seconds (0 = nothing queued).
    pub pending_config_apply_ts: i64,
    /// New outflow (borrows, redeems and queue fills beyond the inflow credit), per sliding window, native units.
    pub outflow: OutflowWindow,
    /// Amount lent by an open flash loan in this transaction, native units (0 = none).
    pub flash_loan_amount: u64,
    /// Debt counted against `config.isolated_debt_ceiling_micro_quote`: the sum of the contributions of every
    /// obligation whose `isolated_reserve` is this reserve, micro-quote. May exceed a ceiling lowered later.
    pub isolated_debt_usage_micro_quote: u64,
    /// Decimals of the liquidity mint (the cToken mint has the same).
    pub liquidity_decimals: u8,
    /// Bump of the reserve PDA.
    pub bump: u8,
    /// Layout version.
    pub version: u8,
    /// Keeps `last_rate_raise_ts` 8-aligned.
    pub padding0: [u8; 5],
    /// Last at-once rate rise (within MAX_RATE_STEP_BPS), unix seconds; the next waits RATE_STEP_COOLDOWN_SECS.
    pub last_rate_raise_ts: i64,
    /// Inflow credit (`Credit.amount`): liquidity that came in (deposits, repayments) and has not gone back out,
    /// as of `outflow_credit_ts`, native units. Outflow it covers is a round trip, which neither limiter counts.
    pub outflow_credit: u64,
    /// When `outflow_credit` was last written, unix seconds.
    pub outflow_credit_ts: i64,
    /// Sequence number of the withdrawal ticket served next (FIFO head).
    pub queue_head: u64,
    /// Sequence number the next withdrawal ticket gets (FIFO tail); head == tail: the queue is empty.
    pub queue_tail: u64,
    /// cTokens in tickets waiting in the queue: burned from the mint, still counted in `ctoken_supply` (so they
    /// keep earning) and claiming liquidity ahead of new borrows and redeems.
    pub queued_ctokens: u64,
    /// cTokens in tickets set aside because their destination became unusable: still in `ctoken_supply`, claiming
    /// nothing ahead of anyone; their owners recover them by cancelling.
    pub set_aside_ctokens: u64,
    /// How fast the inflow credit fades (`Credit.fade_per_window`), native units per flow window.
    pub outflow_credit_fade: u64,
    /// The volatility regime's last sample: a verified spot price (quote per whole token) read by
    /// `refresh_reserve`, and when (unix seconds; 0 = no sample yet).
    pub regime_ref_price_sf: Sf,
    pub regime_ref_ts: i64,
    /// The regime's estimate of annualized variance, billionths (1e9 = a 100% annual volatility), at most
    /// MAX_REGIME_VARIANCE_NANO.
    pub regime_variance_nano: u64,
    /// Orderly delisting (the delisting operations): when the liquidation threshold of this collateral starts to
    /// fall, unix seconds (0 = not delisting). From the moment it is set the reserve backs no new borrows.
    pub delisting_start_ts: i64,
    /// bps the threshold falls, and the liquidation bonus rises, per day after `delisting_start_ts`.
    pub delisting_threshold_step_bps_per_day: u16,
    pub delisting_bonus_step_bps_per_day: u16,
    /// Reserved for growth.
    pub padding: [u8; 4],
}

const _: () = assert!(core::mem::size_of::<Reserve>() == 1152);
const _: () = assert!(core::mem::offset_of!(Reserve, last_rate_raise_ts) % 8 == 0);

/// The effect of accruing interest over an interval, computed without writing.
pub struct Accrual {
    pub borrowed: Fraction,
    pub protocol_fees: Fraction,
    pub insurance_fund: Fraction,
    pub cumulative_borrow_index: Fraction,
}

impl Reserve {
    pub const SPACE: usize = 8 + core::mem::size_of::<Reserve>();

    /// The inflow credit as stored.
    pub fn credit(&self) -> Credit {
        Credit { amount: self.outflow_credit, ts: self.outflow_credit_ts, fade_per_window: self.outflow_credit_fade }
    }

    pub fn set_credit(&mut self, credit: Credit) {
        (self.outflow_credit, self.outflow_credit_ts, self.outflow_credit_fade) = (credit.amount, credit.ts, credit.fade_per_window);
    }

    /// Depositors' claim: everything the reserve holds or is owed, less fees and insurance, native units.
    pub fn total_liquidity(&self) -> Result<Fraction> {
        Self::depositor_liquidity(
            from_u64(self.owned_liquidity()?),
            self.borrowed_sf.get(),
            self.protocol_fees_sf.get(),
            self.insurance_fund_sf.get(),
        )
    }

    pub fn depositor_liquidity(available: Fraction, borrowed: Fraction, fees: Fraction, insurance: Fraction) -> Result<Fraction> {
        let gross = math::add(available, borrowed)?;
        let reserved = math::add(fees, insurance)?;
        Ok(gross.saturating_sub(reserved))
    }

    /// Available liquidity plus the principal of an open flash loan, native units. A flash loan is repaid in
    /// the same transaction, so its principal never stops being depositors' liquidity: counting it keeps
    /// the cToken exchange rate and utilization unchanged while the loan is out.
    pub fn owned_liquidity(&self) -> Result<u64> {
        math::checked_add_u64(self.available_liquidity, self.flash_loan_amount)
    }

    /// borrowed / (available + flash loan + borrowed), rounded down; zero for an empty reserve.
    pub fn utilization(&self) -> Result<Fraction> {
        let borrowed = self.borrowed_sf.get();
        let gross = math::add(from_u64(self.owned_liquidity()?), borrowed)?;
        if gross == Fraction::ZERO {
            return Ok(Fraction::ZERO);
        }
        math::share_floor(borrowed, gross)
    }

    /// Current borrow APR from the curve (0.1 = 10%).
    /// The volatility regime's level, bps of full turbulence: the stored variance estimate read against the
    /// config in force (0 with the regime off). Scales the LTV cut at origination and the rate add-on.
    pub fn regime_level_bps(&self) -> u16 {
        if !self.config.regime_enabled() {
            return 0;
        }
        math::regime::level_bps(self.regime_variance_nano, self.config.regime_calm_vol_bps, self.config.regime_turbulent_vol_bps)
    }

    /// The curve's APR at the current utilization plus the volatility regime's add-on, never above
    /// MAX_BORROW_RATE_BPS.
    pub fn borrow_apr(&self) -> Result<Fraction> {
        let curve = borrow_apr(&self.config.curve, self.config.curve_len, self.utilization()?)?;
        let addon_bps = math::regime::rate_addon_bps(self.config.regime_max_rate_addon_bps, self.regime_level_bps());
        if addon_bps == 0 {
            return Ok(curve);
        }
        Ok(curve.saturating_add(from_bps(addon_bps as u64)?).min(from_bps(MAX_BORROW_RATE_BPS as u64)?))
    }

    /// What accruing up to `now_ts` would produce; `elapsed = max(0, now − last)`.
    ///
    /// Never fails on time or rates: growth saturates so that the borrow index stays at most MAX_BORROW_INDEX
    /// and the reserve's debt at most MAX_RESERVE_DEBT (interest simply stops there), and the APR is clamped
    /// to MAX_BORROW_RATE_BPS. Any reserve, however long idle and whatever its stored curve, can always be
    /// repaid, liquidated, redeemed from and reconfigured.
    pub fn accrual(&self, now_ts: i64) -> Result<Accrual> {
        let borrowed = self.borrowed_sf.get();
        let stored = Accrual {
            borrowed,
            protocol_fees: self.protocol_fees_sf.get(),
            insurance_fund: self.insurance_fund_sf.get(),
            cumulative_borrow_index: self.cumulative_borrow_index_sf.get(),
        };
        if now_ts <= self.last_update_ts {
            return Ok(stored);
        }
        let growth = self.growth_to(now_ts)?;
        let new_borrowed = math::mul(borrowed, growth)?;
        let interest = new_borrowed.saturating_sub(borrowed);
        // Both shares come out of one rounded-down product, so depositors' part (interest − shares) never
        // shrinks as interest grows: rounding the two shares separately could take one unit of 2^-60 too many.
        let (rf, insurance_factor) = (self.config.reserve_factor_bps as u64, self.config.insurance_factor_bps as u64);
        let to_shares = math::mul(interest, from_bps(rf + insurance_factor)?)?;
        let to_fees = math::mul(interest, from_bps(rf)?)?.min(to_shares);
        let to_insurance = math::sub(to_shares, to_fees)?;
        Ok(Accrual {
            borrowed: new_borrowed,
            protocol_fees: math::add(stored.protocol_fees, to_fees)?,
            insurance_fund: math::add(stored.insurance_fund, to_insurance)?,
            cumulative_borrow_index: math::mul(stored.cumulative_borrow_index, growth)?,
        })
    }

    /// The cumulative borrow index `accrual(now_ts)` would reach, without the rest of the accrual: what debt
    /// alone needs.
    pub fn projected_borrow_index(&self, now_ts: i64) -> Result<Fraction> {
        let index = self.cumulative_borrow_index_sf.get();
        if now_ts <= self.last_update_ts {
            return Ok(index);
        }
        math::mul(index, self.growth_to(now_ts)?)
    }

    /// Growth of debt from the last accrual to `now_ts` at the current rate, held where the index or the
    /// reserve's debt would pass their caps.
    fn growth_to(&self, now_ts: i64) -> Result<Fraction> {
        let elapsed = now_ts.saturating_sub(self.last_update_ts).max(0) as u64;
        let borrowed = self.borrowed_sf.get();
        let index = self.cumulative_borrow_index_sf.get();
        let apr = self.borrow_apr()?;
        let growth = compounded_growth(apr, elapsed, Fraction::MAX)?;
        let within = |value: Fraction, limit: u64| value.checked_mul(growth).is_some_and(|v| v <= from_u64(limit));
        if within(index, MAX_BORROW_INDEX) && within(borrowed, MAX_RESERVE_DEBT) {
            return Ok(growth);
        }
        // Only here are the caps worth two divisions: saturate where the index or the debt would pass them.
        let room = |limit: u64, value: Fraction| match value {
            v if v == Fraction::ZERO => Fraction::MAX,
            v => from_u64(limit).checked_div(v).unwrap_or(Fraction::MAX),
        };
        compounded_growth(apr, elapsed, room(MAX_BORROW_INDEX, index).min(room(MAX_RESERVE_DEBT, borrowed)))
    }

    /// Accrues interest up to `now_ts`. Every instruction that writes a reserve calls this first.
    pub fn accrue_interest(&mut self, now_ts: i64) -> Result<()> {
        if now_ts <= self.last_update_ts {
            return Ok(());
        }
        let a = self.accrual(now_ts)?;
        self.borrowed_sf.set(a.borrowed);
        self.protocol_fees_sf.set(a.protocol_fees);
        self.insurance_fund_sf.set(a.insurance_fund);
        self.cumulative_borrow_index_sf.set(a.cumulative_borrow_index);
        self.last_update_ts = now_ts;
        Ok(())
    }

    /// cTokens worth `liquidity_amount`, rounded down (paid out to the depositor).
    /// Multiplies by the ratio supply/total (truncated, so never in the depositor's favour) to stay in range.
    pub fn liquidity_to_ctokens_floor(&self, liquidity_amount: u64) -> Result<u64> {
        let total = self.total_liquidity()?;
        if self.ctoken_supply == 0 || total == Fraction::ZERO {
            return Ok(liquidity_amount);
        }
        let ctokens_per_liquidity = math::div(from_u64(self.ctoken_supply), total)?;
        math::to_floor_u64(math::mul(from_u64(liquidity_amount), ctokens_per_liquidity)?)
    }

    /// Liquidity worth `ctoken_amount`, rounded down (paid out to the redeemer).
    pub fn ctokens_to_liquidity_floor(&self, ctoken_amount: u64) -> Result<u64> {
        math::to_floor_u64(self.ctokens_to_liquidity(ctoken_amount)?)
    }

    /// Liquidity worth `ctoken_amount` (the ratio total/supply is truncated, never in the holder's favour).
    pub fn ctokens_to_liquidity(&self, ctoken_amount: u64) -> Result<Fraction> {
        ctokens_to_liquidity(ctoken_amount, self.total_liquidity()?, self.ctoken_supply)
    }

    /// Accounting rules, checked at the end of every instruction that writes the reserve. Config rules are not
    /// among them: they are checked where a config is set, so a stored config that breaks a rule (say one a
    /// program upgrade tightened) can never block a repay or a liquidation.
    pub fn invariant(&self) -> Result<()> {
        super::require_known_version(self.version)?;
        let unminted = (self.locked_ctokens as u128) + (self.queued_ctokens as u128) + (self.set_aside_ctokens as u128);
        require!(self.ctoken_supply as u128 >= unminted, BallastError::ReserveAccountingInvalid);
        require!(self.queue_head <= self.queue_tail, BallastError::ReserveAccountingInvalid);
        require!(self.cumulative_borrow_index_sf.get() >= Fraction::ONE, BallastError::ReserveAccountingInvalid);
        Ok(())
    }
}

/// `ctoken_amount · total_liquidity / ctoken_supply`, as ctokens × (liquidity per cToken) to stay in range.
pub fn ctokens_to_liquidity(ctoken_amount: u64, total_liquidity: Fraction, ctoken_supply: u64) -> Result<Fraction> {
    require!(ctoken_supply > 0, BallastError::ReserveAccountingInvalid);
    let liquidity_per_ctoken = math::div_int(total_liquidity, ctoken_supply)?;
    math::mul_int(liquidity_per_ctoken, ctoken_amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{constants::SECONDS_PER_YEAR, math::CurvePoint};
    use bytemuck::Zeroable;

    pub(crate) fn reserve_with(available: u64, borrowed: u64, apr_bps: u32) -> Reserve {
        let mut r = Reserve::zeroed();
        r.config.curve[0] = CurvePoint { utilization_bps: 0, borrow_rate_bps: apr_bps };
        r.config.curve[1] = CurvePoint { utilization_bps: 10_000, borrow_rate_bps: apr_bps };
        r.config.curve_len = 2;
        r.available_liquidity = available;
        r.borrowed_sf.set(from_u64(borrowed));
        r.cumulative_borrow_index_sf.set(Fraction::ONE);
        r.ctoken_supply = available + borrowed;
        r
    }

    #[test]
    fn accrual_splits_interest_between_depositors_fees_and_insurance() {
        let mut r = reserve_with(1_000_000, 1_000_000, 1_000);
        r.config.reserve_factor_bps = 1_000;
        r.config.insurance_factor_bps = 500;
        r.accrue_interest(SECONDS_PER_YEAR as i64).unwrap();
        let borrowed: f64 = r.borrowed_sf.get().to_num();
        let interest = borrowed - 1_000_000.0;
        let want = 1_000_000.0 * ((SECONDS_PER_YEAR as f64 * (0.1 / SECONDS_PER_YEAR as f64).ln_1p()).exp() - 1.0);
        assert!((interest - want).abs() < 1e-3, "{interest} vs {want}");
        let fees: f64 = r.protocol_fees_sf.get().to_num();
        let ins: f64 = r.insurance_fund_sf.get().to_num();
        assert!((fees - interest * 0.10).abs() < 1e-6);
        assert!((ins - interest * 0.05).abs() < 1e-6);
        let total: f64 = r.total_liquidity().unwrap().to_num();
        assert!((total - (2_000_000.0 + interest * 0.85)).abs() < 1e-6);
    }

    #[test]
    fn accrual_saturates_after_ten_idle_years_at_the_rate_bound() {
        use crate::constants::{MAX_BORROW_RATE_BPS, MAX_RESERVE_DEBT};
        let mut r = reserve_with(1_000, MAX_RESERVE_DEBT / 2, MAX_BORROW_RATE_BPS);
        r.config.reserve_factor_bps = 1_000;
        r.config.insurance_factor_bps = 500;
        r.accrue_interest(10 * SECONDS_PER_YEAR as i64).unwrap();
        let borrowed = r.borrowed_sf.get();
        assert!(borrowed <= from_u64(MAX_RESERVE_DEBT) && borrowed > from_u64(MAX_RESERVE_DEBT / 20 * 19));
        assert!(crate::math::to_ceil_u64(borrowed).is_ok(), "every debt still fits a u64 repay");
        assert!(r.total_liquidity().is_ok() && r.ctokens_to_liquidity_floor(1).is_ok());
        // Another decade changes nothing and fails nothing.
        r.accrue_interest(20 * SECONDS_PER_YEAR as i64).unwrap();
        assert!(r.borrowed_sf.get() <= from_u64(MAX_RESERVE_DEBT));
        // A tiny debt saturates on the index instead.
        let mut tiny = reserve_with(1_000, 1, u32::MAX);
        tiny.accrue_interest(10 * SECONDS_PER_YEAR as i64).unwrap();
        assert_eq!(tiny.cumulative_borrow_index_sf.get(), from_u64(crate::constants::MAX_BORROW_INDEX));
    }

    #[test]
    fn time_going_backwards_accrues_nothing() {
        let mut r = reserve_with(100, 100, 1_000);
        r.last_update_ts = 100;
        r.accrue_interest(50).unwrap();
        assert_eq!(r.borrowed_sf.get(), from_u64(100));
        assert_eq!(r.last_update_ts, 100);
    }
}
