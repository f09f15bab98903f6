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
use vow_broker::{Access, Settings, StoreSettings, pages, router, routes};
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
    deprecation_windows_say_since_which_version_an_element_is_deprecated,
    bad_input_gets_a_clear_page,
    the_integration_page_shows_the_contract_its_findings_and_its_evidence,
    the_overview_lists_integrations_and_pages_both_lists_by_name,
    integrations_follow_publications_and_verifications,
    the_matrix_filters_pages_and_exports_its_rows,
    the_matrix_answers_bad_input_and_hostile_data_with_text,
    the_service_page_pages_its_versions,
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
    path.replace("{service}", "shop-api")
        .replace("{consumer}", "mobile-app")
        .replace("{provider}", "shop-api")
        .replace("{id}", "1")
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

/// Asks for `path` and checks the answer is an HTML page with `status` that says `says`, with no
/// markup from the request or the database in it.
async fn clear_page(router: &Router, path: &str, status: StatusCode, says: &str) {
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
    insta::assert_snapshot!(
        "integration",
        page(&router, "/integrations/mobile-app/shop-api").await
    );
    seed_verifications(&app).await;
    insta::assert_snapshot!("matrix", timeless(&page(&router, "/matrix").await));
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
        "provider,provider_version,element,interaction,status,sunset,days_left,consumer,consumer_version,environment,stability,deprecated_in,deprecated_since"
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
        clear_page(&router, path, status, says).await;
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

/// `text` as the pages write it in an attribute (HTML-escaped, slashes too).
fn attr(text: &str) -> String {
    text.replace('&', "&amp;").replace('/', "&#x2f;")
}

/// A contract text that tries to close the `<pre>` it is shown in.
const PRE_BREAKER: &str = "</pre><script>window.vowPwned=4</script>";

/// Records a verification of `provider` `version` against the contract with `hash`.
async fn verify(app: &TestApp, version: &str, hash: &str, result: Value) {
    let mut body = json!({ "contract_hash": hash });
    for (k, v) in result.as_object().expect("an object") {
        body[k] = v.clone();
    }
    ok(
        app,
        Method::POST,
        &format!("/api/v1/services/shop-api/versions/{version}/verifications"),
        body,
    )
    .await;
}

async fn contract_hash(app: &TestApp, consumer: &str, version: &str) -> String {
    let (status, answer) = app
        .get(&format!(
            "/api/v1/services/{consumer}/versions/{version}/contracts"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["contracts"][0]["hash"]
        .as_str()
        .expect("a hash")
        .to_owned()
}

async fn the_integration_page_shows_the_contract_its_findings_and_its_evidence(app: TestApp) {
    seed(&app).await;
    let router = app.router();
    let old = contract_hash(&app, "mobile-app", "7.0.0").await;
    // A newer contract whose text tries to break out of the page.
    let mut hostile = repo_file("contracts/mobile-app.shop-api.yaml");
    hostile["interactions"][0]["description"] = Value::from(PRE_BREAKER);
    ok(
        &app,
        Method::PUT,
        "/api/v1/services/mobile-app/versions/7.3.0",
        json!({ "branch": SCRIPT_BRANCH }),
    )
    .await;
    ok(
        &app,
        Method::PUT,
        "/api/v1/services/mobile-app/versions/7.3.0/contracts/shop-api",
        hostile,
    )
    .await;
    // 50 passing results, then a failing one whose build URL is a script.
    for n in 0..50 {
        verify(
            &app,
            "1.0.0",
            &old,
            json!({ "passed": true, "build_url": format!("https://ci.example.com/builds/{n}") }),
        )
        .await;
    }
    verify(
        &app,
        "1.1.0",
        &old,
        json!({
            "passed": false,
            "failed_dimensions": ["latency"],
            "summary": {"interactions": 3, "passed": 2, "failed": 1,
                "findings": {"latency": {"errors": 1, "warnings": 2, "infos": 0}}},
            "build_url": "javascript:alert(1)",
        }),
    )
    .await;

    // The newest contract: the hostile text is shown, as text.
    let newest = page(&router, "/integrations/mobile-app/shop-api").await;
    assert!(!newest.contains("<script>window"), "{newest}");
    assert!(
        newest.contains("&lt;&#x2f;pre&gt;&lt;script&gt;window.vowPwned=4"),
        "{newest}"
    );
    assert!(newest.contains("<code>7.3.0</code> <span class=\"tag\">newest with a contract"));
    assert!(
        newest.contains("this contract has no verification yet"),
        "{newest}"
    );
    // The older contract is offered, and its page names its own verifications.
    assert!(
        newest.contains("href=\"/integrations/mobile-app/shop-api?consumer_version=7.1.0\""),
        "{newest}"
    );
    // The evidence history covers every contract of the pair: 50 rows, newest first, and a link
    // to the older ones.
    let passed_row = "<td><span class=\"badge badge-pass\">passed</span></td>";
    assert_eq!(newest.matches(passed_row).count(), 49, "{newest}");
    assert!(newest.contains("<td><code>1.1.0</code></td>"));
    assert!(
        newest.contains("<code>javascript:alert(1)</code>"),
        "{newest}"
    );
    assert!(!newest.contains("href=\"javascript"), "{newest}");
    assert!(newest.contains(&format!(
        "<a href=\"{}\">build</a>",
        attr("https://ci.example.com/builds/49")
    )));
    assert!(
        !newest.contains(&attr("https://ci.example.com/builds/0\"")),
        "only 50 rows"
    );
    let older = newest
        .split("<a href=\"")
        .find_map(|part| {
            part.strip_prefix("?before=")
                .map(|rest| format!("?before={}", &rest[..rest.find('"').expect("quote")]))
        })
        .expect("a link to older verifications");
    let next = page(
        &router,
        &format!("/integrations/mobile-app/shop-api{older}"),
    )
    .await;
    assert_eq!(next.matches(passed_row).count(), 1, "{next}");
    assert!(next.contains(&format!(
        "<a href=\"{}\">build</a>",
        attr("https://ci.example.com/builds/0")
    )));
    assert!(!next.contains("Older verifications"), "{next}");

    // The contract the verifications are about: the latest one's failed dimension and counts
    // under latency, the compatibility's findings under their dimensions.
    let shown = page(
        &router,
        "/integrations/mobile-app/shop-api?consumer_version=7.0.0",
    )
    .await;
    assert!(shown.contains(
        "<code>7.0.0</code> (<a href=\"/integrations/mobile-app/shop-api\">show the newest"
    ));
    assert!(
        shown.contains("<h3 id=\"dimension-latency\">latency <span class=\"badge badge-fail\">verification failed</span></h3>"),
        "{shown}"
    );
    assert!(shown.contains("Latest verification: 1 error, 2 warnings, 0 info."));
    assert!(shown.contains("<h3 id=\"dimension-auth\">auth</h3>"));
    assert!(
        shown.contains("deprecated with sunset 2027-06-30"),
        "{shown}"
    );
    assert!(
        shown.contains("<a href=\"/api/v1/services/shop-api/versions/1.0.0/spec\">the spec</a>")
    );
    // The same compatibility as the API's.
    let (_, api) = app
        .get("/api/v1/services/shop-api/versions/1.0.0/compatibility/mobile-app/7.0.0")
        .await;
    let verdict = if api["passed"] == true {
        "pass\">passed"
    } else {
        "fail\">failed"
    };
    assert!(
        shown.contains(&format!(
            "<dt>Compatibility</dt><dd>\n  \n    <span class=\"badge badge-{verdict}</span>"
        )),
        "{shown}"
    );
    // The older-page link keeps the contract shown.
    assert!(
        shown.contains("href=\"?consumer_version=7.0.0&amp;before="),
        "{shown}"
    );

    for (path, status, says) in [
        (
            "/integrations/nobody/shop-api",
            StatusCode::NOT_FOUND,
            "no service named &quot;nobody&quot;",
        ),
        (
            "/integrations/mobile-app/nobody",
            StatusCode::NOT_FOUND,
            "no service named &quot;nobody&quot;",
        ),
        (
            "/integrations/shop-api/mobile-app",
            StatusCode::NOT_FOUND,
            "shop-api has published no contract for mobile-app",
        ),
        (
            "/integrations/mobile-app/shop-api?consumer_version=9.9.9",
            StatusCode::NOT_FOUND,
            "mobile-app has no version &quot;9.9.9&quot; with a contract for shop-api",
        ),
        (
            "/integrations/mobile-app/shop-api?consumer_version=%3Cscript%3E",
            StatusCode::NOT_FOUND,
            "&lt;script&gt;",
        ),
        (
            "/integrations/mobile-app/shop-api?before=%3Cimg",
            StatusCode::BAD_REQUEST,
            "before must be a verification id",
        ),
        (
            "/integrations/bad%20name/shop-api",
            StatusCode::BAD_REQUEST,
            "the service name",
        ),
    ] {
        clear_page(&router, path, status, says).await;
    }
}

async fn the_overview_lists_integrations_and_pages_both_lists_by_name(app: TestApp) {
    seed(&app).await;
    let router = app.router();
    let hash = contract_hash(&app, "mobile-app", "7.0.0").await;
    verify(
        &app,
        "1.0.0",
        &hash,
        json!({ "passed": false, "failed_dimensions": ["shape", "auth"] }),
    )
    .await;
    let overview = page(&router, "/").await;
    assert!(
        overview.contains("3 services, 2 environments, 2 integrations."),
        "{overview}"
    );
    let mobile = overview
        .split("<tr>")
        .find(|row| row.contains("/integrations/mobile-app/shop-api"))
        .expect("the mobile-app row");
    assert!(
        mobile.contains("<span class=\"badge badge-fail\">failed</span> shape, auth")
            && mobile.contains("<code>1.0.0</code>")
            && mobile.contains("<code>7.1.0</code>"),
        "{mobile}"
    );
    let kiosk = overview
        .split("<tr>")
        .find(|row| row.contains("/integrations/kiosk-app/shop-api"))
        .expect("the kiosk-app row");
    assert!(kiosk.contains("not verified"), "{kiosk}");

    // Services by name, a page at a time.
    let first = app
        .store
        .services_page(vow_broker::store::Keyset::First, 2)
        .await
        .expect("a page");
    let names = |page: &vow_broker::store::KeysetPage<vow_broker::store::Service>| {
        page.rows.iter().map(|s| s.name.clone()).collect::<Vec<_>>()
    };
    assert_eq!(names(&first), ["kiosk-app", "mobile-app"]);
    assert!(!first.has_previous && first.has_next);
    let second = app
        .store
        .services_page(vow_broker::store::Keyset::After("mobile-app"), 2)
        .await
        .expect("a page");
    assert_eq!(names(&second), ["shop-api"]);
    assert!(second.has_previous && !second.has_next);
    let back = app
        .store
        .services_page(vow_broker::store::Keyset::Before("shop-api"), 2)
        .await
        .expect("a page");
    assert_eq!(names(&back), ["kiosk-app", "mobile-app"]);
    assert!(!back.has_previous && back.has_next);
    let pairs = app
        .store
        .integrations_page(
            vow_broker::store::Keyset::After(("kiosk-app", "shop-api")),
            1,
        )
        .await
        .expect("a page");
    assert_eq!(pairs.rows.len(), 1);
    assert_eq!(pairs.rows[0].consumer, "mobile-app");
    assert!(pairs.has_previous && !pairs.has_next);

    // The pages from a name, with links both ways.
    let after = page(&router, "/?after=kiosk-app").await;
    assert!(
        !after.contains("<a href=\"/services/kiosk-app\">"),
        "{after}"
    );
    assert!(after.contains("<a href=\"/services/shop-api\">"));
    assert!(
        after.contains(&format!(
            "href=\"{}\" rel=\"prev\"",
            attr("/?before=mobile-app")
        )),
        "{after}"
    );
    let before = page(&router, "/?before=mobile-app").await;
    assert!(before.contains("<a href=\"/services/kiosk-app\">"));
    assert!(!before.contains("<a href=\"/services/shop-api\">"));
    assert!(
        before.contains(&format!(
            "href=\"{}\" rel=\"next\"",
            attr("/?after=kiosk-app")
        )),
        "{before}"
    );
    let pairs = page(&router, "/?integrations_after=kiosk-app/shop-api").await;
    assert!(
        !pairs.contains("/integrations/kiosk-app/shop-api"),
        "{pairs}"
    );
    assert!(pairs.contains("/integrations/mobile-app/shop-api"));
    assert!(
        pairs.contains(&format!(
            "href=\"{}\" rel=\"prev\"",
            attr("/?integrations_before=mobile-app/shop-api#integrations")
        )),
        "{pairs}"
    );

    for (path, says) in [
        ("/?after=a&before=b", "not both"),
        ("/?after=%3Cscript%3E", "the service name"),
        ("/?integrations_after=kiosk-app", "is not an integration"),
        ("/?integrations_before=a/%3Cb%3E", "the service name"),
    ] {
        clear_page(&router, path, StatusCode::BAD_REQUEST, says).await;
    }

    // The service page links its pairs on both sides.
    let provider = page(&router, "/services/shop-api").await;
    assert!(provider.contains("<a href=\"/integrations/kiosk-app/shop-api\">kiosk-app</a>"));
    assert!(provider.contains("<a href=\"/integrations/mobile-app/shop-api\">mobile-app</a>"));
    let consumer = page(&router, "/services/mobile-app").await;
    assert!(consumer.contains("<a href=\"/integrations/mobile-app/shop-api\">shop-api</a>"));
}

/// The `integrations` table keeps each pair's newest contract and latest verification as
/// contracts and results arrive: an older version published later does not replace the
/// newest, and a result for another pair's contract does not touch this pair.
async fn integrations_follow_publications_and_verifications(app: TestApp) {
    seed(&app).await;
    let pair = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            let (providers, _) = store.integrations_of("mobile-app", 10).await.expect("read");
            assert_eq!(providers.len(), 1);
            providers[0].clone()
        }
    };
    assert_eq!(pair(&app).await.consumer_version, "7.1.0");
    assert!(pair(&app).await.latest.is_none());
    let contract = repo_file("contracts/mobile-app.shop-api.yaml");
    ok(
        &app,
        Method::PUT,
        "/api/v1/services/mobile-app/versions/8.0.0/contracts/shop-api",
        contract.clone(),
    )
    .await;
    assert_eq!(pair(&app).await.consumer_version, "8.0.0");
    // A version made before 8.0.0 that publishes after it is not the newest.
    ok(
        &app,
        Method::PUT,
        &format!(
            "/api/v1/services/mobile-app/versions/{}/contracts/shop-api",
            percent(QUOTE_VERSION)
        ),
        contract,
    )
    .await;
    assert_eq!(pair(&app).await.consumer_version, "8.0.0");

    let kiosk = contract_hash(&app, "kiosk-app", "2.0.0").await;
    verify(&app, "1.0.0", &kiosk, json!({ "passed": true })).await;
    assert!(
        pair(&app).await.latest.is_none(),
        "kiosk-app's result is not mobile-app's"
    );
    let mobile = contract_hash(&app, "mobile-app", "7.0.0").await;
    verify(&app, "1.0.0", &mobile, json!({ "passed": true })).await;
    verify(
        &app,
        "1.2.0",
        &mobile,
        json!({ "passed": false, "failed_dimensions": ["errors"] }),
    )
    .await;
    let latest = pair(&app).await.latest.expect("a verification");
    assert_eq!(latest.provider_version, "1.2.0");
    assert!(!latest.passed);
    assert_eq!(latest.failed_dimensions, [vow_core::Dimension::Errors]);
    let (_, consumers) = app
        .store
        .integrations_of("shop-api", 10)
        .await
        .expect("read");
    let kiosk_row = consumers
        .iter()
        .find(|r| r.consumer == "kiosk-app")
        .expect("kiosk");
    assert!(kiosk_row.latest.as_ref().is_some_and(|l| l.passed));
}

/// A hostile build URL that is an https address: it may be a link, but must stay one attribute.
pub const QUOTE_BUILD_URL: &str = "https://ci.example.com/\"><script>window.vowPwned=3</script>";
/// A build URL that is a script: it must never be a link.
pub const SCRIPT_BUILD_URL: &str = "javascript:window.vowPwned=4";

/// Verification results over [`seed`], in this order: shop-api 1.0.0 fails and then passes
/// mobile-app's contract (7.0.0 and 7.1.0 share it), and fails kiosk-app's (a `javascript:` build
/// URL); shop-api 1.1.0 fails mobile-app's (a build URL that tries to close its attribute).
/// mobile-app 7.1.0 is also released to production.
pub async fn seed_verifications(app: &TestApp) {
    let mobile = contract_hash(app, "mobile-app", "7.0.0").await;
    let kiosk = contract_hash(app, "kiosk-app", "2.0.0").await;
    ok(
        app,
        Method::PUT,
        "/api/v1/services/shop-api/versions/1.1.0",
        json!({ "branch": "next" }),
    )
    .await;
    for (version, hash, passed, failed, build_url) in [
        (
            "1.0.0",
            &mobile,
            false,
            json!(["shape"]),
            json!("https://ci.example.com/shop-api/1"),
        ),
        (
            "1.0.0",
            &mobile,
            true,
            json!([]),
            json!("https://ci.example.com/shop-api/2"),
        ),
        (
            "1.0.0",
            &kiosk,
            false,
            json!(["latency"]),
            json!(SCRIPT_BUILD_URL),
        ),
        (
            "1.1.0",
            &mobile,
            false,
            json!(["errors", "shape"]),
            json!(QUOTE_BUILD_URL),
        ),
    ] {
        ok(
            app,
            Method::POST,
            &format!("/api/v1/services/shop-api/versions/{version}/verifications"),
            json!({
                "contract_hash": hash,
                "passed": passed,
                "failed_dimensions": failed,
                "build_url": build_url,
            }),
        )
        .await;
    }
    ok(
        app,
        Method::POST,
        "/api/v1/environments/production/releases",
        json!({ "service": "mobile-app", "version": "7.1.0" }),
    )
    .await;
}

/// Redacts verification times, which change from run to run.
fn timeless(text: &str) -> String {
    let mut out = text.to_owned();
    let mut from = 0;
    while let Some(at) = out[from..].find("<time datetime=\"") {
        let start = from + at;
        let end = start + out[start..].find("</time>").expect("closing tag");
        out.replace_range(start..end, "<time datetime=\"[time]\">[time]");
        from = start + "<time datetime=\"[time]\">[time]</time>".len();
    }
    out
}

/// A matrix row as the tests compare it: (consumer, consumer version, provider, provider
/// version, passed).
type MatrixLine = (String, String, String, String, bool);

/// The matrix's rows as JSON, and its next cursor.
async fn matrix_rows(router: &Router, query: &str) -> (Vec<MatrixLine>, Value) {
    let answer = visit(
        router.clone(),
        Method::GET,
        &format!("/matrix?{query}&format=json"),
        &[],
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.text());
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let body = answer.json();
    let rows = body["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["consumer"].as_str().unwrap().to_owned(),
                r["consumer_version"].as_str().unwrap().to_owned(),
                r["provider"].as_str().unwrap().to_owned(),
                r["provider_version"].as_str().unwrap().to_owned(),
                r["passed"].as_bool().unwrap(),
            )
        })
        .collect();
    (rows, body["next"].clone())
}

