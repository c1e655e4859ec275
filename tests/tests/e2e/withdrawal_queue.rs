//! The FIFO withdrawal queue: depositors who cannot redeem queue their cTokens for a ticket, liquidity that
//! comes back is reserved for tickets ahead of new borrows and redeems, and a permissionless crank serves the
//! head ticket at the exchange rate of the fill.
use ballast::state::{TICKET_CANCELLED, TICKET_SET_ASIDE};
use ballast_tests::*;

/// USDC lends 10,000 (ceiling 95%); three lenders supply 3,000, 2,000 and 1,000 more; Alice pledges 200 SOL
/// ($30,000, $24,000 of borrow power).
async fn run_market() -> (TestContext, ReserveInfo, ReserveInfo, User, Vec<User>) {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(10_000.0).build().await;
    let sol = t.reserve(Asset::Sol).build().await;
    let alice = t.user().funded(&sol, 200.0).build().await;
    t.deposit_liquidity_and_collateral(&alice, &sol, sol.amount(200.0)).await;
    let mut lenders = vec![];
    for ui in [3_000.0, 2_000.0, 1_000.0] {
        let lender = t.user().funded(&usdc, ui).build().await;
        t.deposit(&lender, &usdc, usdc.amount(ui)).await;
        lenders.push(lender);
    }
    (t, usdc, sol, alice, lenders)
}

/// The ceiling exists to keep exits open, and a borrow checks it only with the liquidity present at the time.
/// Alice deposits 10,000 USDC, borrows 15,500 against SOL (beyond the 95% ceiling of the reserve as it was,
/// within that of the enlarged one) and redeems her deposit, all in one transaction: the redeem would leave
/// utilization at 96.9% and fails, and with it the whole transaction.
#[tokio::test]
async fn redeem_fails_past_the_utilization_ceiling_even_in_one_transaction() {
    let (mut t, usdc, _sol, alice, _lenders) = run_market().await;
    t.mint_to(&usdc.mint, &alice.liquidity(&usdc), usdc.amount(10_000.0), usdc.kind).await;
    let view = ballast_sdk::accounts::ReserveView { key: usdc.key, state: t.reserve_state(&usdc).await };
    let deposit = ballast_sdk::ix::deposit_liquidity(&alice.key(), &view, &alice.liquidity(&usdc), &alice.ctokens(&usdc), usdc.amount(10_000.0));
    let health = t.health_after_borrow(&alice, &usdc).await;
    let borrow = t.borrow_ix(&alice, &usdc, usdc.amount(15_500.0), health); // 15,500 of 26,001: within 95%
    let redeem = ballast_sdk::ix::redeem_collateral(&alice.key(), &view, &alice.liquidity(&usdc), &alice.ctokens(&usdc), usdc.amount(10_000.0));
    assert_error!(t, t.send(&[deposit.clone(), borrow.clone(), redeem], &[&alice.keypair]), BallastError::RedeemExceedsUtilizationCeiling);
    // Without the redeem the borrow is an ordinary one.
    t.send(&[deposit, borrow], &[&alice.keypair]).await.unwrap();
    t.assert_invariants().await;
}

