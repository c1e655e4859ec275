//! `ballast sim`: determinism, the baseline's differences, a closed-form bad debt, the CLI's own parser.
use ballast_cli::{
    sim::{self, path::spl_baseline, scenario::Scenario},
    Cli,
};
use clap::Parser;

/// crash-30, cut down so a test runs it in seconds.
fn small(borrowers: usize, steps: usize, paths: usize) -> Scenario {
    let mut s = Scenario::load("crash-30").unwrap();
    (s.population.borrowers, s.population.suppliers, s.steps, s.paths) = (borrowers, 3, steps, paths);
    s.shocks.retain(|shock| shock.step <= steps);
    s
}

#[tokio::test]
async fn sim_succeeds_with_the_same_json_for_the_same_seed() {
    let mut s = small(6, 8, 2);
    // A gap deep enough that both configs liquidate, so the comparison covers the keeper's decisions too.
    s.shocks.push(sim::prices::Shock { step: 3, asset: "SOL".into(), pct: -40.0 });
    let mut first = Vec::new();
    let report = sim::command(std::slice::from_ref(&s), true, None, &mut first).await.unwrap();
    let mut second = Vec::new();
    sim::command(std::slice::from_ref(&s), true, None, &mut second).await.unwrap();
    assert_eq!(String::from_utf8(first).unwrap(), String::from_utf8(second).unwrap(), "same seed, same numbers");
    let r = &report[0];
    assert_eq!((r.ballast.paths.len(), r.baseline.paths.len()), (2, 2));
    assert!(r.ballast.paths.iter().all(|p| p.utilization.len() == 8 && p.debt_start > 0.0 && p.invariant_violations.is_empty()));
    assert!(r.ballast.liquidations.mean > 0.0 && r.baseline.liquidations.mean > 0.0, "{:?} {:?}", r.ballast.liquidations, r.baseline.liquidations);
    // Both configs saw the same population at the same prices.
    let starts = |c: &sim::ConfigReport| c.paths.iter().map(|p| p.collateral_start.round()).collect::<Vec<_>>();
    assert_eq!(starts(&r.ballast), starts(&r.baseline));
    let mut other = s.clone();
    other.seed += 1;
    let mut third = Vec::new();
    let changed = sim::command(&[other], true, None, &mut third).await.unwrap();
    assert_ne!(changed[0].ballast.paths[0].lcr, r.ballast.paths[0].lcr, "another seed, another path");
}

/// The baseline changes exactly the named parameters: fixed 5% bonus, 50% close factor, no confidence band,
/// no volatility haircut, no outflow limiter.
#[test]
fn spl_baseline_succeeds_changing_only_the_named_parameters() {
    let mut spec = Scenario::load("crash-30").unwrap().market().clone();
    spec.market.outflow_limit_quote = Some(1_000_000);
    spec.market.outflow_window_secs = 3_600;
    for r in &mut spec.reserves {
        (r.mint, r.price_account) = (Some(ballast_sdk::Pubkey::new_unique().to_string()), Some(ballast_sdk::Pubkey::new_unique().to_string()));
        (r.outflow_limit, r.outflow_window_secs) = (Some(1_000.0), 3_600);
    }
    let base = spl_baseline(&spec);
    let json = |c: &ballast_sdk::ballast::state::ReserveConfig| ballast_sdk::idl_json::pod_to_json("ReserveConfig", c).unwrap();
    for (a, b) in spec.reserves.iter().zip(&base.reserves) {
        let (a, b) = (a.config().unwrap(), b.config().unwrap());
        let mut changed: Vec<String> = ballast_sdk::idl_json::diff(&json(&a), &json(&b)).into_iter().map(|d| d.0).collect();
        changed.sort();
        let named = ["max_liquidation_bonus_bps", "min_liquidation_bonus_bps", "oracle.conf_multiplier_bps", "oracle.volatility_haircut_bps", "outflow_limit", "outflow_window_secs"];
        assert!(changed.iter().all(|c| named.contains(&c.as_str())), "{changed:?}");
        assert_eq!((b.min_liquidation_bonus_bps, b.max_liquidation_bonus_bps, b.oracle.conf_multiplier_bps, b.oracle.volatility_haircut_bps, b.outflow_window_secs), (500, 500, 0, 0, 0));
    }
    let (a, b) = (spec.market.config(), base.market.config());
    assert_eq!((b.close_factor_bps, b.outflow_window_secs), (5_000, 0));
    assert_eq!((a.dust_threshold_quote, a.config_timelock_secs, a.flags), (b.dust_threshold_quote, b.config_timelock_secs, b.flags));
}

