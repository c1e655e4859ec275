//! Governance: two-step admin handover, the risk council's tighten-only brake, and the timelock that every
//! loosening change waits out.
use ballast::state::{
    MarketConfig, ReserveConfig, FLAG_BORROW_ENABLED, FLAG_COLLATERAL_ENABLED, FLAG_FLASH_ENABLED, FLAG_PAUSED,
    FLAG_REDUCE_ONLY, MARKET_FLAG_EMERGENCY, MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY,
};
use ballast_tests::*;
use test_case::test_case;

const TIMELOCK_SECS: i64 = 3_600;

type Edit = fn(&mut ReserveConfig);
type MarketEdit = fn(&mut MarketConfig);

/// A reserve already braked: finite caps, an outflow window, paused and reduce-only, nothing enabled,
/// so every loosening has somewhere to go.
fn tight(c: &mut ReserveConfig) {
    c.deposit_limit = 1_000_000_000;
    c.borrow_limit = 1_000_000_000;
    c.outflow_limit = 1_000_000_000;
    c.isolated_debt_ceiling_micro_quote = 1_000_000_000;
    c.outflow_window_secs = 3_600;
    c.borrow_factor_bps = 11_000;
    c.elevation_groups = 2;
    c.flags = FLAG_PAUSED | FLAG_REDUCE_ONLY;
    c.insolvent_auction_secs = 600;
    c.liquidation_target_health_bps = 11_000;
    (c.regime_half_life_mins, c.regime_calm_vol_bps, c.regime_turbulent_vol_bps) = (60, 10_000, 20_000);
    // No rate add-on: changing it reprices (the admin's, never the council's; see `tighten_reserve_config_fails_to_reprice`).
    c.regime_max_ltv_cut_bps = 2_000;
}

/// Every way a reserve change can loosen risk; each result is a valid config.
const RESERVE_LOOSENINGS: &[(&str, Edit)] = &[
    ("raise ltv", |c| c.ltv_bps += 100),
    ("raise liquidation threshold", |c| c.liquidation_threshold_bps += 100),
    ("raise min bonus", |c| c.min_liquidation_bonus_bps += 100),
    ("raise max bonus", |c| c.max_liquidation_bonus_bps += 100),
    ("raise deposit cap", |c| c.deposit_limit += 1),
    ("raise borrow cap", |c| c.borrow_limit += 1),
    ("raise outflow limit", |c| c.outflow_limit += 1),
    ("raise isolated debt ceiling", |c| c.isolated_debt_ceiling_micro_quote += 1),
    ("shorten outflow window", |c| c.outflow_window_secs -= 1),
    ("turn outflow limiter off", |c| c.outflow_window_secs = 0),
    ("raise utilization ceiling", |c| c.utilization_ceiling_bps += 100),
    ("lower borrow factor", |c| c.borrow_factor_bps -= 100),
    ("lower liquidation threshold", |c| c.liquidation_threshold_bps -= 100),
    ("lower max bonus", |c| c.max_liquidation_bonus_bps -= 100),
    ("raise borrow factor", |c| c.borrow_factor_bps += 100),
    ("narrow the liquidation band", |c| c.oracle.liquidation_band_bps -= 1_000),
    ("change protocol liquidation fee", |c| c.protocol_liquidation_fee_bps -= 100),
    ("enable borrow", |c| c.flags |= FLAG_BORROW_ENABLED),
    ("enable collateral", |c| c.flags |= FLAG_COLLATERAL_ENABLED),
    ("enable flash", |c| c.flags |= FLAG_FLASH_ENABLED),
    ("clear paused", |c| c.flags &= !FLAG_PAUSED),
    ("clear reduce-only", |c| c.flags &= !FLAG_REDUCE_ONLY),
    ("join an elevation group", |c| c.elevation_groups |= 1),
    ("leave an elevation group", |c| c.elevation_groups &= !2),
    ("change oracle account", |c| c.oracle.price_account = anchor_lang::prelude::Pubkey::new_unique()),
    ("change feed id", |c| c.oracle.feed_id = [0xee; 32]),
    ("widen oracle max age", |c| c.oracle.max_age_secs += 60),
    ("widen oracle max conf", |c| c.oracle.max_conf_bps += 100),
    ("widen oracle ema divergence", |c| c.oracle.max_ema_divergence_bps += 100),
    ("lower oracle conf multiplier", |c| c.oracle.conf_multiplier_bps -= 1_000),
    ("lower volatility haircut", |c| c.oracle.volatility_haircut_bps -= 1_000),
    ("widen the liquidation band", |c| c.oracle.liquidation_band_bps += 1_000),
    ("lengthen the insolvent auction", |c| c.insolvent_auction_secs += 60),
    ("shorten the insolvent auction", |c| c.insolvent_auction_secs -= 60),
    ("turn the insolvent auction off", |c| c.insolvent_auction_secs = 0),
    ("raise the target health", |c| c.liquidation_target_health_bps += 500),
    ("lower the target health", |c| c.liquidation_target_health_bps -= 500),
    ("cut less LTV in a turbulent regime", |c| c.regime_max_ltv_cut_bps -= 100),
    ("raise the regime's calm volatility", |c| c.regime_calm_vol_bps += 100),
    ("lower the regime's calm volatility", |c| c.regime_calm_vol_bps -= 100),
    ("raise the regime's turbulent volatility", |c| c.regime_turbulent_vol_bps += 100),
    ("lower the regime's turbulent volatility", |c| c.regime_turbulent_vol_bps -= 100),
    ("change the regime's half-life", |c| c.regime_half_life_mins += 1),
    ("turn the regime off", |c| {
        (c.regime_half_life_mins, c.regime_calm_vol_bps, c.regime_turbulent_vol_bps, c.regime_max_ltv_cut_bps, c.regime_max_rate_addon_bps) = (0, 0, 0, 0, 0);
    }),
];

