//! One builder per Ballast instruction. Health-checked instructions get their health-group remaining
//! accounts from [`health_metas`], in the order the program walks them, so no caller assembles them by hand.
use crate::{accounts::ReserveView, pda};
use anchor_lang::{
    prelude::{AccountMeta, Pubkey},
    InstructionData, ToAccountMetas,
};
use ballast::{
    accounts as a,
    instruction as d,
    instructions::{ConfigureElevationGroupArgs, InitMarketArgs, InitReserveArgs, LiquidateArgs},
    math::Fraction,
    operations::collateral,
    state::{MarketConfig, Obligation, ReserveConfig},
};
use solana_instruction::Instruction;

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction { program_id: ballast::ID, accounts: accounts.to_account_metas(None), data: data.data() }
}

fn with_remaining(mut ix: Instruction, remaining: Vec<AccountMeta>) -> Instruction {
    ix.accounts.extend(remaining);
    ix
}

/// The price accounts one health group carries: the reserve's primary, then its secondary when given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PriceKeys {
    pub primary: Pubkey,
    pub secondary: Option<Pubkey>,
}

impl From<Pubkey> for PriceKeys {
    fn from(primary: Pubkey) -> Self {
        Self { primary, secondary: None }
    }
}

/// A health group for every distinct reserve of `obligation`, deposits first, then borrows: the reserve, its
/// primary price account, and its secondary's when `price_of` gives one. `price_of` maps a reserve key to its
/// price accounts (e.g. [`crate::MarketSnapshot::price_accounts`], or a closure returning just the primary).
pub fn health_metas<K: Into<PriceKeys>>(obligation: &Obligation, price_of: impl Fn(&Pubkey) -> K) -> Vec<AccountMeta> {
    let mut metas = vec![];
    for key in obligation.health_reserves() {
        let prices: PriceKeys = price_of(&key).into();
        metas.push(AccountMeta::new_readonly(key, false));
        metas.push(AccountMeta::new_readonly(prices.primary, false));
        metas.extend(prices.secondary.map(|s| AccountMeta::new_readonly(s, false)));
    }
    metas
}

/// Makes `key`'s meta writable, appending it when absent (the isolated reserve whose debt ceiling an
/// instruction counts against or releases from must be writable).
pub fn writable(metas: &mut Vec<AccountMeta>, key: Pubkey) {
    match metas.iter_mut().find(|m| m.pubkey == key) {
        Some(m) => m.is_writable = true,
        None => metas.push(AccountMeta::new(key, false)),
    }
}

/// The obligation's isolated reserve when debt counts against one the instruction does not already hold.
pub fn isolated_reserve_needed(obligation: &Obligation, held: &[Pubkey]) -> Option<Pubkey> {
    let key = obligation.isolated_reserve;
    (key != Pubkey::default() && !held.contains(&key)).then_some(key)
}

/// The collateral an instruction may leave alone: when `before` has two deposits and `after` keeps only one,
/// that one. If it is flagged isolated the program counts the debt now resting on it against its ceiling, so
/// its health pair must be writable (marking a reserve that is not isolated writable is harmless).
pub fn left_alone(before: &Obligation, after: &Obligation) -> Option<Pubkey> {
    match (before.active_deposits(), after.active_deposits()) {
        ([_, _], [only]) if !after.active_borrows().is_empty() => Some(only.reserve),
        _ => None,
    }
}

/// The obligation as it will be once `ctoken_amount` of `reserve` is withdrawn.
pub fn after_withdraw(obligation: &Obligation, reserve: &Pubkey, ctoken_amount: u64) -> Obligation {
    let mut after = *obligation;
    let _ = collateral::unpledge(&mut after, reserve, ctoken_amount);
    after
}

/// The obligation as it will be once it borrows from `reserve`.
pub fn after_borrow(obligation: &Obligation, reserve: &Pubkey) -> Obligation {
    let mut after = *obligation;
    let _ = after.borrow_slot(reserve, Fraction::ONE);
    after
}

