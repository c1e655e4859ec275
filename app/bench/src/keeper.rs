//! Keeper scan rate on one core: how many obligations per second the keeper health-checks from raw account
//! bytes (decode included), by the exact path (the program's own math, every reserve valued and priced once)
//! and through the f64 screen (which the SDK's tests hold to never clearing a liquidatable obligation).
use anchor_lang::Discriminator;
use ballast::state::Obligation;
use ballast_sdk::scan::{random::Market, Screen};
use std::time::Instant;

#[derive(Clone, Debug, serde::Serialize)]
pub struct ScanRate {
    pub obligations: usize,
    pub reserves: usize,
    /// Share of obligations within 10% of the threshold.
    pub near_edge: f64,
    /// Exact path only: checks per second.
    pub exact_per_sec: f64,
    /// Screen, then the exact path for what it does not clear: checks per second.
    pub screened_per_sec: f64,
    /// Share of obligations the screen clears without the exact path.
    pub screen_cleared: f64,
    /// Obligations the screen cleared that the exact path finds liquidatable (must be 0).
    pub screen_misses: usize,
}

/// Runs `f` over every obligation's bytes (read in place when aligned, as the keeper's RPC buffers are) until at
/// least `min_secs` have passed, three times; returns the best run's checks per second, the figure least
/// disturbed by whatever else the machine is doing.
fn rate(accounts: &[Vec<u8>], min_secs: f64, mut f: impl FnMut(&Obligation) -> bool) -> f64 {
    let size = std::mem::size_of::<Obligation>();
    let mut best: f64 = 0.0;
    for _ in 0..3 {
        let (start, mut checks, mut sink) = (Instant::now(), 0usize, 0usize);
        loop {
            for data in accounts {
                let bytes = &data[8..8 + size];
                sink += match bytemuck::try_from_bytes::<Obligation>(bytes) {
                    Ok(o) => f(o),
                    Err(_) => f(&bytemuck::pod_read_unaligned(bytes)),
                } as usize;
                checks += 1;
            }
            let secs = start.elapsed().as_secs_f64();
            if secs >= min_secs {
                std::hint::black_box(sink);
                best = best.max(checks as f64 / secs);
                break;
            }
        }
    }
    best
}

/// Share of the benchmark market's obligations within 10% of the liquidation threshold (the rest are 10% to
/// 200% above it); the SDK's never-miss test puts all of them there.
pub const NEAR_EDGE: f64 = 0.05;

pub fn scan_rate(obligations: usize, min_secs: f64) -> ScanRate {
    let m = Market::new(42, 16, obligations, NEAR_EDGE);
    let accounts: Vec<Vec<u8>> = m
        .obligations
        .iter()
        .map(|o| [Obligation::DISCRIMINATOR, bytemuck::bytes_of(o)].concat())
        .collect();
    let scanner = m.scanner();
    let (mut cleared, mut misses) = (0, 0);
    for o in &m.obligations {
        if scanner.screen(o) == Screen::Healthy {
            cleared += 1;
            misses += scanner.is_liquidatable(o).unwrap_or(false) as usize;
        }
    }
    let exact_per_sec = rate(&accounts, min_secs, |o| scanner.is_liquidatable(o).unwrap_or(false));
    let screened_per_sec = rate(&accounts, min_secs, |o| scanner.liquidatable(o).unwrap_or(false));
    ScanRate {
        obligations,
        reserves: m.reserves.len(),
        near_edge: NEAR_EDGE,
        exact_per_sec,
        screened_per_sec,
        screen_cleared: cleared as f64 / obligations as f64,
        screen_misses: misses,
    }
}
