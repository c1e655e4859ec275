//! One valid transaction per IDL instruction, built on the sweep's world: the baseline each substitution
//! mutates. A builder may first send what its instruction needs (a proposal, a queued change); the baseline
//! itself is sent only after every substitution of it was rejected.
use super::world::{self, World};
use anchor_lang::{
    prelude::{AccountMeta, Pubkey},
    solana_program::instruction::Instruction,
    ToAccountMetas,
};
use ballast::{
    instructions::{ConfigureElevationGroupArgs, InitMarketArgs, InitReserveArgs, LiquidateArgs},
    state::ElevationGroup,
};
use ballast_sdk::{ix, pda, ReserveView};
use ballast_tests::{actions::position, *};

/// What follows a baseline's accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Remaining {
    None,
    /// The price account of a reserve the obligation pledges into for the first time.
    NewCollateralPrice,
    /// One (reserve, price) pair per position of the obligation.
    HealthPairs,
}

/// Bookkeeping the context needs once a baseline has succeeded.
pub enum Effect {
    Obligation(Pubkey),
    Listed(ReserveInfo),
    /// The fee vault of `reserve` moved from `before`: the context's record of swept fees follows it.
    FeeVault { reserve: Pubkey, vault: Pubkey, before: u64 },
}

pub struct Baseline {
    /// The instruction's name, with the variant when one instruction has several (`liquidate:underlying`).
    pub label: String,
    /// The whole transaction (a flash loan is two instructions).
    pub ixs: Vec<Instruction>,
    /// Which of `ixs` is the instruction under test.
    pub target: usize,
    /// How many metas after the named accounts the builder appended.
    pub remaining: usize,
    pub list: Remaining,
    pub effects: Vec<Effect>,
}

impl Baseline {
    fn new(label: &str, ix: Instruction) -> Self {
        Baseline { label: label.into(), ixs: vec![ix], target: 0, remaining: 0, list: Remaining::None, effects: vec![] }
    }

    fn with_list(mut self, list: Remaining, remaining: usize) -> Self {
        self.list = list;
        self.remaining = remaining;
        self
    }

    fn with_effect(mut self, effect: Effect) -> Self {
        self.effects.push(effect);
        self
    }

    /// The instruction under test.
    pub fn ix(&self) -> &Instruction {
        &self.ixs[self.target]
    }
}

/// `named` followed by `remaining`.
fn instruction(named: impl ToAccountMetas, data: impl anchor_lang::InstructionData, remaining: &[AccountMeta]) -> Instruction {
    let mut ix = TestContext::instruction(named, data);
    ix.accounts.extend_from_slice(remaining);
    ix
}

async fn reserve_view(w: &mut World, r: &ReserveInfo) -> ReserveView {
    ReserveView { key: r.key, state: w.t.reserve_state(r).await }
}

/// `ix` inside a flash loan of all but 5 USDC of `r`'s available liquidity, taken and repaid by Bob: a redeem of
/// 10 USDC cannot be met while the loan is out, which is when a withdrawal ticket may be requested. Returns the
/// transaction and the index of `ix` in it.
fn around_a_flash_loan(w: &World, view: &ReserveView, r: &ReserveInfo, ix: Instruction) -> (Vec<Instruction>, usize) {
    let lent = view.state.available_liquidity.saturating_sub(r.amount(5.0));
    (vec![w.t.flash_borrow_ix(&w.bob, r, lent), ix, w.t.flash_repay_ix(&w.bob, r, lent)], 1)
}

/// Bob queues a ticket for 10 USDC of his cTokens (inside a flash loan, so that a redeem could not be met);
/// returns its sequence number.
async fn queue_bob_ticket(w: &mut World) -> u64 {
    let usdc = w.usdc.clone();
    let view = reserve_view(w, &usdc).await;
    let request = ix::request_withdrawal(&w.bob.key(), &view, &w.bob.ctokens(&usdc), &w.bob.liquidity(&usdc), usdc.amount(10.0));
    let (ixs, _) = around_a_flash_loan(w, &view, &usdc, request);
    let bob = w.bob.keypair.insecure_clone();
    w.t.send(&ixs, &[&bob]).await.expect("Bob queues a ticket");
    view.state.queue_tail
}

