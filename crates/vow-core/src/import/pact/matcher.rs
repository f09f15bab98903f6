//! Pact matchers to vow rules, where vow's matcher means the same; everything else becomes a note.
//!
//! Each conversion here is pinned by a test written from the Pact specification's description of
//! the matcher (`crates/vow-core/tests/pact_semantics.rs`).

use serde_json::{Value, json};

use super::datetime::to_strftime;

/// Where the value a rule judges sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// A value in a JSON body.
    Body,
    /// The text of a response header.
    Header,
    /// A key of a JSON object (inside `eachKey`).
    Key,
}

/// The matchers at one path and how Pact combines them.
#[derive(Debug, Clone)]
pub(crate) struct RuleList<'v> {
    /// Each matcher with its JSON pointer in the Pact file.
    pub matchers: Vec<(String, &'v Value)>,
    pub or: bool,
    /// The pointer of the whole rule (for notes about the combination).
    pub pointer: String,
}

/// A matcher vow cannot carry over with Pact's meaning.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unsupported {
    pub message: String,
    pub hint: String,
}

/// What became of one Pact matcher (by its pointer): carried over, with what changed if anything,
/// or not carried over and why.
pub(crate) type Outcome = (String, Result<Option<String>, Unsupported>);

/// A converted matcher: vow rules (all must hold) and, when the rule was rewritten, what changed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Converted {
    pub rules: Vec<Value>,
    pub changed: Option<String>,
}

fn unsupported(message: impl Into<String>, hint: impl Into<String>) -> Unsupported {
    Unsupported {
        message: message.into(),
        hint: hint.into(),
    }
}

/// A matcher's name: `match`, or what a Pact v2 rule without one implies.
pub(crate) fn matcher_name(m: &Value) -> Option<String> {
    if let Some(name) = m.get("match").and_then(Value::as_str) {
        return Some(name.to_owned());
    }
    if m.get("regex").is_some() {
        return Some("regex".to_owned());
    }
    if m.get("min").is_some() || m.get("max").is_some() {
        return Some("type".to_owned());
    }
    None
}

/// Converts the matchers of one rule list. Returns the vow rules and one result per Pact matcher
/// (its pointer and, if it was not carried over, why).
pub(crate) fn convert_list(
    list: &RuleList<'_>,
    place: Place,
    examples: &[&Value],
) -> (Vec<Value>, Vec<Outcome>) {
    let results: Vec<(String, Result<Converted, Unsupported>)> = list
        .matchers
        .iter()
        .map(|(pointer, m)| (pointer.clone(), convert(m, place, examples)))
        .collect();
    if list.or && list.matchers.len() > 1 {
        return combine_or(list, results);
    }
    let mut rules = Vec::new();
    let mut outcomes = Vec::new();
    for (pointer, result) in results {
        match result {
            Ok(c) => {
                rules.extend(c.rules);
                outcomes.push((pointer, Ok(c.changed)));
            }
            Err(e) => outcomes.push((pointer, Err(e))),
        }
    }
    (rules, outcomes)
}

/// `combine: OR`: vow rules all must hold, so an alternative is only expressible inside one
/// regex. Regexes (and includes, as escaped regexes) join into one alternation; any other mix is
/// not carried over.
fn combine_or(
    list: &RuleList<'_>,
    results: Vec<(String, Result<Converted, Unsupported>)>,
) -> (Vec<Value>, Vec<Outcome>) {
    let mut branches = Vec::new();
    for (_, result) in &results {
        let single = match result {
            Ok(c) if c.rules.len() == 1 => c.rules[0].clone(),
            _ => Value::Null,
        };
        match (
            single.get("match").and_then(Value::as_str),
            single.get("regex").and_then(Value::as_str),
            single.get("value").and_then(Value::as_str),
        ) {
            (Some("regex"), Some(regex), _) => branches.push(regex.to_owned()),
            (Some("include"), _, Some(text)) => {
                branches.push(format!("(?s:.*){}(?s:.*)", regex::escape(text)));
            }
            _ => {
                let failure = unsupported(
                    "dropped the matchers combined with OR",
                    "vow rules at one path must all hold; only regexes (and includes) combined \
                     with OR can be written as one vow regex. State the alternatives as one \
                     regex, or split the interaction",
                );
                return (Vec::new(), vec![(list.pointer.clone(), Err(failure))]);
            }
        }
    }
    let joined = branches
        .iter()
        .map(|b| format!("(?:{b})"))
        .collect::<Vec<_>>()
        .join("|");
    let changed = format!(
        "the {} matchers combined with OR became one regex: {joined}",
        branches.len()
    );
    (
        vec![json!({"match": "regex", "regex": joined})],
        vec![(list.pointer.clone(), Ok(Some(changed)))],
    )
}

