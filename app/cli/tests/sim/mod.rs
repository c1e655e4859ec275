//! `ballast sim`: determinism, the baseline's exact differences, closed-form bad debt under both configs, the
//! native ledger equal to solana-program-test on a sampled path, the report and the CLI's own parser.
use ballast_cli::{
    sim::{self, baseline, scenario::Scenario, RunOptions},
    Cli,
};
use clap::Parser;

mod tune;

/// crash-60, cut down so a test runs it in seconds: `borrowers`, 3 suppliers, `hours`, `paths`.
fn small(borrowers: usize, hours: f64, paths: usize) -> Scenario {
    let mut s = Scenario::load("crash-60").unwrap();
    (s.population.borrowers, s.population.whales, s.population.suppliers, s.hours, s.paths) = (borrowers, 1, 3, hours, paths);
    s.population.entrants_per_hour = 1.0;
    s.shocks.retain(|shock| shock.hour < hours);
    s
}

fn serial(verify: usize) -> RunOptions {
    RunOptions { workers: 2, verify }
}

#[tokio::test]
async fn sim_succeeds_with_the_same_json_for_the_same_seed() {
    let s = small(6, 8.0, 2);
    let mut first = Vec::new();
    let report = sim::command(std::slice::from_ref(&s), serial(0), true, None, None, &mut first).await.unwrap();
    let mut second = Vec::new();
    sim::command(std::slice::from_ref(&s), RunOptions { workers: 1, verify: 0 }, true, None, None, &mut second).await.unwrap();
    let strip = |v: Vec<u8>| {
        let mut json: serde_json::Value = serde_json::from_slice(&v).unwrap();
        for r in json.as_array_mut().unwrap() {
            r["seconds"] = 0.into();
            r["workers"] = 0.into();
        }
        json
    };
    assert_eq!(strip(first), strip(second), "same seed, same numbers, whatever the threads");
    let r = &report[0];
    assert_eq!((r.ballast.len(), r.baseline.len()), (2, 2));
    assert!(r.ballast.iter().all(|p| p.times.len() == r.steps && p.debt_start > 0.0 && p.invariant_violations.is_empty()));
    assert!(r.measure("liquidations").ballast.mean > 0.0 && r.measure("liquidations").baseline.mean > 0.0);
    // Both configs started from the same positions at the same prices.
    for (a, b) in r.ballast.iter().zip(&r.baseline) {
        assert_eq!((a.debt_start, a.collateral_start), (b.debt_start, b.collateral_start));
        assert_eq!(a.prices[0], b.prices[0]);
    }
    let mut other = s.clone();
    other.seed += 1;
    let changed = sim::command(&[other], serial(0), true, None, None, &mut Vec::new()).await.unwrap();
    assert_ne!(changed[0].ballast[0].prices, r.ballast[0].prices, "another seed, another path");
}

