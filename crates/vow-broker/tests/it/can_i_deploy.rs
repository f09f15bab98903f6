//! can-I-deploy and can-I-merge over the API, end to end through the store: the example provider
//! spec (`specs/shop-api.yaml`, and its next version `shop-api.v2.yaml`) and the mobile app's
//! contract, with deployments, releases, undeployments and verification results changing the
//! answer. Also the deprecations in use and the contracts a provider must verify.

use axum::http::StatusCode;
use serde_json::{Value, json};
use vow_core::contract::SourceFormat;
use vow_core::contract::source::read_source;

use vow_broker::Database;

use crate::support::{TestApp, assert_error, on_both_backends};

on_both_backends!(
    a_spec_is_published_once_per_version,
    a_bad_spec_is_refused_with_a_pointer,
    verification_results_need_a_published_contract,
    the_answer_follows_evidence_presence_and_the_clock,
    missing_evidence_and_missing_providers_are_unknown,
    can_i_merge_reads_the_branch_heads,
    deprecations_in_use_name_the_consumers,
    deprecations_in_use_span_environments_releases_and_versions,
    deprecated_since_reads_specs_published_before_the_history_once,
    contracts_to_verify_cover_environments_and_branches,
    bad_questions_get_stable_errors,
    the_compatibility_behind_an_answer_names_its_findings,
);

pub(crate) fn repo_file(relative: &str) -> Value {
    let path = format!("{}/../../{relative}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture");
    read_source(&text, SourceFormat::Yaml)
        .expect("YAML fixture")
        .value
}

/// A one-document spec bundle of a spec file in `specs/`.
pub(crate) fn bundle(file: &str) -> Value {
    json!({
        "formatVersion": 1,
        "root": file,
        "documents": { file: repo_file(&format!("specs/{file}")) },
    })
}

fn mobile_contract() -> Value {
    repo_file("contracts/mobile-app.shop-api.yaml")
}

pub(crate) async fn publish_contract(app: &TestApp, version: &str, branch: Option<&str>) -> String {
    if let Some(branch) = branch {
        let (status, body) = app
            .put(
                &format!("/api/v1/services/mobile-app/versions/{version}"),
                &json!({ "branch": branch }),
            )
            .await;
        assert!(status.is_success(), "{body}");
    }
    let (status, body) = app
        .put(
            &format!("/api/v1/services/mobile-app/versions/{version}/contracts/shop-api"),
            &mobile_contract(),
        )
        .await;
    assert!(status.is_success(), "{body}");
    body["hash"].as_str().unwrap().to_owned()
}

pub(crate) async fn publish_spec(app: &TestApp, version: &str, file: &str) {
    let (status, body) = app
        .put(
            &format!("/api/v1/services/shop-api/versions/{version}/spec"),
            &bundle(file),
        )
        .await;
    assert!(status.is_success(), "{body}");
}

pub(crate) async fn deploy(app: &TestApp, service: &str, version: &str) {
    app.put("/api/v1/environments/production", &json!({})).await;
    let (status, body) = app
        .post(
            "/api/v1/environments/production/deployments",
            &json!({ "service": service, "version": version }),
        )
        .await;
    assert!(status.is_success(), "{body}");
}

async fn ask(app: &TestApp, service: &str, version: &str, as_of: &str) -> Value {
    let (status, body) = app
        .get(&format!(
            "/api/v1/can-i-deploy?service={service}&version={version}&environment=production&as_of={as_of}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// (verdict, [(consumer@version, provider@version, evidence, reason)]) of an answer.
fn summary(answer: &Value) -> (String, Vec<String>) {
    let rows = answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}@{} -> {}@{}: {} {}",
                r["consumer"].as_str().unwrap(),
                r["consumerVersion"].as_str().unwrap(),
                r["provider"].as_str().unwrap(),
                r["providerVersion"].as_str().unwrap_or("-"),
                r["evidence"].as_str().unwrap(),
                r["reason"].as_str().unwrap(),
            )
        })
        .collect();
    (answer["verdict"].as_str().unwrap().to_owned(), rows)
}

