//! Random transactions through the program in the in-process bank: the operations alphabet as real
//! instructions, valid and invalid mixed (amounts past balances, unhealthy borrows, healthy liquidations,
//! stale or wide prices, mismatched flash repays, swapped accounts, the wrong signer). After every
//! transaction: a failed one has left every token balance, cToken supply and Ballast account byte as it
//! was; a successful one leaves the accounting invariants true and no exchange rate lower (outside a
//! bad-debt write-off).
use crate::rng::Rng;
use anchor_lang::prelude::Pubkey;
use ballast::{
    math::Fraction,
    operations::health::{Health, ReserveValuation},
    oracle::{validate_price, PriceUse, RawPrice},
    state::{Obligation, Reserve},
};
use ballast_tests::{prices::PRICE_EXPONENT, Asset, PriceSpec, ReserveInfo, TestContext, User};
use std::{collections::BTreeMap, time::Instant};

const USERS: usize = 6;

#[derive(Debug, Default)]
pub struct TxReport {
    pub transactions: u64,
    /// Fresh markets started after the first.
    pub episodes: u64,
    pub succeeded: u64,
    /// Outcomes by kind of transaction and result ("ok" or the error).
    pub outcomes: BTreeMap<String, u64>,
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
        s + "\n"
    }
}

/// The market: USDC, SOL and BTC reserves and six funded users with obligations.
struct Market {
    t: TestContext,
    reserves: Vec<ReserveInfo>,
    users: Vec<User>,
}

async fn market() -> Market {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).liquidity(1_000_000.0).config(|c| c.flags |= ballast::state::FLAG_FLASH_ENABLED).build().await;
    let sol = t.reserve(Asset::Sol).liquidity(5_000.0).config(|c| c.origination_fee_bps = 30).build().await;
    let btc = t.reserve(Asset::Btc).liquidity(20.0).config(|c| c.flash_fee_bps = 9).build().await;
    let mut users = vec![];
    for i in 0..USERS {
        let scale = [1.0, 10.0, 100.0][i % 3];
        users.push(t.user().funded(&usdc, 50_000.0 * scale).funded(&sol, 300.0 * scale).funded(&btc, 1.0 * scale).build().await);
    }
    Market { t, reserves: vec![usdc, sol, btc], users }
}

fn raw(spec: &PriceSpec) -> RawPrice {
    RawPrice { fully_verified: spec.verified, feed_id: spec.feed_id, price: spec.price, conf: spec.conf, ema_price: spec.ema_price, exponent: PRICE_EXPONENT, publish_time: spec.publish_time }
}

impl Market {
    async fn reserve_states(&mut self) -> Vec<Reserve> {
        let mut out = vec![];
        for r in self.reserves.clone() {
            out.push(self.t.reserve_state(&r).await);
        }
        out
    }

    /// Depositors' liquidity and cToken supply per reserve, projected to now.
    async fn rates(&mut self) -> Vec<(Fraction, u64)> {
        let now = self.t.now;
        self.reserve_states().await.iter().map(|r| (ReserveValuation::projected(r, now).map(|v| v.total_liquidity).unwrap_or_default(), r.ctoken_supply)).collect()
    }

    /// Spare borrow power of `user` in quote, by the program's own health math (None when it cannot be priced).
    async fn spare_power(&mut self, user: usize) -> Option<f64> {
        let o: Obligation = self.t.obligation_state(&self.users[user]).await;
        let states = self.reserve_states().await;
        let now = self.t.now;
        let mut health = Health::default();
        for position in o.health_positions() {
            let i = self.reserves.iter().position(|r| r.key == position.reserve)?;
            let price = validate_price(&raw(&self.t.price_spec(&self.reserves[i])), &states[i].config.oracle, now, PriceUse::Risk).ok()?;
            health.add_position(&o, &position, &states[i], &price, None, now, PriceUse::Risk).ok()?;
        }
        Some(health.borrow_power.saturating_sub(health.initial_debt).to_num::<f64>())
    }

    fn spot(&self, i: usize) -> f64 {
        self.t.price_spec(&self.reserves[i]).price as f64 * 1e-8
    }
}

/// Users with debt, by index.
async fn debtors(m: &mut Market) -> Vec<usize> {
    let mut out = vec![];
    for u in 0..USERS {
        if !m.t.obligation_state(&m.users[u]).await.active_borrows().is_empty() {
            out.push(u);
        }
    }
    out
}

