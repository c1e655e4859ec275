//! User actions: each builds its instructions with the SDK and sends one transaction.
use crate::{
    load_reserve,
    submit::{submit, Mode, Plan},
};
use anyhow::{anyhow, bail, Result};
use ballast_sdk::{
    accounts::decode,
    ballast::{instructions::LiquidateArgs, state::Obligation},
    health::Projection,
    ix, pda, tokens, Cluster, Keypair, MarketSnapshot, Pubkey, ReserveView, Signer,
};
use solana_sdk_ix::Instruction;
use std::io::Write;

mod solana_sdk_ix {
    pub use anchor_lang::solana_program::instruction::Instruction;
}

/// The obligation every CLI user works with: id 0 of the signer in the reserve's market.
pub fn default_obligation(market: &Pubkey, owner: &Pubkey) -> Pubkey {
    pda::obligation(market, owner, 0)
}

pub(crate) struct Ctx {
    pub snap: MarketSnapshot,
    pub reserve: ReserveView,
}

pub(crate) async fn context(cluster: &impl Cluster, reserve: &Pubkey) -> Result<Ctx> {
    let state = load_reserve(cluster, reserve).await?;
    let snap = MarketSnapshot::load(cluster, &state.market).await?;
    let reserve = *snap.reserve(reserve)?;
    Ok(Ctx { snap, reserve })
}

pub(crate) fn ata(owner: &Pubkey, mint: &Pubkey, r: &ReserveView) -> Pubkey {
    pda::associated_token(owner, mint, &r.token_program())
}

fn create_atas(payer: &Pubkey, owner: &Pubkey, r: &ReserveView) -> Vec<Instruction> {
    vec![
        tokens::create_ata_idempotent(payer, owner, &r.mint(), &r.token_program()),
        tokens::create_ata_idempotent(payer, owner, &r.state.ctoken_mint, &r.token_program()),
    ]
}

async fn obligation_state(cluster: &impl Cluster, key: &Pubkey) -> Result<Option<Obligation>> {
    match cluster.account(key).await? {
        Some(a) => Ok(Some(decode(&a.data)?)),
        None => Ok(None),
    }
}

pub async fn deposit(cluster: &impl Cluster, signer: &Keypair, reserve: &Pubkey, amount: f64, pledge: bool, mode: Mode, out: &mut impl Write) -> Result<()> {
    let c = context(cluster, reserve).await?;
    let owner = signer.pubkey();
    let native = c.reserve.native(amount);
    if native == 0 {
        bail!("--amount must be positive");
    }
    let payer = cluster.payer().pubkey();
    let mut ixs = create_atas(&payer, &owner, &c.reserve);
    let liquidity = ata(&owner, &c.reserve.mint(), &c.reserve);
    if pledge {
        let obligation = default_obligation(&c.snap.key, &owner);
        if obligation_state(cluster, &obligation).await?.is_none() {
            ixs.push(ix::init_obligation(&owner, &c.snap.key, 0));
        }
        ixs.push(ix::deposit_liquidity_and_collateral(&owner, &obligation, &c.reserve, &liquidity, native));
    } else {
        let ctokens = ata(&owner, &c.reserve.state.ctoken_mint, &c.reserve);
        ixs.push(ix::deposit_liquidity(&owner, &c.reserve, &liquidity, &ctokens, native));
    }
    let minted = c.reserve.state.liquidity_to_ctokens_floor(native)?;
    let plan = Plan::new(format!("deposit {amount} into reserve {reserve}{}", if pledge { " as collateral" } else { "" }))
        .line(format!("for about {minted} cTokens"))
        .details(serde_json::json!({ "reserve": reserve.to_string(), "native_amount": native, "ctokens": minted, "pledge": pledge }));
    submit(cluster, &ixs, &[signer], c.snap.tables(), plan, mode, out).await.map(|_| ())
}

