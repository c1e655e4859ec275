//! Ballast's types as JSON, through the committed IDL: one field list (the program's, as the IDL states it)
//! for what the CLI prints and what an operator edits. Integers are numbers, except u128 and i128, which are
//! decimal strings (JSON numbers cannot hold them exactly); keys are base58; byte arrays are hex.
use anchor_lang::prelude::Pubkey;
use serde_json::{json, Map, Value};

/// The committed IDL.
pub const IDL: &str = include_str!("../../../idl/ballast.json");

fn types() -> &'static [Value] {
    static TYPES: std::sync::OnceLock<Vec<Value>> = std::sync::OnceLock::new();
    TYPES.get_or_init(|| {
        let idl: Value = serde_json::from_str(IDL).expect("the committed IDL is JSON");
        idl["types"].as_array().cloned().unwrap_or_default()
    })
}

fn defined(name: &str) -> Value {
    json!({ "defined": { "name": name } })
}

/// The borsh bytes of IDL type `name` as JSON; every byte must be used.
pub fn decode(name: &str, bytes: &[u8]) -> Result<Value, String> {
    let mut reader = bytes;
    let value = read(&defined(name), &mut reader)?;
    if !reader.is_empty() {
        return Err(format!("{} bytes left after {name}", reader.len()));
    }
    Ok(value)
}

/// JSON of IDL type `name` back to its borsh bytes; every field must be present and in range.
pub fn encode(name: &str, value: &Value) -> Result<Vec<u8>, String> {
    let mut out = vec![];
    write(&defined(name), value, name, &mut out)?;
    Ok(out)
}

/// `value` (any AnchorSerialize type the IDL names `name`) as JSON.
pub fn to_json<T: anchor_lang::AnchorSerialize>(name: &str, value: &T) -> Result<Value, String> {
    let mut bytes = vec![];
    value.serialize(&mut bytes).map_err(|e| e.to_string())?;
    decode(name, &bytes)
}

/// JSON back to the type the IDL names `name`.
pub fn from_json<T: anchor_lang::AnchorDeserialize>(name: &str, value: &Value) -> Result<T, String> {
    let bytes = encode(name, value)?;
    T::try_from_slice(&bytes).map_err(|e| format!("{name}: {e}"))
}

/// `value`, a zero-copy layout type the IDL names `name` (`serialization: bytemuck`), as JSON. A Pod layout has
/// no implicit padding, so its bytes are the field-by-field encoding `decode` reads.
pub fn pod_to_json<T: bytemuck::Pod>(name: &str, value: &T) -> Result<Value, String> {
    decode(name, bytemuck::bytes_of(value))
}

/// JSON back to the zero-copy layout type the IDL names `name`.
pub fn pod_from_json<T: bytemuck::Pod>(name: &str, value: &Value) -> Result<T, String> {
    let bytes = encode(name, value)?;
    bytemuck::try_pod_read_unaligned(&bytes).map_err(|e| format!("{name}: {e}"))
}

/// Sets `path` (dot-separated field names, e.g. `oracle.max_age_secs`) in `value` to `raw`, parsed as the
/// field's current JSON type; a path that names no field is refused, naming the fields there are.
pub fn set_path(value: &mut Value, path: &str, raw: &str) -> Result<(), String> {
    let mut at = value;
    for part in path.split('.') {
        at = match at {
            // Arrays by index: `curve.1.borrow_rate_bps`.
            Value::Array(items) => {
                let len = items.len();
                let i: usize = part.parse().map_err(|_| format!("`{path}`: `{part}` must be an index below {len}"))?;
                items.get_mut(i).ok_or_else(|| format!("`{path}`: index {i} is not below {len}"))?
            }
            _ => {
                let fields: Vec<String> = at.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
                at.get_mut(part).ok_or_else(|| format!("`{path}`: no field `{part}` (fields here: {})", fields.join(", ")))?
            }
        };
    }
    *at = match at {
        Value::Number(_) => {
            let n: Value = serde_json::from_str(raw).map_err(|_| format!("`{path}` takes a number, not `{raw}`"))?;
            n.is_number().then_some(n).ok_or_else(|| format!("`{path}` takes a number, not `{raw}`"))?
        }
        Value::Bool(_) => Value::Bool(raw.parse().map_err(|_| format!("`{path}` takes true or false, not `{raw}`"))?),
        Value::String(_) => Value::String(raw.to_string()),
        _ => return Err(format!("`{path}` is a group of fields; set one of them")),
    };
    Ok(())
}

