//! Another program calls Ballast through `declare_program!(ballast)` on the committed IDL
//! (`examples/integrator`), and a client builds and decodes through the same generated module.
use anchor_lang::{prelude::Pubkey, AnchorDeserialize, AnchorSerialize, Discriminator, InstructionData, ToAccountMetas};
use ballast::events::{DepositEvent, RedeemEvent, ReserveConfigChangedEvent};
use ballast_integrator::ballast as generated;
use ballast_tests::*;

/// The vault PDA supplies and withdraws through the generated CPI helpers, signing with its seeds: Ballast
/// mints and burns exactly what a direct deposit and redeem would, and emits the same events.
#[tokio::test]
async fn supply_succeeds_through_the_generated_cpi_module_and_withdraw_returns_it() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).build().await;
    let vault = t.integrator_vault(&usdc, usdc.amount(1_000.0)).await;
    let before = t.reserve_state(&usdc).await;

    t.try_integrator_supply(&vault, &usdc, usdc.amount(600.0)).await.unwrap();
    assert_eq!(t.balance(&vault.liquidity).await, usdc.amount(400.0));
    assert_eq!(t.balance(&vault.ctokens).await, usdc.amount(600.0), "the first deposit after the seed mints 1:1");
    let after = t.reserve_state(&usdc).await;
    assert_eq!(after.available_liquidity, before.available_liquidity + usdc.amount(600.0));
    assert_eq!(after.ctoken_supply, before.ctoken_supply + usdc.amount(600.0));
    let event = t.emitted::<DepositEvent>();
    assert_eq!(event, DepositEvent { reserve: usdc.key, user: vault.pda, liquidity_amount: usdc.amount(600.0), ctoken_amount: usdc.amount(600.0) });

    t.try_integrator_withdraw(&vault, &usdc, usdc.amount(250.0)).await.unwrap();
    assert_eq!(t.balance(&vault.liquidity).await, usdc.amount(650.0));
    assert_eq!(t.balance(&vault.ctokens).await, usdc.amount(350.0));
    assert_eq!(t.reserve_state(&usdc).await.ctoken_supply, before.ctoken_supply + usdc.amount(350.0));
    let event = t.emitted::<RedeemEvent>();
    assert_eq!(event, RedeemEvent { reserve: usdc.key, user: vault.pda, ctoken_amount: usdc.amount(250.0), liquidity_amount: usdc.amount(250.0) });
    t.assert_invariants().await;
}

/// Ballast's own refusal comes back through the CPI unchanged, and nothing moves.
#[tokio::test]
async fn supply_fails_with_ballasts_error_over_the_deposit_cap() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).config(|c| c.deposit_limit = 500_000_000).build().await;
    let vault = t.integrator_vault(&usdc, usdc.amount(1_000.0)).await;
    assert_error!(t, t.try_integrator_supply(&vault, &usdc, usdc.amount(600.0)), BallastError::DepositCapExceeded);
    t.try_integrator_supply(&vault, &usdc, usdc.amount(400.0)).await.unwrap();
    assert_eq!(t.balance(&vault.ctokens).await, usdc.amount(400.0));
    t.assert_invariants().await;
}

/// Attack: a copy of the reserve's bytes under another owner. The generated `Reserve` loads only accounts
/// Ballast owns, so the integrator refuses it before any CPI.
#[tokio::test]
async fn supply_fails_with_a_reserve_copy_ballast_does_not_own() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).build().await;
    let vault = t.integrator_vault(&usdc, usdc.amount(1_000.0)).await;
    let mut copy = t.account(&usdc.key).await.unwrap();
    copy.owner = ballast_tests::integrator::PROGRAM_ID;
    let fake = Pubkey::new_unique();
    t.banks.set_account(&fake, &copy.into());
    let ix = TestContext::integrator_ix(t.integrator_accounts(&vault, &usdc, fake), ballast_integrator::instruction::Supply { amount: 1 });
    assert_error!(t, t.send(&[ix], &[]), anchor_lang::error::ErrorCode::AccountOwnedByWrongProgram as u32);
    t.assert_invariants().await;
}