/// One random transaction; returns its kind and result.
async fn step(m: &mut Market, rng: &mut Rng) -> (&'static str, Result<(), solana_program_test::BanksClientError>) {
    let n = m.reserves.len();
    let mut u = rng.below(USERS as u64) as usize;
    let kind = rng.below(100);
    if (51..=66).contains(&kind) {
        // Repay and liquidate mostly pick an obligation that owes something.
        let owing = debtors(m).await;
        if !owing.is_empty() && rng.chance(0.85) {
            u = rng.pick(&owing);
        }
    }
    let i = rng.below(n as u64) as usize;
    let r = m.reserves[i].clone();
    let user = &m.users[u];
    let (liquidity, ctokens) = (m.t.balance(&user.liquidity(&r)).await, m.t.balance(&user.ctokens(&r)).await);
    // Amounts mostly within what the user holds, sometimes past it.
    let over = |rng: &mut Rng, held: u64| if rng.chance(0.08) { held.saturating_add(rng.amount(1 << 20)) } else { rng.amount(held.max(1)) };
    let m_t = &mut m.t;
    match kind {
        0..=11 => {
            let amount = over(rng, liquidity);
            ("deposit", m_t.try_deposit(&m.users[u], &r, amount).await)
        }
        12..=17 => {
            let amount = over(rng, ctokens);
            ("redeem", m_t.try_redeem(&m.users[u], &r, amount).await)
        }
        18..=25 => {
            let amount = over(rng, ctokens);
            ("deposit_collateral", m_t.try_deposit_collateral(&m.users[u], &r, amount).await)
        }
        26..=29 => {
            let amount = over(rng, liquidity);
            ("deposit_liquidity_and_collateral", m_t.try_deposit_liquidity_and_collateral(&m.users[u], &r, amount).await)
        }
        30..=36 => {
            let o = m_t.obligation_state(&m.users[u]).await;
            let held = o.find_deposit(&r.key).map(|d| o.deposits[d].ctoken_amount).unwrap_or(1);
            let amount = over(rng, held);
            if rng.chance(0.5) {
                ("withdraw_collateral", m_t.try_withdraw_collateral(&m.users[u], &r, amount).await)
            } else {
                ("withdraw_collateral_and_redeem", m_t.try_withdraw_collateral_and_redeem(&m.users[u], &r, amount).await)
            }
        }
        37..=50 => {
            let spare = m.spare_power(u).await.unwrap_or(0.0);
            let cfg = m.t.reserve_state(&r).await.config;
            let room = spare / m.spot(i) / (cfg.borrow_factor_bps as f64 / 10_000.0) * 10f64.powi(r.decimals as i32);
            let amount = if room >= 1.0 && rng.chance(0.85) { ((room * (0.3 + 0.75 * rng.unit())) as u64).max(1) } else { rng.amount(1 << 40) };
            ("borrow", m.t.try_borrow(&m.users[u], &r, amount).await)
        }
        51..=58 => {
            let o = m.t.obligation_state(&m.users[u]).await;
            let r = match o.active_borrows().get(rng.below(o.active_borrows().len().max(1) as u64) as usize) {
                Some(b) if rng.chance(0.9) => m.reserves.iter().find(|x| x.key == b.reserve).cloned().unwrap_or(r),
                _ => r,
            };
            let payer = if rng.chance(0.75) { u } else { rng.below(USERS as u64) as usize };
            let amount = if rng.chance(0.4) { u64::MAX } else { rng.amount(1 << 36) };
            ("repay", m.t.try_repay(&m.users[payer], &m.users[u], &r, amount).await)
        }
        59..=66 => {
            let o = m.t.obligation_state(&m.users[u]).await;
            let pick = |rng: &mut Rng, keys: Vec<Pubkey>| keys.get(rng.below(keys.len().max(1) as u64) as usize).copied();
            let repay = pick(rng, o.active_borrows().iter().map(|b| b.reserve).collect()).and_then(|k| m.reserves.iter().position(|r| r.key == k)).unwrap_or(i);
            let withdraw = pick(rng, o.active_deposits().iter().map(|d| d.reserve).collect()).and_then(|k| m.reserves.iter().position(|r| r.key == k)).unwrap_or(i);
            let liquidator = (u + 1 + rng.below(USERS as u64 - 1) as usize) % USERS;
            let max = if rng.chance(0.6) { u64::MAX } else { rng.amount(1 << 36) };
            let (rr, wr) = (m.reserves[repay].clone(), m.reserves[withdraw].clone());
            ("liquidate", m.t.try_liquidate(&m.users[liquidator], &m.users[u], &rr, &wr, max, 0, rng.chance(0.5)).await)
        }
        67..=68 => ("socialize_bad_debt", m.t.try_socialize_bad_debt(&m.users[u], &r).await),
        69..=71 => {
            let available = m.t.reserve_state(&r).await.available_liquidity;
            let amount = rng.amount(available.max(1));
            let repay = if rng.chance(0.9) { amount } else { amount.saturating_sub(1) };
            ("flash", m.t.try_flash(&m.users[u], &r, amount, &r, repay).await)
        }
        72..=73 => ("refresh_reserve", m.t.try_refresh_reserve(&r).await),
        74 => ("sweep_fees", m.t.try_sweep_fees(&r).await),
        75..=78 => {
            // The wrong signer: another user's keypair signs for this obligation's owner slot.
            let other = (u + 1) % USERS;
            let o = m.t.obligation_state(&m.users[u]).await;
            let health = m.t.health_metas(&o);
            let ix = m.t.borrow_ix(&m.users[u], &r, 1, health);
            let signer = m.users[other].keypair.insecure_clone();
            let swaps = [(m.users[u].key(), m.users[other].key())];
            ("borrow_signed_by_another", m.t.try_tampered(ix, &swaps, &[&signer]).await)
        }
        79..=81 => {
            // Another reserve's vault, mint or price account in a deposit.
            let j = (i + 1 + rng.below(n as u64 - 1) as usize) % n;
            let other = m.reserves[j].clone();
            let ix = m.t.deposit_ix(&m.users[u], &r, rng.amount(liquidity.max(1)));
            let swaps = match rng.below(3) {
                0 => [(r.liquidity_vault, other.liquidity_vault)],
                1 => [(r.ctoken_mint, other.ctoken_mint)],
                _ => [(r.key, other.key)],
            };
            let signer = m.users[u].keypair.insecure_clone();
            ("deposit_with_swapped_account", m.t.try_tampered(ix, &swaps, &[&signer]).await)
        }
        82..=89 => {
            m.t.advance(10f64.powf(rng.unit() * 6.0) as i64).await;
            ("time", Ok(()))
        }
        _ => {
            let spec = m.t.price_spec(&r);
            let factor = match rng.below(10) {
                0 => 0.3 + rng.unit() * 0.4,
                1 => 1.5 + rng.unit(),
                _ => (rng.unit() - 0.5).mul_add(0.1, 1.0),
            };
            let price = ((spec.price as f64 * factor) as i64).max(1);
            let ema = if rng.chance(0.7) { price } else { spec.ema_price };
            let conf = if rng.chance(0.7) { 0 } else { rng.below(price as u64 / 40 + 1) };
            let frozen = rng.chance(0.05);
            m.t.set_price_spec(&r, PriceSpec { price, ema_price: ema, conf, frozen, ..spec });
            ("price", Ok(()))
        }
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

/// `transactions` random transactions from `seed`, every one checked, on a fresh market every
/// `EPISODE_TRANSACTIONS`. Panics at the first violation, naming the seed and step.
pub async fn run(seed: u64, transactions: u64) -> TxReport {
    let start = Instant::now();
    let mut rng = Rng::new(seed);
    let mut m = market().await;
    let mut report = TxReport::default();
    let mut rates = m.rates().await;
    let (mut n, mut next_market) = (0, EPISODE_TRANSACTIONS);
    while report.transactions < transactions {
        if report.transactions >= next_market {
            m = market().await;
            rates = m.rates().await;
            report.episodes += 1;
            next_market += EPISODE_TRANSACTIONS;
        }
        n += 1;
        let before = m.t.snapshot().await;
        let (kind, result) = step(&mut m, &mut rng).await;
        if matches!(kind, "time" | "price") {
            // The world moving, not a transaction.
            rates = m.rates().await;
            continue;
        }
        report.transactions += 1;
        *report.outcomes.entry(format!("{kind}: {}", outcome(&result))).or_default() += 1;
        match &result {
            Err(e) => {
                let now = m.t.snapshot().await;
                assert!(now == before, "seed {seed} step {n}: the failed {kind} ({e:?}) changed balances or Ballast accounts");
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
            }
        }
    }
    report.secs = start.elapsed().as_secs_f64();
    report
}
