//! Health projection with the program's own code: the numbers a client shows are computed by the same
//! functions the program runs, over account bytes read from the cluster.
use crate::{accounts::MarketSnapshot, ix};
use anchor_lang::prelude::{AccountInfo, AccountLoader, Pubkey};
use anyhow::{anyhow, Result};
use ballast::{
    error::BallastError,
    instructions::{compute_health, count_isolated_borrow, liquidation_health_accounts, price_accounts_of, record_outflow, require_borrow_power, size_liquidation, LiquidationTerms},
    math::Fraction,
    operations::{
        borrow, collateral,
        controls::{self, Action},
        health::Health,
        liquidate::LiquidationPlan,
    },
    oracle::PriceUse,
    state::{Market, Obligation},
};

/// Which side of an obligation a position is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Collateral,
    Debt,
}

impl Side {
    /// `collateral` or `debt`, as it serializes.
    pub fn name(self) -> &'static str {
        match self {
            Side::Collateral => "collateral",
            Side::Debt => "debt",
        }
    }
}

/// The spot price at which one position alone would make the obligation liquidatable.
#[derive(Clone, Debug, serde::Serialize)]
pub struct LiquidationPrice {
    pub reserve: String,
    pub side: Side,
    /// Current spot price, quote per whole token.
    pub spot: f64,
    /// Price at which liquidation health reaches 1, others fixed; None when no price of this asset can.
    pub liquidation_price: Option<f64>,
    /// The move from spot to `liquidation_price` as a signed fraction of spot (−0.2: a 20% drop); 0 when the
    /// obligation is liquidatable already, None when no price of this asset alone makes it so.
    pub price_move: Option<f64>,
}

/// Projections over one snapshot of a market.
pub struct Projection<'s> {
    snap: &'s MarketSnapshot,
}

fn to_f64(x: Fraction) -> f64 {
    x.to_num::<f64>()
}

impl<'s> Projection<'s> {
    pub fn new(snap: &'s MarketSnapshot) -> Self {
        Self { snap }
    }

