//! Substitutions that are not cases: slots that legitimately take the substitute (skipped, never sent, each
//! with its reason), and substitutions the program still accepts although it should not (`DEFECT`, sent and
//! expected to pass until the defect is fixed).
use super::{cases::Substitute, world::Actor};

/// Which substitutes of a slot an entry covers.
#[derive(Clone, Copy, Debug)]
pub enum Only {
    /// Every other keypair signing in the signer's place.
    OtherSigners,
    Substitutes(&'static [Substitute]),
}

#[derive(Debug)]
pub struct Exemption {
    /// `label.slot` as the sweep names it: `flash_borrow.user`, `liquidate:ctokens.liquidator_withdraw_liquidity`.
    pub at: &'static str,
    pub only: Only,
    pub reason: &'static str,
}

impl Exemption {
    pub fn covers(&self, at: &str, substitute: Substitute) -> bool {
        self.at == at
            && match self.only {
                Only::OtherSigners => matches!(substitute, Substitute::Signer(_)),
                Only::Substitutes(list) => list.contains(&substitute),
            }
    }

    /// The slot and which substitutes, for the report.
    pub fn describe(&self) -> String {
        match self.only {
            Only::OtherSigners => format!("{} [any other signer]", self.at),
            Only::Substitutes(list) => format!("{} [{}]", self.at, list.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
        }
    }
}

const SIBLINGS: &[Substitute] = &[Substitute::OtherReserve, Substitute::OtherMarket];

/// Slots that legitimately accept the substitute.
pub const SKIPS: &[Exemption] = &[
    Exemption {
        at: "cancel_pending_elevation_group.authority",
        only: Only::Substitutes(&[Substitute::Signer(Actor::Council)]),
        reason: "the admin or the risk council may cancel a pending change (a brake, never an accelerator)",
    },
    Exemption {
        at: "cancel_pending_market_config.authority",
        only: Only::Substitutes(&[Substitute::Signer(Actor::Council)]),
        reason: "the admin or the risk council may cancel a pending change (a brake, never an accelerator)",
    },
    Exemption {
        at: "cancel_pending_reserve_config.authority",
        only: Only::Substitutes(&[Substitute::Signer(Actor::Council)]),
        reason: "the admin or the risk council may cancel a pending change (a brake, never an accelerator)",
    },
    Exemption {
        at: "stop_delisting.authority",
        only: Only::Substitutes(&[Substitute::Signer(Actor::Council)]),
        reason: "the admin or the risk council may stop a delisting (it only makes obligations healthier)",
    },
    Exemption {
        at: "close_obligation.obligation",
        only: Only::Substitutes(&[Substitute::OtherMarket]),
        reason: "the owner's own empty obligation in another market is as much theirs to close: close_obligation names no market",
    },
    Exemption {
        at: "flash_borrow.user",
        only: Only::OtherSigners,
        reason: "anyone may take a flash loan to any account of the mint; the signer is only recorded, and flash_repay's signer pays it back",
    },
    Exemption {
        at: "init_market.admin",
        only: Only::OtherSigners,
        reason: "anyone may create a market: the signer pays for it and becomes its admin",
    },
    Exemption {
        at: "init_market.market",
        only: Only::OtherSigners,
        reason: "any keypair may be the address of a new market: its holder signs for it",
    },
    Exemption {
        at: "liquidate:ctokens.liquidator_withdraw_liquidity",
        only: Only::Substitutes(SIBLINGS),
        reason: "paid in cTokens, the liquidator's liquidity account receives nothing; any token account is accepted there",
    },
    Exemption {
        at: "liquidate:underlying.liquidator_withdraw_ctokens",
        only: Only::Substitutes(SIBLINGS),
        reason: "paid in underlying, the liquidator's cToken account receives nothing; any token account is accepted there",
    },
    Exemption {
        at: "queue_elevation_group.debt_reserve",
        only: Only::Substitutes(&[Substitute::OtherReserve]),
        reason: "the admin may queue a group borrowing any reserve of its market: the timelock, not the account, is the safeguard",
    },
    Exemption {
        at: "start_delisting.reserve",
        only: Only::Substitutes(&[Substitute::OtherReserve]),
        reason: "the admin may delist any reserve of its market: the notice (at least a day and the timelock), not the account, is the safeguard",
    },
    Exemption {
        at: "stop_delisting.reserve",
        only: Only::Substitutes(&[Substitute::OtherReserve]),
        reason: "the admin or the council may stop the delisting of any reserve of its market (the sweep's accepted start left one delisting)",
    },
    Exemption {
        at: "queue_reserve_config.reserve",
        only: Only::Substitutes(&[Substitute::OtherReserve]),
        reason: "the admin may queue any valid config for any reserve of its market: the timelock, not the account, is the safeguard",
    },
];

/// Substitutions the program accepts that it should reject; each is written up in the findings.
pub const DEFECTS: &[Exemption] = &[];
