//! Ballast's events, read back from transactions. The program emits each one with `emit_cpi!`: an inner
//! instruction from the program to itself, signed by its event authority, whose data is Anchor's event tag,
//! the event's discriminator and its borsh body. Inner instructions survive where program logs are truncated,
//! and only the program can sign as its event authority, so an event found this way is the program's own.
use anchor_lang::{event::EVENT_IX_TAG_LE, prelude::Pubkey, AnchorDeserialize, Discriminator};
use ballast::events as ev;
use solana_message::{compiled_instruction::CompiledInstruction, inner_instruction::InnerInstructions, v0::LoadedAddresses, VersionedMessage};

macro_rules! events {
    ($($name:ident),* $(,)?) => {
        /// Every event Ballast emits, by name.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum BallastEvent {
            $($name(ev::$name),)*
        }

        impl BallastEvent {
            /// The event's type name, e.g. `DepositEvent`.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Self::$name(_) => stringify!($name),)*
                }
            }

            /// The event's borsh body, as the program serializes it (after its discriminator).
            fn body(&self) -> Vec<u8> {
                match self {
                    $(Self::$name(e) => anchor_lang::Event::data(e)[ev::$name::DISCRIMINATOR.len()..].to_vec(),)*
                }
            }

            /// Decodes an event instruction's data; `None` for data that is not exactly one Ballast event.
            pub fn decode(data: &[u8]) -> Option<Self> {
                let body = data.strip_prefix(EVENT_IX_TAG_LE)?;
                $(
                    if let Some(mut rest) = body.strip_prefix(ev::$name::DISCRIMINATOR) {
                        let event = ev::$name::deserialize(&mut rest).ok()?;
                        return rest.is_empty().then_some(Self::$name(event));
                    }
                )*
                None
            }
        }

        $(
            impl EventKind for ev::$name {
                fn of(event: &BallastEvent) -> Option<&Self> {
                    match event {
                        BallastEvent::$name(e) => Some(e),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }
            }
        )*

        /// Every event's type name, in declaration order (what `ballast events --kind` accepts).
        pub const EVENT_NAMES: &[&str] = &[$(stringify!($name),)*];
    };
}

/// One event type, so callers can pick events of that type out of a list.
pub trait EventKind: Sized {
    fn of(event: &BallastEvent) -> Option<&Self>;
}

events!(
    MarketInitializedEvent,
    ReserveInitializedEvent,
    ObligationInitializedEvent,
    ObligationClosedEvent,
    DepositEvent,
    RedeemEvent,
    CollateralInEvent,
    CollateralOutEvent,
    BorrowEvent,
    RepayEvent,
    ReserveRefreshedEvent,
    FeesSweptEvent,
    LiquidateEvent,
    InsolvencyMarkedEvent,
    BadDebtSocializedEvent,
    ElevationGroupConfiguredEvent,
    ElevationGroupSetEvent,
    AdminProposedEvent,
    AdminChangedEvent,
    ReserveConfigChangedEvent,
    MarketConfigChangedEvent,
    ReserveConfigQueuedEvent,
    MarketConfigQueuedEvent,
    ReserveConfigAppliedEvent,
    MarketConfigAppliedEvent,
    ReserveConfigCancelledEvent,
    MarketConfigCancelledEvent,
    ElevationGroupQueuedEvent,
    ElevationGroupCancelledEvent,
    RiskCouncilProposedEvent,
    RiskCouncilChangedEvent,
    LookupTableSetEvent,
    FeesWithdrawnEvent,
    FlashBorrowEvent,
    FlashRepayEvent,
    IsolatedDebtEvent,
    WithdrawalRequestedEvent,
    WithdrawalServedEvent,
    WithdrawalCancelledEvent,
    DelistingStartedEvent,
    DelistingStoppedEvent,
);

/// The events of type `T` among `events`.
pub fn of_kind<T: EventKind>(events: &[BallastEvent]) -> Vec<&T> {
    events.iter().filter_map(T::of).collect()
}

/// A Ballast event instruction: invoked on the program, its sole account the event authority.
fn is_event_instruction(program: Option<&Pubkey>, accounts: &[Option<&Pubkey>]) -> bool {
    let authority = crate::pda::event_authority();
    program == Some(&ballast::ID) && matches!(accounts, [Some(a)] if **a == authority)
}

