//! Substitutions in the remaining accounts: a health list of (reserve, price) pairs, or the price account a
//! first pledge into a reserve needs.
use super::{
    baselines::{Baseline, Remaining},
    cases::forged_copy,
    world::{World, M},
};
use anchor_lang::prelude::AccountMeta;

/// A named replacement for the baseline's remaining accounts.
pub struct ListCase {
    pub name: String,
    pub list: Vec<AccountMeta>,
}

/// Every substitution of `b`'s remaining accounts.
pub async fn list_cases(w: &mut World, b: &Baseline) -> Vec<ListCase> {
    let metas = &b.ix().accounts;
    let list = metas[metas.len() - b.remaining..].to_vec();
    match b.list {
        Remaining::None => vec![],
        Remaining::HealthPairs => pair_cases(w, &list).await,
        Remaining::NewCollateralPrice => price_cases(w, &list).await,
    }
}

fn case(name: String, list: Vec<AccountMeta>) -> ListCase {
    ListCase { name, list }
}

/// `meta` with another key, keeping its flags.
fn rekeyed(meta: &AccountMeta, key: anchor_lang::prelude::Pubkey) -> AccountMeta {
    AccountMeta { pubkey: key, ..meta.clone() }
}

async fn pair_cases(w: &mut World, list: &[AccountMeta]) -> Vec<ListCase> {
    assert!(list.len() % 2 == 0 && !list.is_empty(), "a health list is (reserve, price) pairs");
    let pairs: Vec<&[AccountMeta]> = list.chunks(2).collect();
    let symbol = |w: &World, meta: &AccountMeta| w.t.reserve_by_key(&meta.pubkey).symbol;
    let mut cases = vec![case("no health accounts".into(), vec![])];
    cases.push(case("a system account after the pairs".into(), [list, &[AccountMeta::new_readonly(w.stranger, false)]].concat()));
    for (k, pair) in pairs.iter().enumerate() {
        let name = symbol(w, &pair[0]);
        let with_pair = |k: usize, replacement: Vec<AccountMeta>| {
            let mut out = list.to_vec();
            out.splice(2 * k..2 * k + 2, replacement);
            out
        };
        cases.push(case(format!("{name}'s pair twice"), [list, pair].concat()));
        cases.push(case(format!("{name}'s pair left out"), with_pair(k, vec![])));
        cases.push(case(format!("{name}'s reserve and price swapped"), with_pair(k, vec![pair[1].clone(), pair[0].clone()])));
        for (j, other) in pairs.iter().enumerate().filter(|(j, _)| *j != k) {
            cases.push(case(format!("{}'s pair in place of {name}'s", symbol(w, &other[0])), with_pair(k, other.to_vec())));
            if j > k {
                let mut swapped = list.to_vec();
                swapped.swap(2 * k, 2 * j);
                swapped.swap(2 * k + 1, 2 * j + 1);
                cases.push(case(format!("{name}'s and {}'s pairs reordered", symbol(w, &other[0])), swapped));
            }
        }
        let prices: Vec<(&str, _)> = w.reserves_of(M).into_iter().filter(|r| r.key != pair[0].pubkey).map(|r| (r.symbol, r.price_account)).collect();
        for (other, price) in prices {
            cases.push(case(format!("{name} priced by {other}'s price account"), with_pair(k, vec![pair[0].clone(), rekeyed(&pair[1], price)])));
        }
        let role = w.role_of(&pair[0].pubkey).expect("a health reserve has a role");
        let (m, i) = w.other_market(role.market, role.reserve);
        let foreign = w.reserves_of(m)[i.expect("a reserve")].clone();
        cases.push(case(format!("{name}'s pair from the other market"), with_pair(k, vec![rekeyed(&pair[0], foreign.key), rekeyed(&pair[1], foreign.price_account)])));
        cases.push(case(format!("{name}'s reserve from the other market"), with_pair(k, vec![rekeyed(&pair[0], foreign.key), pair[1].clone()])));
        let (reserve_copy, price_copy) = (forged_copy(w, &pair[0].pubkey).await, forged_copy(w, &pair[1].pubkey).await);
        cases.push(case(format!("{name}'s reserve owned by another program"), with_pair(k, vec![rekeyed(&pair[0], reserve_copy), pair[1].clone()])));
        cases.push(case(format!("{name}'s price owned by another program"), with_pair(k, vec![pair[0].clone(), rekeyed(&pair[1], price_copy)])));
        cases.push(case(format!("{name}'s price a system account"), with_pair(k, vec![pair[0].clone(), rekeyed(&pair[1], w.stranger)])));
    }
    cases
}

async fn price_cases(w: &mut World, list: &[AccountMeta]) -> Vec<ListCase> {
    let [price] = list else { panic!("a new collateral's price is one account, not {}", list.len()) };
    let role = w.role_of(&price.pubkey).expect("the price account has a role");
    let own = w.reserves_of(role.market)[role.reserve.expect("a reserve's price")].symbol;
    let mut cases = vec![case(format!("{own}'s price left out"), vec![])];
    let others: Vec<(&str, _)> = w.reserves_of(M).into_iter().filter(|r| r.price_account != price.pubkey).map(|r| (r.symbol, r.price_account)).collect();
    for (other, key) in others {
        cases.push(case(format!("{other}'s price account for {own}"), vec![rekeyed(price, key)]));
    }
    let (m, i) = w.other_market(role.market, role.reserve);
    let foreign = w.reserves_of(m)[i.expect("a reserve")].price_account;
    cases.push(case(format!("the other market's {own} price account"), vec![rekeyed(price, foreign)]));
    let copy = forged_copy(w, &price.pubkey).await;
    cases.push(case(format!("{own}'s price owned by another program"), vec![rekeyed(price, copy)]));
    cases.push(case(format!("a system account as {own}'s price"), vec![rekeyed(price, w.stranger)]));
    cases
}