/// The eight accounts every vault-moving instruction takes.
pub fn vaults(r: &ReserveView) -> a::ReserveVaults {
    a::ReserveVaults {
        market: r.state.market,
        market_authority: pda::market_authority(&r.state.market),
        reserve: r.key,
        liquidity_mint: r.state.liquidity_mint,
        liquidity_vault: r.state.liquidity_vault,
        ctoken_mint: r.state.ctoken_mint,
        collateral_vault: r.state.collateral_vault,
        token_program: r.state.token_program,
    }
}

fn position(owner: &Pubkey, obligation: &Pubkey, r: &ReserveView) -> a::Position {
    a::Position { owner: *owner, vaults: vaults(r), obligation: *obligation }
}

// --- admin ---

pub fn init_market(admin: &Pubkey, market: &Pubkey, args: InitMarketArgs) -> Instruction {
    let accounts = a::InitMarket {
        admin: *admin,
        market: *market,
        market_authority: pda::market_authority(market),
        system_program: anchor_lang::system_program::ID,
        event_authority: pda::event_authority(),
        program: ballast::ID,
    };
    build(accounts, d::InitMarket { args })
}

/// Creates the reserve of `mint`; `admin_liquidity` pays the seed deposit.
pub fn init_reserve(admin: &Pubkey, market: &Pubkey, mint: &Pubkey, token_program: &Pubkey, admin_liquidity: &Pubkey, args: InitReserveArgs) -> Instruction {
    let reserve = pda::reserve(market, mint);
    let accounts = a::InitReserve {
        admin: *admin,
        market: *market,
        market_authority: pda::market_authority(market),
        reserve,
        liquidity_mint: *mint,
        liquidity_vault: pda::liquidity_vault(&reserve),
        ctoken_mint: pda::ctoken_mint(&reserve),
        collateral_vault: pda::collateral_vault(&reserve),
        fee_vault: pda::fee_vault(&reserve),
        admin_liquidity: *admin_liquidity,
        token_program: *token_program,
        system_program: anchor_lang::system_program::ID,
        event_authority: pda::event_authority(),
        program: ballast::ID,
    };
    build(accounts, d::InitReserve { args })
}

pub fn update_reserve_config(admin: &Pubkey, market: &Pubkey, reserve: &Pubkey, config: ReserveConfig) -> Instruction {
    build(a::UpdateReserveConfig { admin: *admin, market: *market, reserve: *reserve, event_authority: pda::event_authority(), program: ballast::ID }, d::UpdateReserveConfig { config: config.into() })
}

pub fn configure_elevation_group(admin: &Pubkey, market: &Pubkey, debt_reserve: &Pubkey, args: ConfigureElevationGroupArgs) -> Instruction {
    build(a::ConfigureElevationGroup { admin: *admin, market: *market, debt_reserve: *debt_reserve, event_authority: pda::event_authority(), program: ballast::ID }, d::ConfigureElevationGroup { args })
}

pub fn sweep_fees(admin: &Pubkey, r: &ReserveView) -> Instruction {
    build(a::SweepFees { admin: *admin, vaults: vaults(r), fee_vault: r.state.fee_vault, event_authority: pda::event_authority(), program: ballast::ID }, d::SweepFees {})
}

/// Records `lookup_table` on the market for clients building v0 transactions.
pub fn set_lookup_table(admin: &Pubkey, market: &Pubkey, lookup_table: Pubkey) -> Instruction {
    build(a::SetLookupTable { admin: *admin, market: *market, event_authority: pda::event_authority(), program: ballast::ID }, d::SetLookupTable { lookup_table })
}

/// Sends `liquidity_amount` (u64::MAX = all) of swept fees from the fee vault to `receiver`.
pub fn withdraw_fees(admin: &Pubkey, r: &ReserveView, receiver: &Pubkey, liquidity_amount: u64) -> Instruction {
    let accounts = a::WithdrawFees {
        admin: *admin,
        market: r.state.market,
        market_authority: pda::market_authority(&r.state.market),
        reserve: r.key,
        liquidity_mint: r.state.liquidity_mint,
        fee_vault: r.state.fee_vault,
        receiver: *receiver,
        token_program: r.state.token_program,
        event_authority: pda::event_authority(),
        program: ballast::ID,
    };
    build(accounts, d::WithdrawFees { liquidity_amount })
}