/// A market already braked: in emergency, with a timelock and an outflow limit.
fn tight_market() -> MarketConfig {
    MarketConfig {
        dust_threshold_quote: 10,
        config_timelock_secs: TIMELOCK_SECS as u64,
        outflow_limit_quote: 1_000_000,
        outflow_window_secs: 3_600,
        close_factor_bps: 2_000,
        flags: MARKET_FLAG_EMERGENCY,
    }
}

const MARKET_LOOSENINGS: &[(&str, MarketEdit)] = &[
    ("leave emergency mode", |c| c.flags &= !MARKET_FLAG_EMERGENCY),
    ("shorten the timelock", |c| c.config_timelock_secs -= 1),
    ("raise the market outflow limit", |c| c.outflow_limit_quote += 1),
    ("shorten the market outflow window", |c| c.outflow_window_secs -= 1),
    ("lower the close factor", |c| c.close_factor_bps -= 1),
    ("lower the dust threshold", |c| c.dust_threshold_quote -= 1),
    ("raise the dust threshold", |c| c.dust_threshold_quote += 1),
    ("liquidate partially only", |c| c.flags |= MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY),
];

fn edited(mut c: ReserveConfig, edit: Edit) -> ReserveConfig {
    edit(&mut c);
    c
}

/// A context whose market has a one-hour timelock, with USDC to borrow and SOL as collateral.
async fn timelocked() -> (TestContext, ReserveInfo, ReserveInfo, User) {
    let config = MarketConfig { config_timelock_secs: TIMELOCK_SECS as u64, ..default_market_config() };
    let mut t = TestContext::with_market_config(config).await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 10.0).funded(&usdc, 100.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    (t, usdc, sol, alice)
}

// --- admin handover ---

#[tokio::test]
async fn accept_admin_fails_for_a_signer_other_than_the_proposed_admin() {
    let mut t = TestContext::new().await;
    let admin = t.admin.keypair.insecure_clone();
    let (next, mallory) = (Keypair::new(), Keypair::new());
    assert_error!(t, t.try_propose_admin(&mallory, mallory.pubkey()), BallastError::NotMarketAdmin);
    assert_error!(t, t.try_accept_admin(&next), BallastError::NotPendingAdmin); // nothing proposed yet
    t.try_propose_admin(&admin, next.pubkey()).await.unwrap();
    assert_eq!(t.market_state().await.pending_admin, next.pubkey());
    assert_error!(t, t.try_accept_admin(&mallory), BallastError::NotPendingAdmin);
    assert_error!(t, t.try_accept_admin(&admin), BallastError::NotPendingAdmin);
    assert_eq!(t.market_state().await.admin, admin.pubkey(), "a proposal alone changes nothing");
    t.assert_invariants().await;
}