pub async fn withdraw(cluster: &impl Cluster, signer: &Keypair, reserve: &Pubkey, amount: &str, mode: Mode, out: &mut impl Write) -> Result<()> {
    let c = context(cluster, reserve).await?;
    let owner = signer.pubkey();
    let key = default_obligation(&c.snap.key, &owner);
    let o = obligation_state(cluster, &key).await?.ok_or_else(|| anyhow!("you have no obligation in market {}", c.snap.key))?;
    let ctokens = if amount == "all" {
        Projection::new(&c.snap).max_withdraw(&o, reserve)?
    } else {
        let ui: f64 = amount.parse().map_err(|_| anyhow!("--amount: `{amount}` is neither a number nor `all`"))?;
        c.reserve.state.liquidity_to_ctokens_floor(c.reserve.native(ui))?
    };
    if ctokens == 0 {
        bail!("nothing to withdraw from {reserve}");
    }
    let payer = cluster.payer().pubkey();
    let mut ixs = create_atas(&payer, &owner, &c.reserve);
    let liquidity = ata(&owner, &c.reserve.mint(), &c.reserve);
    ixs.push(ix::withdraw_collateral_and_redeem(&owner, (&key, &o), &c.reserve, &liquidity, ctokens, c.snap.price_accounts()));
    let liquidity_amount = c.reserve.state.ctokens_to_liquidity_floor(ctokens)?;
    let plan = Plan::new(format!("withdraw {ctokens} cTokens of reserve {reserve} and redeem them"))
        .line(format!("for about {} tokens", c.reserve.ui(liquidity_amount)))
        .details(serde_json::json!({ "reserve": reserve.to_string(), "ctokens": ctokens, "native_amount": liquidity_amount }));
    submit(cluster, &ixs, &[signer], c.snap.tables(), plan, mode, out).await.map(|_| ())
}

pub async fn borrow(cluster: &impl Cluster, signer: &Keypair, reserve: &Pubkey, amount: f64, mode: Mode, out: &mut impl Write) -> Result<()> {
    let c = context(cluster, reserve).await?;
    let owner = signer.pubkey();
    let key = default_obligation(&c.snap.key, &owner);
    let o = obligation_state(cluster, &key).await?.ok_or_else(|| anyhow!("you have no obligation in market {}; deposit collateral first", c.snap.key))?;
    let native = c.reserve.native(amount);
    let payer = cluster.payer().pubkey();
    let mut ixs = create_atas(&payer, &owner, &c.reserve);
    let liquidity = ata(&owner, &c.reserve.mint(), &c.reserve);
    ixs.push(ix::borrow(&owner, (&key, &o), &c.reserve, &liquidity, native, c.snap.price_accounts()));
    let max = Projection::new(&c.snap).max_borrow(&o, reserve)?;
    let plan = Plan::new(format!("borrow {amount} from reserve {reserve}"))
        .line(format!("health allows at most {}", c.reserve.ui(max)))
        .details(serde_json::json!({ "reserve": reserve.to_string(), "native_amount": native, "max_native": max }));
    submit(cluster, &ixs, &[signer], c.snap.tables(), plan, mode, out).await.map(|_| ())
}

pub async fn repay(cluster: &impl Cluster, signer: &Keypair, reserve: &Pubkey, amount: &str, obligation: Option<Pubkey>, mode: Mode, out: &mut impl Write) -> Result<()> {
    let c = context(cluster, reserve).await?;
    let payer_key = signer.pubkey();
    let key = obligation.unwrap_or_else(|| default_obligation(&c.snap.key, &payer_key));
    let o = obligation_state(cluster, &key).await?.ok_or_else(|| anyhow!("unknown obligation {key}"))?;
    let native = if amount == "all" {
        u64::MAX
    } else {
        c.reserve.native(amount.parse().map_err(|_| anyhow!("--amount: `{amount}` is neither a number nor `all`"))?)
    };
    let liquidity = ata(&payer_key, &c.reserve.mint(), &c.reserve);
    let plan = Plan::new(format!("repay {amount} of reserve {reserve} for obligation {key}"))
        .details(serde_json::json!({ "reserve": reserve.to_string(), "obligation": key.to_string(), "max_native_amount": native }));
    let ix = ix::repay(&payer_key, (&key, &o), &c.reserve, &liquidity, native);
    submit(cluster, &[ix], &[signer], c.snap.tables(), plan, mode, out).await.map(|_| ())
}

