//! Versions and contracts through the API: idempotent writes, content addressing, conflicts.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{
    CONTRACT_PATH, TestApp, assert_error, changed_contract, contract, on_both_backends,
};

on_both_backends!(
    health_and_readiness,
    putting_a_version_is_idempotent,
    a_version_attribute_never_changes,
    publishing_the_same_contract_again_is_a_no_op,
    different_content_for_a_published_contract_is_a_conflict,
    services_are_created_by_publishing,
    migrating_again_changes_nothing,
);

async fn health_and_readiness(app: TestApp) {
    assert_eq!(
        app.get("/healthz").await,
        (StatusCode::OK, json!({"status": "ok"}))
    );
    assert_eq!(
        app.get("/readyz").await,
        (StatusCode::OK, json!({"status": "ready"}))
    );
    app.store.close().await;
    assert_error(
        &app.get("/readyz").await,
        StatusCode::SERVICE_UNAVAILABLE,
        "database_unavailable",
    );
}

async fn putting_a_version_is_idempotent(app: TestApp) {
    let path = "/api/v1/services/shop-api/versions/3f2c9e1";
    let body = json!({"branch": "main", "commit": "3f2c9e1", "build_url": "https://ci.example/1"});
    let (status, first) = app.put(path, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["service"], "shop-api");
    assert_eq!(first["number"], "3f2c9e1");
    assert_eq!(first["branch"], "main");
    let (status, again) = app.put(path, &body).await;
    assert_eq!((status, &again), (StatusCode::OK, &first));
    assert_eq!(app.get(path).await, (StatusCode::OK, first.clone()));
    let (status, list) = app.get("/api/v1/services/shop-api/versions").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["versions"], json!([first]));
}

async fn a_version_attribute_never_changes(app: TestApp) {
    let path = "/api/v1/services/shop-api/versions/1.4.0";
    // No body at all: every attribute is optional.
    let (status, _) = app.call(axum::http::Method::PUT, path, None).await;
    assert_eq!(status, StatusCode::CREATED);
    // A missing attribute may be filled in later…
    let (status, version) = app.put(path, &json!({"branch": "main"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(version["branch"], "main");
    // …but a stored one never changes.
    let answer = app.put(path, &json!({"branch": "release/1.4"})).await;
    assert_error(&answer, StatusCode::CONFLICT, "version_conflict");
    assert!(
        answer.1["message"].as_str().unwrap().contains("\"main\""),
        "{}",
        answer.1
    );
    assert_eq!(app.get(path).await.1["branch"], "main");
}

async fn publishing_the_same_contract_again_is_a_no_op(app: TestApp) {
    let (status, first) = app.put(CONTRACT_PATH, &contract()).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["consumer"], "checkout-web");
    assert_eq!(first["provider"], "payments-gateway");
    assert_eq!(first["version"], "1.0.0");
    let hash = first["hash"].as_str().unwrap().to_owned();
    assert!(hash.starts_with("sha256:"), "{hash}");

    // Key order and whitespace are not content.
    let reordered = serde_json::to_string_pretty(&contract()).unwrap();
    let (status, again) = crate::support::send(
        app.router(),
        axum::http::Method::PUT,
        CONTRACT_PATH,
        Some(&reordered),
        "application/json; charset=utf-8",
    )
    .await;
    assert_eq!((status, &again), (StatusCode::OK, &first));

    // The contract reads back as published, with its hash.
    let (status, stored) = app.get(CONTRACT_PATH).await;
    assert_eq!((status, stored), (StatusCode::OK, contract()));
    let (_, list) = app
        .get("/api/v1/services/checkout-web/versions/1.0.0/contracts")
        .await;
    assert_eq!(list["contracts"], json!([first]));

    // Another version with the same content shares the stored content (same hash).
    let (status, other) = app
        .put(
            "/api/v1/services/checkout-web/versions/1.0.1/contracts/payments-gateway",
            &contract(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(other["hash"], hash.as_str());
}

async fn different_content_for_a_published_contract_is_a_conflict(app: TestApp) {
    let (status, first) = app.put(CONTRACT_PATH, &contract()).await;
    assert_eq!(status, StatusCode::CREATED);
    let answer = app.put(CONTRACT_PATH, &changed_contract()).await;
    assert_error(&answer, StatusCode::CONFLICT, "contract_conflict");
    let message = answer.1["message"].as_str().unwrap();
    assert!(
        message.contains(first["hash"].as_str().unwrap()),
        "{message}"
    );
    assert!(message.contains("new version"), "{message}");
    // Nothing of the refused contract is kept.
    assert_eq!(app.get(CONTRACT_PATH).await.1, contract());
}

async fn services_are_created_by_publishing(app: TestApp) {
    assert_eq!(
        app.get("/api/v1/services").await,
        (StatusCode::OK, json!({"services": []}))
    );
    app.put(CONTRACT_PATH, &contract()).await;
    let (status, list) = app.get("/api/v1/services").await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<_> = list["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].clone())
        .collect();
    assert_eq!(names, [json!("checkout-web"), json!("payments-gateway")]);
    let (status, service) = app.get("/api/v1/services/payments-gateway").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(service["name"], "payments-gateway");
    // The provider has no versions of its own yet.
    let (_, versions) = app.get("/api/v1/services/payments-gateway/versions").await;
    assert_eq!(versions, json!({"versions": []}));
}

async fn migrating_again_changes_nothing(app: TestApp) {
    app.put(CONTRACT_PATH, &contract()).await;
    app.store.migrate().await.expect("migrate again");
    let reopened = vow_broker::Store::open(&app.database)
        .await
        .expect("reopen");
    reopened.migrate().await.expect("migrate on reopen");
    assert!(
        reopened
            .contract("checkout-web", "1.0.0", "payments-gateway")
            .await
            .unwrap()
            .is_some()
    );
}
