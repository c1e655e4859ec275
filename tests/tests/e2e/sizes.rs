use ballast::state::{Market, Obligation, Reserve};

/// Prints the pinned account sizes (including the 8-byte discriminator) and checks the obligation budget.
#[test]
fn account_sizes_fit_their_budgets() {
    let rows = [("Market", Market::SPACE), ("Reserve", Reserve::SPACE), ("Obligation", Obligation::SPACE)];
    for (name, size) in rows {
        println!("{name:<11} {size:>5} bytes");
    }
    assert!(Obligation::SPACE <= 1_400, "obligation with 8 deposits and 8 borrows must fit 1,400 bytes");
}