/// The baseline changes exactly the named parameters, and the report lists each difference.
#[test]
fn spl_baseline_succeeds_changing_only_the_named_parameters() {
    let s = Scenario::load("bank-run").unwrap();
    let mut spec = s.market().clone();
    for r in &mut spec.reserves {
        (r.mint, r.price_account) = (Some(ballast_sdk::Pubkey::new_unique().to_string()), Some(ballast_sdk::Pubkey::new_unique().to_string()));
    }
    let base = baseline::spl_baseline(&spec);
    let json = |c: &ballast_sdk::ballast::state::ReserveConfig| ballast_sdk::idl_json::pod_to_json("ReserveConfig", c).unwrap();
    for (a, b) in spec.reserves.iter().zip(&base.reserves) {
        let (a, b) = (a.config().unwrap(), b.config().unwrap());
        let mut changed: Vec<String> = ballast_sdk::idl_json::diff(&json(&a), &json(&b)).into_iter().map(|d| d.0).collect();
        changed.sort();
        let named = [
            "insolvent_auction_secs",
            "liquidation_target_health_bps",
            "max_liquidation_bonus_bps",
            "min_liquidation_bonus_bps",
            "oracle.conf_multiplier_bps",
            "oracle.volatility_haircut_bps",
            "outflow_limit",
            "outflow_window_secs",
            "protocol_liquidation_fee_bps",
            "regime_calm_vol_bps",
            "regime_half_life_mins",
            "regime_max_ltv_cut_bps",
            "regime_max_rate_addon_bps",
            "regime_turbulent_vol_bps",
            "utilization_ceiling_bps",
        ];
        assert!(changed.iter().all(|c| named.contains(&c.as_str())), "{changed:?}");
        assert_eq!((b.regime_half_life_mins, b.regime_max_ltv_cut_bps, b.regime_max_rate_addon_bps), (0, 0, 0), "no volatility regime");
        assert_eq!((b.min_liquidation_bonus_bps, b.max_liquidation_bonus_bps, b.protocol_liquidation_fee_bps, b.insolvent_auction_secs), (500, 500, 0, 0));
        assert_eq!((b.oracle.conf_multiplier_bps, b.oracle.volatility_haircut_bps, b.outflow_window_secs, b.utilization_ceiling_bps), (0, 0, 0, 10_000));
    }
    let (a, b) = (spec.market.config(), base.market.config());
    assert_eq!((b.close_factor_bps, b.outflow_window_secs, b.dust_threshold_quote), (5_000, 0, 0));
    assert_eq!(a.config_timelock_secs, b.config_timelock_secs);
    assert_eq!(b.flags, a.flags | ballast_sdk::ballast::state::MARKET_FLAG_PARTIAL_LIQUIDATION_ONLY, "the one market flag the baseline adds");
    let listed: Vec<String> = baseline::differences(&spec).into_iter().map(|d| d.what).collect();
    for what in ["close factor (bps)", "dust threshold (quote)", "market outflow limit", "USDC liquidation bonus (bps)", "USDC protocol cut of the bonus (bps)", "USDC outflow limit", "full liquidation at health ≤ 0.95 (and dust rules)", "SOL volatility haircut (bps)", "SOL insolvent auction (s; 0 = max bonus at once)", "SOL volatility regime", "price feed", "withdrawal queue"] {
        assert!(listed.iter().any(|l| l == what), "{what} is not listed: {listed:?}");
    }
}

/// One borrower, no noise, an oracle with no lag and no confidence, SOL down 70% in one step, a keeper with
/// ample capital, no costs and a bottomless market: liquidations take all the collateral at the bonus, and the
/// rest of the debt is written off. Under the baseline, bad debt = debt − collateral·0.3 / 1.05; under Ballast
/// (full liquidation below 0.95, and the insolvent auction, with no protocol cut: at the gap, t = 360 s, the bonus
/// is zero, below the keeper's one bps of selling cost, so it starts the clock; at the next step, t = 600 s, 240
/// of the auction's 600 s have passed, the bonus is 5% × 240 / 600 = 2%, and the keeper takes it all)
/// debt − collateral·0.3 / 1.02.
#[tokio::test]
async fn sim_succeeds_with_the_closed_form_bad_debt_of_a_gap_crash_under_both_configs() {
    let calm = "oracle = { ema_half_life_secs = 0.0, base_conf_bps = 0.0, conf_vol_multiple = 0.0, latency_secs = 0.0 }";
    let text = format!(
        r#"
name = "gap"
description = "one borrower, a 70% gap"
hours = 1.0
step_secs = 600
paths = 1
seed = 1
[[asset]]
symbol = "USDC"
price = 1.0
{calm}
[[asset]]
symbol = "SOL"
price = 150.0
{calm}
[[asset]]
symbol = "VOLT"
price = 2.0
{calm}
[[shock]]
hour = 0.1
asset = "SOL"
pct = -70.0
turbulence_before_hours = 0.0
turbulence_after_hours = 0.0
fine_before_mins = 0.0
fine_after_mins = 0.0
[population]
borrowers = 1
debt = "USDC"
collateral = ["SOL"]
collateral_quote = [10000.0, 10000.0]
target_share = [0.9, 0.9]
topup_health = 0.0
topup_per_hour = 0.0
repay_share = 0.0
suppliers = 1
supply_multiple = 2.0
withdraw_utilization_bps = 10000
withdraw_per_hour = 0.0
withdraw_share = 0.0
[[keeper]]
capital_quote = 1000000.0
cost_bps = 0.0
turnover_secs = 1.0
"#
    );
    let s = Scenario::parse(&text, None).unwrap();
    let r = sim::run_scenario(&s, serial(1), &|| {}).await.unwrap();
    for (p, bonus) in [(&r.baseline[0], 0.05), (&r.ballast[0], 0.05 * 240.0 / 600.0)] {
        let expected = p.debt_start - p.collateral_start * 0.3 / (1.0 + bonus);
        assert!(p.debt_start > 6_000.0 && (p.collateral_start - 10_000.0).abs() < 1.0, "{p:?}");
        // An hour of interest at most, and rounding.
        assert!((p.bad_debt - expected).abs() < 1e-3 * expected, "bonus {bonus}: bad debt {} vs closed form {expected}; {} liquidations, volume {}, insolvent bonus {}", p.bad_debt, p.liquidations, p.liquidation_volume, p.bonus_insolvent);
        let covered: f64 = p.insurance_drawn.iter().chain(&p.depositor_loss).sum();
        assert!((covered - p.written_off).abs() < 1e-6 * expected.max(1.0));
        assert!(p.unrealized_bad_debt.abs() < 1e-6 && p.written_off == p.bad_debt, "all of it written off: {p:?}");
        assert!(p.liquidations >= 1 && (p.bonus_insolvent > 0.0) == (bonus > 0.0) && p.bonus_solvent == 0.0, "{p:?}");
    }
    // The protocol's cut of the bonus goes to the collateral reserve's (SOL's) fund, which covers no USDC debt:
    // both configs draw only USDC's fund, filled by interest (Ballast's a little more: its write-off comes one
    // step later).
    let (a, b) = (&r.ballast[0].insurance_drawn, &r.baseline[0].insurance_drawn);
    assert!(a[0] >= b[0] && b[0] > 0.0 && a[1..].iter().chain(&b[1..]).all(|x| *x == 0.0), "only USDC's fund drawn: {a:?} {b:?}");
    assert_eq!(r.verified.len(), 1, "the path also ran on solana-program-test, every account equal");
}

