//! `TestContext`: an in-process bank with Ballast registered natively, SPL Token programs as real SBF,
//! Pyth `PriceUpdateV2` accounts written by the test, and a clock the test controls.
//! Scenarios call `t.deposit(&alice, &usdc, usdc.amount(100.0))`; they never build raw instructions.
#![allow(deprecated)] // solana-program-test 3.1 marks ProgramTest/processor! as unstable API.

pub mod actions;
pub mod attack;
pub mod context;
pub mod elevation;
pub mod governance;
pub mod flash;
pub mod idl;
pub mod integrator;
pub mod invariants;
pub mod lookup;
pub mod prices;
pub mod queue;
pub mod reserves;
pub mod sweep;
pub mod switchboard;
pub mod tokens;

pub use context::*;
pub use prices::PriceSpec;
pub use switchboard::FeedSpec;
pub use reserves::{default_config, Asset, ReserveBuilder, ReserveInfo};

pub use ballast::error::BallastError;
pub use solana_keypair::Keypair;
pub use solana_signer::Signer;

/// The program error code a failed transaction carries, if any.
pub fn program_error_code(result: &Result<(), solana_program_test::BanksClientError>) -> Option<u32> {
    use solana_instruction::error::InstructionError;
    use solana_transaction_error::TransactionError;
    let err = match result.as_ref().err()? {
        solana_program_test::BanksClientError::TransactionError(e) => e.clone(),
        solana_program_test::BanksClientError::SimulationError { err, .. } => err.clone(),
        other => panic!("transport error, not a program error: {other:?}"),
    };
    match err {
        TransactionError::InstructionError(_, InstructionError::Custom(code)) => Some(code),
        _ => None,
    }
}

/// Asserts that `result` failed with the program error `expected`.
#[track_caller]
pub fn assert_program_error(result: Result<(), solana_program_test::BanksClientError>, expected: impl Into<u32>) {
    let expected = expected.into();
    match &result {
        Ok(()) => panic!("expected error {expected}, but the transaction succeeded"),
        Err(e) => assert_eq!(program_error_code(&result), Some(expected), "wrong error: {e:?}"),
    }
}

/// `assert_error!(t, t.try_borrow(..), BallastError::X)`: the call fails with that error and every token
/// balance and every Ballast account the context tracks is unchanged.
#[macro_export]
macro_rules! assert_error {
    ($t:expr, $call:expr, $err:expr) => {{
        let before = $t.snapshot().await;
        let result = $call.await;
        $crate::assert_program_error(result, $err);
        $t.assert_unchanged(&before).await;
    }};
}
