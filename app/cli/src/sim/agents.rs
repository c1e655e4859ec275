//! The people of a path: borrowers who open positions (at the start, and as new entrants throughout, at the
//! prices and confidence of the moment, so the volatility haircut and the band decide how much they get),
//! re-lever toward a target share of their borrow power, loop (pledge an asset and borrow it again), and top
//! up from their own wallets when liquidation nears; and suppliers who withdraw when liquidity thins and, where
//! the market has a queue, take a ticket when a redeem is refused. Every key is derived from the path's seed,
//! so a path runs the same on any ledger.
use super::{live::Live, scenario::chance};
use crate::{rng::Rng, world::World};
use anyhow::{anyhow, Result};
use ballast_sdk::{
    ballast::{oracle::PriceUse, state::WithdrawalTicket},
    health::Projection,
    ix, pda, tokens, Cluster, Keypair, Pubkey, ReserveView, Signer,
};

/// A keypair from `seed` and an agent's number: the same on every run of the path.
pub fn keypair(seed: u64, id: u64) -> Keypair {
    let mut rng = Rng::new(seed ^ id.wrapping_mul(0xd6e8_feb8_6659_fd93) ^ 0x6b65_7973);
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_mut(8) {
        chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
    }
    Keypair::new_from_array(bytes)
}

/// A borrower with its obligation (id 0).
pub struct Borrower {
    pub user: Keypair,
    pub obligation: Pubkey,
    /// Asset indexes (the scenario's order) of what it pledges and what it borrows.
    pub collateral: usize,
    pub debt: usize,
    /// Share of borrow power it aims to use.
    pub target: f64,
}

pub struct Supplier {
    pub user: Keypair,
    pub liquidity: Pubkey,
    pub ctokens: Pubkey,
}

/// What a path knows about each asset.
#[derive(Clone, Copy)]
pub struct AssetKeys {
    pub reserve: Pubkey,
    pub mint: Pubkey,
}

/// What opening one borrower takes.
pub struct Opening {
    pub collateral: usize,
    pub debt: usize,
    /// Collateral value, quote units, and the share of borrow power to use.
    pub quote: f64,
    pub target: f64,
    /// Extra collateral kept in the wallet, a share of `quote`.
    pub wallet_share: f64,
}

/// What agents did in one step, for the report.
#[derive(Clone, Copy, Debug, Default)]
pub struct Activity {
    pub topups: usize,
    pub relevers: usize,
    pub redeems: usize,
    pub refused: usize,
    pub tickets: usize,
}

pub struct Agents<'w> {
    pub world: &'w World,
    pub assets: Vec<AssetKeys>,
    pub seed: u64,
    next_id: u64,
}

fn reserve(live: &Live, keys: &AssetKeys) -> Result<ReserveView> {
    Ok(*live.snap.reserve(&keys.reserve)?)
}

impl<'w> Agents<'w> {
    pub fn new(world: &'w World, assets: Vec<AssetKeys>, seed: u64) -> Self {
        Self { world, assets, seed, next_id: 0 }
    }

    fn next_keypair(&mut self) -> Keypair {
        self.next_id += 1;
        keypair(self.seed, self.next_id)
    }

    /// A wallet for `user` holding `native` units of asset `i` (its associated account, created if need be).
    async fn fund(&self, live: &Live<'_>, user: &Pubkey, i: usize, native: u64) -> Result<Pubkey> {
        let a = &self.assets[i];
        let account = pda::associated_token(user, &a.mint, &tokens::SPL_TOKEN_ID);
        let payer = live.cluster.payer().pubkey();
        let mut ixs = vec![tokens::create_ata_idempotent(&payer, user, &a.mint, &tokens::SPL_TOKEN_ID)];
        if native > 0 {
            ixs.push(tokens::mint_to(&a.mint, &account, &self.world.admin.pubkey(), native));
        }
        live.cluster.send(&ixs, &[&self.world.admin]).await?;
        Ok(account)
    }

