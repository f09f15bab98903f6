//! Who may call what. Every route of the table against every kind of caller, with and without
//! `--public-read`, so that a route added without the right access level, or a write handler that
//! forgets to check the service a limited token may write for, fails here; then the token's life:
//! stored only hashed, shown once, revoked and expired, and the open broker before the first one.

use std::collections::BTreeSet;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use vow_broker::token::{self, Role, TokenSpec};
use vow_broker::{Access, Database, routes};

use crate::support::{JsonAnswer, TestApp, contract, on_both_backends, send_as};

on_both_backends!(
    every_route_lets_in_exactly_the_callers_its_access_level_allows,
    head_is_read_like_get,
    the_database_never_holds_a_token,
    a_token_is_shown_once,
    a_revoked_token_fails_on_the_next_request,
    an_expired_token_is_refused_and_a_live_one_is_not,
    the_broker_is_open_until_the_first_token_and_stays_locked_after,
    refusals_say_what_is_needed,
    invalid_token_requests_are_400,
    a_used_token_records_when,
);

/// The service the table's writes are for, in the path or in the body.
const SERVICE: &str = "checkout-web";
/// A service no route of the table writes for.
const ELSEWHERE: &str = "inventory";
/// The token the table's `DELETE /api/v1/tokens/{name}` revokes; no caller uses it.
const DOOMED: &str = "doomed";

/// The callers every route is tried with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    NoToken,
    Read,
    Publish,
    Admin,
    /// A publish token limited to a service the route does not write for.
    LimitedElsewhere,
    /// A publish token limited to the service the route writes for.
    LimitedHere,
    Revoked,
    Expired,
    Malformed,
}

const CALLERS: [Caller; 9] = [
    Caller::NoToken,
    Caller::Read,
    Caller::Publish,
    Caller::Admin,
    Caller::LimitedElsewhere,
    Caller::LimitedHere,
    Caller::Revoked,
    Caller::Expired,
    Caller::Malformed,
];

/// The access level each route must have, decided here and not read from the table, so that a
/// table entry with the wrong level fails: the health checks and the API's own description are
/// public, token and webhook management is for admins, every other read needs the read role and
/// every other write the publish role.
fn intended(method: &Method, path: &str) -> Access {
    match path {
        "/healthz" | "/readyz" | "/metrics" | "/api/v1/openapi.json" => Access::Public,
        _ if path == "/api/v1/tokens" || path.starts_with("/api/v1/tokens/") => Access::Admin,
        // Webhooks send requests from the broker's network and hold secrets: admins only.
        _ if path == "/api/v1/webhooks" || path.starts_with("/api/v1/webhooks/") => Access::Admin,
        _ if method == Method::GET => Access::Read,
        _ => Access::Publish,
    }
}

/// What a write is for, as far as service limits go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// A write for this service: only tokens limited to it (or unlimited) may make it.
    Service(&'static str),
    /// A write for no service (creating an environment): any publish token may make it.
    Shared,
}

/// Which service each write route writes for. A write route missing here fails the test: decide
/// which service it is for, make its handler call `principal.may_write(&service)?` (see
/// crates/vow-broker/src/api/auth.rs), and add it.
fn scope(method: &Method, path: &str) -> Scope {
    match (method.as_str(), path) {
        ("PUT", "/api/v1/services/{service}/versions/{version}") => Scope::Service(SERVICE),
        ("PUT", "/api/v1/services/{service}/versions/{version}/contracts/{provider}") => {
            Scope::Service(SERVICE)
        }
        ("PUT", "/api/v1/environments/{environment}") => Scope::Shared,
        // The service is in the body (see `body`).
        ("POST", "/api/v1/environments/{environment}/deployments") => Scope::Service(SERVICE),
        // A provider's pipeline publishes its spec and the results of verifying it.
        ("PUT", "/api/v1/services/{service}/versions/{version}/spec") => Scope::Service(SERVICE),
        ("POST", "/api/v1/services/{service}/versions/{version}/verifications") => {
            Scope::Service(SERVICE)
        }
        // The service is in the body (see `body`).
        (
            "POST",
            "/api/v1/environments/{environment}/undeployments"
            | "/api/v1/environments/{environment}/releases"
            | "/api/v1/environments/{environment}/support-ended",
        ) => Scope::Service(SERVICE),
        _ => panic!(
            "tests/it/auth.rs does not know which service {method} {path} writes for: add it to \
             `scope` (and its body to `body`)"
        ),
    }
}

