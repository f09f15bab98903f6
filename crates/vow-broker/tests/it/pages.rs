//! The web pages through the router: the page route table against every kind of viewer, signing
//! in and out (cookies, CSRF, revocation), snapshots of each page over fixed data at a fixed as-of
//! date, the can-I-deploy form against the API's answer, the exports against the API's
//! deprecations, and bad input answered with a clear page, never a 500.

use std::collections::BTreeSet;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use vow_broker::store::{AttemptOutcome, AttemptRecord, NewWebhook};
use vow_broker::token::{self, Role, TokenSpec};
use vow_broker::webhook::EventKind;
use vow_broker::{Access, Settings, pages, router, routes};
use vow_core::contract::SourceFormat;
use vow_core::contract::source::read_source;

use crate::support::{Answer, TestApp, exchange, on_both_backends};

on_both_backends!(
    every_page_lets_in_exactly_the_viewers_its_access_level_allows,
    signing_in_starts_a_session_that_signing_out_and_revocation_end,
    session_cookies_are_secure_behind_https,
    pages_render_the_seeded_broker,
    the_can_i_deploy_form_gives_the_apis_answer,
    deprecation_windows_filter_sort_and_export_the_apis_rows,
    bad_input_gets_a_clear_page,
    webhook_pages_show_subscriptions_and_delivery_logs,
    the_delivery_log_pages_by_delivery_id,
    the_test_event_form_queues_a_delivery,
    unknown_paths_get_html_outside_the_api_and_problem_json_inside,
);

/// The as-of date every page test reads the deprecation clock at.
pub const AS_OF: &str = "2027-06-10";

/// A hostile branch name: it must show as text and never run.
pub const SCRIPT_BRANCH: &str = "<script>window.vowPwned=1</script>";
/// A hostile version number (no space or slash, as versions allow): it must not break out of
/// an attribute.
pub const QUOTE_VERSION: &str = "7.2.0\"onmouseover=\"window.vowPwned=2";

fn repo_file(relative: &str) -> Value {
    let path = format!("{}/../../{relative}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture");
    read_source(&text, SourceFormat::Yaml)
        .expect("YAML fixture")
        .value
}

async fn ok(app: &TestApp, method: Method, path: &str, body: Value) {
    let (status, answer) = app.call(method, path, Some(&body)).await;
    assert!(status.is_success(), "{path}: {answer}");
}

/// shop-api 1.0.0 (its spec deprecates the cart summary, sunset 2027-06-30) in staging and
/// production; mobile-app 7.0.0 in production and 7.1.0 (on a branch whose name is a script) in
/// staging, both using the summary; kiosk-app 2.0.0, with the same contract, in production.
pub async fn seed(app: &TestApp) {
    for environment in ["production", "staging"] {
        ok(
            app,
            Method::PUT,
            &format!("/api/v1/environments/{environment}"),
            json!({}),
        )
        .await;
    }
    let spec = json!({
        "formatVersion": 1,
        "root": "shop-api.yaml",
        "documents": { "shop-api.yaml": repo_file("specs/shop-api.yaml") },
    });
    ok(
        app,
        Method::PUT,
        "/api/v1/services/shop-api/versions/1.0.0/spec",
        spec,
    )
    .await;
    let contract = repo_file("contracts/mobile-app.shop-api.yaml");
    ok(
        app,
        Method::PUT,
        "/api/v1/services/mobile-app/versions/7.0.0",
        json!({ "branch": "main" }),
    )
    .await;
    ok(
        app,
        Method::PUT,
        "/api/v1/services/mobile-app/versions/7.1.0",
        json!({ "branch": SCRIPT_BRANCH }),
    )
    .await;
    for version in ["7.0.0", "7.1.0"] {
        ok(
            app,
            Method::PUT,
            &format!("/api/v1/services/mobile-app/versions/{version}/contracts/shop-api"),
            contract.clone(),
        )
        .await;
    }
    let mut kiosk = contract.clone();
    kiosk["consumer"] = Value::from("kiosk-app");
    ok(
        app,
        Method::PUT,
        "/api/v1/services/kiosk-app/versions/2.0.0/contracts/shop-api",
        kiosk,
    )
    .await;
    ok(
        app,
        Method::PUT,
        &format!(
            "/api/v1/services/mobile-app/versions/{}",
            percent(QUOTE_VERSION)
        ),
        json!({}),
    )
    .await;
    for (environment, service, version) in [
        ("production", "shop-api", "1.0.0"),
        ("staging", "shop-api", "1.0.0"),
        ("production", "mobile-app", "7.0.0"),
        ("staging", "mobile-app", "7.1.0"),
        ("production", "kiosk-app", "2.0.0"),
    ] {
        ok(
            app,
            Method::POST,
            &format!("/api/v1/environments/{environment}/deployments"),
            json!({ "service": service, "version": version }),
        )
        .await;
    }
}

