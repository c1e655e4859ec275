//! Elevation groups (eMode): creating a group through the timelock, tightening one, and opting an obligation in or out.
use crate::{context::*, reserves::ReserveInfo, TestContext};
use ballast::{events::*, instructions::ConfigureElevationGroupArgs};
use solana_keypair::Keypair;
use solana_program_test::BanksClientError;
use solana_signer::Signer;

impl TestContext {
    /// The admin tightens group `id` at once (`configure_elevation_group`): refused for a new or looser group.
    pub async fn try_configure_elevation_group(&mut self, id: u8, debt: &ReserveInfo, ltv_bps: u16, liquidation_threshold_bps: u16, max_liquidation_bonus_bps: u16) -> Result<(), BanksClientError> {
        let args = ConfigureElevationGroupArgs { id, ltv_bps, liquidation_threshold_bps, max_liquidation_bonus_bps };
        let group = args.group(debt.key);
        let ix = ballast_sdk::ix::configure_elevation_group(&self.admin.key(), &self.market, &debt.key, args);
        let admin = self.admin.keypair.insecure_clone();
        let before = self.market_state().await;
        self.send(&[ix], &[&admin]).await?;
        let (market, old) = (self.market, before.elevation_group(id).copied().unwrap_or_default());
        assert_eq!(self.emitted::<ElevationGroupConfiguredEvent>(), ElevationGroupConfiguredEvent { market, id, old: old.into(), group: group.into() });
        Ok(())
    }

    /// The admin queues creating or loosening group `id`; it applies after the market's timelock.
    pub async fn try_queue_elevation_group(&mut self, id: u8, debt: &ReserveInfo, ltv_bps: u16, liquidation_threshold_bps: u16, max_liquidation_bonus_bps: u16) -> Result<(), BanksClientError> {
        let args = ConfigureElevationGroupArgs { id, ltv_bps, liquidation_threshold_bps, max_liquidation_bonus_bps };
        let group = args.group(debt.key);
        let ix = ballast_sdk::ix::queue_elevation_group(&self.admin.key(), &self.market, &debt.key, args);
        let admin = self.admin.keypair.insecure_clone();
        self.send(&[ix], &[&admin]).await?;
        let apply_ts = self.market_state().await.pending_elevation_group_apply_ts;
        let expected = ElevationGroupQueuedEvent { market: self.market, id, group: group.into(), apply_ts };
        assert_eq!(self.emitted::<ElevationGroupQueuedEvent>(), expected);
        Ok(())
    }

    /// Anyone applies the pending group change once due.
    pub async fn try_apply_pending_elevation_group(&mut self) -> Result<(), BanksClientError> {
        let ix = ballast_sdk::ix::apply_pending_elevation_group(&self.market);
        let before = self.market_state().await;
        self.send(&[ix], &[]).await?;
        let id = before.pending_elevation_group_id;
        let old = before.elevation_group(id).copied().unwrap_or_default();
        let expected = ElevationGroupConfiguredEvent { market: self.market, id, old: old.into(), group: before.pending_elevation_group.into() };
        assert_eq!(self.emitted::<ElevationGroupConfiguredEvent>(), expected);
        Ok(())
    }

    /// The admin or the council (`signer`) drops the pending group change.
    pub async fn try_cancel_pending_elevation_group(&mut self, signer: &Keypair) -> Result<(), BanksClientError> {
        let ix = ballast_sdk::ix::cancel_pending_elevation_group(&signer.pubkey(), &self.market);
        let before = self.market_state().await;
        self.send(&[ix], &[signer]).await?;
        let (id, dropped) = (before.pending_elevation_group_id, before.pending_elevation_group);
        let expected = ElevationGroupCancelledEvent { market: self.market, id, dropped: dropped.into(), signer: signer.pubkey() };
        assert_eq!(self.emitted::<ElevationGroupCancelledEvent>(), expected);
        Ok(())
    }

    /// Creates (or loosens) group `id` through the queue, applying it at once: for markets with no timelock.
    pub async fn create_elevation_group(&mut self, id: u8, debt: &ReserveInfo, ltv_bps: u16, liquidation_threshold_bps: u16, max_liquidation_bonus_bps: u16) {
        self.try_queue_elevation_group(id, debt, ltv_bps, liquidation_threshold_bps, max_liquidation_bonus_bps).await.expect("queue_elevation_group");
        self.try_apply_pending_elevation_group().await.expect("apply_pending_elevation_group");
    }

    /// `user` moves obligation 0 into group `id` (0 = leave), with health accounts for its positions.
    pub async fn try_set_elevation_group(&mut self, user: &User, id: u8) -> Result<(), BanksClientError> {
        let state = self.obligation_state(user).await;
        let old_id = state.elevation_group;
        let ix = ballast_sdk::ix::set_elevation_group(&user.key(), &self.market, (&user.obligation, &state), id, self.price_account_of());
        self.send(&[ix], &[&user.keypair]).await?;
        let e = self.emitted::<ballast::events::ElevationGroupSetEvent>();
        assert_eq!(e, ballast::events::ElevationGroupSetEvent { obligation: user.obligation, old_id, id });
        Ok(())
    }
}
