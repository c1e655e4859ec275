//! Multi-step and market-wide liquidation: each step checked against the formulas, computed here in f64.
use crate::liquidation::{bonus, seized};
use ballast_tests::*;

/// Value of an obligation in quote at the given prices, with every exchange rate at 1 (no time passes).
fn health(t_obligation: &ballast::state::Obligation, book: &[(&ReserveInfo, f64)]) -> (f64, f64, f64) {
    let find = |key| book.iter().find(|(r, _)| r.key == key).unwrap();
    let mut weighted = 0.0;
    let mut collateral = 0.0;
    let mut debt = 0.0;
    for d in t_obligation.active_deposits() {
        let (r, price) = find(d.reserve);
        let value = d.ctoken_amount as f64 / 10f64.powi(r.decimals as i32) * price;
        collateral += value;
        weighted += value * 0.85;
    }
    for b in t_obligation.active_borrows() {
        let (r, price) = find(b.reserve);
        debt += b.borrowed_sf.get().to_num::<f64>() / 10f64.powi(r.decimals as i32) * price;
    }
    (weighted / debt, collateral, debt)
}

/// Three collateral assets and two debts, 9.7% under water after a broad drop: a liquidator works the
/// largest debt against the largest collateral, step by step, until the obligation is healthy again.
#[tokio::test]
async fn liquidate_succeeds_in_steps_across_three_collaterals_and_two_debts() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(20_000.0).build().await;
    let usdt = t.reserve(Asset::Custom("USDT", 6, 1.0)).liquidity(20_000.0).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let btc = t.reserve(Asset::Btc).build().await;
    let eth = t.reserve(Asset::Custom("ETH", 8, 3_000.0)).build().await;
    let alice = t.user().funded(&sol, 10.0).funded(&btc, 0.05).funded(&eth, 0.5).build().await;
    let liquidator = t.user().funded(&usdc, 10_000.0).funded(&usdt, 10_000.0).build().await;
    for (r, ui) in [(&sol, 10.0), (&btc, 0.05), (&eth, 0.5)] {
        t.deposit_liquidity_and_collateral(&alice, r, r.amount(ui)).await;
    }
    t.borrow(&alice, &usdc, usdc.amount(2_400.0)).await;
    t.borrow(&alice, &usdt, usdt.amount(2_400.0)).await;

    // $6,000 of collateral falls to $5,421: health 0.96.
    let drop = 5_421.0 / 6_000.0;
    let prices = [(&usdc, 1.0), (&usdt, 1.0), (&sol, 150.0 * drop), (&btc, 60_000.0 * drop), (&eth, 3_000.0 * drop)];
    for (r, p) in prices {
        t.set_price(r, p);
    }
    let mut steps = 0;
    loop {
        let obligation = t.obligation_state(&alice).await;
        let (h, _, debt_value) = health(&obligation, &prices);
        if h >= 1.0 {
            break;
        }
        // Largest debt, largest collateral.
        let value = |key: anchor_lang::prelude::Pubkey, amount: f64| {
            let (r, p) = prices.iter().find(|(r, _)| r.key == key).unwrap();
            amount / 10f64.powi(r.decimals as i32) * p
        };
        let debt = obligation.active_borrows().iter().max_by(|a, b| {
            value(a.reserve, a.borrowed_sf.get().to_num()).total_cmp(&value(b.reserve, b.borrowed_sf.get().to_num()))
        }).unwrap();
        let coll = obligation.active_deposits().iter().max_by(|a, b| {
            value(a.reserve, a.ctoken_amount as f64).total_cmp(&value(b.reserve, b.ctoken_amount as f64))
        }).unwrap();
        let (repay_r, withdraw_r) = (t.reserve_by_key(&debt.reserve).clone(), t.reserve_by_key(&coll.reserve).clone());
        let withdraw_price = prices.iter().find(|(r, _)| r.key == withdraw_r.key).unwrap().1;
        let position_value = value(debt.reserve, debt.borrowed_sf.get().to_num());
        let repay_value = (debt_value * 0.2).min(position_value);

        let paid_before = t.balance(&liquidator.liquidity(&repay_r)).await;
        let got_before = t.balance(&liquidator.ctokens(&withdraw_r)).await;
        let insurance_before: f64 = t.reserve_state(&withdraw_r).await.insurance_fund_sf.get().to_num();
        t.liquidate(&liquidator, &alice, &repay_r, &withdraw_r).await;

        let repaid = (paid_before - t.balance(&liquidator.liquidity(&repay_r)).await) as f64 / 1e6;
        assert!((repaid - repay_value).abs() <= 1.01e-6, "step {steps}: repaid {repaid}, expected {repay_value}");
        let (want_seized, want_fee) = seized(repay_value, h, withdraw_price, withdraw_r.decimals as i32);
        let got = (t.balance(&liquidator.ctokens(&withdraw_r)).await - got_before) as f64;
        let fee = t.reserve_state(&withdraw_r).await.insurance_fund_sf.get().to_num::<f64>() - insurance_before;
        assert!((got + fee - want_seized).abs() <= 2.0, "step {steps}: seized {} vs {want_seized}", got + fee);
        assert!((fee - want_fee).abs() <= 2.0, "step {steps}: fee {fee} vs {want_fee} (bonus {})", bonus(h));
        steps += 1;
        assert!(steps < 10, "liquidation must converge");
    }
    assert!(steps >= 2, "took {steps} steps");
    assert_error!(t, t.try_liquidate(&liquidator, &alice, &usdc, &sol, u64::MAX, 0, false), BallastError::ObligationHealthy);
    t.assert_invariants().await;
}

