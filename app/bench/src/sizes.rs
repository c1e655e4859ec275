//! Account sizes, discriminator included, against the design's budget.
use ballast::state::{Market, Obligation, Reserve};

#[derive(Clone, Debug, serde::Serialize)]
pub struct Size {
    pub account: &'static str,
    pub bytes: usize,
}

pub fn sizes() -> Vec<Size> {
    vec![
        Size { account: "Market", bytes: Market::SPACE },
        Size { account: "Reserve", bytes: Reserve::SPACE },
        Size { account: "Obligation (8 deposits + 8 borrows)", bytes: Obligation::SPACE },
    ]
}

/// DESIGN §2: an obligation with 8 + 8 positions in at most 1,400 bytes.
pub const OBLIGATION_BUDGET: usize = 1_400;
