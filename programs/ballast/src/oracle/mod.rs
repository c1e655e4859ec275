//! Price sources and their validation, producing a `Price` the health code can trust.
pub mod price;
pub mod pyth;
pub mod sources;
pub mod switchboard;

pub use price::*;
pub use pyth::{load_price, raw_price};
pub use sources::{liquidation_needs_secondary, load_reserve_price, secondary_among, split_price_accounts, trailing_secondary, Now, PriceAccounts};
