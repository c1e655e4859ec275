//! Account plumbing shared by instructions: each seed, authority and vault check is written once.
pub mod create_account;
pub mod health_accounts;
pub mod isolated_reserve;
pub mod liquidation;
pub mod mint_extensions;
pub mod position;
pub mod reserve_vaults;

pub use create_account::*;
pub use health_accounts::*;
pub use isolated_reserve::*;
pub use liquidation::*;
pub use mint_extensions::*;
pub use position::*;
pub use reserve_vaults::*;
