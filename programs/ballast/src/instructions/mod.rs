//! One file per instruction: its Accounts struct, `validate`, and `handle`.
pub mod admin;
pub mod governance;
pub mod flash;
pub mod keeper;
pub mod queue;
pub mod shared;
pub mod user;

pub use admin::*;
pub use governance::*;
pub use flash::*;
pub use keeper::*;
pub use queue::*;
pub use shared::*;
pub use user::*;
