//! Stateful fuzzing of the operations layer: random action sequences over a market of plain structs,
//! every rule verified after every committed action ([`check`]: accounting, rates, actors, liquidation bounds;
//! [`flows`]: the outflow limiters, the utilization ceiling, the queue's order). Every drawn liquidation is also
//! sized with and without its optional price accounts ([`liquidation::sources_never_change_the_outcome`]), and a
//! refused one of an unhealthy obligation in an ordinary market must be liquidatable by some SDK-style call
//! ([`liquidation::probe`]). Episodes start from fresh random markets so the search covers many
//! configurations (second price sources, limiters, the withdrawal queue, the council's brakes); each is
//! reproducible from its seed.
pub mod actions;
pub mod check;
pub mod draw;
pub mod flows;
pub mod liquidation;
pub mod queue;
pub mod world;

use actions::{apply, is_named, Action, Failure};
use draw::draw;
use check::Violation;
use std::{
    collections::BTreeMap,
    panic::{catch_unwind, AssertUnwindSafe},
    time::Instant,
};
use ballast::math::Fraction;
use world::World;

/// Actions per episode before a fresh market is drawn.
pub const EPISODE_ACTIONS: u64 = 5_000;

/// A violation with what reproduces it.
#[derive(Clone, Debug)]
pub struct Found {
    pub seed: u64,
    pub step: u64,
    pub action: String,
    pub violation: Violation,
}

#[derive(Debug, Default)]
pub struct Report {
    pub actions: u64,
    pub committed: u64,
    pub episodes: u64,
    /// Committed actions by name.
    pub committed_by_action: BTreeMap<&'static str, u64>,
    /// Refusals by error name ("token" for the token program's).
    pub refusals: BTreeMap<String, u64>,
    /// Refused liquidations by class: the obligation healthy or unpriceable, outside the ordinary bounds, or
    /// unhealthy in an ordinary market and then liquidatable by an SDK-style call (rule 6 otherwise reports it).
    pub liquidation_refusals: BTreeMap<String, u64>,
    pub violations: Vec<Found>,
    pub secs: f64,
}

impl Report {
    pub fn actions_per_sec(&self) -> f64 {
        self.actions as f64 / self.secs.max(1e-9)
    }

    pub fn summary(&self) -> String {
        let mut s = format!(
            "operations fuzz: {} actions in {} episodes, {} committed, {:.1}s ({:.0} actions/s), {} violations\n",
            self.actions,
            self.episodes,
            self.committed,
            self.secs,
            self.actions_per_sec(),
            self.violations.len()
        );
        s += "committed: ";
        s += &self.committed_by_action.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        s += "\nrefused: ";
        let mut refusals: Vec<_> = self.refusals.iter().collect();
        refusals.sort_by(|a, b| b.1.cmp(a.1));
        s += &refusals.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        s += "\nrefused liquidations: ";
        s += &self.liquidation_refusals.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        s += "\n";
        let mut by_rule = BTreeMap::<&str, u64>::new();
        for f in &self.violations {
            *by_rule.entry(f.violation.rule).or_default() += 1;
        }
        if !by_rule.is_empty() {
            s += &format!("violations by rule: {by_rule:?}\n");
        }
        for f in self.violations.iter().take(20) {
            s += &format!("VIOLATION [{}] seed {} step {}: {}\n  action: {}\n", f.violation.rule, f.seed, f.step, f.violation.detail, f.action);
        }
        s
    }
}

