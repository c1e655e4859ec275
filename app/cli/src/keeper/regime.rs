//! The volatility regime's crank: a `refresh_reserve` for every reserve whose regime is on and due a sample
//! (the program's own rule, `operations::regime::sample_due`), so each reserve's estimate follows its price
//! about once a minute while a keeper runs. Permissionless, and never in the way of liquidations: a reserve
//! whose price cannot be read now is skipped and counted.
use anyhow::Result;
use ballast_sdk::{ballast::operations::regime::sample_due, ix, Cluster, Keypair, MarketSnapshot};

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fed {
    /// Reserves refreshed (a regime sample taken).
    pub sampled: usize,
    /// Refreshes the program refused (a stale or invalid price): the sample waits for the next pass.
    pub refused: usize,
}

impl std::ops::AddAssign for Fed {
    fn add_assign(&mut self, other: Fed) {
        (self.sampled, self.refused) = (self.sampled + other.sampled, self.refused + other.refused);
    }
}

/// Refreshes every reserve of `snap` whose regime is due a sample at `snap.now`, each in its own
/// transaction, so one reserve's dead oracle does not hold back the others.
pub async fn feed(cluster: &impl Cluster, payer: &Keypair, snap: &MarketSnapshot) -> Result<Fed> {
    let mut fed = Fed::default();
    for r in snap.reserves.iter().filter(|r| sample_due(&r.state, snap.now)) {
        match cluster.send(&[ix::refresh_reserve(r)], &[payer]).await {
            Ok(_) => fed.sampled += 1,
            Err(_) => fed.refused += 1,
        }
    }
    Ok(fed)
}
