//! Ballast's adversarial suites (SECURITY.md):
//! - [`ops`]: stateful fuzzing of the operations layer, pure logic on plain structs, checked after every action;
//! - [`tx`]: random transactions through the program in the in-process bank, valid and invalid mixed.
pub mod ops;
pub mod rng;
pub mod tx;

