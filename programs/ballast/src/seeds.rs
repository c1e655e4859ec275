//! PDA seeds. Each address is derived from exactly one of these.

/// [AUTHORITY, market]: signs for every vault of a market.
pub const AUTHORITY: &[u8] = b"authority";
/// [RESERVE, market, liquidity_mint]
pub const RESERVE: &[u8] = b"reserve";
/// [LIQUIDITY, reserve]: the reserve's liquidity token vault.
pub const LIQUIDITY: &[u8] = b"liquidity";
/// [CTOKEN, reserve]: the deposit receipt mint.
pub const CTOKEN: &[u8] = b"ctoken";
/// [COLLATERAL, reserve]: cTokens pledged by obligations.
pub const COLLATERAL: &[u8] = b"collateral";
/// [FEES, reserve]: swept protocol fees.
pub const FEES: &[u8] = b"fees";
/// [OBLIGATION, market, owner, id]
pub const OBLIGATION: &[u8] = b"obligation";
/// [TICKET, reserve, seq (u64 little-endian)]: a withdrawal ticket.
pub const TICKET: &[u8] = b"ticket";
