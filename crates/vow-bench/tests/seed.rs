//! The broker seeder's smoke test: seed a tiny history into a freshly migrated PostgreSQL database
//! (on the server `VOW_TEST_DATABASE_URL` names; `scripts/with-postgres` starts one), then ask the
//! broker itself every can-i-deploy candidate the seeder picked. This keeps the seeder in step with
//! the broker's schema and queries: a column it no longer writes fails the copy, and data the
//! queries do not traverse shows as answers without evidence.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use sqlx::{Connection, PgConnection};
use tower::ServiceExt;
use vow_bench::seed::{Sizes, default_end, seed};
use vow_broker::{Database, Settings, Store, router};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tiny_seed_answers_every_candidate() {
    let Ok(url) = std::env::var("VOW_TEST_DATABASE_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but VOW_TEST_DATABASE_URL is not (scripts/with-postgres sets it)"
        );
        #[allow(clippy::print_stderr)] // a test telling the developer what it did not run
        {
            eprintln!("VOW_TEST_DATABASE_URL is not set: the seeder's smoke test did not run");
        }
        return;
    };
    let name = format!("vow_seed_{}", std::process::id());
    let mut admin = PgConnection::connect(&url).await.expect("connect");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create a database");
    admin.close().await.ok();
    let base = url.split_once('?').map_or(url.as_str(), |(base, _)| base);
    let server = &base[..base.rfind('/').expect("a database in the URL")];
    let database_url = format!("{server}/{name}");

    let store = Store::open(&Database::Postgres {
        url: database_url.clone(),
    })
    .await
    .expect("open");
    store.migrate().await.expect("migrate");
    let sizes = Sizes {
        services: 12,
        versions: 240,
        verifications: 2_000,
        providers_per_consumer: 4,
        contract_change_percent: 10,
        spec_percent: 50,
        spec_change_percent: 5,
        candidates: 27,
        seed: 3,
    };
    let mut conn = PgConnection::connect(&database_url).await.expect("connect");
    let mut lines = Vec::new();
    let seeded = seed(&mut conn, &sizes, default_end(), &mut |line| {
        lines.push(line)
    })
    .await
    .expect("seed");
    let rows: BTreeMap<&str, u64> = seeded.rows.iter().copied().collect();
    assert_eq!(rows["services"], 12);
    assert_eq!(rows["versions"], 240);
    assert_eq!(rows["verifications"], 2_000);
    assert!(rows["contracts"] > 0 && rows["specs"] > 0 && rows["deployments"] > 36);
    // A second seed into the same database is refused, and changes nothing.
    let again = seed(&mut conn, &sizes, default_end(), &mut |_| {}).await;
    assert!(again.is_err());

    let app = router(store.clone(), Settings::default());
    let mut verdicts: BTreeMap<String, usize> = BTreeMap::new();
    let mut evidence = 0;
    for candidate in &seeded.candidates {
        let uri = format!(
            "/api/v1/can-i-deploy?service={}&version={}&environment={}&as_of=2026-11-20",
            candidate.service, candidate.version, candidate.environment
        );
        let response = app
            .clone()
            .oneshot(Request::get(&uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 22)
            .await
            .unwrap();
        let answer: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(status, StatusCode::OK, "{uri}: {answer}");
        *verdicts
            .entry(answer["verdict"].as_str().unwrap().to_owned())
            .or_default() += 1;
        evidence += answer["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["evidence"] != "none")
            .count();
    }
    assert_eq!(verdicts.values().sum::<usize>(), 27);
    // The current deployments were verified against each other: those questions say yes.
    assert!(
        verdicts.get("yes").copied().unwrap_or(0) >= 5,
        "{verdicts:?}"
    );
    assert!(evidence > 20, "{verdicts:?}, {evidence} rows with evidence");

    // The integrations agree with the history they summarise, computed here another way.
    assert!(rows["integrations"] > 0);
    let pairs: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT DISTINCT v.service_id, vc.provider_id \
         FROM version_contracts vc JOIN versions v ON v.id = vc.consumer_version_id) p",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(rows["integrations"], u64::try_from(pairs).unwrap());
    let wrong: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM integrations i WHERE i.consumer_version_id <> ( \
         SELECT MAX(vc.consumer_version_id) FROM version_contracts vc \
         JOIN versions v ON v.id = vc.consumer_version_id \
         WHERE v.service_id = i.consumer_id AND vc.provider_id = i.provider_id) \
         OR i.verification_id IS DISTINCT FROM (SELECT MAX(vr.id) FROM verifications vr \
         JOIN versions pv ON pv.id = vr.provider_version_id \
         WHERE pv.service_id = i.provider_id AND vr.contract_id IN ( \
         SELECT vc.contract_id FROM version_contracts vc \
         JOIN versions v ON v.id = vc.consumer_version_id \
         WHERE v.service_id = i.consumer_id AND vc.provider_id = i.provider_id))",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(wrong, 0, "integrations that disagree with the history");
    // Exactly the results a later one of the same provider version and contract follows are
    // superseded, and some are (a provider version verifies a contract more than once).
    let (superseded, wrong): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*) FILTER (WHERE superseded), \
         COUNT(*) FILTER (WHERE superseded <> EXISTS (SELECT 1 FROM verifications newer \
         WHERE newer.provider_version_id = vr.provider_version_id \
         AND newer.contract_id = vr.contract_id AND newer.id > vr.id)) FROM verifications vr",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert!(superseded > 0);
    assert_eq!(
        wrong, 0,
        "results whose superseded disagrees with the history"
    );
    let (consumer, provider): (String, String) = sqlx::query_as(
        "SELECT cs.name, ps.name FROM integrations i JOIN services cs ON cs.id = i.consumer_id \
         JOIN services ps ON ps.id = i.provider_id WHERE i.verification_id IS NOT NULL \
         ORDER BY i.verification_id DESC LIMIT 1",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    for uri in [
        "/".to_owned(),
        format!("/integrations/{consumer}/{provider}"),
    ] {
        let response = app
            .clone()
            .oneshot(Request::get(&uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
            .await
            .unwrap();
        let html = String::from_utf8_lossy(&bytes);
        assert_eq!(status, StatusCode::OK, "{uri}: {html}");
        assert!(
            html.contains("badge-pass\">passed") || html.contains("badge-fail\">failed"),
            "{uri}: no evidence shown"
        );
    }

    // The deprecated field of the seeded specs is read by some consumer present where its
    // provider runs: the deprecation windows have rows to build.
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM services")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let mut in_use = 0;
    for name in names {
        let uri = format!("/api/v1/deprecations?provider={name}&as_of=2026-11-20");
        let response = app
            .clone()
            .oneshot(Request::get(&uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
            .await
            .unwrap();
        let answer: Value = serde_json::from_slice(&bytes).unwrap();
        let rows = answer["deprecations"].as_array().unwrap();
        assert!(
            rows.iter().all(|r| r["element"]
                .as_str()
                .is_some_and(|e| e.ends_with(" 200 /note"))),
            "{answer}"
        );
        in_use += rows.len();
    }
    assert!(in_use > 0, "no deprecated element in use");
    store.close().await;
}
