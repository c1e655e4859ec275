pub mod configure_elevation_group;
pub mod init_market;
pub mod init_reserve;
pub mod set_lookup_table;
pub mod start_delisting;
pub mod sweep_fees;
pub mod update_reserve_config;
pub mod withdraw_fees;

pub use configure_elevation_group::*;
pub use init_market::*;
pub use init_reserve::*;
pub use set_lookup_table::*;
pub use start_delisting::*;
pub use sweep_fees::*;
pub use update_reserve_config::*;
pub use withdraw_fees::*;
