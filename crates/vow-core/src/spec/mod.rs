//! Provider specs: OpenAPI 3.0 / 3.1 documents with vow's `x-vow-*` extensions, read into a model of
//! operations and schemas that the compatibility check and the spec diff judge.
//!
//! Reading is in two steps so that this crate stays free of the file system: the caller adds the
//! root document to [`Documents`], then every document [`Documents::missing`] names (files reached
//! by relative `$ref`s), and calls [`build_spec`].

pub mod build;
pub mod bundle;
pub mod compare;
pub mod document;
pub mod flat;
pub mod locate;
pub mod model;
pub mod schema;
pub mod validate;

use std::collections::BTreeMap;

pub use build::{SpecError, build_spec};
pub use bundle::Bundle;
pub use document::{Documents, SpecProblem};
pub use model::*;
pub use schema::{SchemaId, SchemaNode, Schemas, TypeSet};

use crate::contract::SourceFormat;

/// Reads a spec that is a single document (references to other files are reported as problems).
pub fn parse_spec(origin: &str, text: &str, format: SourceFormat) -> Result<Spec, SpecError> {
    let mut docs = Documents::default();
    let key = origin.rsplit('/').next().unwrap_or(origin);
    docs.add(key, origin, text.to_owned(), format)
        .map_err(|problems| SpecError { problems })?;
    for missing in docs.missing() {
        docs.unavailable(&missing.key, "only a single document was given".to_owned());
    }
    build_spec(&docs)
}

/// How a request path resolved against a spec's operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The operation (index into [`Spec::operations`]) and the path parameters' values.
    Found {
        operation: usize,
        params: BTreeMap<String, String>,
    },
    /// The path matches templates, but none with this method; the methods it has.
    MethodNotAllowed { methods: Vec<String> },
    /// No template matches; the closest template, if any is close.
    NotFound { closest: Option<String> },
}

impl Spec {
    /// Resolves `method` and `path` (without query string) to an operation. The path may include
    /// one of the operation's server base paths or not. Among templates that match, the one with
    /// the most literal segments wins (`/carts/mine` before `/carts/{id}`).
    pub fn lookup(&self, method: &str, path: &str) -> Lookup {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let mut best: Option<(usize, usize, BTreeMap<String, String>)> = None;
        let mut methods = Vec::new();
        for (index, op) in self.operations.iter().enumerate() {
            let candidates = op.base_paths.iter().filter_map(|base| {
                if base.is_empty() {
                    None
                } else {
                    path.strip_prefix(base.as_str())
                        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
                }
            });
            let matched = std::iter::once(path)
                .chain(candidates)
                .find_map(|p| match_template(&op.path, p));
            let Some((literals, params)) = matched else {
                continue;
            };
            if !op.method.eq_ignore_ascii_case(method) {
                methods.push(op.method.clone());
                continue;
            }
            if best.as_ref().is_none_or(|(_, l, _)| literals > *l) {
                best = Some((index, literals, params));
            }
        }
        if let Some((operation, _, params)) = best {
            return Lookup::Found { operation, params };
        }
        if !methods.is_empty() {
            methods.sort();
            methods.dedup();
            return Lookup::MethodNotAllowed { methods };
        }
        let closest = self
            .operations
            .iter()
            .map(|op| (strsim::normalized_levenshtein(&op.path, path), &op.path))
            .filter(|(score, _)| *score > 0.6)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, p)| p.clone());
        Lookup::NotFound { closest }
    }
}

/// Matches `path` against a template; on success, the number of literal segments and the
/// parameters' values.
fn match_template(template: &str, path: &str) -> Option<(usize, BTreeMap<String, String>)> {
    // A trailing slash is a different path (`/carts/1/` is not `/carts/1`), as servers treat it.
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut literals = 0;
    let mut params = BTreeMap::new();
    for (ts, ps) in t.iter().zip(&p) {
        if !ts.contains('{') {
            if ts != ps {
                return None;
            }
            literals += 1;
        } else if let Some(name) = ts
            .strip_prefix('{')
            .and_then(|r| r.strip_suffix('}'))
            .filter(|n| !n.contains(['{', '}']))
        {
            if ps.is_empty() {
                return None;
            }
            params.insert(name.to_owned(), (*ps).to_owned());
        } else {
            // A segment mixing text and parameters, e.g. `{name}.{ext}`.
            let mut pattern = String::from("^");
            let mut names = Vec::new();
            let mut rest = *ts;
            while let Some(open) = rest.find('{') {
                pattern.push_str(&regex::escape(&rest[..open]));
                let close = rest[open..].find('}')? + open;
                names.push(&rest[open + 1..close]);
                pattern.push_str("([^/]+?)");
                rest = &rest[close + 1..];
            }
            pattern.push_str(&regex::escape(rest));
            pattern.push('$');
            let caps = regex::Regex::new(&pattern).ok()?.captures(ps)?;
            for (i, name) in names.iter().enumerate() {
                params.insert((*name).to_owned(), caps.get(i + 1)?.as_str().to_owned());
            }
        }
    }
    Some((literals, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_segments_and_mixed_segments() {
        let (lits, params) = match_template("/carts/{id}/items", "/carts/c-1/items").unwrap();
        assert_eq!(lits, 3, "the empty root segment counts");
        assert_eq!(params["id"], "c-1");
        let (_, params) = match_template("/files/{name}.{ext}", "/files/a.b.json").unwrap();
        assert_eq!(params["name"], "a");
        assert_eq!(params["ext"], "b.json");
        assert!(match_template("/carts/{id}", "/carts/").is_none());
        assert!(match_template("/carts/{id}", "/carts/1/x").is_none());
        assert!(match_template("/carts/{id}", "/carts/1/").is_none());
    }
}
