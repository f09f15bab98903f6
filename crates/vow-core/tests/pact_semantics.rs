//! Pact matchers, as the Pact specification describes them, judged by vow after import.
//!
//! Each case states in its own words what the specification says a matcher accepts and refuses,
//! imports a one-rule pact, and runs vow's body matching on values either side of the line. A
//! matcher vow cannot express with the same meaning must be left out with a note, never carried
//! over with another meaning.

use serde_json::{Value, json};
use vow_core::contract::BodyExpectation;
use vow_core::import::pact::{NoteKind, import_pact};
use vow_core::matching::match_body;

/// A v3 pact whose response body is `{"v": example}` with `matchers` at `$.v`.
fn pact(example: &Value, matchers: &Value, combine: &str) -> String {
    json!({
        "consumer": {"name": "c"},
        "provider": {"name": "p"},
        "interactions": [{
            "description": "one value",
            "request": {"method": "GET", "path": "/v"},
            "response": {
                "status": 200,
                "body": {"v": example},
                "matchingRules": {"body": {"$.v": {"matchers": matchers, "combine": combine}}}
            }
        }],
        "metadata": {"pactSpecification": {"version": "3.0.0"}}
    })
    .to_string()
}

/// The converted body expectation of a one-rule pact.
struct Rule {
    body: BodyExpectation,
}

impl Rule {
    fn new(example: Value, matchers: Value) -> Rule {
        Rule::combined(example, matchers, "AND")
    }

    fn combined(example: Value, matchers: Value, combine: &str) -> Rule {
        let imported = import_pact("semantics.json", &pact(&example, &matchers, combine))
            .unwrap_or_else(|e| panic!("{matchers} does not import: {:?}", e.problems));
        assert!(
            !imported.dropped_anything(),
            "{matchers} was not carried over: {:?}",
            imported.notes
        );
        let body = imported.contract.interactions[0]
            .response
            .body
            .clone()
            .expect("a body expectation");
        Rule { body }
    }

    fn accepts(&self, actual: Value) -> bool {
        let body = json!({"v": actual}).to_string();
        match_body(&self.body, body.as_bytes()).is_empty()
    }

    fn check(&self, accepted: &[Value], refused: &[Value]) {
        for a in accepted {
            assert!(self.accepts(a.clone()), "should accept {a}");
        }
        for r in refused {
            assert!(!self.accepts(r.clone()), "should refuse {r}");
        }
    }
}

/// The matcher is left out with a note saying so.
fn dropped(example: Value, matchers: Value) {
    let imported = import_pact("semantics.json", &pact(&example, &matchers, "AND")).unwrap();
    assert!(
        imported
            .notes
            .iter()
            .any(|n| n.kind == NoteKind::Dropped && n.pointer.contains("matchers")),
        "{matchers}: {:?}",
        imported.notes
    );
    let body = imported.contract.interactions[0].response.body.as_ref();
    if let Some(BodyExpectation::Example { rules, .. }) = body {
        assert!(rules.is_empty(), "{matchers} left rules: {rules:?}");
    }
}

#[test]
fn regex_searches_the_value_unless_the_pattern_anchors_itself() {
    // The specification leaves anchoring to the pattern: `\d{3}` is found inside a longer value.
    let unanchored = Rule::new(json!("123"), json!([{"match": "regex", "regex": "\\d{3}"}]));
    unanchored.check(
        &[json!("123"), json!("order 123 placed")],
        &[json!("12a"), json!("")],
    );
    let anchored = Rule::new(
        json!("123"),
        json!([{"match": "regex", "regex": "^\\d{3}$"}]),
    );
    anchored.check(&[json!("123")], &[json!("1234"), json!("x123")]);
    let alternation = Rule::new(json!("ab"), json!([{"match": "regex", "regex": "^a|b$"}]));
    alternation.check(&[json!("axx"), json!("xxb")], &[json!("xax")]);
}

#[test]
fn regex_on_a_non_string_example_is_not_carried_over() {
    // Pact matches a regex against the text of a number; vow's regex wants a string.
    dropped(json!(42), json!([{"match": "regex", "regex": "\\d+"}]));
}

