use crate::{error::BallastError, events::LookupTableSetEvent, state::Market};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct SetLookupTable<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ BallastError::NotMarketAdmin)]
    pub market: AccountLoader<'info, Market>,
}

impl SetLookupTable<'_> {
    /// Records where clients find the market's address lookup table. Needs no timelock: the program never reads
    /// it, and a table can only shorten the keys a client already chose, never change them.
    /// 1. store the address (default = none)  2. emit
    pub fn handle(ctx: Context<Self>, lookup_table: Pubkey) -> Result<()> {
        let mut market = ctx.accounts.market.load_mut()?;
        let old_lookup_table = std::mem::replace(&mut market.lookup_table, lookup_table);
        market.invariant()?;
        emit_cpi!(LookupTableSetEvent { market: ctx.accounts.market.key(), old_lookup_table, lookup_table });
        Ok(())
    }
}