/// How a liquidation is sent.
#[derive(Clone, Copy, Debug)]
pub struct LiquidationSend {
    /// Least payout accepted below the projected one, bps: the transaction fails rather than pay less
    /// (prices or the exchange rate moved against the liquidator between projection and execution).
    pub slippage_bps: u16,
    /// Compute-unit price in micro-lamports (a priority fee), when set.
    pub priority_fee: Option<u64>,
    /// Compute-unit limit, when set.
    pub compute_unit_limit: Option<u32>,
}

impl Default for LiquidationSend {
    fn default() -> Self {
        Self { slippage_bps: 100, priority_fee: None, compute_unit_limit: None }
    }
}

/// A projected liquidation: what the program will size now, and the least payout the transaction accepts.
#[derive(Clone, Copy, Debug)]
pub struct Projected {
    pub repay_amount: u64,
    /// cTokens the liquidator receives (seized less the protocol's fee).
    pub payout_ctokens: u64,
    pub min_seized_out: u64,
    /// The liquidator's bonus, net of the protocol's share: payout value over repaid value, less 1, bps.
    pub net_bonus_bps: u64,
    /// The obligation is insolvent: its bonus follows the insolvent auction's clock where the reserve has one.
    pub insolvent: bool,
}

/// Projects a liquidation with the program's own sizing code and derives `min_seized_out` from it.
pub fn project(snap: &MarketSnapshot, obligation: &Obligation, repay: &Pubkey, withdraw: &Pubkey, max_repay: u64, slippage_bps: u16) -> Result<Projected> {
    let plan = Projection::new(snap).liquidation(obligation, repay, withdraw, max_repay)?;
    let payout_ctokens = plan.seized_ctokens - plan.protocol_fee_ctokens;
    let keep = 10_000u128.saturating_sub(u128::from(slippage_bps.min(10_000)));
    let min_seized_out = (u128::from(payout_ctokens) * keep / 10_000) as u64;
    // The seized cTokens are worth (1 + bonus) × the repaid value; the liquidator keeps payout / seized of them.
    let with_bonus_bps = 10_000 + (plan.bonus.to_num::<f64>() * 10_000.0).round() as u128;
    let net_bonus_bps = match plan.seized_ctokens {
        0 => 0,
        seized => (with_bonus_bps * u128::from(payout_ctokens) / u128::from(seized)).saturating_sub(10_000) as u64,
    };
    Ok(Projected { repay_amount: plan.repay_amount, payout_ctokens, min_seized_out, net_bonus_bps, insolvent: plan.insolvent })
}

