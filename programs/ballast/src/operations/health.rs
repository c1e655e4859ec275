//! Health of an obligation from positions valued at validated prices (DESIGN §4).
use crate::{
    math::{self, mul_bps, regime, Fraction},
    operations::delisting,
    oracle::{market_value, Price, PriceUse, Side},
    error::BallastError,
    state::{ctokens_to_liquidity, ElevationGroup, HealthPosition, Obligation, Reserve, ReserveConfig, FLAG_COLLATERAL_ENABLED, FLAG_ISOLATED},
};
use anchor_lang::prelude::*;

/// One reserve's state as health needs it, with interest projected to now.
pub struct ReserveValuation<'a> {
    pub config: &'a ReserveConfig,
    pub decimals: u8,
    /// Depositors' liquidity, native units.
    pub total_liquidity: Fraction,
    /// cTokens in existence.
    pub ctoken_supply: u64,
    /// Cumulative borrow index.
    pub cumulative_borrow_index: Fraction,
    /// The reserve itself, for what only one use of health reads (the regime's level, for borrow power; the
    /// delisting's cut, for liquidation), computed when read rather than for every reserve of every check.
    pub reserve: &'a Reserve,
    /// The time this valuation is for, unix seconds: dates the delisting's threshold cut.
    pub now_ts: i64,
}

/// Running sums over an obligation's positions, all in quote. A health is computed for one use: the Risk
/// sums (borrow power, initial debt) or the liquidation ones (the rest), never both.
#[derive(Default, Clone, Copy, Debug, PartialEq)]
pub struct Health {
    /// Σ collateral × price_low × ltv_eff.
    pub borrow_power: Fraction,
    /// Σ debt × price_high × borrow_factor.
    pub initial_debt: Fraction,
    /// Σ collateral × spot × liquidation_threshold.
    pub liquidation_collateral: Fraction,
    /// Σ debt × spot × borrow_factor.
    pub liquidation_debt: Fraction,
    /// Σ collateral × spot (unweighted).
    pub collateral_value: Fraction,
    /// Σ debt × spot (unweighted).
    pub debt_value: Fraction,
    /// Isolated collateral shares the obligation with other collateral, so it backs nothing.
    pub isolated_not_alone: bool,
}

/// Rules borrow and withdraw enforce (liquidation never does): in an elevation group every collateral
/// reserve is a member and the only debt is the group's debt reserve.
pub fn require_elevation_rules(obligation: &Obligation, position: &HealthPosition, config: &ReserveConfig, group: Option<&ElevationGroup>) -> Result<()> {
    let Some(group) = group else { return Ok(()) };
    if position.deposit.is_some() {
        require!(config.in_elevation_group(obligation.elevation_group), BallastError::ElevationGroupNonMemberCollateral);
    }
    if position.borrow.is_some() {
        require_keys_eq!(position.reserve, group.debt_reserve, BallastError::ElevationGroupDebtNotAllowed);
    }
    Ok(())
}

impl<'a> ReserveValuation<'a> {
    /// `reserve` as last accrued, nothing projected: for collateral in a borrow-power check, where accrual
    /// could only raise its value. `now_ts` dates the delisting's threshold cut.
    pub fn as_stored(reserve: &'a Reserve, now_ts: i64) -> Result<Self> {
        Ok(ReserveValuation {
            config: &reserve.config,
            decimals: reserve.liquidity_decimals,
            total_liquidity: reserve.total_liquidity()?,
            ctoken_supply: reserve.ctoken_supply,
            cumulative_borrow_index: reserve.cumulative_borrow_index_sf.get().max(Fraction::ONE),
            reserve,
            now_ts,
        })
    }

    /// The volatility regime's level (bps of full turbulence): cuts LTV at origination.
    pub fn regime_level_bps(&self) -> u16 {
        self.reserve.regime_level_bps()
    }

    /// Marked for delisting: backs no new borrows.
    pub fn delisting(&self) -> bool {
        delisting::is_delisting(self.reserve)
    }

    /// How far the delisting has lowered this collateral's liquidation threshold by `now_ts`, bps.
    pub fn delisting_threshold_cut_bps(&self) -> u64 {
        delisting::threshold_cut_bps(self.reserve, self.now_ts)
    }

