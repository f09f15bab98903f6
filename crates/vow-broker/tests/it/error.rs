//! Bad input gets a 4xx with a stable `{code, message}` body (and the pointer to the bad field),
//! and leaves nothing behind.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::{CONTRACT_PATH, TestApp, assert_error, contract, on_both_backends, send};

on_both_backends!(
    malformed_bodies_are_400_naming_the_field,
    invalid_contracts_are_422_and_not_stored,
    unknown_things_are_404,
    bad_names_routes_and_methods,
    oversized_bodies_are_413,
);

async fn malformed_bodies_are_400_naming_the_field(app: TestApp) {
    let path = "/api/v1/services/shop-api/versions/1";
    let answer = send(
        app.router(),
        Method::PUT,
        path,
        Some(r#"{"branch": "#),
        "application/json",
    )
    .await;
    assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_json");

    let answer = app.put(path, &json!({"branch": 7})).await;
    assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_body");
    assert_eq!(answer.1["pointer"], "/branch");
    assert!(
        answer.1["message"]
            .as_str()
            .unwrap()
            .starts_with("/branch: invalid type"),
        "{}",
        answer.1
    );

    let answer = app.put(path, &json!({"brnach": "main"})).await;
    assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_body");
    assert!(
        answer.1["message"].as_str().unwrap().contains("brnach"),
        "{}",
        answer.1
    );

    let answer = app
        .post(
            "/api/v1/environments/production/deployments",
            &json!({"version": "1"}),
        )
        .await;
    assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_body");
    assert!(
        answer.1["message"].as_str().unwrap().contains("`service`"),
        "{}",
        answer.1
    );

    let answer = send(
        app.router(),
        Method::PUT,
        path,
        Some("branch=main"),
        "text/plain",
    )
    .await;
    assert_error(
        &answer,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );

    let answer = app.put(path, &json!({"build_url": ""})).await;
    assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_body");
    assert_eq!(answer.1["pointer"], "/build_url");

    assert_eq!(app.get("/api/v1/services").await.1, json!({"services": []}));
}

async fn invalid_contracts_are_422_and_not_stored(app: TestApp) {
    let mut broken = contract();
    broken["interactions"][0]["request"]["method"] = json!("post");
    let answer = app.put(CONTRACT_PATH, &broken).await;
    assert_error(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_contract",
    );
    assert_eq!(answer.1["pointer"], "/interactions/0/request/method");

    let answer = app
        .put(
            "/api/v1/services/mobile-app/versions/1.0.0/contracts/payments-gateway",
            &contract(),
        )
        .await;
    assert_error(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "contract_mismatch",
    );
    assert!(
        answer.1["message"]
            .as_str()
            .unwrap()
            .contains("checkout-web"),
        "{}",
        answer.1
    );

    let answer = app
        .put(
            "/api/v1/services/checkout-web/versions/1.0.0/contracts/checkout-web",
            &contract(),
        )
        .await;
    assert_error(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "contract_mismatch",
    );

    assert_eq!(app.get("/api/v1/services").await.1, json!({"services": []}));
}

async fn unknown_things_are_404(app: TestApp) {
    assert_error(
        &app.get("/api/v1/services/nobody").await,
        StatusCode::NOT_FOUND,
        "service_not_found",
    );
    assert_error(
        &app.get("/api/v1/services/nobody/versions").await,
        StatusCode::NOT_FOUND,
        "service_not_found",
    );
    assert_error(
        &app.get("/api/v1/services/nobody/versions/1").await,
        StatusCode::NOT_FOUND,
        "version_not_found",
    );
    assert_error(
        &app.get(CONTRACT_PATH).await,
        StatusCode::NOT_FOUND,
        "contract_not_found",
    );
    assert_error(
        &app.get("/api/v1/services/checkout-web/versions/1.0.0/contracts")
            .await,
        StatusCode::NOT_FOUND,
        "version_not_found",
    );
    assert_error(
        &app.get("/api/v1/environments/moon").await,
        StatusCode::NOT_FOUND,
        "environment_not_found",
    );
}

async fn bad_names_routes_and_methods(app: TestApp) {
    assert_error(
        &app.get("/api/v1/services/-web").await,
        StatusCode::BAD_REQUEST,
        "invalid_name",
    );
    assert_error(
        &app.put("/api/v1/services/shop%20api/versions/1", &json!({}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_name",
    );
    assert_error(
        &app.post(
            "/api/v1/environments/production/deployments",
            &json!({"service": "shop-api", "version": "1", "application_instance": "eu west"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_name",
    );
    assert_error(
        &app.get("/api/v1/services/shop-api/versions?limit=0").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
    assert_error(
        &app.get("/api/v1/services/shop-api/versions?limit=many")
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
    assert_error(
        &app.get("/api/v2/services").await,
        StatusCode::NOT_FOUND,
        "route_not_found",
    );
    assert_error(
        &app.call(Method::DELETE, "/api/v1/services", None).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
}

async fn oversized_bodies_are_413(app: TestApp) {
    let router = vow_broker::router(
        app.store.clone(),
        vow_broker::Settings {
            max_body_bytes: 1024,
            ..vow_broker::Settings::default()
        },
    );
    let mut big = contract();
    big["interactions"][0]["description"] = json!("x".repeat(2000));
    let answer = send(
        router,
        Method::PUT,
        CONTRACT_PATH,
        Some(&big.to_string()),
        "application/json",
    )
    .await;
    assert_error(&answer, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert!(
        answer.1["message"].as_str().unwrap().contains("1024"),
        "{}",
        answer.1
    );
    assert_eq!(app.get("/api/v1/services").await.1, json!({"services": []}));
}