/// A bank run: borrowers take the reserve near its ceiling, three lenders find they cannot redeem and queue in
/// turn. What is left under the ceiling, then each repayment, goes to the head ticket first (partly if need
/// be), ahead of new borrows, new redeems and liquidators' underlying payouts, never past the ceiling; the
/// queue drains strictly in order, each lender is paid at the exchange rate of its fills (interest included)
/// and nothing is lost.
#[tokio::test]
async fn fill_withdrawal_succeeds_draining_the_queue_in_order_through_a_bank_run() {
    let (mut t, usdc, sol, alice, lenders) = run_market().await;
    t.borrow(&alice, &usdc, usdc.amount(15_000.0)).await; // 15,000 of 16,001: 93.7%
    let [a, b, c] = [&lenders[0], &lenders[1], &lenders[2]];
    let deposited: Vec<u64> = vec![usdc.amount(3_000.0), usdc.amount(2_000.0), usdc.amount(1_000.0)];
    let held: Vec<u64> = {
        let mut v = vec![];
        for l in [a, b, c] {
            v.push(t.balance(&l.ctokens(&usdc)).await);
        }
        v
    };
    assert_error!(t, t.try_redeem(a, &usdc, held[0]), BallastError::InsufficientLiquidity);
    assert_error!(t, t.try_redeem(a, &usdc, usdc.amount(500.0)), BallastError::RedeemExceedsUtilizationCeiling);
    let seqs = [t.request_withdrawal(a, &usdc, held[0]).await, t.request_withdrawal(b, &usdc, held[1]).await, t.request_withdrawal(c, &usdc, held[2]).await];
    assert_eq!(seqs, [0, 1, 2]);
    assert_eq!(t.balance(&a.ctokens(&usdc)).await, 0, "queued cTokens leave the lender's account");
    let state = t.reserve_state(&usdc).await;
    assert_eq!(state.queued_ctokens, held.iter().sum::<u64>());

    // Only the head can be served. A fill is an outflow like a redeem: it takes what the ceiling leaves (15,000
    // borrowed needs 15,789.5 in the reserve at 95%: about 211.5 of the 1,001 USDC there), then waits.
    let view = ballast_sdk::accounts::ReserveView { key: usdc.key, state };
    let second = t.ticket(&usdc, 1).await.unwrap();
    assert_error!(t, t.send(&[ballast_sdk::ix::fill_withdrawal(&view, &second)], &[]), BallastError::WithdrawalTicketNotNext);
    t.try_fill_withdrawal(&usdc).await.unwrap();
    let paid_a = t.balance(&a.liquidity(&usdc)).await;
    assert!(paid_a > usdc.amount(211.0) && paid_a < usdc.amount(212.0), "{paid_a}");
    assert_error!(t, t.try_fill_withdrawal(&usdc), BallastError::FillWaitsForUtilizationCeiling);

    // Liquidity that comes back is the queue's: a new borrow and a new redeem are refused.
    t.advance(86_400).await;
    t.repay(&alice, &alice, &usdc, usdc.amount(3_000.0)).await;
    assert_error!(t, t.try_borrow(&alice, &usdc, usdc.amount(100.0)), BallastError::LiquidityReservedForWithdrawals);
    let newcomer = t.user().funded(&usdc, 100.0).build().await;
    t.deposit(&newcomer, &usdc, usdc.amount(100.0)).await;
    let minted = t.balance(&newcomer.ctokens(&usdc)).await;
    assert_error!(t, t.try_redeem(&newcomer, &usdc, minted), BallastError::LiquidityReservedForWithdrawals);

    // A finishes (a day of interest on top), then B starts; C waits.
    t.try_fill_withdrawal(&usdc).await.unwrap();
    assert!(t.ticket(&usdc, 0).await.is_none(), "a filled ticket closes");
    assert!(t.balance(&a.liquidity(&usdc)).await > deposited[0], "A earned interest while queued");
    t.try_fill_withdrawal(&usdc).await.unwrap();
    let b_partial = t.balance(&b.liquidity(&usdc)).await;
    assert!(b_partial > 0 && b_partial < deposited[1]);
    assert_eq!(t.balance(&c.liquidity(&usdc)).await, 0, "C is behind B");

    // A crash: a liquidator repays Alice's debt (all of it, at health 0.95), liquidity the queue takes next.
    t.set_price(&sol, 70.0); // 200 × 70 × 85% = $11,900 < $12,500
    let liquidator = t.user().funded(&usdc, 20_000.0).build().await;
    t.liquidate(&liquidator, &alice, &usdc, &sol).await;
    t.try_fill_withdrawal(&usdc).await.unwrap(); // B, from the liquidator's repayment
    if !t.obligation_state(&alice).await.active_borrows().is_empty() {
        t.repay(&alice, &alice, &usdc, u64::MAX).await;
    }
    while t.reserve_state(&usdc).await.queue_head < 3 {
        t.try_fill_withdrawal(&usdc).await.unwrap();
    }
    for (lender, deposit) in [a, b, c].into_iter().zip(&deposited) {
        assert!(t.balance(&lender.liquidity(&usdc)).await > *deposit, "every lender got back more than it put in");
    }
    let state = t.reserve_state(&usdc).await;
    assert_eq!((state.queue_head, state.queue_tail, state.queued_ctokens), (3, 3, 0));
    t.try_redeem(&newcomer, &usdc, minted).await.unwrap();
    t.assert_invariants().await;
}

