//! Elevation groups (eMode): configuring a group and opting an obligation in or out.
use crate::{context::*, reserves::ReserveInfo, TestContext};
use solana_program_test::BanksClientError;

impl TestContext {
    /// The admin creates (or tightens) group `id` with `debt` as its one borrowable reserve.
    pub async fn try_configure_elevation_group(&mut self, id: u8, debt: &ReserveInfo, ltv_bps: u16, liquidation_threshold_bps: u16, max_liquidation_bonus_bps: u16) -> Result<(), BanksClientError> {
        let ix = Self::instruction(
            ballast::accounts::ConfigureElevationGroup { admin: self.admin.key(), market: self.market, debt_reserve: debt.key },
            ballast::instruction::ConfigureElevationGroup {
                args: ballast::instructions::ConfigureElevationGroupArgs { id, ltv_bps, liquidation_threshold_bps, max_liquidation_bonus_bps },
            },
        );
        let admin = self.admin.keypair.insecure_clone();
        self.send(&[ix], &[&admin]).await
    }

    /// `user` moves obligation 0 into group `id` (0 = leave), with health accounts for its positions.
    pub async fn try_set_elevation_group(&mut self, user: &User, id: u8) -> Result<(), BanksClientError> {
        let state = self.obligation_state(user).await;
        let mut ix = Self::instruction(
            ballast::accounts::SetElevationGroup { owner: user.key(), market: self.market, obligation: user.obligation },
            ballast::instruction::SetElevationGroup { id },
        );
        ix.accounts.extend(self.health_metas(&state));
        self.send(&[ix], &[&user.keypair]).await
    }
}
