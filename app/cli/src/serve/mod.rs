//! `ballast serve`: a reserve-health dashboard on 127.0.0.1. Server-rendered HTML with inline SVG charts and
//! a few lines of plain JS that refresh the page; a JSON API serves the same [`board::Board`].
//!
//! One task reads the market (or steps the demo's crash) and swaps in a new board; the HTTP handlers only
//! render the board they find, so a slow RPC never stalls a page and every page of one load shows one moment.
pub mod board;
pub mod html;
pub mod stress;
pub mod svg;

use crate::{demo, world};
use anyhow::{anyhow, Result};
use axum::{
    extract::{Path, Query, Request, State},
    http::{header, StatusCode},
    middleware::{self, Next},
    response::{Html, IntoResponse, Response},
    routing::get,
    Json, Router,
};
use ballast_sdk::{Cluster, Pubkey};
use board::Board;
use serde_json::json;
use std::{
    collections::HashMap,
    io::Write,
    net::SocketAddr,
    sync::{Arc, RwLock},
    time::Duration,
};

/// The board every handler renders, replaced whole on each refresh. A handler takes the `Arc` and lets go of
/// the lock at once, so rendering never holds it.
pub type Shared = Arc<RwLock<Arc<Board>>>;

/// The board as it is now.
pub fn current(shared: &Shared) -> Arc<Board> {
    shared.read().unwrap_or_else(|e| e.into_inner()).clone()
}

fn replace(shared: &Shared, board: Board) {
    *shared.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(board);
}

/// How the dashboard runs.
#[derive(Clone, Debug)]
pub struct Options {
    pub port: u16,
    /// How often the market is read again (and the browser refreshes).
    pub refresh: Duration,
    /// Demo only: how often the crash takes a step.
    pub step: Duration,
    /// A `ballast sim --report` directory for the Stress page (default: the newest `reports/sim-*` under the
    /// working directory, if any).
    pub report: Option<std::path::PathBuf>,
}

impl Options {
    pub fn with_report(self, report: Option<std::path::PathBuf>) -> Self {
        Self { report, ..self }
    }

    /// The Stress page's report: the one `--report` names (an unreadable one is an error), else the newest
    /// under `reports/`, else none (the page says how to make one).
    pub fn stress_report(&self) -> Result<Option<Arc<stress::Report>>> {
        match &self.report {
            Some(dir) => Ok(Some(Arc::new(stress::load(dir)?))),
            None => Ok(stress::newest(std::path::Path::new("reports")).and_then(|d| stress::load(&d).ok()).map(Arc::new)),
        }
    }
}

#[derive(serde::Deserialize)]
struct Sort {
    sort: Option<String>,
    order: Option<String>,
}

impl Sort {
    fn key(&self) -> &str {
        match self.sort.as_deref() {
            Some("debt") => "debt",
            Some("collateral") => "collateral",
            _ => "health",
        }
    }

    fn descending(&self) -> bool {
        self.order.as_deref() == Some("desc")
    }
}

