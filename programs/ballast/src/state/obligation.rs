use crate::{
    constants::{MAX_OBLIGATION_BORROWS, MAX_OBLIGATION_DEPOSITS},
    error::BallastError,
    math::{self, Fraction, Sf},
};
use anchor_lang::prelude::*;

/// cTokens of one reserve pledged by an obligation.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ObligationCollateral {
    /// Reserve whose cTokens are pledged (default = empty slot).
    pub reserve: Pubkey,
    /// Pledged cTokens, native cToken units.
    pub ctoken_amount: u64,
}

/// Debt of one reserve owed by an obligation.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ObligationLiquidity {
    /// Reserve the debt is owed to (default = empty slot).
    pub reserve: Pubkey,
    /// Debt at the index snapshot, native units (Fraction).
    pub borrowed_sf: Sf,
    /// Reserve's cumulative borrow index when `borrowed_sf` was last brought up to date.
    pub cumulative_borrow_index_sf: Sf,
}

/// A borrower's positions in one market. Positions are kept packed, in insertion order.
#[account(zero_copy)]
#[repr(C)]
pub struct Obligation {
    /// Market of every position.
    pub market: Pubkey,
    /// Signs for withdraw and borrow.
    pub owner: Pubkey,
    /// Collateral positions; empty slots trail.
    pub deposits: [ObligationCollateral; MAX_OBLIGATION_DEPOSITS],
    /// Debt positions; empty slots trail.
    pub borrows: [ObligationLiquidity; MAX_OBLIGATION_BORROWS],
    /// Isolated reserve whose debt ceiling `isolated_debt_micro_quote` counts against (default = nothing counted).
    pub isolated_reserve: Pubkey,
    /// Per borrow slot, aligned with `borrows`: debt counted against `isolated_reserve`, micro-quote (quote × 1e6).
    pub isolated_debt_micro_quote: [u64; MAX_OBLIGATION_BORROWS],
    /// Owner-chosen id in the PDA seeds.
    pub id: u8,
    /// Bump of the obligation PDA.
    pub bump: u8,
    /// Elevation group (0 = none).
    pub elevation_group: u8,
    /// Layout version.
    pub version: u8,
    /// Reserved (alignment).
    pub padding0: [u8; 4],
    /// When the obligation was first found insolvent (collateral worth less than debt at liquidation prices),
    /// unix seconds; 0 = not insolvent as last recorded. The clock of the insolvent auction
    /// (`ReserveConfig.insolvent_auction_secs`): set by `liquidate` or `mark_insolvency` from prices they
    /// verify, cleared by them when the obligation is solvent again and by any borrow or withdrawal (which prove
    /// health).
    pub insolvent_since: i64,
    /// Reserved for growth.
    pub padding: [u8; 16],
}

const _: () = assert!(core::mem::size_of::<Obligation>() == 1024);
const _: () = assert!(8 + core::mem::size_of::<Obligation>() <= 1_400);

/// One reserve an obligation's health depends on, with its slots on each side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealthPosition {
    pub reserve: Pubkey,
    pub deposit: Option<usize>,
    pub borrow: Option<usize>,
}

impl Obligation {
    pub const SPACE: usize = 8 + core::mem::size_of::<Obligation>();

    pub fn active_deposits(&self) -> &[ObligationCollateral] {
        let n = self.deposits.iter().take_while(|d| d.reserve != Pubkey::default()).count();
        &self.deposits[..n]
    }

    pub fn active_borrows(&self) -> &[ObligationLiquidity] {
        let n = self.borrows.iter().take_while(|b| b.reserve != Pubkey::default()).count();
        &self.borrows[..n]
    }

    pub fn is_empty(&self) -> bool {
        self.active_deposits().is_empty() && self.active_borrows().is_empty()
    }

    /// One pass over the slots (an empty slot holds the default key, which no reserve has).
    pub fn find_deposit(&self, reserve: &Pubkey) -> Option<usize> {
        if *reserve == Pubkey::default() {
            return None;
        }
        self.deposits.iter().position(|d| d.reserve == *reserve)
    }

    pub fn find_borrow(&self, reserve: &Pubkey) -> Option<usize> {
        if *reserve == Pubkey::default() {
            return None;
        }
        self.borrows.iter().position(|b| b.reserve == *reserve)
    }

    /// The deposit slot for `reserve`, opening one at the end if needed.
    pub fn deposit_slot(&mut self, reserve: &Pubkey) -> Result<usize> {
        if let Some(i) = self.find_deposit(reserve) {
            return Ok(i);
        }
        let n = self.active_deposits().len();
        require!(n < MAX_OBLIGATION_DEPOSITS, BallastError::ObligationDepositsFull);
        self.deposits[n] = ObligationCollateral { reserve: *reserve, ctoken_amount: 0 };
        Ok(n)
    }

    /// The borrow slot for `reserve`, opening one at the end (with the current index) if needed.
    pub fn borrow_slot(&mut self, reserve: &Pubkey, index: Fraction) -> Result<usize> {
        if let Some(i) = self.find_borrow(reserve) {
            return Ok(i);
        }
        let n = self.active_borrows().len();
        require!(n < MAX_OBLIGATION_BORROWS, BallastError::ObligationBorrowsFull);
        self.borrows[n] = ObligationLiquidity {
            reserve: *reserve,
            borrowed_sf: Sf::default(),
            cumulative_borrow_index_sf: Sf::from(index),
        };
        Ok(n)
    }