/// Liquidates `obligation` once, paid in cTokens of the withdraw reserve, accepting no less than the
/// projected payout minus `how.slippage_bps`.
#[allow(clippy::too_many_arguments)]
pub async fn liquidate(
    cluster: &impl Cluster,
    signer: &Keypair,
    obligation: &Pubkey,
    repay: &Pubkey,
    withdraw: &Pubkey,
    max_repay: Option<f64>,
    how: LiquidationSend,
    mode: Mode,
    out: &mut impl Write,
) -> Result<()> {
    let c = context(cluster, repay).await?;
    let w = *c.snap.reserve(withdraw)?;
    let o = obligation_state(cluster, obligation).await?.ok_or_else(|| anyhow!("unknown obligation {obligation}"))?;
    let max = max_repay.map(|x| c.reserve.native(x)).unwrap_or(u64::MAX);
    let p = project(&c.snap, &o, repay, withdraw, max, how.slippage_bps).map_err(|e| anyhow!("cannot liquidate {obligation}: {e}"))?;
    let plan = Plan::new(format!("liquidate {obligation}: repay {} of reserve {repay}", c.reserve.ui(p.repay_amount)))
        .line(format!("seize {} cTokens of reserve {withdraw}; accept no fewer than {} ({} bps slippage)", p.payout_ctokens, p.min_seized_out, how.slippage_bps))
        .details(serde_json::json!({ "repay_native": p.repay_amount, "payout_ctokens": p.payout_ctokens, "min_seized_out": p.min_seized_out }));
    let ixs = liquidation_ixs(cluster, signer, &c.snap, (obligation, &o), &c.reserve, &w, max, p.min_seized_out, how);
    submit(cluster, &ixs, &[signer], c.snap.tables(), plan, mode, out).await.map(|_| ())
}

/// One liquidation transaction's instructions: compute budget when asked for, the liquidator's token accounts
/// (created when missing), then the liquidation.
#[allow(clippy::too_many_arguments)]
pub fn liquidation_ixs(
    cluster: &impl Cluster,
    liquidator: &Keypair,
    snap: &MarketSnapshot,
    obligation: (&Pubkey, &Obligation),
    repay: &ReserveView,
    withdraw: &ReserveView,
    max_repay: u64,
    min_seized_out: u64,
    how: LiquidationSend,
) -> Vec<Instruction> {
    use solana_compute_budget_interface::ComputeBudgetInstruction;
    let me = liquidator.pubkey();
    let payer = cluster.payer().pubkey();
    let mut ixs = vec![];
    ixs.extend(how.compute_unit_limit.map(ComputeBudgetInstruction::set_compute_unit_limit));
    ixs.extend(how.priority_fee.map(ComputeBudgetInstruction::set_compute_unit_price));
    ixs.extend(create_atas(&payer, &me, withdraw));
    ixs.push(tokens::create_ata_idempotent(&payer, &me, &repay.mint(), &repay.token_program()));
    let accounts = ix::LiquidatorAccounts {
        repay_liquidity: ata(&me, &repay.mint(), repay),
        withdraw_ctokens: ata(&me, &withdraw.state.ctoken_mint, withdraw),
        withdraw_liquidity: ata(&me, &withdraw.mint(), withdraw),
    };
    let args = LiquidateArgs { max_repay_amount: max_repay, min_seized_out, receive_underlying: false };
    ixs.push(ix::liquidate(&me, obligation, repay, withdraw, &accounts, args, snap.liquidation_price_accounts()));
    ixs
}

/// Redeems cTokens held outside any obligation (in the signer's cToken account) for liquidity; `all` redeems
/// the whole balance.
/// The owner's cToken account for `r`, what it holds, and the cTokens `amount` (whole tokens of liquidity, or
/// `all`) asks to take from it: refused when that is nothing or more than it holds.
pub(crate) async fn ctokens_to_take(cluster: &impl Cluster, r: &ReserveView, owner: &Pubkey, amount: &str) -> Result<(Pubkey, u64, u64)> {
    let account = ata(owner, &r.state.ctoken_mint, r);
    let held = match cluster.account(&account).await? {
        Some(a) => tokens::token_amount(&a.data).ok_or_else(|| anyhow!("{account} is not a token account"))?,
        None => 0,
    };
    let ctokens = match amount {
        "all" => held,
        _ => r.state.liquidity_to_ctokens_floor(r.native(amount.parse().map_err(|_| anyhow!("--amount: `{amount}` is neither a number nor `all`"))?))?,
    };
    if ctokens == 0 || ctokens > held {
        bail!("--amount: you hold {held} cTokens of {} outside any obligation", r.key);
    }
    Ok((account, held, ctokens))
}

