//! Repository hygiene as ordinary tests: every Rust file says why it exists in a leading `//!` line,
//! no debugging leftovers, and docs/rules.md lists exactly the rules vow can report.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::root;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "target" || name == "node_modules" {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, out);
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_file_opens_with_a_module_doc_and_has_no_debug_leftovers() {
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    assert!(files.len() > 10, "found only {} Rust files", files.len());
    let mut problems = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).unwrap_or_default();
        if !text.starts_with("//!") {
            problems.push(format!(
                "{}: does not open with a `//!` line",
                file.display()
            ));
        }
        if text.contains(&["dbg", "!("].concat()) {
            problems.push(format!("{}: contains a dbg! call", file.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn docs_rules_md_lists_exactly_the_rule_catalogue() {
    let doc = fs::read_to_string(root().join("docs/rules.md")).expect("docs/rules.md");
    let id = regex::Regex::new(
        r"`((?:shape|errors|latency|auth|deprecation|verify|mock)\.[a-z0-9.-]+)`",
    )
    .expect("regex");
    let documented: std::collections::BTreeSet<&str> = id
        .captures_iter(&doc)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str())
        .collect();
    let catalogue: std::collections::BTreeSet<&str> =
        vow_core::rules::ALL.iter().map(|r| r.id).collect();
    let undocumented: Vec<_> = catalogue.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&catalogue).collect();
    assert!(
        undocumented.is_empty(),
        "rules missing from docs/rules.md: {undocumented:?}"
    );
    assert!(
        unknown.is_empty(),
        "docs/rules.md names rules vow does not have: {unknown:?}"
    );
}
