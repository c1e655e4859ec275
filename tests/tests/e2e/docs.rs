//! The documentation holds together (issue 27): the README keeps what a newcomer needs first and sends each
//! reader on to `docs/`; every relative link in the README and the docs reaches a file that exists, and every
//! `#anchor` a heading in it.
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// GitHub's anchor for a heading: lower case, spaces to hyphens, punctuation other than hyphens and
/// underscores dropped.
fn slug(heading: &str) -> String {
    heading.trim().to_lowercase().chars().filter_map(|c| match c {
        ' ' => Some('-'),
        c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
        _ => None,
    }).collect()
}

fn anchors(text: &str) -> Vec<String> {
    text.lines().filter(|l| l.starts_with('#')).map(|l| slug(l.trim_start_matches('#'))).collect()
}

/// (target, anchor) of every relative Markdown link in `text`.
fn links(text: &str) -> Vec<(String, Option<String>)> {
    let mut out = vec![];
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        let Some(end) = rest.find(')') else { break };
        let link = &rest[..end];
        if !link.contains("://") && !link.starts_with("mailto:") && !link.is_empty() {
            let (file, anchor) = link.split_once('#').map_or((link, None), |(f, a)| (f, Some(a.to_string())));
            out.push((file.to_string(), anchor));
        }
    }
    out
}

#[test]
fn docs_succeed_resolving_every_relative_link_and_anchor() {
    let root = root();
    let mut pages = vec![root.join("README.md"), root.join("SECURITY.md")];
    pages.extend(std::fs::read_dir(root.join("docs")).expect("docs/").map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "md")));
    assert!(pages.len() >= 5, "README, SECURITY and the docs: {pages:?}");
    let mut broken = vec![];
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for (file, anchor) in links(&text) {
            let target = if file.is_empty() { page.clone() } else { page.parent().unwrap().join(&file) };
            if !target.exists() {
                broken.push(format!("{}: {file} does not exist", page.display()));
                continue;
            }
            if let Some(anchor) = anchor {
                let target_text = std::fs::read_to_string(&target).unwrap_or_default();
                if !anchors(&target_text).contains(&anchor) {
                    broken.push(format!("{}: {file}#{anchor} names no heading", page.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n  {}", broken.join("\n  "));
}

#[test]
fn readme_succeeds_sending_each_reader_to_the_docs() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for command in ["cargo run -p ballast-cli -- demo", "cargo test --workspace"] {
        assert!(readme.contains(command), "the README's command `{command}`");
    }
    for doc in ["docs/integrators.md", "docs/operators.md", "docs/risk.md", "SECURITY.md"] {
        assert!(readme.contains(&format!("]({doc})")), "the README links {doc}");
    }
    assert!(readme.len() < 12_000, "the README stays a newcomer's page: {} bytes", readme.len());
}