/// 20 obligations at different leverage, a 60% crash, and a liquidator looping until nothing is
/// liquidatable; bad debt is then socialized. Every liquidation must be profitable at the crash price.
#[tokio::test]
async fn liquidation_cascade_succeeds_after_a_sixty_percent_crash() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(50_000.0).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let liquidator = t.user().funded(&usdc, 200_000.0).build().await;
    let mut users = vec![];
    for i in 0..20 {
        let user = t.user().funded(&sol, 10.0).build().await;
        t.deposit_liquidity_and_collateral(&user, &sol, sol.amount(10.0)).await;
        let leverage = 0.30 + 0.025 * i as f64; // 30% .. 77.5% of collateral value
        t.borrow(&user, &usdc, usdc.amount((1_500.0 * leverage).floor())).await;
        users.push(user);
    }
    t.set_price(&sol, 60.0);

    let mut liquidations = 0;
    for user in &users {
        loop {
            let paid_before = t.balance(&liquidator.liquidity(&usdc)).await;
            let got_before = t.balance(&liquidator.ctokens(&sol)).await;
            let result = t.try_liquidate(&liquidator, user, &usdc, &sol, u64::MAX, 0, false).await;
            match program_error_code(&result) {
                None => {}
                Some(code) if code == u32::from(BallastError::ObligationHealthy) => break,
                Some(code) if code == u32::from(BallastError::DepositPositionNotFound) => break,
                // Repaid in full: the bonus never exceeds the cushion, so a solvent obligation clears.
                Some(code) if code == u32::from(BallastError::BorrowPositionNotFound) => break,
                Some(code) => panic!("unexpected error {code}: {result:?}"),
            }
            let paid = (paid_before - t.balance(&liquidator.liquidity(&usdc)).await) as f64 / 1e6;
            let received = (t.balance(&liquidator.ctokens(&sol)).await - got_before) as f64 / 1e9 * 60.0;
            assert!(received - paid > 0.0, "liquidation {liquidations} lost money: paid {paid}, got {received}");
            liquidations += 1;
        }
    }
    assert!(liquidations >= 15, "{liquidations} liquidations");

    let mut socialized = 0;
    for user in &users {
        let o = t.obligation_state(user).await;
        if o.active_deposits().is_empty() && !o.active_borrows().is_empty() {
            t.try_socialize_bad_debt(user, &usdc).await.unwrap();
            socialized += 1;
        }
    }
    for user in &users {
        let o = t.obligation_state(user).await;
        if !o.active_borrows().is_empty() {
            let (h, _, _) = health(&o, &[(&usdc, 1.0), (&sol, 60.0)]);
            assert!(h >= 1.0, "an obligation is still liquidatable: {h}");
        }
    }
    // Only the obligations insolvent at $60, or with a cushion below the 2% minimum bonus (debt × 1.02 above
    // their $600 of collateral), leave bad debt; every other one is cleared on both sides.
    let short = (0..20).filter(|i| (1_500.0 * (0.30 + 0.025 * *i as f64)).floor() * 1.02 > 600.0).count();
    assert_eq!(socialized, short, "an obligation with a cushion is never liquidated into bad debt");
    println!("cascade: {liquidations} liquidations, {socialized} bad debts socialized");
    t.assert_invariants().await;
}

/// A reserve on both sides: SOL borrowed against SOL turns unhealthy through interest alone.
#[tokio::test]
async fn liquidate_succeeds_with_one_reserve_on_both_sides() {
    let mut t = TestContext::new().await;
    let sol = t.reserve(Asset::Sol).liquidity(100.0).config(|c| c.utilization_ceiling_bps = 10_000).build().await;
    let alice = t.user().funded(&sol, 10.0).build().await;
    let liquidator = t.user().build().await;
    t.mint_to(&sol.mint, &liquidator.liquidity(&sol), sol.amount(10.0), sol.kind).await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    t.borrow(&alice, &sol, sol.amount(8.0)).await;
    t.advance(3 * 31_536_000).await; // 3 years at ~7% on an 8/111 utilization... until debt > 8.5 SOL
    let mut years = 3;
    while t.try_liquidate(&liquidator, &alice, &sol, &sol, u64::MAX, 0, true).await.is_err() {
        t.advance(31_536_000).await;
        years += 1;
        assert!(years < 60, "interest never made the obligation liquidatable");
    }
    assert!(t.balance(&liquidator.liquidity(&sol)).await > 0, "paid in SOL from the same reserve");
    t.assert_invariants().await;
}
