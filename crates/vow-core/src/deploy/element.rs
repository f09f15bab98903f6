//! Naming the elements of a spec that deprecations are about, one way for the deprecation facts
//! of [`assess`](super::assess) and for the list of a spec's deprecated elements, so that a
//! broker can tell since which spec an element a consumer uses has been deprecated.
//!
//! An operation is named by its method and path template (`GET /carts/{cartId}`); a parameter by
//! its operation, place and name (`GET /items query limit`); a response body field by its
//! operation, the response key as the spec writes it and a JSON pointer with `*` for any array
//! element (`GET /carts/{cartId} 200 /items/*/price`).

use std::collections::BTreeSet;

use crate::contract::source::escape_segment;
use crate::spec::flat::{alternatives, flatten};
use crate::spec::{Operation, SchemaId, Spec, Stability};

/// Deeper schemas than this are not listed: recursive schemas would never end.
const MAX_DEPTH: usize = 32;

/// An element a spec marks deprecated (`deprecated: true` or an `x-sunset`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DeprecatedElement {
    /// Named as deprecation facts name it.
    pub element: String,
    /// The `x-stability-level` of the element's operation.
    pub stability: Option<Stability>,
}

/// Every deprecated operation, parameter and response body field of `spec`, by name, each once.
pub fn deprecated_elements(spec: &Spec) -> Vec<DeprecatedElement> {
    let mut names: BTreeSet<(String, Option<Stability>)> = BTreeSet::new();
    for op in &spec.operations {
        let label = op.label();
        if op.deprecated || op.sunset.is_some() {
            names.insert((label.clone(), op.stability));
        }
        for parameter in op.parameters.iter().filter(|p| p.deprecated) {
            names.insert((
                parameter_name(&label, parameter.location.as_str(), &parameter.name),
                op.stability,
            ));
        }
        for (status, response) in &op.responses {
            for schema in response.content.values().flatten() {
                let mut fields = Vec::new();
                deprecated_fields(
                    spec,
                    &[*schema],
                    &mut String::new(),
                    &mut Vec::new(),
                    &mut fields,
                );
                for pointer in fields {
                    names.insert((field_name(&label, status, &pointer), op.stability));
                }
            }
        }
    }
    names
        .into_iter()
        .map(|(element, stability)| DeprecatedElement { element, stability })
        .collect()
}

/// The pointers (`/a/*/b`) of the deprecated fields under the location whose schemas are `conj`.
fn deprecated_fields(
    spec: &Spec,
    conj: &[SchemaId],
    pointer: &mut String,
    path: &mut Vec<Vec<SchemaId>>,
    out: &mut Vec<String>,
) {
    if path.len() >= MAX_DEPTH || path.iter().any(|seen| seen == conj) {
        return;
    }
    path.push(conj.to_vec());
    for alternative in alternatives(&spec.schemas, conj) {
        let flat = flatten(&spec.schemas, &alternative);
        for (name, schemas) in &flat.properties {
            let len = pointer.len();
            pointer.push('/');
            pointer.push_str(&escape_segment(name));
            if alternatives(&spec.schemas, schemas).iter().any(|alt| {
                let field = flatten(&spec.schemas, alt);
                field.deprecated || field.sunset.is_some()
            }) {
                out.push(pointer.clone());
            }
            deprecated_fields(spec, schemas, pointer, path, out);
            pointer.truncate(len);
        }
        if !flat.items.is_empty() {
            let len = pointer.len();
            pointer.push_str("/*");
            deprecated_fields(spec, &flat.items, pointer, path, out);
            pointer.truncate(len);
        }
    }
    path.pop();
}

/// `GET /items query limit`.
pub(crate) fn parameter_name(operation: &str, place: &str, name: &str) -> String {
    format!("{operation} {place} {name}")
}