    /// Removes deposit `i`, keeping the order of the rest.
    pub fn remove_deposit(&mut self, i: usize) {
        self.deposits[i..].rotate_left(1);
        self.deposits[MAX_OBLIGATION_DEPOSITS - 1] = ObligationCollateral::default();
    }

    /// Removes borrow `i`, keeping the order of the rest (its isolated-debt contribution moves with it).
    /// Returns the contribution released with the slot, micro-quote: the caller takes it off the isolated
    /// reserve's usage.
    #[must_use = "the released isolated debt must come off the isolated reserve's usage"]
    pub fn remove_borrow(&mut self, i: usize) -> u64 {
        let released = self.isolated_debt_micro_quote[i];
        self.borrows[i..].rotate_left(1);
        self.borrows[MAX_OBLIGATION_BORROWS - 1] = ObligationLiquidity::default();
        self.isolated_debt_micro_quote[i..].rotate_left(1);
        self.isolated_debt_micro_quote[MAX_OBLIGATION_BORROWS - 1] = 0;
        self.forget_isolated_reserve_if_settled();
        released
    }

    /// Whether any borrow slot still counts debt against `isolated_reserve`.
    pub fn has_isolated_debt(&self) -> bool {
        self.isolated_debt_micro_quote.iter().any(|c| *c > 0)
    }

    /// Clears `isolated_reserve` once no slot counts debt against it, so a later borrow may name another.
    pub fn forget_isolated_reserve_if_settled(&mut self) {
        if !self.has_isolated_debt() {
            self.isolated_reserve = Pubkey::default();
        }
    }

    /// The distinct reserves a health check needs, in order: deposits, then borrows not already listed.
    pub fn health_reserves(&self) -> impl Iterator<Item = Pubkey> + '_ {
        self.health_positions().map(|p| p.reserve)
    }

    /// How many reserves `health_reserves` lists: one health group each (at least a reserve and its primary price).
    pub fn health_reserve_count(&self) -> usize {
        let deposits = self.active_deposits();
        let borrows_alone = self.active_borrows().iter().filter(|b| !deposits.iter().any(|d| d.reserve == b.reserve)).count();
        deposits.len() + borrows_alone
    }

    /// `health_reserves` with each reserve's deposit and borrow slots, found in one pass.
    pub fn health_positions(&self) -> impl Iterator<Item = HealthPosition> + '_ {
        let deposits = self.active_deposits();
        let borrows = self.active_borrows();
        let borrow_of = move |r: &Pubkey| borrows.iter().position(|b| b.reserve == *r);
        deposits
            .iter()
            .enumerate()
            .map(move |(i, d)| HealthPosition { reserve: d.reserve, deposit: Some(i), borrow: borrow_of(&d.reserve) })
            .chain(
                borrows
                    .iter()
                    .enumerate()
                    .filter(move |(_, b)| !deposits.iter().any(|d| d.reserve == b.reserve))
                    .map(|(j, b)| HealthPosition { reserve: b.reserve, deposit: None, borrow: Some(j) }),
            )
    }

    /// Cross-field rules: packed slots, one position per reserve per side, no zero positions; isolated debt
    /// counted only on open borrow slots, and `isolated_reserve` named exactly while some is counted.
    pub fn invariant(&self) -> Result<()> {
        super::require_known_version(self.version)?;
        let deposits = self.active_deposits();
        let borrows = self.active_borrows();
        require!(
            self.deposits[deposits.len()..].iter().all(|d| *d == ObligationCollateral::default()),
            BallastError::ObligationLayoutInvalid
        );
        require!(
            self.borrows[borrows.len()..].iter().all(|b| *b == ObligationLiquidity::default()),
            BallastError::ObligationLayoutInvalid
        );
        for (i, d) in deposits.iter().enumerate() {
            require!(d.ctoken_amount > 0, BallastError::ObligationLayoutInvalid);
            require!(deposits[..i].iter().all(|o| o.reserve != d.reserve), BallastError::ObligationLayoutInvalid);
        }
        for (i, b) in borrows.iter().enumerate() {
            require!(b.borrowed_sf.get() > Fraction::ZERO, BallastError::ObligationLayoutInvalid);
            require!(borrows[..i].iter().all(|o| o.reserve != b.reserve), BallastError::ObligationLayoutInvalid);
        }
        require!(
            self.isolated_debt_micro_quote[borrows.len()..].iter().all(|c| *c == 0),
            BallastError::IsolatedDebtAccountingInvalid
        );
        require!(
            self.has_isolated_debt() == (self.isolated_reserve != Pubkey::default()),
            BallastError::IsolatedDebtAccountingInvalid
        );
        Ok(())
    }
}

impl ObligationLiquidity {
    /// Debt brought up to `index`: borrowed · (index / snapshot), the ratio first to stay in range.
    pub fn debt_at(&self, index: Fraction) -> Result<Fraction> {
        let growth = math::div(index, self.cumulative_borrow_index_sf.get())?;
        math::mul(self.borrowed_sf.get(), growth)
    }

    /// Brings the stored debt up to `index`.
    pub fn accrue(&mut self, index: Fraction) -> Result<()> {
        let debt = self.debt_at(index)?;
        self.borrowed_sf.set(debt);
        self.cumulative_borrow_index_sf.set(index);
        Ok(())
    }
}
