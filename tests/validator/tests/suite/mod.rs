//! The suite's world on a real validator: mints made by transactions over JSON-RPC, price accounts in genesis
//! moved by transactions, and the market made by the `ballast-migrate` binary from a spec; the CLI's binary
//! then acts for users, the admin, the council and keepers, each with its own keypair file, as a user would.
mod scenarios;

use anyhow::{anyhow, bail, Context, Result};
use ballast_sdk::{
    pyth::{price_update_account, PricePoint},
    tokens, Cluster, Keypair, MarketSnapshot, Pubkey, ReserveView, Rpc, Signer,
};
use ballast_validator_tests::node::{price_authority, transfer_ix, write_price_ix, Node};
use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

pub use scenarios::run_all;

/// One asset of a market the suite made.
pub struct Asset {
    pub symbol: String,
    pub mint: Pubkey,
    pub price_account: Pubkey,
    pub feed_id: [u8; 32],
}

pub struct Suite {
    pub node: Node,
    /// The SDK's RPC cluster, paying from genesis's faucet: the suite's own reads and set-up writes.
    pub rpc: Rpc,
    /// Keypair files, specs and market keypairs.
    pub dir: PathBuf,
    /// Where `ballast` and `ballast-migrate` were built.
    pub bin: PathBuf,
    pub admin: Keypair,
}

/// The directory holding the workspace's binaries: this test runs from `<target>/<profile>/deps`.
pub fn bin_dir() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().and_then(Path::parent).ok_or_else(|| anyhow!("no target directory above {}", exe.display()))?.to_path_buf();
    for name in ["ballast", "ballast-migrate"] {
        if !dir.join(name).is_file() {
            bail!("{} is not built: {}", dir.join(name).display(), ballast_validator_tests::RUN);
        }
    }
    Ok(dir)
}