#[test]
fn type_matches_by_json_type_and_cascades_to_children() {
    let string = Rule::new(json!("Mary"), json!([{"match": "type"}]));
    string.check(&[json!("Harry"), json!("")], &[json!(4), json!(null)]);
    // Objects need the example's keys, with values of the same types; extra keys are fine.
    let object = Rule::new(
        json!({"name": "Mary", "feet": 4}),
        json!([{"match": "type"}]),
    );
    object.check(
        &[json!({"name": "Harry", "feet": 2, "tail": true})],
        &[
            json!({"name": "Harry"}),
            json!({"name": "Harry", "feet": "4"}),
        ],
    );
}

#[test]
fn type_with_min_and_max_bounds_an_array_of_elements_like_the_first() {
    let bounded = Rule::new(
        json!([{"sku": "a"}]),
        json!([{"match": "type", "min": 2, "max": 3}]),
    );
    bounded.check(
        &[
            json!([{"sku": "x"}, {"sku": "y"}]),
            json!([{"sku": "x"}, {"sku": "y"}, {"sku": "z"}]),
        ],
        &[
            json!([{"sku": "x"}]),
            json!([{"sku": "1"}, {"sku": "2"}, {"sku": "3"}, {"sku": "4"}]),
            json!([{"sku": 1}, {"sku": "y"}]),
        ],
    );
}

#[test]
fn v2_min_without_a_match_name_is_a_type_rule() {
    let text = json!({
        "consumer": {"name": "c"}, "provider": {"name": "p"},
        "interactions": [{
            "description": "v2",
            "request": {"method": "GET", "path": "/v"},
            "response": {"status": 200, "body": {"v": [1]},
                         "matchingRules": {"$.body.v": {"min": 1}}}
        }],
        "metadata": {"pactSpecification": {"version": "2.0.0"}}
    })
    .to_string();
    let imported = import_pact("v2.json", &text).unwrap();
    let rule = Rule {
        body: imported.contract.interactions[0]
            .response
            .body
            .clone()
            .unwrap(),
    };
    rule.check(&[json!([5, 6, 7])], &[json!([]), json!(["5"])]);
}

#[test]
fn include_accepts_a_string_containing_the_value() {
    let include = Rule::new(
        json!("REF-1"),
        json!([{"match": "include", "value": "REF-"}]),
    );
    include.check(
        &[json!("REF-1"), json!("old REF-9")],
        &[json!("RFE-1"), json!("ref-1")],
    );
}

#[test]
fn integer_accepts_integers_only() {
    let integer = Rule::new(json!(7), json!([{"match": "integer"}]));
    integer.check(
        &[json!(7), json!(-3), json!(0)],
        &[json!(7.5), json!(7.0), json!("7")],
    );
}

#[test]
fn decimal_has_no_vow_counterpart() {
    // Pact's decimal accepts 12.5 but not 12; vow's decimal accepts both.
    dropped(json!(12.5), json!([{"match": "decimal"}]));
}

#[test]
fn number_accepts_any_number() {
    let number = Rule::new(json!(1), json!([{"match": "number"}]));
    number.check(
        &[json!(1), json!(2.5), json!(-1e3)],
        &[json!("1"), json!(true)],
    );
}

#[test]
fn boolean_accepts_booleans_and_their_string_forms() {
    let boolean = Rule::new(json!(true), json!([{"match": "boolean"}]));
    boolean.check(
        &[json!(true), json!(false), json!("true"), json!("false")],
        &[json!("yes"), json!(1), json!(null)],
    );
}

#[test]
fn null_accepts_null_only() {
    let null = Rule::new(json!(null), json!([{"match": "null"}]));
    null.check(&[json!(null)], &[json!("null"), json!(0), json!({})]);
}

