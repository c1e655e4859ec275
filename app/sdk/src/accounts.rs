//! Decoding Ballast accounts from raw bytes, and loading a whole market.
use crate::cluster::{Cluster, Filter};
use anchor_lang::{prelude::Pubkey, Discriminator};
use anyhow::{anyhow, bail, Result};
use ballast::state::{Market, Obligation, Reserve};

/// Decodes a zero-copy Ballast account, checking its discriminator and length.
pub fn decode<T: bytemuck::Pod + Discriminator>(data: &[u8]) -> Result<T> {
    let disc = T::DISCRIMINATOR;
    let size = std::mem::size_of::<T>();
    if data.len() < disc.len() + size || &data[..disc.len()] != disc {
        bail!("not a {} account", std::any::type_name::<T>().rsplit("::").next().unwrap_or("Ballast"));
    }
    Ok(bytemuck::pod_read_unaligned(&data[disc.len()..disc.len() + size]))
}

/// Filters that select every account of type `T` in `market` (the market is each layout's first field).
pub fn market_filters<T: Discriminator>(market: &Pubkey) -> Vec<Filter> {
    vec![Filter::Memcmp { offset: 0, bytes: T::DISCRIMINATOR.to_vec() }, Filter::Memcmp { offset: 8, bytes: market.to_bytes().to_vec() }]
}

/// Share of the deposits not already queued for withdrawal that the liquidity coverage ratio assumes will
/// leave over its stress horizon (Basel III's run-off rate for less stable deposits is 10-40%).
pub const LCR_DEPOSIT_RUNOFF: f64 = 0.3;

/// Liquidity coverage ratio of a reserve: liquid funds over the short-term liabilities, which are the
/// queued withdrawals in full (they are owed as soon as liquidity returns) plus the run-off share of the
/// other deposits. All in the same unit; `None` when nothing is owed.
pub fn liquidity_coverage(available: f64, deposits: f64, queued: f64) -> Option<f64> {
    let liabilities = queued + LCR_DEPOSIT_RUNOFF * (deposits - queued).max(0.0);
    (liabilities > 0.0).then(|| available / liabilities)
}

#[derive(Clone, Copy)]
pub struct ReserveView {
    pub key: Pubkey,
    pub state: Reserve,
}

impl ReserveView {
    pub fn mint(&self) -> Pubkey {
        self.state.liquidity_mint
    }
    pub fn price_account(&self) -> Pubkey {
        self.state.config.oracle.price_account
    }
    /// The secondary source's feed account, when one is configured.
    pub fn secondary_price_account(&self) -> Option<Pubkey> {
        let s = &self.state.config.secondary;
        s.is_configured().then_some(s.price_account)
    }
    /// The price accounts a health group carries for this reserve: the primary, and the secondary when
    /// configured (borrow and withdraw need it; liquidation may use it).
    pub fn price_keys(&self) -> crate::ix::PriceKeys {
        crate::ix::PriceKeys { primary: self.price_account(), secondary: self.secondary_price_account() }
    }
    pub fn token_program(&self) -> Pubkey {
        self.state.token_program
    }
    pub fn decimals(&self) -> u8 {
        self.state.liquidity_decimals
    }
    /// Whole tokens from native units (for display only).
    pub fn ui(&self, native: u64) -> f64 {
        native as f64 / 10f64.powi(self.decimals() as i32)
    }
    /// Native units from whole tokens.
    pub fn native(&self, ui: f64) -> u64 {
        (ui * 10f64.powi(self.decimals() as i32)).round() as u64
    }
}

#[derive(Clone, Copy)]
pub struct ObligationView {
    pub key: Pubkey,
    pub state: Obligation,
}

/// A market with every reserve and obligation, read at one moment.
pub struct MarketSnapshot {
    pub key: Pubkey,
    pub market: Market,
    pub reserves: Vec<ReserveView>,
    pub obligations: Vec<ObligationView>,
    /// Raw accounts of every reserve and price account (for health projection).
    pub raw: std::collections::HashMap<Pubkey, solana_account::Account>,
    /// The cluster's clock, unix seconds.
    pub now: i64,
    /// The cluster's slot when the snapshot was read.
    pub slot: u64,
    /// The market's address lookup table (`Market::lookup_table`), when it names one that exists.
    pub lookup_table: Option<solana_message::AddressLookupTableAccount>,
}

