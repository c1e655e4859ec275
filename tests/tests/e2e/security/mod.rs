//! The security-defects issue: one scenario per defect, each failing on the code before its fix.
mod isolated;
mod rates;
mod liquidation;
mod governance;
mod fees;
mod tokens;
mod exits;
