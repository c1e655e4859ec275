//! Token-2022 mints with extensions that break vault accounting are refused, naming the extension.
use crate::error::BallastError;
use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::{
    self,
    extension::{BaseStateWithExtensions, ExtensionType, StateWithExtensions},
};

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
            _ => None,
        };
        if let Some(error) = refused {
            return Err(error!(error));
        }
    }
    Ok(())
}