#[tokio::test]
async fn accept_admin_succeeds_and_only_the_new_admin_acts_after() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).build().await;
    let old = t.admin.keypair.insecure_clone();
    let next = Keypair::new();
    t.try_propose_admin(&old, next.pubkey()).await.unwrap();
    t.try_accept_admin(&next).await.unwrap();
    let market = t.market_state().await;
    assert_eq!(market.admin, next.pubkey());
    assert_eq!(market.pending_admin, anchor_lang::prelude::Pubkey::default());

    let lower_cap = edited(t.reserve_config(&usdc).await, |c| c.deposit_limit = 1_000_000_000);
    assert_error!(t, t.try_update_reserve_config(&old, &usdc, lower_cap), BallastError::NotMarketAdmin);
    assert_error!(t, t.try_queue_reserve_config(&old, &usdc, lower_cap), BallastError::NotMarketAdmin);
    assert_error!(t, t.try_propose_admin(&old, old.pubkey()), BallastError::NotMarketAdmin);
    t.try_update_reserve_config(&next, &usdc, lower_cap).await.unwrap();
    assert_eq!(t.reserve_config(&usdc).await, lower_cap);
    t.assert_invariants().await;
}

// --- risk council: tighten at once ---

#[test_case(|c| c.flags |= FLAG_PAUSED ; "pause")]
#[test_case(|c| c.flags |= FLAG_REDUCE_ONLY ; "reduce-only")]
#[test_case(|c| c.flags &= !FLAG_BORROW_ENABLED ; "disable borrow")]
#[test_case(|c| c.deposit_limit = 1_000_000 ; "lower deposit cap")]
#[test_case(|c| c.borrow_limit = 0 ; "lower borrow cap")]
#[test_case(|c| { c.outflow_limit = 1_000_000; c.outflow_window_secs = 3_600 } ; "lower outflow limit")]
#[test_case(|c| c.isolated_debt_ceiling_micro_quote = 0 ; "lower isolated debt ceiling")]
#[test_case(|c| c.ltv_bps = 5_000 ; "lower ltv")]
#[tokio::test]
async fn tighten_reserve_config_succeeds_at_once(edit: Edit) {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).build().await;
    let council = t.risk_council.insecure_clone();
    let config = edited(t.reserve_config(&usdc).await, edit);
    t.try_tighten_reserve_config(&council, &usdc, config).await.unwrap();
    assert_eq!(t.reserve_config(&usdc).await, config);
    t.assert_invariants().await;
}

/// The brake bites on the next user action, with no timelock.
#[tokio::test]
async fn tighten_reserve_config_succeeds_and_lower_caps_and_ltv_bind_users() {
    let (mut t, usdc, sol, alice) = timelocked().await;
    let council = t.risk_council.insecure_clone();
    let sol_config = edited(t.reserve_config(&sol).await, |c| c.ltv_bps = 5_000);
    t.try_tighten_reserve_config(&council, &sol, sol_config).await.unwrap();
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(750.01)), BallastError::BorrowExceedsLtv);
    t.borrow(&alice, &usdc, usdc.amount(750.0)).await;

    let usdc_config = edited(t.reserve_config(&usdc).await, |c| c.deposit_limit = 0);
    t.try_tighten_reserve_config(&council, &usdc, usdc_config).await.unwrap();
    assert_error!(t, t.try_deposit(&alice, &usdc, 1), BallastError::DepositCapExceeded);
    t.assert_invariants().await;
}

#[tokio::test]
async fn tighten_market_config_succeeds_entering_emergency_mode() {
    let mut t = TestContext::new().await;
    let council = t.risk_council.insecure_clone();
    let config = MarketConfig { flags: MARKET_FLAG_EMERGENCY, outflow_limit_quote: 1_000_000, outflow_window_secs: 3_600, config_timelock_secs: 86_400, ..t.market_config().await };
    t.try_tighten_market_config(&council, config).await.unwrap();
    let market = t.market_config().await;
    assert!(market.has_flag(MARKET_FLAG_EMERGENCY));
    assert_eq!(market, config);
    t.assert_invariants().await;
}