/// The concrete path: every `{param}` filled in.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                None => segment,
                Some("service") => SERVICE,
                Some("version") => "1.0.0",
                Some("provider") => "payments-gateway",
                Some("environment") => "production",
                Some("consumer") => "checkout-web",
                Some("consumer_version") => "1.0.0",
                Some("name") => DOOMED,
                Some("id") => "1",
                Some(other) => panic!(
                    "tests/it/auth.rs has no value for {{{other}}} in {path}: add one to `concrete`"
                ),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// A body that would succeed, for the routes that take one.
fn body(method: &Method, path: &str) -> Option<Value> {
    match (method.as_str(), path) {
        ("GET" | "DELETE", _) => None,
        ("PUT", "/api/v1/services/{service}/versions/{version}/contracts/{provider}") => {
            Some(contract())
        }
        ("POST", "/api/v1/environments/{environment}/deployments") => {
            Some(json!({"service": SERVICE, "version": "1.0.0"}))
        }
        ("POST", "/api/v1/tokens") => Some(json!({"name": "made-by-the-table", "role": "read"})),
        ("POST" | "PUT", "/api/v1/webhooks" | "/api/v1/webhooks/{id}") => {
            Some(json!({"events": ["deployment_recorded"], "url": "https://hooks.example.com/vow"}))
        }
        ("POST", "/api/v1/services/{service}/versions/{version}/verifications") => {
            Some(json!({"contract_hash": "sha256:00", "passed": true}))
        }
        // Another instance than the one deployed, so the deployment the test reads at the end
        // stays current (this one answers 404 once let through).
        ("POST", "/api/v1/environments/{environment}/undeployments") => {
            Some(json!({"service": SERVICE, "application_instance": "not-deployed"}))
        }
        (
            "POST",
            "/api/v1/environments/{environment}/releases"
            | "/api/v1/environments/{environment}/support-ended",
        ) => Some(json!({"service": SERVICE, "version": "1.0.0"})),
        _ => Some(json!({})),
    }
}

/// The answer a caller must get: let through (whatever the handler then says), or refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Through,
    Refused(StatusCode, &'static str),
}

fn expected(access: Access, scope: Option<Scope>, caller: Caller, public_read: bool) -> Expect {
    let unauthorized = |code| Expect::Refused(StatusCode::UNAUTHORIZED, code);
    let forbidden = |code| Expect::Refused(StatusCode::FORBIDDEN, code);
    match (access, caller) {
        (Access::Public, _) => Expect::Through,
        // A presented token is always checked, even where none is needed.
        (_, Caller::Malformed) => unauthorized("token_invalid"),
        (_, Caller::Revoked) => unauthorized("token_revoked"),
        (_, Caller::Expired) => unauthorized("token_expired"),
        (Access::Read, Caller::NoToken) if public_read => Expect::Through,
        (_, Caller::NoToken) => unauthorized("token_missing"),
        (Access::Read, _) => Expect::Through,
        (_, Caller::Admin) => Expect::Through,
        (Access::Admin, _) | (Access::Publish, Caller::Read) => forbidden("role_forbidden"),
        (Access::Publish, Caller::LimitedElsewhere) if scope != Some(Scope::Shared) => {
            forbidden("service_forbidden")
        }
        (Access::Publish, _) => Expect::Through,
    }
}

/// Issues a token straight into the store, as `vow broker token create` does.
async fn issue(
    app: &TestApp,
    name: &str,
    role: Role,
    services: &[&str],
    expires_in_days: Option<u32>,
    now: DateTime<Utc>,
) -> String {
    let services: Vec<String> = services.iter().map(|s| (*s).to_owned()).collect();
    let spec = TokenSpec::new(name, role, &services, expires_in_days, now).expect("token spec");
    token::issue(&app.store, &spec, now)
        .await
        .expect("issue a token")
        .secret
        .expose()
        .to_owned()
}

