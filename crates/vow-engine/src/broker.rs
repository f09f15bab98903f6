//! A small client for the broker's HTTP API (docs/broker.md): recording versions, publishing
//! contracts, creating environments and recording deployments. It rides on the same reqwest
//! client as replays (rustls with ring), sends an optional bearer token and never shows it, and
//! tells a broker that cannot be reached apart from one that answered with an error.
//!
//! The submodules hold what the broker answers about releases and undeployments, the deprecations
//! consumers still use, a provider's verification round trip (the contracts it must verify, the
//! results it records), and webhooks with their delivery logs.

use std::time::Duration;

use chrono::NaiveDate;

use reqwest::header::CONTENT_TYPE;
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode, Url};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use vow_core::deploy::{Answer, ServiceVersion, Target};

mod deprecation;
mod release;
mod verification;
mod webhook;

pub use deprecation::{DeprecationInUse, DeprecationStatus, Deprecations};
pub use release::{Release, Undeployment};
pub use verification::{
    ContractToVerify, FindingCounts, NewVerification, SelectedBecause, SelectedConsumer,
    VerificationRecord, VerificationSummary,
};
pub use webhook::{Attempt, Deliveries, Delivery, Webhook, WebhookHeader};

/// Budget of one request to the broker, from sending it to the end of the answer.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Why a broker request did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrokerError {
    /// No HTTP answer: refused, reset, a DNS failure or a timeout.
    #[error("the broker at {url} cannot be reached: {message}")]
    Unreachable { url: String, message: String },
    /// The broker answered with an error body `{code, message, pointer?}`.
    #[error("the broker answered {status} {code}: {message}")]
    Api {
        status: u16,
        code: String,
        message: String,
        pointer: Option<String>,
    },
    /// Something answered, but not as the broker does.
    #[error("unexpected answer from {url} (HTTP {status}): {message}")]
    InvalidResponse {
        url: String,
        status: u16,
        message: String,
    },
}

impl BrokerError {
    /// True for an error answer of status 5xx (the broker or its database is failing).
    pub fn is_server_error(&self) -> bool {
        matches!(self, BrokerError::Api { status, .. } if *status >= 500)
    }
}

/// A version as the broker stores it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Version {
    pub service: String,
    pub number: String,
    pub branch: Option<String>,
    pub commit: Option<String>,
    pub build_url: Option<String>,
}

/// What is recorded about a version; every attribute is optional and, once stored, fixed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionAttributes {
    pub branch: Option<String>,
    pub commit: Option<String>,
    pub build_url: Option<String>,
}

/// A contract published for a consumer version and a provider.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Publication {
    pub consumer: String,
    pub version: String,
    pub provider: String,
    pub hash: String,
}

/// A provider version's spec, as published.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SpecPublication {
    pub service: String,
    pub version: String,
    pub hash: String,
}

/// An environment.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Environment {
    pub name: String,
    pub created_at: String,
}

/// A deployment of a service version to an environment.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Deployment {
    pub environment: String,
    pub service: String,
    pub version: String,
    pub application_instance: Option<String>,
    pub deployed_at: String,
    pub replaced_at: Option<String>,
}

/// The outcome of an idempotent write: the broker's record, and whether this call created it
/// (201) or found it already there as given (200).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Put<T> {
    pub value: T,
    pub created: bool,
}

/// A broker at a base URL, with an optional bearer token.
#[derive(Clone)]
pub struct BrokerClient {
    http: Client,
    base: Url,
    token: Option<String>,
}

impl std::fmt::Debug for BrokerClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrokerClient")
            .field("base", &self.base.as_str())
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
    pointer: Option<String>,
}

impl BrokerClient {
    /// A client for the broker at `base` (which may carry a base path), over `http`.
    pub fn new(http: Client, base: Url, token: Option<String>) -> Self {
        BrokerClient {
            http,
            base,
            token: token.filter(|t| !t.is_empty()),
        }
    }

