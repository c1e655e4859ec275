//! Governance actions: admin handover, risk-council tightening, and the timelock queue.
//! Each takes the signer explicitly, so scenarios can prove who may act.
use crate::{reserves::ReserveInfo, TestContext};
use anchor_lang::prelude::Pubkey;
use ballast::{
    events::*,
    state::{MarketConfig, ReserveConfig},
};
use ballast_sdk::ix;
use solana_keypair::Keypair;
use solana_program_test::BanksClientError;
use solana_signer::Signer;

type TxResult = Result<(), BanksClientError>;

impl TestContext {
    // --- admin handover ---

    pub async fn try_propose_admin(&mut self, signer: &Keypair, new_admin: Pubkey) -> TxResult {
        self.send(&[ix::propose_admin(&signer.pubkey(), &self.market, new_admin)], &[signer]).await?;
        let e = self.emitted::<AdminProposedEvent>();
        assert_eq!(e, AdminProposedEvent { market: self.market, admin: signer.pubkey(), pending_admin: new_admin });
        Ok(())
    }

    pub async fn try_accept_admin(&mut self, signer: &Keypair) -> TxResult {
        let old_admin = self.market_state().await.admin;
        self.send(&[ix::accept_admin(&signer.pubkey(), &self.market)], &[signer]).await?;
        let e = self.emitted::<AdminChangedEvent>();
        assert_eq!(e, AdminChangedEvent { market: self.market, old_admin, new_admin: signer.pubkey() });
        Ok(())
    }

    // --- changes at once ---

    pub async fn try_update_market_config(&mut self, signer: &Keypair, config: MarketConfig) -> TxResult {
        let before = self.market_state().await;
        self.send(&[ix::update_market_config(&signer.pubkey(), &self.market, config)], &[signer]).await?;
        self.expect_market_change(signer, true, &before, config).await;
        Ok(())
    }

    pub async fn try_tighten_reserve_config(&mut self, signer: &Keypair, r: &ReserveInfo, config: ReserveConfig) -> TxResult {
        let before = self.reserve_state(r).await;
        self.send(&[ix::tighten_reserve_config(&signer.pubkey(), &r.market, &r.key, config)], &[signer]).await?;
        let (old, pending, apply_ts) = (before.config, before.pending_config, before.pending_config_apply_ts);
        let signer = signer.pubkey();
        let e = self.emitted::<ReserveConfigChangedEvent>();
        assert_eq!(e, ReserveConfigChangedEvent { reserve: r.key, signer, by_admin: false, old: old.into(), new: config.into() });
        assert_eq!(self.reserve_state(r).await.config, config, "the event's new config is the one stored");
        let dropped = ReserveConfigCancelledEvent { reserve: r.key, signer, by_admin: false, dropped: pending.into(), apply_ts };
        assert_eq!(self.emitted_all::<ReserveConfigCancelledEvent>(), if apply_ts != 0 { vec![dropped] } else { vec![] });
        Ok(())
    }

    pub async fn try_tighten_market_config(&mut self, signer: &Keypair, config: MarketConfig) -> TxResult {
        let before = self.market_state().await;
        self.send(&[ix::tighten_market_config(&signer.pubkey(), &self.market, config)], &[signer]).await?;
        self.expect_market_change(signer, false, &before, config).await;
        Ok(())
    }

    /// The events of an at-once market change: the change, and the pending change it dropped, if any.
    async fn expect_market_change(&mut self, signer: &Keypair, by_admin: bool, before: &ballast::state::Market, new: MarketConfig) {
        assert_eq!(self.market_state().await.config, new, "the event's new config is the one stored");
        let (market, signer) = (self.market, signer.pubkey());
        let e = self.emitted::<MarketConfigChangedEvent>();
        assert_eq!(e, MarketConfigChangedEvent { market, signer, by_admin, old: before.config.into(), new: new.into() });
        let apply_ts = before.pending_config_apply_ts;
        let dropped = MarketConfigCancelledEvent { market, signer, by_admin, dropped: before.pending_config.into(), apply_ts };
        assert_eq!(self.emitted_all::<MarketConfigCancelledEvent>(), if apply_ts != 0 { vec![dropped] } else { vec![] });
    }

    // --- timelock queue ---

    pub async fn try_queue_reserve_config(&mut self, signer: &Keypair, r: &ReserveInfo, config: ReserveConfig) -> TxResult {
        let current = self.reserve_state(r).await.config;
        self.send(&[ix::queue_reserve_config(&signer.pubkey(), &r.market, &r.key, config)], &[signer]).await?;
        let apply_ts = self.reserve_state(r).await.pending_config_apply_ts;
        let e = self.emitted::<ReserveConfigQueuedEvent>();
        assert_eq!(e, ReserveConfigQueuedEvent { reserve: r.key, current: current.into(), pending: config.into(), apply_ts });
        Ok(())
    }