fn page(shared: &Shared, render: impl FnOnce(&Board) -> (String, &'static str, String)) -> Response {
    let b = current(shared);
    let (title, active, body) = render(&b);
    Html(html::layout(&b, &title, active, &body)).into_response()
}

fn api(shared: &Shared, render: impl FnOnce(&Board) -> serde_json::Value) -> Response {
    let b = current(shared);
    ([(header::CACHE_CONTROL, "no-store")], Json(render(&b))).into_response()
}

fn unknown_obligation(key: &str) -> String {
    format!("unknown obligation {key}: not an obligation of this market")
}

/// One obligation's detail, computed off the async workers (max borrow searches per reserve).
async fn detail(b: &Arc<Board>, key: &str) -> Option<Result<serde_json::Value>> {
    let (b, key) = (b.clone(), key.to_string());
    tokio::task::spawn_blocking(move || b.detail(&key)).await.unwrap_or_else(|e| Some(Err(anyhow!("detail: {e}"))))
}

/// Refuses a request whose Host is not this server's own loopback name: a web page elsewhere cannot read
/// the dashboard through DNS rebinding (its requests carry the attacker's host name).
async fn loopback_host_only(State(port): State<u16>, request: Request, next: Next) -> Response {
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let allowed = [format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")];
    if allowed.iter().any(|a| a == host) {
        next.run(request).await
    } else {
        (StatusCode::MISDIRECTED_REQUEST, format!("serve answers only to Host 127.0.0.1:{port} or localhost:{port}, not `{host}`")).into_response()
    }
}

/// The dashboard's routes: pages, then the JSON API under `/api`. Only requests addressed to
/// 127.0.0.1:`port` or localhost:`port` are answered. The Stress page shows no report.
pub fn router(board: Shared, port: u16) -> Router {
    router_with(board, port, None)
}

/// [`router`], the Stress page showing `report` beside the live market.
pub fn router_with(board: Shared, port: u16, report: Option<Arc<stress::Report>>) -> Router {
    let (page_report, file_report) = (report.clone(), report);
    Router::new()
        .route(
            "/stress",
            get(|State(b): State<Shared>| async move { page(&b, |b| ("Stress".into(), "Stress", stress::page(b, page_report.as_deref()))) }),
        )
        .route(
            "/stress/{file}",
            get(|Path(file): Path<String>| async move {
                let found = file_report.as_ref().filter(|_| stress::servable(&file)).and_then(|r| std::fs::read(r.dir.join(&file)).ok());
                match found {
                    Some(bytes) => {
                        let kind = if file.ends_with(".svg") { "image/svg+xml" } else { "image/png" };
                        ([(header::CONTENT_TYPE, kind)], bytes).into_response()
                    }
                    None => (StatusCode::NOT_FOUND, format!("no chart {file} in the report")).into_response(),
                }
            }),
        )
        .route("/", get(|State(b): State<Shared>| async move { page(&b, |b| ("Market".into(), "Market", html::market(b))) }))
        .route("/at-risk", get(|State(b): State<Shared>| async move { page(&b, |b| ("At risk".into(), "At risk", html::at_risk(b))) }))
        .route(
            "/obligations",
            get(|State(b): State<Shared>, Query(q): Query<Sort>| async move { page(&b, |b| ("Obligations".into(), "Obligations", html::obligations(b, q.key(), q.descending()))) }),
        )
        .route(
            "/obligations/{key}",
            get(|State(b): State<Shared>, Path(key): Path<String>| async move {
                let b = current(&b);
                let (status, title, body) = match detail(&b, &key).await {
                    Some(Ok(d)) => (StatusCode::OK, format!("Obligation {}", board::short(&key)), html::obligation(&b, &d)),
                    Some(Err(e)) => (StatusCode::SERVICE_UNAVAILABLE, "Obligation".into(), format!("<p class=\"bad\">{}</p>", html::esc(&format!("{e:#}")))),
                    None => (StatusCode::NOT_FOUND, "Unknown obligation".into(), format!("<p class=\"bad\">{}</p>", html::esc(&unknown_obligation(&key)))),
                };
                (status, Html(html::layout(&b, &title, "Obligations", &body))).into_response()
            }),
        )
        .route("/activity", get(|State(b): State<Shared>| async move { page(&b, |b| ("Liquidations and write-offs".into(), "Liquidations & write-offs", html::activity(b))) }))
        .route("/api/board", get(|State(b): State<Shared>| async move { api(&b, |b| json!(b)) }))
        .route(
            "/api/market",
            get(|State(b): State<Shared>| async move { api(&b, |b| json!({ "market": b.market, "reserves": b.reserves, "history": b.history, "slot": b.slot, "now": b.now })) }),
        )
        .route("/api/at-risk", get(|State(b): State<Shared>| async move { api(&b, |b| json!(b.risk)) }))
        .route("/api/obligations", get(|State(b): State<Shared>, Query(q): Query<Sort>| async move { api(&b, |b| json!(b.sorted(q.key(), q.descending()))) }))
        .route(
            "/api/obligations/{key}",
            get(|State(b): State<Shared>, Path(key): Path<String>| async move {
                match detail(&current(&b), &key).await {
                    Some(Ok(d)) => ([(header::CACHE_CONTROL, "no-store")], Json(d)).into_response(),
                    Some(Err(e)) => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "error": format!("{e:#}") }))).into_response(),
                    None => (StatusCode::NOT_FOUND, Json(json!({ "error": unknown_obligation(&key) }))).into_response(),
                }
            }),
        )
        .route("/api/activity", get(|State(b): State<Shared>| async move { api(&b, |b| json!({ "activity": b.activity, "error": b.activity_error })) }))
        .with_state(board)
        .layer(middleware::from_fn_with_state(port, loopback_host_only))
}