    /// The broker's base URL.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// `PUT /api/v1/services/{service}/versions/{version}`.
    pub async fn put_version(
        &self,
        service: &str,
        version: &str,
        attributes: &VersionAttributes,
    ) -> Result<Put<Version>, BrokerError> {
        let mut body = serde_json::Map::new();
        for (field, value) in [
            ("branch", &attributes.branch),
            ("commit", &attributes.commit),
            ("build_url", &attributes.build_url),
        ] {
            if let Some(value) = value {
                body.insert(field.to_owned(), Value::String(value.clone()));
            }
        }
        let url = self.url(&["services", service, "versions", version]);
        self.put(Method::PUT, url, &Value::Object(body)).await
    }

    /// `PUT /api/v1/services/{consumer}/versions/{version}/contracts/{provider}`: the contract
    /// as JSON in vow's format. Created, or unchanged when the same content was published before.
    pub async fn put_contract(
        &self,
        consumer: &str,
        version: &str,
        provider: &str,
        contract: &Value,
    ) -> Result<Put<Publication>, BrokerError> {
        let url = self.url(&[
            "services",
            consumer,
            "versions",
            version,
            "contracts",
            provider,
        ]);
        self.put(Method::PUT, url, contract).await
    }

    /// `PUT /api/v1/environments/{environment}`.
    pub async fn put_environment(&self, name: &str) -> Result<Put<Environment>, BrokerError> {
        let url = self.url(&["environments", name]);
        let request = self.request(Method::PUT, url.clone());
        let response = self.send(request, &url).await?;
        created(response, &url).await
    }

    /// `GET /api/v1/environments`.
    pub async fn environments(&self) -> Result<Vec<Environment>, BrokerError> {
        #[derive(Deserialize)]
        struct List {
            environments: Vec<Environment>,
        }
        let url = self.url(&["environments"]);
        let response = self
            .send(self.request(Method::GET, url.clone()), &url)
            .await?;
        Ok(read::<List>(response, &url).await?.environments)
    }

    /// `POST /api/v1/environments/{environment}/deployments`. Created when it replaced another
    /// deployment (or was the first); not created when the version was already current.
    pub async fn record_deployment(
        &self,
        environment: &str,
        service: &str,
        version: &str,
        application_instance: Option<&str>,
    ) -> Result<Put<Deployment>, BrokerError> {
        let url = self.url(&["environments", environment, "deployments"]);
        let body = json!({
            "service": service,
            "version": version,
            "application_instance": application_instance,
        });
        self.put(Method::POST, url, &body).await
    }

    /// `GET /api/v1/environments/{environment}/deployments`: the deployments current there.
    pub async fn deployments(&self, environment: &str) -> Result<Vec<Deployment>, BrokerError> {
        #[derive(Deserialize)]
        struct List {
            deployments: Vec<Deployment>,
        }
        let url = self.url(&["environments", environment, "deployments"]);
        let response = self
            .send(self.request(Method::GET, url.clone()), &url)
            .await?;
        Ok(read::<List>(response, &url).await?.deployments)
    }

    /// `PUT /api/v1/services/{service}/versions/{version}/spec`: the spec as a bundle of its
    /// documents. Created, or unchanged when the same content was published before.
    pub async fn put_spec(
        &self,
        service: &str,
        version: &str,
        bundle: &Value,
    ) -> Result<Put<SpecPublication>, BrokerError> {
        let url = self.url(&["services", service, "versions", version, "spec"]);
        self.put(Method::PUT, url, bundle).await
    }

