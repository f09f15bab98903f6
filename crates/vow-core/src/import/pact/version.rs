//! Which Pact specification a file follows: from its metadata, or from its layout when the
//! metadata does not say.

use serde_json::Value;

/// A Pact specification version vow imports. v1 files have v2's layout without matching rules
/// and are read as v2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum PactVersion {
    V2,
    V3,
    V4,
}

impl PactVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            PactVersion::V2 => "v2",
            PactVersion::V3 => "v3",
            PactVersion::V4 => "v4",
        }
    }
}

/// How the version was found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Detected {
    /// Stated in the metadata, at this pointer.
    Stated(PactVersion),
    /// Not stated: inferred from the file's layout.
    Inferred(PactVersion),
    /// Stated, but not a version vow imports.
    Unknown { pointer: String, value: Value },
}

/// Where Pact implementations have written the version, oldest last.
const PLACES: &[(&str, &str, Option<&str>)] = &[
    (
        "/metadata/pactSpecification/version",
        "pactSpecification",
        Some("version"),
    ),
    (
        "/metadata/pact-specification/version",
        "pact-specification",
        Some("version"),
    ),
    (
        "/metadata/pactSpecificationVersion",
        "pactSpecificationVersion",
        None,
    ),
];

pub(crate) fn detect(root: &Value) -> Detected {
    let metadata = root.get("metadata").or_else(|| root.get("metaData"));
    for (pointer, key, inner) in PLACES {
        let Some(found) = metadata.and_then(|m| m.get(*key)) else {
            continue;
        };
        let found = match inner {
            Some(inner) => match found.get(*inner) {
                Some(v) => v,
                None => continue,
            },
            None => found,
        };
        let pointer = if root.get("metadata").is_some() {
            (*pointer).to_owned()
        } else {
            pointer.replacen("/metadata", "/metaData", 1)
        };
        return match found.as_str().and_then(major) {
            Some(v) => Detected::Stated(v),
            None => Detected::Unknown {
                pointer,
                value: found.clone(),
            },
        };
    }
    Detected::Inferred(infer(root))
}

fn major(text: &str) -> Option<PactVersion> {
    let first = text.trim().trim_start_matches(['v', 'V']);
    let major = first.split('.').next()?;
    match major {
        "1" | "2" => Some(PactVersion::V2),
        "3" => Some(PactVersion::V3),
        "4" => Some(PactVersion::V4),
        _ => None,
    }
}

fn infer(root: &Value) -> PactVersion {
    let interactions = root
        .get("interactions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if interactions.iter().any(|i| i.get("type").is_some()) {
        return PactVersion::V4;
    }
    let v3_layout = interactions.iter().any(|i| {
        i.get("providerStates").is_some()
            || ["request", "response"].iter().any(|part| {
                let part = i.get(*part);
                part.and_then(|p| p.get("query"))
                    .is_some_and(Value::is_object)
                    || part.and_then(|p| p.get("generators")).is_some()
                    || part
                        .and_then(|p| p.get("matchingRules"))
                        .and_then(Value::as_object)
                        .is_some_and(|rules| rules.keys().any(|k| !k.starts_with('$')))
            })
    });
    if v3_layout {
        PactVersion::V3
    } else {
        PactVersion::V2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_each_place_implementations_use() {
        let v = |m: Value| detect(&json!({"metadata": m, "interactions": []}));
        assert_eq!(
            v(json!({"pactSpecification": {"version": "2.0.0"}})),
            Detected::Stated(PactVersion::V2)
        );
        assert_eq!(
            v(json!({"pactSpecification": {"version": "4.0"}})),
            Detected::Stated(PactVersion::V4)
        );
        assert_eq!(
            v(json!({"pact-specification": {"version": "1.0.0"}})),
            Detected::Stated(PactVersion::V2)
        );
        assert_eq!(
            v(json!({"pactSpecificationVersion": "3.0.0"})),
            Detected::Stated(PactVersion::V3)
        );
        assert!(matches!(
            v(json!({"pactSpecification": {"version": "5.0"}})),
            Detected::Unknown { .. }
        ));
        assert!(matches!(
            v(json!({"pactSpecification": {"version": 3}})),
            Detected::Unknown { .. }
        ));
    }

    #[test]
    fn infers_from_layout_without_metadata() {
        let v4 = json!({"interactions": [{"type": "Synchronous/HTTP"}]});
        assert_eq!(detect(&v4), Detected::Inferred(PactVersion::V4));
        let v3 = json!({"interactions": [{"providerStates": []}]});
        assert_eq!(detect(&v3), Detected::Inferred(PactVersion::V3));
        let v2 = json!({"interactions": [{"request": {"query": "a=1"}}]});
        assert_eq!(detect(&v2), Detected::Inferred(PactVersion::V2));
    }
}
