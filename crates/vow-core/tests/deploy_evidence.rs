//! Compatibility evidence as the broker caches it (`deploy::assess`): the example spec against the
//! example contracts, without a clock. Sunsets become facts instead of findings, so the result is
//! the same whatever the date; an operation the consumer acknowledges as deprecated and the next
//! spec removes becomes a `removed` fact; and `decide` reads the facts at its own as-of date.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use vow_core::contract::{Contract, SourceFormat, parse_contract};
use vow_core::deploy::{
    Assessment, CandidateContract, Counterpart, DeprecationKind, Presence, ProviderSpec, Question,
    Reason, ServiceVersion, Target, Verdict, assess, decide,
};
use vow_core::spec::{Spec, parse_spec};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn spec(relative: &str) -> Spec {
    let text = fs::read_to_string(repo_root().join(relative)).expect("read spec");
    parse_spec(relative, &text, SourceFormat::Yaml).expect("spec loads")
}

fn contract(relative: &str) -> Contract {
    let text = fs::read_to_string(repo_root().join(relative)).expect("read contract");
    parse_contract(relative, &text, SourceFormat::Yaml).expect("contract parses")
}

fn mobile_app(spec_file: &str) -> Assessment {
    assess(
        &spec(spec_file),
        "sha256:spec",
        &contract("contracts/mobile-app.shop-api.yaml"),
        "sha256:contract",
    )
}

#[test]
fn sunsets_become_facts_and_leave_the_result_free_of_the_clock() {
    let assessment = mobile_app("specs/shop-api.yaml");
    assert!(
        assessment.compatibility.passed,
        "{:#?}",
        assessment.result.interactions
    );
    assert_eq!(assessment.compatibility.errors, 0);
    assert!(assessment.compatibility.failed_dimensions.is_empty());
    let sunsets: Vec<_> = assessment
        .deprecations
        .iter()
        .map(|f| (f.interaction.as_str(), f.element.as_str(), f.kind))
        .collect();
    assert!(
        sunsets.contains(&(
            "get-cart-summary",
            "GET /carts/{cartId}/summary",
            DeprecationKind::Sunset {
                sunset: NaiveDate::from_ymd_opt(2027, 6, 30).unwrap()
            }
        )),
        "{sunsets:#?}"
    );
    let rules: Vec<&str> = assessment
        .result
        .interactions
        .iter()
        .flat_map(|i| &i.findings)
        .map(|f| f.rule.id)
        .collect();
    assert!(
        !rules
            .iter()
            .any(|r| *r == "deprecation.sunset-near" || *r == "deprecation.sunset-passed"),
        "{rules:?}"
    );
    // The same inputs give the same assessment.
    assert_eq!(assessment, mobile_app("specs/shop-api.yaml"));
}

#[test]
fn removing_an_acknowledged_deprecated_operation_is_a_removed_fact() {
    let assessment = mobile_app("specs/shop-api.v2.yaml");
    assert!(!assessment.compatibility.passed);
    let removed: Vec<_> = assessment
        .deprecations
        .iter()
        .filter(|f| f.kind == DeprecationKind::Removed)
        .map(|f| (f.interaction.as_str(), f.element.as_str()))
        .collect();
    assert_eq!(
        removed,
        [("get-cart-summary", "GET /carts/c-1001/summary")],
        "only the acknowledged deprecated operation counts as removed"
    );
}

/// The facts of an assessment decide can-I-deploy at the question's date: the consumer version
/// passes before the sunset and is blocked from it on.
#[test]
fn decide_reads_the_cached_facts_at_its_own_date() {
    let assessment = mobile_app("specs/shop-api.yaml");
    let ask = |as_of: NaiveDate| Question {
        candidate: ServiceVersion {
            service: "mobile-app".into(),
            version: "7.1.0".into(),
        },
        target: Target::Environment {
            name: "production".into(),
        },
        as_of,
        contracts: vec![CandidateContract {
            provider: "shop-api".into(),
            contract_hash: "sha256:contract".into(),
        }],
        counterparts: vec![Counterpart {
            service: "shop-api".into(),
            version: "1.0.0".into(),
            presence: Presence::Deployed { instance: None },
        }],
        consumer_contracts: vec![],
        specs: vec![ProviderSpec {
            provider: "shop-api".into(),
            provider_version: "1.0.0".into(),
            spec_hash: "sha256:spec".into(),
        }],
        verifications: vec![],
        compatibility: vec![assessment.compatibility.clone()],
        deprecations: assessment.deprecations.clone(),
    };
    let before = decide(&ask(NaiveDate::from_ymd_opt(2027, 6, 29).unwrap())).unwrap();
    assert_eq!(before.verdict, Verdict::Yes);
    assert_eq!(before.rows[0].reason, Reason::Compatible);
    let on = decide(&ask(NaiveDate::from_ymd_opt(2027, 6, 30).unwrap())).unwrap();
    assert_eq!(on.verdict, Verdict::No);
    assert_eq!(on.rows[0].reason, Reason::SunsetPassed);
    assert!(
        on.rows[0]
            .blocked_by
            .iter()
            .any(|b| b.element == "GET /carts/{cartId}/summary")
    );
}