    /// A supplier of asset `i` holding `ui` whole tokens of it as cTokens.
    pub async fn open_supplier(&mut self, live: &mut Live<'_>, i: usize, ui: f64) -> Result<Supplier> {
        let user = self.next_keypair();
        live.cluster.airdrop(&user.pubkey(), 100_000_000).await?;
        let r = reserve(live, &self.assets[i])?;
        let native = r.native(ui);
        let liquidity = self.fund(live, &user.pubkey(), i, native).await?;
        let ctokens = pda::associated_token(&user.pubkey(), &r.state.ctoken_mint, &r.token_program());
        let payer = live.cluster.payer().pubkey();
        let ixs = [tokens::create_ata_idempotent(&payer, &user.pubkey(), &r.state.ctoken_mint, &r.token_program()), ix::deposit_liquidity(&user.pubkey(), &r, &liquidity, &ctokens, native)];
        live.send(&ixs, &[&user]).await?;
        Ok(Supplier { user, liquidity, ctokens })
    }

    /// Opens a borrower at the prices of the moment (`prices[i]`, quote per whole token): it pledges the
    /// collateral, borrows its target share of what the program lets it, and a looper pledges what it borrowed
    /// and borrows again. None when the program lends it nothing now (a stale price, a full reserve).
    pub async fn open_borrower(&mut self, live: &mut Live<'_>, o: &Opening, prices: &[f64]) -> Result<Option<Borrower>> {
        let user = self.next_keypair();
        live.cluster.airdrop(&user.pubkey(), 100_000_000).await?;
        let coll = reserve(live, &self.assets[o.collateral])?;
        let ui = o.quote / prices[o.collateral];
        let (pledge, extra) = (coll.native(ui), coll.native(ui * o.wallet_share));
        let wallet = self.fund(live, &user.pubkey(), o.collateral, pledge + extra).await?;
        let market = self.world.market;
        let obligation = pda::obligation(&market, &user.pubkey(), 0);
        let open = [ix::init_obligation(&user.pubkey(), &market, 0), ix::deposit_liquidity_and_collateral(&user.pubkey(), &obligation, &coll, &wallet, pledge)];
        if live.send(&open, &[&user]).await.is_err() {
            return Ok(None);
        }
        let b = Borrower { user, obligation, collateral: o.collateral, debt: o.debt, target: o.target };
        let loops = if o.debt == o.collateral { 2 } else { 1 };
        for _ in 0..loops {
            let borrowed = self.borrow_to(live, &b, o.target).await?;
            if borrowed == 0 || o.debt != o.collateral {
                break;
            }
            // A loop: the borrowed asset goes back in as collateral.
            let r = reserve(live, &self.assets[b.collateral])?;
            let ixs = [ix::deposit_liquidity_and_collateral(&b.user.pubkey(), &b.obligation, &r, &wallet, borrowed)];
            let _ = live.send(&ixs, &[&b.user]).await;
        }
        Ok(Some(b))
    }

    /// Borrows so that `b` uses `target` of its borrow power (nothing when it is there already); returns the
    /// amount borrowed.
    async fn borrow_to(&self, live: &mut Live<'_>, b: &Borrower, target: f64) -> Result<u64> {
        let Ok(o) = live.snap.obligation(&b.obligation).map(|o| o.state) else { return Ok(0) };
        let debt = reserve(live, &self.assets[b.debt])?;
        let p = Projection::new(&live.snap);
        let Ok(h) = p.health(&o, PriceUse::Risk) else { return Ok(0) };
        let (power, used) = (h.borrow_power.to_num::<f64>(), h.initial_debt.to_num::<f64>());
        if power <= 0.0 || used >= target * power {
            return Ok(0);
        }
        let max = p.max_borrow(&o, &debt.key).unwrap_or(0) as f64;
        // The headroom the program allows is power − used; take the share of it that reaches the target.
        let amount = (max * (target * power - used) / (power - used)).floor() as u64;
        if amount == 0 {
            return Ok(0);
        }
        let wallet = pda::associated_token(&b.user.pubkey(), &debt.mint(), &debt.token_program());
        let payer = live.cluster.payer().pubkey();
        let ixs = [tokens::create_ata_idempotent(&payer, &b.user.pubkey(), &debt.mint(), &debt.token_program()), ix::borrow(&b.user.pubkey(), (&b.obligation, &o), &debt, &wallet, amount, live.snap.price_accounts())];
        Ok(match live.send(&ixs, &[&b.user]).await {
            Ok(()) => amount,
            Err(_) => 0,
        })
    }

