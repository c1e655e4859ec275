//! `ballast sim tune` through the CLI's parser: the grid runs on the real program, the frontier and the
//! recommendation come out, the recommended spec is written and goes through `ballast-migrate plan` and
//! `apply` like any other (a threshold change waits the timelock), and bad input is refused by name.
use ballast_cli::{sim, world, Cli};
use ballast_migrate::{apply, plan, Route, Spec, Step};
use ballast_sdk::{accounts::decode, ballast::state::Reserve, pda, invariants, Cluster, Signer};
use clap::Parser;

fn tune_cli(extra: &[&str]) -> Cli {
    let base = ["ballast", "--json", "sim", "tune", "--reserve", "SOL", "--scenarios", "crash-85", "--paths", "2", "--borrowers", "6"];
    Cli::try_parse_from(base.iter().chain(extra)).unwrap()
}

#[tokio::test]
async fn sim_tune_succeeds_recommending_a_spec_that_migrations_plan_and_apply() {
    let file = std::env::temp_dir().join(format!("ballast-tuned-{}.toml", std::process::id()));
    let grid = ["--ltv", "7000,1000", "--threshold-gap", "800,3000", "--max-bonus", "500", "--target-health", "0", "--regime-cut", "2000", "--min-capacity", "0.1"];
    let mut args: Vec<&str> = grid.to_vec();
    args.extend(["--write-spec", file.to_str().unwrap()]);
    let mut out = Vec::new();
    sim::from_cli(&tune_cli(&args), &mut out).await.unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let points = report["points"].as_array().unwrap();
    // 2 LTVs × 2 gaps, less 70% + 30 points (a threshold of 100%, refused by the program's rule), and the baseline.
    assert_eq!(points.len(), 4);
    let refused = report["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1);
    assert!(refused[0][1].as_str().unwrap().contains("ThresholdTooHigh: liquidation_threshold_bps must be below 10000"), "{refused:?}");
    assert!(points[3]["candidate"].is_null(), "the baseline is the last point");
    let capacity = |i: usize| points[i]["calm_capacity"].as_f64().unwrap();
    assert!(capacity(0) > 0.65 && capacity(1) < 0.1 && (capacity(3) - 0.7).abs() < 1e-9, "a lower LTV lends less in calm hours; the baseline lends its LTV");
    let current = report["current"].as_u64().unwrap() as usize;
    assert_eq!(points[current]["candidate"]["ltv_bps"], 7000);
    assert_eq!(points[current]["vs_current"]["mean"], 0.0, "paired with itself");
    let frontier: Vec<bool> = points[..3].iter().map(|p| p["on_frontier"].as_bool().unwrap()).collect();
    assert!(frontier.iter().any(|f| *f));
    // An 85% gap: at a 10% LTV nobody's SOL collateral falls below its debt, at 70% most does. Both 10% candidates
    // leave the same bad debt (VOLT's), so the one with the reserve's own gap wins: it changes less.
    let best = report["recommended"].as_u64().expect("a recommendation") as usize;
    assert_eq!((points[best]["candidate"]["ltv_bps"].as_u64(), points[best]["candidate"]["threshold_gap_bps"].as_u64()), (Some(1000), Some(800)));
    let bad_debt = |i: usize| points[i]["bad_debt"]["mean"].as_f64().unwrap();
    assert!(bad_debt(best) < bad_debt(current) / 10.0, "{} vs {}", bad_debt(best), bad_debt(current));
    assert!(points[current]["vs_least"]["lo"].as_f64().unwrap() > 0.0, "the current config is worse beyond the noise");
    let diff: Vec<&str> = report["spec_diff"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert_eq!(diff, ["- ltv_bps = 7000", "- liquidation_threshold_bps = 7800", "+ ltv_bps = 1000", "+ liquidation_threshold_bps = 1800"]);
    let plan_text = report["plan"].as_str().unwrap();
    assert!(plan_text.contains("reserve SOL config, queued") && plan_text.contains("ltv_bps: 7000 -> 1000"), "{plan_text}");

    // The written spec, with this market's mints filled in, plans and applies as the report said.
    let w = world::set_up(&mut Vec::new()).await.unwrap();
    let mut spec = Spec::load(&file).unwrap();
    for (r, live) in spec.reserves.iter_mut().zip(&w.spec.reserves) {
        (r.mint, r.price_account) = (live.mint.clone(), live.price_account.clone());
    }
    spec.market.keypair = w.spec.market.keypair.clone();
    let p = plan(&w.cluster, &spec, &w.market, &w.admin.pubkey()).await.unwrap();
    let routes: Vec<(String, Route)> = p.steps.iter().filter_map(|s| match s {
        Step::UpdateReserveConfig { symbol, route, .. } => Some((symbol.clone(), *route)),
        _ => None,
    }).collect();
    assert_eq!(routes, [("SOL".to_string(), Route::Queue)], "a threshold change never applies at once");
    apply(&w.cluster, &spec, &w.market_keypair, &w.admin).await.unwrap();
    let key = pda::reserve(&w.market, &w.mint("SOL"));
    let sol: Reserve = decode(&w.cluster.account(&key).await.unwrap().unwrap().data).unwrap();
    // The example market's timelock is 0: queued and applied in one transaction.
    assert_eq!((sol.config.ltv_bps, sol.config.liquidation_threshold_bps), (1000, 1800));
    assert!(plan(&w.cluster, &spec, &w.market, &w.admin.pubkey()).await.unwrap().is_empty(), "applied: nothing left to do");
    let snap = w.snapshot().await.unwrap();
    assert_eq!(invariants::check(&w.cluster, &snap).await.unwrap(), Vec::<String>::new());
    let _ = std::fs::remove_file(&file);
}

#[tokio::test]
async fn sim_tune_fails_for_a_reserve_the_market_lacks_or_no_paths() {
    let cli = Cli::try_parse_from(["ballast", "sim", "tune", "--reserve", "DOGE", "--scenarios", "crash-60"]).unwrap();
    let err = sim::from_cli(&cli, &mut Vec::new()).await.unwrap_err().to_string();
    assert!(err.contains("no reserve `DOGE`"), "{err}");
    let cli = Cli::try_parse_from(["ballast", "sim", "tune", "--reserve", "SOL", "--paths", "0"]).unwrap();
    let err = sim::from_cli(&cli, &mut Vec::new()).await.unwrap_err().to_string();
    assert!(err.contains("at least one scenario and one path"), "{err}");
    let cli = Cli::try_parse_from(["ballast", "sim", "tune", "--reserve", "SOL", "--min-capacity=-1"]).unwrap();
    let err = sim::from_cli(&cli, &mut Vec::new()).await.unwrap_err().to_string();
    assert!(err.contains("--min-capacity is a share"), "{err}");
    let cli = Cli::try_parse_from(["ballast", "sim", "tune", "--reserve", "SOL", "--scenarios", "crash-60,no-such"]).unwrap();
    let err = sim::from_cli(&cli, &mut Vec::new()).await.unwrap_err().to_string();
    assert!(err.contains("neither a built-in scenario"), "{err}");
}