/// Runs one episode of `actions` actions from `seed`; appends to `report`. Stops the episode at its first
/// violation (the state after it is suspect).
pub fn episode(seed: u64, actions: u64, report: &mut Report) {
    let mut rng = crate::rng::Rng::new(seed);
    let mut w = World::new(&mut rng);
    report.episodes += 1;
    let mut found = vec![];
    let mut ledger = flows::Ledger::default();
    // BALLAST_FUZZ_TRACE=N prints every action of the episode from step N, to study a reported violation.
    let trace_from = std::env::var("BALLAST_FUZZ_TRACE").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(u64::MAX);
    check::state(&w, &mut found);
    for step in 0..actions {
        let action = draw(&w, &mut rng);
        report.actions += 1;
        let before = w.clone();
        let rates_before = check::rates(&w);
        liquidation::sources_never_change_the_outcome(&w, &action, &mut found);
        let result = catch_unwind(AssertUnwindSafe(|| apply(&mut w, &action)));
        if step >= trace_from {
            eprintln!("step {step} now {}: {} -> {:?}", w.now, describe(&action), result.as_ref().map(|r| r.as_ref().map_err(|f| format!("{f:?}").chars().take(120).collect::<String>())).ok());
            for (i, a) in w.assets.iter().enumerate() {
                let p = a.reserve.accrual(w.now).expect("accrual");
                let owed = w.obligations.iter().flat_map(|o| o.active_borrows().iter().filter(|b| b.reserve == a.key).map(|b| b.debt_at(p.cumulative_borrow_index).unwrap_or_default()).collect::<Vec<_>>()).fold(ballast::math::Fraction::ZERO, |s, d| s + d);
                let gap = if p.borrowed >= owed { (p.borrowed - owed).to_num::<f64>() } else { -(owed - p.borrowed).to_num::<f64>() }; eprintln!("  asset {i}: gap {gap:e} rel {:e} booked {}", gap / p.borrowed.to_num::<f64>().max(1e-30), p.borrowed);
                eprintln!("  asset {i}: dec {} price {} avail {} supply {} borrowed {} index {} fees {} ins {}", a.reserve.liquidity_decimals, a.price.price, a.reserve.available_liquidity, a.reserve.ctoken_supply, a.reserve.borrowed_sf.get(), a.reserve.cumulative_borrow_index_sf.get(), a.reserve.protocol_fees_sf.get(), a.reserve.insurance_fund_sf.get());
            }
            for (u, o) in w.obligations.iter().enumerate().filter(|(_, o)| !o.active_borrows().is_empty()) {
                let deposits: Vec<_> = o.active_deposits().iter().map(|d| (w.asset_index(&d.reserve), d.ctoken_amount)).collect();
                let borrows: Vec<_> = o.active_borrows().iter().map(|b| (w.asset_index(&b.reserve), b.borrowed_sf.get())).collect();
                let h = w.health(u, ballast::oracle::PriceUse::Liquidation).map(|h| (h.liquidation_health().ok().flatten(), h.collateral_value, h.debt_value));
                eprintln!("  user {u}: deposits {deposits:?} borrows {borrows:?} liquidation health, collateral, debt {h:?}");
            }
        }
        match result {
            Err(panic) => {
                let msg = panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
                found.push(Violation { rule: "nothing panics", detail: msg });
                w = before;
            }
            Ok(Err(failure)) => {
                if let Action::Liquidate { owner, .. } = action {
                    *report.liquidation_refusals.entry(classify_refusal(&before, owner, &mut found)).or_default() += 1;
                }
                let name = match failure {
                    Failure::Token => "token: insufficient funds".to_string(),
                    Failure::NoAccount => "no such ticket account".to_string(),
                    Failure::Program(e) => match is_named(&e) {
                        Some(name) if name == "MathOverflow" && before.ordinary() => {
                            found.push(Violation { rule: "no overflow in a market of ordinary magnitudes", detail: format!("{e}") });
                            name
                        }
                        Some(name) => name,
                        None => {
                            found.push(Violation { rule: "every failure is a named error", detail: format!("{e}") });
                            "unnamed".into()
                        }
                    },
                };
                w = before;
                let key = format!("{}: {name}", action.name());
                // BALLAST_FUZZ_SHOW="liquidate: MathOverflow" names the first few actions refused that way.
                if std::env::var("BALLAST_FUZZ_SHOW").is_ok_and(|v| v == key) && report.refusals.get(&key).copied().unwrap_or(0) < 5 {
                    eprintln!("{key}: seed {seed} step {step}: {}", describe(&action));
                }
                *report.refusals.entry(key).or_default() += 1;
            }
            Ok(Ok(effect)) => {
                report.committed += 1;
                *report.committed_by_action.entry(action.name()).or_default() += 1;
                for (a, b) in w.assets.iter_mut().zip(&before.assets) {
                    let (r0, r1) = (&b.reserve, &a.reserve);
                    if r0.last_update_ts != r1.last_update_ts || r0.borrowed_sf != r1.borrowed_sf {
                        let grown = r1.cumulative_borrow_index_sf.get() / r0.cumulative_borrow_index_sf.get().max(Fraction::ONE);
                        let debt = r0.borrowed_sf.get().saturating_mul(grown).max(r1.borrowed_sf.get());
                        a.drift_budget = a.drift_budget.saturating_mul(grown).saturating_add(debt / Fraction::from_num(1u64 << 57));
                    }
                }
                check::state(&w, &mut found);
                check::rates_never_fall(&rates_before, &check::rates(&w), &effect, &mut found);
                check::actor_never_gains(&before, &w, &action, &mut found);
                check::liquidation_bounded(&before, &w, &action, &effect, &mut found);
                check::actor_within_borrow_power(&w, &action, &mut found);
                flows::outflow_within_limits(&before, &w, &action, &mut ledger, &mut found);
                flows::utilization_within_ceiling(&before, &w, &action, &mut found);
                flows::tickets_in_order(&before, &w, &effect, &mut ledger, &mut found);
            }
        }
        if !found.is_empty() {
            let described = describe(&action);
            report.violations.extend(found.drain(..).map(|violation| Found { seed, step, action: described.clone(), violation }));
            return;
        }
    }
}