#[tokio::test]
async fn tighten_reserve_config_fails_for_each_loosening() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).config(tight).build().await;
    let council = t.risk_council.insecure_clone();
    let current = t.reserve_config(&usdc).await;
    for (name, edit) in RESERVE_LOOSENINGS {
        eprintln!("loosening: {name}");
        assert_error!(t, t.try_tighten_reserve_config(&council, &usdc, edited(current, *edit)), BallastError::RiskCouncilCannotLoosen);
    }
    t.assert_invariants().await;
}

#[tokio::test]
async fn tighten_market_config_fails_for_each_loosening() {
    let mut t = TestContext::with_market_config(tight_market()).await;
    let council = t.risk_council.insecure_clone();
    for (name, edit) in MARKET_LOOSENINGS {
        eprintln!("loosening: {name}");
        let mut config = tight_market();
        edit(&mut config);
        assert_error!(t, t.try_tighten_market_config(&council, config), BallastError::RiskCouncilCannotLoosen);
    }
    t.assert_invariants().await;
}

/// Rates and fees are neither safer nor riskier, so they are the admin's: the council cannot touch them.
#[test_case(|c| c.curve[1].borrow_rate_bps += 1 ; "rate curve")]
#[test_case(|c| c.reserve_factor_bps += 1 ; "reserve factor")]
#[test_case(|c| c.insurance_factor_bps += 1 ; "insurance factor")]
#[test_case(|c| c.origination_fee_bps += 1 ; "origination fee")]
#[test_case(|c| c.flash_fee_bps += 1 ; "flash fee")]
#[test_case(|c| (c.regime_half_life_mins, c.regime_turbulent_vol_bps, c.regime_max_rate_addon_bps) = (60, 20_000, 100) ; "regime rate add-on")]
#[tokio::test]
async fn tighten_reserve_config_fails_to_reprice(edit: Edit) {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).build().await;
    let council = t.risk_council.insecure_clone();
    let repriced = edited(t.reserve_config(&usdc).await, edit);
    assert_error!(t, t.try_tighten_reserve_config(&council, &usdc, repriced), BallastError::RiskCouncilCannotReprice);
    // A rise waits the timelock (none in this market) but for a small curve step.
    let admin = t.admin.keypair.insecure_clone();
    t.try_queue_reserve_config(&admin, &usdc, repriced).await.unwrap();
    t.try_apply_pending_reserve_config(&usdc).await.unwrap();
    assert_eq!(t.reserve_config(&usdc).await, repriced);
    t.assert_invariants().await;
}

#[tokio::test]
async fn tighten_fails_for_a_signer_other_than_the_risk_council() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).build().await;
    let admin = t.admin.keypair.insecure_clone();
    let mallory = Keypair::new();
    let paused = edited(t.reserve_config(&usdc).await, |c| c.flags |= FLAG_PAUSED);
    let emergency = MarketConfig { flags: MARKET_FLAG_EMERGENCY, ..t.market_config().await };
    for signer in [&admin, &mallory] {
        assert_error!(t, t.try_tighten_reserve_config(signer, &usdc, paused), BallastError::NotRiskCouncil);
        assert_error!(t, t.try_tighten_market_config(signer, emergency), BallastError::NotRiskCouncil);
    }
    t.assert_invariants().await;
}

// --- admin: at once only when nothing loosens ---

#[tokio::test]
async fn update_reserve_config_fails_for_each_loosening() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).config(tight).build().await;
    let admin = t.admin.keypair.insecure_clone();
    let current = t.reserve_config(&usdc).await;
    for (name, edit) in RESERVE_LOOSENINGS {
        eprintln!("loosening: {name}");
        assert_error!(t, t.try_update_reserve_config(&admin, &usdc, edited(current, *edit)), BallastError::ConfigChangeLoosens);
    }
    t.assert_invariants().await;
}