/// The callers' tokens, with the tokens limited to each service some route writes for.
struct Tokens {
    read: String,
    publish: String,
    admin: String,
    elsewhere: String,
    limited: Vec<(&'static str, String)>,
    revoked: String,
    expired: String,
}

impl Tokens {
    async fn issue(app: &TestApp) -> Tokens {
        let now = Utc::now();
        let services: BTreeSet<&'static str> = routes()
            .iter()
            .filter(|(method, path, _)| intended(method, path) == Access::Publish)
            .filter_map(|(method, path, _)| match scope(method, path) {
                Scope::Service(service) => Some(service),
                Scope::Shared => None,
            })
            .collect();
        let mut limited = Vec::new();
        for service in services {
            let name = format!("limited-to-{service}");
            limited.push((
                service,
                issue(app, &name, Role::Publish, &[service], None, now).await,
            ));
        }
        let revoked = issue(app, "revoked", Role::Admin, &[], None, now).await;
        app.store
            .revoke_token("revoked", now)
            .await
            .expect("revoke");
        let long_ago = now - chrono::Duration::days(10);
        issue(app, DOOMED, Role::Read, &[], None, now).await;
        Tokens {
            read: issue(app, "reader", Role::Read, &[], None, now).await,
            publish: issue(app, "publisher", Role::Publish, &[], None, now).await,
            admin: issue(app, "admin", Role::Admin, &[], None, now).await,
            elsewhere: issue(app, "elsewhere", Role::Publish, &[ELSEWHERE], None, now).await,
            limited,
            revoked,
            expired: issue(app, "expired", Role::Admin, &[], Some(1), long_ago).await,
        }
    }

