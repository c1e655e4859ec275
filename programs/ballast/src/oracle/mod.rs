//! Price sources and their validation, producing a `Price` the health code can trust.
pub mod price;
pub mod pyth;

pub use price::*;
pub use pyth::{load_price, raw_price};
