use super::super::{assert_invariants, reserve, run_cli, seeded};
use ballast_sdk::Cluster;

#[tokio::test]
async fn events_succeeds_listing_the_markets_deposits_and_borrows_with_their_fields() {
    let (w, borrowers) = seeded(&[0.5]).await;
    let market = w.market.to_string();
    let obligation = borrowers[0].1.to_string();
    let text = run_cli(&w, &w.admin, &["events", "--market", &market, "--json"]).await.unwrap();
    let rows: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    let rows = rows.as_array().unwrap();
    let of = |name: &str| rows.iter().filter(|r| r["event"] == name).collect::<Vec<_>>();
    let borrow = of("BorrowEvent");
    assert_eq!(borrow.len(), 1, "one borrow: {rows:?}");
    assert_eq!(borrow[0]["fields"]["obligation"], obligation.as_str());
    let snap = w.snapshot().await.unwrap();
    let usdc = reserve(&snap, &w, "USDC");
    assert_eq!(borrow[0]["fields"]["reserve"], usdc.key.to_string());
    assert!(borrow[0]["fields"]["liquidity_amount"].as_u64().unwrap() > 0);
    assert!(borrow[0]["signature"].as_str().unwrap().len() > 60 && borrow[0]["slot"].is_u64());
    assert!(!of("DepositEvent").is_empty() && !of("CollateralInEvent").is_empty() && !of("ReserveInitializedEvent").is_empty());
    // Newest first: the borrow came after every deposit of its borrower.
    let position = |name: &str| rows.iter().position(|r| r["event"] == name).unwrap();
    assert!(position("BorrowEvent") < position("ReserveInitializedEvent"));

    let only = run_cli(&w, &w.admin, &["events", "--market", &market, "--kind", "Borrow"]).await.unwrap();
    assert_eq!(only.lines().count(), 1, "{only}");
    assert!(only.contains("BorrowEvent") && only.contains(&format!("obligation={obligation}")), "{only}");
    let err = run_cli(&w, &w.admin, &["events", "--market", &market, "--kind", "Nope"]).await.unwrap_err();
    assert!(err.to_string().contains("not a Ballast event"), "{err}");
    assert_invariants(&w).await;
}

#[tokio::test]
async fn reserve_show_succeeds_reporting_the_price_the_refresh_crank_cached() {
    let (w, _) = seeded(&[]).await;
    let snap = w.snapshot().await.unwrap();
    let sol = reserve(&snap, &w, "SOL");
    assert!(show(&w, &sol.key.to_string()).await["cached_price"].is_null(), "nothing cached before the first refresh");
    w.cluster.send(&[ballast_sdk::ix::refresh_reserve(&sol)], &[]).await.unwrap();
    let shown = show(&w, &sol.key.to_string()).await;
    let cached = shown["cached_price"]["price"].as_f64().unwrap();
    assert!((cached - shown["price"].as_f64().unwrap()).abs() < 1e-9, "the crank cached the spot price: {shown}");
    assert_eq!(shown["cached_price"]["age_secs"], 0);
    let refreshed = run_cli(&w, &w.admin, &["events", "--market", &w.market.to_string(), "--kind", "ReserveRefreshed"]).await.unwrap();
    assert!(refreshed.contains(&format!("reserve={}", sol.key)), "{refreshed}");
    assert_invariants(&w).await;
}

async fn show(w: &ballast_cli::world::World, reserve: &str) -> serde_json::Value {
    let text = run_cli(w, &w.admin, &["reserve", "show", "--reserve", reserve, "--json"]).await.unwrap();
    serde_json::from_str(text.trim()).unwrap()
}
