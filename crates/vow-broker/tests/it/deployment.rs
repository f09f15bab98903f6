//! Environments and deployments: a deployment replaces the service's previous one in that
//! environment, per application instance.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, assert_error, on_both_backends};

on_both_backends!(
    environments_are_created_idempotently,
    a_deployment_replaces_the_previous_one_per_instance,
    deploying_needs_a_known_environment_and_version,
);

const DEPLOYMENTS: &str = "/api/v1/environments/production/deployments";

async fn environments_are_created_idempotently(app: TestApp) {
    let (status, created) = app.put("/api/v1/environments/production", &json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["name"], "production");
    let (status, again) = app.put("/api/v1/environments/production", &json!({})).await;
    assert_eq!((status, &again), (StatusCode::OK, &created));
    app.put("/api/v1/environments/staging", &json!({})).await;
    let (_, list) = app.get("/api/v1/environments").await;
    let names: Vec<&str> = list["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["production", "staging"]);
    assert_eq!(
        app.get("/api/v1/environments/staging").await.0,
        StatusCode::OK
    );
}

/// (service, version, instance) of each current deployment.
async fn current(app: &TestApp) -> Vec<(String, String, Option<String>)> {
    let (status, body) = app.get(DEPLOYMENTS).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert!(d["replaced_at"].is_null(), "{d}");
            (
                d["service"].as_str().unwrap().to_owned(),
                d["version"].as_str().unwrap().to_owned(),
                d["application_instance"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn row(service: &str, version: &str, instance: Option<&str>) -> (String, String, Option<String>) {
    (
        service.to_owned(),
        version.to_owned(),
        instance.map(str::to_owned),
    )
}

async fn deploy(app: &TestApp, body: Value) -> StatusCode {
    let (status, answer) = app.post(DEPLOYMENTS, &body).await;
    assert!(status.is_success(), "{status}: {answer}");
    status
}

async fn a_deployment_replaces_the_previous_one_per_instance(app: TestApp) {
    app.put("/api/v1/environments/production", &json!({})).await;
    for (service, version) in [
        ("shop-api", "1"),
        ("shop-api", "2"),
        ("shop-api", "3"),
        ("web", "9"),
    ] {
        app.put(
            &format!("/api/v1/services/{service}/versions/{version}"),
            &json!({}),
        )
        .await;
    }
    assert_eq!(current(&app).await, []);

    assert_eq!(
        deploy(&app, json!({"service": "shop-api", "version": "1"})).await,
        StatusCode::CREATED
    );
    assert_eq!(
        deploy(&app, json!({"service": "web", "version": "9"})).await,
        StatusCode::CREATED
    );
    assert_eq!(
        deploy(
            &app,
            json!({"service": "shop-api", "version": "1", "application_instance": "eu"})
        )
        .await,
        StatusCode::CREATED
    );
    // The same version again for the same instance changes nothing.
    assert_eq!(
        deploy(&app, json!({"service": "shop-api", "version": "1"})).await,
        StatusCode::OK
    );
    assert_eq!(
        current(&app).await,
        [
            row("shop-api", "1", None),
            row("shop-api", "1", Some("eu")),
            row("web", "9", None)
        ]
    );

    // A new version replaces the old one for its instance only, and other services stay.
    assert_eq!(
        deploy(&app, json!({"service": "shop-api", "version": "2"})).await,
        StatusCode::CREATED
    );
    assert_eq!(
        current(&app).await,
        [
            row("shop-api", "2", None),
            row("shop-api", "1", Some("eu")),
            row("web", "9", None)
        ]
    );
    assert_eq!(
        deploy(
            &app,
            json!({"service": "shop-api", "version": "3", "application_instance": "eu"})
        )
        .await,
        StatusCode::CREATED
    );
    // Going back to an older version is a deployment like any other.
    assert_eq!(
        deploy(&app, json!({"service": "shop-api", "version": "1"})).await,
        StatusCode::CREATED
    );
    assert_eq!(
        current(&app).await,
        [
            row("shop-api", "1", None),
            row("shop-api", "3", Some("eu")),
            row("web", "9", None)
        ]
    );
}

async fn deploying_needs_a_known_environment_and_version(app: TestApp) {
    app.put("/api/v1/services/shop-api/versions/1", &json!({}))
        .await;
    let body = json!({"service": "shop-api", "version": "1"});
    assert_error(
        &app.post(DEPLOYMENTS, &body).await,
        StatusCode::NOT_FOUND,
        "environment_not_found",
    );
    assert_error(
        &app.get(DEPLOYMENTS).await,
        StatusCode::NOT_FOUND,
        "environment_not_found",
    );
    app.put("/api/v1/environments/production", &json!({})).await;
    assert_error(
        &app.post(DEPLOYMENTS, &json!({"service": "shop-api", "version": "2"}))
            .await,
        StatusCode::NOT_FOUND,
        "version_not_found",
    );
    assert_error(
        &app.post(DEPLOYMENTS, &json!({"service": "nobody", "version": "1"}))
            .await,
        StatusCode::NOT_FOUND,
        "service_not_found",
    );
    assert_eq!(current(&app).await, []);
}