/// Binds 127.0.0.1:`port` (0 picks a free one) and serves `board` on a spawned task. Returns the address.
pub async fn spawn(port: u16, board: Shared) -> Result<SocketAddr> {
    spawn_with(port, board, None).await
}

/// [`spawn`], with a report for the Stress page.
pub async fn spawn_with(port: u16, board: Shared, report: Option<Arc<stress::Report>>) -> Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| anyhow!("serve: cannot listen on 127.0.0.1:{port}: {e}"))?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, router_with(board, addr.port(), report)).await });
    Ok(addr)
}

/// The options `serve`'s flags ask for.
pub fn options(port: u16, refresh_secs: u64, step_secs: u64) -> Result<Options> {
    if refresh_secs == 0 || step_secs == 0 {
        return Err(anyhow!("serve: --refresh-secs and --step-secs must be at least 1"));
    }
    Ok(Options { port, refresh: Duration::from_secs(refresh_secs), step: Duration::from_secs(step_secs), report: None })
}

/// `serve --market` against `cluster` (`source` names it on the page). `--demo` builds its own cluster: see [`demo`].
pub async fn from_cli(cluster: &impl Cluster, cli: &crate::Cli, source: &str, out: &mut impl Write) -> Result<()> {
    let crate::Command::Serve { port, market, demo, spec, refresh_secs, step_secs, report, .. } = &cli.command else {
        return Err(anyhow!("not a serve command"));
    };
    if *demo {
        return Err(anyhow!("serve --demo builds its own in-process cluster; run it from main (or serve::demo)"));
    }
    let market = market.as_deref().ok_or_else(|| anyhow!("serve: pass --market ADDRESS (and --url), or --demo for the in-process demo"))?;
    let market = crate::pubkey_arg(market, "market")?;
    let names = match spec {
        Some(path) => spec_names(&market, path)?,
        None => HashMap::new(),
    };
    self::cluster(cluster, &market, &names, source, &options(*port, *refresh_secs, *step_secs)?.with_report(report.clone()), out).await
}

/// Reserve address → symbol, for the reserves of a migrations spec that name their mint.
pub fn spec_names(market: &Pubkey, path: &std::path::Path) -> Result<HashMap<Pubkey, String>> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow!("--spec {}: {e}", path.display()))?;
    let spec = ballast_migrate::Spec::parse(&text).map_err(|e| anyhow!("--spec {}: {e:#}", path.display()))?;
    let mut names = HashMap::new();
    for r in &spec.reserves {
        if let Some(mint) = &r.mint {
            names.insert(ballast_sdk::pda::reserve(market, &crate::pubkey_arg(mint, "spec mint")?), r.symbol.clone());
        }
    }
    Ok(names)
}

fn refresh_ms(opts: &Options) -> u64 {
    opts.refresh.as_millis() as u64
}

/// Serves the dashboard for `market` on `cluster` (`names` gives reserves their symbols), reading it again
/// every `opts.refresh` until the process ends. A failed read keeps the last board and says so in its status.
pub async fn cluster(cluster: &impl Cluster, market: &Pubkey, names: &HashMap<Pubkey, String>, source: &str, opts: &Options, out: &mut impl Write) -> Result<()> {
    let mut memory = board::Memory::default();
    let first = board::load(cluster, market, names, source, "live", refresh_ms(opts), &mut memory).await?;
    let read = format!("{} reserves and {} obligations read in {} ms", first.reserves.len(), first.obligations.len(), first.build_ms);
    let shown = first.source.clone();
    let shared: Shared = Arc::new(RwLock::new(Arc::new(first)));
    let addr = spawn_with(opts.port, shared.clone(), opts.stress_report()?).await?;
    writeln!(out, "dashboard for market {market} ({shown}): http://{addr}/ (JSON at http://{addr}/api/board); {read}; Ctrl-C stops it")?;
    out.flush()?;
    loop {
        tokio::time::sleep(opts.refresh).await;
        match board::load(cluster, market, names, source, "live", refresh_ms(opts), &mut memory).await {
            Ok(b) => replace(&shared, b),
            Err(e) => {
                let mut b = (*current(&shared)).clone();
                b.status = format!("last read failed: {}; showing slot {}", board::public_url(&format!("{e:#}").replace('\n', " ")), b.slot);
                replace(&shared, b);
            }
        }
    }
}