// --- governance ---

pub fn propose_admin(admin: &Pubkey, market: &Pubkey, new_admin: Pubkey) -> Instruction {
    build(a::ProposeAdmin { admin: *admin, market: *market, event_authority: pda::event_authority(), program: ballast::ID }, d::ProposeAdmin { new_admin })
}

pub fn accept_admin(new_admin: &Pubkey, market: &Pubkey) -> Instruction {
    build(a::AcceptAdmin { new_admin: *new_admin, market: *market, event_authority: pda::event_authority(), program: ballast::ID }, d::AcceptAdmin {})
}

pub fn update_market_config(admin: &Pubkey, market: &Pubkey, config: MarketConfig) -> Instruction {
    build(a::UpdateMarketConfig { admin: *admin, market: *market, event_authority: pda::event_authority(), program: ballast::ID }, d::UpdateMarketConfig { config: config.into() })
}

pub fn tighten_reserve_config(risk_council: &Pubkey, market: &Pubkey, reserve: &Pubkey, config: ReserveConfig) -> Instruction {
    build(a::TightenReserveConfig { risk_council: *risk_council, market: *market, reserve: *reserve, event_authority: pda::event_authority(), program: ballast::ID }, d::TightenReserveConfig { config: config.into() })
}

pub fn tighten_market_config(risk_council: &Pubkey, market: &Pubkey, config: MarketConfig) -> Instruction {
    build(a::TightenMarketConfig { risk_council: *risk_council, market: *market, event_authority: pda::event_authority(), program: ballast::ID }, d::TightenMarketConfig { config: config.into() })
}

pub fn queue_reserve_config(admin: &Pubkey, market: &Pubkey, reserve: &Pubkey, config: ReserveConfig) -> Instruction {
    build(a::QueueReserveConfig { admin: *admin, market: *market, reserve: *reserve, event_authority: pda::event_authority(), program: ballast::ID }, d::QueueReserveConfig { config: config.into() })
}

pub fn queue_market_config(admin: &Pubkey, market: &Pubkey, config: MarketConfig) -> Instruction {
    build(a::QueueMarketConfig { admin: *admin, market: *market, event_authority: pda::event_authority(), program: ballast::ID }, d::QueueMarketConfig { config: config.into() })
}

pub fn apply_pending_reserve_config(reserve: &Pubkey) -> Instruction {
    build(a::ApplyPendingReserveConfig { reserve: *reserve, event_authority: pda::event_authority(), program: ballast::ID }, d::ApplyPendingReserveConfig {})
}

pub fn apply_pending_market_config(market: &Pubkey) -> Instruction {
    build(a::ApplyPendingMarketConfig { market: *market, event_authority: pda::event_authority(), program: ballast::ID }, d::ApplyPendingMarketConfig {})
}

/// `authority` is the admin or the risk council.
pub fn cancel_pending_reserve_config(authority: &Pubkey, market: &Pubkey, reserve: &Pubkey) -> Instruction {
    build(a::CancelPendingReserveConfig { authority: *authority, market: *market, reserve: *reserve, event_authority: pda::event_authority(), program: ballast::ID }, d::CancelPendingReserveConfig {})
}

/// The admin marks `reserve` for delisting (`operations::delisting`).
pub fn start_delisting(admin: &Pubkey, market: &Pubkey, reserve: &Pubkey, notice_secs: u64, threshold_step_bps_per_day: u16, bonus_step_bps_per_day: u16) -> Instruction {
    build(
        a::StartDelisting { admin: *admin, market: *market, reserve: *reserve, event_authority: pda::event_authority(), program: ballast::ID },
        d::StartDelisting { notice_secs, threshold_step_bps_per_day, bonus_step_bps_per_day },
    )
}