/// Percent-encodes a path segment or query value.
pub fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A browser's request: cookies, and a form body for POSTs.
async fn visit(
    router: Router,
    method: Method,
    path: &str,
    cookies: &[(&str, &str)],
    form: Option<&str>,
) -> Answer {
    let mut request = Request::builder().method(method).uri(path);
    if !cookies.is_empty() {
        let header: Vec<String> = cookies.iter().map(|(n, v)| format!("{n}={v}")).collect();
        request = request.header("cookie", header.join("; "));
    }
    if form.is_some() {
        request = request.header("content-type", "application/x-www-form-urlencoded");
    }
    let request = request
        .body(Body::from(form.unwrap_or_default().to_owned()))
        .expect("request");
    exchange(router, request).await
}

/// The value a `Set-Cookie` header of the answer gives `name`, and the whole header.
fn set_cookie(answer: &Answer, name: &str) -> Option<(String, String)> {
    answer
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("ASCII").to_owned())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| {
            let value = v[name.len() + 1..]
                .split(';')
                .next()
                .unwrap_or("")
                .to_owned();
            (value, v)
        })
}

async fn issue(app: &TestApp, name: &str, role: Role) -> String {
    let now = Utc::now();
    let spec = TokenSpec::new(name, role, &[], None, now).expect("token spec");
    token::issue(&app.store, &spec, now)
        .await
        .expect("issue a token")
        .secret
        .expose()
        .to_owned()
}

/// Signs in through the form: (csrf, session).
async fn sign_in(router: &Router, token: &str) -> (String, String) {
    let form = visit(router.clone(), Method::GET, "/sign-in", &[], None).await;
    assert_eq!(form.status, StatusCode::OK);
    let (csrf, _) = set_cookie(&form, "vow_csrf").expect("a CSRF cookie");
    let body = format!("token={token}&csrf={csrf}&next=%2F");
    let answer = visit(
        router.clone(),
        Method::POST,
        "/sign-in",
        &[("vow_csrf", &csrf)],
        Some(&body),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let (session, _) = set_cookie(&answer, "vow_session").expect("a session cookie");
    (csrf, session)
}

fn concrete(path: &str) -> String {
    path.replace("{service}", "shop-api").replace("{id}", "1")
}

/// When the seeded webhooks were created; their deliveries follow by the minute.
const WEBHOOKS_CREATED: &str = "2027-06-01T09:00:00Z";
/// A hostile body template and error text: they must show as text and never run.
const SCRIPT_TEMPLATE: &str = "<script>window.vowPwned=3</script> {{ consumer }}";
const SCRIPT_ERROR: &str = "the receiver answered 302 Found redirecting to \
     \"https://evil.example/<img src=x onerror=window.vowPwned=4>\"; webhooks never follow redirects";

fn at(minutes: i64) -> DateTime<Utc> {
    WEBHOOKS_CREATED.parse::<DateTime<Utc>>().expect("time") + Duration::minutes(minutes)
}

type Attempt<'a> = (Option<i32>, Option<&'a str>, AttemptOutcome);

/// Webhook 1: signed, with a secret header and a hostile body template, filtered to shop-api,
/// and three deliveries (succeeded, failed after a redirect, retrying after a 503). Webhook 2:
/// disabled, never delivered. Stored directly, at fixed times, with stand-ins for sealed values
/// that must never be shown.
async fn seed_webhooks(app: &TestApp) {
    let first = NewWebhook {
        events: &[
            EventKind::ContractContentChanged,
            EventKind::VerificationFailed,
        ],
        provider: Some("shop-api"),
        consumer: None,
        url: "https://hooks.example.com/vow?channel=payments",
        method: "POST",
        headers: r#"{"Authorization":{"sealed":"SEALED-HEADER"},"X-Team":{"template":"<b>{{ provider }}</b>"}}"#,
        body: Some(SCRIPT_TEMPLATE),
        secret: Some("SEALED-SECRET"),
        enabled: true,
    };
    let second = NewWebhook {
        events: &[EventKind::DeploymentRecorded],
        provider: None,
        consumer: Some("mobile-app"),
        url: "https://chat.example.com/hooks/deployments",
        method: "PUT",
        headers: "{}",
        body: None,
        secret: None,
        enabled: false,
    };
    for new in [&first, &second] {
        app.store
            .create_webhook(new, at(0))
            .await
            .expect("a webhook");
    }
    let payload = json!({ "consumer": "mobile-app", "provider": "shop-api" });
    // Per delivery, each attempt: the answer's status, the error, and what became of it.
    let attempts: [&[Attempt]; 3] = [
        &[(Some(204), None, AttemptOutcome::Succeeded)],
        &[
            (Some(302), Some(SCRIPT_ERROR), AttemptOutcome::Retry(at(12))),
            (Some(302), Some(SCRIPT_ERROR), AttemptOutcome::Failed),
        ],
        &[(
            Some(503),
            Some("the receiver answered 503 Service Unavailable"),
            AttemptOutcome::Retry(at(40)),
        )],
    ];
    for (i, tries) in attempts.iter().enumerate() {
        let queued = at(10 * (i as i64 + 1));
        let event = if i == 1 {
            EventKind::VerificationFailed
        } else {
            EventKind::ContractContentChanged
        };
        let delivery = app
            .store
            .queue_delivery(1, event, &payload, queued)
            .await
            .expect("a delivery");
        for (n, (code, error, outcome)) in tries.iter().enumerate() {
            let started = queued + Duration::minutes(n as i64 * 2);
            let attempt = AttemptRecord {
                attempt: n as i32 + 1,
                started_at: started,
                duration_ms: 120,
                response_code: *code,
                error: error.map(str::to_owned),
            };
            app.store
                .finish_attempt(delivery, &attempt, *outcome, started)
                .await
                .expect("an attempt");
        }
    }
}