    /// `GET /api/v1/can-i-deploy` (an environment) or `/api/v1/can-i-merge` (a branch): the
    /// broker's answer, read at `as_of` (the broker's today when `None`).
    pub async fn can_i_deploy(
        &self,
        candidate: &ServiceVersion,
        target: &Target,
        as_of: Option<NaiveDate>,
    ) -> Result<Answer, BrokerError> {
        let (route, key, name) = match target {
            Target::Environment { name } => ("can-i-deploy", "environment", name),
            Target::Branch { name } => ("can-i-merge", "branch", name),
        };
        let mut url = self.url(&[route]);
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("service", &candidate.service)
                .append_pair("version", &candidate.version)
                .append_pair(key, name);
            if let Some(date) = as_of {
                query.append_pair("as_of", &date.to_string());
            }
        }
        let response = self
            .send(self.request(Method::GET, url.clone()), &url)
            .await?;
        read(response, &url).await
    }

    /// The URL of an API resource: the base URL's path, `api/v1`, then `segments`, each
    /// percent-encoded as one path segment.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.set_query(None);
        url.set_fragment(None);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(["api", "v1"]).extend(segments);
        }
        url
    }

    fn request(&self, method: Method, url: Url) -> RequestBuilder {
        let request = self.http.request(method, url).timeout(TIMEOUT);
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    async fn put<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: &Value,
    ) -> Result<Put<T>, BrokerError> {
        let request = self
            .request(method, url.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
        let response = self.send(request, &url).await?;
        created(response, &url).await
    }

    async fn send(&self, request: RequestBuilder, url: &Url) -> Result<Response, BrokerError> {
        request.send().await.map_err(|e| BrokerError::Unreachable {
            url: origin(url),
            message: describe(e),
        })
    }
}

/// Releases, undeployments, deprecations in use, and a provider's verification round trip.
impl BrokerClient {
    /// `POST /api/v1/environments/{environment}/undeployments`: the service (or one application
    /// instance of it) no longer runs there. 404 `deployment_not_found` when nothing was deployed.
    pub async fn record_undeployment(
        &self,
        environment: &str,
        service: &str,
        application_instance: Option<&str>,
    ) -> Result<Undeployment, BrokerError> {
        let url = self.url(&["environments", environment, "undeployments"]);
        let body = json!({ "service": service, "application_instance": application_instance });
        Ok(self.put(Method::POST, url, &body).await?.value)
    }

    /// `POST /api/v1/environments/{environment}/releases`. Created when new; not created when the
    /// version was already released and supported there.
    pub async fn record_release(
        &self,
        environment: &str,
        service: &str,
        version: &str,
    ) -> Result<Put<Release>, BrokerError> {
        let url = self.url(&["environments", environment, "releases"]);
        let body = json!({ "service": service, "version": version });
        self.put(Method::POST, url, &body).await
    }

    /// `POST /api/v1/environments/{environment}/support-ended`: a released version is no longer
    /// supported there. 404 `release_not_found` when it was not released and supported.
    pub async fn record_support_ended(
        &self,
        environment: &str,
        service: &str,
        version: &str,
    ) -> Result<Release, BrokerError> {
        let url = self.url(&["environments", environment, "support-ended"]);
        let body = json!({ "service": service, "version": version });
        Ok(self.put(Method::POST, url, &body).await?.value)
    }

