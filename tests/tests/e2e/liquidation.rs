//! Liquidation: expected amounts are computed here in f64 from the formulas in DESIGN §6, independently
//! of the program's fixed-point code, and compared to within one native unit.
use ballast_tests::*;
use test_case::test_case;

/// Bonus for liquidation health `h`: 2% at the threshold, +8% over a 10% shortfall, capped at 10%.
pub fn bonus(h: f64) -> f64 {
    0.02 + 0.08 * ((1.0 - h) / 0.1).min(1.0)
}

/// (seized cTokens, protocol fee cTokens) for repaying `repay_value` in quote, at exchange rate 1.
pub fn seized(repay_value: f64, h: f64, price: f64, decimals: i32) -> (f64, f64) {
    let b = bonus(h);
    let seized = (repay_value * (1.0 + b) / price * 10f64.powi(decimals)).floor();
    let fee = (seized * b / (1.0 + b) * 0.2).floor();
    (seized, fee)
}

pub struct Book {
    pub t: TestContext,
    pub usdc: ReserveInfo,
    pub sol: ReserveInfo,
    pub alice: User,
    pub liquidator: User,
}

/// Alice pledges 10 SOL at $150 and borrows `debt` USDC; a liquidator holds 100,000 USDC.
pub async fn book(debt: f64) -> Book {
    book_with(debt, |_| {}).await
}

/// `book` with SOL's config edited first.
pub async fn book_with(debt: f64, sol_config: impl FnOnce(&mut ballast::state::ReserveConfig) + 'static) -> Book {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(50_000.0).build().await;
    let sol = t.reserve(Asset::Sol).liquidity(100.0).config(sol_config).build().await;
    let alice = t.user().funded(&sol, 10.0).build().await;
    let liquidator = t.user().funded(&usdc, 100_000.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(debt)).await;
    Book { t, usdc, sol, alice, liquidator }
}

/// 10 SOL × 0.85 against 1,200 USDC: the threshold is $141.1764705882…; one 1e-8 tick above it is
/// healthy, one tick below is liquidatable, and the first call repays exactly the 20% close factor.
#[tokio::test]
async fn liquidate_fails_when_healthy_and_succeeds_one_price_tick_below_the_threshold() {
    let Book { mut t, usdc, sol, alice, liquidator } = book(1_200.0).await;
    t.set_price_mantissa(&sol, 14_117_647_059);
    assert_error!(t, t.try_liquidate(&liquidator, &alice, &usdc, &sol, u64::MAX, 0, false), BallastError::ObligationHealthy);

    t.set_price_mantissa(&sol, 14_117_647_058);
    let price = 141.176_470_58;
    let h = 10.0 * price * 0.85 / 1_200.0;
    assert!(h < 1.0);
    let paid_before = t.balance(&liquidator.liquidity(&usdc)).await;
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;

    let repaid = paid_before - t.balance(&liquidator.liquidity(&usdc)).await;
    assert_eq!(repaid, usdc.amount(240.0), "20% close factor of $1,200");
    let (seized, fee) = seized(240.0, h, price, 9);
    let got = t.balance(&liquidator.ctokens(&sol)).await as f64;
    assert!((got - (seized - fee)).abs() <= 1.0, "liquidator got {got}, expected {}", seized - fee);
    let obligation = t.obligation_state(&alice).await;
    assert!((obligation.active_deposits()[0].ctoken_amount as f64 - (10e9 - seized)).abs() <= 1.0);
    assert_eq!(obligation.active_borrows()[0].borrowed_sf.get(), usdc.amount(960.0));
    let insurance: f64 = t.reserve_state(&sol).await.insurance_fund_sf.get().to_num();
    assert!((insurance - fee).abs() <= 1.0, "the protocol's share of the bonus went to SOL's insurance fund");
    t.assert_invariants().await;
}

/// Health 0.944 ≤ 0.95: one call may repay the whole debt, and the bonus has ramped to 6.44%.
#[tokio::test]
async fn liquidate_succeeds_in_full_when_health_is_at_most_095() {
    let Book { mut t, usdc, sol, alice, liquidator } = book(1_200.0).await;
    let price = 133.333_333_33;
    t.set_price_mantissa(&sol, 13_333_333_333);
    let h = 10.0 * price * 0.85 / 1_200.0;
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    assert!(t.obligation_state(&alice).await.active_borrows().is_empty(), "the debt is gone in one call");
    assert_eq!(t.balance(&liquidator.liquidity(&usdc)).await, usdc.amount(100_000.0 - 1_200.0));
    let (seized, fee) = seized(1_200.0, h, price, 9);
    let got = t.balance(&liquidator.ctokens(&sol)).await as f64;
    assert!((got - (seized - fee)).abs() <= 1.0);
    t.assert_invariants().await;
}

