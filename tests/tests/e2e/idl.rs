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