#[test]
fn pages_are_not_api_routes_and_not_in_the_openapi_document() {
    let api: BTreeSet<String> = routes()
        .iter()
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    let document = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/broker-openapi.json"
    ))
    .expect("the document");
    let document: Value = serde_json::from_str(&document).expect("JSON");
    for (method, path, _) in pages() {
        assert!(!path.starts_with("/api/"), "{path} is a page under /api");
        assert!(
            !api.contains(&format!("{method} {path}")),
            "{method} {path}"
        );
        assert!(
            document["paths"].get(*path).is_none(),
            "{path} is documented as API"
        );
    }
}

/// A viewer: its name, the router it asks, its cookies, and the status a GET of the page
/// gets.
type Case<'a> = (&'a str, &'a Router, Vec<(&'a str, &'a str)>, StatusCode);

async fn every_page_lets_in_exactly_the_viewers_its_access_level_allows(app: TestApp) {
    seed(&app).await;
    seed_webhooks(&app).await;
    let open = app.router();
    // Before the first token, like the API: every page to anyone.
    for (method, path, _) in pages() {
        let form = (*method == Method::POST).then_some("");
        let answer = visit(open.clone(), method.clone(), &concrete(path), &[], form).await;
        let expected = if *method == Method::POST {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::OK
        };
        assert_eq!(answer.status, expected, "open broker: {method} {path}");
    }
    let reader = issue(&app, "reader", Role::Read).await;
    let locked = app.router();
    let public = app.router_with_public_read(true);
    let (csrf, session) = sign_in(&locked, &reader).await;
    let admin = issue(&app, "admin", Role::Admin).await;
    let (admin_csrf, admin_session) = sign_in(&locked, &admin).await;
    let revoked_token = issue(&app, "gone", Role::Admin).await;
    let (_, revoked_session) = sign_in(&locked, &revoked_token).await;
    app.store
        .revoke_token("gone", Utc::now())
        .await
        .expect("revoke");
    let mut seen = 0;
    for (method, path, access) in pages() {
        let path = concrete(path);
        // Without a session: public pages are shown, read pages only under public read, admin
        // pages never (the broker has tokens).
        let anonymous = |public_read: bool| match access {
            Access::Public => StatusCode::OK,
            Access::Read if public_read => StatusCode::OK,
            _ => StatusCode::SEE_OTHER,
        };
        // (viewer, router, cookies, expected status for a GET)
        let cases: [Case; 5] = [
            ("nobody", &locked, vec![], anonymous(false)),
            ("public read", &public, vec![], anonymous(true)),
            (
                "signed in",
                &locked,
                vec![("vow_session", &session), ("vow_csrf", &csrf)],
                if *access == Access::Admin {
                    StatusCode::FORBIDDEN
                } else {
                    StatusCode::OK
                },
            ),
            (
                "admin",
                &locked,
                vec![("vow_session", &admin_session), ("vow_csrf", &admin_csrf)],
                StatusCode::OK,
            ),
            (
                "revoked",
                &locked,
                vec![("vow_session", &revoked_session)],
                anonymous(false),
            ),
        ];
        for (viewer, router, cookies, get_status) in cases {
            let form = (*method == Method::POST).then_some("");
            let answer = visit(router.clone(), method.clone(), &path, &cookies, form).await;
            // A POST without the form's CSRF field is refused whoever may send it; those who
            // may not are sent to sign in first.
            let expected = match (*method == Method::POST, get_status) {
                (true, StatusCode::SEE_OTHER) => StatusCode::SEE_OTHER,
                (true, _) => StatusCode::FORBIDDEN,
                (false, status) => status,
            };
            assert_eq!(
                answer.status,
                expected,
                "{viewer}: {method} {path}: {}",
                answer.text()
            );
            if answer.status == StatusCode::SEE_OTHER {
                let location = answer.header("location").expect("location");
                assert!(location.starts_with("/sign-in?next="), "{location}");
            }
            if answer.status == StatusCode::FORBIDDEN && *method == Method::GET {
                assert_eq!(
                    answer.header("content-type"),
                    Some("text/html; charset=utf-8")
                );
                assert!(
                    answer.text().contains("needs a token with the admin role"),
                    "{}",
                    answer.text()
                );
            }
            if viewer == "revoked" && *method == Method::GET {
                let (cleared, header) =
                    set_cookie(&answer, "vow_session").expect("the session cookie is cleared");
                assert!(
                    cleared.is_empty() && header.contains("Max-Age=0"),
                    "{header}"
                );
            }
            seen += 1;
        }
    }
    assert_eq!(seen, pages().len() * 5);
}

