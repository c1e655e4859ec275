//! The committed IDL (`idl/ballast.json`) is the one the program generates natively through `idl-build`,
//! so clients never read an IDL that has drifted from the program.
//! Cold, this compiles the program and its dependencies once more into `target/idl`.

use ballast_tests::idl;

const REFRESH: &str = "BALLAST_UPDATE_IDL=1 cargo test -p ballast-tests --test e2e idl_succeeds_matching_committed_file";

#[test]
fn idl_succeeds_matching_committed_file() {
    let generated = idl::generate_json();
    let path = idl::committed_path();

    if std::env::var(idl::UPDATE_ENV).is_ok_and(|v| v == "1") {
        // CI must compare, never bless: a rewrite there would pass whatever the program now says.
        assert!(std::env::var_os("CI").is_none(), "{} is set under CI; refusing to rewrite {}", idl::UPDATE_ENV, path.display());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
        return;
    }

    let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}; create it with: {REFRESH}", path.display()));
    if committed != generated {
        let (committed_lines, generated_lines): (Vec<_>, Vec<_>) = (committed.lines().collect(), generated.lines().collect());
        let line = (0..committed_lines.len().max(generated_lines.len()))
            .find(|&i| committed_lines.get(i) != generated_lines.get(i))
            .unwrap_or(committed_lines.len()); // same lines: only line endings or the final newline differ
        let at = |lines: &[&str]| lines.get(line).copied().unwrap_or("<end of file>").to_owned();
        let (ours, theirs, line) = (at(&committed_lines), at(&generated_lines), line + 1);
        panic!(
            "{} has drifted from the program (first difference at line {line}):\n  committed: {ours}\n  generated: {theirs}\n\
             If the program change is intended, refresh the file with:\n  {REFRESH}",
            path.display()
        );
    }
}

/// The committed IDL as JSON.
fn committed() -> serde_json::Value {
    let path = idl::committed_path();
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))).expect("the IDL is JSON")
}

/// Why `seed` of `account` (in `ix`, among the `siblings` of its composite level) could not be resolved by a
/// client generated from the IDL, or None when it can: a constant; an instruction argument; or an account at the
/// same level (its key, or with a named account type, a field of its data). Anchor's TS resolver looks accounts
/// up only at the PDA's own level and cannot follow a seed into a composite, so neither may we.
fn unresolvable(seed: &serde_json::Value, ix: &serde_json::Value, siblings: &[serde_json::Value], idl: &serde_json::Value) -> Option<String> {
    let path = seed["path"].as_str().unwrap_or_default();
    let (head, rest) = path.split_once('.').map_or((path, None), |(h, r)| (h, Some(r)));
    match seed["kind"].as_str() {
        Some("const") => None,
        Some("arg") => {
            let found = ix["args"].as_array().into_iter().flatten().any(|a| a["name"] == head);
            (!found || rest.is_some()).then(|| format!("argument path `{path}` is not one of the instruction's own arguments"))
        }
        Some("account") => {
            let Some(sibling) = siblings.iter().find(|a| a["name"] == head) else {
                return Some(format!("account path `{path}` names no account at the PDA's own level"));
            };
            if sibling.get("accounts").is_some() {
                return Some(format!("account path `{path}` goes into the composite `{head}`, which generated clients cannot follow"));
            }
            let rest = rest?;
            let type_name = seed["account"].as_str()?;
            let ty = idl["types"].as_array().into_iter().flatten().find(|t| t["name"] == type_name);
            let has_field = ty.is_some_and(|t| t["type"]["fields"].as_array().into_iter().flatten().any(|f| f["name"] == rest));
            (!has_field).then(|| format!("account path `{path}` reads `{rest}`, which type `{type_name}` does not have"))
        }
        other => Some(format!("unknown seed kind {other:?}")),
    }
}

/// Every PDA's seeds and every relation in `accounts` (one composite level), recursively.
fn check_level(ix: &serde_json::Value, accounts: &[serde_json::Value], at: &str, idl: &serde_json::Value, problems: &mut Vec<String>) {
    for account in accounts {
        let name = format!("{at}{}", account["name"].as_str().unwrap_or("?"));
        if let Some(nested) = account["accounts"].as_array() {
            check_level(ix, nested, &format!("{name}."), idl, problems);
            continue;
        }
        let pda = &account["pda"];
        for seed in pda["seeds"].as_array().into_iter().flatten().chain(pda.get("program")) {
            if let Some(why) = unresolvable(seed, ix, accounts, idl) {
                problems.push(format!("{}: {name}: {why}", ix["name"].as_str().unwrap_or("?")));
            }
        }
        for relation in account["relations"].as_array().into_iter().flatten() {
            if !accounts.iter().any(|a| a["name"] == *relation && a.get("accounts").is_none()) {
                problems.push(format!("{}: {name}: relation `{relation}` is not an account at its level", ix["name"].as_str().unwrap_or("?")));
            }
        }
    }
}

/// Issue 27: Anchor's TS client could not derive `request_withdrawal`'s ticket (its seed went into the `vaults`
/// composite) and the IDL gave no seeds for `init_obligation`'s obligation. Every seed of every PDA of every
/// instruction now resolves from the instruction's own accounts and arguments, as a generated client resolves it.
#[test]
fn idl_succeeds_resolving_every_pda_seed_from_its_instruction() {
    let idl = committed();
    let mut problems = vec![];
    let mut pdas = 0;
    for ix in idl["instructions"].as_array().expect("instructions") {
        let accounts = ix["accounts"].as_array().expect("accounts");
        pdas += serde_json::to_string(accounts).unwrap().matches("\"pda\"").count();
        check_level(ix, accounts, "", &idl, &mut problems);
    }
    assert!(problems.is_empty(), "seeds a generated client cannot resolve:\n  {}", problems.join("\n  "));
    let find = |ix: &str, account: &str| -> serde_json::Value {
        let ix = idl["instructions"].as_array().unwrap().iter().find(|i| i["name"] == ix).unwrap();
        ix["accounts"].as_array().unwrap().iter().find(|a| a["name"] == account).unwrap().clone()
    };
    assert!(find("init_obligation", "obligation")["pda"]["seeds"].as_array().is_some_and(|s| s.len() == 4), "the obligation's seeds are in the IDL");
    assert_eq!(find("request_withdrawal", "ticket")["pda"]["seeds"][1]["path"], "reserve");
    assert!(pdas >= 2, "{pdas} PDAs");
}

/// Codama's Rust renderer reads `::` in IDL docs and error messages as a crate path and emits an unbuildable
/// crate; nothing in the IDL's text may carry one (write `Type.field`, "the largest u64").
#[test]
fn idl_succeeds_carrying_no_text_that_trips_client_generators() {
    fn strings<'a>(v: &'a serde_json::Value, at: String, out: &mut Vec<(String, &'a str)>) {
        match v {
            serde_json::Value::String(s) => out.push((at, s)),
            serde_json::Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| strings(x, format!("{at}[{i}]"), out)),
            serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| strings(x, format!("{at}.{k}"), out)),
            _ => {}
        }
    }
    let idl = committed();
    let mut all = vec![];
    strings(&idl, String::new(), &mut all);
    let bad: Vec<String> = all.iter().filter(|(_, s)| s.contains("::")).map(|(at, s)| format!("{at}: {s}")).collect();
    assert!(bad.is_empty(), "IDL text with `::`:\n  {}", bad.join("\n  "));
}
