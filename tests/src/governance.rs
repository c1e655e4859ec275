//! Governance actions: admin handover, risk-council tightening, and the timelock queue.
//! Each takes the signer explicitly, so scenarios can prove who may act.
use crate::{reserves::ReserveInfo, TestContext};
use anchor_lang::prelude::Pubkey;
use ballast::state::{MarketConfig, ReserveConfig};
use solana_keypair::Keypair;
use solana_program_test::BanksClientError;
use solana_signer::Signer;

type TxResult = Result<(), BanksClientError>;

impl TestContext {
    // --- admin handover ---

    pub async fn try_propose_admin(&mut self, signer: &Keypair, new_admin: Pubkey) -> TxResult {
        let ix = Self::instruction(
            ballast::accounts::ProposeAdmin { admin: signer.pubkey(), market: self.market, event_authority: ballast_sdk::pda::event_authority(), program: ballast::ID },
            ballast::instruction::ProposeAdmin { new_admin },
        );
        self.send(&[ix], &[signer]).await
    }

    pub async fn try_accept_admin(&mut self, signer: &Keypair) -> TxResult {
        let ix = Self::instruction(
            ballast::accounts::AcceptAdmin { new_admin: signer.pubkey(), market: self.market, event_authority: ballast_sdk::pda::event_authority(), program: ballast::ID },
            ballast::instruction::AcceptAdmin {},
        );
        self.send(&[ix], &[signer]).await
    }

    // --- changes at once ---

    pub async fn try_update_market_config(&mut self, signer: &Keypair, config: MarketConfig) -> TxResult {
        let ix = Self::instruction(
            ballast::accounts::UpdateMarketConfig { admin: signer.pubkey(), market: self.market, event_authority: ballast_sdk::pda::event_authority(), program: ballast::ID },
            ballast::instruction::UpdateMarketConfig { config },
        );
        self.send(&[ix], &[signer]).await
    }

    pub async fn try_tighten_reserve_config(&mut self, signer: &Keypair, r: &ReserveInfo, config: ReserveConfig) -> TxResult {
        let ix = Self::instruction(
            ballast::accounts::TightenReserveConfig { risk_council: signer.pubkey(), market: r.market, reserve: r.key, event_authority: ballast_sdk::pda::event_authority(), program: ballast::ID },
            ballast::instruction::TightenReserveConfig { config },
        );
        self.send(&[ix], &[signer]).await
    }

    pub async fn try_tighten_market_config(&mut self, signer: &Keypair, config: MarketConfig) -> TxResult {
        let ix = Self::instruction(
            ballast::accounts::TightenMarketConfig { risk_council: signer.pubkey(), market: self.market, event_authority: ballast_sdk::pda::event_authority(), program: ballast::ID },
            ballast::instruction::TightenMarketConfig { config },
        );
        self.send(&[ix], &[signer]).await
    }

    // --- timelock queue ---

    pub async fn try_queue_reserve_config(&mut self, signer: &Keypair, r: &ReserveInfo, config: ReserveConfig) -> TxResult {
        let ix = Self::instruction(
            ballast::accounts::QueueReserveConfig { admin: signer.pubkey(), market: r.market, reserve: r.key, event_authority: ballast_sdk::pda::event_authority(), program: ballast::ID },
            ballast::instruction::QueueReserveConfig { config },
        );
        self.send(&[ix], &[signer]).await
    }

    pub async fn try_queue_market_config(&mut self, signer: &Keypair, config: MarketConfig) -> TxResult {
        let ix = Self::instruction(
            ballast::accounts::QueueMarketConfig { admin: signer.pubkey(), market: self.market, event_authority: ballast_sdk::pda::event_authority(), program: ballast::ID },
            ballast::instruction::QueueMarketConfig { config },
        );
        self.send(&[ix], &[signer]).await
    }

    /// Signed by no one but the bank's fee payer: applying is permissionless.
    pub async fn try_apply_pending_reserve_config(&mut self, r: &ReserveInfo) -> TxResult {
        let ix = Self::instruction(
            ballast::accounts::ApplyPendingReserveConfig { reserve: r.key, event_authority: ballast_sdk::pda::event_authority(), program: ballast::ID },
            ballast::instruction::ApplyPendingReserveConfig {},
        );
        self.send(&[ix], &[]).await
    }

    /// Signed by no one but the bank's fee payer: applying is permissionless.
    pub async fn try_apply_pending_market_config(&mut self) -> TxResult {
        let ix = Self::instruction(
            ballast::accounts::ApplyPendingMarketConfig { market: self.market, event_authority: ballast_sdk::pda::event_authority(), program: ballast::ID },
            ballast::instruction::ApplyPendingMarketConfig {},
        );
        self.send(&[ix], &[]).await
    }

    /// The admin or the risk council (`signer`) drops the reserve's pending config.
    pub async fn try_cancel_pending_reserve_config(&mut self, signer: &Keypair, r: &ReserveInfo) -> TxResult {
        let ix = ballast_sdk::ix::cancel_pending_reserve_config(&signer.pubkey(), &r.market, &r.key);
        self.send(&[ix], &[signer]).await
    }

    /// The admin or the risk council (`signer`) drops the market's pending config.
    pub async fn try_cancel_pending_market_config(&mut self, signer: &Keypair) -> TxResult {
        let ix = ballast_sdk::ix::cancel_pending_market_config(&signer.pubkey(), &self.market);
        self.send(&[ix], &[signer]).await
    }

    // --- risk council handover ---

    pub async fn try_propose_risk_council(&mut self, signer: &Keypair, new_risk_council: Pubkey) -> TxResult {
        let ix = ballast_sdk::ix::propose_risk_council(&signer.pubkey(), &self.market, new_risk_council);
        self.send(&[ix], &[signer]).await
    }

    pub async fn try_accept_risk_council(&mut self, signer: &Keypair) -> TxResult {
        let ix = ballast_sdk::ix::accept_risk_council(&signer.pubkey(), &self.market);
        self.send(&[ix], &[signer]).await
    }

    // --- reads ---

    pub async fn reserve_config(&mut self, r: &ReserveInfo) -> ReserveConfig {
        self.reserve_state(r).await.config
    }

    pub async fn market_config(&mut self) -> MarketConfig {
        self.market_state().await.config
    }
}
