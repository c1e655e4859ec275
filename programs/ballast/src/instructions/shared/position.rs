//! `Position`: an owner-signed obligation together with one reserve's vaults, checked once.
use super::reserve_vaults::*;
use crate::{
    error::BallastError,
    state::Obligation,
};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct Position<'info> {
    pub owner: Signer<'info>,
    pub vaults: ReserveVaults<'info>,
    #[account(
        mut,
        has_one = owner @ BallastError::NotObligationOwner,
        constraint = obligation.load()?.market == vaults.market.key() @ BallastError::ObligationMarketMismatch,
        constraint = crate::state::known_version(obligation.load()?.version) @ BallastError::UnsupportedAccountVersion,
    )]
    pub obligation: AccountLoader<'info, Obligation>,
}