/// Why a drawn liquidation of `owner` was refused, by class; rule 6 (liveness) when the obligation is unhealthy
/// in an ordinary market and no SDK-style call can liquidate it.
fn classify_refusal(before: &World, owner: usize, found: &mut Vec<Violation>) -> String {
    use ballast::oracle::PriceUse;
    match before.health(owner, PriceUse::Liquidation).map(|h| h.is_liquidatable()) {
        Ok(Ok(true)) => {}
        Ok(_) => return "healthy".into(),
        Err(e) => return format!("unpriceable ({})", is_named(&e).unwrap_or_default()),
    }
    if !before.ordinary() {
        return "unhealthy, outside the ordinary bounds".into();
    }
    match liquidation::probe(before, owner) {
        liquidation::Liveness::Liquidatable => "unhealthy, ordinary: another call liquidates it".into(),
        liquidation::Liveness::Expected(why) => format!("unhealthy, ordinary: expected ({why})"),
        liquidation::Liveness::Stuck(why) => {
            let o = &before.obligations[owner];
            let deposits: Vec<_> = o.active_deposits().iter().map(|d| (before.asset_index(&d.reserve), d.ctoken_amount)).collect();
            let borrows: Vec<_> = o.active_borrows().iter().map(|b| (before.asset_index(&b.reserve), b.borrowed_sf.get())).collect();
            let detail = format!("user {owner} (cTokens pledged {deposits:?}, debts {borrows:?}): every pair refused: {why}");
            found.push(Violation { rule: "an unhealthy obligation within the bounds can always be liquidated", detail });
            format!("unhealthy, ordinary: NOT LIQUIDATABLE ({why})")
        }
    }
}

fn describe(action: &Action) -> String {
    match action {
        Action::Config { asset, .. } => format!("Config {{ asset: {asset}, .. }}"),
        Action::Brake { asset, kind, .. } => format!("Brake {{ asset: {asset}, {kind} }}"),
        other => format!("{other:?}"),
    }
}

/// `total` actions in episodes of EPISODE_ACTIONS from consecutive seeds starting at `seed`.
pub fn run(seed: u64, total: u64) -> Report {
    let start = Instant::now();
    let mut report = Report::default();
    let mut done = 0;
    let mut s = seed;
    // Quiet the panic hook: a panic is a reported violation, not noise.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    while done < total {
        let n = EPISODE_ACTIONS.min(total - done);
        episode(s, n, &mut report);
        done += n;
        s += 1;
    }
    std::panic::set_hook(hook);
    report.secs = start.elapsed().as_secs_f64();
    report
}
