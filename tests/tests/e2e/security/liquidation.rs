//! Defects 3, 4 and 7: a liquidator pays for everything it takes, the bonus has an absolute cap, and a price
//! outside every sane band never seizes collateral.
use ballast::{
    constants::{MAX_DUST_THRESHOLD_QUOTE, MAX_LIQUIDATION_BONUS_BPS},
    state::MarketConfig,
};
use ballast_tests::{prices::mantissa, *};

struct Setup {
    t: TestContext,
    usdc: ReserveInfo,
    sol: ReserveInfo,
    btc: ReserveInfo,
    alice: User,
    liquidator: User,
}

/// Alice pledges 0.01 BTC ($600) and a sub-dollar 0.006 SOL ($0.90, below the $1 dust threshold) and borrows
/// 450 USDC.
async fn setup() -> Setup {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let btc = t.reserve(Asset::Btc).build().await;
    let alice = t.user().funded(&btc, 0.01).funded(&sol, 0.006).build().await;
    let liquidator = t.user().funded(&usdc, 10_000.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &btc, btc.amount(0.01)).await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(0.006)).await;
    t.borrow(&alice, &usdc, usdc.amount(450.0)).await;
    Setup { t, usdc, sol, btc, alice, liquidator }
}

/// The attack: `max_repay_amount = 1` against the sub-dust SOL position used to take all of it for one native
/// USDC. Now one native USDC buys one native USDC's worth plus the bonus, and the sweep of the rest happens
/// only when the liquidator pays for it at the bonus price.
#[tokio::test]
async fn liquidate_fails_to_take_sub_dust_collateral_for_one_unit() {
    let Setup { mut t, usdc, sol, btc, alice, liquidator } = setup().await;
    t.set_price(&btc, 50_000.0); // $500 + $0.90 of collateral × 85% < $450: liquidatable
    let pledged = t.obligation_state(&alice).await.deposits[1].ctoken_amount;
    let usdc_before = t.balance(&liquidator.liquidity(&usdc)).await;
    t.try_liquidate(&liquidator, &alice, &usdc, &sol, 1, 0, false).await.unwrap();
    assert_eq!(usdc_before - t.balance(&liquidator.liquidity(&usdc)).await, 1);
    let seized = t.balance(&liquidator.ctokens(&sol)).await;
    // 1e-6 USDC × 1.1 / $150 = 7.3e-9 SOL: at most 7 lamports' worth, not 6,000,000.
    assert!(seized <= 8, "seized {seized} lamports of cTokens for one micro-USDC");
    assert_eq!(t.obligation_state(&alice).await.deposits[1].ctoken_amount, pledged - seized);

    // Paying for it, the liquidator may take the whole position at the bonus price.
    t.try_liquidate(&liquidator, &alice, &usdc, &sol, u64::MAX, 0, false).await.unwrap();
    let paid = usdc_before - 1 - t.balance(&liquidator.liquidity(&usdc)).await;
    let value_taken = (pledged - seized) as f64 / 1e9 * 150.0;
    assert!(paid as f64 / 1e6 * 1.1 >= value_taken - 1e-6, "paid {paid} for ${value_taken}");
    t.assert_invariants().await;
}

#[tokio::test]
async fn update_market_config_fails_with_a_dust_threshold_above_the_bound() {
    let mut t = TestContext::new().await;
    let admin = t.admin.keypair.insecure_clone();
    let council = t.risk_council.insecure_clone();
    let config = MarketConfig { dust_threshold_quote: MAX_DUST_THRESHOLD_QUOTE + 1, ..t.market_config().await };
    assert_error!(t, t.try_queue_market_config(&admin, config), BallastError::DustThresholdTooHigh);
    // Raising the dust threshold makes every small position a total liquidation: never the council's to do.
    let raised = MarketConfig { dust_threshold_quote: MAX_DUST_THRESHOLD_QUOTE, ..t.market_config().await };
    assert_error!(t, t.try_tighten_market_config(&council, raised), BallastError::RiskCouncilCannotLoosen);
    assert_error!(t, t.try_update_market_config(&admin, raised), BallastError::ConfigChangeLoosens);
    t.try_queue_market_config(&admin, raised).await.unwrap();
    t.try_apply_pending_market_config().await.unwrap();
    assert_eq!(t.market_config().await.dust_threshold_quote, MAX_DUST_THRESHOLD_QUOTE);
    t.assert_invariants().await;
}