/// `authority` (the admin or the risk council) stops `reserve`'s delisting.
pub fn stop_delisting(authority: &Pubkey, market: &Pubkey, reserve: &Pubkey) -> Instruction {
    build(a::StopDelisting { authority: *authority, market: *market, reserve: *reserve, event_authority: pda::event_authority(), program: ballast::ID }, d::StopDelisting {})
}

/// `authority` is the admin or the risk council.
pub fn cancel_pending_market_config(authority: &Pubkey, market: &Pubkey) -> Instruction {
    build(a::CancelPendingMarketConfig { authority: *authority, market: *market, event_authority: pda::event_authority(), program: ballast::ID }, d::CancelPendingMarketConfig {})
}

/// Queues creating or loosening elevation group `args.id`, borrowing only from `debt_reserve`.
pub fn queue_elevation_group(admin: &Pubkey, market: &Pubkey, debt_reserve: &Pubkey, args: ConfigureElevationGroupArgs) -> Instruction {
    build(a::QueueElevationGroup { admin: *admin, market: *market, debt_reserve: *debt_reserve, event_authority: pda::event_authority(), program: ballast::ID }, d::QueueElevationGroup { args })
}

pub fn apply_pending_elevation_group(market: &Pubkey) -> Instruction {
    build(a::ApplyPendingElevationGroup { market: *market, event_authority: pda::event_authority(), program: ballast::ID }, d::ApplyPendingElevationGroup {})
}

/// `authority` is the admin or the risk council.
pub fn cancel_pending_elevation_group(authority: &Pubkey, market: &Pubkey) -> Instruction {
    build(a::CancelPendingElevationGroup { authority: *authority, market: *market, event_authority: pda::event_authority(), program: ballast::ID }, d::CancelPendingElevationGroup {})
}

/// Proposes `new_risk_council` (default = withdraw the proposal); it may accept after the market's timelock.
pub fn propose_risk_council(admin: &Pubkey, market: &Pubkey, new_risk_council: Pubkey) -> Instruction {
    build(a::ProposeRiskCouncil { admin: *admin, market: *market, event_authority: pda::event_authority(), program: ballast::ID }, d::ProposeRiskCouncil { new_risk_council })
}

pub fn accept_risk_council(new_risk_council: &Pubkey, market: &Pubkey) -> Instruction {
    build(a::AcceptRiskCouncil { new_risk_council: *new_risk_council, market: *market, event_authority: pda::event_authority(), program: ballast::ID }, d::AcceptRiskCouncil {})
}

// --- user ---

pub fn init_obligation(owner: &Pubkey, market: &Pubkey, id: u8) -> Instruction {
    let accounts = a::InitObligation {
        owner: *owner,
        market: *market,
        obligation: pda::obligation(market, owner, id),
        system_program: anchor_lang::system_program::ID,
        event_authority: pda::event_authority(),
        program: ballast::ID,
    };
    build(accounts, d::InitObligation { id })
}

pub fn close_obligation(owner: &Pubkey, obligation: &Pubkey) -> Instruction {
    build(a::CloseObligation { owner: *owner, obligation: *obligation, event_authority: pda::event_authority(), program: ballast::ID }, d::CloseObligation {})
}

pub fn deposit_liquidity(owner: &Pubkey, r: &ReserveView, user_liquidity: &Pubkey, user_ctokens: &Pubkey, liquidity_amount: u64) -> Instruction {
    let accounts = a::DepositLiquidity { owner: *owner, vaults: vaults(r), user_liquidity: *user_liquidity, user_ctokens: *user_ctokens, event_authority: pda::event_authority(), program: ballast::ID };
    build(accounts, d::DepositLiquidity { liquidity_amount })
}

pub fn redeem_collateral(owner: &Pubkey, r: &ReserveView, user_liquidity: &Pubkey, user_ctokens: &Pubkey, ctoken_amount: u64) -> Instruction {
    let accounts = a::RedeemCollateral {
        owner: *owner,
        vaults: vaults(r),
        user_liquidity: *user_liquidity,
        user_ctokens: *user_ctokens,
        market: r.state.market,
        price: r.price_account(),
        event_authority: pda::event_authority(),
        program: ballast::ID,
    };
    with_remaining(build(accounts, d::RedeemCollateral { ctoken_amount }), secondary_meta(r))
}