/// The leaf fields that differ between `a` and `b`, as `(path, before, after)`.
pub fn diff(a: &Value, b: &Value) -> Vec<(String, Value, Value)> {
    fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<(String, Value, Value)>) {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (k, v) in x {
                    let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                    walk(&p, v, y.get(k).unwrap_or(&Value::Null), out);
                }
            }
            _ if a == b => {}
            _ => out.push((path.to_string(), a.clone(), b.clone())),
        }
    }
    let mut out = vec![];
    walk("", a, b, &mut out);
    out
}

fn take<'a>(data: &mut &'a [u8], n: usize) -> Result<&'a [u8], String> {
    if data.len() < n {
        return Err("shorter than its IDL type".into());
    }
    let (head, rest) = data.split_at(n);
    *data = rest;
    Ok(head)
}

fn le<const N: usize>(data: &mut &[u8]) -> Result<[u8; N], String> {
    Ok(take(data, N)?.try_into().expect("N bytes"))
}

fn struct_fields(name: &str) -> Result<&'static [Value], String> {
    let def = types().iter().find(|t| t["name"] == name).ok_or_else(|| format!("the IDL has no type {name}"))?;
    def["type"]["fields"].as_array().map(Vec::as_slice).ok_or_else(|| format!("{name} is not a struct with named fields"))
}

fn read(ty: &Value, data: &mut &[u8]) -> Result<Value, String> {
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
            other => return Err(format!("IDL type {other} is not supported")),
        },
        Value::Object(o) if o.contains_key("array") => {
            let (inner, len) = (&o["array"][0], o["array"][1].as_u64().ok_or("array length")? as usize);
            if inner == "u8" {
                json!(take(data, len)?.iter().map(|b| format!("{b:02x}")).collect::<String>())
            } else {
                Value::Array((0..len).map(|_| read(inner, data)).collect::<Result<_, _>>()?)
            }
        }
        Value::Object(o) if o.contains_key("defined") => {
            let name = o["defined"]["name"].as_str().ok_or("defined type name")?;
            let mut out = Map::new();
            for field in struct_fields(name)? {
                out.insert(field["name"].as_str().ok_or("field name")?.to_string(), read(&field["type"], data)?);
            }
            Value::Object(out)
        }
        other => return Err(format!("IDL type {other} is not supported")),
    })
}

