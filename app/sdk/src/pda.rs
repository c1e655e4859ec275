//! Program-derived addresses, one function per seed in `ballast::seeds`.
use anchor_lang::prelude::Pubkey;
use ballast::seeds;
use std::cell::RefCell;
use std::collections::HashMap;

thread_local! {
    /// Derivations already made on this thread, by their seeds (a bump search costs tens of microseconds, and
    /// a keeper or the simulator names the same few thousand addresses in every transaction).
    static FOUND: RefCell<HashMap<MemoKey, Pubkey>> = RefCell::new(HashMap::new());
}

/// Entries kept before the memo starts over, so a long-running client's memory stays bounded.
const MEMO_LIMIT: usize = 1 << 16;

/// A derivation's kind and seeds, each seed after its length, so no two seed lists share a key. Ballast's
/// seeds are at most four of at most 32 bytes.
#[derive(PartialEq, Eq)]
struct MemoKey([u8; 136]);

impl std::hash::Hash for MemoKey {
    /// A multiply-rotate fold of the key's words: SipHash over 136 bytes cost more than the lookup saved.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let mut h = 0u64;
        for word in self.0.chunks_exact(8) {
            h = (h.rotate_left(5) ^ u64::from_le_bytes(word.try_into().expect("8 bytes"))).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        state.write_u64(h);
    }
}

fn memo_key(tag: u8, seeds: &[&[u8]]) -> MemoKey {
    let mut key = [0u8; 136];
    key[0] = tag;
    let mut at = 1;
    for seed in seeds {
        key[at] = seed.len() as u8;
        key[at + 1..at + 1 + seed.len()].copy_from_slice(seed);
        at += 1 + seed.len();
    }
    MemoKey(key)
}

fn memo(key: MemoKey, derive: impl FnOnce() -> Pubkey) -> Pubkey {
    if let Some(found) = FOUND.with(|f| f.borrow().get(&key).copied()) {
        return found;
    }
    let found = derive();
    FOUND.with(|f| {
        let mut f = f.borrow_mut();
        if f.len() >= MEMO_LIMIT {
            f.clear();
        }
        f.insert(key, found);
    });
    found
}

fn find(seeds: &[&[u8]]) -> Pubkey {
    const _: () = assert!(1 + 4 * 33 <= 136);
    memo(memo_key(0, seeds), || Pubkey::find_program_address(seeds, &ballast::ID).0)
}

/// Signs for every vault of `market`.
pub fn market_authority(market: &Pubkey) -> Pubkey {
    find(&[seeds::AUTHORITY, market.as_ref()])
}

/// The reserve of `liquidity_mint` in `market`.
pub fn reserve(market: &Pubkey, liquidity_mint: &Pubkey) -> Pubkey {
    find(&[seeds::RESERVE, market.as_ref(), liquidity_mint.as_ref()])
}

pub fn liquidity_vault(reserve: &Pubkey) -> Pubkey {
    find(&[seeds::LIQUIDITY, reserve.as_ref()])
}

pub fn ctoken_mint(reserve: &Pubkey) -> Pubkey {
    find(&[seeds::CTOKEN, reserve.as_ref()])
}

pub fn collateral_vault(reserve: &Pubkey) -> Pubkey {
    find(&[seeds::COLLATERAL, reserve.as_ref()])
}

pub fn fee_vault(reserve: &Pubkey) -> Pubkey {
    find(&[seeds::FEES, reserve.as_ref()])
}

/// Obligation number `id` of `owner` in `market`.
pub fn obligation(market: &Pubkey, owner: &Pubkey, id: u8) -> Pubkey {
    find(&[seeds::OBLIGATION, market.as_ref(), owner.as_ref(), &[id]])
}

/// Withdrawal ticket number `seq` in `reserve`'s queue.
pub fn ticket(reserve: &Pubkey, seq: u64) -> Pubkey {
    find(&[seeds::TICKET, reserve.as_ref(), &seq.to_le_bytes()])
}

/// The associated token account of `owner` for `mint` under `token_program`.
pub fn associated_token(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    memo(memo_key(1, &[owner.as_ref(), mint.as_ref(), token_program.as_ref()]), || {
        anchor_spl::associated_token::get_associated_token_address_with_program_id(owner, mint, token_program)
    })
}

/// Signs the program's `emit_cpi!` self-invocations; every instruction takes it (with the program itself) as
/// its last two named accounts, and indexers recognise Ballast's events by it.
pub fn event_authority() -> Pubkey {
    ballast::EVENT_AUTHORITY_AND_BUMP.0
}