fn row(consumer: &str, version: &str, provider_version: &str, passed: bool) -> MatrixLine {
    (
        consumer.to_owned(),
        version.to_owned(),
        "shop-api".to_owned(),
        provider_version.to_owned(),
        passed,
    )
}

async fn the_matrix_filters_pages_and_exports_its_rows(app: TestApp) {
    seed(&app).await;
    seed_verifications(&app).await;
    let router = app.router();
    // Newest verification first; one verification counts for every consumer version whose
    // contract it verified; a later result replaces an earlier one for the same pair.
    let all = vec![
        row("mobile-app", "7.1.0", "1.1.0", false),
        row("mobile-app", "7.0.0", "1.1.0", false),
        row("kiosk-app", "2.0.0", "1.0.0", false),
        row("mobile-app", "7.1.0", "1.0.0", true),
        row("mobile-app", "7.0.0", "1.0.0", true),
    ];
    let (rows, next) = matrix_rows(&router, "").await;
    assert_eq!(rows, all);
    assert!(next.is_null());

    // The HTML shows the same rows in the same order.
    let html = page(&router, "/matrix").await;
    assert_eq!(
        html.matches("<tr class=\"result-").count(),
        all.len(),
        "{html}"
    );
    let mut rest = html.as_str();
    for (consumer, version, provider, provider_version, passed) in &all {
        let marker = format!(
            "<tr class=\"result-{}\">\n      <td><a href=\"/services/{consumer}\">{consumer}</a></td>\n      <td><code>{version}</code>",
            if *passed { "passed" } else { "failed" }
        );
        let at = rest
            .find(&marker)
            .unwrap_or_else(|| panic!("no {marker} in order: {html}"));
        rest = &rest[at + marker.len()..];
        let provider_cell = format!(
            "<a href=\"/services/{provider}\">{provider}</a></td>\n      <td><code>{provider_version}</code>"
        );
        assert!(
            rest.starts_with(&provider_cell) || rest.contains(&provider_cell),
            "{html}"
        );
    }
    assert!(html.contains("failed</span> shape, errors"), "{html}");
    assert!(
        html.contains(
            "<a href=\"https:&#x2f;&#x2f;ci.example.com&#x2f;shop-api&#x2f;2\">build</a>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"/can-i-deploy?service=kiosk-app&amp;version=2.0.0&amp;environment=production\">"),
        "{html}"
    );

    // Each filter narrows the rows to those it names.
    // The matrix takes a short branch's links to its contracts in hand; with every branch long,
    // it finds the same rows another way.
    let every_branch_long = app
        .router_with_store_settings(&StoreSettings {
            short_branch: 0,
            ..StoreSettings::default()
        })
        .await;
    let only = |keep: &dyn Fn(&MatrixLine) -> bool| {
        all.iter().filter(|r| keep(r)).cloned().collect::<Vec<_>>()
    };
    for (query, expected) in [
        ("consumer=kiosk-app", only(&|r| r.0 == "kiosk-app")),
        (
            "consumer=mobile-app&consumer_version=7.0.0",
            only(&|r| r.1 == "7.0.0"),
        ),
        ("consumer_branch=main", only(&|r| r.1 == "7.0.0")),
        ("provider=shop-api", all.clone()),
        (
            "provider=shop-api&provider_version=1.0.0",
            only(&|r| r.3 == "1.0.0"),
        ),
        ("result=passed", only(&|r| r.4)),
        ("result=failed", only(&|r| !r.4)),
        // Both versions run there: shop-api 1.0.0 is deployed to each; mobile-app 7.0.0 and
        // kiosk-app 2.0.0 are deployed to production and 7.1.0 is released there.
        ("environment=production", only(&|r| r.3 == "1.0.0")),
        (
            "environment=staging",
            only(&|r| r.1 == "7.1.0" && r.3 == "1.0.0"),
        ),
        (
            "consumer=mobile-app&result=failed&environment=production",
            vec![],
        ),
        // One consumer's rows start from its contracts; each other filter still applies.
        (
            "consumer=mobile-app&consumer_branch=main",
            only(&|r| r.0 == "mobile-app" && r.1 == "7.0.0"),
        ),
        (
            "consumer=mobile-app&environment=staging",
            only(&|r| r.0 == "mobile-app" && r.1 == "7.1.0" && r.3 == "1.0.0"),
        ),
        (
            "consumer=mobile-app&provider=shop-api",
            only(&|r| r.0 == "mobile-app"),
        ),
        (
            "consumer=mobile-app&result=passed",
            only(&|r| r.0 == "mobile-app" && r.4),
        ),
        (
            "consumer=mobile-app&provider=shop-api&provider_version=1.1.0",
            only(&|r| r.0 == "mobile-app" && r.3 == "1.1.0"),
        ),
        ("consumer=kiosk-app&consumer_branch=main", vec![]),
        (
            "provider=shop-api&consumer_branch=main",
            only(&|r| r.1 == "7.0.0"),
        ),
        (
            "provider=shop-api&result=failed&environment=production",
            only(&|r| r.3 == "1.0.0" && !r.4),
        ),
        ("consumer_branch=nowhere", vec![]),
        (
            "consumer_branch=main&result=failed",
            only(&|r| r.1 == "7.0.0" && !r.4),
        ),
        (
            "consumer_branch=main&environment=production",
            only(&|r| r.1 == "7.0.0" && r.3 == "1.0.0"),
        ),
        (
            "consumer_branch=main&provider=shop-api&provider_version=1.1.0",
            only(&|r| r.1 == "7.0.0" && r.3 == "1.1.0"),
        ),
        ("consumer_branch=main&provider=mobile-app", vec![]),
        ("provider=mobile-app", vec![]),
    ] {
        let (rows, _) = matrix_rows(&router, query).await;
        assert_eq!(rows, expected, "{query}");
        let html = page(&router, &format!("/matrix?{query}")).await;
        assert_eq!(
            html.matches("<tr class=\"result-").count(),
            expected.len(),
            "{query}"
        );
        let (rows, _) = matrix_rows(&every_branch_long, query).await;
        assert_eq!(rows, expected, "{query}, every branch long");
    }

    // A small limit pages through every row once, in order, by the next links.
    let mut seen = Vec::new();
    let mut query = "limit=2".to_owned();
    let mut pages = 0;
    loop {
        let (rows, next) = matrix_rows(&router, &query).await;
        assert!(rows.len() <= 2);
        let html = page(&router, &format!("/matrix?{query}")).await;
        seen.extend(rows);
        pages += 1;
        match next.as_str() {
            Some(cursor) => {
                assert!(
                    html.contains(&format!("&amp;before={cursor}\" rel=\"next\">")),
                    "{html}"
                );
                query = format!("limit=2&before={cursor}");
            }
            None => {
                assert!(!html.contains("rel=\"next\""), "{html}");
                break;
            }
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, all);
    // Paging keeps the filters.
    let (first, next) = matrix_rows(&router, "result=failed&limit=1").await;
    let (second, _) = matrix_rows(
        &router,
        &format!("result=failed&limit=1&before={}", next.as_str().unwrap()),
    )
    .await;
    assert_eq!([first, second].concat(), all[..2].to_vec());
    // One consumer's rows, read a row at a time, are its rows in one page.
    let (whole, _) = matrix_rows(&router, "consumer=mobile-app").await;
    assert!(whole.len() >= 3, "{whole:?}");
    assert_eq!(
        one_row_at_a_time(&router, "consumer=mobile-app").await,
        whole
    );
    let html = page(&router, "/matrix?result=failed&limit=1").await;
    assert!(
        html.contains("result=failed&amp;environment=&amp;limit=1&amp;before="),
        "{html}"
    );

    // So are a branch's and a consumer's, the branch short or long. Two more provider
    // versions verify mobile-app's contract, so that each verification on a page has a row of
    // the branch (7.0.0) and one of another version (7.1.0).
    let mobile = contract_hash(&app, "mobile-app", "7.0.0").await;
    for version in ["1.2.0", "1.3.0"] {
        ok(
            &app,
            Method::POST,
            &format!("/api/v1/services/shop-api/versions/{version}/verifications"),
            json!({ "contract_hash": mobile, "passed": true }),
        )
        .await;
    }
    let on_main = ["7.0.0 1.3.0", "7.0.0 1.2.0", "7.0.0 1.1.0", "7.0.0 1.0.0"];
    for filter in [
        "consumer_branch=main",
        "consumer=mobile-app&consumer_branch=main",
        "consumer=mobile-app",
    ] {
        let (whole, _) = matrix_rows(&router, filter).await;
        if filter.contains("main") {
            let versions: Vec<String> = whole.iter().map(|r| format!("{} {}", r.1, r.3)).collect();
            assert_eq!(versions, on_main, "{filter}");
        } else {
            assert_eq!(whole.len(), 8, "{filter}: {whole:?}");
        }
        for (which, router) in [("short", &router), ("long", &every_branch_long)] {
            let paged = one_row_at_a_time(router, filter).await;
            assert_eq!(
                paged, whole,
                "{filter}, a row at a time, the branch {which}"
            );
        }
    }
}

/// Every row of the matrix that `filter` selects, read a row at a time by the next links.
async fn one_row_at_a_time(router: &Router, filter: &str) -> Vec<MatrixLine> {
    let mut rows = Vec::new();
    let mut query = format!("{filter}&limit=1");
    loop {
        let (page, next) = matrix_rows(router, &query).await;
        rows.extend(page);
        match next.as_str() {
            Some(cursor) => query = format!("{filter}&limit=1&before={cursor}"),
            None => return rows,
        }
    }
}

async fn the_matrix_answers_bad_input_and_hostile_data_with_text(app: TestApp) {
    seed(&app).await;
    seed_verifications(&app).await;
    let router = app.router();
    for (path, status, says) in [
        (
            "/matrix?limit=abc",
            StatusCode::BAD_REQUEST,
            "limit must be a number from 1 to 1000, not &quot;abc&quot;",
        ),
        ("/matrix?limit=0", StatusCode::BAD_REQUEST, "limit must be"),
        (
            "/matrix?limit=1001",
            StatusCode::BAD_REQUEST,
            "limit must be",
        ),
        (
            "/matrix?result=maybe",
            StatusCode::BAD_REQUEST,
            "result must be passed or failed, not &quot;maybe&quot;",
        ),
        (
            "/matrix?result=%3Cscript%3E",
            StatusCode::BAD_REQUEST,
            "&lt;script&gt;",
        ),
        (
            "/matrix?before=yesterday",
            StatusCode::BAD_REQUEST,
            "before must be",
        ),
        (
            "/matrix?format=xml",
            StatusCode::BAD_REQUEST,
            "format must be html or json",
        ),
        (
            "/matrix?consumer_version=7.0.0",
            StatusCode::BAD_REQUEST,
            "consumer_version needs consumer",
        ),
        (
            "/matrix?provider_version=1.0.0",
            StatusCode::BAD_REQUEST,
            "provider_version needs provider",
        ),
        (
            "/matrix?consumer=%3Cb%3E",
            StatusCode::BAD_REQUEST,
            "the service name",
        ),
        (
            "/matrix?environment=%3Cimg%3E",
            StatusCode::BAD_REQUEST,
            "&lt;img&gt;",
        ),
        (
            "/matrix?consumer=nobody",
            StatusCode::NOT_FOUND,
            "no service named &quot;nobody&quot;",
        ),
        (
            "/matrix?provider=nobody",
            StatusCode::NOT_FOUND,
            "no service named &quot;nobody&quot;",
        ),
        (
            "/matrix?consumer=mobile-app&consumer_version=9.9.9",
            StatusCode::NOT_FOUND,
            "mobile-app has no version &quot;9.9.9&quot;",
        ),
        (
            "/matrix?provider=shop-api&provider_version=9.9.9",
            StatusCode::NOT_FOUND,
            "shop-api has no version",
        ),
        (
            "/matrix?environment=mars",
            StatusCode::NOT_FOUND,
            "no environment named &quot;mars&quot;",
        ),
        (
            "/matrix?limit=%FF%FE",
            StatusCode::BAD_REQUEST,
            "limit must be",
        ),
    ] {
        clear_page(&router, path, status, says).await;
    }
    // Free text from the database and the query string shows as text, never markup.
    let html = page(
        &router,
        "/matrix?consumer_branch=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    )
    .await;
    assert!(
        html.contains("value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;&#x2f;script&gt;\""),
        "{html}"
    );
    assert!(html.contains("No verification results match."), "{html}");
    let html = page(&router, "/matrix").await;
    assert!(!html.contains("<script>window"), "{html}");
    assert!(
        html.contains("&lt;script&gt;window.vowPwned=1&lt;&#x2f;script&gt;"),
        "{html}"
    );
    // An https build URL is a link whose quote cannot end the attribute; a script is text.
    assert!(
        html.contains("<a href=\"https:&#x2f;&#x2f;ci.example.com&#x2f;&quot;&gt;&lt;script&gt;window.vowPwned=3&lt;&#x2f;script&gt;\">build</a>"),
        "{html}"
    );
    assert!(!html.contains("href=\"javascript:"), "{html}");
    assert!(
        html.contains("<code>javascript:window.vowPwned=4</code>"),
        "{html}"
    );
    // The JSON export carries the text as it was published, for scripts to handle.
    let (_, _) = matrix_rows(&router, "").await;
    let answer = visit(
        router.clone(),
        Method::GET,
        "/matrix?consumer=mobile-app&consumer_version=7.1.0&format=json",
        &[],
        None,
    )
    .await;
    let body = answer.json();
    assert_eq!(body["rows"][0]["consumer_branch"], SCRIPT_BRANCH);
    assert_eq!(body["rows"][0]["build_url"], QUOTE_BUILD_URL);
    assert_eq!(
        body["rows"][0]["failed_dimensions"],
        json!(["shape", "errors"])
    );
}

async fn the_service_page_pages_its_versions(app: TestApp) {
    seed(&app).await;
    for n in 0..60 {
        ok(
            &app,
            Method::PUT,
            &format!("/api/v1/services/paged-app/versions/1.0.{n}"),
            json!({ "branch": "main" }),
        )
        .await;
    }
    let router = app.router();
    let versions_of = |html: &str| -> Vec<String> {
        html.match_indices("<tr><td><code>1.0.")
            .map(|(at, _)| {
                let start = at + "<tr><td><code>".len();
                let end = start + html[start..].find('<').unwrap();
                html[start..end].to_owned()
            })
            .collect()
    };
    let first = page(&router, "/services/paged-app").await;
    let newest: Vec<String> = (10..60).rev().map(|n| format!("1.0.{n}")).collect();
    assert_eq!(versions_of(&first), newest);
    assert!(first.contains("The newest 50, newest first"), "{first}");
    assert!(
        first.contains(
            "<a href=\"/services/paged-app?before=1.0.10#versions\" rel=\"next\">Older versions</a>"
        ),
        "{first}"
    );
    let older = page(&router, "/services/paged-app?before=1.0.10").await;
    let oldest: Vec<String> = (0..10).rev().map(|n| format!("1.0.{n}")).collect();
    assert_eq!(versions_of(&older), oldest);
    assert!(
        older.contains("10 older than <code>1.0.10</code>"),
        "{older}"
    );
    assert!(!older.contains("Older versions"), "{older}");
    assert!(
        older.contains("<a href=\"/services/paged-app#versions\">Newest</a>"),
        "{older}"
    );
    // A service with few versions has no pager.
    let mobile = page(&router, "/services/mobile-app").await;
    assert!(!mobile.contains("Older versions"), "{mobile}");
    for (path, status, says) in [
        (
            "/services/paged-app?before=9.9.9",
            StatusCode::NOT_FOUND,
            "paged-app has no version &quot;9.9.9&quot;",
        ),
        (
            "/services/paged-app?before=%20",
            StatusCode::BAD_REQUEST,
            "version",
        ),
    ] {
        clear_page(&router, path, status, says).await;
    }
}

async fn deprecation_windows_say_since_which_version_an_element_is_deprecated(app: TestApp) {
    // The first spec that marks the summary deprecated is the one of a version with markup in
    // its number; a later version with the same spec does not move the date.
    let hostile = "0.9\"><b>old";
    let spec = json!({
        "formatVersion": 1,
        "root": "shop-api.yaml",
        "documents": { "shop-api.yaml": repo_file("specs/shop-api.yaml") },
    });
    for version in [hostile, "1.0.0"] {
        ok(
            &app,
            Method::PUT,
            &format!(
                "/api/v1/services/shop-api/versions/{}/spec",
                percent(version)
            ),
            spec.clone(),
        )
        .await;
    }
    ok(
        &app,
        Method::PUT,
        "/api/v1/services/mobile-app/versions/7.0.0/contracts/shop-api",
        repo_file("contracts/mobile-app.shop-api.yaml"),
    )
    .await;
    ok(
        &app,
        Method::PUT,
        "/api/v1/environments/production",
        json!({}),
    )
    .await;
    for (service, version) in [("shop-api", "1.0.0"), ("mobile-app", "7.0.0")] {
        ok(
            &app,
            Method::POST,
            "/api/v1/environments/production/deployments",
            json!({ "service": service, "version": version }),
        )
        .await;
    }
    let (_, api) = app
        .get(&format!(
            "/api/v1/deprecations?provider=shop-api&as_of={AS_OF}"
        ))
        .await;
    let today = Utc::now().date_naive().to_string();
    let summary = api["deprecations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["element"] == "GET /carts/{cartId}/summary")
        .unwrap_or_else(|| panic!("{api}"));
    assert_eq!(summary["provider_version"], "1.0.0", "{api}");
    assert_eq!(summary["deprecated_in"], hostile, "{api}");
    assert_eq!(summary["deprecated_since"], today.as_str(), "{api}");
    assert_eq!(summary["stability"], "stable", "{api}");

    let html = page(
        &app.router(),
        &format!("/services/shop-api/deprecations?as_of={AS_OF}"),
    )
    .await;
    assert!(
        html.contains(
            "<time datetime=\"[today]\">[today]</time> in <code>0.9&quot;&gt;&lt;b&gt;old</code>"
        ),
        "{html}"
    );
    assert!(!html.contains("<b>old"), "{html}");
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
        clear_page(&router, path, status, says).await;
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