async fn signing_in_starts_a_session_that_signing_out_and_revocation_end(app: TestApp) {
    seed(&app).await;
    let reader = issue(&app, "reader", Role::Read).await;
    let router = app.router();
    let form = visit(
        router.clone(),
        Method::GET,
        "/sign-in?next=%2Fservices%2Fshop-api",
        &[],
        None,
    )
    .await;
    let (csrf, header) = set_cookie(&form, "vow_csrf").expect("a CSRF cookie");
    assert!(
        header.contains("HttpOnly") && header.contains("SameSite=Strict"),
        "{header}"
    );
    assert!(!header.contains("Secure"), "plain HTTP: {header}");
    let page = form.text();
    assert!(
        page.contains(&format!("name=\"csrf\" value=\"{csrf}\"")),
        "{page}"
    );
    assert!(
        page.contains("value=\"&#x2f;services&#x2f;shop-api\""),
        "{page}"
    );

    // The form's CSRF field must match the cookie.
    let forged = visit(
        router.clone(),
        Method::POST,
        "/sign-in",
        &[("vow_csrf", &csrf)],
        Some(&format!("token={reader}&csrf=forged")),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(set_cookie(&forged, "vow_session").is_none());

    // A wrong token is a clear refusal.
    let wrong = visit(
        router.clone(),
        Method::POST,
        "/sign-in",
        &[("vow_csrf", &csrf)],
        Some(&format!("token=vow_{}&csrf={csrf}", "A".repeat(43))),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.text().contains("This broker has no such token."));

    // The right one starts a session and goes where it was asked to; another site is not a
    // place to go.
    let signed_in = visit(
        router.clone(),
        Method::POST,
        "/sign-in",
        &[("vow_csrf", &csrf)],
        Some(&format!(
            "token={reader}&csrf={csrf}&next=%2F%2Fevil.example"
        )),
    )
    .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_in.header("location"), Some("/"));
    let (session, header) = set_cookie(&signed_in, "vow_session").expect("a session");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(header.contains(attribute), "{header}");
    }
    let cookies = [
        ("vow_session", session.as_str()),
        ("vow_csrf", csrf.as_str()),
    ];
    let overview = visit(router.clone(), Method::GET, "/", &cookies, None).await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(
        overview
            .text()
            .contains("Signed in as <strong>reader</strong>")
    );

    // Signing out ends the session on the server, not only in this browser.
    let out = visit(
        router.clone(),
        Method::POST,
        "/sign-out",
        &cookies,
        Some(&format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(set_cookie(&out, "vow_session").is_some_and(|(v, _)| v.is_empty()));
    let after = visit(router.clone(), Method::GET, "/", &cookies, None).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);

    // Revoking the token ends every session it started.
    let (csrf, session) = sign_in(&router, &reader).await;
    let cookies = [
        ("vow_session", session.as_str()),
        ("vow_csrf", csrf.as_str()),
    ];
    assert_eq!(
        visit(router.clone(), Method::GET, "/", &cookies, None)
            .await
            .status,
        StatusCode::OK
    );
    app.store
        .revoke_token("reader", Utc::now())
        .await
        .expect("revoke");
    let revoked = visit(router.clone(), Method::GET, "/", &cookies, None).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let again = visit(
        router.clone(),
        Method::GET,
        "/sign-in",
        &[("vow_csrf", &csrf)],
        None,
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
}

async fn session_cookies_are_secure_behind_https(app: TestApp) {
    let reader = issue(&app, "reader", Role::Read).await;
    let https = |public_url: Option<&str>, trust: bool| {
        router(
            app.store.clone(),
            Settings {
                public_url: public_url.map(str::to_owned),
                trust_forwarded_proto: trust,
                ..Settings::default()
            },
        )
    };
    async fn csrf_cookie(router: Router, forwarded: bool) -> String {
        let mut request = Request::builder().uri("/sign-in");
        if forwarded {
            request = request.header("x-forwarded-proto", "https");
        }
        let answer = exchange(router, request.body(Body::empty()).unwrap()).await;
        set_cookie(&answer, "vow_csrf").expect("cookie").1
    }
    assert!(
        csrf_cookie(https(None, true), true)
            .await
            .contains("; Secure")
    );
    // A client's own header counts only behind a proxy the operator says sets it.
    assert!(
        !csrf_cookie(https(None, false), true)
            .await
            .contains("Secure")
    );
    assert!(
        csrf_cookie(https(Some("https://vow.example.com"), false), false)
            .await
            .contains("; Secure")
    );
    assert!(
        !csrf_cookie(https(Some("http://localhost:8080"), false), false)
            .await
            .contains("Secure")
    );
    let (_, session) = {
        let router = https(Some("https://vow.example.com"), false);
        let form = visit(router.clone(), Method::GET, "/sign-in", &[], None).await;
        let (csrf, _) = set_cookie(&form, "vow_csrf").unwrap();
        let answer = visit(
            router,
            Method::POST,
            "/sign-in",
            &[("vow_csrf", &csrf)],
            Some(&format!("token={reader}&csrf={csrf}")),
        )
        .await;
        set_cookie(&answer, "vow_session").expect("session")
    };
    assert!(
        session.contains("; Secure") && session.contains("HttpOnly"),
        "{session}"
    );
}

/// Redacts what changes from run to run: today's date, and the CSRF token.
fn stable(text: &str) -> String {
    let today = Utc::now().date_naive().to_string();
    let mut out = text.replace(&today, "[today]");
    let field = "name=\"csrf\" value=\"";
    let mut from = 0;
    while let Some(found) = out[from..].find(field) {
        let start = from + found + field.len();
        let end = start + out[start..].find('"').expect("closing quote");
        out.replace_range(start..end, "[csrf]");
        from = start + "[csrf]".len();
    }
    out
}

async fn page(router: &Router, path: &str) -> String {
    let answer = visit(router.clone(), Method::GET, path, &[], None).await;
    assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.text());
    assert_eq!(
        answer.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    stable(&answer.text())
}

async fn pages_render_the_seeded_broker(app: TestApp) {
    seed(&app).await;
    let router = app.router();
    insta::assert_snapshot!("overview", page(&router, "/").await);
    insta::assert_snapshot!("service", page(&router, "/services/mobile-app").await);
    insta::assert_snapshot!(
        "deprecations",
        page(
            &router,
            &format!("/services/shop-api/deprecations?as_of={AS_OF}")
        )
        .await
    );
    insta::assert_snapshot!(
        "can_i_deploy",
        page(&router, &format!("/can-i-deploy?service=mobile-app&version=7.0.0&environment=production&as_of={AS_OF}")).await
    );
    let css = visit(router.clone(), Method::GET, "/assets/vow.css", &[], None).await;
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(css.header("cache-control"), Some("public, max-age=86400"));
}

async fn the_can_i_deploy_form_gives_the_apis_answer(app: TestApp) {
    seed(&app).await;
    let router = app.router();
    for (service, version, environment, as_of) in [
        ("mobile-app", "7.0.0", "production", "2027-06-10"),
        ("mobile-app", "7.0.0", "production", "2027-07-01"),
        ("shop-api", "1.0.0", "production", "2027-07-01"),
        ("kiosk-app", "2.0.0", "staging", "2027-06-10"),
    ] {
        let query =
            format!("service={service}&version={version}&environment={environment}&as_of={as_of}");
        let (status, api) = app.get(&format!("/api/v1/can-i-deploy?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{api}");
        let html = page(&router, &format!("/can-i-deploy?{query}")).await;
        let verdict = match api["verdict"].as_str().unwrap() {
            "yes" => "Yes",
            "no" => "No",
            _ => "Unknown",
        };
        assert!(
            html.contains(&format!(
                "class=\"verdict verdict-{}\">{verdict}:",
                api["verdict"].as_str().unwrap()
            )),
            "{query}: {html}"
        );
        let rows = api["rows"].as_array().unwrap();
        assert_eq!(
            html.matches("<tr class=\"outcome-").count(),
            rows.len(),
            "{query}"
        );
        // The rows in the API's order, each with its outcome and reason code.
        let mut rest = html.as_str();
        for row in rows {
            let marker = format!(
                "<tr class=\"outcome-{}\">\n      <td><span class=\"badge badge-{0}\">{0}</span></td>\n      <td><code>{}</code></td>",
                row["outcome"].as_str().unwrap(),
                row["reason"].as_str().unwrap()
            );
            let at = rest
                .find(&marker)
                .unwrap_or_else(|| panic!("{query}: no {marker} in order"));
            rest = &rest[at + marker.len()..];
        }
        for notice in api["notices"].as_array().unwrap() {
            assert!(html.contains(&format!(
                "<code>{}</code>",
                notice["code"].as_str().unwrap()
            )));
        }
    }
}

async fn deprecation_windows_filter_sort_and_export_the_apis_rows(app: TestApp) {
    seed(&app).await;
    let router = app.router();
    let (_, api) = app
        .get(&format!(
            "/api/v1/deprecations?provider=shop-api&as_of={AS_OF}"
        ))
        .await;
    let all = api["deprecations"].as_array().unwrap().clone();
    assert!(all.len() >= 3, "{api}");
    let export = visit(
        router.clone(),
        Method::GET,
        &format!("/services/shop-api/deprecations?as_of={AS_OF}&format=json"),
        &[],
        None,
    )
    .await;
    assert_eq!(export.header("content-type"), Some("application/json"));
    assert_eq!(export.json(), api, "the JSON export is the API's answer");

    let csv = visit(
        router.clone(),
        Method::GET,
        &format!("/services/shop-api/deprecations?as_of={AS_OF}&format=csv"),
        &[],
        None,
    )
    .await;
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("shop-api-deprecations.csv")
    );
    let text = csv.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "provider,provider_version,element,interaction,status,sunset,days_left,consumer,consumer_version,environment"
    );
    assert_eq!(lines.len(), all.len() + 1);

    // Filters narrow the rows; the count says how many of all are shown.
    let html = page(&router, &format!("/services/shop-api/deprecations?as_of={AS_OF}&consumer=kiosk-app&environment=production")).await;
    let kiosk = all
        .iter()
        .filter(|r| r["consumer"] == "kiosk-app" && r["environment"] == "production")
        .count();
    assert!(kiosk > 0);
    assert!(html.contains(&format!("{kiosk} of ")), "{html}");
    assert!(!html.contains("mobile-app</a> <code>7.1.0"), "{html}");

    // Sorting by consumer, descending: kiosk-app's rows after mobile-app's.
    let csv = visit(
        router.clone(),
        Method::GET,
        &format!("/services/shop-api/deprecations?as_of={AS_OF}&sort=consumer&dir=desc&format=csv"),
        &[],
        None,
    )
    .await;
    let consumers: Vec<String> = csv
        .text()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(7).unwrap().to_owned())
        .collect();
    let mut sorted = consumers.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(consumers, sorted);
    assert_eq!(consumers.first().map(String::as_str), Some("mobile-app"));

    // Near rows stand out, in words as well as colour.
    let near = page(
        &router,
        &format!("/services/shop-api/deprecations?as_of={AS_OF}&status=near"),
    )
    .await;
    assert!(near.contains("<span class=\"badge badge-near\">near</span>"));
    assert!(!near.contains("badge-scheduled\">scheduled"));
    let overdue = page(
        &router,
        "/services/shop-api/deprecations?as_of=2027-07-01&status=overdue",
    )
    .await;
    assert!(overdue.contains("<tr class=\"status-overdue\">"));
}