/// With MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY (SPL-style), health 0.944 still allows only the close factor's
/// 20%: the same crash as above, a fifth of the debt per call.
#[tokio::test]
async fn liquidate_succeeds_with_the_close_factor_only_when_partial_liquidation_only() {
    use ballast::state::{MarketConfig, MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY};
    let config = MarketConfig { flags: MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY, ..default_market_config() };
    let mut t = TestContext::with_market_config(config).await;
    let usdc = t.reserve(Asset::Usdc).liquidity(50_000.0).build().await;
    let sol = t.reserve(Asset::Sol).liquidity(100.0).build().await;
    let alice = t.user().funded(&sol, 10.0).build().await;
    let liquidator = t.user().funded(&usdc, 100_000.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(1_200.0)).await;
    t.set_price_mantissa(&sol, 13_333_333_333);
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    assert_eq!(t.balance(&liquidator.liquidity(&usdc)).await, usdc.amount(100_000.0 - 240.0), "20% of $1,200, not all of it");
    assert_eq!(t.obligation_state(&alice).await.active_borrows()[0].borrowed_sf.get(), usdc.amount(960.0));
    t.assert_invariants().await;
}

/// The bonus grows with the shortfall and stops at max_bonus; for a solvent obligation it never exceeds the
/// cushion (collateral − debt) / debt above the minimum; deep enough, the collateral caps the seizure and the
/// repayment shrinks to what the collateral covers at that bonus.
#[test_case(141.0 ; "just below the threshold")]
#[test_case(139.0 ; "two percent short")]
#[test_case(136.0 ; "four percent short")]
#[test_case(132.0 ; "full liquidation zone")]
#[test_case(115.0 ; "max bonus and collateral cap")]
#[tokio::test]
async fn liquidation_bonus_grows_with_the_shortfall_up_to_the_cap(price: f64) {
    let Book { mut t, usdc, sol, alice, liquidator } = book(1_200.0).await;
    t.set_price(&sol, price);
    let h = 10.0 * price * 0.85 / 1_200.0;
    let cushion = (10.0 * price - 1_200.0) / 1_200.0;
    let b = if cushion < 0.0 { bonus(h) } else { bonus(h).min(cushion.max(0.02)) };
    let before = t.balance(&liquidator.liquidity(&usdc)).await;
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    let repaid = (before - t.balance(&liquidator.liquidity(&usdc)).await) as f64 / 1e6;
    let got = t.balance(&liquidator.ctokens(&sol)).await as f64;
    let collateral_left = t.obligation_state(&alice).await.active_deposits().first().map_or(0, |d| d.ctoken_amount);

    let full = h <= 0.95;
    let wanted = if full { 1_200.0 } else { 240.0 };
    if wanted * (1.0 + b) >= 10.0 * price {
        assert_eq!(collateral_left, 0, "capped: all collateral seized");
        assert!((repaid - 10.0 * price / (1.0 + b)).abs() <= 1.01e-6, "repaid {repaid}");
        assert!((b - 0.10).abs() < 1e-12, "insolvent at this price: the full bonus, capped at max");
    } else {
        assert!((repaid - wanted).abs() < 1e-6);
        let (seized, fee) = seized(wanted, h, price, 9);
        assert!((got - (seized - fee)).abs() <= 1.0);
        let realized = (got + fee) / 1e9 * price / repaid - 1.0;
        assert!((realized - b).abs() < 1e-6, "realized bonus {realized} vs {b}");
    }
    t.assert_invariants().await;
}

/// A partial liquidation may not leave less than the $1 dust threshold behind: it must take it all.
#[tokio::test]
async fn liquidate_fails_when_it_would_leave_dust_and_succeeds_repaying_all() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(1_000.0).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 0.01).build().await;
    let liquidator = t.user().funded(&usdc, 100.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(0.01)).await;
    t.borrow(&alice, &usdc, usdc.amount(1.2)).await; // $1.20 against $1.50
    t.set_price(&sol, 141.0); // health 0.99875: close factor applies, 20% = $0.24 leaves $0.96 < $1
    assert_error!(t, t.try_liquidate(&liquidator, &alice, &usdc, &sol, usdc.amount(0.5), 0, false), BallastError::LiquidationLeavesDust);
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    assert!(t.obligation_state(&alice).await.active_borrows().is_empty());
    assert_eq!(t.balance(&liquidator.liquidity(&usdc)).await, usdc.amount(100.0 - 1.2));
    t.assert_invariants().await;
}

