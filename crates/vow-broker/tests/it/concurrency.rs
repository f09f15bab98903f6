//! Many clients writing the same thing at once converge on one row, and none of them gets an error.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{CONTRACT_PATH, TestApp, contract, on_both_backends};

on_both_backends!(
    sixteen_clients_publishing_one_version_make_one_version,
    sixteen_clients_recording_deployments_leave_one_current,
    sixteen_clients_publishing_specs_releasing_and_asking_converge,
    sixteen_results_of_one_pair_at_once_leave_the_newest_current,
);

const CLIENTS: usize = 16;

/// Sends `request` from [`CLIENTS`] clients at once (the client's number given to each) and waits
/// for every answer; each must be 201 or 200. Answers the app, shared, and how many said 201.
async fn at_once<F, Fut>(app: TestApp, request: F) -> (Arc<TestApp>, usize)
where
    F: Fn(Arc<TestApp>, usize) -> Fut,
    Fut: Future<Output = (StatusCode, Value)> + Send + 'static,
{
    let app = Arc::new(app);
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|i| tokio::spawn(request(app.clone(), i)))
        .collect();
    let mut created = 0;
    for task in tasks {
        let (status, body) = task.await.expect("task");
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{status}: {body}"
        );
        created += usize::from(status == StatusCode::CREATED);
    }
    (app, created)
}

async fn sixteen_clients_publishing_one_version_make_one_version(app: TestApp) {
    let (app, created) = at_once(app, |app, i| async move {
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
    .await;
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
    let (app, _) = at_once(app, |app, i| async move {
        app.post(
            "/api/v1/environments/production/deployments",
            &json!({"service": "shop-api", "version": (i % 4).to_string()}),
        )
        .await
    })
    .await;
    let (_, current) = app.get("/api/v1/environments/production/deployments").await;
    assert_eq!(
        current["deployments"].as_array().unwrap().len(),
        1,
        "{current}"
    );
}

/// Specs published, a release recorded and can-I-deploy asked (each answer computing the same
/// missing compatibility result) by many clients at once: one spec, one current release, and
/// every answer the same.
async fn sixteen_clients_publishing_specs_releasing_and_asking_converge(app: TestApp) {
    let spec_path = "/api/v1/services/payments-gateway/versions/2.0.0/spec";
    let spec = json!({
        "formatVersion": 1,
        "root": "api.json",
        "documents": { "api.json": {
            "openapi": "3.1.0",
            "info": { "title": "payments", "version": "2.0.0" },
            "paths": {}
        }},
    });
    let (status, body) = app.put(CONTRACT_PATH, &contract()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.put("/api/v1/environments/production", &json!({})).await;
    let (app, _) = at_once(app, |app, i| {
        let spec = spec.clone();
        async move {
            match i % 3 {
                0 => app.put(spec_path, &spec).await,
                1 => {
                    app.post(
                        "/api/v1/environments/production/releases",
                        &json!({ "service": "checkout-web", "version": "1.0.0" }),
                    )
                    .await
                }
                _ => {
                    app.get(
                        "/api/v1/can-i-deploy?service=checkout-web&version=1.0.0\
                         &environment=production",
                    )
                    .await
                }
            }
        }
    })
    .await;
    let (_, releases) = app.get("/api/v1/environments/production/releases").await;
    assert_eq!(
        releases["releases"].as_array().unwrap().len(),
        1,
        "{releases}"
    );
    // The spec declares no operation: the contract is incompatible, and the cached result is
    // read the same way by every later question.
    app.post(
        "/api/v1/environments/production/deployments",
        &json!({ "service": "payments-gateway", "version": "2.0.0" }),
    )
    .await;
    let ask = || {
        app.get("/api/v1/can-i-deploy?service=checkout-web&version=1.0.0&environment=production")
    };
    let (status, first) = ask().await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["rows"][0]["reason"], "incompatible", "{first}");
    assert_eq!(ask().await.1, first);
}

/// Sixteen results of one provider version against one contract, recorded at once: exactly one
/// counts afterwards (the matrix shows one row), and it is the newest.
async fn sixteen_results_of_one_pair_at_once_leave_the_newest_current(app: TestApp) {
    let (status, published) = app.put(CONTRACT_PATH, &contract()).await;
    assert_eq!(status, StatusCode::CREATED, "{published}");
    let hash = published["hash"].as_str().expect("a hash").to_owned();
    let (app, created) = at_once(app, |app, i| {
        let hash = hash.clone();
        async move {
            app.post(
                "/api/v1/services/payments-gateway/versions/2.0.0/verifications",
                &json!({
                    "contract_hash": hash,
                    "passed": i % 2 == 0,
                    "failed_dimensions": if i % 2 == 0 { json!([]) } else { json!(["shape"]) },
                    "build_url": format!("https://ci.example.com/build/{i}"),
                }),
            )
            .await
        }
    })
    .await;
    assert_eq!(created, CLIENTS);

    let rows = app
        .store
        .matrix(&vow_broker::store::MatrixQuery {
            provider: Some("payments-gateway"),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("the matrix");
    assert_eq!(rows.len(), 1, "{rows:?}");
    let ids = app
        .store
        .service_ids("checkout-web", "payments-gateway")
        .await
        .expect("ids");
    let key = app
        .store
        .integration(ids["checkout-web"], ids["payments-gateway"])
        .await
        .expect("read")
        .expect("the integration");
    let newest = app
        .store
        .latest_verification_of(&key, &hash)
        .await
        .expect("read")
        .expect("a result");
    assert_eq!(rows[0].build_url, newest.build_url);
    assert_eq!(rows[0].cursor.verification, newest.id);
}