async fn bad_input_gets_a_clear_page(app: TestApp) {
    seed(&app).await;
    let router = app.router();
    for (path, status, says) in [
        (
            "/services/nobody",
            StatusCode::NOT_FOUND,
            "no service named &quot;nobody&quot;",
        ),
        (
            "/services/nobody/deprecations",
            StatusCode::NOT_FOUND,
            "no service named",
        ),
        (
            "/services/bad%20name",
            StatusCode::BAD_REQUEST,
            "the service name",
        ),
        (
            "/services/shop-api/deprecations?as_of=someday",
            StatusCode::BAD_REQUEST,
            "as_of must be a date",
        ),
        (
            "/services/shop-api/deprecations?sort=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            StatusCode::BAD_REQUEST,
            "&lt;script&gt;",
        ),
        (
            "/services/shop-api/deprecations?status=%22%3E%3Cimg",
            StatusCode::BAD_REQUEST,
            "status must be",
        ),
        (
            "/services/shop-api/deprecations?environment=%00",
            StatusCode::BAD_REQUEST,
            "the environment name",
        ),
        (
            "/services/shop-api/deprecations?warning_days=-1",
            StatusCode::BAD_REQUEST,
            "warning_days",
        ),
        (
            "/services/shop-api/deprecations?format=xml",
            StatusCode::BAD_REQUEST,
            "format must be",
        ),
        (
            "/services/shop-api/deprecations?as_of=%FF%FE",
            StatusCode::BAD_REQUEST,
            "as_of must be a date",
        ),
        (
            "/can-i-deploy?service=mobile-app",
            StatusCode::BAD_REQUEST,
            "fill in version and environment",
        ),
        (
            "/can-i-deploy?service=nobody&version=1&environment=production",
            StatusCode::NOT_FOUND,
            "nobody",
        ),
        (
            "/can-i-deploy?service=mobile-app&version=7.0.0&environment=%3Cb%3E",
            StatusCode::BAD_REQUEST,
            "&lt;b&gt;",
        ),
        (
            "/can-i-deploy?service=mobile-app&version=7.0.0&environment=production&as_of=%3Cscript%3E",
            StatusCode::BAD_REQUEST,
            "&lt;script&gt;",
        ),
    ] {
        let answer = visit(router.clone(), Method::GET, path, &[], None).await;
        let text = answer.text();
        assert_eq!(answer.status, status, "{path}: {text}");
        assert_eq!(
            answer.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{path}"
        );
        assert!(text.contains(says), "{path}: {text}");
        assert!(
            !text.contains("<script>") && !text.contains("<img") && !text.contains("<b>"),
            "{path}: {text}"
        );
    }
    // Names from the database are text, never markup.
    for path in ["/", "/services/mobile-app"] {
        let text = page(&router, path).await;
        assert!(!text.contains("<script>window"), "{path}");
        assert!(!text.contains("\"onmouseover"), "{path}");
    }
    let service = page(&router, "/services/mobile-app").await;
    assert!(
        service.contains("&lt;script&gt;window.vowPwned=1&lt;&#x2f;script&gt;"),
        "{service}"
    );
    assert!(
        service.contains("7.2.0&quot;onmouseover=&quot;window.vowPwned=2"),
        "{service}"
    );
}