/// Every Ballast event in a transaction (one list of inner instructions per top-level one), in emission
/// order. `account_keys` is the message's full key list
/// (static keys, then the addresses loaded from lookup tables: writable, then read-only).
pub fn from_inner_instructions(account_keys: &[Pubkey], inner: &[InnerInstructions]) -> Vec<BallastEvent> {
    let mut out = vec![];
    for group in inner {
        for ix in group {
            if let Some(event) = from_compiled(account_keys, &ix.instruction) {
                out.push(event);
            }
        }
    }
    out
}

/// The event one compiled inner instruction carries, if it is a Ballast event instruction.
pub fn from_compiled(account_keys: &[Pubkey], ix: &CompiledInstruction) -> Option<BallastEvent> {
    let key = |i: u8| account_keys.get(usize::from(i));
    let accounts: Vec<Option<&Pubkey>> = ix.accounts.iter().map(|i| key(*i)).collect();
    if !is_event_instruction(key(ix.program_id_index), &accounts) {
        return None;
    }
    BallastEvent::decode(&ix.data)
}

/// The full key list of `message` once `loaded` (the addresses its lookup tables resolved to) is appended.
pub fn account_keys(message: &VersionedMessage, loaded: &LoadedAddresses) -> Vec<Pubkey> {
    let mut keys = message.static_account_keys().to_vec();
    keys.extend(loaded.writable.iter().copied());
    keys.extend(loaded.readonly.iter().copied());
    keys
}

/// The addresses `message`'s lookups resolve to, given the tables' contents.
pub fn resolve_lookups(message: &VersionedMessage, tables: &[solana_message::AddressLookupTableAccount]) -> LoadedAddresses {
    // The runtime appends every lookup's writable addresses, then every lookup's read-only ones.
    let lookups = message.address_table_lookups().unwrap_or_default();
    let resolve = |indexes: fn(&solana_message::v0::MessageAddressTableLookup) -> &[u8]| -> Vec<Pubkey> {
        lookups
            .iter()
            .flat_map(|lookup| {
                let table = tables.iter().find(|t| t.key == lookup.account_key);
                indexes(lookup).iter().filter_map(move |i| table.and_then(|t| t.addresses.get(usize::from(*i)).copied()))
            })
            .collect()
    };
    LoadedAddresses { writable: resolve(|l| &l.writable_indexes), readonly: resolve(|l| &l.readonly_indexes) }
}

impl BallastEvent {
    /// The event as JSON with the IDL's field names ([`crate::idl_json`]); `{"error": ..}` if the IDL does not
    /// describe it exactly.
    pub fn to_json(&self) -> serde_json::Value {
        crate::idl_json::decode(self.name(), &self.body()).unwrap_or_else(|e| serde_json::json!({ "error": e }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::Event;

    #[test]
    fn decode_succeeds_on_what_emit_cpi_writes_and_fails_on_trailing_bytes() {
        let event = ev::DepositEvent { reserve: Pubkey::new_unique(), user: Pubkey::new_unique(), liquidity_amount: 7, ctoken_amount: 5 };
        let data: Vec<u8> = EVENT_IX_TAG_LE.iter().copied().chain(event.data()).collect();
        assert_eq!(BallastEvent::decode(&data), Some(BallastEvent::DepositEvent(event)));
        let mut longer = data.clone();
        longer.push(0);
        assert_eq!(BallastEvent::decode(&longer), None);
        assert_eq!(BallastEvent::decode(&data[8..]), None, "without the event tag it is not an event instruction");
    }

    #[test]
    fn to_json_succeeds_with_the_idl_field_names_for_nested_configs() {
        let config = ballast::state::MarketConfig { dust_threshold_quote: 3, config_timelock_secs: 60, ..bytemuck::Zeroable::zeroed() };
        let event = ev::MarketConfigQueuedEvent { market: Pubkey::new_unique(), current: config.into(), pending: config.into(), apply_ts: -1 };
        let json = BallastEvent::MarketConfigQueuedEvent(event.clone()).to_json();
        assert_eq!(json["market"], event.market.to_string());
        assert_eq!(json["pending"]["config_timelock_secs"], 60);
        assert_eq!(json["current"]["dust_threshold_quote"], 3);
        assert_eq!(json["apply_ts"], -1);
        for name in EVENT_NAMES {
            assert!(crate::idl_json::IDL.contains(&format!("\"name\": \"{name}\"")), "the IDL describes {name}");
        }
    }
}
