//! The market's address lookup table in the harness, built as `ballast-migrate apply` builds it, and the slot
//! warps a table needs (its entries load from the slot after they were added).
use crate::TestContext;
use anchor_lang::prelude::Pubkey;
use ballast_sdk::{accounts::ReserveView, lut};
use solana_signer::Signer;

impl TestContext {
    /// Moves the bank `slots` slots on (a lookup table's new entries load from the next slot), keeping the
    /// clock at `self.now`.
    pub async fn warp_slots(&mut self, slots: u64) {
        let clock: anchor_lang::prelude::Clock = self.banks.banks_client.get_sysvar().await.unwrap();
        self.banks.warp_to_slot(clock.slot + slots).unwrap();
        let mut clock: anchor_lang::prelude::Clock = self.banks.banks_client.get_sysvar().await.unwrap();
        clock.unix_timestamp = self.now;
        self.banks.set_sysvar(&clock);
    }

    /// Creates the default market's lookup table with every reserve's accounts, records it on the market and
    /// loads accounts from it in every later transaction that would not fit as a legacy one.
    pub async fn create_lookup_table(&mut self) -> Pubkey {
        self.warp_slots(1).await;
        let clock: anchor_lang::prelude::Clock = self.banks.banks_client.get_sysvar().await.unwrap();
        let admin = self.admin.keypair.insecure_clone();
        let payer = self.banks.payer.pubkey();
        let (create, table) = lut::create(&admin.pubkey(), &payer, clock.slot - 1);
        self.send(&[create], &[]).await.expect("create the lookup table");
        let mut reserves = vec![];
        let market = self.market;
        for r in self.reserves.clone().iter().filter(|r| r.market == market) {
            reserves.push(ReserveView { key: r.key, state: self.reserve_state(r).await });
        }
        let addresses = lut::market_table_addresses(&self.market, &reserves);
        for ix in lut::extend(&table, &admin.pubkey(), &payer, &addresses) {
            self.send(&[ix], &[&admin]).await.expect("extend the lookup table");
        }
        let record = ballast_sdk::ix::set_lookup_table(&admin.pubkey(), &self.market, table);
        self.send(&[record], &[&admin]).await.expect("set_lookup_table");
        self.warp_slots(1).await;
        let data = self.account(&table).await.expect("the table exists").data;
        self.lookup_tables = vec![lut::decode(table, &data).unwrap()];
        table
    }
}