/// The reserve's secondary price account, when configured, as the one remaining account of an instruction
/// that names the primary's slot (redeem, request withdrawal, refresh): it keeps them priced when the primary is dead.
fn secondary_meta(r: &ReserveView) -> Vec<AccountMeta> {
    r.secondary_price_account().map(|k| AccountMeta::new_readonly(k, false)).into_iter().collect()
}

/// The reserve's price account(s) as the remaining accounts (primary, then secondary when configured):
/// opening a collateral position needs a valid price (topping one up ignores it).
fn new_collateral_price(r: &ReserveView) -> Vec<AccountMeta> {
    std::iter::once(r.price_account()).chain(r.secondary_price_account()).map(|k| AccountMeta::new_readonly(k, false)).collect()
}

pub fn deposit_collateral(owner: &Pubkey, obligation: &Pubkey, r: &ReserveView, user_ctokens: &Pubkey, ctoken_amount: u64) -> Instruction {
    let accounts = a::DepositCollateral { position: position(owner, obligation, r), user_ctokens: *user_ctokens, event_authority: pda::event_authority(), program: ballast::ID };
    with_remaining(build(accounts, d::DepositCollateral { ctoken_amount }), new_collateral_price(r))
}

pub fn deposit_liquidity_and_collateral(owner: &Pubkey, obligation: &Pubkey, r: &ReserveView, user_liquidity: &Pubkey, liquidity_amount: u64) -> Instruction {
    let accounts = a::DepositLiquidityAndCollateral { position: position(owner, obligation, r), user_liquidity: *user_liquidity, event_authority: pda::event_authority(), program: ballast::ID };
    with_remaining(build(accounts, d::DepositLiquidityAndCollateral { liquidity_amount }), new_collateral_price(r))
}

/// Health accounts of the obligation after withdrawing `ctoken_amount` of `reserve`, with the collateral the
/// withdrawal leaves alone (if any) writable.
pub fn withdraw_health<K: Into<PriceKeys>>(obligation: &Obligation, reserve: &Pubkey, ctoken_amount: u64, price_of: impl Fn(&Pubkey) -> K) -> Vec<AccountMeta> {
    let after = after_withdraw(obligation, reserve, ctoken_amount);
    let mut health = health_metas(&after, price_of);
    if let Some(key) = left_alone(obligation, &after) {
        writable(&mut health, key);
        // Debt counted against another isolated reserve moves to the one left alone: that reserve writes too.
        let counted = obligation.isolated_reserve;
        if counted != Pubkey::default() && counted != key && health.iter().any(|m| m.pubkey == counted) {
            writable(&mut health, counted);
        }
    }
    health
}

/// Health accounts are those of the obligation after the withdrawal.
pub fn withdraw_collateral<K: Into<PriceKeys>>(
    owner: &Pubkey,
    obligation: (&Pubkey, &Obligation),
    r: &ReserveView,
    user_ctokens: &Pubkey,
    ctoken_amount: u64,
    price_of: impl Fn(&Pubkey) -> K,
) -> Instruction {
    let health = withdraw_health(obligation.1, &r.key, ctoken_amount, price_of);
    withdraw_collateral_with(owner, obligation.0, r, user_ctokens, ctoken_amount, health)
}

/// `withdraw_collateral` with exactly `remaining` after the named accounts (for callers that choose the health
/// accounts themselves, such as tests proving the program refuses wrong ones).
pub fn withdraw_collateral_with(owner: &Pubkey, obligation: &Pubkey, r: &ReserveView, user_ctokens: &Pubkey, ctoken_amount: u64, remaining: Vec<AccountMeta>) -> Instruction {
    let accounts = a::WithdrawCollateral { position: position(owner, obligation, r), user_ctokens: *user_ctokens, event_authority: pda::event_authority(), program: ballast::ID };
    with_remaining(build(accounts, d::WithdrawCollateral { ctoken_amount }), remaining)
}