impl Suite {
    /// A validator whose genesis holds a price account for each of `prices` (symbol, feed id, price), and an
    /// admin with SOL.
    pub async fn start(prices: &[(&str, [u8; 32], f64)]) -> Result<(Suite, Vec<Asset>)> {
        let bin = bin_dir()?;
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() as i64;
        let mut genesis = vec![];
        let mut assets = vec![];
        for (symbol, feed_id, price) in prices {
            let key = Keypair::new().pubkey();
            genesis.push((key, price_update_account(&PricePoint::calm(*feed_id, *price, now))));
            assets.push(Asset { symbol: symbol.to_string(), mint: Pubkey::default(), price_account: key, feed_id: *feed_id });
        }
        let node = Node::start(&genesis).await?;
        let rpc = Rpc::new(&node.rpc_url, node.faucet.insecure_clone());
        let dir = std::env::temp_dir().join(format!("ballast-validator-suite-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let suite = Suite { node, rpc, dir, bin, admin: Keypair::new() };
        suite.airdrop(&suite.admin.pubkey(), 1_000_000_000_000).await?;
        suite.write_keypair("admin", &suite.admin)?;
        Ok((suite, assets))
    }

    /// Writes `keypair` where `ballast --keypair` reads it, and returns that path.
    pub fn write_keypair(&self, name: &str, keypair: &Keypair) -> Result<PathBuf> {
        let path = self.dir.join(format!("{name}.json"));
        ballast_migrate::write_keypair(&path, keypair)?;
        Ok(path)
    }

    pub fn keypair_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    pub async fn airdrop(&self, to: &Pubkey, lamports: u64) -> Result<()> {
        self.rpc.send(&[transfer_ix(&self.node.faucet.pubkey(), to, lamports)], &[]).await.map(|_| ())
    }

    /// A new user with SOL for fees and rent, its keypair written as `<name>.json`.
    pub async fn user(&self, name: &str) -> Result<Keypair> {
        let user = Keypair::new();
        self.airdrop(&user.pubkey(), 10_000_000_000).await?;
        self.write_keypair(name, &user)?;
        Ok(user)
    }

    /// Creates one mint per asset (the admin its authority), over RPC.
    pub async fn create_mints(&self, assets: &mut [Asset], decimals: &dyn Fn(&str) -> u8) -> Result<()> {
        for a in assets.iter_mut() {
            let mint = Keypair::new();
            self.rpc.send(&tokens::create_mint(&self.node.faucet.pubkey(), &mint.pubkey(), &self.admin.pubkey(), decimals(&a.symbol)), &[&mint]).await?;
            a.mint = mint.pubkey();
        }
        Ok(())
    }

    /// Gives `owner` an associated token account of `mint` holding `native` more units.
    pub async fn fund(&self, owner: &Pubkey, mint: &Pubkey, native: u64) -> Result<Pubkey> {
        let account = ballast_sdk::pda::associated_token(owner, mint, &tokens::SPL_TOKEN_ID);
        let ixs = [tokens::create_ata_idempotent(&self.node.faucet.pubkey(), owner, mint, &tokens::SPL_TOKEN_ID), tokens::mint_to(mint, &account, &self.admin.pubkey(), native)];
        self.rpc.send(&ixs, &[&self.admin]).await?;
        Ok(account)
    }

    /// Publishes each asset's price through the stand-in Pyth receiver, stamped with the cluster's clock, five
    /// to a transaction.
    pub async fn publish(&self, prices: &[(&Asset, f64)]) -> Result<()> {
        let now = self.rpc.now().await?;
        for chunk in prices.chunks(5) {
            let ixs: Vec<_> = chunk.iter().map(|(a, price)| write_price_ix(&a.price_account, &price_update_account(&PricePoint::calm(a.feed_id, *price, now)))).collect();
            self.rpc.send(&ixs, &[&price_authority()]).await?;
        }
        Ok(())
    }

    /// Runs the `ballast` binary with `--url` and `--keypair <who>.json`; its stdout, or an error carrying
    /// its stderr.
    pub async fn cli(&self, who: &str, args: &[&str]) -> Result<String> {
        self.run_bin("ballast", who, args).await
    }

    /// Runs the `ballast-migrate` binary the same way.
    pub async fn migrate(&self, who: &str, args: &[&str]) -> Result<String> {
        self.run_bin("ballast-migrate", who, args).await
    }

    async fn run_bin(&self, name: &str, who: &str, args: &[&str]) -> Result<String> {
        let output = self.command(name, who, args).output().await.with_context(|| format!("running {name}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout).to_string();
        if !output.status.success() {
            bail!("`{name} {}` failed: {}{}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim(), stdout);
        }
        Ok(stdout)
    }

    /// The command line for `name` as `who`, not yet started (for the long-running ones).
    pub fn command(&self, name: &str, who: &str, args: &[&str]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(self.bin.join(name));
        cmd.arg("--url").arg(&self.node.rpc_url).arg("--keypair").arg(self.keypair_path(who)).args(args).kill_on_drop(true);
        cmd.env_remove("SOLANA_CONFIG").env("HOME", &self.dir);
        cmd
    }

    pub async fn snapshot(&self, market: &Pubkey) -> Result<MarketSnapshot> {
        MarketSnapshot::load(&self.rpc, market).await
    }
}

/// The reserve of `mint` in `snap`.
pub fn reserve(snap: &MarketSnapshot, mint: &Pubkey) -> Result<ReserveView> {
    snap.reserve_by_mint(mint).copied().with_context(|| format!("no reserve for mint {mint}"))
}

/// Polls `check` every 250 ms until it holds or `timeout` passes.
pub async fn eventually<F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let start = Instant::now();
    loop {
        if check().await? {
            return Ok(());
        }
        if start.elapsed() > timeout {
            bail!("{what}: not seen within {} s", timeout.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The spec text with each reserve's mint and price account filled in after its `symbol` line, and the market
/// keypair named `market_keypair` (created beside the spec by `apply`).
pub fn fill_spec(text: &str, assets: &[Asset], market_keypair: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("keypair = ") {
            out.push_str(&format!("keypair = \"{market_keypair}\"\n"));
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if let Some(symbol) = line.trim().strip_prefix("symbol = ").map(|s| s.trim_matches('"')) {
            if let Some(a) = assets.iter().find(|a| a.symbol == symbol) {
                out.push_str(&format!("mint = \"{}\"\nprice_account = \"{}\"\n", a.mint, a.price_account));
            }
        }
    }
    out
}