/// Griefing the crank: Mallory queues a ticket paying an account she then closes, so any transfer to it fails
/// and the queue would stall behind her. The crank sets her ticket aside (it claims nothing more) and serves
/// the next one; her cTokens are hers to recover by cancelling. A ticket paying someone else's account is
/// refused at the start, cancelling twice fails, and only the owner may cancel.
#[tokio::test]
async fn fill_withdrawal_succeeds_setting_aside_a_ticket_whose_destination_is_closed() {
    let (mut t, usdc, _sol, alice, lenders) = run_market().await;
    let mallory = t.user().funded(&usdc, 500.0).build().await;
    t.deposit(&mallory, &usdc, usdc.amount(500.0)).await;
    t.borrow(&alice, &usdc, usdc.amount(15_500.0)).await;
    let ctokens = t.balance(&mallory.ctokens(&usdc)).await;
    let victim = &lenders[0];
    assert_error!(
        t,
        async { t.try_request_withdrawal_to(&mallory, &usdc, ctokens, &victim.liquidity(&usdc)).await.map(|_| ()) },
        BallastError::WithdrawalDestinationInvalid
    );
    assert_error!(t, async { t.try_request_withdrawal(&mallory, &usdc, 1).await.map(|_| ()) }, BallastError::WithdrawalTicketTooSmall);
    t.request_withdrawal(&mallory, &usdc, ctokens).await;
    let held = t.balance(&victim.ctokens(&usdc)).await;
    t.request_withdrawal(victim, &usdc, held).await;
    t.close_token_account(&mallory, &mallory.liquidity(&usdc), usdc.kind).await;

    t.try_fill_withdrawal(&usdc).await.unwrap();
    let aside = t.ticket(&usdc, 0).await.unwrap();
    assert_eq!(aside.status, TICKET_SET_ASIDE);
    assert_eq!(t.reserve_state(&usdc).await.set_aside_ctokens, ctokens);
    t.try_fill_withdrawal(&usdc).await.unwrap();
    assert!(t.balance(&victim.liquidity(&usdc)).await > 0, "the queue moved on to the victim");

    assert_error!(t, t.try_cancel_withdrawal(victim, &usdc, 0), BallastError::NotTicketOwner);
    t.try_cancel_withdrawal(&mallory, &usdc, 0).await.unwrap();
    assert_eq!(t.balance(&mallory.ctokens(&usdc)).await, ctokens, "every cToken back");
    assert!(t.ticket(&usdc, 0).await.is_none());
    t.assert_invariants().await;
}

/// A ticket further back cancels at once for its owner (cTokens minted back) but stays, cancelled, so the
/// queue keeps its order; the crank closes it when the queue reaches it, rent back to the owner.
#[tokio::test]
async fn cancel_withdrawal_succeeds_behind_the_head_and_the_crank_closes_it_later() {
    let (mut t, usdc, _sol, alice, lenders) = run_market().await;
    t.borrow(&alice, &usdc, usdc.amount(15_000.0)).await;
    let (a, b) = (&lenders[0], &lenders[1]);
    let (held_a, held_b) = (t.balance(&a.ctokens(&usdc)).await, t.balance(&b.ctokens(&usdc)).await);
    t.request_withdrawal(a, &usdc, held_a).await;
    t.request_withdrawal(b, &usdc, held_b).await;
    t.try_cancel_withdrawal(b, &usdc, 1).await.unwrap();
    assert_eq!(t.balance(&b.ctokens(&usdc)).await, held_b);
    assert_eq!(t.ticket(&usdc, 1).await.unwrap().status, TICKET_CANCELLED);
    assert_error!(t, t.try_cancel_withdrawal(b, &usdc, 1), BallastError::WithdrawalTicketCancelled);
    assert_eq!(t.reserve_state(&usdc).await.queued_ctokens, held_a, "B's cTokens claim nothing any more");

    t.repay(&alice, &alice, &usdc, u64::MAX).await;
    t.try_fill_withdrawal(&usdc).await.unwrap(); // A, in full
    let lamports = t.account(&b.key()).await.unwrap().lamports;
    t.try_fill_withdrawal(&usdc).await.unwrap(); // B's cancelled ticket: closed
    assert!(t.ticket(&usdc, 1).await.is_none());
    assert!(t.account(&b.key()).await.unwrap().lamports > lamports, "the rent went back to B");
    assert_eq!(t.reserve_state(&usdc).await.queue_head, 2);
    t.assert_invariants().await;
}

/// `request_withdrawal` names its reserve twice: in its vaults and at the top level, where the ticket's seeds
/// take it (so IDL-generated clients derive the ticket). A top-level reserve other than the vaults' is refused
/// with nothing moved, even with the ticket address derived from it.
#[tokio::test]
async fn request_withdrawal_fails_naming_another_reserve_for_the_ticket() {
    let (mut t, usdc, sol, alice, lenders) = run_market().await;
    t.borrow(&alice, &usdc, usdc.amount(15_000.0)).await;
    let lender = &lenders[0];
    let view = t.reserve_view(&usdc).await;
    let mut ix = ballast_sdk::ix::request_withdrawal(&lender.key(), &view, &lender.ctokens(&usdc), &lender.liquidity(&usdc), usdc.amount(3_000.0));
    let reserve_at = ix.accounts.iter().rposition(|m| m.pubkey == usdc.key).expect("the top-level reserve");
    let ticket_at = reserve_at + 1;
    assert_eq!(ix.accounts[ticket_at].pubkey, ballast_sdk::pda::ticket(&usdc.key, view.state.queue_tail));
    ix.accounts[reserve_at].pubkey = sol.key;
    ix.accounts[ticket_at].pubkey = ballast_sdk::pda::ticket(&sol.key, view.state.queue_tail);
    assert_error!(t, t.send(&[ix], &[&lender.keypair]), BallastError::WithdrawalReserveMismatch);
    // The SDK's instruction, unchanged, queues.
    t.request_withdrawal(lender, &usdc, usdc.amount(3_000.0)).await;
    t.assert_invariants().await;
}