    /// `GET /api/v1/deprecations?provider=…`: the deprecated elements of the provider's specs that
    /// consumers present in `environment` (or any) still use, most urgent first. The broker reads
    /// the clock at `as_of` (`YYYY-MM-DD`, today when none) and calls a sunset within
    /// `warning_days` near (30 when none).
    pub async fn deprecations(
        &self,
        provider: &str,
        environment: Option<&str>,
        as_of: Option<&str>,
        warning_days: Option<u32>,
    ) -> Result<Deprecations, BrokerError> {
        let mut url = self.url(&["deprecations"]);
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("provider", provider);
            if let Some(environment) = environment {
                query.append_pair("environment", environment);
            }
            if let Some(as_of) = as_of {
                query.append_pair("as_of", as_of);
            }
            if let Some(days) = warning_days {
                query.append_pair("warning_days", &days.to_string());
            }
        }
        let response = self
            .send(self.request(Method::GET, url.clone()), &url)
            .await?;
        read(response, &url).await
    }

    /// `GET /api/v1/services/{provider}/contracts-to-verify?branches=…`: each distinct contract of
    /// the consumer versions deployed or released in any environment, and of the latest consumer
    /// version on each of `branches` (the broker's default, `main`, when empty).
    pub async fn contracts_to_verify(
        &self,
        provider: &str,
        branches: &[String],
    ) -> Result<Vec<ContractToVerify>, BrokerError> {
        #[derive(Deserialize)]
        struct Selection {
            contracts: Vec<ContractToVerify>,
        }
        let mut url = self.url(&["services", provider, "contracts-to-verify"]);
        if !branches.is_empty() {
            url.query_pairs_mut()
                .append_pair("branches", &branches.join(","));
        }
        let response = self
            .send(self.request(Method::GET, url.clone()), &url)
            .await?;
        Ok(read::<Selection>(response, &url).await?.contracts)
    }

    /// `POST /api/v1/services/{provider}/versions/{version}/verifications`: the result of
    /// verifying the provider version against one published contract.
    pub async fn record_verification(
        &self,
        provider: &str,
        version: &str,
        result: &NewVerification,
    ) -> Result<VerificationRecord, BrokerError> {
        let url = self.url(&["services", provider, "versions", version, "verifications"]);
        // Plain strings, numbers and a map keyed by dimension names: serialising cannot fail
        // (the unit tests of `NewVerification` serialise the same shapes).
        let body = json!(result);
        Ok(self.put(Method::POST, url, &body).await?.value)
    }
}

async fn created<T: DeserializeOwned>(
    response: Response,
    url: &Url,
) -> Result<Put<T>, BrokerError> {
    let created = response.status() == StatusCode::CREATED;
    Ok(Put {
        value: read(response, url).await?,
        created,
    })
}

/// Reads a success body as `T`, or an error answer as [`BrokerError::Api`].
async fn read<T: DeserializeOwned>(response: Response, url: &Url) -> Result<T, BrokerError> {
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| BrokerError::Unreachable {
            url: origin(url),
            message: describe(e),
        })?;
    let invalid = |message: String| BrokerError::InvalidResponse {
        url: url.to_string(),
        status: status.as_u16(),
        message,
    };
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| invalid(e.to_string()));
    }
    match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(body) => Err(BrokerError::Api {
            status: status.as_u16(),
            code: body.code,
            message: body.message,
            pointer: body.pointer,
        }),
        Err(_) => {
            let text = String::from_utf8_lossy(&bytes);
            let text: String = text.trim().chars().take(200).collect();
            Err(invalid(if text.is_empty() {
                "no error body".to_owned()
            } else {
                text
            }))
        }
    }
}

/// The scheme, host and port of `url`: where the broker is, without the path.
fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// A reqwest error with its causes, which name what actually went wrong (refused, timed out).
fn describe(error: reqwest::Error) -> String {
    if error.is_timeout() {
        return format!("no answer within {} s", TIMEOUT.as_secs());
    }
    crate::replay::with_causes(&error.without_url())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> BrokerClient {
        BrokerClient::new(
            crate::replay::client().expect("client"),
            Url::parse(base).unwrap(),
            Some("secret".into()),
        )
    }

    #[test]
    fn urls_keep_the_base_path_and_encode_segments() {
        let c = client("http://broker.internal/vow/");
        assert_eq!(
            c.url(&["services", "web", "versions", "1.0 beta?"])
                .as_str(),
            "http://broker.internal/vow/api/v1/services/web/versions/1.0%20beta%3F"
        );
        let c = client("http://127.0.0.1:8080");
        assert_eq!(
            c.url(&["environments"]).as_str(),
            "http://127.0.0.1:8080/api/v1/environments"
        );
    }

    #[test]
    fn the_token_is_never_shown() {
        let shown = format!("{:?}", client("http://127.0.0.1:1"));
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }
}
