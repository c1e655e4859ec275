//! `ballast queue`: the withdrawal queue from a depositor's and an operator's seat (docs/risk.md, "Withdrawal
//! queue"). A depositor whose redeem cannot be met now requests a ticket, may cancel it, and is paid by fills;
//! anyone may crank the fills; `list` shows every waiting ticket with its place, value and wait.
use crate::{
    submit::{submit, Mode, Plan},
    write::{ata, context, ctokens_to_take},
};
use anyhow::{anyhow, bail, Result};
use ballast_sdk::{
    accounts::decode,
    ballast::state::{WithdrawalTicket, TICKET_CANCELLED, TICKET_SET_ASIDE},
    ix, pda, tokens, Cluster, Keypair, Pubkey, ReserveView, Signer,
};
use clap::Subcommand;
use serde_json::json;
use std::io::Write;

#[derive(Subcommand, Debug)]
pub enum QueueCmd {
    /// Queue a withdrawal of cTokens you hold outside any obligation, when a redeem cannot be met now: fills pay
    /// you in turn as liquidity returns. `--amount` is whole tokens of liquidity, or `all` (every cToken held).
    Request {
        #[arg(long)]
        reserve: String,
        #[arg(long)]
        amount: String,
    },
    /// Cancel your ticket: its unfilled cTokens come back to you, and its rent.
    Cancel {
        #[arg(long)]
        reserve: String,
        /// The ticket's sequence number (`queue list` shows it).
        #[arg(long)]
        seq: u64,
    },
    /// Serve the head of the queue, ticket after ticket, while the reserve can pay (anyone may).
    Fill {
        #[arg(long)]
        reserve: String,
        /// Most tickets to serve.
        #[arg(long, default_value_t = 16)]
        max: usize,
    },
    /// The reserve's waiting tickets in order: place, owner, cTokens, value now, and how long each has waited.
    List {
        #[arg(long)]
        reserve: String,
    },
}

pub async fn command(cluster: &impl Cluster, signer: &Keypair, cmd: &QueueCmd, mode: Mode, out: &mut impl Write) -> Result<()> {
    let key = |s: &str| crate::pubkey_arg(s, "reserve");
    match cmd {
        QueueCmd::Request { reserve, amount } => request(cluster, signer, &key(reserve)?, amount, mode, out).await,
        QueueCmd::Cancel { reserve, seq } => cancel(cluster, signer, &key(reserve)?, *seq, mode, out).await,
        QueueCmd::Fill { reserve, max } => fill(cluster, signer, &key(reserve)?, *max, mode, out).await,
        QueueCmd::List { reserve } => list(cluster, &key(reserve)?, mode.json, out).await,
    }
}

async fn request(cluster: &impl Cluster, signer: &Keypair, reserve: &Pubkey, amount: &str, mode: Mode, out: &mut impl Write) -> Result<()> {
    let c = context(cluster, reserve).await?;
    let owner = signer.pubkey();
    let (user_ctokens, _, ctokens) = ctokens_to_take(cluster, &c.reserve, &owner, amount).await?;
    let destination = ata(&owner, &c.reserve.mint(), &c.reserve);
    let payer = cluster.payer().pubkey();
    let ixs = [
        tokens::create_ata_idempotent(&payer, &owner, &c.reserve.mint(), &c.reserve.token_program()),
        ix::request_withdrawal(&owner, &c.reserve, &user_ctokens, &destination, ctokens),
    ];
    let seq = c.reserve.state.queue_tail;
    let ahead = seq - c.reserve.state.queue_head;
    let value = c.reserve.state.ctokens_to_liquidity_floor(ctokens)?;
    let plan = Plan::new(format!("queue a withdrawal of {ctokens} cTokens of reserve {reserve}"))
        .line(format!("ticket {seq} ({}), worth about {} tokens now; {ahead} ticket(s) ahead of it", pda::ticket(reserve, seq), c.reserve.ui(value)))
        .line(format!("fills pay into {destination}"))
        .details(json!({ "reserve": reserve.to_string(), "seq": seq, "ticket": pda::ticket(reserve, seq).to_string(), "ctokens": ctokens, "native_value": value, "ahead": ahead }));
    submit(cluster, &ixs, &[signer], c.snap.tables(), plan, mode, out).await.map(|_| ())
}

async fn load_ticket(cluster: &impl Cluster, reserve: &Pubkey, seq: u64) -> Result<(Pubkey, Option<WithdrawalTicket>)> {
    let key = pda::ticket(reserve, seq);
    Ok((key, cluster.account(&key).await?.map(|a| decode(&a.data)).transpose()?))
}

