//! CI's smoke runs of the adversarial suites (SECURITY.md): short, fixed-seed runs of the long ones that
//! `ballast-fuzz ops` and `ballast-fuzz tx` make. A violation fails the test with what reproduces it.

/// 200,000 random actions on the operations layer (40 episodes from seed 1): every state rule, every actor rule,
/// the queue's and the limiters' rules, both liquidation rules. The queue, the second source and the brakes are
/// reached, not only drawn.
#[test]
fn ops_fuzz_succeeds_without_violations_on_a_smoke_run() {
    let report = ballast_fuzz::ops::run(1, 200_000);
    println!("{}", report.summary());
    assert!(report.violations.is_empty(), "{}", report.summary());
    assert!(report.committed > report.actions / 10, "most actions were refused: the fuzzer is not reaching the state space");
    for action in ["request_withdrawal", "fill_withdrawal", "cancel_withdrawal", "request_and_fill", "liquidate", "brake", "feed"] {
        assert!(report.committed_by_action.get(action).copied().unwrap_or(0) > 0, "no {action} committed: {}", report.summary());
    }
    let failed_over = report.refusals.keys().any(|k| k.starts_with("borrow: OracleSourcesDiverge"));
    assert!(failed_over, "the sources never diverged: {}", report.summary());
}

/// 4,000 random transactions through the program in the bank, valid and invalid mixed (seed 1), the queue and the
/// council's brakes among them.
#[tokio::test(flavor = "multi_thread")]
async fn tx_fuzz_succeeds_without_violations_on_a_smoke_run() {
    let report = ballast_fuzz::tx::run(1, 4_000).await;
    println!("{}", report.summary());
    assert!(report.succeeded > report.transactions / 5, "most transactions were refused: {}", report.summary());
    for kind in ["request_withdrawal", "fill_withdrawal", "cancel_withdrawal"] {
        assert!(report.outcomes.contains_key(&format!("{kind}: ok")), "no {kind} succeeded: {}", report.summary());
    }
    assert!(report.outcomes.keys().any(|k| k.starts_with("brake: ") && k.ends_with(": ok")), "no brake applied: {}", report.summary());
    assert!(report.source_comparisons > 0, "no liquidation was compared with and without its optional accounts");
}

/// `ballast-fuzz --help` and `-h` print the usage and succeed.
#[test]
fn help_succeeds_printing_the_usage() {
    for flag in ["--help", "-h"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ballast-fuzz")).arg(flag).output().expect("the binary runs");
        assert!(out.status.success(), "{flag}: {out:?}");
        assert!(String::from_utf8_lossy(&out.stdout).starts_with("usage: ballast-fuzz ops"), "{flag}: {out:?}");
    }
}
