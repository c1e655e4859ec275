//! Human-readable transaction errors: Ballast's custom codes are named from the committed IDL.
use solana_instruction::error::InstructionError;
use solana_transaction_error::TransactionError;
use std::sync::OnceLock;

const IDL: &str = include_str!("../../../idl/ballast.json");

/// (code, name, message) of every `BallastError`, read once from the IDL.
fn ballast_errors() -> &'static [(u32, String, String)] {
    static ERRORS: OnceLock<Vec<(u32, String, String)>> = OnceLock::new();
    ERRORS.get_or_init(|| {
        let idl: serde_json::Value = serde_json::from_str(IDL).expect("committed IDL is JSON");
        idl["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| Some((e["code"].as_u64()? as u32, e["name"].as_str()?.to_string(), e["msg"].as_str().unwrap_or("").to_string())))
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// `(name, message)` of a Ballast error code.
pub fn ballast_error(code: u32) -> Option<(&'static str, &'static str)> {
    ballast_errors().iter().find(|(c, _, _)| *c == code).map(|(_, n, m)| (n.as_str(), m.as_str()))
}

/// One line: `BorrowExceedsLtv (6012): Borrow would exceed ...` for Ballast errors, the runtime's words otherwise.
pub fn describe_transaction_error(err: &TransactionError) -> String {
    match err {
        TransactionError::InstructionError(i, InstructionError::Custom(code)) => match ballast_error(*code) {
            Some((name, msg)) => format!("{name} ({code}): {msg}"),
            None => format!("instruction {i} failed with custom error {code} (0x{code:x})"),
        },
        TransactionError::InstructionError(i, e) => format!("instruction {i} failed: {e}"),
        other => format!("transaction failed: {other}"),
    }
}

/// Whether a failed send is worth sending again: an RPC, network or blockhash failure is; a transaction the
/// program or runtime refused (an instruction error, a size or lock limit) will be refused again on the same
/// state.
pub fn is_retryable(message: &str) -> bool {
    // Failures the same transaction would meet again: refused by the program or runtime, over a mainnet limit,
    // or unpayable. Anything else (timeouts, connection resets, an expired blockhash) is worth a retry, up to
    // the caller's bound.
    let unpayable = ["InsufficientFundsForFee", "AccountNotFound", "InvalidAccountForFee", "insufficient funds"];
    let refused = (message.contains("instruction ") && message.contains(" failed"))
        || unpayable.iter().any(|m| message.contains(m))
        || ballast_errors().iter().any(|(code, name, _)| message.contains(&format!("{name} ({code})")))
        || message.contains("mainnet accepts at most")
        || message.contains("mainnet allows at most");
    !refused
}