fn ok(rule: Value) -> Result<Converted, Unsupported> {
    Ok(Converted {
        rules: vec![rule],
        changed: None,
    })
}

fn all(examples: &[&Value], test: impl Fn(&Value) -> bool) -> bool {
    examples.iter().all(|v| test(v))
}

/// Converts one Pact matcher at a place whose example values are `examples` (empty when the
/// example does not reach the path, or for headers and keys).
pub(crate) fn convert(
    m: &Value,
    place: Place,
    examples: &[&Value],
) -> Result<Converted, Unsupported> {
    let Some(name) = matcher_name(m) else {
        return Err(unsupported(
            "dropped a matcher without a `match` name",
            "a Pact matcher is an object such as {\"match\": \"regex\", \"regex\": \"...\"}",
        ));
    };
    match name.as_str() {
        "equality" => ok(json!({"match": "equality"})),
        "regex" => {
            let Some(pattern) = m.get("regex").and_then(Value::as_str) else {
                return Err(unsupported(
                    "dropped a regex matcher without a `regex` string",
                    "give the pattern as {\"match\": \"regex\", \"regex\": \"...\"}",
                ));
            };
            if place == Place::Body && !all(examples, Value::is_string) {
                return Err(unsupported(
                    "dropped a regex matcher on a value that is not a string",
                    "Pact applies a regex to the text of numbers and booleans too; vow applies \
                     regexes to strings only. Use an integer, number or oneOf rule instead",
                ));
            }
            regex_rule(pattern)
        }
        "type" | "min" | "max" => {
            let bound = |key: &str| m.get(key).and_then(Value::as_u64);
            let mut rule = json!({"match": "type"});
            if let Some(min) = bound("min") {
                rule["min"] = json!(min);
            }
            if let Some(max) = bound("max") {
                rule["max"] = json!(max);
            }
            if let (Some(lo), Some(hi)) = (bound("min"), bound("max"))
                && lo > hi
            {
                return Err(unsupported(
                    format!("dropped a type matcher whose min ({lo}) exceeds its max ({hi})"),
                    "no array can satisfy it; correct the bounds in the consumer test",
                ));
            }
            ok(rule)
        }
        "include" => {
            let Some(text) = m.get("value").and_then(Value::as_str) else {
                return Err(unsupported(
                    "dropped an include matcher without a `value` string",
                    "give the text as {\"match\": \"include\", \"value\": \"...\"}",
                ));
            };
            if place == Place::Body && !all(examples, Value::is_string) {
                return Err(unsupported(
                    "dropped an include matcher on a value that is not a string",
                    "Pact looks for the text in the digits of numbers too; vow's include applies \
                     to strings only",
                ));
            }
            ok(json!({"match": "include", "value": text}))
        }
        "integer" => Ok(Converted {
            // vow's integer accepts 2.0; Pact's wants an integer, written without a fraction,
            // which `decimal` with no places adds.
            rules: vec![
                json!({"match": "integer"}),
                json!({"match": "decimal", "places": 0}),
            ],
            changed: Some(
                "integer became integer plus decimal with 0 places, so a number written with a \
                 fraction (2.0) is refused as Pact refuses it"
                    .to_owned(),
            ),
        }),
        "number" => ok(json!({"match": "number"})),
        "decimal" => Err(unsupported(
            "dropped a decimal matcher",
            "Pact's decimal accepts only numbers written with a fraction (12.5, not 12); no vow \
             matcher says that. Add {match: number} (any number) or {match: decimal, places: N} \
             (exactly N digits after the point) if either is what the consumer relies on",
        )),
        "boolean" => ok(json!({"match": "oneOf", "values": [true, false, "true", "false"]})),
        "null" => ok(json!({"match": "null"})),
        "date" | "time" | "timestamp" | "datetime" => date_rule(&name, m),
        "notEmpty" => not_empty(place, examples),
        "semver" => {
            if place == Place::Body && !all(examples, Value::is_string) {
                return Err(unsupported(
                    "dropped a semver matcher on a value that is not a string",
                    "a version number is text",
                ));
            }
            ok(json!({"match": "regex", "regex": SEMVER}))
        }
        "eachKey" | "eachValue" => each(&name, m, place, examples),
        "values" => Err(unsupported(
            "dropped a values matcher",
            "vow has no matcher that compares every value of an object with the example \
             regardless of keys; use eachValue with the rules the values must satisfy",
        )),
        "contentType" => Err(unsupported(
            "dropped a contentType matcher",
            "it checks binary content by its magic bytes; vow bodies are JSON",
        )),
        "arrayContains" => Err(unsupported(
            "dropped an arrayContains matcher",
            "vow has no rule that an array contains elements matching variants, in any position; \
             match the array by example or with eachElement",
        )),
        "statusCode" => Err(unsupported(
            "dropped a statusCode matcher",
            "a vow response states one exact status; the pact's example status is kept",
        )),
        other => Err(unsupported(
            format!("dropped the unknown Pact matcher \"{other}\""),
            "vow knows the matchers of the Pact specification v2 to v4",
        )),
    }
}