/// A client on the generated module: its instructions are the SDK's byte for byte, its `Reserve` reads the
/// program's layout field for field, and its events decode what the program emits, configs included.
#[tokio::test]
async fn generated_client_succeeds_matching_sdk_instructions_layouts_and_events() {
    let mut t = TestContext::new().await;
    let usdc = t.reserve(Asset::Usdc).build().await;
    let lara = t.user().funded(&usdc, 100.0).build().await;
    t.deposit(&lara, &usdc, usdc.amount(100.0)).await;
    let view = t.reserve_view(&usdc).await;

    // Instructions.
    let accounts = generated::client::accounts::RefreshReserve {
        reserve: usdc.key,
        price: usdc.price_account,
        event_authority: ballast_sdk::pda::event_authority(),
        program: ballast::ID,
    };
    let generated_ix = solana_instruction::Instruction {
        program_id: generated::ID,
        accounts: accounts.to_account_metas(None),
        data: generated::client::args::RefreshReserve {}.data(),
    };
    assert_eq!(generated_ix, ballast_sdk::ix::refresh_reserve(&view));
    let accounts = generated::client::accounts::DepositLiquidity {
        owner: lara.key(),
        vaults: generated::client::accounts::Vaults {
            market: usdc.market,
            market_authority: ballast_sdk::pda::market_authority(&usdc.market),
            reserve: usdc.key,
            liquidity_mint: usdc.mint,
            liquidity_vault: usdc.liquidity_vault,
            ctoken_mint: usdc.ctoken_mint,
            collateral_vault: usdc.collateral_vault,
            token_program: usdc.token_program(),
        },
        user_liquidity: lara.liquidity(&usdc),
        user_ctokens: lara.ctokens(&usdc),
        event_authority: ballast_sdk::pda::event_authority(),
        program: ballast::ID,
    };
    let sdk = ballast_sdk::ix::deposit_liquidity(&lara.key(), &view, &lara.liquidity(&usdc), &lara.ctokens(&usdc), 7);
    assert_eq!(accounts.to_account_metas(None), sdk.accounts);
    assert_eq!(generated::client::args::DepositLiquidity { liquidity_amount: 7 }.data(), sdk.data);

    // The zero-copy layout, nested configs and fractions included.
    let data = t.account(&usdc.key).await.unwrap().data;
    assert_eq!(&data[..8], generated::accounts::Reserve::DISCRIMINATOR);
    let decoded: &generated::accounts::Reserve = bytemuck::from_bytes(&data[8..]);
    let state = t.reserve_state(&usdc).await;
    assert_eq!((decoded.market, decoded.liquidity_mint, decoded.ctoken_supply), (state.market, state.liquidity_mint, state.ctoken_supply));
    assert_eq!((decoded.available_liquidity, decoded.config.ltv_bps, decoded.config.flags), (state.available_liquidity, state.config.ltv_bps, state.config.flags));
    assert_eq!((decoded.config.oracle.price_account, decoded.config.oracle.feed_id), (state.config.oracle.price_account, state.config.oracle.feed_id));
    assert_eq!(decoded.config.curve[1].borrow_rate_bps, state.config.curve[1].borrow_rate_bps);
    assert_eq!(decoded.cumulative_borrow_index_sf.words, state.cumulative_borrow_index_sf.words);
    assert_eq!(bytemuck::bytes_of(decoded), bytemuck::bytes_of(&state), "the same bytes, read as the same layout");

    // Events: what the program emitted, decoded by the generated types.
    let mut config = t.reserve_config(&usdc).await;
    config.ltv_bps -= 100;
    config.curve[1].borrow_rate_bps += 1;
    t.try_update_reserve_config(&t.admin.keypair.insecure_clone(), &usdc, config).await.unwrap();
    let emitted = t.emitted::<ReserveConfigChangedEvent>();
    let bytes = borsh_bytes(&emitted);
    let decoded = generated::events::ReserveConfigChangedEvent::try_from_slice(&bytes).unwrap();
    assert_eq!(generated::events::ReserveConfigChangedEvent::DISCRIMINATOR, ReserveConfigChangedEvent::DISCRIMINATOR);
    assert_eq!((decoded.reserve, decoded.new.ltv_bps, decoded.old.ltv_bps), (usdc.key, config.ltv_bps, config.ltv_bps + 100));
    assert_eq!(decoded.new.curve[1].borrow_rate_bps, config.curve[1].borrow_rate_bps);
    assert_eq!(decoded.new.oracle.feed_id, config.oracle.feed_id);
    assert_eq!(borsh_bytes(&decoded), bytes, "the generated wire type re-encodes to the same bytes");
    t.assert_invariants().await;
}

fn borsh_bytes(value: &impl AnchorSerialize) -> Vec<u8> {
    let mut bytes = vec![];
    value.serialize(&mut bytes).unwrap();
    bytes
}
