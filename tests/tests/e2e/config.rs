use ballast_tests::*;
use ballast::{math::CurvePoint, state::ReserveConfig};
use test_case::test_case;

fn broken(edit: fn(&mut ReserveConfig)) -> ReserveConfig {
    let mut c = default_config(anchor_lang::prelude::Pubkey::new_unique(), [1; 32]);
    edit(&mut c);
    c
}

#[test_case(|c| c.ltv_bps = 8_500, BallastError::LtvNotBelowThreshold ; "ltv at threshold")]
#[test_case(|c| c.liquidation_threshold_bps = 10_000, BallastError::ThresholdTooHigh ; "threshold 100%")]
#[test_case(|c| c.max_liquidation_bonus_bps = 1_800, BallastError::ThresholdWithBonusTooHigh ; "threshold times bonus")]
#[test_case(|c| c.min_liquidation_bonus_bps = 1_100, BallastError::BonusRangeInverted ; "bonus inverted")]
#[test_case(|c| c.protocol_liquidation_fee_bps = 10_001, BallastError::ProtocolLiquidationFeeTooHigh ; "protocol fee")]
#[test_case(|c| c.reserve_factor_bps = 9_600, BallastError::InterestSharesTooHigh ; "interest shares")]
#[test_case(|c| c.borrow_factor_bps = 9_999, BallastError::BorrowFactorBelowOne ; "borrow factor")]
#[test_case(|c| c.origination_fee_bps = 1_001, BallastError::OriginationFeeTooHigh ; "origination fee")]
#[test_case(|c| c.utilization_ceiling_bps = 0, BallastError::UtilizationCeilingInvalid ; "ceiling")]
#[test_case(|c| c.flags |= 1 << 15, BallastError::UnknownReserveFlags ; "flags")]
#[test_case(|c| c.curve[1] = CurvePoint { utilization_bps: 8_000, borrow_rate_bps: 10_900 }, BallastError::CurveRateDecreasing ; "curve decreasing")]
#[test_case(|c| c.curve[2].utilization_bps = 9_000, BallastError::CurveMustEndAtFull ; "curve end")]
#[test_case(|c| c.oracle.max_age_secs = 0, BallastError::OracleMaxAgeInvalid ; "oracle age")]
#[test_case(|c| c.oracle.max_age_secs = ballast::constants::MIN_ORACLE_AGE_SECS - 1, BallastError::OracleMaxAgeInvalid ; "oracle age below the floor")]
#[test_case(|c| c.oracle.max_conf_bps = 5_000, BallastError::OracleMaxConfInvalid ; "oracle conf")]
#[test_case(|c| c.oracle.feed_id = [0; 32], BallastError::OracleFeedIdMissing ; "feed id")]
#[test_case(|c| c.regime_max_ltv_cut_bps = 1_000, BallastError::RegimeSettingsInvalid ; "regime setting while off")]
#[test_case(|c| (c.regime_half_life_mins, c.regime_calm_vol_bps, c.regime_turbulent_vol_bps) = (9, 1, 2), BallastError::RegimeSettingsInvalid ; "regime half-life too short")]
#[test_case(|c| (c.regime_half_life_mins, c.regime_calm_vol_bps, c.regime_turbulent_vol_bps) = (60, 2, 2), BallastError::RegimeSettingsInvalid ; "regime calm not below turbulent")]
#[test_case(|c| (c.regime_half_life_mins, c.regime_turbulent_vol_bps, c.regime_max_ltv_cut_bps) = (60, 1, 5_001), BallastError::RegimeLtvCutTooHigh ; "regime ltv cut")]
#[test_case(|c| (c.regime_half_life_mins, c.regime_turbulent_vol_bps, c.regime_max_rate_addon_bps) = (60, 1, 5_001), BallastError::RegimeRateAddonTooHigh ; "regime rate add-on")]
#[tokio::test]
async fn update_reserve_config_fails_for_each_broken_rule(edit: fn(&mut ReserveConfig), expected: BallastError) {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).build().await;
    let admin = t.admin.keypair.insecure_clone();
    let mut config = broken(edit);
    config.oracle.price_account = usdc.price_account;
    assert_error!(t, t.try_update_reserve_config(&admin, &usdc, config), expected);
    t.assert_invariants().await;
}

#[tokio::test]
async fn init_reserve_fails_with_an_invalid_config_or_a_tiny_seed() {
    let mut t = TestContext::new().await;
    let result = t.reserve(Asset::Sol).ltv_bps(9_000).try_build().await;
    assert_program_error(result.map(|_| ()), BallastError::LtvNotBelowThreshold);
    let result = t.reserve(Asset::Sol).seed_native(999).try_build().await;
    assert_program_error(result.map(|_| ()), BallastError::SeedDepositTooSmall);
    assert!(t.reserves.is_empty(), "no reserve was created");
}

/// The seed deposit's cTokens are never minted to anyone: they stay locked behind every later depositor.
#[tokio::test]
async fn init_reserve_succeeds_and_locks_the_seed_deposit() {
    let mut t = TestContext::new().await;
    let sol = t.reserve(Asset::Sol).seed_native(5_000).build().await;
    let reserve = t.reserve_state(&sol).await;
    assert_eq!(reserve.locked_ctokens, 5_000);
    assert_eq!(reserve.ctoken_supply, 5_000);
    assert_eq!(reserve.available_liquidity, 5_000);
    assert_eq!(t.mint_supply(&sol.ctoken_mint).await, 0);
    assert_eq!(t.balance(&sol.liquidity_vault).await, 5_000);
    assert_eq!(reserve.market, t.market);
    t.assert_invariants().await;
}
