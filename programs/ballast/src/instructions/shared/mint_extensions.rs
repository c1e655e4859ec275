//! Token-2022 mints with extensions that break vault accounting or could freeze exits are refused, naming the
//! extension. The rest are accepted, with the reason below (docs/integrators.md, "Tokens").
use crate::error::BallastError;
use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::{
    self,
    extension::{default_account_state::DefaultAccountState, BaseStateWithExtensions, ExtensionType, StateWithExtensions},
    state::AccountState,
};

/// Refuses:
/// - a transfer fee (vaults would receive less than the program books), a transfer hook (arbitrary code on
///   every transfer, able to fail repays), a permanent delegate (can move vault tokens), non-transferability
///   and confidential transfers (balances the program cannot see);
/// - `Pausable`: its authority could stop every transfer, and so every repay and liquidation, creating bad debt;
/// - `DefaultAccountState` set to frozen: vaults and every new repayer account would start frozen;
/// - a mint close authority: once every token is borrowed out and burned, the mint could be closed and
///   created again at the same address with any of the extensions above.
///
/// Accepts a freeze authority (as on USDC and USDT): freezing is the issuer's power over its own asset, a risk
/// the asset's listing accepts, the same at every lending protocol.
pub fn check_mint_extensions(mint: &AccountInfo) -> Result<()> {
    if *mint.owner != spl_token_2022::ID {
        return Ok(());
    }
    let data = mint.try_borrow_data()?;
    let state = StateWithExtensions::<spl_token_2022::state::Mint>::unpack(&data)?;
    for extension in state.get_extension_types()? {
        let refused = match extension {
            ExtensionType::TransferFeeConfig => Some(BallastError::MintHasTransferFee),
            ExtensionType::TransferHook => Some(BallastError::MintHasTransferHook),
            ExtensionType::PermanentDelegate => Some(BallastError::MintHasPermanentDelegate),
            ExtensionType::NonTransferable => Some(BallastError::MintIsNonTransferable),
            ExtensionType::ConfidentialTransferMint
            | ExtensionType::ConfidentialTransferFeeConfig
            | ExtensionType::ConfidentialMintBurn => Some(BallastError::MintHasConfidentialTransfers),
            ExtensionType::Pausable => Some(BallastError::MintIsPausable),
            ExtensionType::MintCloseAuthority => Some(BallastError::MintHasCloseAuthority),
            ExtensionType::DefaultAccountState => {
                let frozen = state.get_extension::<DefaultAccountState>()?.state == AccountState::Frozen as u8;
                frozen.then_some(BallastError::MintDefaultAccountFrozen)
            }
            _ => None,
        };
        if let Some(error) = refused {
            return Err(error!(error));
        }
    }
    Ok(())
}
