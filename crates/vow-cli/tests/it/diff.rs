//! `vow diff`: the example provider's spec against its next version, graded by the example
//! contracts, in every output format; determinism; and bad input (located errors, exit 2).

use std::fs;
use std::process::Output;

use crate::support::{AS_OF, raw_transcript, report_schema, violations, vow};

const OLD: &str = "specs/shop-api.yaml";
const NEW: &str = "specs/shop-api.v2.yaml";

fn diff(extra: &[&str]) -> Output {
    let mut args = vec!["diff", OLD, NEW, "--as-of", AS_OF];
    args.extend_from_slice(extra);
    vow(&args)
}

/// Exit code, stdout and stderr with temporary paths redacted; latencies stay, since diffs
/// report envelopes, not timings.
fn transcript(output: &Output) -> String {
    regex::Regex::new(r"/tmp/\.tmp[A-Za-z0-9_]+")
        .expect("regex")
        .replace_all(&raw_transcript(output), "[tmp]")
        .into_owned()
}

fn report(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

#[test]
fn example_specs_graded_by_the_example_contracts() {
    let output = diff(&["--contracts", "contracts/"]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn every_format_of_the_example_diff() {
    for format in ["json", "markdown", "github", "junit", "sarif"] {
        let output = diff(&["--contracts", "contracts/", "--format", format]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{format}: {}",
            transcript(&output)
        );
        insta::assert_snapshot!(
            format!("format_{format}"),
            String::from_utf8_lossy(&output.stdout)
        );
    }
}

#[test]
fn json_report_follows_its_schema() {
    let output = diff(&["--contracts", "contracts/", "--format", "json"]);
    let report = report(&output);
    let validator = report_schema("diff-report.schema.json");
    let errors = violations(&validator, &report);
    assert!(
        errors.is_empty(),
        "report violates docs/diff-report.schema.json: {errors:#?}"
    );
    // Without contracts, the same file is still valid and nothing is graded down.
    let bare = report_of(&diff(&["--format", "json"]));
    assert!(validator.is_valid(&bare));
    assert!(
        bare["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .all(|c| c["affected"] == serde_json::json!([]))
    );
}

fn report_of(output: &Output) -> serde_json::Value {
    report(output)
}

#[test]
fn breaking_changes_no_contract_uses_are_info_and_do_not_fail() {
    // The storefront contract alone does not touch what v2 breaks for checkout-web and mobile-app.
    let output = diff(&[
        "--contracts",
        "contracts/storefront-web.shop-api.json",
        "--format",
        "json",
    ]);
    let report = report(&output);
    let graded: Vec<(&str, &str)> = report["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["rule"].as_str().unwrap_or_default(),
                c["severity"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    let without = report_of(&diff(&["--format", "json"]));
    let errors_without = without["summary"]["errors"].as_u64().expect("count");
    assert!(errors_without > 0, "v2 has breaking changes in general");
    let errors_with = report["summary"]["errors"].as_u64().expect("count");
    assert!(errors_with < errors_without, "{graded:?}");
    for c in report["changes"].as_array().expect("changes") {
        if c["affected"] == serde_json::json!([]) && c["breaking"] == true {
            assert_eq!(c["severity"], "info", "{c}");
        }
    }
}

#[test]
fn the_verdict_depends_on_the_as_of_date_and_nothing_else() {
    let first = diff(&["--contracts", "contracts/", "--format", "json"]);
    let second = diff(&["--contracts", "contracts/", "--format", "json"]);
    assert_eq!(
        first.stdout, second.stdout,
        "two runs with the same inputs differ"
    );
    let rule_of_summary = |output: &Output| {
        report(output)["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .find(|c| c["operation"] == "GET /carts/{cartId}/summary")
            .map(|c| c["rule"].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(
        rule_of_summary(&first).as_deref(),
        Some("deprecation.removed-before-sunset")
    );
    let later = vow(&[
        "diff",
        OLD,
        NEW,
        "--as-of",
        "2027-07-01",
        "--contracts",
        "contracts/",
        "--format",
        "json",
    ]);
    assert_eq!(
        rule_of_summary(&later).as_deref(),
        Some("deprecation.removed-after-sunset")
    );
}

#[test]
fn a_spec_against_itself_has_no_changes() {
    let output = vow(&[
        "diff",
        OLD,
        OLD,
        "--as-of",
        AS_OF,
        "--contracts",
        "contracts/",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn relative_file_references_and_cycles_load() {
    let spec = "fixtures/specs/diff/split/openapi.yaml";
    let output = vow(&["diff", spec, spec, "--as-of", AS_OF, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    assert_eq!(report(&output)["summary"]["changes"], 0);
}

#[test]
fn broken_specs_exit_2_with_every_problem_located() {
    let cases = [
        ("syntax_error", "fixtures/specs/diff/syntax-error.json"),
        ("bad_refs", "fixtures/specs/diff/bad-refs.json"),
        ("swagger", "fixtures/specs/diff/swagger.yaml"),
        ("missing_file", "fixtures/specs/diff/no-such-file.yaml"),
    ];
    for (name, path) in cases {
        let output = vow(&["diff", path, OLD, "--as-of", AS_OF]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{name}: {}",
            transcript(&output)
        );
        insta::assert_snapshot!(format!("broken_{name}"), transcript(&output));
    }
}

#[test]
fn a_deeply_nested_document_is_refused_without_overflowing_the_stack() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("deep.json");
    let depth = 100_000;
    let text = format!(
        "{{\"openapi\": \"3.1.0\", \"info\": {{\"title\": \"deep\", \"version\": \"1\"}}, \"x\": {}{}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    fs::write(&path, text).expect("write");
    let path = path.display().to_string();
    let output = vow(&["diff", &path, &path]);
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("recursion limit"), "{stderr}");
}

#[test]
fn a_50_mb_document_is_read_and_compared() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut paths = serde_json::Map::new();
    let mut i = 0;
    let mut size = 0;
    while size < 50 * 1024 * 1024 {
        let properties: serde_json::Map<String, serde_json::Value> = (0..40)
            .map(|p| {
                (
                    format!("field{p}"),
                    serde_json::json!({"type": "string", "description": "x".repeat(80)}),
                )
            })
            .collect();
        let op = serde_json::json!({"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": properties}}}}}}});
        size += op.to_string().len();
        paths.insert(format!("/resource{i}/{{id}}"), op);
        i += 1;
    }
    let old = serde_json::json!({"openapi": "3.1.0", "info": {"title": "big", "version": "1"}, "paths": paths});
    let mut new = old.clone();
    new["paths"]["/resource7/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
        .as_object_mut()
        .expect("properties")
        .remove("field3");
    let (old_path, new_path) = (dir.path().join("old.json"), dir.path().join("new.json"));
    fs::write(&old_path, old.to_string()).expect("write");
    fs::write(&new_path, new.to_string()).expect("write");
    let output = vow(&[
        "diff",
        &old_path.display().to_string(),
        &new_path.display().to_string(),
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    let report = report(&output);
    assert_eq!(report["summary"]["changes"], 1, "{report}");
    assert_eq!(report["changes"][0]["rule"], "shape.response.field-removed");
    assert_eq!(report["changes"][0]["element"]["path"], "/field3");
}
