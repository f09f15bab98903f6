//! The provider-spec model: what a provider promises, per operation, in all five dimensions.
//!
//! Built from OpenAPI 3.0 / 3.1 documents by [`super::build`]; schemas live in [`Schemas`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::schema::{SchemaId, Schemas};

/// The OpenAPI line a document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OpenApiVersion {
    #[serde(rename = "3.0")]
    V30,
    #[serde(rename = "3.1")]
    V31,
}

/// A provider spec, read and resolved.
#[derive(Debug)]
pub struct Spec {
    /// The `openapi` field as written, e.g. `3.0.3`.
    pub openapi: String,
    pub version: OpenApiVersion,
    /// `info.title` and `info.version`.
    pub title: String,
    pub api_version: String,
    pub operations: Vec<Operation>,
    /// The error catalogue (`x-vow-errors` at the top level), by code.
    pub errors: BTreeMap<String, ErrorEntry>,
    /// Where error codes sit in error bodies (`x-vow-error-code-pointer`, default `/code`).
    pub error_code_pointer: String,
    /// Security schemes by name, with their kind (`http bearer`, `oauth2`, `apiKey`, …).
    pub security_schemes: BTreeMap<String, SecurityScheme>,
    pub schemas: Schemas,
}

/// One HTTP operation: a method on a path template.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Uppercase, e.g. `GET`.
    pub method: String,
    /// The path template as written, e.g. `/carts/{cartId}`.
    pub path: String,
    /// Base paths the operation is served under (from `servers`), e.g. `["/v1"]`; `[""]` if none.
    pub base_paths: Vec<String>,
    pub operation_id: Option<String>,
    /// JSON pointer of the operation in the root document, e.g. `/paths/~1carts~1{cartId}/get`.
    pub pointer: String,
    pub parameters: Vec<Parameter>,
    pub request_body: Option<RequestBody>,
    /// Responses by status key as written: `200`, `2XX` or `default`.
    pub responses: BTreeMap<String, Response>,
    /// The security requirement alternatives that apply (any one suffices). Empty: open.
    pub security: Vec<SecurityRequirement>,
    pub deprecated: bool,
    pub sunset: Option<NaiveDate>,
    pub stability: Option<Stability>,
    /// The error codes this operation can answer with (`x-vow-errors`), each in the catalogue.
    pub errors: Vec<String>,
    pub latency: Option<LatencyEnvelope>,
}

impl Operation {
    /// The method and path template, e.g. `GET /carts/{cartId}`.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The path template with parameter names erased (`/carts/{}`), so that renaming a path
    /// parameter keeps the operation's identity.
    pub fn path_key(&self) -> String {
        let mut out = String::with_capacity(self.path.len());
        let mut in_param = false;
        for c in self.path.chars() {
            match c {
                '{' => {
                    in_param = true;
                    out.push('{');
                }
                '}' => {
                    in_param = false;
                    out.push('}');
                }
                _ if in_param => {}
                c => out.push(c),
            }
        }
        out
    }

    /// The response for `status`: the exact code, else its range (`4XX`), else `default`.
    pub fn response_for(&self, status: u16) -> Option<(&str, &Response)> {
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        [exact.as_str(), range.as_str(), "default"]
            .into_iter()
            .find_map(|key| {
                self.responses
                    .get_key_value(key)
                    .or_else(|| {
                        // `2xx` is seen in the wild
                        self.responses
                            .iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    })
                    .map(|(k, r)| (k.as_str(), r))
            })
    }

    pub fn parameter(&self, location: ParameterIn, name: &str) -> Option<&Parameter> {
        self.parameters.iter().find(|p| {
            p.location == location
                && if location == ParameterIn::Header {
                    p.name.eq_ignore_ascii_case(name)
                } else {
                    p.name == name
                }
        })
    }
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParameterIn {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParameterIn {
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterIn::Path => "path",
            ParameterIn::Query => "query",
            ParameterIn::Header => "header",
            ParameterIn::Cookie => "cookie",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    pub location: ParameterIn,
    pub required: bool,
    pub deprecated: bool,
    pub schema: Option<SchemaId>,
    /// The serialisation style, with OpenAPI's default filled in (`form` for query, `simple` for
    /// path and header).
    pub style: String,
    pub explode: bool,
    /// JSON pointer of the parameter (after references are followed).
    pub pointer: String,
}

#[derive(Debug, Clone)]
pub struct RequestBody {
    pub required: bool,
    /// Schemas by media type (a media type without a schema maps to `None`).
    pub content: BTreeMap<String, Option<SchemaId>>,
    pub pointer: String,
}

#[derive(Debug, Clone)]
pub struct Response {
    /// Schemas by media type.
    pub content: BTreeMap<String, Option<SchemaId>>,
    /// Headers by lowercase name.
    pub headers: BTreeMap<String, ResponseHeader>,
    pub pointer: String,
}

#[derive(Debug, Clone)]
pub struct ResponseHeader {
    pub required: bool,
    pub deprecated: bool,
    pub schema: Option<SchemaId>,
}

/// One way to satisfy an operation's security: every named scheme, each with all listed scopes.
/// An empty requirement (`{}`) means anonymous access is one of the alternatives.
pub type SecurityRequirement = BTreeMap<String, BTreeSet<String>>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityScheme {
    /// `http`, `apiKey`, `oauth2`, `openIdConnect` or `mutualTLS`.
    pub kind: String,
    /// For `http`: the scheme (`bearer`, `basic`), lowercase.
    pub http_scheme: Option<String>,
}

/// How a consumer should treat an error, as the provider classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// Retrying later may succeed.
    Retryable,
    /// Retrying cannot succeed.
    Terminal,
    /// Someone must act (quota, configuration) before a retry can succeed.
    OperatorAction,
}

impl ErrorKind {
    pub const NAMES: [&'static str; 3] = ["retryable", "terminal", "operator-action"];

    pub fn from_name(name: &str) -> Option<ErrorKind> {
        match name {
            "retryable" => Some(ErrorKind::Retryable),
            "terminal" => Some(ErrorKind::Terminal),
            "operator-action" => Some(ErrorKind::OperatorAction),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Retryable => "retryable",
            ErrorKind::Terminal => "terminal",
            ErrorKind::OperatorAction => "operator-action",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of the error catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorEntry {
    pub code: String,
    pub status: u16,
    pub kind: ErrorKind,
    /// Whether the provider sends `Retry-After` with this error.
    pub retry_after: bool,
    pub pointer: String,
}

/// The provider's latency envelope for one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LatencyEnvelope {
    pub p50: Option<Duration>,
    pub p95: Option<Duration>,
    pub p99: Option<Duration>,
}

impl LatencyEnvelope {
    /// The envelope's bound for a percentile: the stated one, or the next higher one stated.
    pub fn at(&self, percentile: f64) -> Option<(f64, Duration)> {
        [(50.0, self.p50), (95.0, self.p95), (99.0, self.p99)]
            .into_iter()
            .filter(|(p, _)| *p >= percentile)
            .find_map(|(p, d)| d.map(|d| (p, d)))
    }
}

/// `x-stability-level`, from least to most stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stability {
    Draft,
    Alpha,
    Beta,
    Stable,
}

impl Stability {
    pub const NAMES: [&'static str; 4] = ["draft", "alpha", "beta", "stable"];

    pub fn from_name(name: &str) -> Option<Stability> {
        match name {
            "draft" => Some(Stability::Draft),
            "alpha" => Some(Stability::Alpha),
            "beta" => Some(Stability::Beta),
            "stable" => Some(Stability::Stable),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}
