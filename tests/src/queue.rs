//! The withdrawal queue through the SDK's builders: request, cancel, fill, and reading tickets.
use crate::{context::User, reserves::ReserveInfo, TestContext};
use anchor_lang::prelude::Pubkey;
use ballast::{events::*, state::WithdrawalTicket};
use ballast_sdk::{accounts::ReserveView, ix, pda};
use solana_program_test::BanksClientError;

type TxResult = Result<(), BanksClientError>;

impl TestContext {
    /// The reserve as the SDK's builders take it, read from the bank now.
    pub async fn reserve_view(&mut self, r: &ReserveInfo) -> ReserveView {
        ReserveView { key: r.key, state: self.reserve_state(r).await }
    }

    /// `user` queues `ctoken_amount` of its cTokens, fills paying into its own liquidity account; returns the seq.
    pub async fn try_request_withdrawal(&mut self, user: &User, r: &ReserveInfo, ctoken_amount: u64) -> Result<u64, BanksClientError> {
        let destination = user.liquidity(r);
        self.try_request_withdrawal_to(user, r, ctoken_amount, &destination).await
    }

    /// `try_request_withdrawal` with fills paying into `destination`.
    pub async fn try_request_withdrawal_to(&mut self, user: &User, r: &ReserveInfo, ctoken_amount: u64, destination: &Pubkey) -> Result<u64, BanksClientError> {
        let view = self.reserve_view(r).await;
        let ix = ix::request_withdrawal(&user.key(), &view, &user.ctokens(r), destination, ctoken_amount);
        self.send(&[ix], &[&user.keypair]).await?;
        let seq = view.state.queue_tail;
        let e = self.emitted::<WithdrawalRequestedEvent>();
        let ticket = pda::ticket(&r.key, seq);
        assert_eq!(e, WithdrawalRequestedEvent { reserve: r.key, ticket, owner: user.key(), seq, ctoken_amount });
        Ok(seq)
    }

    pub async fn request_withdrawal(&mut self, user: &User, r: &ReserveInfo, ctoken_amount: u64) -> u64 {
        self.try_request_withdrawal(user, r, ctoken_amount).await.expect("request_withdrawal succeeds")
    }

    /// The owner cancels ticket `seq`, its cTokens minted back to its cToken account.
    pub async fn try_cancel_withdrawal(&mut self, user: &User, r: &ReserveInfo, seq: u64) -> TxResult {
        let view = self.reserve_view(r).await;
        let ticket = pda::ticket(&r.key, seq);
        let ix = ix::cancel_withdrawal(&user.key(), &view, &ticket, &user.ctokens(r));
        let before = self.balance(&user.ctokens(r)).await;
        self.send(&[ix], &[&user.keypair]).await?;
        let e = self.emitted::<WithdrawalCancelledEvent>();
        assert_eq!((e.reserve, e.ticket, e.seq), (r.key, ticket, seq));
        assert_eq!(e.ctoken_amount, self.balance(&user.ctokens(r)).await - before, "the unfilled cTokens come back");
        assert_eq!(e.closed, self.account(&ticket).await.is_none());
        Ok(())
    }

    /// The crank serves the head of `r`'s queue.
    pub async fn try_fill_withdrawal(&mut self, r: &ReserveInfo) -> TxResult {
        let view = self.reserve_view(r).await;
        let head = view.state.queue_head;
        let ticket = self.ticket(r, head).await.expect("a ticket at the head of the queue");
        let paid = self.balance(&ticket.destination).await;
        self.send(&[ix::fill_withdrawal(&view, &ticket)], &[]).await?;
        let e = self.emitted::<WithdrawalServedEvent>();
        assert_eq!((e.reserve, e.ticket, e.seq), (r.key, pda::ticket(&r.key, head), head));
        if !e.set_aside {
            assert_eq!(e.liquidity_amount, self.balance(&ticket.destination).await - paid);
        }
        Ok(())
    }

    /// Ticket `seq` of `r`, while it exists.
    pub async fn ticket(&mut self, r: &ReserveInfo, seq: u64) -> Option<WithdrawalTicket> {
        let account = self.account(&pda::ticket(&r.key, seq)).await?;
        (account.data.len() == WithdrawalTicket::SPACE).then(|| *bytemuck::from_bytes(&account.data[8..]))
    }

    /// Every ticket of `r` still open, in queue order.
    pub async fn tickets(&mut self, r: &ReserveInfo) -> Vec<WithdrawalTicket> {
        let tail = self.reserve_state(r).await.queue_tail;
        let mut out = vec![];
        for seq in 0..tail {
            if let Some(t) = self.ticket(r, seq).await {
                out.push(t);
            }
        }
        out
    }
}