pub async fn redeem(cluster: &impl Cluster, signer: &Keypair, reserve: &Pubkey, amount: &str, mode: Mode, out: &mut impl Write) -> Result<()> {
    let c = context(cluster, reserve).await?;
    let owner = signer.pubkey();
    let (ctokens_account, held, ctokens) = ctokens_to_take(cluster, &c.reserve, &owner, amount).await?;
    let payer = cluster.payer().pubkey();
    let mut ixs = vec![tokens::create_ata_idempotent(&payer, &owner, &c.reserve.mint(), &c.reserve.token_program())];
    let liquidity = ata(&owner, &c.reserve.mint(), &c.reserve);
    ixs.push(ix::redeem_collateral(&owner, &c.reserve, &liquidity, &ctokens_account, ctokens));
    let liquidity_amount = c.reserve.state.ctokens_to_liquidity_floor(ctokens)?;
    let plan = Plan::new(format!("redeem {ctokens} cTokens of reserve {reserve}"))
        .line(format!("for about {} tokens; {} cTokens stay", c.reserve.ui(liquidity_amount), held - ctokens))
        .details(serde_json::json!({ "reserve": reserve.to_string(), "ctokens": ctokens, "native_amount": liquidity_amount }));
    submit(cluster, &ixs, &[signer], c.snap.tables(), plan, mode, out).await.map(|_| ())
}

/// The owner closes an obligation that holds nothing; its rent returns to the owner.
pub async fn close_obligation(cluster: &impl Cluster, signer: &Keypair, key: &Pubkey, mode: Mode, out: &mut impl Write) -> Result<()> {
    let o = obligation_state(cluster, key).await?.ok_or_else(|| anyhow!("unknown obligation {key}"))?;
    if o.owner != signer.pubkey() {
        bail!("obligation {key} belongs to {}, not to {}", o.owner, signer.pubkey());
    }
    if !o.active_deposits().is_empty() || !o.active_borrows().is_empty() {
        bail!("obligation {key} still holds {} deposit(s) and {} borrow(s): repay and withdraw everything first", o.active_deposits().len(), o.active_borrows().len());
    }
    let plan = Plan::new(format!("close obligation {key}")).line("its rent comes back to you").details(serde_json::json!({ "obligation": key.to_string() }));
    submit(cluster, &[ix::close_obligation(&signer.pubkey(), key)], &[signer], &[], plan, mode, out).await.map(|_| ())
}

/// The owner moves an obligation into elevation group `id` (0 leaves its group); the program checks that its
/// positions fit the group and that it stays healthy.
pub async fn set_elevation_group(cluster: &impl Cluster, signer: &Keypair, key: &Pubkey, id: u8, mode: Mode, out: &mut impl Write) -> Result<()> {
    let o = obligation_state(cluster, key).await?.ok_or_else(|| anyhow!("unknown obligation {key}"))?;
    if o.owner != signer.pubkey() {
        bail!("obligation {key} belongs to {}, not to {}", o.owner, signer.pubkey());
    }
    let snap = MarketSnapshot::load(cluster, &o.market).await?;
    let what = match id {
        0 => "leave its elevation group".to_string(),
        _ => {
            let g = snap.market.elevation_group(id).ok_or_else(|| anyhow!("--group: market {} has no elevation group {id} configured", o.market))?;
            format!("join elevation group {id} (LTV {} bps, liquidation threshold {} bps)", g.ltv_bps, g.liquidation_threshold_bps)
        }
    };
    let ix = ix::set_elevation_group(&signer.pubkey(), &o.market, (key, &o), id, snap.price_accounts());
    let plan = Plan::new(format!("obligation {key}: {what}")).line(format!("now in group {}", o.elevation_group)).details(serde_json::json!({ "obligation": key.to_string(), "from": o.elevation_group, "to": id }));
    submit(cluster, &[ix], &[signer], snap.tables(), plan, mode, out).await.map(|_| ())
}
