pub mod refresh_reserve;

pub use refresh_reserve::*;