    /// The token `caller` presents on a route writing within `scope`.
    fn of(&self, caller: Caller, scope: Option<Scope>) -> Option<String> {
        Some(match caller {
            Caller::NoToken => return None,
            Caller::Read => self.read.clone(),
            Caller::Publish => self.publish.clone(),
            Caller::Admin => self.admin.clone(),
            Caller::LimitedElsewhere => self.elsewhere.clone(),
            Caller::LimitedHere => match scope {
                Some(Scope::Service(service)) => self
                    .limited
                    .iter()
                    .find(|(s, _)| *s == service)
                    .map(|(_, token)| token.clone())
                    .expect("a token limited to the route's service"),
                // Reads and shared writes: any limited token is "here".
                _ => self.limited[0].1.clone(),
            },
            Caller::Revoked => self.revoked.clone(),
            Caller::Expired => self.expired.clone(),
            Caller::Malformed => "vow_not-a-token".to_owned(),
        })
    }
}

async fn every_route_lets_in_exactly_the_callers_its_access_level_allows(app: TestApp) {
    let tokens = Tokens::issue(&app).await;
    let mut wrong = Vec::new();
    let mut through = 0;
    for public_read in [false, true] {
        let router = app.router_with_public_read(public_read);
        for (method, path, listed) in routes() {
            let access = intended(method, path);
            if !public_read && *listed != access {
                wrong.push(format!(
                    "{method} {path} is listed as {listed:?} in the route table, but must be \
                     {access:?}"
                ));
            }
            let scope = (access == Access::Publish).then(|| scope(method, path));
            let uri = concrete(path);
            let body = body(method, path);
            for caller in CALLERS {
                let token = tokens.of(caller, scope);
                let answer = send_as(
                    router.clone(),
                    token.as_deref(),
                    method.clone(),
                    &uri,
                    body.as_ref(),
                )
                .await;
                let expect = expected(access, scope, caller, public_read);
                let ok = match expect {
                    Expect::Through => {
                        through += 1;
                        !matches!(
                            answer.status,
                            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                        ) && answer.status != StatusCode::INTERNAL_SERVER_ERROR
                    }
                    Expect::Refused(status, code) => {
                        answer.status == status
                            && answer.body["code"] == code
                            && (status != StatusCode::UNAUTHORIZED
                                || answer.headers.contains_key("www-authenticate"))
                            && !token
                                .as_deref()
                                .is_some_and(|t| answer.body.to_string().contains(t))
                    }
                };
                if !ok {
                    wrong.push(format!(
                        "{method} {path} ({access:?}) as {caller:?}, public read {public_read}: \
                         expected {expect:?}, got {} {}",
                        answer.status, answer.body
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} problems in {} decisions:\n{}",
        wrong.len(),
        routes().len() * CALLERS.len() * 2,
        wrong.join("\n")
    );
    // The test is not vacuous: most calls went through, and some of them did what they asked.
    assert!(through > routes().len() * 4, "{through}");
    let (status, _) = app
        .get("/api/v1/services/checkout-web/versions/1.0.0")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let answer = app
        .call_as(
            Some(&tokens.read),
            Method::GET,
            "/api/v1/environments/production/deployments",
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["deployments"][0]["service"], SERVICE);
}

async fn head_is_read_like_get(app: TestApp) {
    let now = Utc::now();
    let read = issue(&app, "reader", Role::Read, &[], None, now).await;
    let path = "/api/v1/services";
    let anonymous = app.call_as(None, Method::HEAD, path, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let reader = app.call_as(Some(&read), Method::HEAD, path, None).await;
    assert_eq!(reader.status, StatusCode::OK);
}

/// Everything the tokens table holds in its text columns, read past the store.
async fn stored_token_columns(database: &Database) -> Vec<(String, String, String, String)> {
    use sqlx::Connection;
    const SELECT: &str = "SELECT name, role, secret_hash, prefix FROM tokens ORDER BY name";
    match database {
        Database::Sqlite { data_dir } => {
            let url = format!("sqlite://{}", data_dir.join("vow.sqlite3").display());
            let mut connection = sqlx::SqliteConnection::connect(&url).await.expect("open");
            sqlx::query_as(SELECT)
                .fetch_all(&mut connection)
                .await
                .expect("select")
        }
        Database::Postgres { url } => {
            let mut connection = sqlx::PgConnection::connect(url).await.expect("connect");
            sqlx::query_as(SELECT)
                .fetch_all(&mut connection)
                .await
                .expect("select")
        }
    }
}

async fn the_database_never_holds_a_token(app: TestApp) {
    let now = Utc::now();
    let admin = issue(&app, "admin", Role::Admin, &[], None, now).await;
    let answer = app
        .call_as(
            Some(&admin),
            Method::POST,
            "/api/v1/tokens",
            Some(&json!({"name": "ci", "role": "publish", "services": [SERVICE]})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let ci = answer.body["token"].as_str().expect("the token").to_owned();
    let rows = stored_token_columns(&app.database).await;
    assert_eq!(rows.len(), 2);
    for ((name, role, hash, prefix), token) in rows.iter().zip([&admin, &ci]) {
        let hex: String = Sha256::digest(token.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hash, &hex,
            "{name}: the hash is the hex SHA-256 of the token"
        );
        assert!(
            token.starts_with(prefix.as_str()) && prefix.len() == 10,
            "{prefix}"
        );
        for column in [name, role, hash, prefix] {
            assert!(!column.contains(&token[10..]), "{name}: {column}");
        }
        assert_eq!(role, if name == "ci" { "publish" } else { "admin" });
    }
    // On SQLite, not a byte of either token is anywhere in the database files.
    if let Database::Sqlite { data_dir } = &app.database {
        let mut files = 0;
        for entry in std::fs::read_dir(data_dir).expect("data dir") {
            let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
            files += 1;
            for token in [&admin, &ci] {
                let secret = &token.as_bytes()[10..];
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret),
                    "a token is stored in the clear"
                );
            }
        }
        assert!(files >= 1);
    }
}

async fn a_token_is_shown_once(app: TestApp) {
    let now = Utc::now();
    let admin = issue(&app, "admin", Role::Admin, &[], None, now).await;
    let create = json!({"name": "ci", "role": "publish", "services": [SERVICE, "mobile-app"], "expires_in_days": 30});
    let answer = app
        .call_as(Some(&admin), Method::POST, "/api/v1/tokens", Some(&create))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(answer.headers["cache-control"], "no-store");
    let ci = answer.body["token"].as_str().expect("the token").to_owned();
    assert!(ci.starts_with("vow_") && ci.len() == 47, "{ci}");
    assert_eq!(answer.body["name"], "ci");
    assert_eq!(answer.body["role"], "publish");
    assert_eq!(
        answer.body["services"],
        json!(["checkout-web", "mobile-app"])
    );
    assert_eq!(answer.body["prefix"], &ci[..10]);
    assert!(answer.body["expires_at"].is_string(), "{}", answer.body);

    // It works…
    let put = app
        .call_as(
            Some(&ci),
            Method::PUT,
            "/api/v1/services/checkout-web/versions/1",
            Some(&json!({})),
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.body);
    // …and is never shown again: not in the list, not when the name is asked for again.
    let list = app
        .call_as(Some(&admin), Method::GET, "/api/v1/tokens", None)
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let names: Vec<&str> = list.body["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["admin", "ci"]);
    assert!(!list.body.to_string().contains(&ci[10..]), "{}", list.body);
    assert!(list.body["tokens"][1].get("token").is_none());
    let again = app
        .call_as(Some(&admin), Method::POST, "/api/v1/tokens", Some(&create))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.body["code"], "token_conflict");
    assert!(again.body.get("token").is_none());
}

async fn a_revoked_token_fails_on_the_next_request(app: TestApp) {
    let now = Utc::now();
    let admin = issue(&app, "admin", Role::Admin, &[], None, now).await;
    let ci = issue(&app, "ci", Role::Publish, &[], None, now).await;
    let path = "/api/v1/services/checkout-web/versions/1";
    let put = app
        .call_as(Some(&ci), Method::PUT, path, Some(&json!({})))
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.body);

    let revoke = app
        .call_as(Some(&admin), Method::DELETE, "/api/v1/tokens/ci", None)
        .await;
    assert_eq!(revoke.status, StatusCode::OK, "{}", revoke.body);
    let revoked_at = revoke.body["revoked_at"].clone();
    assert!(revoked_at.is_string(), "{}", revoke.body);

    let refused = app.call_as(Some(&ci), Method::GET, path, None).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert_eq!(refused.body["code"], "token_revoked");

    // Revoking again changes nothing; an unknown name is 404.
    let again = app
        .call_as(Some(&admin), Method::DELETE, "/api/v1/tokens/ci", None)
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["revoked_at"], revoked_at);
    let unknown = app
        .call_as(Some(&admin), Method::DELETE, "/api/v1/tokens/nobody", None)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.body["code"], "token_not_found");
}

async fn an_expired_token_is_refused_and_a_live_one_is_not(app: TestApp) {
    let now = Utc::now();
    let expired = issue(
        &app,
        "old",
        Role::Read,
        &[],
        Some(1),
        now - chrono::Duration::hours(25),
    )
    .await;
    let live = issue(
        &app,
        "new",
        Role::Read,
        &[],
        Some(1),
        now - chrono::Duration::hours(23),
    )
    .await;
    let refused = app
        .call_as(Some(&expired), Method::GET, "/api/v1/services", None)
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.body["code"], "token_expired");
    assert!(
        refused.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("\"old\" expired at")),
        "{}",
        refused.body
    );
    let answer = app
        .call_as(Some(&live), Method::GET, "/api/v1/services", None)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
}

async fn the_broker_is_open_until_the_first_token_and_stays_locked_after(app: TestApp) {
    let path = "/api/v1/services/checkout-web/versions/1";
    let put = app.call_as(None, Method::PUT, path, Some(&json!({}))).await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.body);
    // A presented token is checked even while the broker is open.
    let bad = app
        .call_as(Some("vow_nonsense"), Method::GET, path, None)
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bad.body["code"], "token_invalid");

    // Anyone may create the first token, over the API too…
    let first = app
        .call_as(
            None,
            Method::POST,
            "/api/v1/tokens",
            Some(&json!({"name": "admin", "role": "admin"})),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let admin = first.body["token"].as_str().expect("token").to_owned();
    // …and from then on a token is needed.
    let refused = app.call_as(None, Method::GET, path, None).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.body["code"], "token_missing");
    assert_eq!(refused.headers["www-authenticate"], r#"Bearer realm="vow""#);
    let with = app.call_as(Some(&admin), Method::GET, path, None).await;
    assert_eq!(with.status, StatusCode::OK);
    // Health checks never need one.
    assert_eq!(app.get("/readyz").await.0, StatusCode::OK);

    // Revoking the last token does not reopen the broker.
    app.store
        .revoke_token("admin", Utc::now())
        .await
        .expect("revoke");
    let still = app.call_as(None, Method::GET, path, None).await;
    assert_eq!(still.status, StatusCode::UNAUTHORIZED);
    assert_eq!(still.body["code"], "token_missing");
}

