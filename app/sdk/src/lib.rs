//! Ballast client SDK.
//!
//! - [`pda`]: every program address, from the program's own seeds.
//! - [`accounts`]: decoding of Market, Reserve and Obligation accounts, and a [`accounts::MarketSnapshot`]
//!   that loads a whole market through a [`Cluster`].
//! - [`ix`]: one builder per instruction, including the remaining accounts health-checked instructions need.
//! - [`events`]: Ballast's events decoded from a transaction's inner instructions.
//! - [`idl_json`]: program types as JSON through the committed IDL (print, edit, diff).
//! - [`health`]: projections (`max_borrow`, `max_withdraw`, liquidation health and prices) computed by the
//!   program's own code, so a client shows exactly what the program will enforce.
//! - [`summary`]: what clients show for a reserve (accrued balances, APRs, LCR, cap and outflow use, oracle
//!   status and age) and for an obligation (positions, health, max borrow, liquidation prices).
//! - [`risk`]: debt by liquidation-health bucket, and the price move at which each bucket becomes liquidatable.
//! - [`cluster`]: the [`Cluster`] trait with an RPC backend and an in-process (solana-program-test) backend.
//! - [`tokens`]: SPL Token helpers (mints, associated token accounts) that clients and the demo need.
//! - [`pyth`]: writes Pyth `PriceUpdateV2` accounts into an in-process bank (demo and tests only).
//! - [`switchboard`]: writes Switchboard on-demand feed accounts the same way, and reads their value.
#![allow(deprecated)] // solana-program-test 3.1 marks ProgramTest/processor! as unstable API.

pub mod accounts;
pub mod cluster;
pub mod errors;
pub mod events;
pub mod health;
pub mod idl_json;
pub mod invariants;
pub mod ix;
pub mod lut;
pub mod pda;
pub mod pyth;
pub mod risk;
pub mod scan;
pub mod summary;
pub mod switchboard;
pub mod tokens;
pub mod tx;

pub use accounts::{MarketSnapshot, ObligationView, ReserveView};
pub use cluster::{Cluster, Filter, InProcess, Rpc};
pub use health::Projection;

pub use anchor_lang::prelude::Pubkey;
pub use ballast;
pub use solana_keypair::Keypair;
pub use solana_signer::Signer;