pub fn withdraw_collateral_and_redeem<K: Into<PriceKeys>>(
    owner: &Pubkey,
    obligation: (&Pubkey, &Obligation),
    r: &ReserveView,
    user_liquidity: &Pubkey,
    ctoken_amount: u64,
    price_of: impl Fn(&Pubkey) -> K,
) -> Instruction {
    let accounts = a::WithdrawCollateralAndRedeem {
        position: position(owner, obligation.0, r),
        user_liquidity: *user_liquidity,
        market: r.state.market,
        price: r.price_account(),
        event_authority: pda::event_authority(),
        program: ballast::ID,
    };
    let mut health = withdraw_health(obligation.1, &r.key, ctoken_amount, price_of);
    // The redeem's outflow is priced with the secondary found by address among the remaining accounts. When
    // the withdrawal empties the position its group is gone; with no debt left (no health walk) it may trail.
    // With debt left it cannot (the health list must be exact): while the primary is dead such an exit takes
    // `withdraw_collateral`, then `redeem_collateral`.
    let after = after_withdraw(obligation.1, &r.key, ctoken_amount);
    if let Some(secondary) = r.secondary_price_account() {
        if after.active_borrows().is_empty() && !health.iter().any(|m| m.pubkey == secondary) {
            health.push(AccountMeta::new_readonly(secondary, false));
        }
    }
    with_remaining(build(accounts, d::WithdrawCollateralAndRedeem { ctoken_amount }), health)
}

/// Health accounts are those of the obligation after the borrow (the borrowed reserve included).
pub fn borrow<K: Into<PriceKeys>>(
    owner: &Pubkey,
    obligation: (&Pubkey, &Obligation),
    r: &ReserveView,
    user_liquidity: &Pubkey,
    liquidity_amount: u64,
    price_of: impl Fn(&Pubkey) -> K,
) -> Instruction {
    let after = after_borrow(obligation.1, &r.key);
    let mut health = health_metas(&after, price_of);
    // Sole isolated collateral: the borrow counts against its debt ceiling, so its pair is writable.
    if let Some(key) = ballast::operations::isolation::sole_collateral(&after).filter(|k| *k != r.key) {
        writable(&mut health, key);
    }
    borrow_with(owner, obligation.0, r, user_liquidity, liquidity_amount, health)
}

/// `borrow` with exactly `remaining` after the named accounts.
pub fn borrow_with(owner: &Pubkey, obligation: &Pubkey, r: &ReserveView, user_liquidity: &Pubkey, liquidity_amount: u64, remaining: Vec<AccountMeta>) -> Instruction {
    let accounts = a::Borrow { position: position(owner, obligation, r), user_liquidity: *user_liquidity, market: r.state.market, event_authority: pda::event_authority(), program: ballast::ID };
    with_remaining(build(accounts, d::Borrow { liquidity_amount }), remaining)
}

pub fn set_elevation_group<K: Into<PriceKeys>>(owner: &Pubkey, market: &Pubkey, obligation: (&Pubkey, &Obligation), id: u8, price_of: impl Fn(&Pubkey) -> K) -> Instruction {
    let accounts = a::SetElevationGroup { owner: *owner, market: *market, obligation: *obligation.0, event_authority: pda::event_authority(), program: ballast::ID };
    with_remaining(build(accounts, d::SetElevationGroup { id }), health_metas(obligation.1, price_of))
}

/// Repays up to `max_liquidity_amount` (u64::MAX repays everything) of `obligation`'s debt in `r`.
pub fn repay(payer: &Pubkey, obligation: (&Pubkey, &Obligation), r: &ReserveView, payer_liquidity: &Pubkey, max_liquidity_amount: u64) -> Instruction {
    let isolated = isolated_reserve_needed(obligation.1, &[r.key]).map(|k| AccountMeta::new(k, false));
    repay_with(payer, obligation.0, r, payer_liquidity, max_liquidity_amount, isolated.into_iter().collect())
}

