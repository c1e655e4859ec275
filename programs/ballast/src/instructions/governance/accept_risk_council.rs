use crate::{events::RiskCouncilChangedEvent, operations::governance, state::Market};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct AcceptRiskCouncil<'info> {
    /// The proposed council, proving it controls the key.
    pub new_risk_council: Signer<'info>,
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
}

impl AcceptRiskCouncil<'_> {
    /// 1. the signer is the proposed council and the timelock has passed  2. make it the council  3. emit
    pub fn handle(ctx: Context<Self>) -> Result<()> {
        let signer = ctx.accounts.new_risk_council.key();
        let mut market = ctx.accounts.market.load_mut()?;
        let old = governance::accept_risk_council(&mut market, &signer, Clock::get()?.unix_timestamp)?;
        market.invariant()?;
        emit_cpi!(RiskCouncilChangedEvent { market: ctx.accounts.market.key(), old_risk_council: old, new_risk_council: signer });
        Ok(())
    }
}
