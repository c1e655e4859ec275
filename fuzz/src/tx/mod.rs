//! Random transactions through the program in the in-process bank: the operations alphabet as real
//! instructions, valid and invalid mixed (amounts past balances, unhealthy borrows, healthy liquidations,
//! stale or wide prices, a dead primary with a live secondary, sources that diverge, mismatched flash repays,
//! swapped accounts, the wrong signer), the withdrawal queue (a request and the fill of its ticket in one
//! transaction included) and the council's brakes. After every transaction: a failed one has left every token
//! balance, cToken supply, Ballast account byte and ticket as it was; a successful one leaves the accounting
//! invariants true, no exchange rate lower (outside a bad-debt write-off), and the rules of `check` kept.
pub mod check;
pub mod market;
pub mod step;

use crate::rng::Rng;
use std::{collections::BTreeMap, time::Instant};

#[derive(Debug, Default)]
pub struct TxReport {
    pub transactions: u64,
    /// Fresh markets started after the first.
    pub episodes: u64,
    pub succeeded: u64,
    /// Outcomes by kind of transaction and result ("ok" or the error).
    pub outcomes: BTreeMap<String, u64>,
    /// Refused liquidations by class (rule 6).
    pub liquidation_refusals: BTreeMap<String, u64>,
    /// Liquidations simulated with and without their optional price accounts (rule 3).
    pub source_comparisons: u64,
    pub secs: f64,
}

impl TxReport {
    pub fn per_sec(&self) -> f64 {
        self.transactions as f64 / self.secs.max(1e-9)
    }

    pub fn summary(&self) -> String {
        let mut s = format!(
            "transaction fuzz: {} transactions on {} markets ({} succeeded, {} refused) in {:.1}s ({:.0} transactions/s), 0 violations\n",
            self.transactions,
            self.episodes + 1,
            self.succeeded,
            self.transactions - self.succeeded,
            self.secs,
            self.per_sec()
        );
        let mut outcomes: Vec<_> = self.outcomes.iter().collect();
        outcomes.sort_by(|a, b| b.1.cmp(a.1));
        s += &outcomes.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        s += &format!("\nliquidations compared with and without their optional price accounts: {}", self.source_comparisons);
        s += "\nrefused liquidations: ";
        s += &self.liquidation_refusals.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        s + "\n"
    }
}

/// "ok", a Ballast error's name, another program's error code, or a refusal before any program ran.
pub fn outcome(result: &Result<(), solana_program_test::BanksClientError>) -> String {
    match result {
        Ok(()) => "ok".into(),
        Err(_) => match ballast_tests::program_error_code(result) {
            Some(code) => ballast_sdk::errors::ballast_error(code).map(|(name, _)| name.to_string()).unwrap_or_else(|| format!("error {code}")),
            None => "refused by the runtime".into(),
        },
    }
}

/// Transactions per market: a fresh market after each, so a long run keeps exploring live markets instead
/// of one that borrowers and write-offs have long since drained.
pub const EPISODE_TRANSACTIONS: u64 = 5_000;

/// Steps between two full reads of every queue (a closed ticket never reappears).
const FULL_QUEUE_CHECK: u64 = 500;

/// `transactions` random transactions from `seed`, every one checked, on a fresh market every
/// `EPISODE_TRANSACTIONS`. Panics at the first violation, naming the seed and step.
pub async fn run(seed: u64, transactions: u64) -> TxReport {
    let start = Instant::now();
    check::SOURCE_COMPARISONS.store(0, std::sync::atomic::Ordering::Relaxed);
    let mut rng = Rng::new(seed);
    let mut m = market::market(&mut rng).await;
    let mut ledger = crate::rules::FlowLedger::default();
    let mut report = TxReport::default();
    let mut rates = m.rates().await;
    let (mut n, mut next_market) = (0, EPISODE_TRANSACTIONS);
    while report.transactions < transactions {
        if report.transactions >= next_market {
            m = market::market(&mut rng).await;
            ledger = Default::default();
            rates = m.rates().await;
            report.episodes += 1;
            next_market += EPISODE_TRANSACTIONS;
        }
        n += 1;
        let before = m.t.snapshot().await;
        let observed = check::observe(&mut m).await;
        let mut found = vec![];
        let step = step::step(&mut m, &mut rng, &mut found).await;
        let kind = step.kind;
        if matches!(kind, "time" | "price" | "feed") {
            // The world moving, not a transaction.
            rates = m.rates().await;
            continue;
        }
        report.transactions += 1;
        *report.outcomes.entry(format!("{kind}: {}", outcome(&step.result))).or_default() += 1;
        match &step.result {
            Err(e) => {
                let now = m.t.snapshot().await;
                assert!(now == before, "seed {seed} step {n}: the failed {kind} ({e:?}) changed balances or Ballast accounts");
                found.extend(check::tickets_unchanged(&observed, &check::observe(&mut m).await));
                if let Some(owner) = step.liquidated {
                    let class = check::liveness(&mut m, owner, &mut found).await;
                    *report.liquidation_refusals.entry(class).or_default() += 1;
                }
            }
            Ok(()) => {
                report.succeeded += 1;
                m.t.assert_invariants().await;
                let after = m.rates().await;
                for (i, ((t0, s0), (t1, s1))) in rates.iter().zip(&after).enumerate() {
                    let fell = ethnum::I256::from(t1.to_bits()) * ethnum::I256::from(*s0) < ethnum::I256::from(t0.to_bits()) * ethnum::I256::from(*s1);
                    assert!(kind == "socialize_bad_debt" || !fell, "seed {seed} step {n}: {kind} lowered reserve {i}'s exchange rate: {t0}/{s0} -> {t1}/{s1}");
                }
                rates = after;
                let observed_after = check::observe(&mut m).await;
                found.extend(check::after_success(&mut m, kind, &observed, &observed_after, &mut ledger).await);
            }
        }
        if n % FULL_QUEUE_CHECK == 0 {
            found.extend(check::closed_stay_closed(&mut m).await);
        }
        assert!(found.is_empty(), "seed {seed} step {n}: {kind} ({}) broke a rule:\n{}", outcome(&step.result), found.join("\n"));
    }
    report.source_comparisons = check::SOURCE_COMPARISONS.load(std::sync::atomic::Ordering::Relaxed);
    report.secs = start.elapsed().as_secs_f64();
    report
}