fn notices(answer: &Value) -> Vec<String> {
    answer["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_spec_is_published_once_per_version(app: TestApp) {
    let path = "/api/v1/services/shop-api/versions/1.0.0/spec";
    let (status, first) = app.put(path, &bundle("shop-api.yaml")).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert!(first["hash"].as_str().unwrap().starts_with("sha256:"));
    let (status, again) = app.put(path, &bundle("shop-api.yaml")).await;
    assert_eq!((status, &again["hash"]), (StatusCode::OK, &first["hash"]));
    let conflict = app.put(path, &bundle("shop-api.v2.yaml")).await;
    assert_error(&conflict, StatusCode::CONFLICT, "spec_conflict");
    // The stored bundle comes back as published (canonical JSON) and reads again.
    let (status, stored) = app.get(path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stored, bundle("shop-api.yaml"));
    let missing = app
        .get("/api/v1/services/shop-api/versions/9.9.9/spec")
        .await;
    assert_error(&missing, StatusCode::NOT_FOUND, "spec_not_found");
}

async fn a_bad_spec_is_refused_with_a_pointer(app: TestApp) {
    let path = "/api/v1/services/shop-api/versions/1.0.0/spec";
    let mut broken = bundle("shop-api.yaml");
    broken["documents"]["shop-api.yaml"]["paths"]["/carts/{cartId}"]["get"]["responses"]["200"]["content"]
        ["application/json"]["schema"] = json!({ "$ref": "#/components/schemas/Crat" });
    let answer = app.put(path, &broken).await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_spec");
    let pointer = answer.1["pointer"].as_str().unwrap();
    assert!(
        pointer.starts_with("/documents/shop-api.yaml/paths/~1carts~1{cartId}/get"),
        "{pointer}"
    );
    let no_root = app
        .put(
            path,
            &json!({ "formatVersion": 1, "root": "api.yaml", "documents": {} }),
        )
        .await;
    assert_error(&no_root, StatusCode::UNPROCESSABLE_ENTITY, "invalid_spec");
    assert_eq!(no_root.1["pointer"], "/root");
    let mut future = bundle("shop-api.yaml");
    future["formatVersion"] = json!(7);
    let future = app.put(path, &future).await;
    assert_error(&future, StatusCode::UNPROCESSABLE_ENTITY, "invalid_spec");
    assert_eq!(future.1["pointer"], "/formatVersion");
    let not_a_bundle = app.put(path, &json!({ "openapi": "3.1.0" })).await;
    assert_error(&not_a_bundle, StatusCode::BAD_REQUEST, "invalid_body");
    // Nothing was stored.
    let stored = app.get(path).await;
    assert_error(&stored, StatusCode::NOT_FOUND, "spec_not_found");
}

async fn verification_results_need_a_published_contract(app: TestApp) {
    let hash = publish_contract(&app, "7.0.0", None).await;
    let path = "/api/v1/services/shop-api/versions/1.0.0/verifications";
    let unknown = app
        .post(
            path,
            &json!({ "contract_hash": "sha256:00", "passed": true }),
        )
        .await;
    assert_error(&unknown, StatusCode::NOT_FOUND, "contract_not_found");
    // The contract is toward shop-api, not toward another provider.
    let other = app
        .post(
            "/api/v1/services/payments/versions/1.0.0/verifications",
            &json!({ "contract_hash": hash, "passed": true }),
        )
        .await;
    assert_error(&other, StatusCode::NOT_FOUND, "contract_not_found");
    let inconsistent = app
        .post(
            path,
            &json!({ "contract_hash": hash, "passed": true, "failed_dimensions": ["shape"] }),
        )
        .await;
    assert_error(&inconsistent, StatusCode::BAD_REQUEST, "invalid_body");
    let unknown_dimension = app
        .post(
            path,
            &json!({ "contract_hash": hash, "passed": false, "failed_dimensions": ["colour"] }),
        )
        .await;
    assert_error(&unknown_dimension, StatusCode::BAD_REQUEST, "invalid_body");

    let (status, failed) = app
        .post(
            path,
            &json!({ "contract_hash": hash, "passed": false, "failed_dimensions": ["latency"],
                     "summary": { "interactions": 5, "failed": 1 }, "build_url": "https://ci/1" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{failed}");
    assert_eq!(
        failed["consumers"],
        json!([{ "consumer": "mobile-app", "version": "7.0.0" }])
    );
    let (status, _) = app
        .post(path, &json!({ "contract_hash": hash, "passed": true }))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // The latest result per contract counts.
    let (status, list) = app.get(path).await;
    assert_eq!(status, StatusCode::OK);
    let results = list["verifications"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{list}");
    assert_eq!(results[0]["passed"], true);
    assert_eq!(
        results[0]["consumers"],
        json!([{ "consumer": "mobile-app", "version": "7.0.0" }])
    );
}

async fn the_answer_follows_evidence_presence_and_the_clock(app: TestApp) {
    let hash = publish_contract(&app, "7.0.0", None).await;
    publish_spec(&app, "1.0.0", "shop-api.yaml").await;
    deploy(&app, "shop-api", "1.0.0").await;

    // The consumer: shop-api 1.0.0's spec is compatible with its contract.
    let answer = ask(&app, "mobile-app", "7.0.0", "2026-11-21").await;
    assert_eq!(
        summary(&answer),
        (
            "yes".to_owned(),
            vec!["mobile-app@7.0.0 -> shop-api@1.0.0: compatible compatible".to_owned()]
        )
    );
    // On the summary endpoint's sunset the consumer that still calls it is blocked.
    let answer = ask(&app, "mobile-app", "7.0.0", "2027-06-30").await;
    assert_eq!(
        summary(&answer).1,
        ["mobile-app@7.0.0 -> shop-api@1.0.0: compatible sunset-passed"]
    );
    assert_eq!(answer["verdict"], "no");
    assert_eq!(
        answer["rows"][0]["blockedBy"][0]["element"],
        "GET /carts/{cartId}/summary"
    );

    // A verification of exactly these versions decides over the static check.
    let verifications = "/api/v1/services/shop-api/versions/1.0.0/verifications";
    app.post(
        verifications,
        &json!({ "contract_hash": hash, "passed": false, "failed_dimensions": ["latency"] }),
    )
    .await;
    let answer = ask(&app, "mobile-app", "7.0.0", "2026-11-21").await;
    assert_eq!(
        summary(&answer).1,
        ["mobile-app@7.0.0 -> shop-api@1.0.0: verified verification-failed"]
    );
    assert_eq!(answer["rows"][0]["failedDimensions"], json!(["latency"]));
    assert_eq!(answer["verdict"], "no");

    // The provider: no consumer is in production yet.
    let answer = ask(&app, "shop-api", "1.0.0", "2026-11-21").await;
    assert_eq!(summary(&answer), ("yes".to_owned(), vec![]));
    assert_eq!(notices(&answer), ["no-consumers"]);
    // Once the app is deployed, its failed verification blocks this provider version.
    deploy(&app, "mobile-app", "7.0.0").await;
    let answer = ask(&app, "shop-api", "1.0.0", "2026-11-21").await;
    assert_eq!(
        summary(&answer),
        (
            "no".to_owned(),
            vec!["mobile-app@7.0.0 -> shop-api@1.0.0: verified verification-failed".to_owned()]
        )
    );
    app.post(
        verifications,
        &json!({ "contract_hash": hash, "passed": true }),
    )
    .await;
    let answer = ask(&app, "shop-api", "1.0.0", "2026-11-21").await;
    assert_eq!(answer["verdict"], "yes", "{answer}");

    // shop-api 2.0.0 removes the summary endpoint the app still calls (and marks deprecated).
    publish_spec(&app, "2.0.0", "shop-api.v2.yaml").await;
    let answer = ask(&app, "shop-api", "2.0.0", "2026-11-21").await;
    assert_eq!(
        summary(&answer),
        (
            "no".to_owned(),
            vec!["mobile-app@7.0.0 -> shop-api@2.0.0: compatible removes-used-element".to_owned()]
        )
    );
    // Undeployed, the app no longer holds the provider back...
    let (status, body) = app
        .post(
            "/api/v1/environments/production/undeployments",
            &json!({ "service": "mobile-app" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], "7.0.0");
    let again = app
        .post(
            "/api/v1/environments/production/undeployments",
            &json!({ "service": "mobile-app" }),
        )
        .await;
    assert_error(&again, StatusCode::NOT_FOUND, "deployment_not_found");
    assert_eq!(
        ask(&app, "shop-api", "2.0.0", "2026-11-21").await["verdict"],
        "yes"
    );
    // ...but a supported release of it does, until its support ends.
    let release = json!({ "service": "mobile-app", "version": "7.0.0" });
    let (status, _) = app
        .post("/api/v1/environments/production/releases", &release)
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app
        .post("/api/v1/environments/production/releases", &release)
        .await;
    assert_eq!(status, StatusCode::OK);
    let answer = ask(&app, "shop-api", "2.0.0", "2026-11-21").await;
    assert_eq!(answer["verdict"], "no");
    assert_eq!(
        answer["rows"][0]["presence"],
        json!([{ "kind": "released" }])
    );
    let (status, ended) = app
        .post("/api/v1/environments/production/support-ended", &release)
        .await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert!(ended["support_ended_at"].is_string());
    let twice = app
        .post("/api/v1/environments/production/support-ended", &release)
        .await;
    assert_error(&twice, StatusCode::NOT_FOUND, "release_not_found");
    let (_, releases) = app.get("/api/v1/environments/production/releases").await;
    assert_eq!(releases["releases"], json!([]));
    assert_eq!(
        ask(&app, "shop-api", "2.0.0", "2026-11-21").await["verdict"],
        "yes"
    );
}

async fn missing_evidence_and_missing_providers_are_unknown(app: TestApp) {
    publish_contract(&app, "7.0.0", None).await;
    app.put("/api/v1/environments/production", &json!({})).await;
    let answer = ask(&app, "mobile-app", "7.0.0", "2026-11-21").await;
    assert_eq!(
        summary(&answer),
        (
            "unknown".to_owned(),
            vec!["mobile-app@7.0.0 -> shop-api@-: none provider-not-deployed".to_owned()]
        )
    );
    // Deployed without a spec or a verification: still no evidence, never a yes.
    app.put("/api/v1/services/shop-api/versions/1.0.0", &json!({}))
        .await;
    deploy(&app, "shop-api", "1.0.0").await;
    let answer = ask(&app, "mobile-app", "7.0.0", "2026-11-21").await;
    assert_eq!(
        summary(&answer),
        (
            "unknown".to_owned(),
            vec!["mobile-app@7.0.0 -> shop-api@1.0.0: none no-evidence".to_owned()]
        )
    );
    // A service with no contracts and no spec has nothing to check.
    app.put("/api/v1/services/batch-job/versions/1", &json!({}))
        .await;
    let answer = ask(&app, "batch-job", "1", "2026-11-21").await;
    assert_eq!(summary(&answer), ("yes".to_owned(), vec![]));
    assert_eq!(notices(&answer), ["no-contracts"]);
}

async fn can_i_merge_reads_the_branch_heads(app: TestApp) {
    publish_contract(&app, "7.0.0", Some("main")).await;
    app.put(
        "/api/v1/services/shop-api/versions/1.0.0",
        &json!({ "branch": "main" }),
    )
    .await;
    publish_spec(&app, "1.0.0", "shop-api.yaml").await;
    app.put(
        "/api/v1/services/shop-api/versions/2.0.0",
        &json!({ "branch": "remove-summary" }),
    )
    .await;
    publish_spec(&app, "2.0.0", "shop-api.v2.yaml").await;
    let merge = |service: &str, version: &str, branch: &str| {
        format!(
            "/api/v1/can-i-merge?service={service}&version={version}&branch={branch}&as_of=2026-11-21"
        )
    };
    // shop-api 2.0.0 against main's head of mobile-app.
    let (status, answer) = app.get(&merge("shop-api", "2.0.0", "main")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        summary(&answer),
        (
            "no".to_owned(),
            vec!["mobile-app@7.0.0 -> shop-api@2.0.0: compatible removes-used-element".to_owned()]
        )
    );
    assert_eq!(
        answer["target"],
        json!({ "kind": "branch", "name": "main" })
    );
    assert_eq!(
        answer["rows"][0]["presence"],
        json!([{ "kind": "branch-head" }])
    );
    // A newer app version on main is the head now; the branch's shop-api head is 1.0.0.
    publish_contract(&app, "7.1.0", Some("main")).await;
    let (_, answer) = app.get(&merge("mobile-app", "7.1.0", "main")).await;
    assert_eq!(
        summary(&answer),
        (
            "yes".to_owned(),
            vec!["mobile-app@7.1.0 -> shop-api@1.0.0: compatible compatible".to_owned()]
        )
    );
    let (_, answer) = app.get(&merge("mobile-app", "7.1.0", "release")).await;
    assert_eq!(
        summary(&answer).1,
        ["mobile-app@7.1.0 -> shop-api@-: none provider-not-on-branch"]
    );
}

async fn deprecations_in_use_name_the_consumers(app: TestApp) {
    publish_contract(&app, "7.0.0", None).await;
    publish_spec(&app, "1.0.0", "shop-api.yaml").await;
    deploy(&app, "shop-api", "1.0.0").await;
    deploy(&app, "mobile-app", "7.0.0").await;
    let (status, body) = app
        .get("/api/v1/deprecations?provider=shop-api&as_of=2027-06-10")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = body["deprecations"].as_array().unwrap();
    let summary = rows
        .iter()
        .find(|r| r["element"] == "GET /carts/{cartId}/summary")
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(
        summary,
        &json!({
            "environment": "production",
            "provider": "shop-api",
            "provider_version": "1.0.0",
            "consumer": "mobile-app",
            "consumer_version": "7.0.0",
            "interaction": "get-cart-summary",
            "element": "GET /carts/{cartId}/summary",
            "status": "near",
            "sunset": "2027-06-30",
            "days_left": 20,
            "stability": "stable",
            "deprecated_in": "1.0.0",
            "deprecated_since": chrono::Utc::now().date_naive().to_string(),
        })
    );
    let (_, later) = app
        .get("/api/v1/deprecations?provider=shop-api&environment=production&as_of=2027-07-01")
        .await;
    assert_eq!(later["deprecations"][0]["status"], "overdue", "{later}");
    let unknown = app.get("/api/v1/deprecations?provider=nobody").await;
    assert_error(&unknown, StatusCode::NOT_FOUND, "service_not_found");
}

async fn contracts_to_verify_cover_environments_and_branches(app: TestApp) {
    let deployed = publish_contract(&app, "7.0.0", Some("main")).await;
    app.put("/api/v1/services/shop-api/versions/1.0.0", &json!({}))
        .await;
    deploy(&app, "mobile-app", "7.0.0").await;
    let path = "/api/v1/services/shop-api/contracts-to-verify";
    let (status, body) = app.get(path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let contracts = body["contracts"].as_array().unwrap();
    assert_eq!(contracts.len(), 1, "one distinct contract: {body}");
    assert_eq!(contracts[0]["hash"], deployed.as_str());
    assert_eq!(
        contracts[0]["consumers"],
        json!([{ "consumer": "mobile-app", "version": "7.0.0", "reasons": [
            { "kind": "deployed", "environment": "production" },
            { "kind": "branch-head", "branch": "main" },
        ]}])
    );
    assert_eq!(contracts[0]["contract"]["consumer"], "mobile-app");
    // A feature branch of the app with changed content is verified when asked for.
    let mut changed = mobile_contract();
    changed["interactions"][0]["description"] = json!("Changed on a branch");
    app.put(
        "/api/v1/services/mobile-app/versions/7.1.0-feature",
        &json!({ "branch": "feature-x" }),
    )
    .await;
    app.put(
        "/api/v1/services/mobile-app/versions/7.1.0-feature/contracts/shop-api",
        &changed,
    )
    .await;
    let (_, body) = app.get(&format!("{path}?branches=main,feature-x")).await;
    assert_eq!(body["contracts"].as_array().unwrap().len(), 2, "{body}");
    let unknown = app.get("/api/v1/services/nobody/contracts-to-verify").await;
    assert_error(&unknown, StatusCode::NOT_FOUND, "service_not_found");
}

async fn bad_questions_get_stable_errors(app: TestApp) {
    publish_contract(&app, "7.0.0", None).await;
    let no_env = app
        .get("/api/v1/can-i-deploy?service=mobile-app&version=7.0.0")
        .await;
    assert_error(&no_env, StatusCode::BAD_REQUEST, "invalid_query");
    let unknown_env = app
        .get("/api/v1/can-i-deploy?service=mobile-app&version=7.0.0&environment=mars")
        .await;
    assert_error(&unknown_env, StatusCode::NOT_FOUND, "environment_not_found");
    app.put("/api/v1/environments/production", &json!({})).await;
    let unknown_version = app
        .get("/api/v1/can-i-deploy?service=mobile-app&version=9&environment=production")
        .await;
    assert_error(&unknown_version, StatusCode::NOT_FOUND, "version_not_found");
    let unknown_service = app
        .get("/api/v1/can-i-deploy?service=nobody&version=1&environment=production")
        .await;
    assert_error(&unknown_service, StatusCode::NOT_FOUND, "service_not_found");
    let bad_date = app
        .get("/api/v1/can-i-deploy?service=mobile-app&version=7.0.0&environment=production&as_of=tomorrow")
        .await;
    assert_error(&bad_date, StatusCode::BAD_REQUEST, "invalid_query");
    let both = app
        .get("/api/v1/can-i-merge?service=mobile-app&version=7.0.0&environment=production&branch=main")
        .await;
    assert_error(&both, StatusCode::BAD_REQUEST, "invalid_query");
    let extra = app
        .get("/api/v1/can-i-deploy?service=mobile-app&version=7.0.0&environment=production&verbose=1")
        .await;
    assert_error(&extra, StatusCode::BAD_REQUEST, "invalid_query");
}

async fn the_compatibility_behind_an_answer_names_its_findings(app: TestApp) {
    publish_contract(&app, "7.0.0", None).await;
    publish_spec(&app, "1.0.0", "shop-api.yaml").await;
    publish_spec(&app, "2.0.0", "shop-api.v2.yaml").await;
    let path = |provider_version: &str| {
        format!(
            "/api/v1/services/shop-api/versions/{provider_version}/compatibility/mobile-app/7.0.0"
        )
    };
    let (status, report) = app.get(&path("1.0.0")).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["passed"], true);
    assert_eq!(report["errors"], 0);
    assert!(report["checker"].as_str().unwrap().starts_with("vow "));
    let summary = report["deprecations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["element"] == "GET /carts/{cartId}/summary")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(summary["kind"], "sunset");
    assert_eq!(summary["sunset"], "2027-06-30");

    // 2.0.0 breaks the contract: the findings say where, interaction by interaction.
    let (status, report) = app.get(&path("2.0.0")).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["passed"], false);
    assert_eq!(report["failed_dimensions"], json!(["shape", "auth"]));
    let failed: Vec<&str> = report["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["outcome"] == "failed")
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(failed.contains(&"get-cart-summary"), "{failed:?}");
    assert!(failed.contains(&"check-stock"), "{failed:?}");
    // The same report again, from the cache.
    assert_eq!(app.get(&path("2.0.0")).await.1, report);

    let no_spec = app
        .get("/api/v1/services/shop-api/versions/3.0.0/compatibility/mobile-app/7.0.0")
        .await;
    assert_error(&no_spec, StatusCode::NOT_FOUND, "version_not_found");
    app.put("/api/v1/services/shop-api/versions/3.0.0", &json!({}))
        .await;
    let no_spec = app
        .get("/api/v1/services/shop-api/versions/3.0.0/compatibility/mobile-app/7.0.0")
        .await;
    assert_error(&no_spec, StatusCode::NOT_FOUND, "spec_not_found");
    let no_contract = app
        .get("/api/v1/services/shop-api/versions/1.0.0/compatibility/mobile-app/9.9.9")
        .await;
    assert_error(&no_contract, StatusCode::NOT_FOUND, "version_not_found");
}

/// Deploys or releases `service@version` into `environment` (created if missing), as one
/// application instance when `instance` names one.
async fn place(
    app: &TestApp,
    environment: &str,
    how: &str,
    service: &str,
    version: &str,
    instance: Option<&str>,
) {
    app.put(&format!("/api/v1/environments/{environment}"), &json!({}))
        .await;
    let mut body = json!({ "service": service, "version": version });
    if let Some(instance) = instance {
        body["application_instance"] = json!(instance);
    }
    let (status, body) = app
        .post(&format!("/api/v1/environments/{environment}/{how}"), &body)
        .await;
    assert!(status.is_success(), "{body}");
}

/// `environment provider_version consumer@version interaction element status` of each row.
fn deprecation_rows(body: &Value) -> Vec<String> {
    body["deprecations"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|r| {
            format!(
                "{} {} {}@{} {} {} {}",
                r["environment"].as_str().unwrap(),
                r["provider_version"].as_str().unwrap(),
                r["consumer"].as_str().unwrap(),
                r["consumer_version"].as_str().unwrap(),
                r["interaction"].as_str().unwrap(),
                r["element"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
            )
        })
        .collect()
}

async fn deprecations_in_use_span_environments_releases_and_versions(app: TestApp) {
    publish_contract(&app, "7.0.0", None).await;
    publish_contract(&app, "7.1.0", None).await;
    let (status, body) = app
        .put(
            "/api/v1/services/checkout-web/versions/3.0.0/contracts/shop-api",
            &repo_file("contracts/checkout-web.shop-api.yaml"),
        )
        .await;
    assert!(status.is_success(), "{body}");
    publish_spec(&app, "1.0.0", "shop-api.yaml").await;
    publish_spec(&app, "2.0.0", "shop-api.v2.yaml").await;
    // production runs both provider versions (two instances) and mobile-app 7.0.0, also
    // released to the field with shop-api 1.0.0; staging runs shop-api 2.0.0 with checkout-web
    // (present there only) and mobile-app 7.1.0.
    place(
        &app,
        "production",
        "deployments",
        "shop-api",
        "1.0.0",
        Some("eu"),
    )
    .await;
    place(
        &app,
        "production",
        "deployments",
        "shop-api",
        "2.0.0",
        Some("us"),
    )
    .await;
    place(
        &app,
        "production",
        "deployments",
        "mobile-app",
        "7.0.0",
        None,
    )
    .await;
    place(&app, "field", "releases", "shop-api", "1.0.0", None).await;
    place(&app, "field", "releases", "mobile-app", "7.0.0", None).await;
    place(&app, "staging", "deployments", "shop-api", "2.0.0", None).await;
    place(
        &app,
        "staging",
        "deployments",
        "checkout-web",
        "3.0.0",
        None,
    )
    .await;
    place(&app, "staging", "deployments", "mobile-app", "7.1.0", None).await;

    let (status, all) = app
        .get("/api/v1/deprecations?provider=shop-api&as_of=2027-06-10")
        .await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let rows = deprecation_rows(&all);
    // shop-api 2.0.0 removed the summary the mobile app acknowledged as deprecated; 1.0.0 still
    // has it, with its sunset 20 days away: most urgent first, then by environment.
    assert_eq!(
        rows,
        [
            "production 2.0.0 mobile-app@7.0.0 get-cart-summary GET /carts/c-1001/summary removed",
            "staging 2.0.0 mobile-app@7.1.0 get-cart-summary GET /carts/c-1001/summary removed",
            "field 1.0.0 mobile-app@7.0.0 get-cart-summary GET /carts/{cartId}/summary near",
            "production 1.0.0 mobile-app@7.0.0 get-cart-summary GET /carts/{cartId}/summary near",
        ],
        "{all:#}"
    );
    let (_, staging) = app
        .get("/api/v1/deprecations?provider=shop-api&environment=staging&as_of=2027-06-10")
        .await;
    assert_eq!(deprecation_rows(&staging), [rows[1].clone()], "{staging:#}");
    // Once mobile-app 7.0.0 leaves production, only its release in the field remains there.
    let (status, body) = app
        .post(
            "/api/v1/environments/production/undeployments",
            &json!({ "service": "mobile-app" }),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let (_, after) = app
        .get("/api/v1/deprecations?provider=shop-api&as_of=2027-06-10")
        .await;
    assert_eq!(
        deprecation_rows(&after),
        [rows[1].clone(), rows[2].clone()],
        "{after:#}"
    );
    let unknown = app
        .get("/api/v1/deprecations?provider=shop-api&environment=moon")
        .await;
    assert_error(&unknown, StatusCode::NOT_FOUND, "environment_not_found");
}

/// Runs `statements` past the store, and answers the count the last one selects.
async fn past_the_store(database: &Database, statements: &[&'static str]) -> i64 {
    use sqlx::Connection;
    match database {
        Database::Sqlite { data_dir } => {
            let url = format!("sqlite://{}", data_dir.join("vow.sqlite3").display());
            let mut connection = sqlx::SqliteConnection::connect(&url).await.expect("open");
            let (last, before) = statements.split_last().expect("a statement");
            for sql in before {
                sqlx::query(*sql).execute(&mut connection).await.expect(sql);
            }
            sqlx::query_scalar(*last)
                .fetch_one(&mut connection)
                .await
                .expect(last)
        }
        Database::Postgres { url } => {
            let mut connection = sqlx::PgConnection::connect(url).await.expect("connect");
            let (last, before) = statements.split_last().expect("a statement");
            for sql in before {
                sqlx::query(*sql).execute(&mut connection).await.expect(sql);
            }
            sqlx::query_scalar(*last)
                .fetch_one(&mut connection)
                .await
                .expect(last)
        }
    }
}

async fn deprecated_since_reads_specs_published_before_the_history_once(app: TestApp) {
    publish_contract(&app, "7.0.0", None).await;
    publish_spec(&app, "1.0.0", "shop-api.yaml").await;
    publish_spec(&app, "1.1.0", "shop-api.yaml").await;
    deploy(&app, "shop-api", "1.1.0").await;
    deploy(&app, "mobile-app", "7.0.0").await;
    let path = "/api/v1/deprecations?provider=shop-api&as_of=2027-06-10";
    let since = |body: &Value| -> Vec<String> {
        body["deprecations"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|r| format!("{} {}", r["element"].as_str().unwrap(), r["deprecated_in"]))
            .collect()
    };
    let (_, published) = app.get(path).await;
    assert!(
        since(&published).contains(&r#"GET /carts/{cartId}/summary "1.0.0""#.to_owned()),
        "{published:#}"
    );
    // As if 1.0.0 had been published before the broker kept the history, and only 1.1.0 after.
    let pending = past_the_store(
        &app.database,
        &[
            "UPDATE deprecation_history SET version_id = vs.version_id, \
             deprecated_since = vs.created_at FROM version_specs vs \
             JOIN versions v ON v.id = vs.version_id JOIN services s ON s.id = v.service_id \
             WHERE s.name = 'shop-api' AND v.number = '1.1.0'",
            "INSERT INTO deprecation_history_pending (provider_id) \
             SELECT id FROM services WHERE name = 'shop-api'",
            "SELECT COUNT(*) FROM deprecation_history_pending",
        ],
    )
    .await;
    assert_eq!(pending, 1);
    let (status, filled) = app.get(path).await;
    assert_eq!(status, StatusCode::OK, "{filled}");
    assert_eq!(since(&filled), since(&published), "{filled:#}");
    let pending = past_the_store(
        &app.database,
        &["SELECT COUNT(*) FROM deprecation_history_pending"],
    )
    .await;
    assert_eq!(pending, 0, "the history is filled once");
}
