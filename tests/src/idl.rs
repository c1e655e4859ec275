//! The program's Anchor IDL, generated natively through the `idl-build` path, and the committed copy
//! (`idl/ballast.json`) that the e2e test holds it to.
//!
//! Why not `anchor_lang_idl::build::IdlBuilder` (what `anchor idl build` runs): inside `cargo test`,
//! rustup has exported `RUSTUP_TOOLCHAIN` to every child process. IdlBuilder 0.1.4 then runs
//! `rustup toolchain install` (it probes with `cargo <toolchain>`, which always fails) and hands cargo a
//! literal `+{toolchain}` argument. So this module runs the same
//! `cargo test __anchor_private_print_idl --features idl-build` itself, with an environment it controls,
//! and assembles the printed pieces exactly as IdlBuilder does. That assembly is private in
//! anchor-lang-idl 0.1.4 (the version anchor-lang 1.2.2 pins), so `assemble`, `convert_module_paths`,
//! `sort` and `verify` below are ports of it; keep them in step when Anchor is upgraded.

use anchor_lang_idl::types::{Idl, IdlEvent, IdlTypeDef};
use regex::Regex;
use std::{
    collections::BTreeMap,
    mem,
    path::{Path, PathBuf},
    process::Command,
};

/// Set to `1` to make the IDL test rewrite the committed file instead of comparing against it.
pub const UPDATE_ENV: &str = "BALLAST_UPDATE_IDL";

/// The workspace root (this crate lives in `<root>/tests`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests crate has a parent").to_path_buf()
}

/// Where the IDL is committed.
pub fn committed_path() -> PathBuf {
    workspace_root().join("idl").join("ballast.json")
}

/// The IDL rendered as it is committed: pretty JSON with a trailing newline.
pub fn generate_json() -> String {
    let mut json = serde_json::to_string_pretty(&generate()).expect("an IDL serializes");
    json.push('\n');
    json
}

/// Generates the IDL of `programs/ballast`. Panics with cargo's stderr if the idl-build compile fails.
pub fn generate() -> Idl {
    let stdout = print_idl_pieces();
    let idl = assemble(&stdout).unwrap_or_else(|e| panic!("assembling the IDL failed: {e}\n--- stdout ---\n{stdout}"));
    let idl = sort(convert_module_paths(idl));
    verify(&idl).unwrap_or_else(|e| panic!("the generated IDL is invalid: {e}"));
    idl
}