impl MarketSnapshot {
    pub async fn load(cluster: &impl Cluster, market: &Pubkey) -> Result<Self> {
        let market_account = cluster.account(market).await?.ok_or_else(|| anyhow!("market {market} does not exist"))?;
        if market_account.owner != ballast::ID {
            bail!("{market} is not a Ballast market (owner {})", market_account.owner);
        }
        let market_state: Market = decode(&market_account.data).map_err(|_| anyhow!("{market} is not a Ballast market"))?;
        let mut raw = std::collections::HashMap::new();
        raw.insert(*market, market_account);
        let mut reserves = vec![];
        for (key, account) in cluster.program_accounts(&ballast::ID, &market_filters::<Reserve>(market)).await? {
            reserves.push(ReserveView { key, state: decode(&account.data)? });
            raw.insert(key, account);
        }
        reserves.sort_by_key(|r| r.key);
        let prices: Vec<Pubkey> = reserves.iter().flat_map(|r| std::iter::once(r.price_account()).chain(r.secondary_price_account())).collect();
        for (key, account) in prices.iter().zip(cluster.accounts(&prices).await?) {
            if let Some(account) = account {
                raw.insert(*key, account);
            }
        }
        let mut obligations = vec![];
        for (key, account) in cluster.program_accounts(&ballast::ID, &market_filters::<Obligation>(market)).await? {
            obligations.push(ObligationView { key, state: decode(&account.data)? });
        }
        obligations.sort_by_key(|o| o.key);
        let now = cluster.now().await?;
        let slot = cluster.slot().await?;
        let lookup_table = match market_state.lookup_table {
            table if table == Pubkey::default() => None,
            table => cluster.account(&table).await?.and_then(|a| crate::lut::decode(table, &a.data).ok()),
        };
        Ok(Self { key: *market, market: market_state, reserves, obligations, raw, now, slot, lookup_table })
    }

    /// Folds in one account change seen after the snapshot was read (a websocket notification): the market,
    /// one of its reserves, a price account they use, or one of its obligations (`None`: the account is gone).
    /// Returns the obligations whose health the change can move.
    pub fn apply(&mut self, key: Pubkey, account: Option<solana_account::Account>) -> Result<Vec<Pubkey>> {
        // A notification of bytes the snapshot already holds moves nothing.
        let held = match self.raw.get(&key) {
            Some(a) => Some(a.data.as_slice()),
            None => self.obligation_index(&key).ok().map(|i| bytemuck::bytes_of(&self.obligations[i].state)),
        };
        let same = match (&account, held) {
            (Some(new), Some(old)) => new.data == old || new.data.get(8..8 + old.len()) == Some(old),
            (None, None) => true,
            _ => false,
        };
        if same {
            return Ok(vec![]);
        }
        let all = || self.obligations.iter().map(|o| o.key).collect::<Vec<_>>();
        if key == self.key {
            let account = account.ok_or_else(|| anyhow!("market {key} was closed"))?;
            self.market = decode(&account.data)?;
            self.raw.insert(key, account);
            return Ok(all());
        }
        if let Some(i) = self.reserves.iter().position(|r| r.key == key) {
            let account = account.ok_or_else(|| anyhow!("reserve {key} was closed"))?;
            self.reserves[i].state = decode(&account.data)?;
            self.raw.insert(key, account);
            return Ok(self.holding(&[key]));
        }
        let priced: Vec<Pubkey> = self.reserves.iter().filter(|r| r.price_account() == key || r.secondary_price_account() == Some(key)).map(|r| r.key).collect();
        if !priced.is_empty() {
            match account {
                Some(account) => self.raw.insert(key, account),
                None => self.raw.remove(&key),
            };
            return Ok(self.holding(&priced));
        }
        let position = self.obligation_index(&key);
        let state = account.as_ref().filter(|a| a.owner == ballast::ID).and_then(|a| decode::<Obligation>(&a.data).ok()).filter(|o| o.market == self.key);
        match (position, state) {
            (Ok(i), Some(state)) => self.obligations[i].state = state,
            (Err(at), Some(state)) => self.obligations.insert(at, ObligationView { key, state }),
            (Ok(i), None) => {
                self.obligations.remove(i);
                return Ok(vec![]);
            }
            (Err(_), None) => return Ok(vec![]),
        }
        Ok(vec![key])
    }

    /// The obligations with a position in any of `reserves`.
    fn holding(&self, reserves: &[Pubkey]) -> Vec<Pubkey> {
        self.obligations.iter().filter(|o| o.state.health_reserves().any(|r| reserves.contains(&r))).map(|o| o.key).collect()
    }

    pub fn reserve(&self, key: &Pubkey) -> Result<&ReserveView> {
        self.reserves.iter().find(|r| r.key == *key).ok_or_else(|| anyhow!("reserve {key} is not in market {}", self.key))
    }

    /// The reserve whose liquidity mint is `mint`.
    pub fn reserve_by_mint(&self, mint: &Pubkey) -> Result<&ReserveView> {
        self.reserves.iter().find(|r| r.mint() == *mint).ok_or_else(|| anyhow!("market {} has no reserve for mint {mint}", self.key))
    }

