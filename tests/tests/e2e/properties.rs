//! Property tests over real transactions: fewer cases than pure-math properties, each a full bank.
use ballast_tests::*;
use proptest::prelude::*;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, .. ProptestConfig::default() })]

    /// First-depositor attack: the attacker deposits a little and donates a lot straight into the vault.
    /// Donations are not accounting, so the victim loses at most rounding dust and the attacker gains nothing.
    #[test]
    fn deposit_succeeds_without_loss_after_a_donation_attack(attack in 1u64..1_000_000, donation in 1u64..1_000_000_000_000, victim in 1u64..1_000_000_000_000) {
        block_on(async {
            let mut t = TestContext::new().await;
            let usdc = t.reserve(Asset::Usdc).build().await;
            let mallory = t.user().funded(&usdc, 1_000_001.0).build().await;
            let victor = t.user().funded(&usdc, 1_000_000.0).build().await;
            t.deposit(&mallory, &usdc, attack).await;
            t.donate(&mallory, &usdc, donation).await;
            t.deposit(&victor, &usdc, victim).await;
            let minted = t.balance(&victor.ctokens(&usdc)).await;
            t.redeem(&victor, &usdc, minted).await;
            let victor_back = t.balance(&victor.liquidity(&usdc)).await;
            assert!(victor_back + 1 >= usdc.amount(1_000_000.0), "victim lost more than dust");
            let mallory_ctokens = t.balance(&mallory.ctokens(&usdc)).await;
            let before = t.balance(&mallory.liquidity(&usdc)).await;
            t.redeem(&mallory, &usdc, mallory_ctokens).await;
            assert!(t.balance(&mallory.liquidity(&usdc)).await - before <= attack, "attacker profited");
            t.assert_invariants().await;
        });
    }

    /// Repeated tiny deposit/redeem cycles never return more than went in.
    #[test]
    fn redeem_never_returns_more_than_deposited_over_tiny_cycles(amount in 1u64..5_000, cycles in 1usize..6, borrowed in 0u64..5_000_000) {
        block_on(async {
            let mut t = TestContext::new().await;
            let usdc = t.reserve(Asset::Usdc).liquidity(10.0).build().await;
            let sol = t.reserve(Asset::Sol).build().await;
            // Interest moves the exchange rate off 1:1 so rounding matters.
            if borrowed > 0 {
                let bob = t.user().funded(&sol, 10.0).build().await;
                t.deposit_liquidity_and_collateral(&bob, &sol, sol.amount(10.0)).await;
                t.borrow(&bob, &usdc, borrowed).await;
                t.advance(10 * 86_400).await;
            }
            let alice = t.user().funded(&usdc, 1.0).build().await;
            let start = t.balance(&alice.liquidity(&usdc)).await;
            for _ in 0..cycles {
                if t.try_deposit(&alice, &usdc, amount).await.is_err() {
                    continue; // rounds to zero cTokens: rejected, nothing moves
                }
                let ctokens = t.balance(&alice.ctokens(&usdc)).await;
                let _ = t.try_redeem(&alice, &usdc, ctokens).await;
            }
            let ctokens = t.balance(&alice.ctokens(&usdc)).await;
            let value: f64 = {
                let r = t.reserve_state(&usdc).await;
                if ctokens == 0 { 0.0 } else { r.ctokens_to_liquidity(ctokens).unwrap().to_num() }
            };
            let end = t.balance(&alice.liquidity(&usdc)).await;
            assert!(end as f64 + value <= start as f64 + 1e-9, "cycles extracted value: {start} -> {end} + {value}");
            t.assert_invariants().await;
        });
    }

    /// Repeated tiny borrow/repay cycles, with or without time passing, never leave the borrower ahead.
    #[test]
    fn repay_always_returns_at_least_what_was_borrowed(amount in 1u64..5_000, cycles in 1usize..6, gap_secs in 0i64..120) {
        block_on(async {
            let mut t = TestContext::new().await;
            let usdc = t.reserve(Asset::Usdc).liquidity(1_000.0).build().await;
            let sol = t.reserve(Asset::Sol).build().await;
            let alice = t.user().funded(&sol, 1.0).funded(&usdc, 1.0).build().await;
            t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(1.0)).await;
            let start = t.balance(&alice.liquidity(&usdc)).await;
            for _ in 0..cycles {
                t.borrow(&alice, &usdc, amount).await;
                t.advance(gap_secs).await;
                t.repay(&alice, &alice, &usdc, u64::MAX).await;
            }
            assert!(t.balance(&alice.liquidity(&usdc)).await <= start);
            assert!(t.obligation_state(&alice).await.active_borrows().is_empty());
            t.assert_invariants().await;
        });
    }
}