/// One borrower, no noise, SOL down 70% in one step, liquidators with ample capital and no costs: under the
/// baseline's fixed 5% bonus the liquidations repay collateral / 1.05, and the rest of the debt is written
/// off, insurance first, then depositors.
#[tokio::test]
async fn sim_succeeds_with_the_closed_form_bad_debt_of_a_gap_crash() {
    let text = r#"
name = "gap"
description = "one borrower, a 70% gap"
steps = 3
step_secs = 600
paths = 1
seed = 1
[[asset]]
symbol = "USDC"
price = 1.0
oracle = { base_conf_bps = 0.0, conf_per_move = 0.0, ema_period_steps = 0.0, stale_probability = 0.0, stale_steps = 0 }
[[asset]]
symbol = "SOL"
price = 150.0
oracle = { base_conf_bps = 0.0, conf_per_move = 0.0, ema_period_steps = 0.0, stale_probability = 0.0, stale_steps = 0 }
[[asset]]
symbol = "VOLT"
price = 2.0
oracle = { base_conf_bps = 0.0, conf_per_move = 0.0, ema_period_steps = 0.0, stale_probability = 0.0, stale_steps = 0 }
[[shock]]
step = 1
asset = "SOL"
pct = -70.0
[population]
borrowers = 1
suppliers = 1
debt = "USDC"
collateral = ["SOL"]
collateral_quote = [10000.0, 10000.0]
borrow_share = [0.9, 0.9]
supply_multiple = 2.0
topup_health = 0.0
topup_probability = 0.0
repay_share = 0.0
withdraw_utilization_bps = 10000
withdraw_probability = 0.0
withdraw_share = 0.0
[liquidators]
capital_quote = 1000000.0
depth_quote = 1000000000000.0
cost_bps = 0.0
"#;
    let s = Scenario::parse(text, None).unwrap();
    let report = sim::run_scenario(&s, &|| {}).await.unwrap();
    let p = &report.baseline.paths[0];
    let expected = p.debt_start - p.collateral_start * 0.3 / 1.05;
    assert!(p.debt_start > 6_000.0 && (p.collateral_start - 10_000.0).abs() < 1.0, "{p:?}");
    // Ten minutes of interest at most, and rounding.
    assert!((p.bad_debt - expected).abs() < 1e-3 * expected, "bad debt {} vs closed form {expected}", p.bad_debt);
    assert!((p.insurance_drawn + p.depositor_loss - p.written_off).abs() < 1e-6 * expected.max(1.0));
    assert!(p.unrealized_bad_debt.abs() < 1e-6 && p.written_off == p.bad_debt, "all of it written off: {p:?}");
    assert!(p.liquidations >= 1 && p.invariant_violations.is_empty());
}

#[tokio::test]
async fn sim_succeeds_writing_every_chart_as_svg_and_png_through_the_parser() {
    let dir = std::env::temp_dir().join(format!("ballast-sim-plots-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let file = dir.with_extension("toml");
    let text = sim::scenario::BUILT_IN[0].1.replace("borrowers = 40", "borrowers = 5").replace("steps = 48", "steps = 8").replace("paths = 4", "paths = 2");
    std::fs::write(&file, text).unwrap();
    let cli = Cli::try_parse_from(["ballast", "sim", file.to_str().unwrap(), "--out", dir.to_str().unwrap()]).unwrap();
    let mut out = Vec::new();
    sim::from_cli(&cli, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("6 charts (SVG and PNG)"), "{text}");
    for chart in ["prices", "bad-debt", "liquidity"] {
        let svg = std::fs::read_to_string(dir.join(format!("crash-30-{chart}.svg"))).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("crash-30"), "{chart}.svg");
        let background = r##"<rect x="0" y="0" width="960" height="540" opacity="1" fill="#FFFFFF""##;
        assert!(svg.lines().nth(1).is_some_and(|l| l.starts_with(background)), "{chart}.svg starts on a white background");
        let png = std::fs::read(dir.join(format!("crash-30-{chart}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000, "{chart}.png: {} bytes", png.len());
    }
    let prices = std::fs::read_to_string(dir.join("crash-30-prices.svg")).unwrap();
    assert!(prices.contains("SOL") && prices.contains("ballast liquidations"), "legend");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&file);
}

#[tokio::test]
async fn sim_list_succeeds_through_the_parser_naming_the_standard_suite() {
    let cli = Cli::try_parse_from(["ballast", "sim", "--list"]).unwrap();
    let mut out = Vec::new();
    ballast_cli::sim::from_cli(&cli, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    for name in ["crash-30", "crash-60", "crash-85", "depeg", "drought", "bank-run"] {
        assert!(text.lines().any(|l| l.starts_with(name)), "{name} missing:\n{text}");
    }
    let cli = Cli::try_parse_from(["ballast", "sim", "no-such-scenario"]).unwrap();
    let err = ballast_cli::sim::from_cli(&cli, &mut Vec::new()).await.unwrap_err().to_string();
    assert!(err.contains("neither a built-in scenario"), "{err}");
}
