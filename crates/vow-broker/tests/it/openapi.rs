//! The committed OpenAPI document (docs/broker-openapi.json) against the router: the same routes
//! and methods both ways, the same access level per operation, and served verbatim at
//! `/api/v1/openapi.json`.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;
use vow_broker::{Access, routes};

use crate::support::TestApp;

/// The OpenAPI operation keys, in the document's lower case.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn committed() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/broker-openapi.json"
    );
    std::fs::read_to_string(path).expect("docs/broker-openapi.json")
}

/// `METHOD path` for every operation of the document.
fn documented(document: &Value) -> BTreeSet<String> {
    let paths = document["paths"]
        .as_object()
        .expect("the document has paths");
    let mut operations = BTreeSet::new();
    for (path, item) in paths {
        let item = item.as_object().expect("a path item is an object");
        for method in item.keys().filter(|k| METHODS.contains(&k.as_str())) {
            operations.insert(format!("{} {path}", method.to_ascii_uppercase()));
        }
    }
    operations
}

/// `METHOD path` for every route the router is built from.
fn routed() -> BTreeSet<String> {
    routes()
        .iter()
        .map(|(method, path, _)| format!("{method} {path}"))
        .collect()
}

#[test]
fn the_document_and_the_router_have_the_same_routes() {
    let document: Value = serde_json::from_str(&committed()).expect("the document is JSON");
    assert_eq!(document["openapi"], "3.1.0");
    let documented = documented(&document);
    let routed = routed();
    assert_eq!(
        routed.len(),
        routes().len(),
        "the route table lists a route twice"
    );
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty() && unrouted.is_empty(),
        "the router and docs/broker-openapi.json have drifted apart\n  \
         routed but missing from the document: {undocumented:?}\n  \
         in the document but not routed: {unrouted:?}"
    );
}

#[test]
fn every_operation_declares_the_access_level_of_its_route() {
    let document: Value = serde_json::from_str(&committed()).expect("the document is JSON");
    assert_eq!(
        document["components"]["securitySchemes"]["bearerAuth"],
        serde_json::json!({
            "type": "http",
            "scheme": "bearer",
            "description": document["components"]["securitySchemes"]["bearerAuth"]["description"],
        }),
    );
    let mut wrong = Vec::new();
    for (method, path, access) in routes() {
        let operation = &document["paths"][*path][method.as_str().to_ascii_lowercase()];
        let (security, refusals): (Value, &[&str]) = match access {
            Access::Public => (serde_json::json!([]), &[]),
            Access::Read => (serde_json::json!([{"bearerAuth": ["read"]}]), &["401"]),
            Access::Publish => (
                serde_json::json!([{"bearerAuth": ["publish"]}]),
                &["401", "403"],
            ),
            Access::Admin => (
                serde_json::json!([{"bearerAuth": ["admin"]}]),
                &["401", "403"],
            ),
        };
        if operation["security"] != security {
            wrong.push(format!(
                "{method} {path} is {access:?}: its security must be {security}, not {}",
                operation["security"]
            ));
        }
        for status in ["401", "403"] {
            let declared = operation["responses"].get(status).is_some();
            if declared != refusals.contains(&status) {
                wrong.push(format!(
                    "{method} {path} is {access:?}: it {} answer {status}",
                    if declared {
                        "cannot"
                    } else {
                        "must document its"
                    }
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_operation_declares_its_path_parameters_and_responses() {
    let document: Value = serde_json::from_str(&committed()).expect("the document is JSON");
    let resolve = |p: &Value| -> Value {
        match p["$ref"].as_str() {
            Some(r) => {
                let pointer = r.strip_prefix('#').expect("a local $ref");
                document.pointer(pointer).cloned().expect("$ref resolves")
            }
            None => p.clone(),
        }
    };
    for (path, item) in document["paths"].as_object().expect("paths") {
        let in_path: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        for (method, operation) in item.as_object().expect("path item") {
            let declared: BTreeSet<String> = operation["parameters"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(resolve)
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().expect("parameter name").to_owned())
                .collect();
            let declared: BTreeSet<&str> = declared.iter().map(String::as_str).collect();
            assert_eq!(declared, in_path, "{method} {path}: path parameters");
            let responses = operation["responses"].as_object().expect("responses");
            assert!(
                responses.keys().any(|k| k.starts_with('2')),
                "{method} {path} documents no success answer"
            );
        }
    }
}

#[tokio::test]
async fn the_broker_serves_the_committed_document() {
    let app = TestApp::sqlite().await;
    let request = Request::get("/api/v1/openapi.json")
        .body(Body::empty())
        .expect("request");
    let response = app.router().oneshot(request).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "content type"
    );
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    assert!(
        body == committed().as_bytes(),
        "GET /api/v1/openapi.json is not docs/broker-openapi.json"
    );
}
