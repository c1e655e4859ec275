//! The keeper's counters, served in Prometheus' text exposition format.
use anyhow::Result;
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Totals since the keeper started, and the last round's timing.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    pub rounds: u64,
    pub scanned: u64,
    pub liquidatable: u64,
    pub liquidated: u64,
    pub written_off: u64,
    pub auctions_started: u64,
    pub regime_samples: u64,
    pub regime_refused: u64,
    pub queue_fills: u64,
    pub queue_fills_refused: u64,
    pub configs_applied: u64,
    pub configs_apply_refused: u64,
    pub failed: u64,
    pub retries: u64,
    /// Sum and count of confirmed liquidations' latency: from the round's read of the chain to confirmation.
    pub latency_sum: Duration,
    pub latency_count: u64,
    pub last_round: Duration,
}

impl Metrics {
    /// The text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: String| {
            out.push_str(&format!("# HELP ballast_keeper_{name} {help}\n# TYPE ballast_keeper_{name} {kind}\n"));
            out.push_str(&format!("ballast_keeper_{name} {value}\n"));
        };
        metric("rounds_total", "counter", "Rounds run.", self.rounds.to_string());
        metric("scanned_total", "counter", "Obligations examined, summed over rounds.", self.scanned.to_string());
        metric("liquidatable_total", "counter", "Obligations found liquidatable, summed over rounds.", self.liquidatable.to_string());
        metric("liquidated_total", "counter", "Liquidations confirmed.", self.liquidated.to_string());
        metric("written_off_total", "counter", "Bad-debt write-offs confirmed.", self.written_off.to_string());
        metric("auctions_started_total", "counter", "Insolvent auctions started (mark_insolvency) confirmed.", self.auctions_started.to_string());
        metric("regime_samples_total", "counter", "Volatility-regime samples taken (refresh_reserve on reserves due one).", self.regime_samples.to_string());
        metric("regime_refused_total", "counter", "Regime refreshes the program refused (a stale or invalid price).", self.regime_refused.to_string());
        metric("queue_fills_total", "counter", "Withdrawal tickets served (fill_withdrawal confirmed).", self.queue_fills.to_string());
        metric("queue_fills_refused_total", "counter", "Fills the program refused (no liquidity for the queue yet, a limiter, the utilization ceiling).", self.queue_fills_refused.to_string());
        metric("configs_applied_total", "counter", "Queued config changes applied once due (apply_pending_* confirmed).", self.configs_applied.to_string());
        metric("configs_apply_refused_total", "counter", "Due config changes whose application was refused.", self.configs_apply_refused.to_string());
        metric("failed_total", "counter", "Liquidations and write-offs that failed after every retry.", self.failed.to_string());
        metric("retries_total", "counter", "Sends retried after a transient failure.", self.retries.to_string());
        metric("last_round_seconds", "gauge", "Duration of the last round.", format!("{:.6}", self.last_round.as_secs_f64()));
        out.push_str("# HELP ballast_keeper_liquidation_latency_seconds From the round's read of the chain to a confirmed liquidation.\n");
        out.push_str("# TYPE ballast_keeper_liquidation_latency_seconds summary\n");
        out.push_str(&format!("ballast_keeper_liquidation_latency_seconds_sum {:.6}\n", self.latency_sum.as_secs_f64()));
        out.push_str(&format!("ballast_keeper_liquidation_latency_seconds_count {}\n", self.latency_count));
        out
    }
}

/// Serves `metrics` at every path of `listener` (one short HTTP/1.1 response per connection) until dropped.
pub async fn serve(listener: tokio::net::TcpListener, metrics: Arc<Mutex<Metrics>>) -> Result<()> {
    loop {
        let (mut stream, _) = listener.accept().await?;
        let metrics = metrics.clone();
        tokio::spawn(async move {
            // Read the request head (and ignore it: every path is the metrics page).
            let mut buf = [0u8; 1024];
            let _ = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf)).await;
            let body = metrics.lock().map(|m| m.render()).unwrap_or_default();
            let head = format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(body.as_bytes()).await;
            let _ = stream.shutdown().await;
        });
    }
}
