pub mod liquidate;
pub mod mark_insolvency;
pub mod refresh_reserve;
pub mod socialize_bad_debt;

pub use liquidate::*;
pub use mark_insolvency::*;
pub use refresh_reserve::*;
pub use socialize_bad_debt::*;