#[test]
fn dates_times_and_timestamps_follow_their_java_pattern() {
    let date = Rule::new(
        json!("21/11/2026"),
        json!([{"match": "date", "date": "dd/MM/yyyy"}]),
    );
    date.check(
        &[json!("21/11/2026")],
        &[json!("2026-11-21"), json!("31/02/2026")],
    );
    let time = Rule::new(
        json!("14:30"),
        json!([{"match": "time", "format": "HH:mm"}]),
    );
    time.check(&[json!("09:05")], &[json!("25:00"), json!("9h05")]);
    let timestamp = Rule::new(
        json!("2026-11-20 09:30:00"),
        json!([{"match": "timestamp", "timestamp": "yyyy-MM-dd HH:mm:ss"}]),
    );
    timestamp.check(
        &[json!("2026-01-31 23:59:59")],
        &[json!("2026-01-31T23:59:59")],
    );
}

#[test]
fn a_java_pattern_chrono_reads_otherwise_is_not_carried_over() {
    dropped(
        json!("2026-11-20T09:30:00Z"),
        json!([{"match": "timestamp", "format": "yyyy-MM-dd'T'HH:mm:ssXXX"}]),
    );
}

#[test]
fn each_key_and_each_value_judge_every_member_of_an_object() {
    // Pact: every key (value) satisfies the rules, whatever keys the example has.
    let keys = Rule::new(
        json!({}),
        json!([{"match": "eachKey", "rules": [{"match": "regex", "regex": "^[a-z]+$"}]}]),
    );
    keys.check(
        &[json!({"ab": 1, "cd": 2}), json!({})],
        &[json!({"ab": 1, "C1": 2})],
    );
    let values = Rule::new(
        json!({}),
        json!([{"match": "eachValue", "rules": [{"match": "integer"}]}]),
    );
    values.check(
        &[json!({"x": 1, "y": 2})],
        &[json!({"x": 1, "y": "2"}), json!({"x": 1.5})],
    );
}

#[test]
fn each_value_over_an_example_with_members_is_not_carried_over() {
    // vow would still require the example's members, which Pact's eachValue does not.
    dropped(
        json!({"a": 1}),
        json!([{"match": "eachValue", "rules": [{"match": "integer"}]}]),
    );
}

#[test]
fn not_empty_refuses_empty_strings_and_arrays() {
    let text = Rule::new(json!("Ada"), json!([{"match": "notEmpty"}]));
    text.check(&[json!("x")], &[json!(""), json!(null), json!(5)]);
    let list = Rule::new(json!(["reader"]), json!([{"match": "notEmpty"}]));
    list.check(&[json!(["a", "b"])], &[json!([]), json!("a")]);
}

#[test]
fn semver_accepts_semantic_versions_only() {
    let semver = Rule::new(json!("1.4.0"), json!([{"match": "semver"}]));
    semver.check(
        &[json!("1.4.0"), json!("10.0.1-rc.1+build.5")],
        &[json!("1.4"), json!("01.4.0"), json!("v1.4.0")],
    );
}

#[test]
fn regexes_combined_with_or_accept_either() {
    let either = Rule::combined(
        json!("EUR"),
        json!([{"match": "regex", "regex": "^EUR$"}, {"match": "regex", "regex": "^USD$"}]),
        "OR",
    );
    either.check(
        &[json!("EUR"), json!("USD")],
        &[json!("GBP"), json!("EURUSD")],
    );
}

#[test]
fn other_matchers_combined_with_or_are_not_carried_over() {
    let text = pact(
        &json!(1),
        &json!([{"match": "number"}, {"match": "null"}]),
        "OR",
    );
    let imported = import_pact("or.json", &text).unwrap();
    assert!(imported.dropped_anything());
}

#[test]
fn matchers_combined_with_and_must_all_hold() {
    let both = Rule::new(
        json!("REF-2026-A"),
        json!([{"match": "include", "value": "REF-"}, {"match": "regex", "regex": "\\d{4}"}]),
    );
    both.check(&[json!("REF-2026-A")], &[json!("REF-X"), json!("2026")]);
}

#[test]
fn values_array_contains_and_content_type_are_not_carried_over() {
    dropped(json!({"a": 1}), json!([{"match": "values"}]));
    dropped(
        json!([1]),
        json!([{"match": "arrayContains", "variants": []}]),
    );
    dropped(
        json!("x"),
        json!([{"match": "contentType", "value": "image/png"}]),
    );
}
