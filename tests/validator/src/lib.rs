//! Ballast against a real `solana-test-validator` on localhost: the binaries users run (`ballast-migrate`,
//! `ballast`), over JSON-RPC and websockets, with Ballast running natively inside the validator.
//!
//! The validator is a heavy build (about 14 minutes cold and 10 GB of target here), so it sits behind the
//! `validator` feature: without it the suite reports SKIPPED with [`RUN`]. `.ci/run` always runs it.
#[cfg(feature = "validator")]
pub mod node;

/// The command that runs the suite (the binaries it drives first, then the suite).
pub const RUN: &str = "cargo build -p ballast-cli -p ballast-migrate --bins && cargo test -p ballast-validator-tests --features validator";