async fn refusals_say_what_is_needed(app: TestApp) {
    let now = Utc::now();
    let read = issue(&app, "reader", Role::Read, &[], None, now).await;
    let ci = issue(
        &app,
        "ci",
        Role::Publish,
        &["mobile-app", SERVICE],
        None,
        now,
    )
    .await;
    let unknown = token::TokenSecret::generate().expect("random");

    let answer = app
        .call_as(
            Some(&read),
            Method::PUT,
            "/api/v1/environments/production",
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(answer.body["code"], "role_forbidden");
    assert_eq!(
        answer.body["message"],
        "PUT /api/v1/environments/production needs a token with the publish role; token \
         \"reader\" has the read role"
    );

    let answer = app
        .call_as(
            Some(&ci),
            Method::POST,
            "/api/v1/environments/production/deployments",
            Some(&json!({"service": "shop-api", "version": "1"})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(answer.body["code"], "service_forbidden");
    assert_eq!(
        answer.body["message"],
        "token \"ci\" may write only for checkout-web, mobile-app, not for shop-api"
    );

    let answer = app
        .call_as(
            Some(unknown.expose()),
            Method::GET,
            "/api/v1/services",
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.body["code"], "token_invalid");
    assert_eq!(
        answer.headers["www-authenticate"],
        r#"Bearer realm="vow", error="invalid_token""#
    );
    assert!(!answer.body.to_string().contains(&unknown.expose()[4..]));

    let answer = app
        .call_as(None, Method::GET, "/api/v1/services", None)
        .await;
    assert_eq!(answer.body["code"], "token_missing");
    assert_eq!(
        answer.body["message"],
        "GET /api/v1/services needs a token with the read role: send it as \
         `Authorization: Bearer <token>`"
    );
}

async fn invalid_token_requests_are_400(app: TestApp) {
    let now = Utc::now();
    let admin = issue(&app, "admin", Role::Admin, &[], None, now).await;
    let create = |body: Value| {
        let admin = admin.clone();
        let app = &app;
        async move {
            app.call_as(Some(&admin), Method::POST, "/api/v1/tokens", Some(&body))
                .await
        }
    };
    let check = |answer: JsonAnswer, code: &str, pointer: Option<&str>| {
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
        assert_eq!(answer.body["code"], code, "{}", answer.body);
        if let Some(pointer) = pointer {
            assert_eq!(answer.body["pointer"], pointer, "{}", answer.body);
        }
    };
    check(
        create(json!({"name": "r", "role": "read", "services": [SERVICE]})).await,
        "invalid_body",
        Some("/services"),
    );
    check(
        create(json!({"name": "r", "role": "owner"})).await,
        "invalid_body",
        Some("/role"),
    );
    check(
        create(json!({"name": "r", "role": "read", "expires_in_days": 0})).await,
        "invalid_body",
        Some("/expires_in_days"),
    );
    check(
        create(json!({"name": "no spaces", "role": "read"})).await,
        "invalid_name",
        None,
    );
    let list = app
        .call_as(Some(&admin), Method::GET, "/api/v1/tokens", None)
        .await;
    assert_eq!(list.body["tokens"].as_array().map(Vec::len), Some(1));
}

async fn a_used_token_records_when(app: TestApp) {
    let now = Utc::now();
    let read = issue(&app, "reader", Role::Read, &[], None, now).await;
    let last_used = || async { app.store.tokens().await.expect("tokens")[0].last_used_at };
    assert_eq!(last_used().await, None);
    let answer = app
        .call_as(Some(&read), Method::GET, "/api/v1/services", None)
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    // Recorded after the answer, so wait for it.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let used = loop {
        if let Some(at) = last_used().await {
            break at;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "last_used_at was never set"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(used >= now - chrono::Duration::seconds(1), "{used} {now}");
}
