//! Comparing `Content-Type` values the way HTTP means them (RFC 9110 §8.3.1): the type and subtype
//! are case-insensitive, and the response may carry parameters the contract does not care about.

/// A parsed media type: `type/subtype` in lowercase, and its parameters in order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MediaType {
    essence: String,
    /// Parameter names in lowercase; values unquoted.
    params: Vec<(String, String)>,
}

fn parse(text: &str) -> MediaType {
    let mut parts = text.split(';');
    let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let params = parts
        .filter_map(|p| {
            let (name, value) = p.split_once('=')?;
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .map_or_else(
                    || value.to_owned(),
                    |v| v.replace("\\\"", "\"").replace("\\\\", "\\"),
                );
            Some((name.trim().to_ascii_lowercase(), value))
        })
        .collect();
    MediaType { essence, params }
}

/// Whether an observed `Content-Type` satisfies an expected one: same type/subtype (ignoring case),
/// and every parameter the expectation states present with the same value. `charset` values compare
/// case-insensitively (they are registered names); other parameter values compare exactly.
/// Parameters the expectation does not state are ignored.
pub(crate) fn satisfies(observed: &str, expected: &str) -> bool {
    let observed = parse(observed);
    let expected = parse(expected);
    observed.essence == expected.essence
        && expected.params.iter().all(|(name, want)| {
            observed.params.iter().any(|(n, got)| {
                n == name
                    && if name == "charset" {
                        got.eq_ignore_ascii_case(want)
                    } else {
                        got == want
                    }
            })
        })
}

#[cfg(test)]
mod tests {
    use super::satisfies;

    #[test]
    fn type_and_subtype_ignore_case() {
        assert!(satisfies("Application/JSON", "application/json"));
        assert!(!satisfies("application/problem+json", "application/json"));
    }

    #[test]
    fn parameters_the_expectation_omits_are_ignored() {
        assert!(satisfies(
            "application/json; charset=utf-8",
            "application/json"
        ));
    }

    #[test]
    fn parameters_the_expectation_states_must_match() {
        assert!(satisfies(
            "application/json;charset=UTF-8",
            "application/json; charset=utf-8"
        ));
        assert!(satisfies(
            "application/json; charset=\"utf-8\"",
            "application/json; charset=utf-8"
        ));
        assert!(!satisfies(
            "application/json",
            "application/json; charset=utf-8"
        ));
        assert!(!satisfies(
            "application/json; charset=latin1",
            "application/json; charset=utf-8"
        ));
        assert!(!satisfies(
            "text/plain; format=Flowed",
            "text/plain; format=flowed"
        ));
    }

    #[test]
    fn extra_observed_parameters_do_not_matter() {
        assert!(satisfies(
            "multipart/form-data; boundary=x; charset=utf-8",
            "multipart/form-data; charset=utf-8"
        ));
    }
}