/// `GET /carts/{cartId} 200 /total`; the body itself is `/`.
pub(crate) fn field_name(operation: &str, status: &str, pointer: &str) -> String {
    format!(
        "{operation} {status} {}",
        if pointer.is_empty() { "/" } else { pointer }
    )
}

/// The response key of `op` that answers `status` as the spec writes it, else the status.
pub(crate) fn response_key(op: &Operation, status: u16) -> String {
    op.response_for(status)
        .map_or_else(|| status.to_string(), |(key, _)| key.to_owned())
}

/// A body pointer with each array index as `*` (`/items/0/price` → `/items/*/price`).
pub(crate) fn generic_pointer(pointer: &str) -> String {
    pointer
        .split('/')
        .map(|segment| {
            if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
                "*"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{SourceFormat, parse_contract};
    use crate::deploy::assess;
    use crate::spec::parse_spec;

    const SPEC: &str = r##"
openapi: 3.0.3
info: {title: shop, version: "1"}
paths:
  /carts/{cartId}:
    get:
      deprecated: true
      x-sunset: "2027-01-31"
      x-stability-level: beta
      parameters:
        - {name: cartId, in: path, required: true, schema: {type: string}}
        - {name: v, in: query, deprecated: true, schema: {type: string}}
      responses:
        "2XX":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: {type: array, items: {$ref: "#/components/schemas/Item"}}
                  totals:
                    type: object
                    properties:
                      net: {type: number, deprecated: true, x-sunset: "2027-03-01"}
                      gross: {type: number}
  /carts:
    post:
      responses: {"201": {description: created}}
components:
  schemas:
    Item:
      type: object
      properties:
        price: {type: number, deprecated: true, x-sunset: "2027-02-01"}
        sku: {type: string}
"##;

    const CONTRACT: &str = r#"
vow: 1
consumer: web
provider: shop
interactions:
  - id: get-cart
    description: reads a cart
    request: {method: GET, path: /carts/c-1, query: {v: "1"}}
    response:
      status: 200
      body: {example: {items: [{price: 1, sku: a}, {price: 2, sku: b}], totals: {net: 2, gross: 3}}}
"#;

    #[test]
    fn a_specs_deprecated_elements_are_named_as_the_facts_name_them() {
        let spec =
            parse_spec("spec.yaml", SPEC, SourceFormat::Yaml).unwrap_or_else(|e| panic!("{e}"));
        let listed = deprecated_elements(&spec);
        let beta = Some(Stability::Beta);
        let expected = [
            "GET /carts/{cartId}",
            "GET /carts/{cartId} 2XX /items/*/price",
            "GET /carts/{cartId} 2XX /totals/net",
            "GET /carts/{cartId} query v",
        ]
        .map(|element| DeprecatedElement {
            element: element.to_owned(),
            stability: beta,
        });
        assert_eq!(listed, expected);

        let contract = parse_contract("contract.yaml", CONTRACT, SourceFormat::Yaml)
            .unwrap_or_else(|e| panic!("{:#?}", e.problems));
        let facts = assess(&spec, "spec", &contract, "contract").deprecations;
        let elements: Vec<&str> = facts.iter().map(|f| f.element.as_str()).collect();
        assert_eq!(
            elements,
            [
                "GET /carts/{cartId}",
                "GET /carts/{cartId} 2XX /items/*/price",
                "GET /carts/{cartId} 2XX /totals/net",
            ]
        );
        assert!(facts.iter().all(|f| f.stability == beta));
        for fact in &facts {
            assert!(
                listed.iter().any(|l| l.element == fact.element),
                "{} is not listed",
                fact.element
            );
        }
    }

    #[test]
    fn array_indices_become_stars_and_keys_stay() {
        assert_eq!(generic_pointer("/items/0/price"), "/items/*/price");
        assert_eq!(generic_pointer("/items/*/tags/12"), "/items/*/tags/*");
        assert_eq!(generic_pointer(""), "");
        assert_eq!(generic_pointer("/a~1b/c"), "/a~1b/c");
    }
}
