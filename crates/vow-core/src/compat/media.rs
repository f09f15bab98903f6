//! Media types as `vow check` compares them: a contract's `Content-Type` against the media types
//! (and ranges) an OpenAPI `content` map declares.
//!
//! Parameters (`; charset=utf-8`) and case are ignored. A declared `*/*` covers everything,
//! `application/*` every `application/…` type, and `application/*+json` every type with the
//! `+json` structured suffix (RFC 6839); the most specific declaration wins.

use std::collections::BTreeMap;

/// The type and subtype of a media type, in lowercase, without parameters.
pub(super) fn essence(text: &str) -> String {
    text.split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Whether a media type's body is JSON: `application/json` or any `+json` type.
pub(super) fn is_json(media_type: &str) -> bool {
    let e = essence(media_type);
    e == "application/json" || e.ends_with("+json")
}

/// How specifically the declared `range` covers `actual` (higher is more specific), or `None`
/// when it does not cover it.
pub(super) fn coverage(range: &str, actual: &str) -> Option<u8> {
    let range = essence(range);
    let actual = essence(actual);
    if range == actual {
        return Some(4);
    }
    let (rtype, rsub) = range.split_once('/')?;
    let (atype, asub) = actual.split_once('/')?;
    if range == "*/*" {
        return Some(1);
    }
    if rtype != atype {
        return None;
    }
    if rsub == "*" {
        return Some(2);
    }
    // `application/*+json`: any subtype with the same structured suffix.
    if let Some(suffix) = rsub.strip_prefix('*')
        && suffix.starts_with('+')
        && asub.ends_with(suffix)
    {
        return Some(3);
    }
    None
}

/// The declared media type that best covers `actual`, with its value.
pub(super) fn best<'c, V>(
    content: &'c BTreeMap<String, V>,
    actual: &str,
) -> Option<(&'c str, &'c V)> {
    content
        .iter()
        .filter_map(|(range, v)| coverage(range, actual).map(|c| (c, range.as_str(), v)))
        // Ties go to the first in name order (the map is sorted), so the choice is stable.
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, range, v)| (range, v))
}

/// The declared JSON media type a consumer that states no `Content-Type` most likely reads:
/// `application/problem+json` first for errors (`problem`), else `application/json`, else any
/// other `+json` type.
pub(super) fn preferred_json<V>(
    content: &BTreeMap<String, V>,
    problem: bool,
) -> Option<(&str, &V)> {
    let first = if problem {
        "application/problem+json"
    } else {
        "application/json"
    };
    let second = if problem {
        "application/json"
    } else {
        "application/problem+json"
    };
    let by_essence = |want: &str| {
        content
            .iter()
            .find(|(k, _)| essence(k) == want)
            .map(|(k, v)| (k.as_str(), v))
    };
    by_essence(first)
        .or_else(|| by_essence(second))
        .or_else(|| {
            content
                .iter()
                .find(|(k, _)| is_json(k))
                .map(|(k, v)| (k.as_str(), v))
        })
}

/// The declared media types, for messages: `application/json, text/plain`.
pub(super) fn listed<V>(content: &BTreeMap<String, V>) -> String {
    content.keys().cloned().collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_by_specificity() {
        assert_eq!(
            coverage("application/json", "Application/JSON; charset=utf-8"),
            Some(4)
        );
        assert_eq!(coverage("*/*", "text/plain"), Some(1));
        assert_eq!(coverage("application/*", "application/xml"), Some(2));
        assert_eq!(
            coverage("application/*+json", "application/merge-patch+json"),
            Some(3)
        );
        assert_eq!(coverage("application/*+json", "application/json"), None);
        assert_eq!(
            coverage("application/json", "application/vnd.api+json"),
            None
        );
        assert_eq!(coverage("text/*", "application/json"), None);
    }

    #[test]
    fn the_most_specific_declaration_wins() {
        let content: BTreeMap<String, u8> = [
            ("*/*".to_owned(), 1),
            ("application/*".to_owned(), 2),
            ("application/json".to_owned(), 3),
        ]
        .into_iter()
        .collect();
        assert_eq!(best(&content, "application/json").map(|(_, v)| *v), Some(3));
        assert_eq!(best(&content, "application/xml").map(|(_, v)| *v), Some(2));
        assert_eq!(best(&content, "text/csv").map(|(_, v)| *v), Some(1));
    }

    #[test]
    fn json_is_told_by_type_or_suffix() {
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/problem+json"));
        assert!(!is_json("text/plain"));
        let content: BTreeMap<String, u8> = [
            ("application/problem+json".to_owned(), 1),
            ("application/json".to_owned(), 2),
            ("text/plain".to_owned(), 3),
        ]
        .into_iter()
        .collect();
        assert_eq!(preferred_json(&content, true).map(|(_, v)| *v), Some(1));
        assert_eq!(preferred_json(&content, false).map(|(_, v)| *v), Some(2));
    }
}