    /// Where `key` is among the obligations (sorted by key), or where it would go.
    fn obligation_index(&self, key: &Pubkey) -> std::result::Result<usize, usize> {
        self.obligations.binary_search_by_key(key, |o| o.key)
    }

    pub fn obligation(&self, key: &Pubkey) -> Result<&ObligationView> {
        self.obligation_index(key).ok().map(|i| &self.obligations[i]).ok_or_else(|| anyhow!("obligation {key} is not in market {}", self.key))
    }

    /// The price account paired with each reserve key (what instruction builders need).
    /// The lookup tables a transaction of this market may use (none, or the market's).
    pub fn tables(&self) -> &[solana_message::AddressLookupTableAccount] {
        self.lookup_table.as_slice()
    }

    /// The price accounts of each reserve key, for instruction builders: the primary, and the secondary where
    /// one is configured.
    pub fn price_accounts(&self) -> impl Fn(&Pubkey) -> crate::ix::PriceKeys + '_ {
        move |reserve| self.reserves.iter().find(|r| r.key == *reserve).map(|r| r.price_keys()).unwrap_or_default()
    }

    /// As `price_accounts`, for liquidation: a reserve's secondary only where the program reads it
    /// (`oracle::liquidation_needs_secondary`), so an 8+8 liquidation stays within mainnet's 64 account locks
    /// whenever the primaries are alive.
    pub fn liquidation_price_accounts(&self) -> impl Fn(&Pubkey) -> crate::ix::PriceKeys + '_ {
        move |reserve| match self.reserves.iter().find(|r| r.key == *reserve) {
            Some(r) if !ballast::oracle::liquidation_needs_secondary(&r.state.config, self.primary_valid(r)) => {
                crate::ix::PriceKeys { primary: r.price_account(), secondary: None }
            }
            Some(r) => r.price_keys(),
            None => Default::default(),
        }
    }

    /// The cluster clock as the program judges prices.
    pub fn clock(&self) -> ballast::oracle::Now {
        ballast::oracle::Now { ts: self.now, slot: self.slot }
    }

    /// The spot price shown for `r`: its primary's when that validates for liquidation, else its secondary's
    /// last value (what a failover liquidation uses when that feed is fresh), else the primary's last value.
    /// For display only: the program's choice is `primary_price` / `secondary_price` through `sources::select`.
    pub fn spot_price(&self, r: &ReserveView) -> Option<f64> {
        let primary = self.raw.get(&r.price_account()).and_then(crate::pyth::spot_price);
        let secondary = r.secondary_price_account().and_then(|k| self.raw.get(&k)).and_then(crate::switchboard::spot_price);
        match (self.primary_valid(r), secondary) {
            (false, Some(s)) => Some(s),
            _ => primary,
        }
    }

    /// Whether `r`'s primary price passes liquidation's checks at the snapshot's clock.
    pub fn primary_valid(&self, r: &ReserveView) -> bool {
        self.primary_price(&r.state, ballast::oracle::PriceUse::Liquidation).is_ok()
    }

    /// `r`'s primary price for `use_`, checked as the program checks it (a missing account is invalid).
    pub fn primary_price(&self, r: &Reserve, use_: ballast::oracle::PriceUse) -> anchor_lang::Result<ballast::oracle::Price> {
        let cfg = &r.config.oracle;
        let account = self.raw.get(&cfg.price_account).ok_or(ballast::error::BallastError::OracleInvalidAccount)?;
        ballast::oracle::pyth::price_from_bytes(&account.owner, &account.data, cfg, self.now, use_)
    }

    /// `r`'s secondary price for `use_`, checked as the program checks it; None without a secondary.
    pub fn secondary_price(&self, r: &Reserve, use_: ballast::oracle::PriceUse) -> Option<anchor_lang::Result<ballast::oracle::Price>> {
        let cfg = &r.config.secondary;
        cfg.is_configured().then(|| {
            let account = self.raw.get(&cfg.price_account).ok_or(ballast::error::BallastError::OracleInvalidAccount)?;
            ballast::oracle::switchboard::feed_from_bytes(&account.owner, &account.data, cfg, self.now, self.slot, use_)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn liquidity_coverage_succeeds_counting_queued_withdrawals_in_full() {
        assert_eq!(liquidity_coverage(30.0, 100.0, 0.0), Some(1.0));
        // 20 queued: 20 + 30% of the other 80 = 44 owed.
        assert_eq!(liquidity_coverage(44.0, 100.0, 20.0), Some(1.0));
        assert_eq!(liquidity_coverage(0.0, 0.0, 0.0), None);
    }
}