fn write(ty: &Value, value: &Value, path: &str, out: &mut Vec<u8>) -> Result<(), String> {
    fn int<T: TryFrom<i128>>(value: &Value, path: &str) -> Result<T, String> {
        let n: i128 = match value {
            Value::Number(n) => n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
        .ok_or_else(|| format!("`{path}` must be an integer, not {value}"))?;
        T::try_from(n).map_err(|_| format!("`{path}` = {n} is out of range"))
    }
    match ty {
        Value::String(name) => match name.as_str() {
            "bool" => out.push(value.as_bool().ok_or_else(|| format!("`{path}` must be true or false"))? as u8),
            "u8" => out.push(int::<u8>(value, path)?),
            "i8" => out.extend(int::<i8>(value, path)?.to_le_bytes()),
            "u16" => out.extend(int::<u16>(value, path)?.to_le_bytes()),
            "i16" => out.extend(int::<i16>(value, path)?.to_le_bytes()),
            "u32" => out.extend(int::<u32>(value, path)?.to_le_bytes()),
            "i32" => out.extend(int::<i32>(value, path)?.to_le_bytes()),
            "u64" => out.extend(int::<u64>(value, path)?.to_le_bytes()),
            "i64" => out.extend(int::<i64>(value, path)?.to_le_bytes()),
            "u128" => out.extend(value.as_str().and_then(|s| s.parse::<u128>().ok()).or(value.as_u64().map(u128::from)).ok_or_else(|| format!("`{path}` must be an integer"))?.to_le_bytes()),
            "i128" => out.extend(value.as_str().and_then(|s| s.parse::<i128>().ok()).or(value.as_i64().map(i128::from)).ok_or_else(|| format!("`{path}` must be an integer"))?.to_le_bytes()),
            "pubkey" => {
                let key: Pubkey = value.as_str().and_then(|s| s.parse().ok()).ok_or_else(|| format!("`{path}` must be a base58 public key"))?;
                out.extend(key.to_bytes());
            }
            other => return Err(format!("IDL type {other} is not supported")),
        },
        Value::Object(o) if o.contains_key("array") => {
            let (inner, len) = (&o["array"][0], o["array"][1].as_u64().ok_or("array length")? as usize);
            if inner == "u8" {
                let hex = value.as_str().ok_or_else(|| format!("`{path}` must be a hex string"))?;
                let bytes: Vec<u8> = (0..hex.len()).step_by(2).filter_map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect();
                if bytes.len() != len || hex.len() != 2 * len {
                    return Err(format!("`{path}` must be {len} bytes of hex"));
                }
                out.extend(bytes);
            } else {
                let items = value.as_array().filter(|a| a.len() == len).ok_or_else(|| format!("`{path}` must be {len} items"))?;
                for (i, item) in items.iter().enumerate() {
                    write(inner, item, &format!("{path}[{i}]"), out)?;
                }
            }
        }
        Value::Object(o) if o.contains_key("defined") => {
            let name = o["defined"]["name"].as_str().ok_or("defined type name")?;
            let object = value.as_object().ok_or_else(|| format!("`{path}` must be an object ({name})"))?;
            let fields = struct_fields(name)?;
            if let Some(extra) = object.keys().find(|k| !fields.iter().any(|f| f["name"] == **k)) {
                return Err(format!("`{path}`: {name} has no field `{extra}`"));
            }
            for field in fields {
                let key = field["name"].as_str().ok_or("field name")?;
                let v = object.get(key).ok_or_else(|| format!("`{path}.{key}` is missing"))?;
                write(&field["type"], v, &format!("{path}.{key}"), out)?;
            }
        }
        other => return Err(format!("IDL type {other} is not supported")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_json_succeeds_round_tripping_a_reserve_config_and_set_path_fails_on_an_unknown_field() {
        let mut config: ballast::state::ReserveConfig = bytemuck::Zeroable::zeroed();
        (config.ltv_bps, config.deposit_limit, config.oracle.price_account) = (5_000, u64::MAX, Pubkey::new_unique());
        let mut json = pod_to_json("ReserveConfig", &config).unwrap();
        assert_eq!(pod_from_json::<ballast::state::ReserveConfig>("ReserveConfig", &json).unwrap(), config);
        let wire = ballast::state::ReserveConfigWire::from(config);
        assert_eq!(to_json("ReserveConfigWire", &wire).unwrap(), json, "the wire twin reads the same");
        set_path(&mut json, "ltv_bps", "1234").unwrap();
        set_path(&mut json, "oracle.max_age_secs", "7").unwrap();
        let edited: ballast::state::ReserveConfig = pod_from_json("ReserveConfig", &json).unwrap();
        assert_eq!((edited.ltv_bps, edited.oracle.max_age_secs), (1234, 7));
        let changed: Vec<String> = diff(&pod_to_json("ReserveConfig", &config).unwrap(), &json).into_iter().map(|d| d.0).collect();
        assert_eq!(changed, ["ltv_bps", "oracle.max_age_secs"]);
        assert!(set_path(&mut json, "ltv", "1").unwrap_err().contains("no field `ltv`"));
        assert!(set_path(&mut json, "ltv_bps", "x").unwrap_err().contains("takes a number"));
        set_path(&mut json, "ltv_bps", "70000").unwrap();
        assert!(pod_from_json::<ballast::state::ReserveConfig>("ReserveConfig", &json).unwrap_err().contains("out of range"));
    }
}