#[tokio::test]
async fn update_market_config_fails_for_each_loosening_and_succeeds_tightening() {
    let mut t = TestContext::with_market_config(tight_market()).await;
    let admin = t.admin.keypair.insecure_clone();
    for (name, edit) in MARKET_LOOSENINGS {
        eprintln!("loosening: {name}");
        let mut config = tight_market();
        edit(&mut config);
        assert_error!(t, t.try_update_market_config(&admin, config), BallastError::ConfigChangeLoosens);
    }
    let longer = MarketConfig { config_timelock_secs: 2 * TIMELOCK_SECS as u64, close_factor_bps: 5_000, ..tight_market() };
    t.try_update_market_config(&admin, longer).await.unwrap();
    assert_eq!(t.market_config().await, longer);
    t.assert_invariants().await;
}

// --- timelock ---

/// Raising SOL's LTV from 80% to 84% lets alice borrow $1,250 against $1,500, but only after the timelock.
#[tokio::test]
async fn apply_pending_reserve_config_fails_before_the_timelock_and_succeeds_after() {
    let (mut t, usdc, sol, alice) = timelocked().await;
    let admin = t.admin.keypair.insecure_clone();
    let looser = edited(t.reserve_config(&sol).await, |c| c.ltv_bps = 8_400);
    assert_error!(t, t.try_update_reserve_config(&admin, &sol, looser), BallastError::ConfigChangeLoosens);
    t.try_queue_reserve_config(&admin, &sol, looser).await.unwrap();
    let state = t.reserve_state(&sol).await;
    assert_eq!((state.pending_config, state.pending_config_apply_ts), (looser, t.now + TIMELOCK_SECS));

    assert_error!(t, t.try_apply_pending_reserve_config(&sol), BallastError::TimelockNotElapsed);
    t.advance(TIMELOCK_SECS - 1).await;
    assert_error!(t, t.try_apply_pending_reserve_config(&sol), BallastError::TimelockNotElapsed);
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1_250.0)), BallastError::BorrowExceedsLtv);

    t.advance(1).await;
    t.try_apply_pending_reserve_config(&sol).await.unwrap(); // signed by neither admin nor council
    let state = t.reserve_state(&sol).await;
    assert_eq!(state.config, looser);
    assert_eq!(state.pending_config_apply_ts, 0);
    t.borrow(&alice, &usdc, usdc.amount(1_250.0)).await;
    t.assert_invariants().await;
}

#[tokio::test]
async fn apply_pending_reserve_config_fails_after_the_admin_cancels() {
    let (mut t, _usdc, sol, _alice) = timelocked().await;
    let admin = t.admin.keypair.insecure_clone();
    let council = t.risk_council.insecure_clone();
    let before = t.reserve_config(&sol).await;
    let looser = edited(before, |c| c.ltv_bps = 8_400);
    t.try_queue_reserve_config(&admin, &sol, looser).await.unwrap();
    let stranger = solana_keypair::Keypair::new();
    assert_error!(t, t.try_cancel_pending_reserve_config(&stranger, &sol), BallastError::NotAdminOrRiskCouncil);
    let _ = council;
    t.try_cancel_pending_reserve_config(&admin, &sol).await.unwrap();
    assert_error!(t, t.try_cancel_pending_reserve_config(&admin, &sol), BallastError::NoPendingConfig);
    t.advance(TIMELOCK_SECS).await;
    assert_error!(t, t.try_apply_pending_reserve_config(&sol), BallastError::NoPendingConfig);
    assert_eq!(t.reserve_config(&sol).await, before);
    t.assert_invariants().await;
}

#[tokio::test]
async fn queue_reserve_config_fails_while_a_change_is_pending() {
    let (mut t, _usdc, sol, _alice) = timelocked().await;
    let admin = t.admin.keypair.insecure_clone();
    let current = t.reserve_config(&sol).await;
    t.try_queue_reserve_config(&admin, &sol, edited(current, |c| c.ltv_bps = 8_400)).await.unwrap();
    let other = edited(current, |c| c.deposit_limit = 1);
    assert_error!(t, t.try_queue_reserve_config(&admin, &sol, other), BallastError::ConfigChangeAlreadyPending);
    assert_eq!(t.reserve_state(&sol).await.pending_config.ltv_bps, 8_400, "the first change stays queued");
    t.assert_invariants().await;
}

