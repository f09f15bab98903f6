//! `vow import pact` conversions: every fixture pact under fixtures/pact/ becomes a contract that
//! decodes again, with its YAML and its notes pinned; malformed pacts are located errors.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use vow_core::contract::{SourceFormat, parse_contract, to_json, to_yaml};
use vow_core::import::pact::{NoteKind, PactImport, PactVersion, import_pact};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> (String, String) {
    let origin = format!("fixtures/pact/{name}");
    let text = fs::read_to_string(repo_root().join(&origin))
        .unwrap_or_else(|e| panic!("cannot read {origin}: {e}"));
    (origin, text)
}

fn import(name: &str) -> (String, PactImport) {
    let (origin, text) = fixture(name);
    let imported = import_pact(&origin, &text)
        .unwrap_or_else(|e| panic!("{origin} does not import: {:#?}", e.problems));
    (origin, imported)
}

fn notes_text(origin: &str, imported: &PactImport) -> String {
    let mut out = String::new();
    for note in &imported.notes {
        let _ = writeln!(
            out,
            "{} {} [{}] {}",
            note.place(origin),
            note.pointer_text(),
            note.kind.as_str(),
            note.message
        );
        if let Some(hint) = &note.hint {
            let _ = writeln!(out, "    hint: {hint}");
        }
    }
    out
}

/// The YAML decodes to the same contract, and so does the JSON form.
fn assert_round_trips(origin: &str, imported: &PactImport) -> String {
    let yaml = to_yaml(&imported.contract);
    let again = parse_contract(origin, &yaml, SourceFormat::Yaml)
        .unwrap_or_else(|e| panic!("the YAML of {origin} does not decode: {e:#?}\n{yaml}"));
    assert_eq!(again, imported.contract, "{origin}: YAML round trip");
    let json = to_json(&imported.contract);
    let again = parse_contract(origin, &json, SourceFormat::Json)
        .unwrap_or_else(|e| panic!("the JSON of {origin} does not decode: {e:#?}"));
    assert_eq!(again, imported.contract, "{origin}: JSON round trip");
    yaml
}

#[test]
fn every_fixture_pact_imports_to_a_contract_that_decodes() {
    let mut seen = 0;
    for version in ["v2", "v3", "v4"] {
        let dir = repo_root().join("fixtures/pact").join(version);
        for entry in fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            let (origin, imported) = import(&format!("{version}/{name}"));
            assert_eq!(imported.version.as_str(), version, "{origin}");
            assert_round_trips(&origin, &imported);
            seen += 1;
        }
    }
    assert!(seen >= 3);
}

#[test]
fn v2_pact_of_the_shop_api() {
    let (origin, imported) = import("v2/checkout-web-shop-api.json");
    assert_eq!(imported.version, PactVersion::V2);
    insta::assert_snapshot!("v2_yaml", assert_round_trips(&origin, &imported));
    insta::assert_snapshot!("v2_notes", notes_text(&origin, &imported));
}

#[test]
fn v3_pact_with_matchers_and_generators() {
    let (origin, imported) = import("v3/web-app-orders.json");
    insta::assert_snapshot!("v3_yaml", assert_round_trips(&origin, &imported));
    insta::assert_snapshot!("v3_notes", notes_text(&origin, &imported));
}

#[test]
fn v4_pact_with_http_and_other_interactions() {
    let (origin, imported) = import("v4/mobile-app-profile.json");
    insta::assert_snapshot!("v4_yaml", assert_round_trips(&origin, &imported));
    insta::assert_snapshot!("v4_notes", notes_text(&origin, &imported));
}