async fn cancel(cluster: &impl Cluster, signer: &Keypair, reserve: &Pubkey, seq: u64, mode: Mode, out: &mut impl Write) -> Result<()> {
    let c = context(cluster, reserve).await?;
    let (key, ticket) = load_ticket(cluster, reserve, seq).await?;
    let ticket = ticket.ok_or_else(|| anyhow!("reserve {reserve} has no ticket {seq} ({key}): never requested, or already filled or closed"))?;
    if ticket.owner != signer.pubkey() {
        bail!("ticket {seq} belongs to {}, not to {}", ticket.owner, signer.pubkey());
    }
    let user_ctokens = ata(&signer.pubkey(), &c.reserve.state.ctoken_mint, &c.reserve);
    let payer = cluster.payer().pubkey();
    let ixs = [
        tokens::create_ata_idempotent(&payer, &signer.pubkey(), &c.reserve.state.ctoken_mint, &c.reserve.token_program()),
        ix::cancel_withdrawal(&signer.pubkey(), &c.reserve, &key, &user_ctokens),
    ];
    let plan = Plan::new(format!("cancel ticket {seq} of reserve {reserve}"))
        .line(format!("{} unfilled cTokens come back to {user_ctokens}", ticket.ctoken_amount))
        .details(json!({ "reserve": reserve.to_string(), "seq": seq, "ticket": key.to_string(), "ctokens": ticket.ctoken_amount }));
    submit(cluster, &ixs, &[signer], c.snap.tables(), plan, mode, out).await.map(|_| ())
}

async fn fill(cluster: &impl Cluster, signer: &Keypair, reserve: &Pubkey, max: usize, mode: Mode, out: &mut impl Write) -> Result<()> {
    let mut filled = 0;
    while filled < max {
        let c = context(cluster, reserve).await?;
        let r = c.reserve;
        if r.state.queue_head >= r.state.queue_tail {
            if filled == 0 {
                bail!("reserve {reserve}'s withdrawal queue is empty");
            }
            break;
        }
        let (key, ticket) = load_ticket(cluster, reserve, r.state.queue_head).await?;
        let ticket = ticket.ok_or_else(|| anyhow!("reserve {reserve}'s queue head {} has no ticket at {key}", r.state.queue_head))?;
        let plan = Plan::new(format!("fill ticket {} of reserve {reserve}", ticket.seq))
            .line(format!("{} cTokens waiting, worth about {} tokens; pays into {}", ticket.ctoken_amount, r.ui(r.state.ctokens_to_liquidity_floor(ticket.ctoken_amount)?), ticket.destination))
            .details(json!({ "reserve": reserve.to_string(), "seq": ticket.seq, "ticket": key.to_string(), "ctokens": ticket.ctoken_amount }));
        match submit(cluster, &[ix::fill_withdrawal(&r, &ticket)], &[signer], c.snap.tables(), plan, mode, out).await {
            Ok(_) if mode.dry_run => return Ok(()),
            Ok(_) => filled += 1,
            // The first refusal is the answer (it names the rule that binds); after a fill it ends the crank.
            Err(e) if filled == 0 => return Err(e),
            Err(e) => {
                writeln!(out, "stopped after {filled} fill(s): {e}")?;
                break;
            }
        }
    }
    Ok(())
}

/// One waiting ticket as `list` shows it.
fn ticket_json(r: &ReserveView, key: &Pubkey, t: &WithdrawalTicket, place: u64, now: i64) -> Result<serde_json::Value> {
    let status = match t.status {
        TICKET_SET_ASIDE => "set aside (its destination cannot be paid)",
        TICKET_CANCELLED => "cancelled",
        _ => "queued",
    };
    Ok(json!({
        "seq": t.seq,
        "ticket": key.to_string(),
        "place": place,
        "owner": t.owner.to_string(),
        "destination": t.destination.to_string(),
        "ctokens": t.ctoken_amount,
        "requested_ctokens": t.requested_ctokens,
        "value": r.ui(r.state.ctokens_to_liquidity_floor(t.ctoken_amount)?),
        "waited_secs": now.saturating_sub(t.requested_ts).max(0),
        "status": status,
    }))
}

async fn list(cluster: &impl Cluster, reserve: &Pubkey, json_out: bool, out: &mut impl Write) -> Result<()> {
    let c = context(cluster, reserve).await?;
    let r = c.reserve;
    let seqs: Vec<u64> = (r.state.queue_head..r.state.queue_tail).collect();
    let keys: Vec<Pubkey> = seqs.iter().map(|s| pda::ticket(reserve, *s)).collect();
    let mut rows = vec![];
    for (key, account) in keys.iter().zip(cluster.accounts(&keys).await?) {
        let Some(account) = account else { continue };
        let t: WithdrawalTicket = decode(&account.data)?;
        rows.push(ticket_json(&r, key, &t, rows.len() as u64 + 1, c.snap.now)?);
    }
    let reserved = r.ui(r.state.ctokens_to_liquidity_floor(r.state.queued_ctokens)?);
    if json_out {
        let value = json!({ "reserve": reserve.to_string(), "head": r.state.queue_head, "tail": r.state.queue_tail, "queued_ctokens": r.state.queued_ctokens, "queued_value": reserved, "available": r.ui(r.state.available_liquidity), "tickets": rows });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(());
    }
    writeln!(out, "reserve {reserve}: {} ticket(s) waiting, {} cTokens worth about {reserved} tokens; {} tokens in the vault", rows.len(), r.state.queued_ctokens, r.ui(r.state.available_liquidity))?;
    for row in &rows {
        writeln!(
            out,
            "  #{:<3} seq {:<5} {} owner {} {:>14} cTokens  ~{:.6}  waited {}s  {}",
            row["place"], row["seq"], row["ticket"].as_str().unwrap_or(""), row["owner"].as_str().unwrap_or(""), row["ctokens"], row["value"].as_f64().unwrap_or(0.0), row["waited_secs"], row["status"].as_str().unwrap_or("")
        )?;
    }
    Ok(())
}