    pub async fn try_queue_market_config(&mut self, signer: &Keypair, config: MarketConfig) -> TxResult {
        let current = self.market_state().await.config;
        self.send(&[ix::queue_market_config(&signer.pubkey(), &self.market, config)], &[signer]).await?;
        let apply_ts = self.market_state().await.pending_config_apply_ts;
        let e = self.emitted::<MarketConfigQueuedEvent>();
        assert_eq!(e, MarketConfigQueuedEvent { market: self.market, current: current.into(), pending: config.into(), apply_ts });
        Ok(())
    }

    /// Signed by no one but the bank's fee payer: applying is permissionless.
    pub async fn try_apply_pending_reserve_config(&mut self, r: &ReserveInfo) -> TxResult {
        let old = self.reserve_state(r).await.config;
        self.send(&[ix::apply_pending_reserve_config(&r.key)], &[]).await?;
        let new = self.reserve_state(r).await.config;
        assert_eq!(self.emitted::<ReserveConfigAppliedEvent>(), ReserveConfigAppliedEvent { reserve: r.key, old: old.into(), new: new.into() });
        Ok(())
    }

    /// Signed by no one but the bank's fee payer: applying is permissionless.
    pub async fn try_apply_pending_market_config(&mut self) -> TxResult {
        let old = self.market_state().await.config;
        self.send(&[ix::apply_pending_market_config(&self.market)], &[]).await?;
        let new = self.market_state().await.config;
        assert_eq!(self.emitted::<MarketConfigAppliedEvent>(), MarketConfigAppliedEvent { market: self.market, old: old.into(), new: new.into() });
        Ok(())
    }

    /// The admin or the risk council (`signer`) drops the reserve's pending config.
    pub async fn try_cancel_pending_reserve_config(&mut self, signer: &Keypair, r: &ReserveInfo) -> TxResult {
        let before = self.reserve_state(r).await;
        self.send(&[ix::cancel_pending_reserve_config(&signer.pubkey(), &r.market, &r.key)], &[signer]).await?;
        let e = self.emitted::<ReserveConfigCancelledEvent>();
        assert_eq!((e.reserve, e.signer, e.by_admin), (r.key, signer.pubkey(), signer.pubkey() == self.market_state().await.admin));
        assert_eq!((e.dropped, e.apply_ts), (before.pending_config.into(), before.pending_config_apply_ts));
        Ok(())
    }

    /// The admin or the risk council (`signer`) drops the market's pending config.
    pub async fn try_cancel_pending_market_config(&mut self, signer: &Keypair) -> TxResult {
        let before = self.market_state().await;
        self.send(&[ix::cancel_pending_market_config(&signer.pubkey(), &self.market)], &[signer]).await?;
        let e = self.emitted::<MarketConfigCancelledEvent>();
        assert_eq!((e.market, e.signer, e.by_admin), (self.market, signer.pubkey(), signer.pubkey() == before.admin));
        assert_eq!((e.dropped, e.apply_ts), (before.pending_config.into(), before.pending_config_apply_ts));
        Ok(())
    }

    // --- risk council handover ---

    pub async fn try_propose_risk_council(&mut self, signer: &Keypair, new_risk_council: Pubkey) -> TxResult {
        self.send(&[ix::propose_risk_council(&signer.pubkey(), &self.market, new_risk_council)], &[signer]).await?;
        let e = self.emitted::<RiskCouncilProposedEvent>();
        assert_eq!((e.market, e.pending_risk_council), (self.market, new_risk_council));
        assert_eq!(e.apply_ts, self.market_state().await.pending_risk_council_apply_ts);
        Ok(())
    }

    pub async fn try_accept_risk_council(&mut self, signer: &Keypair) -> TxResult {
        let old_risk_council = self.market_state().await.risk_council;
        self.send(&[ix::accept_risk_council(&signer.pubkey(), &self.market)], &[signer]).await?;
        let e = self.emitted::<RiskCouncilChangedEvent>();
        assert_eq!(e, RiskCouncilChangedEvent { market: self.market, old_risk_council, new_risk_council: signer.pubkey() });
        Ok(())
    }

    // --- reads ---

    pub async fn reserve_config(&mut self, r: &ReserveInfo) -> ReserveConfig {
        self.reserve_state(r).await.config
    }

    pub async fn market_config(&mut self) -> MarketConfig {
        self.market_state().await.config
    }
}