#[tokio::test]
async fn sim_succeeds_writing_the_report_and_every_chart_through_the_parser() {
    let dir = std::env::temp_dir().join(format!("ballast-sim-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let file = dir.with_extension("toml");
    let text = sim::scenario::BUILT_IN[0].1.replace("borrowers = 200", "borrowers = 5").replace("whales = 4", "whales = 1").replace("hours = 48.0", "hours = 8.0").replace("paths = 200", "paths = 2");
    std::fs::write(&file, text).unwrap();
    let cli = Cli::try_parse_from(["ballast", "sim", file.to_str().unwrap(), "--report", dir.to_str().unwrap(), "--verify", "0"]).unwrap();
    let mut out = Vec::new();
    sim::from_cli(&cli, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("ballast − baseline") && text.contains("9 files written"), "{text}");
    for chart in ["prices", "bad-debt", "liquidity", "queue"] {
        let svg = std::fs::read_to_string(dir.join(format!("crash-30-{chart}.svg"))).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("crash-30"), "{chart}.svg");
        let background = r##"<rect x="0" y="0" width="960" height="540" opacity="1" fill="#FFFFFF""##;
        assert!(svg.lines().nth(1).is_some_and(|l| l.starts_with(background)), "{chart}.svg starts on a white background");
        let png = std::fs::read(dir.join(format!("crash-30-{chart}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000, "{chart}.png: {} bytes", png.len());
    }
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    for needle in ["# Ballast stress report", "| bad debt |", "VaR95", "crash-30-prices.svg", "## The baseline", "Scenario definition", "[[shock]]"] {
        assert!(md.contains(needle), "{needle} missing from the report");
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&file);
}

#[tokio::test]
async fn sim_list_succeeds_through_the_parser_naming_the_standard_suite() {
    let cli = Cli::try_parse_from(["ballast", "sim", "--list"]).unwrap();
    let mut out = Vec::new();
    ballast_cli::sim::from_cli(&cli, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    for name in ["crash-30", "crash-60", "crash-85", "v-shape", "depeg", "drought", "bank-run"] {
        assert!(text.lines().any(|l| l.starts_with(name)), "{name} missing:\n{text}");
    }
    let cli = Cli::try_parse_from(["ballast", "sim", "no-such-scenario"]).unwrap();
    let err = ballast_cli::sim::from_cli(&cli, &mut Vec::new()).await.unwrap_err().to_string();
    assert!(err.contains("neither a built-in scenario"), "{err}");
}
