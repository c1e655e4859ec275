use crate::{
    constants::ACCOUNT_VERSION,
    events::ObligationInitializedEvent,
    instructions::shared::create_zero_copy,
    seeds,
    state::{Market, Obligation},
};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
#[instruction(id: u8)]
pub struct InitObligation<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    pub market: AccountLoader<'info, Market>,
    /// CHECK: the obligation PDA, verified by seeds and created here, pre-funded or not (see `create_account`).
    /// Its seeds end in the id as one byte (`id.to_le_bytes()`), so the IDL carries them for generated clients.
    #[account(mut, seeds = [seeds::OBLIGATION, market.key().as_ref(), owner.key().as_ref(), &id.to_le_bytes()], bump)]
    pub obligation: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl InitObligation<'_> {
    /// 1. create the account, even if someone sent lamports to its address first  2. write owner, market, id
    /// 3. emit
    pub fn handle(ctx: Context<Self>, id: u8) -> Result<()> {
        let a = &ctx.accounts;
        let (market, owner, bump) = (a.market.key(), a.owner.key(), ctx.bumps.obligation);
        let seeds: &[&[u8]] = &[seeds::OBLIGATION, market.as_ref(), owner.as_ref(), &[id], &[bump]];
        create_zero_copy(&a.owner, &a.obligation, &a.system_program, seeds, |obligation: &mut Obligation| {
            obligation.market = market;
            obligation.owner = owner;
            obligation.id = id;
            obligation.bump = bump;
            obligation.version = ACCOUNT_VERSION;
            obligation.invariant()
        })?;
        emit_cpi!(ObligationInitializedEvent { obligation: a.obligation.key(), owner, id });
        Ok(())
    }
}
