//! A spec as one JSON value: its root document and every document its `$ref`s reach, by key. This
//! is how a spec travels to the broker and is stored there, so the broker can read a spec that
//! was split over several files without a file system.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::build::{SpecError, build_spec};
use super::document::{Documents, SpecProblem, escape};
use super::model::Spec;
use crate::contract::Problem;

/// Version of the bundle layout; bumped on any incompatible change.
pub const BUNDLE_FORMAT_VERSION: u32 = 1;

/// The documents of one spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Bundle {
    pub format_version: u32,
    /// The key of the root document (its file name).
    pub root: String,
    /// Every document by key: a `/`-separated path relative to the root document's folder.
    pub documents: BTreeMap<String, Value>,
}

impl Bundle {
    /// The documents a spec was read from, as a bundle.
    pub fn of(documents: &Documents) -> Bundle {
        let docs = (0..documents.len()).map(|id| documents.get(id));
        Bundle {
            format_version: BUNDLE_FORMAT_VERSION,
            root: documents
                .root()
                .map(|root| root.key.clone())
                .unwrap_or_default(),
            documents: docs.map(|d| (d.key.clone(), d.value.clone())).collect(),
        }
    }

    /// Reads the spec the bundle holds; `origin` names the bundle in messages. A reference to a
    /// document the bundle lacks is a problem like a missing file. Problems are located in the
    /// bundle: their pointers start at `/documents/{key}` (or name a field of the bundle itself).
    pub fn spec(&self, origin: &str) -> Result<Spec, SpecError> {
        let mut docs = Documents::default();
        let Some(root) = self.documents.get(&self.root) else {
            return Err(SpecError {
                problems: vec![SpecProblem {
                    origin: origin.to_owned(),
                    problem: Problem {
                        pointer: "/root".to_owned(),
                        position: None,
                        expected: "the key of one of the bundle's documents".to_owned(),
                        found: format!("{:?}, which is not among them", self.root),
                        hint: None,
                    },
                }],
            });
        };
        // Each document is added under its key as its origin, so a problem says which it is in.
        docs.add_value(&self.root, &self.root, root.clone());
        loop {
            let missing = docs.missing();
            if missing.is_empty() {
                break;
            }
            for m in missing {
                match self.documents.get(&m.key) {
                    Some(value) => {
                        docs.add_value(&m.key, &m.key, value.clone());
                    }
                    None => docs.unavailable(&m.key, "the bundle does not hold it".to_owned()),
                }
            }
        }
        build_spec(&docs).map_err(|mut e| {
            for p in &mut e.problems {
                p.problem.pointer =
                    format!("/documents/{}{}", escape(&p.origin), p.problem.pointer);
                p.origin = origin.to_owned();
            }
            e
        })
    }
}
