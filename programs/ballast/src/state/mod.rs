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