async fn webhook_pages_show_subscriptions_and_delivery_logs(app: TestApp) {
    seed_webhooks(&app).await;
    let router = app.router();
    let list = page(&router, "/webhooks").await;
    let one = page(&router, "/webhooks/1").await;
    let disabled = page(&router, "/webhooks/2").await;
    insta::assert_snapshot!("webhooks", list);
    insta::assert_snapshot!("webhook", one);
    // The newest delivery heads the list's row: retrying after a 503.
    assert!(list.contains("badge-near\">retrying"), "{list}");
    assert!(list.contains("answered 503"), "{list}");
    assert!(
        list.contains("disabled") && list.contains("none yet"),
        "{list}"
    );
    // Newest first: delivery 3, then 2, then 1.
    let (d3, d2, d1) = (
        one.find(">#3<").expect("delivery 3"),
        one.find(">#2<").expect("delivery 2"),
        one.find(">#1<").expect("delivery 1"),
    );
    assert!(d3 < d2 && d2 < d1);
    assert!(disabled.contains("No deliveries yet"), "{disabled}");
    for text in [&list, &one, &disabled] {
        // Sealed values never reach a page; hostile text is text.
        assert!(!text.contains("SEALED"), "{text}");
        assert!(!text.contains("<script>window"), "{text}");
        assert!(!text.contains("<img"), "{text}");
        assert!(!text.contains("<b>{{"), "{text}");
    }
    assert!(
        one.contains("&lt;script&gt;window.vowPwned=3&lt;&#x2f;script&gt;"),
        "{one}"
    );
    assert!(one.contains("&lt;img src=x onerror=window.vowPwned=4&gt;"));
    assert!(one.contains(">secret<") && one.contains("Signed</dt><dd>yes"));
    // Admins see the link to the webhooks; readers do not.
    assert!(list.contains("<a href=\"/webhooks\">Webhooks</a>"));
    // Bad ids and paging input: a clear page, never a 500.
    for (path, status, says) in [
        ("/webhooks/99", StatusCode::NOT_FOUND, "99"),
        ("/webhooks/0", StatusCode::BAD_REQUEST, "not a webhook id"),
        (
            "/webhooks/%3Cscript%3E",
            StatusCode::BAD_REQUEST,
            "&quot;&lt;script&gt;&quot; is not a webhook id",
        ),
        (
            "/webhooks/1?before=soon",
            StatusCode::BAD_REQUEST,
            "before must be a delivery id",
        ),
        ("/webhooks/1?before=-4", StatusCode::BAD_REQUEST, "before"),
    ] {
        let answer = visit(router.clone(), Method::GET, path, &[], None).await;
        let text = answer.text();
        assert_eq!(answer.status, status, "{path}: {text}");
        assert_eq!(
            answer.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert!(text.contains(says), "{path}: {text}");
        assert!(!text.contains("<script>"), "{path}: {text}");
    }
    // Once tokens exist, a reader is refused with a page that names the role needed.
    let reader = issue(&app, "reader", Role::Read).await;
    let locked = app.router();
    let (csrf, session) = sign_in(&locked, &reader).await;
    let cookies = [
        ("vow_session", session.as_str()),
        ("vow_csrf", csrf.as_str()),
    ];
    let overview = visit(locked.clone(), Method::GET, "/", &cookies, None).await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(!overview.text().contains("href=\"/webhooks\""));
    let refused = visit(locked.clone(), Method::GET, "/webhooks/1", &cookies, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused
            .text()
            .contains("with &quot;reader&quot;, which has the read role"),
        "{}",
        refused.text()
    );
    assert!(!refused.text().contains("SEALED"));
}

async fn the_delivery_log_pages_by_delivery_id(app: TestApp) {
    seed_webhooks(&app).await;
    // 55 more deliveries to webhook 2: two pages of the log.
    for i in 0..55 {
        app.store
            .queue_delivery(2, EventKind::Test, &json!({}), at(100 + i))
            .await
            .expect("a delivery");
    }
    let router = app.router();
    let first = page(&router, "/webhooks/2").await;
    // Deliveries 4 to 58 are webhook 2's; the newest 50 are 58 down to 9.
    assert_eq!(first.matches("<th scope=\"row\">#").count(), 50);
    assert!(first.contains(">#58<") && first.contains(">#9<") && !first.contains(">#8<"));
    assert!(first.contains("href=\"/webhooks/2?before=9\">Older deliveries"));
    assert!(!first.contains("Newest deliveries"));
    let second = page(&router, "/webhooks/2?before=9").await;
    assert_eq!(second.matches("<th scope=\"row\">#").count(), 5);
    assert!(second.contains(">#8<") && second.contains(">#4<"));
    assert!(!second.contains("?before="), "{second}");
    assert!(second.contains("href=\"/webhooks/2\">Newest deliveries"));
    let past = page(&router, "/webhooks/2?before=4").await;
    assert!(past.contains("No older deliveries"), "{past}");
}

async fn the_test_event_form_queues_a_delivery(app: TestApp) {
    seed_webhooks(&app).await;
    let admin = issue(&app, "admin", Role::Admin).await;
    let router = app.router();
    let (csrf, session) = sign_in(&router, &admin).await;
    let cookies = [
        ("vow_session", session.as_str()),
        ("vow_csrf", csrf.as_str()),
    ];
    let shown = visit(router.clone(), Method::GET, "/webhooks/2", &cookies, None).await;
    assert!(shown.text().contains("action=\"/webhooks/2/test\""));
    let forged = visit(
        router.clone(),
        Method::POST,
        "/webhooks/2/test",
        &cookies,
        Some("csrf=guessed"),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let sent = visit(
        router.clone(),
        Method::POST,
        "/webhooks/2/test",
        &cookies,
        Some(&format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
    assert_eq!(sent.header("location"), Some("/webhooks/2"));
    // The same delivery the API's test route queues: a pending `test` event, now in the log.
    let log = app.store.deliveries(2, None, 10).await.expect("the log");
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(
        (log[0].event.as_str(), log[0].status.as_str()),
        ("test", "pending")
    );
    let page = visit(router.clone(), Method::GET, "/webhooks/2", &cookies, None).await;
    assert!(page.text().contains("<code>test</code>"), "{}", page.text());
    let missing = visit(
        router.clone(),
        Method::POST,
        "/webhooks/99/test",
        &cookies,
        Some(&format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.header("content-type"),
        Some("text/html; charset=utf-8")
    );
}

async fn unknown_paths_get_html_outside_the_api_and_problem_json_inside(app: TestApp) {
    let router = app.router();
    for (method, path, status) in [
        (Method::GET, "/no-such-page", StatusCode::NOT_FOUND),
        (Method::GET, "/services", StatusCode::NOT_FOUND),
        (Method::GET, "/webhooks/1/deliveries", StatusCode::NOT_FOUND),
        (
            Method::GET,
            "/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            StatusCode::NOT_FOUND,
        ),
        (Method::DELETE, "/", StatusCode::METHOD_NOT_ALLOWED),
        (
            Method::POST,
            "/can-i-deploy",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ] {
        let answer = visit(router.clone(), method.clone(), path, &[], None).await;
        let text = answer.text();
        assert_eq!(answer.status, status, "{method} {path}: {text}");
        assert_eq!(
            answer.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{method} {path}"
        );
        assert!(text.contains("<main id=\"main\">"), "{text}");
        assert!(!text.contains("<script>"), "{text}");
    }
    let missing = page_error(&router, Method::GET, "/nowhere").await;
    assert!(
        missing.contains("no page at &quot;&#x2f;nowhere&quot;"),
        "{missing}"
    );
    // The API's own error body under /api/ and on the routes machines call.
    for (method, path, status, code) in [
        (
            Method::GET,
            "/api/v1/nothing",
            StatusCode::NOT_FOUND,
            "route_not_found",
        ),
        (
            Method::GET,
            "/api",
            StatusCode::NOT_FOUND,
            "route_not_found",
        ),
        (
            Method::GET,
            "/api/",
            StatusCode::NOT_FOUND,
            "route_not_found",
        ),
        (
            Method::DELETE,
            "/api/v1/services",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            Method::POST,
            "/healthz",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            Method::POST,
            "/metrics",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
    ] {
        let answer = visit(router.clone(), method.clone(), path, &[], None).await;
        assert_eq!(answer.status, status, "{method} {path}");
        assert_eq!(
            answer.header("content-type"),
            Some("application/json"),
            "{method} {path}"
        );
        let body: Value = serde_json::from_slice(&answer.body).expect("JSON");
        assert_eq!(body["code"], code, "{method} {path}: {body}");
    }
}

async fn page_error(router: &Router, method: Method, path: &str) -> String {
    visit(router.clone(), method, path, &[], None).await.text()
}
