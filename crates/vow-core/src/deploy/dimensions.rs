//! Reading dimension names back from JSON (`"shape"`, `"errors"`, …), for the lists of failed
//! dimensions in questions and answers; [`Dimension`] itself only serialises.

use serde::de::{Deserialize, Deserializer, Error};

use crate::finding::Dimension;

/// Deserialises a list of dimension names.
pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Dimension>, D::Error> {
    let names = Vec::<String>::deserialize(d)?;
    names
        .iter()
        .map(|name| {
            Dimension::ALL
                .into_iter()
                .find(|dimension| dimension.as_str() == name)
                .ok_or_else(|| {
                    D::Error::unknown_variant(
                        name,
                        &["shape", "errors", "latency", "auth", "deprecation"],
                    )
                })
        })
        .collect()
}
