//! `vow import pact`: contracts written per pact, every note printed with its place, no overwrite
//! without --force, malformed files reported while the others are still converted, and an
//! imported pact that verifies against the example provider.

use std::fs;

use crate::support::{Provider, json_report, rule_ids, transcript, verify, vow};

const V2: &str = "fixtures/pact/v2/checkout-web-shop-api.json";
const SHOP_V3: &str = "fixtures/pact/v3/checkout-web-shop-api.json";
const V3: &str = "fixtures/pact/v3/web-app-orders.json";
const V4: &str = "fixtures/pact/v4/mobile-app-profile.json";

fn out_dir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix(".tmp").tempdir().unwrap()
}

#[test]
fn writes_one_contract_per_pact_and_prints_every_note() {
    let dir = out_dir();
    let out = dir.path().to_str().unwrap();
    let output = vow(&["import", "pact", V2, V3, V4, "--out", out]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    for name in [
        "checkout-web.shop-api.yaml",
        "web-app.order-service.yaml",
        "mobile-app.profile-api.yaml",
    ] {
        let text = fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(text.starts_with("vow: 1"), "{name}");
        assert!(
            !text.contains("pact-fixture-token"),
            "{name} holds a credential"
        );
    }
    insta::assert_snapshot!(
        "import_three_pacts",
        transcript(&output).replace(out, "[out]")
    );
}

#[test]
fn never_overwrites_without_force() {
    let dir = out_dir();
    let out = dir.path().to_str().unwrap();
    let target = dir.path().join("checkout-web.shop-api.yaml");
    fs::write(&target, "# hand-edited\n").unwrap();
    let refused = vow(&["import", "pact", V2, "--out", out]);
    assert_eq!(refused.status.code(), Some(2), "{}", transcript(&refused));
    assert_eq!(fs::read_to_string(&target).unwrap(), "# hand-edited\n");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    let forced = vow(&["import", "pact", V2, "--out", out, "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", transcript(&forced));
    assert!(fs::read_to_string(&target).unwrap().starts_with("vow: 1"));
}

#[test]
fn a_malformed_pact_is_located_and_the_others_still_convert() {
    let dir = out_dir();
    let out = dir.path().to_str().unwrap();
    let output = vow(&[
        "import",
        "pact",
        "fixtures/pact/invalid/missing-parts.json",
        V4,
        "--out",
        out,
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(dir.path().join("mobile-app.profile-api.json").exists());
    insta::assert_snapshot!(
        "import_malformed",
        transcript(&output).replace(out, "[out]")
    );
}

#[test]
fn strict_fails_when_anything_was_not_carried_over() {
    let dir = out_dir();
    let out = dir.path().to_str().unwrap();
    let output = vow(&["import", "pact", V3, "--out", out, "--strict"]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
}

#[test]
fn the_imported_shop_api_pact_verifies_against_the_example_provider() {
    let dir = out_dir();
    let out = dir.path().to_str().unwrap();
    let imported = vow(&["import", "pact", SHOP_V3, "--out", out]);
    assert_eq!(imported.status.code(), Some(0), "{}", transcript(&imported));
    let contract = dir.path().join("checkout-web.shop-api.yaml");
    let provider = Provider::start(&[]);
    let output = verify(
        &provider,
        &[contract.to_str().unwrap()],
        &["--format", "json"],
    );
    let report = json_report(&output);
    assert_eq!(
        rule_ids(&report),
        Vec::<String>::new(),
        "{}",
        transcript(&output)
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(report["summary"]["interactions"], 3);
}
