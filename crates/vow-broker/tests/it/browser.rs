//! The pages in a real browser: headless Chromium driven over WebDriver (chromedriver on a free
//! loopback port, started here), against a broker served on loopback with the pages tests' data.
//! One journey: signing in, overview → service → deprecation windows, filtering and sorting, the
//! can-I-deploy form, hostile names that must stay text, and signing out. Screenshots go to
//! `target/e2e-screenshots/`. Without chromedriver the test says so and passes on a developer
//! machine, and fails when `CI` is set.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use axum::http::Method;
use chrono::Utc;
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use vow_broker::Settings;
use vow_broker::store::NewVerification;
use vow_broker::token::{self, Role, TokenSpec};

use crate::pages::{AS_OF, SCRIPT_BRANCH, seed};
use crate::support::TestApp;

/// chromedriver on a free port; killed when dropped.
struct Driver {
    _child: Child,
    url: String,
}

async fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    listener.local_addr().expect("address").port()
}

/// Starts chromedriver, or says why not: `None` on a developer machine without it.
async fn chromedriver() -> Option<Driver> {
    let program = std::env::var("VOW_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned());
    let port = free_port().await;
    let child = Command::new(&program)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn();
    let child = match child {
        Ok(child) => child,
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but {program} does not start ({e}): install Debian's chromium and \
                 chromium-driver (.ci/run does)"
            );
            #[allow(clippy::print_stderr)] // a test telling the developer what it did not run
            {
                eprintln!("{program} does not start ({e}): browser test not run");
            }
            return None;
        }
    };
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Some(Driver {
                _child: child,
                url: format!("http://127.0.0.1:{port}"),
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not listen on port {port} within 10 s");
}

fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("..")
        .join("e2e-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

async fn shot(driver: &Client, name: &str) {
    let png = driver.screenshot().await.expect("screenshot");
    std::fs::write(screenshots().join(format!("{name}.png")), png).expect("screenshot file");
}

async fn body_text(driver: &Client) -> String {
    driver
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("text")
}

async fn path_of(driver: &Client) -> String {
    let url = driver.current_url().await.expect("url");
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

async fn pwned(driver: &Client) -> String {
    driver
        .execute("return typeof window.vowPwned;", Vec::new())
        .await
        .expect("script")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_person_signs_in_reads_deprecation_windows_and_asks_can_i_deploy() {
    let Some(chromedriver) = chromedriver().await else {
        return;
    };
    let app = TestApp::sqlite().await;
    seed(&app).await;
    let now = Utc::now();
    let spec = TokenSpec::new("alice", Role::Read, &[], None, now).expect("spec");
    let secret = token::issue(&app.store, &spec, now).await.expect("token");
    let secret = secret.secret.expose().to_owned();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let broker = format!("http://{}", listener.local_addr().expect("address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(vow_broker::serve(
        listener,
        app.store.clone(),
        Settings::default(),
        async {
            let _ = stopped.await;
        },
    ));

    let mut chrome = json!({
        "args": [
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--window-size=1280,1000",
        ],
    });
    if std::path::Path::new("/usr/bin/chromium").exists() {
        chrome["binary"] = json!("/usr/bin/chromium");
    }
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".to_owned(), json!("chrome"));
    caps.insert("goog:chromeOptions".to_owned(), chrome);
    // chromedriver listens on loopback over plain HTTP: no TLS in the connector.
    let driver = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&chromedriver.url)
        .await
        .expect("a Chromium session");
    let outcome = journey(&driver, &app, &broker, &secret).await;
    driver.close().await.ok();
    let _ = stop.send(());
    server.await.expect("server task").expect("server");
    outcome.expect("the journey");
}

async fn journey(
    driver: &Client,
    app: &TestApp,
    broker: &str,
    secret: &str,
) -> Result<(), CmdError> {
    // The broker has a token: pages send a stranger to sign in, and back afterwards.
    driver.goto(&format!("{broker}/services/shop-api")).await?;
    assert!(
        path_of(driver).await.starts_with("/sign-in?next="),
        "{}",
        path_of(driver).await
    );
    shot(driver, "01-sign-in").await;
    // Keyboard first: the skip link is the first thing Tab reaches.
    driver
        .find(Locator::Css("body"))
        .await?
        .send_keys(&Key::Tab)
        .await?;
    let focused = driver
        .execute("return document.activeElement.className;", Vec::new())
        .await?;
    assert_eq!(focused, "skip");
    driver
        .find(Locator::Id("token"))
        .await?
        .send_keys("vow_not-a-token")
        .await?;
    navigate(
        driver,
        driver.find(Locator::Css("form.stack button")).await?,
    )
    .await?;
    assert!(body_text(driver).await.contains("That is not a vow token"));
    driver
        .find(Locator::Id("token"))
        .await?
        .send_keys(secret)
        .await?;
    navigate(
        driver,
        driver.find(Locator::Css("form.stack button")).await?,
    )
    .await?;
    assert_eq!(path_of(driver).await, "/services/shop-api");
    assert!(body_text(driver).await.contains("Signed in as alice"));

    // Overview → service → deprecation windows, by following links.
    navigate(driver, driver.find(Locator::LinkText("Overview")).await?).await?;
    let overview = body_text(driver).await;
    assert!(
        overview.contains("3 services, 2 environments"),
        "{overview}"
    );
    shot(driver, "02-overview").await;
    navigate(
        driver,
        driver
            .find(Locator::Css("a[href='/services/mobile-app']"))
            .await?,
    )
    .await?;
    let service = body_text(driver).await;
    // A branch named like a script is shown as its text and never runs.
    assert!(service.contains(SCRIPT_BRANCH), "{service}");
    assert_eq!(pwned(driver).await, "undefined");
    shot(driver, "03-service-mobile-app").await;
    navigate(driver, driver.find(Locator::LinkText("Overview")).await?).await?;
    navigate(
        driver,
        driver
            .find(Locator::Css("a[href='/services/shop-api']"))
            .await?,
    )
    .await?;
    navigate(
        driver,
        driver
            .find(Locator::LinkText("Deprecation windows"))
            .await?,
    )
    .await?;
    assert_eq!(path_of(driver).await, "/services/shop-api/deprecations");
    // The clock at a fixed date, where the cart summary's sunset is near.
    driver
        .goto(&format!(
            "{broker}/services/shop-api/deprecations?as_of={AS_OF}"
        ))
        .await?;
    let all = body_text(driver).await;
    assert!(all.contains("near"), "{all}");
    let rows = driver
        .find_all(Locator::Css("#windows tbody tr"))
        .await?
        .len();
    assert!(rows >= 3, "{rows}");
    let near = driver
        .find_all(Locator::Css("#windows tr.status-near"))
        .await?;
    assert!(!near.is_empty());
    shot(driver, "04-deprecation-windows").await;

    // Filter by consumer with the form, keeping the date.
    driver
        .find(Locator::Css("input[name=consumer]"))
        .await?
        .send_keys("kiosk-app")
        .await?;
    navigate(
        driver,
        driver.find(Locator::Css("form.filters button")).await?,
    )
    .await?;
    assert!(path_of(driver).await.contains(&format!("as_of={AS_OF}")));
    let consumers: Vec<String> = consumer_column(driver).await?;
    assert!(
        !consumers.is_empty() && consumers.iter().all(|c| c.starts_with("kiosk-app")),
        "{consumers:?}"
    );
    assert!(
        body_text(driver)
            .await
            .contains(&format!("{} of {rows} rows", consumers.len()))
    );
    shot(driver, "05-filtered").await;

    // Sort by consumer: the header link, once ascending, twice descending.
    driver
        .goto(&format!(
            "{broker}/services/shop-api/deprecations?as_of={AS_OF}"
        ))
        .await?;
    navigate(driver, driver.find(Locator::LinkText("Consumer")).await?).await?;
    let ascending = consumer_column(driver).await?;
    let mut sorted = ascending.clone();
    sorted.sort();
    assert_eq!(ascending, sorted);
    navigate(
        driver,
        driver
            .find(Locator::XPath(
                "//a[contains(normalize-space(.), 'Consumer')]",
            ))
            .await?,
    )
    .await?;
    let descending = consumer_column(driver).await?;
    sorted.reverse();
    assert_eq!(descending, sorted);
    let header = driver
        .find(Locator::Css("th[aria-sort=descending]"))
        .await?
        .text()
        .await?;
    assert!(header.starts_with("Consumer"), "{header}");
    shot(driver, "06-sorted").await;

    // The can-I-deploy form answers what the API answers.
    navigate(
        driver,
        driver.find(Locator::LinkText("Can I deploy?")).await?,
    )
    .await?;
    for (name, value) in [
        ("service", "mobile-app"),
        ("version", "7.0.0"),
        ("environment", "production"),
        ("as_of", "2027-07-01"),
    ] {
        driver
            .find(Locator::Css(&format!("input[name={name}]")))
            .await?
            .send_keys(value)
            .await?;
    }
    navigate(
        driver,
        driver.find(Locator::Css("form.filters button")).await?,
    )
    .await?;
    let verdict = driver.find(Locator::Id("verdict")).await?.text().await?;
    let api = app
        .call_as(Some(secret), Method::GET, "/api/v1/can-i-deploy?service=mobile-app&version=7.0.0&environment=production&as_of=2027-07-01", None)
        .await
        .body;
    let expected = match api["verdict"].as_str() {
        Some("yes") => "Yes",
        Some("no") => "No",
        _ => "Unknown",
    };
    assert!(
        verdict.starts_with(&format!("{expected}: mobile-app 7.0.0 to production")),
        "{verdict}"
    );
    let reasons: Vec<String> = {
        let mut out = Vec::new();
        for cell in driver
            .find_all(Locator::Css("#rows tbody tr td:nth-child(2)"))
            .await?
        {
            out.push(cell.text().await?);
        }
        out
    };
    let api_reasons: Vec<String> = api["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["reason"].as_str().expect("reason").to_owned())
        .collect();
    assert_eq!(reasons, api_reasons);
    shot(driver, "07-can-i-deploy").await;

    // Hostile input in the form comes back as text.
    driver.goto(&format!("{broker}/can-i-deploy?service=mobile-app&version=%3Cimg%20src=x%20onerror=window.vowPwned=3%3E&environment=production")).await?;
    assert!(body_text(driver).await.contains("the version number"));
    assert_eq!(pwned(driver).await, "undefined");
    driver
        .goto(&format!("{broker}/services/no-such-service"))
        .await?;
    assert!(
        body_text(driver)
            .await
            .contains("this broker has no service named \"no-such-service\"")
    );
    shot(driver, "08-not-found").await;

    // From the overview to an integration: a build URL that is a script stays text.
    let hash = app
        .store
        .publications("mobile-app", "7.0.0")
        .await
        .expect("read")
        .expect("the version")[0]
        .hash
        .clone();
    app.store
        .record_verification(
            &NewVerification {
                provider: "shop-api",
                provider_version: "1.0.0",
                contract_hash: &hash,
                passed: false,
                failed_dimensions: &[vow_core::Dimension::Latency],
                summary: &json!({}),
                build_url: Some("javascript:window.vowPwned=5"),
            },
            Utc::now(),
        )
        .await
        .expect("a verification");
    driver.goto(&format!("{broker}/")).await?;
    navigate(
        driver,
        driver
            .find(Locator::Css(
                "#integrations ~ div a[href='/integrations/mobile-app/shop-api']",
            ))
            .await?,
    )
    .await?;
    assert_eq!(path_of(driver).await, "/integrations/mobile-app/shop-api");
    let text = body_text(driver).await;
    assert!(text.contains("javascript:window.vowPwned=5"), "{text}");
    assert!(
        driver
            .find_all(Locator::Css("a[href^='javascript']"))
            .await?
            .is_empty()
    );
    assert_eq!(pwned(driver).await, "undefined");
    shot(driver, "09-integration").await;

    // Signing out ends the session: the next page asks to sign in again.
    driver.goto(&format!("{broker}/")).await?;
    navigate(
        driver,
        driver.find(Locator::Css("header form button")).await?,
    )
    .await?;
    driver.goto(&format!("{broker}/")).await?;
    assert!(
        path_of(driver).await.starts_with("/sign-in"),
        "{}",
        path_of(driver).await
    );
    shot(driver, "10-signed-out").await;
    Ok(())
}

/// Clicks something that loads a page, and waits until the new page has loaded (a marker
/// set on the old page is gone).
async fn navigate(driver: &Client, element: Element) -> Result<(), CmdError> {
    driver
        .execute("window.vowOldPage = true;", Vec::new())
        .await?;
    element.click().await?;
    for _ in 0..100 {
        let loaded = driver
            .execute(
                "return typeof window.vowOldPage === 'undefined' && document.readyState === 'complete';",
                Vec::new(),
            )
            .await?;
        if loaded == true {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no page loaded within 5 s of the click");
}

/// The consumer column of the deprecation windows table, top to bottom.
async fn consumer_column(driver: &Client) -> Result<Vec<String>, CmdError> {
    let mut out = Vec::new();
    for cell in driver
        .find_all(Locator::Css("#windows tbody tr td:nth-child(4)"))
        .await?
    {
        out.push(cell.text().await?);
    }
    Ok(out)
}