/// With receive_underlying the liquidator gets SOL when the reserve has it, and cTokens when it does not.
#[tokio::test]
async fn liquidate_pays_underlying_when_available_and_ctokens_otherwise() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(50_000.0).build().await;
    let sol = t.reserve(Asset::Sol).config(|c| c.utilization_ceiling_bps = 10_000).build().await;
    let alice = t.user().funded(&sol, 10.0).build().await;
    let bob = t.user().funded(&usdc, 100_000.0).build().await;
    let liquidator = t.user().funded(&usdc, 100_000.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(1_200.0)).await;

    t.set_price(&sol, 141.0);
    t.try_liquidate(&liquidator, &alice, &usdc, &sol, u64::MAX, 0, true).await.unwrap();
    let sol_received = t.balance(&liquidator.liquidity(&sol)).await;
    assert!(sol_received > 0, "paid in SOL");
    assert_eq!(t.balance(&liquidator.ctokens(&sol)).await, 0);

    // Bob borrows all but 0.01 SOL of the reserve: the next liquidation falls back to cTokens.
    t.deposit_liquidity_and_collateral(&bob, &usdc, usdc.amount(100_000.0)).await;
    let available = t.reserve_state(&sol).await.available_liquidity;
    t.borrow(&bob, &sol, available - sol.amount(0.01)).await;
    t.set_price(&sol, 130.0);
    t.try_liquidate(&liquidator, &alice, &usdc, &sol, u64::MAX, 0, true).await.unwrap();
    assert_eq!(t.balance(&liquidator.liquidity(&sol)).await, sol_received, "no more SOL paid");
    assert!(t.balance(&liquidator.ctokens(&sol)).await > 0, "paid in cTokens instead");
    t.assert_invariants().await;
}

#[tokio::test]
async fn liquidate_fails_below_min_seized_out() {
    let Book { mut t, usdc, sol, alice, liquidator } = book(1_200.0).await;
    t.set_price(&sol, 141.0);
    assert_error!(t, t.try_liquidate(&liquidator, &alice, &usdc, &sol, u64::MAX, sol.amount(10.0), false), BallastError::LiquidationSlippage);
    t.assert_invariants().await;
}

#[tokio::test]
async fn liquidate_fails_for_positions_the_obligation_does_not_hold() {
    let Book { mut t, usdc, sol, alice, .. } = book(1_200.0).await;
    let btc = t.reserve(Asset::Btc).liquidity(1.0).build().await;
    let liquidator = t.user().funded(&usdc, 10_000.0).build().await;
    t.set_price(&sol, 141.0);
    assert_error!(t, t.try_liquidate(&liquidator, &alice, &usdc, &btc, u64::MAX, 0, false), BallastError::DepositPositionNotFound);
    assert_error!(t, t.try_liquidate(&liquidator, &alice, &sol, &sol, u64::MAX, 0, false), BallastError::BorrowPositionNotFound);
    t.assert_invariants().await;
}

#[tokio::test]
async fn liquidate_fails_on_a_stale_price() {
    let Book { mut t, usdc, sol, alice, liquidator } = book(1_200.0).await;
    t.set_price(&sol, 100.0);
    t.freeze_price(&sol);
    t.advance(61).await;
    assert_error!(t, t.try_liquidate(&liquidator, &alice, &usdc, &sol, u64::MAX, 0, false), BallastError::OracleStale);
    t.assert_invariants().await;
}

/// Spot far from EMA with a wide confidence band would block borrows, but liquidation reads spot only:
/// a healthy obligation stays healthy.
#[tokio::test]
async fn liquidate_fails_for_a_healthy_obligation_during_a_volatility_spike() {
    let Book { mut t, usdc, sol, alice, liquidator } = book(1_200.0).await;
    let spec = t.price_spec(&sol);
    t.set_price_spec(&sol, PriceSpec { price: 14_500_000_000, ema_price: 9_000_000_000, conf: 1_000_000_000, ..spec });
    assert_error!(t, t.try_liquidate(&liquidator, &alice, &usdc, &sol, u64::MAX, 0, false), BallastError::ObligationHealthy);
    assert_error!(t, t.try_borrow(&alice, &usdc, 1), BallastError::OracleConfidenceTooWide);
    t.assert_invariants().await;
}

/// With SOL's target health at 1.10, one call at $141 (health 0.99875) repays what brings health to 1.10, not
/// the close factor's $240: r = (1.1·1,200 − 1,198.5) / (1.1 − (1 + bonus)·0.85), about $523.
#[tokio::test]
async fn liquidate_succeeds_repaying_up_to_the_target_health() {
    let Book { mut t, usdc, sol, alice, liquidator } = book_with(1_200.0, |c| c.liquidation_target_health_bps = 11_000).await;
    t.set_price(&sol, 141.0);
    let h = 10.0 * 141.0 * 0.85 / 1_200.0;
    let b = bonus(h);
    let r = (1.1 * 1_200.0 - 1_410.0 * 0.85) / (1.1 - (1.0 + b) * 0.85);
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    let repaid = (100_000e6 - t.balance(&liquidator.liquidity(&usdc)).await as f64) / 1e6;
    assert!((repaid - r).abs() < 1e-5, "repaid {repaid}, expected {r}");
    let o = t.obligation_state(&alice).await;
    let collateral = o.active_deposits()[0].ctoken_amount as f64 / 1e9;
    let debt = o.active_borrows()[0].borrowed_sf.get().to_num::<f64>() / 1e6;
    let after = collateral * 141.0 * 0.85 / debt;
    assert!((after - 1.1).abs() < 1e-5, "health after {after}");
    t.assert_invariants().await;
}