/// Runs the program's `__anchor_private_print_idl_*` tests, returning their stdout.
///
/// The build gets its own target dir: the idl-build feature and flags rebuild every dependency, and
/// sharing the main one would evict the normal artifacts. The `ANCHOR_IDL_BUILD_*` values match
/// IdlBuilder's defaults and Anchor.toml (`resolution = true`, `skip-lint = false`, docs kept); they are
/// read when anchor-syn compiles, so they must not vary between runs.
fn print_idl_pieces() -> String {
    let root = workspace_root();
    let program_path = root.join("programs").join("ballast");
    // The cargo that runs this test, so the inner build uses the same toolchain without asking rustup.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(&program_path)
        .args(["test", "--lib", "--locked", "--features", "idl-build", "--target-dir"])
        .arg(root.join("target").join("idl"))
        .args(["__anchor_private_print_idl", "--", "--show-output", "--quiet"])
        // RUSTFLAGS outranks config and CARGO_BUILD_RUSTFLAGS; only CARGO_ENCODED_RUSTFLAGS outranks it.
        .env("RUSTFLAGS", "-A warnings")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env("ANCHOR_IDL_BUILD_PROGRAM_PATH", &program_path)
        .env("ANCHOR_IDL_BUILD_RESOLUTION", "TRUE")
        .env("ANCHOR_IDL_BUILD_NO_DOCS", "FALSE")
        .env("ANCHOR_IDL_BUILD_SKIP_LINT", "FALSE")
        .output()
        .expect("running cargo for the idl-build");
    assert!(
        output.status.success(),
        "the idl-build of programs/ballast failed ({})\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Collects the `--- IDL begin X --- … --- IDL end X ---` sections into one IDL (port of IdlBuilder's `build`).
fn assemble(stdout: &str) -> Result<Idl, String> {
    enum State {
        Pass,
        Address,
        Constants(Vec<String>),
        Events(Vec<String>),
        Errors(Vec<String>),
        Program(Vec<String>),
    }

    let json = |lines: &[String]| lines.join("\n");
    let mut address = String::new();
    let mut constants = vec![];
    let mut events = vec![];
    let mut errors = None;
    let mut types = BTreeMap::new();
    let mut idl: Option<Idl> = None;

    let mut state = State::Pass;
    for line in stdout.lines() {
        match &mut state {
            State::Pass => match line {
                "--- IDL begin address ---" => state = State::Address,
                "--- IDL begin const ---" => state = State::Constants(vec![]),
                "--- IDL begin event ---" => state = State::Events(vec![]),
                "--- IDL begin errors ---" if errors.is_some() => {
                    return Err("multiple error definitions are not allowed".into());
                }
                "--- IDL begin errors ---" => state = State::Errors(vec![]),
                "--- IDL begin program ---" => state = State::Program(vec![]),
                _ => {
                    if line.starts_with("test result: ok") && !line.starts_with("test result: ok. 0 passed; 0 failed; 0") {
                        if let Some(idl) = idl.as_mut() {
                            idl.address = mem::take(&mut address);
                            idl.constants = mem::take(&mut constants);
                            idl.events = mem::take(&mut events);
                            idl.errors = mem::take(&mut errors).unwrap_or_default();
                            idl.types = {
                                let program_types = mem::take(&mut idl.types);
                                let mut types = mem::take(&mut types);
                                types.extend(program_types.into_iter().map(|ty| (ty.name.clone(), ty)));
                                types.into_values().collect()
                            };
                        }
                    }
                }
            },
            State::Address => {
                address = line.replace(|c: char| !c.is_alphanumeric(), "");
                state = State::Pass;
            }
            State::Constants(lines) if line == "--- IDL end const ---" => {
                constants.push(serde_json::from_str(&json(lines)).map_err(|e| format!("const: {e}"))?);
                state = State::Pass;
            }
            State::Events(lines) if line == "--- IDL end event ---" => {
                // Printed as `{ "event": IdlEvent, "types": [IdlTypeDef] }`.
                let mut print: serde_json::Value = serde_json::from_str(&json(lines)).map_err(|e| format!("event: {e}"))?;
                let event: IdlEvent = serde_json::from_value(print["event"].take()).map_err(|e| format!("event: {e}"))?;
                let event_types: Vec<IdlTypeDef> =
                    serde_json::from_value(print["types"].take()).map_err(|e| format!("event types: {e}"))?;
                events.push(event);
                types.extend(event_types.into_iter().map(|ty| (ty.name.clone(), ty)));
                state = State::Pass;
            }
            State::Errors(lines) if line == "--- IDL end errors ---" => {
                errors = Some(serde_json::from_str(&json(lines)).map_err(|e| format!("errors: {e}"))?);
                state = State::Pass;
            }
            State::Program(lines) if line == "--- IDL end program ---" => {
                idl = Some(serde_json::from_str(&json(lines)).map_err(|e| format!("program: {e}"))?);
                state = State::Pass;
            }
            State::Constants(lines) | State::Events(lines) | State::Errors(lines) | State::Program(lines) => {
                lines.push(line.to_owned());
            }
        }
    }

    idl.ok_or_else(|| "the idl-build printed no program section".into())
}

/// Shortens `a::b::Name` to `Name` wherever that is unambiguous (port of IdlBuilder's).
fn convert_module_paths(idl: Idl) -> Idl {
    let idl = serde_json::to_string(&idl).expect("an IDL serializes");
    let idl = Regex::new(r#""(\w+::)+(\w+)""#).unwrap().captures_iter(&idl.clone()).fold(idl, |acc, cur| {
        let path = cur.get(0).unwrap().as_str();
        let name = cur.get(2).unwrap().as_str();
        let replaced = acc.replace(path, &format!(r#""{name}""#));
        let has_conflict = Regex::new(&format!(r#""(\w+::)+{name}""#)).unwrap().is_match(&replaced);
        if has_conflict {
            acc
        } else {
            replaced
        }
    });
    serde_json::from_str(&idl).expect("path conversion keeps the IDL valid")
}

/// Sorts by name so the output does not depend on the order the print tests ran in (port of IdlBuilder's).
fn sort(mut idl: Idl) -> Idl {
    idl.accounts.sort_by(|a, b| a.name.cmp(&b.name));
    idl.constants.sort_by(|a, b| a.name.cmp(&b.name));
    idl.events.sort_by(|a, b| a.name.cmp(&b.name));
    idl.instructions.sort_by(|a, b| a.name.cmp(&b.name));
    idl.types.sort_by(|a, b| a.name.cmp(&b.name));
    idl
}

/// Rejects empty, colliding or zero-prefixed discriminators (port of IdlBuilder's `verify`).
fn verify(idl: &Idl) -> Result<(), String> {
    macro_rules! check_discriminators {
        ($field:ident) => {
            if let Some(item) = idl.$field.iter().find(|it| it.discriminator.is_empty()) {
                return Err(format!("empty discriminator for {}: `{}`", stringify!($field), item.name));
            }
            if let Some((outer, inner)) = idl.$field.iter().find_map(|outer| {
                idl.$field
                    .iter()
                    .filter(|inner| inner.name != outer.name)
                    .find(|inner| outer.discriminator.starts_with(&inner.discriminator))
                    .map(|inner| (outer, inner))
            }) {
                return Err(format!("ambiguous discriminators for {} `{}` and `{}`", stringify!($field), outer.name, inner.name));
            }
        };
    }
    check_discriminators!(accounts);
    check_discriminators!(events);
    check_discriminators!(instructions);

    if let Some(account) = idl.accounts.iter().find(|acc| acc.discriminator.iter().all(|b| *b == 0)) {
        return Err(format!("all-zero account discriminator: `{}`", account.name));
    }
    // A discriminator starting with n zero bytes passes the `zero` constraint of an account whose
    // discriminator is at most n bytes long, so one could be substituted for the other.
    for account in &idl.accounts {
        let zero_count = account.discriminator.iter().take_while(|b| **b == 0).count();
        if let Some(other) = idl.accounts.iter().find(|acc| acc.discriminator.len() <= zero_count) {
            return Err(format!("accounts may be substituted under the `zero` constraint: `{}` `{}`", account.name, other.name));
        }
    }
    Ok(())
}
