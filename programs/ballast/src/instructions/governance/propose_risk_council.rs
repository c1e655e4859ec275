use crate::{error::BallastError, events::RiskCouncilProposedEvent, operations::governance, state::Market};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct ProposeRiskCouncil<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ BallastError::NotMarketAdmin)]
    pub market: AccountLoader<'info, Market>,
}

impl ProposeRiskCouncil<'_> {
    /// The council is the brake on the admin, so replacing it waits the market's timelock: depositors see the
    /// brake change hands before any loosening it could no longer cancel.
    /// 1. record the proposal and when it may be accepted (default key = withdraw it)  2. emit
    pub fn handle(ctx: Context<Self>, new_risk_council: Pubkey) -> Result<()> {
        let mut market = ctx.accounts.market.load_mut()?;
        let apply_ts = governance::propose_risk_council(&mut market, new_risk_council, Clock::get()?.unix_timestamp)?;
        market.invariant()?;
        emit_cpi!(RiskCouncilProposedEvent {
            market: ctx.accounts.market.key(),
            risk_council: market.risk_council,
            pending_risk_council: new_risk_council,
            apply_ts,
        });
        Ok(())
    }
}
