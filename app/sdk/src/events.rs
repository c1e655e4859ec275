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

/// The committed IDL: field names and types for [`BallastEvent::to_json`].
const IDL: &str = include_str!("../../../idl/ballast.json");

impl BallastEvent {
    /// The event as JSON with the IDL's field names (`{"error": ..}` if the IDL does not describe it exactly): integers as numbers (u128 and i128 as decimal strings,
    /// which JSON numbers cannot hold exactly), keys as base58, nested configs as objects.
    pub fn to_json(&self) -> serde_json::Value {
        static TYPES: std::sync::OnceLock<Vec<serde_json::Value>> = std::sync::OnceLock::new();
        let types = TYPES.get_or_init(|| {
            let idl: serde_json::Value = serde_json::from_str(IDL).expect("the committed IDL is JSON");
            idl["types"].as_array().cloned().unwrap_or_default()
        });
        let body = self.body();
        let mut reader = &body[..];
        let ty = serde_json::json!({ "defined": { "name": self.name() } });
        match idl_decode(&ty, types, &mut reader) {
            Ok(_) if !reader.is_empty() => serde_json::json!({ "error": "event longer than its IDL type" }),
            Ok(value) => value,
            Err(e) => serde_json::json!({ "error": e }),
        }
    }
}

/// Reads one value of IDL type `ty` (borsh) from `data`.
fn idl_decode(ty: &serde_json::Value, types: &[serde_json::Value], data: &mut &[u8]) -> Result<serde_json::Value, String> {
    use serde_json::{json, Value};
    fn take<'a>(data: &mut &'a [u8], n: usize) -> Result<&'a [u8], String> {
        if data.len() < n {
            return Err("event shorter than its IDL type".into());
        }
        let (head, rest) = data.split_at(n);
        *data = rest;
        Ok(head)
    }
    fn le<const N: usize>(data: &mut &[u8]) -> Result<[u8; N], String> {
        Ok(take(data, N)?.try_into().expect("N bytes"))
    }
    Ok(match ty {
        Value::String(name) => match name.as_str() {
            "bool" => json!(le::<1>(data)?[0] != 0),
            "u8" => json!(le::<1>(data)?[0]),
            "i8" => json!(le::<1>(data)?[0] as i8),
            "u16" => json!(u16::from_le_bytes(le(data)?)),
            "i16" => json!(i16::from_le_bytes(le(data)?)),
            "u32" => json!(u32::from_le_bytes(le(data)?)),
            "i32" => json!(i32::from_le_bytes(le(data)?)),
            "u64" => json!(u64::from_le_bytes(le(data)?)),
            "i64" => json!(i64::from_le_bytes(le(data)?)),
            "u128" => json!(u128::from_le_bytes(le(data)?).to_string()),
            "i128" => json!(i128::from_le_bytes(le(data)?).to_string()),
            "pubkey" => json!(Pubkey::new_from_array(le(data)?).to_string()),
            other => return Err(format!("IDL type {other} is not decoded")),
        },
        Value::Object(o) if o.contains_key("array") => {
            let (inner, len) = (&o["array"][0], o["array"][1].as_u64().ok_or("array length")?);
            // Byte arrays (padding, names) read better as one hex string.
            if inner == "u8" {
                let bytes = take(data, len as usize)?;
                json!(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
            } else {
                Value::Array((0..len).map(|_| idl_decode(inner, types, data)).collect::<Result<_, _>>()?)
            }
        }
        Value::Object(o) if o.contains_key("defined") => {
            let name = o["defined"]["name"].as_str().ok_or("defined type name")?;
            let def = types.iter().find(|t| t["name"] == name).ok_or_else(|| format!("IDL has no type {name}"))?;
            let fields = def["type"]["fields"].as_array().ok_or_else(|| format!("{name} is not a struct with named fields"))?;
            let mut out = serde_json::Map::new();
            for field in fields {
                let key = field["name"].as_str().ok_or("field name")?.to_string();
                out.insert(key, idl_decode(&field["type"], types, data)?);
            }
            Value::Object(out)
        }
        other => return Err(format!("IDL type {other} is not decoded")),
    })
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
        let event = ev::MarketConfigQueuedEvent { market: Pubkey::new_unique(), current: config, pending: config, apply_ts: -1 };
        let json = BallastEvent::MarketConfigQueuedEvent(event.clone()).to_json();
        assert_eq!(json["market"], event.market.to_string());
        assert_eq!(json["pending"]["config_timelock_secs"], 60);
        assert_eq!(json["current"]["dust_threshold_quote"], 3);
        assert_eq!(json["apply_ts"], -1);
        for name in EVENT_NAMES {
            assert!(IDL.contains(&format!("\"name\": \"{name}\"")), "the IDL describes {name}");
        }
    }
}
