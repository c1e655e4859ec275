//! Zero-copy account layouts and their small methods. Sizes are pinned at compile time.
pub mod config;
pub mod market;
pub mod obligation;
pub mod outflow;
pub mod reserve;
pub mod ticket;

pub use config::*;
pub use market::*;
pub use obligation::*;
pub use outflow::*;
pub use reserve::*;
pub use ticket::*;
pub use crate::wire::Twin;

use crate::{constants::ACCOUNT_VERSION, error::BallastError};
use anchor_lang::prelude::*;

/// Refuses an account whose layout version this program does not know: reading it with today's layout
/// would misread its fields. Every account-writing instruction checks it in the account's `invariant`, and
/// the shared account groups (reserve vaults, positions, health accounts) check it on load.
pub fn require_known_version(version: u8) -> Result<()> {
    require!(known_version(version), BallastError::UnsupportedAccountVersion);
    Ok(())
}

/// Whether this program reads accounts of layout `version`.
pub fn known_version(version: u8) -> bool {
    version == ACCOUNT_VERSION
}
