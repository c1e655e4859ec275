//! `keeper watch`: the keeper on a snapshot kept current by account notifications instead of a full rescan
//! every round. After each batch of notifications it examines only the obligations the batch can have moved
//! (an obligation that changed, or every holder of a reserve whose state or price changed); a full rescan
//! every `resync` heals anything a dropped connection missed, and hands the follower the accounts to follow
//! when the market has gained a reserve (or a price account) since it subscribed.
use super::{act, metrics::Metrics, summary, Options, Report};
use anyhow::{anyhow, Result};
use ballast_sdk::{accounts::market_filters, ballast::state::Obligation, Cluster, Keypair, MarketSnapshot, Pubkey};
use futures_util::StreamExt;
use solana_account::Account;
use std::{
    collections::BTreeSet,
    io::Write,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::sync::mpsc;

/// One account's new contents (`None`: the account was closed).
#[derive(Clone, Debug)]
pub struct Update {
    pub key: Pubkey,
    pub account: Option<Account>,
}

/// Runs the keeper from `snap` (read before `updates` were subscribed, so nothing falls between them) on
/// `updates` until the channel closes, or for `opts.rounds` rounds when that is not 0. After each full
/// rescan, `followed` is set to `followed_accounts` of the new snapshot when that differs.
#[allow(clippy::too_many_arguments)]
pub async fn watch(
    cluster: &impl Cluster,
    liquidator: &Keypair,
    mut snap: MarketSnapshot,
    opts: &Options,
    resync: Duration,
    updates: &mut mpsc::Receiver<Update>,
    followed: &tokio::sync::watch::Sender<Vec<Pubkey>>,
    metrics: &Arc<Mutex<Metrics>>,
    out: &mut impl Write,
) -> Result<Report> {
    let market = snap.key;
    let mut report = Report::default();
    let mut synced = Instant::now();
    // The first round looks at everything; later ones at what the notifications touched.
    let mut dirty: BTreeSet<Pubkey> = snap.obligations.iter().map(|o| o.key).collect();
    let mut round = 0u32;
    loop {
        if !dirty.is_empty() {
            round += 1;
            let started = Instant::now();
            let before = metrics.lock().map_err(|_| anyhow!("metrics lock poisoned"))?.clone();
            snap.now = cluster.now().await?;
            snap.slot = cluster.slot().await?;
            let candidates: Vec<Pubkey> = std::mem::take(&mut dirty).into_iter().collect();
            let done_before = (report.liquidated.len(), report.socialized.len());
            act(cluster, liquidator, &snap, &candidates, opts, started, metrics, &mut report, out).await?;
            super::housekeeping(cluster, liquidator, &snap, opts, metrics, &mut report, out).await?;
            summary(round, started, &before, metrics, opts, out)?;
            if opts.rounds != 0 && round >= opts.rounds {
                break;
            }
            let mut changed: Vec<Pubkey> = report.liquidated[done_before.0..].to_vec();
            changed.extend(report.socialized[done_before.1..].iter().map(|s| s.0));
            if !changed.is_empty() {
                // What this keeper just changed, read back now rather than acted on again from stale state
                // before its notifications arrive: the obligations it liquidated and the market's reserves.
                // A refused attempt changed nothing, so it waits for a notification (or the resync).
                changed.extend(snap.reserves.iter().map(|r| r.key));
                for (key, account) in changed.iter().zip(cluster.accounts(&changed).await?) {
                    dirty.extend(snap.apply(*key, account)?);
                }
                continue;
            }
        }
        let Some(first) = updates.recv().await else { break };
        // Drain what is already queued: one round per burst of notifications, not one per account.
        let mut batch = vec![first];
        while let Ok(next) = updates.try_recv() {
            batch.push(next);
        }
        if synced.elapsed() >= resync {
            snap = MarketSnapshot::load(cluster, &market).await?;
            synced = Instant::now();
            let now_followed = followed_accounts(&snap);
            followed.send_if_modified(|f| (*f != now_followed).then(|| *f = now_followed).is_some());
            dirty.extend(snap.obligations.iter().map(|o| o.key));
            continue;
        }
        for update in batch {
            dirty.extend(snap.apply(update.key, update.account)?);
        }
    }
    Ok(report)
}

/// The accounts a watch follows one by one: the market, its reserves and their price accounts.
pub fn followed_accounts(snap: &MarketSnapshot) -> Vec<Pubkey> {
    let mut keys = vec![snap.key];
    for r in &snap.reserves {
        keys.push(r.key);
        keys.push(r.price_account());
        keys.extend(r.secondary_price_account());
    }
    keys
}

/// Why `follow` returned without an error.
#[derive(Debug, PartialEq, Eq)]
pub enum Followed {
    /// The connection or `tx` closed.
    Closed,
    /// The accounts to follow changed: subscribe again, at once.
    AccountsChanged,
}

/// Follows the market over the websocket at `ws_url`: the market's obligations (programSubscribe on the
/// program, filtered on the obligation discriminator and the market) and each account `accounts` holds
/// (accountSubscribe), sending every notification to `tx`.
pub async fn follow(ws_url: &str, market: &Pubkey, accounts: &mut tokio::sync::watch::Receiver<Vec<Pubkey>>, tx: mpsc::Sender<Update>) -> Result<Followed> {
    use solana_account_decoder_client_types::UiAccountEncoding;
    use solana_pubsub_client::nonblocking::pubsub_client::PubsubClient;
    use solana_rpc_client_api::{
        config::{RpcAccountInfoConfig, RpcProgramAccountsConfig},
        filter::{Memcmp, RpcFilterType},
    };
    let client = PubsubClient::new(ws_url).await.map_err(|e| anyhow!("websocket {ws_url}: {e}"))?;
    let account_config = RpcAccountInfoConfig { encoding: Some(UiAccountEncoding::Base64), ..Default::default() };
    let filters = market_filters::<Obligation>(market)
        .into_iter()
        .map(|f| match f {
            ballast_sdk::Filter::Memcmp { offset, bytes } => RpcFilterType::Memcmp(Memcmp::new_raw_bytes(offset, bytes)),
            ballast_sdk::Filter::DataSize(n) => RpcFilterType::DataSize(n),
        })
        .collect();
    let program_config = RpcProgramAccountsConfig { filters: Some(filters), account_config: account_config.clone(), ..Default::default() };
    let (obligations, _unsubscribe) = client.program_subscribe(&ballast_sdk::ballast::ID, Some(program_config)).await?;
    let mut streams = vec![obligations
        .filter_map(|r| async move {
            let key = r.value.pubkey.parse::<Pubkey>().ok()?;
            Some(Update { key, account: r.value.account.decode::<Account>() })
        })
        .boxed()];
    let mut unsubscribes = vec![];
    let keys = accounts.borrow_and_update().clone();
    for key in keys {
        let (stream, unsubscribe) = client.account_subscribe(&key, Some(account_config.clone())).await?;
        unsubscribes.push(unsubscribe);
        streams.push(stream.map(move |r| Update { key, account: r.value.decode::<Account>() }).boxed());
    }
    let mut all = futures_util::stream::select_all(streams);
    loop {
        tokio::select! {
            update = all.next() => {
                let Some(update) = update else { return Ok(Followed::Closed) };
                if tx.send(update).await.is_err() {
                    return Ok(Followed::Closed);
                }
            }
            changed = accounts.changed() => match changed {
                Ok(()) => return Ok(Followed::AccountsChanged),
                Err(_) => return Ok(Followed::Closed),
            },
        }
    }
}

/// `keeper watch` against a live cluster: notifications from `ws_url` feed the keeper.
pub async fn command(cluster: &ballast_sdk::Rpc, signer: &solana_keypair::Keypair, cli: &crate::Cli, out: &mut impl std::io::Write) -> Result<()> {
    let crate::Command::Keeper(crate::KeeperCmd::Watch { keeper: k, ws_url, resync_secs }) = &cli.command else {
        return Err(anyhow::anyhow!("not a keeper watch command"));
    };
    let market = crate::pubkey_arg(&k.market, "market")?;
    let ws_url = ws_url.clone().unwrap_or_else(|| websocket_url(&cluster.client.url()));
    let opts = crate::keeper_options(cli, k, 0, std::time::Duration::ZERO);
    let metrics = crate::serve_metrics(k.metrics_addr).await?;
    // Subscribe first, then read the snapshot: a change between the two is then seen twice, never missed.
    let (followed, mut accounts) = tokio::sync::watch::channel(followed_accounts(&ballast_sdk::MarketSnapshot::load(cluster, &market).await?));
    let (tx, mut rx) = tokio::sync::mpsc::channel(4_096);
    // A dropped or refused websocket is reconnected with doubling backoff (at most a minute); what it missed
    // meanwhile is healed by the next full rescan (`--resync-secs`).
    let follower = tokio::spawn(async move {
        let mut backoff = std::time::Duration::from_secs(1);
        loop {
            match follow(&ws_url, &market, &mut accounts, tx.clone()).await {
                _ if tx.is_closed() => break,
                // A reserve was listed (seen by a full rescan): subscribe to its accounts too, now.
                Ok(Followed::AccountsChanged) => {
                    backoff = std::time::Duration::from_secs(1);
                    continue;
                }
                Ok(Followed::Closed) => eprintln!("keeper watch: {ws_url} closed the subscription; reconnecting in {} s", backoff.as_secs()),
                Err(e) => eprintln!("keeper watch: {e:#}; reconnecting in {} s", backoff.as_secs()),
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(std::time::Duration::from_secs(60));
        }
    });
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let snap = ballast_sdk::MarketSnapshot::load(cluster, &market).await?;
    let resync = std::time::Duration::from_secs(*resync_secs);
    let report = watch(cluster, signer, snap, &opts, resync, &mut rx, &followed, &metrics, out).await;
    follower.abort();
    report.map(|_| ())
}

/// The websocket URL the Solana CLI derives from an RPC URL: ws(s):// and, for an explicit port, port + 1.
pub fn websocket_url(rpc: &str) -> String {
    let (scheme, rest) = match rpc.split_once("://") {
        Some(("https", rest)) => ("wss", rest),
        Some((_, rest)) => ("ws", rest),
        None => ("ws", rpc),
    };
    let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
    let host = match host.rsplit_once(':') {
        Some((name, port)) => match port.parse::<u16>() {
            Ok(p) => format!("{name}:{}", p.saturating_add(1)),
            Err(_) => host.to_string(),
        },
        None => host.to_string(),
    };
    if path.is_empty() { format!("{scheme}://{host}") } else { format!("{scheme}://{host}/{path}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websocket_url_succeeds_deriving_it_as_the_solana_cli_does() {
        assert_eq!(websocket_url("http://127.0.0.1:8899"), "ws://127.0.0.1:8900");
        assert_eq!(websocket_url("https://api.devnet.solana.com"), "wss://api.devnet.solana.com");
        assert_eq!(websocket_url("https://rpc.example.com:443/key"), "wss://rpc.example.com:444/key");
    }
}