/// Semantic Versioning 2.0.0: MAJOR.MINOR.PATCH, optional pre-release and build metadata.
pub(crate) const SEMVER: &str = r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?";

/// Pact regexes match anywhere in the value unless anchored (the specification leaves anchoring
/// to the pattern); vow regexes match the whole value. An unanchored pattern is widened so vow's
/// full match accepts exactly what Pact's search does.
fn regex_rule(pattern: &str) -> Result<Converted, Unsupported> {
    if let Err(e) = regex::Regex::new(pattern) {
        let detail = e.to_string();
        let last = detail.lines().last().unwrap_or_default().trim().to_owned();
        return Err(unsupported(
            format!("dropped the regex {pattern:?}, which vow cannot compile"),
            format!("vow uses Rust's regex syntax, without look-around or back-references: {last}"),
        ));
    }
    let (widened, changed) = full_match_equivalent(pattern);
    Ok(Converted {
        rules: vec![json!({"match": "regex", "regex": widened})],
        changed: changed.then(|| {
            format!(
                "the unanchored regex {pattern:?} became {widened:?}: Pact accepts a match \
                 anywhere in the value, vow matches the whole value"
            )
        }),
    })
}

/// A pattern whose full match equals a search for `pattern`, and whether it differs from it.
pub(crate) fn full_match_equivalent(pattern: &str) -> (String, bool) {
    let starts = pattern.starts_with('^');
    let ends = ends_with_anchor(pattern);
    if pattern.contains('|') {
        // An alternation may be anchored in one branch only: keep it whole inside a group.
        return (format!("(?s:.*)(?:{pattern})(?s:.*)"), true);
    }
    let prefix = if starts { "" } else { "(?s:.*)" };
    let suffix = if ends { "" } else { "(?s:.*)" };
    (format!("{prefix}{pattern}{suffix}"), !(starts && ends))
}

/// Whether the pattern ends with an unescaped `$`.
fn ends_with_anchor(pattern: &str) -> bool {
    let Some(body) = pattern.strip_suffix('$') else {
        return false;
    };
    let backslashes = body.chars().rev().take_while(|c| *c == '\\').count();
    backslashes % 2 == 0
}

fn date_rule(name: &str, m: &Value) -> Result<Converted, Unsupported> {
    let vow_name = match name {
        "date" => "date",
        "time" => "time",
        _ => "datetime",
    };
    // Pact files write the pattern as `format`, or under the matcher's own name.
    let format = m
        .get("format")
        .or_else(|| m.get(name))
        .and_then(Value::as_str);
    let Some(format) = format else {
        return match vow_name {
            "datetime" => Ok(Converted {
                rules: vec![json!({"match": "datetime"})],
                changed: Some(
                    "a timestamp matcher without a format became an RFC 3339 datetime \
                     (Pact implementations disagree on the default)"
                        .to_owned(),
                ),
            }),
            // Pact's defaults, yyyy-MM-dd and HH:mm:ss, are vow's.
            _ => ok(json!({"match": vow_name})),
        };
    };
    match to_strftime(format) {
        Ok(strftime) => ok(json!({"match": vow_name, "format": strftime})),
        Err(letters) => Err(unsupported(
            format!("dropped the {name} matcher with the format {format:?}"),
            format!(
                "vow cannot read {letters} of a Java date pattern the same way; write the rule \
                 with a chrono format by hand (an RFC 3339 datetime is {{match: datetime}})"
            ),
        )),
    }
}