    /// `reserve` as health sees it at `now_ts`: interest projected, nothing written.
    pub fn projected(reserve: &'a Reserve, now_ts: i64) -> Result<Self> {
        let projected = reserve.accrual(now_ts)?;
        Ok(ReserveValuation {
            config: &reserve.config,
            decimals: reserve.liquidity_decimals,
            total_liquidity: Reserve::depositor_liquidity(
                math::from_u64(reserve.owned_liquidity()?),
                projected.borrowed,
                projected.protocol_fees,
                projected.insurance_fund,
            )?,
            ctoken_supply: reserve.ctoken_supply,
            cumulative_borrow_index: projected.cumulative_borrow_index.max(Fraction::ONE),
            reserve,
            now_ts,
        })
    }

    /// Just what a health check for `position` needs, each part as cheaply as it may be had. Debt is always
    /// valued at the index projected to now. Collateral is valued at the exchange rate projected to now for
    /// liquidation, and at the last accrued one for borrow power (accrual only ever raises it, so that never
    /// overstates collateral).
    pub fn for_position(reserve: &'a Reserve, position: &HealthPosition, now_ts: i64, use_: PriceUse) -> Result<Self> {
        if use_ == PriceUse::Liquidation && position.deposit.is_some() {
            return Self::projected(reserve, now_ts);
        }
        let mut valuation = Self::as_stored(reserve, now_ts)?;
        if position.borrow.is_some() {
            valuation.cumulative_borrow_index = reserve.projected_borrow_index(now_ts)?.max(Fraction::ONE);
        }
        Ok(valuation)
    }
}

impl Health {
    /// Adds one reserve at a validated `price`: for liquidation, first refuses a price outside the band on the
    /// side it would harm (collateral held here, debt owed here).
    pub fn add_priced_reserve(&mut self, obligation: &Obligation, reserve_key: &Pubkey, r: &ReserveValuation, price: &Price, group: Option<&ElevationGroup>, use_: PriceUse) -> Result<()> {
        let position = HealthPosition { reserve: *reserve_key, deposit: obligation.find_deposit(reserve_key), borrow: obligation.find_borrow(reserve_key) };
        self.add_priced_position(obligation, &position, r, price, group, use_)
    }

    /// One reserve's positions at a validated `price`, as `use_` sees them at `now_ts` (the valuation
    /// `ReserveValuation::for_position` picks). Borrow and withdraw also enforce the elevation group's
    /// membership rules (`require_elevation_rules`), which the caller checks before reading the price.
    #[allow(clippy::too_many_arguments)]
    pub fn add_position(&mut self, obligation: &Obligation, position: &HealthPosition, reserve: &Reserve, price: &Price, group: Option<&ElevationGroup>, now_ts: i64, use_: PriceUse) -> Result<()> {
        let valuation = ReserveValuation::for_position(reserve, position, now_ts, use_)?;
        self.add_priced_position(obligation, position, &valuation, price, group, use_)
    }

    /// `add_priced_reserve` for a position whose slots are already known.
    pub fn add_priced_position(&mut self, obligation: &Obligation, position: &HealthPosition, r: &ReserveValuation, price: &Price, group: Option<&ElevationGroup>, use_: PriceUse) -> Result<()> {
        if use_ == PriceUse::Liquidation {
            if position.deposit.is_some() {
                price.require_within_band(&r.config.oracle, Side::Collateral)?;
            }
            if position.borrow.is_some() {
                price.require_within_band(&r.config.oracle, Side::Debt)?;
            }
        }
        self.add_positions(obligation, position.deposit, position.borrow, r, price, group, use_)
    }

    /// Adds the obligation's collateral and debt in one reserve, as `use_` needs them: for borrow and withdraw
    /// (Risk) borrow power and initial debt at the biased prices; for liquidation the threshold-weighted sums and
    /// values at spot. Member collateral of the obligation's elevation group uses the group's LTV and threshold;
    /// isolated collateral backs borrows only alone.
    pub fn add_reserve(&mut self, obligation: &Obligation, reserve_key: &Pubkey, r: &ReserveValuation, price: &Price, group: Option<&ElevationGroup>, use_: PriceUse) -> Result<()> {
        let (deposit, borrow) = (obligation.find_deposit(reserve_key), obligation.find_borrow(reserve_key));
        self.add_positions(obligation, deposit, borrow, r, price, group, use_)
    }