    /// Runs `f` over writable `AccountInfo`s of the market followed by the health accounts of
    /// `obligation`, built from copies of the snapshot's bytes (nothing is written back).
    fn with_accounts<R>(&self, obligation: &Obligation, f: impl for<'a> FnOnce(&'a AccountInfo<'a>, &'a [AccountInfo<'a>]) -> Result<R>) -> Result<R> {
        self.with_price_accounts(obligation, self.snap.price_accounts(), f)
    }

    /// `with_accounts` with the health accounts' prices chosen by `price_of` (a liquidation passes a secondary
    /// only where the primary failed: with both, `select` values collateral at the lower of the two).
    fn with_price_accounts<R>(
        &self,
        obligation: &Obligation,
        price_of: impl Fn(&Pubkey) -> ix::PriceKeys,
        f: impl for<'a> FnOnce(&'a AccountInfo<'a>, &'a [AccountInfo<'a>]) -> Result<R>,
    ) -> Result<R> {
        let mut keys = vec![self.snap.key];
        for meta in ix::health_metas(obligation, price_of) {
            keys.push(meta.pubkey);
        }
        let mut owned = Vec::with_capacity(keys.len());
        for key in &keys {
            let account = self.snap.raw.get(key).ok_or_else(|| anyhow!("account {key} is missing from the snapshot"))?;
            owned.push((*key, account.lamports, account.data.clone(), account.owner));
        }
        let infos: Vec<AccountInfo> = owned
            .iter_mut()
            .map(|(key, lamports, data, owner)| AccountInfo::new(key, false, true, lamports, data, owner, false))
            .collect();
        // SAFETY: only the lifetime is widened to the one the program's helpers want; `infos` and `owned`
        // outlive `f`, and `f` is generic over the lifetime, so nothing borrowed from them escapes.
        let infos: &[AccountInfo] = unsafe { std::mem::transmute::<&[AccountInfo], &[AccountInfo]>(&infos[..]) };
        f(&infos[0], &infos[1..])
    }

    fn group(&self, obligation: &Obligation) -> Option<ballast::state::ElevationGroup> {
        self.snap.market.elevation_group(obligation.elevation_group).copied()
    }

    /// Health under `use_` (Risk: the conservative prices borrow and withdraw use; Liquidation: spot).
    pub fn health(&self, obligation: &Obligation, use_: PriceUse) -> Result<Health> {
        let group = self.group(obligation);
        self.with_accounts(obligation, |_, remaining| {
            Ok(compute_health(obligation, &self.snap.key, group.as_ref(), remaining, &[], self.snap.clock(), use_)?)
        })
    }

    /// Σ collateral·spot·threshold / Σ debt·spot·borrow_factor; None without debt.
    pub fn liquidation_health(&self, obligation: &Obligation) -> Result<Option<f64>> {
        Ok(self.health(obligation, PriceUse::Liquidation)?.liquidation_health()?.map(to_f64))
    }

    pub fn is_liquidatable(&self, obligation: &Obligation) -> Result<bool> {
        Ok(self.health(obligation, PriceUse::Liquidation)?.is_liquidatable()?)
    }

    /// Whether borrowing `amount` from `reserve` passes every check the borrow instruction makes.
    pub fn can_borrow(&self, obligation: &Obligation, reserve_key: &Pubkey, amount: u64) -> Result<bool> {
        let mut reserve = self.snap.reserve(reserve_key)?.state;
        let after = ix::after_borrow(obligation, reserve_key);
        let (now, clock) = (self.snap.now, self.snap.clock());
        self.with_accounts(&after, |market_info, remaining| {
            let mut attempt = || -> anchor_lang::Result<()> {
                let market = AccountLoader::<Market>::try_from(market_info)?;
                controls::require_allowed(Action::Borrow, &reserve.config, &market.load()?.config)?;
                reserve.accrue_interest(now)?;
                let mut obligation = *obligation;
                let fee = borrow::borrow(&mut reserve, &mut obligation, reserve_key, amount)?;
                require_borrow_power(&obligation, &market, remaining, (reserve_key, &reserve), clock, BallastError::BorrowExceedsLtv)?;
                let prices = price_accounts_of(remaining, reserve_key, &reserve)?;
                record_outflow(&market, &mut reserve, prices, amount, clock)?;
                let debt_added = ballast::math::checked_add_u64(amount, fee)?;
                count_isolated_borrow(&Pubkey::default(), &mut obligation, &self.snap.key, reserve_key, &mut reserve, debt_added, remaining, clock)?;
                Ok(())
            };
            Ok(attempt().is_ok())
        })
    }

    /// Whether withdrawing `ctoken_amount` of `reserve`'s collateral passes every check withdraw makes.
    pub fn can_withdraw(&self, obligation: &Obligation, reserve_key: &Pubkey, ctoken_amount: u64) -> Result<bool> {
        let mut reserve = self.snap.reserve(reserve_key)?.state;
        let after = ix::after_withdraw(obligation, reserve_key, ctoken_amount);
        let (now, clock) = (self.snap.now, self.snap.clock());
        self.with_accounts(&after, |market_info, remaining| {
            let mut attempt = || -> anchor_lang::Result<()> {
                let market = AccountLoader::<Market>::try_from(market_info)?;
                controls::require_allowed(Action::WithdrawCollateral, &reserve.config, &market.load()?.config)?;
                reserve.accrue_interest(now)?;
                let mut obligation = *obligation;
                collateral::unpledge(&mut obligation, reserve_key, ctoken_amount)?;
                require_borrow_power(&obligation, &market, remaining, (reserve_key, &reserve), clock, BallastError::WithdrawExceedsLtv)
            };
            Ok(attempt().is_ok())
        })
    }

    /// Most `reserve` liquidity the obligation can borrow now, native units (0 if none).
    pub fn max_borrow(&self, obligation: &Obligation, reserve_key: &Pubkey) -> Result<u64> {
        let hi = self.snap.reserve(reserve_key)?.state.available_liquidity;
        largest(hi, |x| self.can_borrow(obligation, reserve_key, x))
    }

    /// Most cTokens of `reserve` the obligation can withdraw now (0 if none).
    pub fn max_withdraw(&self, obligation: &Obligation, reserve_key: &Pubkey) -> Result<u64> {
        let hi = obligation.find_deposit(reserve_key).map(|i| obligation.deposits[i].ctoken_amount).unwrap_or(0);
        largest(hi, |x| self.can_withdraw(obligation, reserve_key, x))
    }

    /// The liquidation the program would size now for `obligation`, repaying up to `max_repay` of `repay_key`
    /// and seizing `withdraw_key`: both reserves accrued to the snapshot's clock, then the instruction's own
    /// sizing code. The liquidator's cTokens are `seized_ctokens - protocol_fee_ctokens`.
    pub fn liquidation(&self, obligation: &Obligation, repay_key: &Pubkey, withdraw_key: &Pubkey, max_repay: u64) -> Result<LiquidationPlan> {
        let now = self.snap.clock();
        let accrued = |key: &Pubkey| -> Result<ballast::state::Reserve> {
            let mut r = self.snap.reserve(key)?.state;
            r.accrue_interest(now.ts)?;
            Ok(r)
        };
        let (repay, withdraw) = (accrued(repay_key)?, accrued(withdraw_key)?);
        let group = self.group(obligation);
        let market = &self.snap.market.config;
        let terms = LiquidationTerms {
            market: &self.snap.key,
            config: market,
            group: group.as_ref(),
            max_repay_amount: max_repay,
        };
        // The same price accounts the liquidation transaction will carry.
        self.with_price_accounts(obligation, self.snap.liquidation_price_accounts(), |_, remaining| {
            let pairs = liquidation_health_accounts(obligation, &obligation.isolated_reserve, remaining)?;
            let withdraw = if repay_key == withdraw_key { &repay } else { &withdraw };
            Ok(size_liquidation(obligation, &terms, (repay_key, &repay), (withdraw_key, withdraw), pairs, now)?)
        })
    }

    /// For each position, the spot price of its asset at which liquidation health reaches 1, every other
    /// asset's price fixed. An asset both pledged and borrowed (a loop) moves both positions: its price is
    /// where the two together bring health to 1, the same for both entries.
    pub fn liquidation_prices(&self, obligation: &Obligation) -> Result<Vec<LiquidationPrice>> {
        let total = self.health(obligation, PriceUse::Liquidation)?;
        let liquidatable = total.is_liquidatable()?;
        let (lc, ld) = (to_f64(total.liquidation_collateral), to_f64(total.liquidation_debt));
        // An asset's share of the liquidation collateral and of the liquidation debt at today's price: the health
        // of its positions alone.
        let share = |reserve: &Pubkey| -> Result<(f64, f64)> {
            let mut alone = Obligation { deposits: Default::default(), borrows: Default::default(), ..*obligation };
            if let Some(i) = obligation.find_deposit(reserve) {
                alone.deposits[0] = obligation.deposits[i];
            }
            if let Some(i) = obligation.find_borrow(reserve) {
                alone.borrows[0] = obligation.borrows[i];
            }
            let h = self.health(&alone, PriceUse::Liquidation)?;
            Ok((to_f64(h.liquidation_collateral), to_f64(h.liquidation_debt)))
        };
        let mut out = vec![];
        let sides = obligation
            .active_deposits()
            .iter()
            .map(|d| (d.reserve, Side::Collateral))
            .chain(obligation.active_borrows().iter().map(|b| (b.reserve, Side::Debt)));
        for (reserve, side) in sides {
            let (c, d) = share(&reserve)?;
            let spot = self.snap.spot_price(self.snap.reserve(&reserve)?).unwrap_or(0.0);
            // Its price scaled by f: (lc − c) + f·c = (ld − d) + f·d.
            let factor = (ld > 0.0 && c != d).then(|| ((ld - d) - (lc - c)) / (c - d));
            let liquidation_price = factor.filter(|f| *f > 0.0).map(|f| f * spot);
            let price_move = if liquidatable { Some(0.0) } else { liquidation_price.filter(|_| spot > 0.0).map(|p| p / spot - 1.0) };
            out.push(LiquidationPrice { reserve: reserve.to_string(), side, spot, liquidation_price, price_move });
        }
        Ok(out)
    }
}

/// The largest x in [0, hi] with ok(x), assuming ok is monotone (true then false); 0 when none.
fn largest(hi: u64, ok: impl Fn(u64) -> Result<bool>) -> Result<u64> {
    if hi == 0 || !ok(1)? {
        return Ok(0);
    }
    let (mut lo, mut hi) = (1u64, hi);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if ok(mid)? {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Ok(lo)
}