#[tokio::test]
async fn queue_reserve_config_fails_for_a_non_admin() {
    let (mut t, _usdc, sol, alice) = timelocked().await;
    let council = t.risk_council.insecure_clone();
    let looser = edited(t.reserve_config(&sol).await, |c| c.ltv_bps = 8_400);
    assert_error!(t, t.try_queue_reserve_config(&council, &sol, looser), BallastError::NotMarketAdmin);
    assert_error!(t, t.try_queue_reserve_config(&alice.keypair, &sol, looser), BallastError::NotMarketAdmin);
    t.assert_invariants().await;
}

#[test_case(|c| c.ltv_bps = 8_500, BallastError::LtvNotBelowThreshold ; "ltv at threshold")]
#[test_case(|c| c.max_liquidation_bonus_bps = 1_800, BallastError::ThresholdWithBonusTooHigh ; "threshold times bonus")]
#[test_case(|c| c.utilization_ceiling_bps = 10_001, BallastError::UtilizationCeilingInvalid ; "ceiling")]
#[test_case(|c| c.oracle.max_age_secs = 3_601, BallastError::OracleMaxAgeInvalid ; "oracle age")]
#[test_case(|c| c.oracle.max_ema_divergence_bps = 5_001, BallastError::OracleMaxDivergenceInvalid ; "oracle divergence")]
#[tokio::test]
async fn queue_reserve_config_fails_for_an_invalid_config_with_its_rule(edit: Edit, expected: BallastError) {
    let (mut t, _usdc, sol, _alice) = timelocked().await;
    let admin = t.admin.keypair.insecure_clone();
    let config = edited(t.reserve_config(&sol).await, edit);
    assert_error!(t, t.try_queue_reserve_config(&admin, &sol, config), expected);
    t.assert_invariants().await;
}

#[test_case(|c| c.close_factor_bps = 0, BallastError::CloseFactorInvalid ; "close factor")]
#[test_case(|c| c.flags = 1 << 3, BallastError::UnknownMarketFlags ; "flags")]
#[test_case(|c| c.config_timelock_secs = 30 * 86_400 + 1, BallastError::TimelockTooLong ; "timelock too long")]
#[tokio::test]
async fn queue_market_config_fails_for_an_invalid_config_with_its_rule(edit: MarketEdit, expected: BallastError) {
    let mut t = TestContext::with_market_config(tight_market()).await;
    let admin = t.admin.keypair.insecure_clone();
    let mut config = tight_market();
    edit(&mut config);
    assert_error!(t, t.try_queue_market_config(&admin, config), expected);
    t.assert_invariants().await;
}

/// The council's emergency can only be lifted through the timelock.
#[tokio::test]
async fn apply_pending_market_config_succeeds_leaving_emergency_after_the_timelock() {
    let (mut t, _usdc, _sol, _alice) = timelocked().await;
    let (admin, council) = (t.admin.keypair.insecure_clone(), t.risk_council.insecure_clone());
    let calm = t.market_config().await;
    t.try_tighten_market_config(&council, MarketConfig { flags: MARKET_FLAG_EMERGENCY, ..calm }).await.unwrap();
    assert_error!(t, t.try_update_market_config(&admin, calm), BallastError::ConfigChangeLoosens);
    assert_error!(t, t.try_queue_market_config(&council, calm), BallastError::NotMarketAdmin);
    t.try_queue_market_config(&admin, calm).await.unwrap();
    assert_error!(t, t.try_queue_market_config(&admin, calm), BallastError::ConfigChangeAlreadyPending);
    t.advance(TIMELOCK_SECS - 1).await;
    assert_error!(t, t.try_apply_pending_market_config(), BallastError::TimelockNotElapsed);
    t.advance(1).await;
    t.try_apply_pending_market_config().await.unwrap();
    let market = t.market_state().await;
    assert_eq!(market.config, calm);
    assert_eq!(market.pending_config_apply_ts, 0);
    assert_error!(t, t.try_apply_pending_market_config(), BallastError::NoPendingConfig);
    t.assert_invariants().await;
}