#[test]
fn no_credential_from_a_pact_reaches_the_contract() {
    for (name, secrets) in [
        (
            "v2/checkout-web-shop-api.json",
            &["pact-fixture-token-0001"][..],
        ),
        (
            "v3/web-app-orders.json",
            &["pact-fixture-session-77", "cGFjdDpmaXh0dXJl"][..],
        ),
        (
            "v4/mobile-app-profile.json",
            &["pact-fixture-token-0002"][..],
        ),
    ] {
        let (origin, imported) = import(name);
        let yaml = to_yaml(&imported.contract);
        let json = to_json(&imported.contract);
        let notes = notes_text(&origin, &imported);
        for secret in secrets {
            assert!(!yaml.contains(secret), "{origin}: the YAML holds {secret}");
            assert!(!json.contains(secret), "{origin}: the JSON holds {secret}");
            assert!(!notes.contains(secret), "{origin}: a note shows {secret}");
        }
        assert!(
            imported
                .contract
                .interactions
                .iter()
                .any(|i| i.statements.auth.is_some()),
            "{origin}: the credential header became an auth block"
        );
    }
}

#[test]
fn a_credential_copied_into_a_body_is_redacted() {
    let text = r#"{
      "consumer": {"name": "web"}, "provider": {"name": "api"},
      "interactions": [{
        "description": "echo the token",
        "request": {"method": "POST", "path": "/echo",
                    "headers": {"Authorization": "Bearer s3cr3t-t0ken-value"},
                    "body": {"token": "s3cr3t-t0ken-value"}},
        "response": {"status": 200, "body": {"seen": "Bearer s3cr3t-t0ken-value"}}
      }],
      "metadata": {"pactSpecification": {"version": "2.0.0"}}
    }"#;
    let imported = import_pact("echo.json", text).unwrap();
    let yaml = to_yaml(&imported.contract);
    assert!(!yaml.contains("s3cr3t"), "{yaml}");
    assert_eq!(yaml.matches("[redacted]").count(), 2, "{yaml}");
    assert!(imported.dropped_anything());
}

fn errors_text(name: &str) -> String {
    let (origin, text) = fixture(name);
    let error = match import_pact(&origin, &text) {
        Ok(_) => panic!("{origin} imported"),
        Err(e) => e,
    };
    let mut out = format!("{}: {} problem(s)\n", error.origin, error.problems.len());
    for p in &error.problems {
        let _ = writeln!(
            out,
            "  {} {}: expected {}, found {}",
            p.place(&origin),
            p.pointer_text(),
            p.expected,
            p.found
        );
        if let Some(hint) = &p.hint {
            let _ = writeln!(out, "    hint: {hint}");
        }
    }
    out
}

#[test]
fn malformed_pacts_are_located_errors() {
    let mut all = String::new();
    for name in [
        "invalid/broken-json.json",
        "invalid/unknown-version.json",
        "invalid/missing-parts.json",
        "invalid/messages-only.json",
    ] {
        all.push_str(&errors_text(name));
    }
    insta::assert_snapshot!("malformed", all);
}

#[test]
fn odd_input_never_panics() {
    for text in [
        "",
        "null",
        "[]",
        "42",
        "{}",
        r#"{"interactions": {}}"#,
        r#"{"consumer": {"name": "a"}, "provider": {"name": "b"}, "interactions": [null, 1, "x"]}"#,
        r#"{"consumer": {"name": "a"}, "provider": {"name": "b"}, "interactions": [{"description": "d", "request": {"method": "GET", "path": "/"}, "response": {"status": 200, "matchingRules": {"body": {"$[": {"matchers": [{}]}}}}}]}"#,
        r#"{"consumer": {"name": "a"}, "provider": {"name": "b"}, "interactions": [{"type": "Synchronous/HTTP", "description": "d", "request": {"method": "GET", "path": "/"}, "response": {"status": 200, "body": {"content": "%%%", "encoded": "base64"}}}], "metadata": {"pactSpecification": {"version": "4.0"}}}"#,
    ] {
        let _ = import_pact("odd.json", text);
    }
}

#[test]
fn only_dropped_notes_count_as_not_carried_over() {
    let (_, imported) = import("v2/checkout-web-shop-api.json");
    assert!(imported.notes.iter().any(|n| n.kind == NoteKind::Changed));
    assert!(imported.dropped_anything());
}
