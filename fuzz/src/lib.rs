//! Ballast's adversarial suites (SECURITY.md):
//! - [`ops`]: stateful fuzzing of the operations layer, pure logic on plain structs, checked after every action;
//! - [`tx`]: random transactions through the program in the in-process bank, valid and invalid mixed;
//! - [`rules`]: the rules both check around every step (limiters, utilization ceiling, the queue's order).
pub mod ops;
pub mod rng;
pub mod rules;
#[allow(deprecated)] // solana-program-test 3.1 marks ProgramTestContext's fields as unstable API.
pub mod tx;

