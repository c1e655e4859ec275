use crate::{
    constants::ACCOUNT_VERSION,
    events::MarketInitializedEvent,
    seeds,
    state::{Market, MarketConfig, MarketConfigWire},
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitMarketArgs {
    /// May only make things safer.
    pub risk_council: Pubkey,
    /// Quote currency of all prices, ASCII, zero-padded.
    pub quote_currency: [u8; 32],
    /// Close factor, dust threshold, timelock (0 for tests and devnet), outflow limit, flags.
    pub config: MarketConfigWire,
}

#[event_cpi]
#[derive(Accounts)]
pub struct InitMarket<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(init, payer = admin, space = Market::SPACE)]
    pub market: AccountLoader<'info, Market>,
    /// CHECK: the market's authority PDA; holds no data, only signs.
    #[account(seeds = [seeds::AUTHORITY, market.key().as_ref()], bump)]
    pub market_authority: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl InitMarket<'_> {
    /// 1. validate the config (every rule, as any later change must pass)  2. write the market  3. check its
    /// invariant  4. emit
    pub fn handle(ctx: Context<Self>, args: InitMarketArgs) -> Result<()> {
        let config = MarketConfig::from(args.config);
        config.validate()?;
        let mut market = ctx.accounts.market.load_init()?;
        market.admin = ctx.accounts.admin.key();
        market.risk_council = args.risk_council;
        market.quote_currency = args.quote_currency;
        market.config = config;
        market.authority_bump = ctx.bumps.market_authority;
        market.authority = ctx.accounts.market_authority.key();
        market.version = ACCOUNT_VERSION;
        market.invariant()?;
        emit_cpi!(MarketInitializedEvent {
            market: ctx.accounts.market.key(),
            admin: market.admin,
            risk_council: market.risk_council,
        });
        Ok(())
    }
}