    /// One step of every borrower's choices over `dt` seconds: a solvent borrower below `topup_health` pledges
    /// what its wallet holds, else repays part of its debt from what it borrowed; one well below its target
    /// borrows back toward it.
    pub async fn borrowers_act(&self, live: &mut Live<'_>, borrowers: &[&Borrower], s: &super::scenario::Population, dt: f64, rng: &mut Rng) -> Result<Activity> {
        let mut activity = Activity::default();
        let (p_topup, p_relever) = (chance(s.topup_per_hour, dt), chance(s.relever_per_hour, dt));
        // Decide on the step's snapshot first (one scan prices every reserve once), then act.
        let mut topups = vec![];
        let mut relevers = vec![];
        {
            let scanner = ballast_sdk::scan::Scanner::new(&live.snap)?;
            for (k, b) in borrowers.iter().enumerate() {
                let (topup_draw, relever_draw) = (rng.uniform(), rng.uniform());
                let Ok(o) = live.snap.obligation(&b.obligation).map(|o| o.state) else { continue };
                if o.active_borrows().is_empty() || o.active_deposits().is_empty() {
                    continue;
                }
                let Ok(h) = scanner.health(&o) else { continue };
                let health = h.liquidation_health()?.map(|x| x.to_num::<f64>()).unwrap_or(f64::INFINITY);
                if health < s.topup_health {
                    if h.collateral_value > h.debt_value && topup_draw < p_topup {
                        topups.push((k, o));
                    }
                } else if relever_draw < p_relever {
                    relevers.push(k);
                }
            }
        }
        for (k, o) in topups {
            if self.top_up(live, borrowers[k], &o, s.repay_share).await? {
                activity.topups += 1;
            }
        }
        for k in relevers {
            let b = borrowers[k];
            let Ok(o) = live.snap.obligation(&b.obligation).map(|o| o.state) else { continue };
            let used = Projection::new(&live.snap).health(&o, PriceUse::Risk).ok().map(|h| (h.initial_debt.to_num::<f64>(), h.borrow_power.to_num::<f64>()));
            if let Some((used, power)) = used {
                if power > 0.0 && used / power < b.target - s.relever_gap && self.borrow_to(live, b, b.target).await? > 0 {
                    activity.relevers += 1;
                }
            }
        }
        Ok(activity)
    }

    /// Pledges the wallet's collateral, or repays `repay_share` of the debt from the wallet; whether it did.
    async fn top_up(&self, live: &mut Live<'_>, b: &Borrower, o: &ballast_sdk::ballast::state::Obligation, repay_share: f64) -> Result<bool> {
        let coll = reserve(live, &self.assets[b.collateral])?;
        let wallet = pda::associated_token(&b.user.pubkey(), &coll.mint(), &coll.token_program());
        let held = balance(live, &wallet).await?;
        if held > 0 {
            let ixs = [ix::deposit_liquidity_and_collateral(&b.user.pubkey(), &b.obligation, &coll, &wallet, held)];
            return Ok(live.send(&ixs, &[&b.user]).await.is_ok());
        }
        let debt = reserve(live, &self.assets[b.debt])?;
        let Some(i) = o.find_borrow(&debt.key) else { return Ok(false) };
        let owed = o.borrows[i].debt_at(debt.state.cumulative_borrow_index_sf.get())?.to_num::<f64>();
        let wallet = pda::associated_token(&b.user.pubkey(), &debt.mint(), &debt.token_program());
        let amount = ((owed * repay_share) as u64).min(balance(live, &wallet).await?);
        if amount == 0 {
            return Ok(false);
        }
        let ixs = [ix::repay(&b.user.pubkey(), (&b.obligation, o), &debt, &wallet, amount)];
        Ok(live.send(&ixs, &[&b.user]).await.is_ok())
    }