/// `repay` with exactly `remaining` after the named accounts.
pub fn repay_with(payer: &Pubkey, obligation: &Pubkey, r: &ReserveView, payer_liquidity: &Pubkey, max_liquidity_amount: u64, remaining: Vec<AccountMeta>) -> Instruction {
    let accounts = a::Repay { payer: *payer, vaults: vaults(r), obligation: *obligation, payer_liquidity: *payer_liquidity, event_authority: pda::event_authority(), program: ballast::ID };
    with_remaining(build(accounts, d::Repay { max_liquidity_amount }), remaining)
}

// --- withdrawal queue ---

/// Queues `ctoken_amount` of `owner`'s cTokens for a ticket at the tail of `r`'s queue (`r.state.queue_tail`, read
/// fresh: a ticket requested meanwhile takes that place and this one fails with `WithdrawalTicketNotNext`); fills
/// pay `destination`, the owner's liquidity token account.
pub fn request_withdrawal(owner: &Pubkey, r: &ReserveView, user_ctokens: &Pubkey, destination: &Pubkey, ctoken_amount: u64) -> Instruction {
    let seq = r.state.queue_tail;
    let accounts = a::RequestWithdrawal {
        owner: *owner,
        vaults: vaults(r),
        user_ctokens: *user_ctokens,
        destination: *destination,
        reserve: r.key,
        ticket: pda::ticket(&r.key, seq),
        price: r.price_account(),
        system_program: anchor_lang::system_program::ID,
        event_authority: pda::event_authority(),
        program: ballast::ID,
    };
    with_remaining(build(accounts, d::RequestWithdrawal { ctoken_amount, seq }), secondary_meta(r))
}

/// The owner of `ticket` takes its unfilled cTokens back into `user_ctokens`.
pub fn cancel_withdrawal(owner: &Pubkey, r: &ReserveView, ticket: &Pubkey, user_ctokens: &Pubkey) -> Instruction {
    let accounts = a::CancelWithdrawal { owner: *owner, vaults: vaults(r), ticket: *ticket, user_ctokens: *user_ctokens, event_authority: pda::event_authority(), program: ballast::ID };
    build(accounts, d::CancelWithdrawal {})
}

/// Serves the head ticket of `r`'s queue; `ticket` is its decoded state (destination and owner come from it).
/// The reserve's price account(s) value the fill for the market's outflow limiter.
pub fn fill_withdrawal(r: &ReserveView, ticket: &ballast::state::WithdrawalTicket) -> Instruction {
    let accounts = a::FillWithdrawal {
        vaults: vaults(r),
        ticket: pda::ticket(&r.key, ticket.seq),
        destination: ticket.destination,
        owner: ticket.owner,
        market: r.state.market,
        price: r.price_account(),
        event_authority: pda::event_authority(),
        program: ballast::ID,
    };
    with_remaining(build(accounts, d::FillWithdrawal {}), secondary_meta(r))
}

// --- flash loans (same transaction, borrow first) ---

pub fn flash_borrow(user: &Pubkey, r: &ReserveView, user_liquidity: &Pubkey, liquidity_amount: u64) -> Instruction {
    let accounts = a::FlashBorrow {
        user: *user,
        vaults: vaults(r),
        user_liquidity: *user_liquidity,
        instructions: solana_instructions_sysvar_id(),
        event_authority: pda::event_authority(),
        program: ballast::ID,
    };
    build(accounts, d::FlashBorrow { liquidity_amount })
}

pub fn flash_repay(user: &Pubkey, r: &ReserveView, user_liquidity: &Pubkey, liquidity_amount: u64) -> Instruction {
    let accounts = a::FlashRepay {
        user: *user,
        vaults: vaults(r),
        user_liquidity: *user_liquidity,
        instructions: solana_instructions_sysvar_id(),
        event_authority: pda::event_authority(),
        program: ballast::ID,
    };
    build(accounts, d::FlashRepay { liquidity_amount })
}

fn solana_instructions_sysvar_id() -> Pubkey {
    solana_instructions_sysvar::ID
}