/// The demo's status line at `step` of its crash.
pub fn demo_status(step: usize) -> String {
    let (sol, volt) = demo::CRASH[step];
    if step + 1 == demo::CRASH.len() {
        format!("demo: crash over (step {step}/{}, SOL {sol:.2}, VOLT {volt:.2})", demo::CRASH.len() - 1)
    } else {
        format!("demo: crash step {step}/{} (SOL {sol:.2}, VOLT {volt:.2})", demo::CRASH.len() - 1)
    }
}

/// Takes the demo's crash one step (the keeper liquidating after it) and builds the board that follows.
pub async fn demo_step(w: &mut world::World, cast: &demo::Cast, step: usize, opts: &Options, memory: &mut board::Memory) -> Result<Board> {
    demo::crash_step(w, &cast.liquidator, step).await?;
    board::load(&w.cluster, &w.market, &w.names(), "demo (in-process)", &demo_status(step), refresh_ms(opts), memory).await
}

/// Serves the demo's world: its market and `users` positions, then a crash step every `opts.step` with the
/// keeper liquidating, each followed by a fresh board. The browser refreshes every `opts.refresh`.
pub async fn demo(users: usize, opts: &Options, out: &mut impl Write) -> Result<()> {
    writeln!(out, "Setting up the demo's market and {users} users in-process…")?;
    let mut w = world::set_up(&mut Vec::new()).await?;
    let cast = demo::populate(&w, users).await?;
    let mut memory = board::Memory::default();
    let first = board::load(&w.cluster, &w.market, &w.names(), "demo (in-process)", &demo_status(0), refresh_ms(opts), &mut memory).await?;
    let read = format!("{} obligations read in {} ms", first.obligations.len(), first.build_ms);
    let shared: Shared = Arc::new(RwLock::new(Arc::new(first)));
    let addr = spawn_with(opts.port, shared.clone(), opts.stress_report()?).await?;
    writeln!(out, "dashboard: http://{addr}/ (JSON at http://{addr}/api/board); {read}; the crash steps every {} s; Ctrl-C stops it", opts.step.as_secs())?;
    out.flush()?;
    for step in 1..demo::CRASH.len() {
        tokio::time::sleep(opts.step).await;
        let next = demo_step(&mut w, &cast, step, opts, &mut memory).await?;
        writeln!(out, "{}: {} liquidations and write-offs so far; read in {} ms", next.status, next.activity.len(), next.build_ms)?;
        replace(&shared, next);
    }
    // After the crash the market keeps moving, a day of the simulator's price model at a time.
    let (mut hour, mut last) = (0usize, demo::CRASH[demo::CRASH.len() - 1]);
    for seed in 1u64.. {
        for prices in demo::aftermath(24, last, seed)? {
            tokio::time::sleep(opts.step).await;
            hour += 1;
            let next = demo_aftermath_step(&mut w, &cast, hour, prices, opts, &mut memory).await?;
            writeln!(out, "{}: {} liquidations and write-offs so far; read in {} ms", next.status, next.activity.len(), next.build_ms)?;
            replace(&shared, next);
            last = prices;
        }
    }
    Ok(())
}

/// One hour after the crash at these (SOL, VOLT) prices, the keeper liquidating after it, and the board that
/// follows.
pub async fn demo_aftermath_step(w: &mut world::World, cast: &demo::Cast, hour: usize, (sol, volt): (f64, f64), opts: &Options, memory: &mut board::Memory) -> Result<Board> {
    demo::price_step(w, &cast.liquidator, sol, volt).await?;
    let status = format!("demo: after the crash, hour {hour} (SOL {sol:.2}, VOLT {volt:.2}; the simulator's price model)");
    board::load(&w.cluster, &w.market, &w.names(), "demo (in-process)", &status, refresh_ms(opts), memory).await
}