    /// With utilization of asset `i` above `utilization_bps` or its LCR below 1, each supplier withdraws
    /// `share` of its cTokens at `per_hour`; a refused one takes a ticket for it when `queue`.
    #[allow(clippy::too_many_arguments)]
    pub async fn suppliers_act(&self, live: &mut Live<'_>, suppliers: &[Supplier], i: usize, s: &super::scenario::Population, queue: bool, dt: f64, rng: &mut Rng) -> Result<Activity> {
        let mut activity = Activity::default();
        // Every supplier's draw is taken whatever happens, so both configs of a path stay on the same stream.
        let draws: Vec<f64> = suppliers.iter().map(|_| rng.uniform()).collect();
        let r = reserve(live, &self.assets[i])?;
        let (utilization, lcr) = utilization_and_lcr(&r, live)?;
        if utilization * 1e4 <= s.withdraw_utilization_bps as f64 && lcr >= 1.0 {
            return Ok(activity);
        }
        let p = chance(s.withdraw_per_hour, dt);
        for (supplier, draw) in suppliers.iter().zip(draws) {
            if draw >= p {
                continue;
            }
            let held = balance(live, &supplier.ctokens).await?;
            let amount = (held as f64 * s.withdraw_share) as u64;
            if amount == 0 {
                continue;
            }
            let r = reserve(live, &self.assets[i])?;
            let redeem = [ix::redeem_collateral(&supplier.user.pubkey(), &r, &supplier.liquidity, &supplier.ctokens, amount)];
            if live.send(&redeem, &[&supplier.user]).await.is_ok() {
                activity.redeems += 1;
                continue;
            }
            activity.refused += 1;
            if queue {
                let request = [ix::request_withdrawal(&supplier.user.pubkey(), &r, &supplier.ctokens, &supplier.liquidity, amount)];
                if live.send(&request, &[&supplier.user]).await.is_ok() {
                    activity.tickets += 1;
                }
            }
        }
        Ok(activity)
    }

    /// Serves asset `i`'s queue head after head while fills go through; returns (sequence number, liquidity
    /// paid, whether the ticket closed) per fill.
    pub async fn crank_queue(&self, live: &mut Live<'_>, i: usize) -> Result<Vec<(u64, u64, bool)>> {
        let mut fills = vec![];
        for _ in 0..64 {
            let r = reserve(live, &self.assets[i])?;
            if r.state.queue_head >= r.state.queue_tail {
                break;
            }
            let key = pda::ticket(&r.key, r.state.queue_head);
            let Some(account) = live.cluster.account(&key).await? else { break };
            let ticket: WithdrawalTicket = ballast_sdk::accounts::decode(&account.data)?;
            let paid_before = balance(live, &ticket.destination).await?;
            if live.send(&[ix::fill_withdrawal(&r, &ticket)], &[]).await.is_err() {
                break;
            }
            let paid = balance(live, &ticket.destination).await?.saturating_sub(paid_before);
            fills.push((ticket.seq, paid, live.cluster.account(&key).await?.is_none()));
        }
        Ok(fills)
    }
}

/// A token account's balance (0 when it does not exist).
pub async fn balance(live: &Live<'_>, account: &Pubkey) -> Result<u64> {
    Ok(live.cluster.account(account).await?.and_then(|a| tokens::token_amount(&a.data)).unwrap_or(0))
}

/// Utilization and liquidity coverage ratio of `r` (LCR without deposits counts as full).
pub fn utilization_and_lcr(r: &ReserveView, live: &Live) -> Result<(f64, f64)> {
    let v = crate::read::reserve_json(r, Some(&live.snap))?;
    let lcr = v["lcr"].as_f64().unwrap_or(f64::INFINITY);
    Ok((v["utilization"].as_f64().ok_or_else(|| anyhow!("no utilization"))?, lcr.min(1e6)))
}
