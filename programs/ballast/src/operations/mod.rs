//! Business logic on plain `&mut Reserve` / `&mut Obligation`: no AccountInfo, no CPI.
pub mod bad_debt;
pub mod borrow;
pub mod collateral;
pub mod controls;
pub mod delisting;
pub mod deposit;
pub mod fees;
pub mod governance;
pub mod flash;
pub mod health;
pub mod isolation;
pub mod liquidate;
pub mod regime;
pub mod repay;
pub mod withdrawal_queue;
