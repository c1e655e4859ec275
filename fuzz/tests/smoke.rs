//! CI's smoke runs of the adversarial suites (SECURITY.md): short, fixed-seed runs of the long ones that
//! `ballast-fuzz ops` and `ballast-fuzz tx` make. A violation fails the test with what reproduces it.

/// 200,000 random actions on the operations layer (40 episodes from seed 1): every state rule, every actor rule.
#[test]
fn ops_fuzz_succeeds_without_violations_on_a_smoke_run() {
    let report = ballast_fuzz::ops::run(1, 200_000);
    println!("{}", report.summary());
    assert!(report.violations.is_empty(), "{}", report.summary());
    assert!(report.committed > report.actions / 10, "most actions were refused: the fuzzer is not reaching the state space");
}

/// 4,000 random transactions through the program in the bank, valid and invalid mixed (seed 1).
#[tokio::test(flavor = "multi_thread")]
async fn tx_fuzz_succeeds_without_violations_on_a_smoke_run() {
    let report = ballast_fuzz::tx::run(1, 4_000).await;
    println!("{}", report.summary());
    assert!(report.succeeded > report.transactions / 5, "most transactions were refused: {}", report.summary());
}
