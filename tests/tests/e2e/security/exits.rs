//! Defects 9, 10, 12 and 13: prices from the future are refused; a borrower can always add collateral; PDAs
//! someone pre-funded can still be created; and no stored config rule can block a repay or a liquidation.
use ballast::{constants::{MAX_LIQUIDATION_BONUS_BPS, MAX_PRICE_CLOCK_SKEW_SECS}, state::MARKET_FLAG_EMERGENCY};
use ballast_tests::*;

async fn borrower() -> (TestContext, ReserveInfo, ReserveInfo, User, User) {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).liquidity(100.0).build().await;
    let alice = t.user().funded(&sol, 12.0).build().await;
    let liquidator = t.user().funded(&usdc, 10_000.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    t.deposit(&alice, &sol, sol.amount(2.0)).await; // loose cTokens, held in her wallet
    t.borrow(&alice, &usdc, usdc.amount(1_100.0)).await;
    (t, usdc, sol, alice, liquidator)
}

/// A price published an hour ahead used to pass the age check (its age is negative) and stay usable an hour
/// longer. Only MAX_PRICE_CLOCK_SKEW_SECS of skew is forgiven.
#[tokio::test]
async fn borrow_fails_on_a_price_dated_beyond_the_clock_skew() {
    let (mut t, usdc, sol, alice, liquidator) = borrower().await;
    let ahead = prices::PriceSpec { publish_time: t.now + 3_600, frozen: true, ..t.price_spec(&sol) };
    t.set_price_spec(&sol, ahead);
    let e = BallastError::OraclePublishTimeInFuture;
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(1.0)), e);
    assert_error!(t, t.try_withdraw_collateral(&alice, &sol, sol.amount(0.1)), e);
    assert_error!(t, t.try_liquidate(&liquidator, &alice, &usdc, &sol, u64::MAX, 0, false), e);
    let skewed = prices::PriceSpec { publish_time: t.now + MAX_PRICE_CLOCK_SKEW_SECS, frozen: true, ..t.price_spec(&sol) };
    t.set_price_spec(&sol, skewed);
    t.borrow(&alice, &usdc, usdc.amount(1.0)).await;
    t.assert_invariants().await;
}

/// The council declares an emergency and SOL falls: Alice can no longer borrow or deposit, but she can pledge
/// the cTokens she already holds and pull her obligation out of liquidation.
#[tokio::test]
async fn deposit_collateral_succeeds_saving_a_position_in_emergency_mode() {
    let (mut t, usdc, sol, alice, liquidator) = borrower().await;
    let council = t.risk_council.insecure_clone();
    let mut config = t.market_config().await;
    config.flags |= MARKET_FLAG_EMERGENCY;
    t.try_tighten_market_config(&council, config).await.unwrap();
    t.set_price(&sol, 125.0); // 10 SOL × $125 × 85% = $1,062.5 < $1,101: liquidatable
    assert_error!(t, t.try_deposit_liquidity_and_collateral(&alice, &sol, sol.amount(1.0)), BallastError::MarketEmergencyMode);
    t.deposit_collateral(&alice, &sol, sol.amount(2.0)).await;
    assert_error!(t, t.try_liquidate(&liquidator, &alice, &usdc, &sol, u64::MAX, 0, false), BallastError::ObligationHealthy);
    t.assert_invariants().await;
}

/// Rent-exempt lamports sent to an obligation's address before its creation used to block that id forever
/// (Anchor 1.2's `init` asks for CreateAccountAllowPrefund, which this runtime refuses). Less than the account's
/// rent, or more, the address can still be created. (A system account holds at least 890,880 lamports.)
#[tokio::test]
async fn init_obligation_succeeds_on_a_pre_funded_address() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).build().await;
    let alice = t.user().funded(&usdc, 10.0).build().await;
    for (id, lamports) in [(1u8, 1_000_000u64), (2, 100_000_000), (3, 890_880)] {
        let address = obligation_address(&t.market, &alice.key(), id);
        t.airdrop(&address, lamports).await;
        t.init_obligation(&alice, id).await.unwrap();
        let account = t.account(&address).await.unwrap();
        assert_eq!((account.owner, account.data.len()), (ballast::ID, ballast::state::Obligation::SPACE));
        let obligation = t.obligation_at(&address).await.unwrap();
        assert_eq!((obligation.owner, obligation.id, obligation.market), (alice.key(), id, t.market));
    }
    // An address that is already a live obligation cannot be created again.
    assert!(t.init_obligation(&alice, 1).await.is_err());
    t.assert_invariants().await;
}

