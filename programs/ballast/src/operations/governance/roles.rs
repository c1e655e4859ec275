//! Who governs: the admin hands over in two steps; the admin replaces the risk council in two steps, the
//! second no sooner than the market's timelock, so the brake can never be removed without warning.
use crate::{error::BallastError, state::Market};
use anchor_lang::prelude::*;

/// Proposes `new_council` (default = withdraw the proposal); it may accept from the returned time on.
pub fn propose_risk_council(market: &mut Market, new_council: Pubkey, now_ts: i64) -> Result<i64> {
    if new_council == Pubkey::default() {
        market.pending_risk_council = Pubkey::default();
        market.pending_risk_council_apply_ts = 0;
        return Ok(0);
    }
    let delay = i64::try_from(market.config.config_timelock_secs).unwrap_or(i64::MAX);
    let apply_ts = now_ts.saturating_add(delay).max(1);
    market.pending_risk_council = new_council;
    market.pending_risk_council_apply_ts = apply_ts;
    Ok(apply_ts)
}

/// The proposed council `signer` takes over once the timelock has passed; returns the council it replaced.
pub fn accept_risk_council(market: &mut Market, signer: &Pubkey, now_ts: i64) -> Result<Pubkey> {
    require!(
        market.pending_risk_council != Pubkey::default() && market.pending_risk_council == *signer,
        BallastError::NotPendingRiskCouncil
    );
    require!(now_ts >= market.pending_risk_council_apply_ts, BallastError::TimelockNotElapsed);
    let old = market.risk_council;
    market.risk_council = *signer;
    market.pending_risk_council = Pubkey::default();
    market.pending_risk_council_apply_ts = 0;
    Ok(old)
}

/// Whether `signer` may cancel a pending change: the admin, or the council (a brake, never an accelerator).
/// Returns true for the admin.
pub fn require_admin_or_council(market: &Market, signer: &Pubkey) -> Result<bool> {
    let by_admin = market.admin == *signer;
    require!(by_admin || market.risk_council == *signer, BallastError::NotAdminOrRiskCouncil);
    Ok(by_admin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytemuck::Zeroable;

    #[test]
    fn a_new_council_accepts_only_after_the_timelock() {
        let mut m = Market::zeroed();
        m.version = crate::constants::ACCOUNT_VERSION;
        m.admin = Pubkey::new_from_array([1; 32]);
        m.risk_council = Pubkey::new_from_array([2; 32]);
        m.config.config_timelock_secs = 3_600;
        let new = Pubkey::new_from_array([3; 32]);
        assert_eq!(propose_risk_council(&mut m, new, 1_000).unwrap(), 4_600);
        let admin = m.admin;
        assert_eq!(accept_risk_council(&mut m, &admin, 5_000).unwrap_err(), BallastError::NotPendingRiskCouncil.into());
        assert_eq!(accept_risk_council(&mut m, &new, 4_599).unwrap_err(), BallastError::TimelockNotElapsed.into());
        assert_eq!(accept_risk_council(&mut m, &new, 4_600).unwrap(), Pubkey::new_from_array([2; 32]));
        assert_eq!((m.risk_council, m.pending_risk_council, m.pending_risk_council_apply_ts), (new, Pubkey::default(), 0));
        m.invariant().unwrap();
        // Withdrawing a proposal clears it.
        propose_risk_council(&mut m, Pubkey::new_from_array([4; 32]), 0).unwrap();
        propose_risk_council(&mut m, Pubkey::default(), 0).unwrap();
        assert_eq!(accept_risk_council(&mut m, &Pubkey::default(), 10_000).unwrap_err(), BallastError::NotPendingRiskCouncil.into());
        m.invariant().unwrap();
    }

    #[test]
    fn only_the_admin_or_the_council_may_cancel() {
        let mut m = Market::zeroed();
        m.version = crate::constants::ACCOUNT_VERSION;
        m.admin = Pubkey::new_from_array([1; 32]);
        m.risk_council = Pubkey::new_from_array([2; 32]);
        assert!(require_admin_or_council(&m, &m.admin).unwrap());
        assert!(!require_admin_or_council(&m, &m.risk_council).unwrap());
        let err = require_admin_or_council(&m, &Pubkey::new_from_array([3; 32])).unwrap_err();
        assert_eq!(err, BallastError::NotAdminOrRiskCouncil.into());
    }
}