async fn group_one(w: &mut World) -> ElevationGroup {
    *w.t.market_state().await.elevation_group(1).expect("group 1 exists")
}

fn same_group_args(id: u8, g: &ElevationGroup) -> ConfigureElevationGroupArgs {
    ConfigureElevationGroupArgs { id, ltv_bps: g.ltv_bps, liquidation_threshold_bps: g.liquidation_threshold_bps, max_liquidation_bonus_bps: g.max_liquidation_bonus_bps }
}

/// The baselines of IDL instruction `name`. Panics for an instruction without a builder, so a new
/// instruction cannot go unswept.
pub async fn build(w: &mut World, name: &str) -> Vec<Baseline> {
    let market = w.t.market;
    let admin = w.t.admin.keypair.insecure_clone();
    let council = w.t.risk_council.insecure_clone();
    let (usdc, sol) = (w.usdc.clone(), w.sol.clone());
    let baseline = match name {
        "accept_admin" => {
            w.t.try_propose_admin(&admin, admin.pubkey()).await.expect("the admin proposes itself");
            Baseline::new(name, ix::accept_admin(&admin.pubkey(), &market))
        }
        "accept_risk_council" => {
            w.t.try_propose_risk_council(&admin, council.pubkey()).await.expect("the admin proposes the council again");
            Baseline::new(name, ix::accept_risk_council(&council.pubkey(), &market))
        }
        "apply_pending_elevation_group" => {
            let g = group_one(w).await;
            w.t.try_queue_elevation_group(1, &usdc, g.ltv_bps, g.liquidation_threshold_bps, g.max_liquidation_bonus_bps).await.expect("queue group 1 as it is");
            Baseline::new(name, ix::apply_pending_elevation_group(&market))
        }
        "apply_pending_market_config" => {
            let config = w.t.market_config().await;
            w.t.try_queue_market_config(&admin, config).await.expect("queue the market config as it is");
            Baseline::new(name, ix::apply_pending_market_config(&market))
        }
        "apply_pending_reserve_config" => {
            let config = w.t.reserve_config(&usdc).await;
            w.t.try_queue_reserve_config(&admin, &usdc, config).await.expect("queue USDC's config as it is");
            Baseline::new(name, ix::apply_pending_reserve_config(&usdc.key))
        }
        "borrow" => {
            let health = w.t.health_after_borrow(&w.alice, &usdc).await;
            let ix = w.t.borrow_ix(&w.alice, &usdc, usdc.amount(10.0), health.clone());
            Baseline::new(name, ix).with_list(Remaining::HealthPairs, health.len())
        }
        "cancel_pending_elevation_group" => {
            let g = group_one(w).await;
            w.t.try_queue_elevation_group(1, &usdc, g.ltv_bps, g.liquidation_threshold_bps, g.max_liquidation_bonus_bps).await.expect("queue group 1 as it is");
            Baseline::new(name, ix::cancel_pending_elevation_group(&admin.pubkey(), &market))
        }
        "cancel_pending_market_config" => {
            let config = w.t.market_config().await;
            w.t.try_queue_market_config(&admin, config).await.expect("queue the market config as it is");
            Baseline::new(name, ix::cancel_pending_market_config(&admin.pubkey(), &market))
        }
        "cancel_pending_reserve_config" => {
            let config = w.t.reserve_config(&usdc).await;
            w.t.try_queue_reserve_config(&admin, &usdc, config).await.expect("queue USDC's config as it is");
            Baseline::new(name, ix::cancel_pending_reserve_config(&admin.pubkey(), &market, &usdc.key))
        }
        "close_obligation" => Baseline::new(name, ix::close_obligation(&w.dave.key(), &w.dave.obligation)),
        "configure_elevation_group" => {
            let g = group_one(w).await;
            let args = ConfigureElevationGroupArgs { ltv_bps: g.ltv_bps - 1, ..same_group_args(1, &g) };
            Baseline::new(name, ix::configure_elevation_group(&admin.pubkey(), &market, &usdc.key, args))
        }
        "deposit_collateral" => {
            // Bob's first USDC collateral: the reserve's price account must follow.
            let ix = w.t.deposit_collateral_ix(&w.bob, &usdc, usdc.amount(100.0));
            Baseline::new(name, ix).with_list(Remaining::NewCollateralPrice, 1)
        }
        "deposit_liquidity" => Baseline::new(name, w.t.deposit_ix(&w.bob, &usdc, usdc.amount(10.0))),
        "deposit_liquidity_and_collateral" => {
            // Bob's first SOL collateral.
            let price = [AccountMeta::new_readonly(sol.price_account, false)];
            let accounts = ballast::accounts::DepositLiquidityAndCollateral { position: position(&w.bob, &sol), user_liquidity: w.bob.liquidity(&sol), event_authority: ballast_sdk::pda::event_authority(), program: ballast::ID };
            let ix = instruction(accounts, ballast::instruction::DepositLiquidityAndCollateral { liquidity_amount: sol.amount(0.5) }, &price);
            Baseline::new(name, ix).with_list(Remaining::NewCollateralPrice, 1)
        }
        "flash_borrow" | "flash_repay" => {
            let amount = usdc.amount(100.0);
            let ixs = vec![w.t.flash_borrow_ix(&w.bob, &usdc, amount), w.t.flash_repay_ix(&w.bob, &usdc, amount)];
            let target = if name == "flash_borrow" { 0 } else { 1 };
            Baseline { label: name.into(), ixs, target, remaining: 0, list: Remaining::None, effects: vec![] }
        }
        "init_market" => {
            let mut quote_currency = [0u8; 32];
            quote_currency[..3].copy_from_slice(b"USD");
            let args = InitMarketArgs { risk_council: council.pubkey(), quote_currency, config: default_market_config().into() };
            Baseline::new(name, ix::init_market(&w.mallory.key(), &w.new_market.pubkey(), args))
        }
        "init_obligation" => {
            Baseline::new(name, ix::init_obligation(&w.alice.key(), &market, 1)).with_effect(Effect::Obligation(w.new_obligation))
        }
        "init_reserve" => {
            let btc = w.btc.clone();
            let args = InitReserveArgs { config: w.btc_config.into(), seed_liquidity_amount: btc.amount(1.0) };
            let ix = ix::init_reserve(&admin.pubkey(), &market, &btc.mint, &btc.token_program(), &w.admin_btc, args);
            Baseline::new(name, ix).with_effect(Effect::Listed(btc))
        }
        "liquidate" => {
            // Carol owes SOL against USDC; both payouts, since each leaves one of the liquidator's accounts unused.
            let state = w.t.obligation_state(&w.carol).await;
            let health = ix::liquidate_health(&state, &sol.key, &usdc.key, w.t.price_account_of());
            let variants = [("liquidate:ctokens", false), ("liquidate:underlying", true)];
            return variants
                .into_iter()
                .map(|(label, receive_underlying)| {
                    let args = LiquidateArgs { max_repay_amount: sol.amount(0.5), min_seized_out: 0, receive_underlying };
                    let ix = w.t.liquidate_ix_with(&w.liquidator, &w.carol, &sol, &usdc, args, health.clone());
                    Baseline::new(label, ix).with_list(Remaining::HealthPairs, health.len())
                })
                .collect();
        }
        "propose_admin" => Baseline::new(name, ix::propose_admin(&admin.pubkey(), &market, admin.pubkey())),
        "propose_risk_council" => Baseline::new(name, ix::propose_risk_council(&admin.pubkey(), &market, council.pubkey())),
        "queue_elevation_group" => {
            let args = ConfigureElevationGroupArgs { id: 2, ltv_bps: 8_000, liquidation_threshold_bps: 8_500, max_liquidation_bonus_bps: 500 };
            Baseline::new(name, ix::queue_elevation_group(&admin.pubkey(), &market, &usdc.key, args))
        }
        "queue_market_config" => {
            let config = w.t.market_config().await;
            Baseline::new(name, ix::queue_market_config(&admin.pubkey(), &market, config))
        }
        "queue_reserve_config" => {
            let config = w.t.reserve_config(&usdc).await;
            Baseline::new(name, ix::queue_reserve_config(&admin.pubkey(), &market, &usdc.key, config))
        }
        "cancel_withdrawal" => {
            let seq = queue_bob_ticket(w).await;
            w.register_ticket(world::M, 0, seq);
            let view = reserve_view(w, &usdc).await;
            Baseline::new(name, ix::cancel_withdrawal(&w.bob.key(), &view, &pda::ticket(&usdc.key, seq), &w.bob.ctokens(&usdc)))
        }
        "fill_withdrawal" => {
            let seq = queue_bob_ticket(w).await;
            w.register_ticket(world::M, 0, seq);
            let view = reserve_view(w, &usdc).await;
            assert_eq!(view.state.queue_head, seq, "the sweep's ticket is at the head of the queue");
            let ticket = w.t.ticket(&usdc, seq).await.expect("the ticket exists");
            Baseline::new(name, ix::fill_withdrawal(&view, &ticket))
        }
        "request_withdrawal" => {
            let view = reserve_view(w, &usdc).await;
            w.register_ticket(world::M, 0, view.state.queue_tail);
            let request = ix::request_withdrawal(&w.bob.key(), &view, &w.bob.ctokens(&usdc), &w.bob.liquidity(&usdc), usdc.amount(10.0));
            let (ixs, target) = around_a_flash_loan(w, &view, &usdc, request);
            Baseline { label: name.into(), ixs, target, remaining: 0, list: Remaining::None, effects: vec![] }
        }
        "redeem_collateral" => {
            let accounts = ballast::accounts::RedeemCollateral {
                owner: w.bob.key(),
                vaults: ballast_tests::actions::vaults(&usdc),
                user_liquidity: w.bob.liquidity(&usdc),
                user_ctokens: w.bob.ctokens(&usdc),
                market,
                price: usdc.price_account,
                event_authority: ballast_sdk::pda::event_authority(),
                program: ballast::ID,
            };
            Baseline::new(name, instruction(accounts, ballast::instruction::RedeemCollateral { ctoken_amount: usdc.amount(100.0) }, &[]))
        }
        "mark_insolvency" => {
            let state = w.t.obligation_state(&w.alice).await;
            let health = w.t.health_metas(&state);
            Baseline::new(name, ix::mark_insolvency(&market, (&w.alice.obligation, &state), w.t.price_account_of())).with_list(Remaining::HealthPairs, health.len())
        }
        "refresh_reserve" => {
            let accounts = ballast::accounts::RefreshReserve { reserve: usdc.key, price: usdc.price_account, event_authority: ballast_sdk::pda::event_authority(), program: ballast::ID };
            Baseline::new(name, instruction(accounts, ballast::instruction::RefreshReserve {}, &[]))
        }
        "repay" => {
            let from = w.alice.liquidity(&usdc);
            Baseline::new(name, w.t.repay_ix_from(&w.alice, &w.alice, &usdc, from, usdc.amount(5.0)))
        }
        "set_elevation_group" => {
            let state = w.t.obligation_state(&w.alice).await;
            let health = w.t.health_metas(&state);
            let accounts = ballast::accounts::SetElevationGroup { owner: w.alice.key(), market, obligation: w.alice.obligation, event_authority: ballast_sdk::pda::event_authority(), program: ballast::ID };
            let ix = instruction(accounts, ballast::instruction::SetElevationGroup { id: 1 }, &health);
            Baseline::new(name, ix).with_list(Remaining::HealthPairs, health.len())
        }
        "set_lookup_table" => Baseline::new(name, ix::set_lookup_table(&admin.pubkey(), &market, Pubkey::new_unique())),
        "socialize_bad_debt" => {
            let state = w.t.obligation_state(&w.frank).await;
            Baseline::new(name, ix::socialize_bad_debt(&market, &sol.key, (&w.frank.obligation, &state)))
        }
        "sweep_fees" => {
            let before = w.t.balance(&usdc.fee_vault).await;
            let view = reserve_view(w, &usdc).await;
            Baseline::new(name, ix::sweep_fees(&admin.pubkey(), &view)).with_effect(Effect::FeeVault { reserve: usdc.key, vault: usdc.fee_vault, before })
        }
        "tighten_market_config" => {
            let mut config = w.t.market_config().await;
            config.outflow_limit_quote -= 1;
            Baseline::new(name, ix::tighten_market_config(&council.pubkey(), &market, config))
        }
        "tighten_reserve_config" => {
            let mut config = w.t.reserve_config(&usdc).await;
            config.deposit_limit -= 1;
            Baseline::new(name, ix::tighten_reserve_config(&council.pubkey(), &market, &usdc.key, config))
        }
        "update_market_config" => {
            let mut config = w.t.market_config().await;
            config.outflow_limit_quote -= 1;
            Baseline::new(name, ix::update_market_config(&admin.pubkey(), &market, config))
        }
        "update_reserve_config" => {
            let mut config = w.t.reserve_config(&usdc).await;
            config.deposit_limit -= 1;
            Baseline::new(name, ix::update_reserve_config(&admin.pubkey(), &market, &usdc.key, config))
        }
        "withdraw_collateral" => {
            let amount = sol.amount(0.1);
            let health = w.t.health_after_withdraw(&w.alice, &sol, amount).await;
            let accounts = ballast::accounts::WithdrawCollateral { position: position(&w.alice, &sol), user_ctokens: w.alice.ctokens(&sol), event_authority: ballast_sdk::pda::event_authority(), program: ballast::ID };
            let ix = instruction(accounts, ballast::instruction::WithdrawCollateral { ctoken_amount: amount }, &health);
            Baseline::new(name, ix).with_list(Remaining::HealthPairs, health.len())
        }
        "withdraw_collateral_and_redeem" => {
            // More than the SOL that came in since the outflow window opened, so the price account is read.
            let amount = sol.amount(3.0);
            let health = w.t.health_after_withdraw(&w.alice, &sol, amount).await;
            let accounts = ballast::accounts::WithdrawCollateralAndRedeem {
                position: position(&w.alice, &sol),
                user_liquidity: w.alice.liquidity(&sol),
                market,
                price: sol.price_account,
                event_authority: ballast_sdk::pda::event_authority(),
                program: ballast::ID,
            };
            let ix = instruction(accounts, ballast::instruction::WithdrawCollateralAndRedeem { ctoken_amount: amount }, &health);
            Baseline::new(name, ix).with_list(Remaining::HealthPairs, health.len())
        }
        // Started here and stopped by the next baseline (the IDL lists them in this order, nothing between).
        "start_delisting" => Baseline::new(name, ix::start_delisting(&admin.pubkey(), &market, &usdc.key, 86_400, 100, 0)),
        "stop_delisting" => Baseline::new(name, ix::stop_delisting(&admin.pubkey(), &market, &usdc.key)),
        "withdraw_fees" => {
            let before = w.t.balance(&sol.fee_vault).await;
            assert!(before > 0, "SOL's fee vault holds swept fees");
            let view = reserve_view(w, &sol).await;
            let ix = ix::withdraw_fees(&admin.pubkey(), &view, &w.t.admin.liquidity(&sol), u64::MAX);
            Baseline::new(name, ix).with_effect(Effect::FeeVault { reserve: sol.key, vault: sol.fee_vault, before })
        }
        other => panic!("IDL instruction `{other}` has no baseline builder in sweep::baselines: add one, so it is swept"),
    };
    vec![baseline]
}

/// Records what a successful baseline changed that the context tracks.
pub async fn apply(w: &mut World, effects: Vec<Effect>) {
    for effect in effects {
        match effect {
            Effect::Obligation(key) => w.t.obligations.push(key),
            Effect::Listed(r) => w.listed(r),
            Effect::FeeVault { reserve, vault, before } => {
                let after = w.t.balance(&vault).await;
                let swept = w.t.swept.entry(reserve).or_default();
                *swept = (*swept + after).checked_sub(before).expect("a fee vault loses no more than was swept");
            }
        }
    }
}