/// Partial liquidation only slows the unwinding of deep shortfalls, and lifting it lets a single call take a
/// whole position: either way a borrower's or a depositor's defence weakens, so both wait the timelock.
#[tokio::test]
async fn apply_pending_market_config_succeeds_clearing_partial_liquidation_only_after_the_timelock() {
    let (mut t, _usdc, _sol, _alice) = timelocked().await;
    let (admin, council) = (t.admin.keypair.insecure_clone(), t.risk_council.insecure_clone());
    let full = t.market_config().await;
    let partial = MarketConfig { flags: full.flags | MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY, ..full };
    assert_error!(t, t.try_tighten_market_config(&council, partial), BallastError::RiskCouncilCannotLoosen);
    t.try_queue_market_config(&admin, partial).await.unwrap();
    t.advance(TIMELOCK_SECS).await;
    t.try_apply_pending_market_config().await.unwrap();
    assert_eq!(t.market_config().await, partial);
    assert_error!(t, t.try_update_market_config(&admin, full), BallastError::ConfigChangeLoosens);
    assert_error!(t, t.try_tighten_market_config(&council, full), BallastError::RiskCouncilCannotLoosen);
    t.try_queue_market_config(&admin, full).await.unwrap();
    t.advance(TIMELOCK_SECS - 1).await;
    assert_error!(t, t.try_apply_pending_market_config(), BallastError::TimelockNotElapsed);
    assert_eq!(t.market_config().await, partial, "nothing applies early");
    t.advance(1).await;
    t.try_apply_pending_market_config().await.unwrap();
    assert_eq!(t.market_config().await, full);
    t.assert_invariants().await;
}

/// Shortening the timelock waits out the timelock in force, so it can never shortcut itself.
#[tokio::test]
async fn apply_pending_market_config_fails_to_shorten_the_timelock_early() {
    let (mut t, _usdc, _sol, _alice) = timelocked().await;
    let (admin, council) = (t.admin.keypair.insecure_clone(), t.risk_council.insecure_clone());
    let no_delay = MarketConfig { config_timelock_secs: 0, ..t.market_config().await };
    t.try_queue_market_config(&admin, no_delay).await.unwrap();
    t.advance(TIMELOCK_SECS - 1).await;
    assert_error!(t, t.try_apply_pending_market_config(), BallastError::TimelockNotElapsed);
    let stranger = solana_keypair::Keypair::new();
    assert_error!(t, t.try_cancel_pending_market_config(&stranger), BallastError::NotAdminOrRiskCouncil);
    t.try_cancel_pending_market_config(&council).await.unwrap(); // the council's brake
    t.advance(1).await;
    assert_error!(t, t.try_apply_pending_market_config(), BallastError::NoPendingConfig);
    assert_eq!(t.market_config().await.config_timelock_secs, TIMELOCK_SECS as u64);
    t.assert_invariants().await;
}

/// A pause in an incident must not be undone by a change queued before it: the pending change is dropped.
#[tokio::test]
async fn tighten_reserve_config_succeeds_and_drops_a_pending_loosening() {
    let (mut t, _usdc, sol, _alice) = timelocked().await;
    let (admin, council) = (t.admin.keypair.insecure_clone(), t.risk_council.insecure_clone());
    let current = t.reserve_config(&sol).await;
    t.try_queue_reserve_config(&admin, &sol, edited(current, |c| c.ltv_bps = 8_400)).await.unwrap();
    let paused = edited(current, |c| c.flags |= FLAG_PAUSED);
    t.try_tighten_reserve_config(&council, &sol, paused).await.unwrap();
    assert_eq!(t.reserve_state(&sol).await.pending_config_apply_ts, 0);
    t.advance(TIMELOCK_SECS).await;
    assert_error!(t, t.try_apply_pending_reserve_config(&sol), BallastError::NoPendingConfig);
    assert_eq!(t.reserve_config(&sol).await, paused);
    t.assert_invariants().await;
}

/// Markets created for tests may skip the delay: a queued change applies in the same second.
#[tokio::test]
async fn apply_pending_reserve_config_succeeds_at_once_with_a_zero_timelock() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).build().await;
    let admin = t.admin.keypair.insecure_clone();
    let looser = edited(t.reserve_config(&usdc).await, |c| c.flags |= FLAG_FLASH_ENABLED);
    t.try_queue_reserve_config(&admin, &usdc, looser).await.unwrap();
    t.try_apply_pending_reserve_config(&usdc).await.unwrap();
    assert_eq!(t.reserve_config(&usdc).await, looser);
    t.assert_invariants().await;
}
