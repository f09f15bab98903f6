//! Many clients writing the same thing at once converge on one row, and none of them gets an error.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{CONTRACT_PATH, TestApp, contract, on_both_backends};

on_both_backends!(
    sixteen_clients_publishing_one_version_make_one_version,
    sixteen_clients_recording_deployments_leave_one_current,
);

const CLIENTS: usize = 16;

async fn sixteen_clients_publishing_one_version_make_one_version(app: TestApp) {
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                if i % 2 == 0 {
                    app.put(CONTRACT_PATH, &contract()).await
                } else {
                    app.put(
                        "/api/v1/services/checkout-web/versions/1.0.0",
                        &json!({"branch": "main"}),
                    )
                    .await
                }
            })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        let (status, body) = task.await.expect("task");
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{status}: {body}"
        );
        if status == StatusCode::CREATED {
            created += 1;
        }
    }
    // At most one publish and one version PUT can have created something.
    assert!((1..=2).contains(&created), "{created} answers said created");
    let (_, versions) = app.get("/api/v1/services/checkout-web/versions").await;
    assert_eq!(
        versions["versions"].as_array().unwrap().len(),
        1,
        "{versions}"
    );
    assert_eq!(versions["versions"][0]["branch"], "main");
    let (_, contracts) = app
        .get("/api/v1/services/checkout-web/versions/1.0.0/contracts")
        .await;
    assert_eq!(
        contracts["contracts"].as_array().unwrap().len(),
        1,
        "{contracts}"
    );
}

async fn sixteen_clients_recording_deployments_leave_one_current(app: TestApp) {
    app.put("/api/v1/environments/production", &json!({})).await;
    for n in 0..4 {
        let (status, _) = app
            .put(
                &format!("/api/v1/services/shop-api/versions/{n}"),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                app.post(
                    "/api/v1/environments/production/deployments",
                    &json!({"service": "shop-api", "version": (i % 4).to_string()}),
                )
                .await
            })
        })
        .collect();
    for task in tasks {
        let (status, body) = task.await.expect("task");
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{status}: {body}"
        );
    }
    let (_, current) = app.get("/api/v1/environments/production/deployments").await;
    assert_eq!(
        current["deployments"].as_array().unwrap().len(),
        1,
        "{current}"
    );
}