    /// `add_reserve` for the reserve whose deposit and borrow slots (if any) are `deposit` and `borrow`.
    #[allow(clippy::too_many_arguments)]
    fn add_positions(&mut self, obligation: &Obligation, deposit: Option<usize>, borrow: Option<usize>, r: &ReserveValuation, price: &Price, group: Option<&ElevationGroup>, use_: PriceUse) -> Result<()> {
        let cfg = &r.config.oracle;
        let risk = match use_ {
            PriceUse::Risk => Some(price.risk(cfg)?),
            PriceUse::Liquidation => None,
        };
        if let Some(i) = deposit {
            let liquidity = ctokens_to_liquidity(obligation.deposits[i].ctoken_amount, r.total_liquidity, r.ctoken_supply)?;
            let member = group.filter(|_| r.config.in_elevation_group(obligation.elevation_group));
            let (ltv_bps, threshold_bps) = match member {
                Some(g) => (g.ltv_bps as u64, g.liquidation_threshold_bps as u64),
                None => (r.config.ltv_bps as u64, r.config.liquidation_threshold_bps as u64),
            };
            match risk {
                Some(risk) => {
                    let isolated_not_alone = r.config.has_flag(FLAG_ISOLATED) && obligation.active_deposits().len() > 1;
                    self.isolated_not_alone |= isolated_not_alone;
                    // Collateral being delisted backs no new borrows.
                    let backs_borrows = r.config.has_flag(FLAG_COLLATERAL_ENABLED) && !isolated_not_alone && !r.delisting();
                    // A turbulent regime cuts LTV at origination (the group's LTV too); thresholds never.
                    let ltv_bps = if backs_borrows { regime::ltv_at_origination_bps(ltv_bps, r.config.regime_max_ltv_cut_bps, r.regime_level_bps()) } else { 0 };
                    let low_value = market_value(liquidity, r.decimals, risk.low)?;
                    let power = mul_bps(math::mul(low_value, risk.ltv_factor)?, ltv_bps)?;
                    self.borrow_power = math::add(self.borrow_power, power)?;
                }
                None => {
                    let spot_value = market_value(liquidity, r.decimals, price.spot(Side::Collateral))?;
                    let threshold_bps = delisting::threshold_bps(threshold_bps, r.delisting_threshold_cut_bps());
                    self.liquidation_collateral = math::add(self.liquidation_collateral, mul_bps(spot_value, threshold_bps)?)?;
                    self.collateral_value = math::add(self.collateral_value, spot_value)?;
                }
            }
        }
        if let Some(i) = borrow {
            let debt = obligation.borrows[i].debt_at(r.cumulative_borrow_index)?;
            let borrow_factor_bps = r.config.borrow_factor_bps as u64;
            match risk {
                Some(risk) => {
                    let high_value = market_value(debt, r.decimals, risk.high)?;
                    self.initial_debt = math::add(self.initial_debt, mul_bps(high_value, borrow_factor_bps)?)?;
                }
                None => {
                    let spot_value = market_value(debt, r.decimals, price.spot(Side::Debt))?;
                    self.liquidation_debt = math::add(self.liquidation_debt, mul_bps(spot_value, borrow_factor_bps)?)?;
                    self.debt_value = math::add(self.debt_value, spot_value)?;
                }
            }
        }
        Ok(())
    }

    /// Borrow and withdraw are allowed while weighted debt stays within borrow power.
    pub fn within_borrow_power(&self) -> bool {
        self.initial_debt <= self.borrow_power
    }

    /// Liquidation health = Σ collateral·spot·threshold / Σ debt·spot·bf; None when there is no debt. A ratio
    /// past Fraction's range (a crumb of debt against large collateral) is as healthy as can be: Fraction::MAX.
    pub fn liquidation_health(&self) -> Result<Option<Fraction>> {
        if self.liquidation_debt == Fraction::ZERO {
            return Ok(None);
        }
        Ok(Some(self.liquidation_collateral.checked_div(self.liquidation_debt).unwrap_or(Fraction::MAX)))
    }

    /// Liquidatable when liquidation health is below 1.
    pub fn is_liquidatable(&self) -> Result<bool> {
        Ok(matches!(self.liquidation_health()?, Some(h) if h < Fraction::ONE))
    }
}
