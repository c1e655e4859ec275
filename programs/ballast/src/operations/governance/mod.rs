//! Governance on plain state (DESIGN §7): which changes loosen risk (`rules`), the queue / apply / cancel life
//! of a change (`slots`), and who holds which role (`roles`).
pub mod roles;
pub mod rules;
pub mod slots;

pub use roles::*;
pub use rules::*;
pub use slots::*;

/// Configs shared by the governance unit tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use crate::{
        math::CurvePoint,
        state::{MarketConfig, OracleConfig, ReserveConfig, SecondaryOracleConfig, FLAG_BORROW_ENABLED, FLAG_PAUSED, MARKET_FLAG_EMERGENCY, SECONDARY_SWITCHBOARD},
    };
    use anchor_lang::prelude::Pubkey;
    use bytemuck::Zeroable;

    /// A valid config with room to move every field both ways.
    pub fn base() -> ReserveConfig {
        let mut c = ReserveConfig::zeroed();
        c.deposit_limit = 1_000;
        c.borrow_limit = 1_000;
        c.outflow_limit = 1_000;
        c.isolated_debt_ceiling_micro_quote = 1_000;
        c.outflow_window_secs = 3_600;
        c.curve[0] = CurvePoint { utilization_bps: 0, borrow_rate_bps: 0 };
        c.curve[1] = CurvePoint { utilization_bps: 10_000, borrow_rate_bps: 1_000 };
        c.curve_len = 2;
        c.insolvent_auction_secs = 1_800;
        c.liquidation_target_health_bps = 11_000;
        c.regime_calm_vol_bps = 8_000;
        c.regime_turbulent_vol_bps = 20_000;
        c.regime_max_ltv_cut_bps = 2_000;
        c.regime_max_rate_addon_bps = 1_000;
        c.regime_half_life_mins = 360;
        c.oracle = OracleConfig {
            price_account: Pubkey::new_from_array([9; 32]),
            feed_id: [7; 32],
            max_age_secs: 60,
            volatility_haircut_bps: 10_000,
            max_conf_bps: 200,
            max_ema_divergence_bps: 500,
            conf_multiplier_bps: 10_000,
            liquidation_band_bps: 10_000,
        };
        c.secondary = SecondaryOracleConfig {
            price_account: Pubkey::new_from_array([4; 32]),
            max_age_secs: 60,
            max_age_slots: 150,
            max_divergence_bps: 200,
            max_conf_bps: 100,
            min_samples: 3,
            kind: SECONDARY_SWITCHBOARD,
            padding: [0; 18],
        };
        c.ltv_bps = 7_000;
        c.liquidation_threshold_bps = 8_000;
        c.min_liquidation_bonus_bps = 200;
        c.max_liquidation_bonus_bps = 800;
        c.protocol_liquidation_fee_bps = 2_000;
        c.reserve_factor_bps = 1_000;
        c.insurance_factor_bps = 500;
        c.borrow_factor_bps = 11_000;
        c.origination_fee_bps = 10;
        c.flash_fee_bps = 10;
        c.utilization_ceiling_bps = 9_000;
        c.flags = FLAG_BORROW_ENABLED | FLAG_PAUSED;
        c.elevation_groups = 0b01;
        c
    }

    pub fn market() -> MarketConfig {
        MarketConfig {
            dust_threshold_quote: 10,
            config_timelock_secs: 86_400,
            outflow_limit_quote: 1_000_000,
            outflow_window_secs: 3_600,
            close_factor_bps: 2_000,
            flags: MARKET_FLAG_EMERGENCY,
        }
    }

}
