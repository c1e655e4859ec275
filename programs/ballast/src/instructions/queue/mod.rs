//! The withdrawal queue (docs/risk.md, "Withdrawal queue"): request a ticket, cancel it, and the permissionless crank
//! that serves the head of the queue.
pub mod cancel_withdrawal;
pub mod fill_withdrawal;
pub mod request_withdrawal;

pub use cancel_withdrawal::*;
pub use fill_withdrawal::*;
pub use request_withdrawal::*;

use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::{
    extension::{memo_transfer::MemoTransfer, BaseStateWithExtensions, StateWithExtensions},
    state::{Account, AccountState},
};

/// Whether a fill can pay into `destination`: a live token account of `token_program`, of `mint`, owned by
/// `owner`, not frozen, and not demanding a memo on incoming transfers (a Token-2022 account extension its
/// owner may turn on at any time). Anything else would make the transfer fail and stall the queue, so such a
/// ticket is set aside instead.
pub fn destination_usable(destination: &AccountInfo, token_program: &Pubkey, mint: &Pubkey, owner: &Pubkey) -> bool {
    if destination.owner != token_program {
        return false;
    }
    let Ok(data) = destination.try_borrow_data() else { return false };
    let Ok(state) = StateWithExtensions::<Account>::unpack(&data) else { return false };
    let base = &state.base;
    let memo_required = state.get_extension::<MemoTransfer>().is_ok_and(|m| bool::from(m.require_incoming_transfer_memos));
    base.mint == *mint && base.owner == *owner && base.state == AccountState::Initialized && !memo_required
}