/// `threshold · (1 + bonus) < 1` alone let a 90% bonus through at a 50% threshold.
#[tokio::test]
async fn init_reserve_fails_with_a_bonus_above_the_absolute_cap() {
    let mut t = TestContext::new().await;
    let generous = |c: &mut ballast::state::ReserveConfig| {
        c.ltv_bps = 4_000;
        c.liquidation_threshold_bps = 5_000;
        c.max_liquidation_bonus_bps = 9_000;
    };
    let result = t.reserve(Asset::Sol).config(generous).try_build().await;
    assert_program_error(result.map(|_| ()), BallastError::LiquidationBonusTooHigh);
    let at_cap = t
        .reserve(Asset::Sol)
        .config(|c| {
            c.ltv_bps = 5_000;
            c.liquidation_threshold_bps = 6_000;
            c.max_liquidation_bonus_bps = MAX_LIQUIDATION_BONUS_BPS;
        })
        .build()
        .await;
    assert_error!(t, t.try_queue_elevation_group(1, &at_cap, 5_000, 6_000, MAX_LIQUIDATION_BONUS_BPS + 1), BallastError::LiquidationBonusTooHigh);
    t.try_queue_elevation_group(1, &at_cap, 5_000, 6_000, MAX_LIQUIDATION_BONUS_BPS).await.unwrap();
    t.assert_invariants().await;
}

/// An oracle glitch puts USDC's spot at i64::MAX. Alice looks hopelessly unhealthy, and a liquidator would
/// take her BTC for one unit; the spot is outside the liquidation band around the EMA, so nothing happens.
#[tokio::test]
async fn liquidate_fails_on_a_spot_price_outside_the_liquidation_band() {
    let Setup { mut t, usdc, btc, alice, liquidator, .. } = setup().await;
    let glitch = prices::PriceSpec { price: i64::MAX, ..t.price_spec(&usdc) };
    t.set_price_spec(&usdc, glitch);
    assert_error!(t, t.try_liquidate(&liquidator, &alice, &usdc, &btc, u64::MAX, 0, false), BallastError::OracleOutsideLiquidationBand);
    // The same on the other side: collateral spot glitched to one tick.
    t.set_price(&usdc, 1.0);
    let crash = prices::PriceSpec { price: 1, ..t.price_spec(&btc) };
    t.set_price_spec(&btc, crash);
    assert_error!(t, t.try_liquidate(&liquidator, &alice, &usdc, &btc, u64::MAX, 0, false), BallastError::OracleOutsideLiquidationBand);
    t.assert_invariants().await;
}

/// A genuine crash: BTC's spot falls 45% under an EMA that lags, with a wide confidence interval. Borrow and
/// withdraw refuse the price (divergence and confidence), but the liquidation goes through.
#[tokio::test]
async fn liquidate_succeeds_in_a_crash_inside_the_liquidation_band() {
    let Setup { mut t, usdc, btc, alice, liquidator, .. } = setup().await;
    let spec = prices::PriceSpec { price: mantissa(33_000.0), ema_price: mantissa(60_000.0), conf: mantissa(2_000.0) as u64, ..t.price_spec(&btc) };
    t.set_price_spec(&btc, spec);
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), BallastError::OracleConfidenceTooWide);
    t.liquidate(&liquidator, &alice, &usdc, &btc).await;
    assert!(t.balance(&liquidator.ctokens(&btc)).await > 0);
    t.assert_invariants().await;
}