/// Pact's notEmpty: the example's type, and not empty.
fn not_empty(place: Place, examples: &[&Value]) -> Result<Converted, Unsupported> {
    if place != Place::Body || all(examples, Value::is_string) && !examples.is_empty() {
        return ok(json!({"match": "regex", "regex": "(?s:.+)"}));
    }
    if !examples.is_empty() && all(examples, Value::is_array) {
        return ok(json!({"match": "type", "min": 1}));
    }
    if !examples.is_empty() && all(examples, |v| v.is_number() || v.is_boolean()) {
        return ok(json!({"match": "type"}));
    }
    Err(unsupported(
        "dropped a notEmpty matcher",
        "vow can require a non-empty string or array, but not a non-empty object, and the \
         example does not show which this is",
    ))
}

fn each(
    name: &str,
    m: &Value,
    place: Place,
    examples: &[&Value],
) -> Result<Converted, Unsupported> {
    let Some(inner) = m.get("rules").and_then(Value::as_array) else {
        return Err(unsupported(
            format!("dropped an {name} matcher without `rules`"),
            "give the rules as a list of matchers",
        ));
    };
    if place != Place::Body || !all(examples, Value::is_object) {
        return Err(unsupported(
            format!("dropped an {name} matcher on a value that is not an object"),
            "vow's eachKey and eachValue apply to objects; for arrays use eachElement",
        ));
    }
    if examples
        .iter()
        .any(|v| v.as_object().is_some_and(|o| !o.is_empty()))
    {
        return Err(unsupported(
            format!("dropped an {name} matcher on an object whose example has members"),
            format!(
                "Pact's {name} frees the object from the example's keys; vow still requires every \
                 member the example states. To keep the rule, write the example there as {{}} and \
                 add {{match: {name}}} with its rules by hand"
            ),
        ));
    }
    let (inner_place, inner_examples): (Place, Vec<&Value>) = if name == "eachKey" {
        (Place::Key, Vec::new())
    } else {
        (
            Place::Body,
            examples
                .iter()
                .filter_map(|v| v.as_object())
                .flat_map(|o| o.values())
                .collect(),
        )
    };
    let mut rules = Vec::new();
    let mut changes = Vec::new();
    for rule in inner {
        match convert(rule, inner_place, &inner_examples) {
            Ok(c) => {
                rules.extend(c.rules);
                changes.extend(c.changed);
            }
            Err(e) => {
                return Err(unsupported(
                    format!("dropped an {name} matcher: {}", e.message),
                    e.hint,
                ));
            }
        }
    }
    Ok(Converted {
        rules: vec![json!({"match": name, "rules": rules})],
        changed: (!changes.is_empty()).then(|| changes.join("; ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchoring_is_kept_only_where_it_is_whole() {
        assert_eq!(
            full_match_equivalent("^c-[0-9]+$"),
            ("^c-[0-9]+$".into(), false)
        );
        assert_eq!(
            full_match_equivalent("c-[0-9]+"),
            ("(?s:.*)c-[0-9]+(?s:.*)".into(), true)
        );
        assert_eq!(full_match_equivalent("^c-"), ("^c-(?s:.*)".into(), true));
        assert_eq!(
            full_match_equivalent(r"price\$"),
            (r"(?s:.*)price\$(?s:.*)".into(), true)
        );
        assert_eq!(
            full_match_equivalent("^a|b$"),
            ("(?s:.*)(?:^a|b$)(?s:.*)".into(), true)
        );
    }

    #[test]
    fn v2_rules_without_a_name_read_as_pact_implies() {
        assert_eq!(
            matcher_name(&json!({"regex": "a"})).as_deref(),
            Some("regex")
        );
        assert_eq!(matcher_name(&json!({"min": 1})).as_deref(), Some("type"));
        assert_eq!(matcher_name(&json!({})), None);
    }
}
