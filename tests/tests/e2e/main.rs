//! End-to-end scenarios: real transactions through BanksClient, assertions on balances and state.
//! One test binary; each capability is a module. Every scenario ends with `assert_invariants()`.
#![allow(deprecated)]

mod accounts;
mod auction;
mod borrow;
mod config;
mod controls;
mod delisting;
mod deposit;
mod docs;
mod elevation;
mod exploits;
mod governance;
mod fit;
mod flash;
mod idl;
mod integrator;
mod interest;
mod isolated_ceiling;
mod liquidation;
mod liquidation_cascade;
mod bad_debt;
mod oracle;
mod oracle_sources;
mod positions;
mod properties;
mod regime;
mod sizes;
mod sweep;
mod token_2022;
mod withdrawal_queue;