// --- keepers ---

pub fn refresh_reserve(r: &ReserveView) -> Instruction {
    with_remaining(build(a::RefreshReserve { reserve: r.key, price: r.price_account(), event_authority: pda::event_authority(), program: ballast::ID }, d::RefreshReserve {}), secondary_meta(r))
}

/// The liquidator's token accounts for one liquidation.
pub struct LiquidatorAccounts {
    pub repay_liquidity: Pubkey,
    pub withdraw_ctokens: Pubkey,
    pub withdraw_liquidity: Pubkey,
}

pub fn liquidate<K: Into<PriceKeys>>(
    liquidator: &Pubkey,
    obligation: (&Pubkey, &Obligation),
    repay: &ReserveView,
    withdraw: &ReserveView,
    accounts: &LiquidatorAccounts,
    args: LiquidateArgs,
    price_of: impl Fn(&Pubkey) -> K,
) -> Instruction {
    let health = liquidate_health(obligation.1, &repay.key, &withdraw.key, price_of);
    liquidate_with(liquidator, obligation.0, repay, withdraw, accounts, args, health)
}

/// `liquidate` with exactly `remaining` after the named accounts.
pub fn liquidate_with(
    liquidator: &Pubkey,
    obligation: &Pubkey,
    repay: &ReserveView,
    withdraw: &ReserveView,
    accounts: &LiquidatorAccounts,
    args: LiquidateArgs,
    remaining: Vec<AccountMeta>,
) -> Instruction {
    let metas = a::Liquidate {
        liquidator: *liquidator,
        repay: vaults(repay),
        withdraw: vaults(withdraw),
        obligation: *obligation,
        liquidator_repay_liquidity: accounts.repay_liquidity,
        liquidator_withdraw_ctokens: accounts.withdraw_ctokens,
        liquidator_withdraw_liquidity: accounts.withdraw_liquidity,
        event_authority: pda::event_authority(),
        program: ballast::ID,
    };
    with_remaining(build(metas, d::Liquidate { args }), remaining)
}

/// Health accounts for liquidating `obligation` (as it is now), with the obligation's isolated reserve writable
/// (appended when it is no position) and, with two deposits, the one not being seized writable too: seizing
/// all of the other may leave it alone.
pub fn liquidate_health<K: Into<PriceKeys>>(obligation: &Obligation, repay: &Pubkey, withdraw: &Pubkey, price_of: impl Fn(&Pubkey) -> K) -> Vec<AccountMeta> {
    let mut health = health_metas(obligation, price_of);
    if let [a, b] = obligation.active_deposits() {
        let other = if a.reserve == *withdraw { b.reserve } else { a.reserve };
        writable(&mut health, other);
    }
    if let Some(key) = isolated_reserve_needed(obligation, &[*repay, *withdraw]) {
        writable(&mut health, key);
    }
    health
}

/// Records whether `obligation` is insolvent on liquidation prices: starts the insolvent auction's clock when
/// first found so, clears it once solvent. Permissionless; the health pairs read-only.
pub fn mark_insolvency<K: Into<PriceKeys>>(market: &Pubkey, obligation: (&Pubkey, &Obligation), price_of: impl Fn(&Pubkey) -> K) -> Instruction {
    let accounts = a::MarkInsolvency { market: *market, obligation: *obligation.0, event_authority: pda::event_authority(), program: ballast::ID };
    with_remaining(build(accounts, d::MarkInsolvency {}), health_metas(obligation.1, price_of))
}

pub fn socialize_bad_debt(market: &Pubkey, reserve: &Pubkey, obligation: (&Pubkey, &Obligation)) -> Instruction {
    let accounts = a::SocializeBadDebt { market: *market, reserve: *reserve, obligation: *obligation.0, event_authority: pda::event_authority(), program: ballast::ID };
    let isolated = isolated_reserve_needed(obligation.1, &[*reserve]).map(|k| AccountMeta::new(k, false));
    with_remaining(build(accounts, d::SocializeBadDebt {}), isolated.into_iter().collect())
}
