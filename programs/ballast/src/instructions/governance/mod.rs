//! Two-step admin handover, the risk council's tighten-only changes, and the timelock queue for loosening ones.
pub mod accept_admin;
pub mod apply_pending_market_config;
pub mod apply_pending_reserve_config;
pub mod cancel_pending_market_config;
pub mod cancel_pending_reserve_config;
pub mod propose_admin;
pub mod queue_market_config;
pub mod queue_reserve_config;
pub mod tighten_market_config;
pub mod tighten_reserve_config;
pub mod update_market_config;

pub use accept_admin::*;
pub use apply_pending_market_config::*;
pub use apply_pending_reserve_config::*;
pub use cancel_pending_market_config::*;
pub use cancel_pending_reserve_config::*;
pub use propose_admin::*;
pub use queue_market_config::*;
pub use queue_reserve_config::*;
pub use tighten_market_config::*;
pub use tighten_reserve_config::*;
pub use update_market_config::*;