#[tokio::test]
async fn init_reserve_succeeds_on_pre_funded_addresses() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).prefunded(2_000_000).liquidity(1_000.0).build().await;
    let sol = t.reserve(Asset::Sol).prefunded(100_000_000).build().await;
    let alice = t.user().funded(&sol, 10.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(10.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(100.0)).await;
    assert_eq!(t.reserve_state(&usdc).await.available_liquidity, usdc.amount(1_001.0) - usdc.amount(100.0));
    t.assert_invariants().await;
}

/// A reserve whose stored config breaks today's rules (LTV above the threshold, a 50% bonus, a rate past the
/// bound, a 50% origination fee, a zero liquidation band, an unknown flag), as a program upgrade that tightens
/// validation would leave it. Repay and liquidation go on, within the program's bounds.
#[tokio::test]
async fn repay_and_liquidate_succeed_with_a_stored_config_that_breaks_a_rule() {
    let (mut t, usdc, sol, alice, liquidator) = borrower().await;
    for r in [&usdc, &sol] {
        t.overwrite_stored_config(r, |c| {
            c.ltv_bps = c.liquidation_threshold_bps + 100;
            c.max_liquidation_bonus_bps = 5_000;
            c.curve[2].borrow_rate_bps = u32::MAX;
            c.origination_fee_bps = 5_000;
            c.oracle.liquidation_band_bps = 0;
            c.flags |= 1 << 14;
        })
        .await;
        assert!(t.reserve_config(r).await.validate().is_err());
    }
    t.advance(60).await;
    t.repay(&alice, &alice, &usdc, usdc.amount(100.0)).await;
    t.set_price(&sol, 60.0);
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    // The bonus paid stays within the program's cap: seized value ≤ repaid value × 1.25.
    let repaid = 10_000.0 - t.balance(&liquidator.liquidity(&usdc)).await as f64 / 1e6;
    let seized = t.balance(&liquidator.ctokens(&sol)).await as f64 / 1e9 * 60.0;
    assert!(seized <= repaid * (1.0 + MAX_LIQUIDATION_BONUS_BPS as f64 / 10_000.0) + 1e-6, "{seized} for {repaid}");
    // The admin repairs the config through the queue (clearing an unknown flag is never at once).
    let admin = t.admin.keypair.insecure_clone();
    let repaired = default_config(sol.price_account, sol.feed_id);
    t.try_queue_reserve_config(&admin, &sol, repaired).await.unwrap();
    t.try_apply_pending_reserve_config(&sol).await.unwrap();
    t.assert_invariants().await;
}

/// A borrower who pledges a crumb of a reserve whose price is dead would make every liquidation of its
/// obligation fail on that price (a review found this opened by pledging under the breakers). Opening a
/// collateral position now needs a valid price; topping one up does not.
#[tokio::test]
async fn deposit_collateral_fails_opening_a_position_without_a_valid_price() {
    let (mut t, _usdc, sol, alice, _liquidator) = borrower().await;
    let btc = t.reserve(Asset::Btc).build().await;
    let mallory = t.user().funded(&btc, 0.01).funded(&sol, 1.0).build().await;
    t.deposit(&mallory, &btc, btc.amount(0.01)).await;
    t.deposit(&mallory, &sol, sol.amount(1.0)).await;
    t.freeze_price(&btc);
    t.advance(120).await; // BTC's price is now stale
    assert_error!(t, t.try_deposit_collateral(&mallory, &btc, 1), BallastError::OracleStale);
    let mut no_price = t.deposit_collateral_ix(&mallory, &btc, 1);
    no_price.accounts.pop();
    assert_error!(t, t.try_in_one_transaction(&mallory, &[no_price]), BallastError::NewCollateralPriceMissing);
    // Topping up an existing position needs no price: Alice adds SOL even with SOL's price stale too.
    t.freeze_price(&sol);
    t.advance(120).await;
    t.deposit_collateral(&alice, &sol, sol.amount(1.0)).await;
    t.assert_invariants().await;
}
