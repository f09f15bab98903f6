//! The in-memory model of a vow contract (format v1): what one consumer relies on from one provider.
//!
//! These types are produced by [`crate::contract::decode`] and never by serde directly, so that every
//! problem in a contract file can be reported at once with its location.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

/// The only contract format version this build reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// A contract: one consumer's expectations of one provider.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contract {
    /// The consuming service, e.g. `checkout-web`.
    pub consumer: String,
    /// The providing service, e.g. `cart-service`.
    pub provider: String,
    /// Dimension statements that apply to every interaction that does not state its own.
    pub defaults: DimensionStatements,
    pub interactions: Vec<Interaction>,
}

/// One request the consumer sends and the response it relies on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interaction {
    /// Stable identifier, unique within the contract (`[a-z0-9][a-z0-9._-]*`).
    pub id: String,
    pub description: String,
    /// Provider states to set up before the request, in order.
    pub given: Vec<ProviderState>,
    pub request: Request,
    pub response: ResponseExpectation,
    /// Dimension statements stated on this interaction (not merged with the contract's defaults;
    /// see [`Contract::effective`]).
    pub statements: DimensionStatements,
}

/// A named provider state with parameters, e.g. `a cart exists` with `{cartId: c-1}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderState {
    pub state: String,
    pub params: serde_json::Map<String, Value>,
}

/// HTTP method of a request; kept as an uppercase token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Method(pub String);

impl Method {
    /// Safe methods (RFC 9110 §9.2.1) never change provider state.
    pub fn is_safe(&self) -> bool {
        matches!(self.0.as_str(), "GET" | "HEAD" | "OPTIONS" | "TRACE")
    }

    /// Idempotent methods (RFC 9110 §9.2.2) may be repeated with the same effect.
    pub fn is_idempotent(&self) -> bool {
        self.is_safe() || matches!(self.0.as_str(), "PUT" | "DELETE")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The request the consumer sends.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Request {
    pub method: Method,
    /// Absolute path starting with `/`, without the query string.
    pub path: String,
    /// Query parameters; a parameter may repeat.
    pub query: BTreeMap<String, Vec<String>>,
    /// Header names as written in the contract; compared case-insensitively.
    pub headers: Vec<(String, String)>,
    /// A JSON request body, sent as `application/json` unless a `Content-Type` header says otherwise.
    pub body: Option<Value>,
}

/// What the consumer relies on in the response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseExpectation {
    pub status: u16,
    /// Expected headers by name (compared case-insensitively), each with the rules its value obeys.
    pub headers: Vec<HeaderExpectation>,
    pub body: Option<BodyExpectation>,
    /// The error code this interaction expects the provider to answer with (e.g. `card_declined`
    /// for a declined card). Always one of the codes the interaction's effective `errors` block
    /// handles; the decoder checks that.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeaderExpectation {
    pub name: String,
    /// All rules must hold for the header's value. A plain string in the file becomes one
    /// [`Matcher::Equals`] rule.
    pub rules: Vec<Rule>,
}

/// How the response body is judged.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum BodyExpectation {
    /// By example plus matching rules. Fields the example does not mention are ignored.
    Example {
        example: Option<Value>,
        /// Rules by path pattern, in file order.
        rules: Vec<PathRules>,
        /// What a mock answers in place of the example's value at chosen paths, in file order.
        /// Verification ignores them.
        generators: Vec<PathGenerator>,
    },
    /// By an embedded JSON Schema (any draft from 4 to 2020-12; no remote references).
    Schema {
        schema: Value,
        #[serde(skip)]
        compiled: SchemaCell,
    },
}

impl BodyExpectation {
    /// A body judged by `schema`, compiled as the decoder compiles embedded schemas (offline; no
    /// remote references). `Err` carries what the JSON Schema compiler said.
    pub fn schema(schema: Value) -> Result<BodyExpectation, String> {
        let validator = jsonschema::options()
            .offline()
            .build(&schema)
            .map_err(|e| e.to_string())?;
        Ok(BodyExpectation::Schema {
            schema,
            compiled: SchemaCell(std::sync::Arc::new(validator)),
        })
    }
}

/// The rules that apply at every body location a path pattern matches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathRules {
    pub path: PathPattern,
    /// All rules must hold.
    pub rules: Vec<Rule>,
}

/// A JSON pointer whose segments may be `*` (any array index or object key), e.g. `/items/*/sku`.
/// `""` (or `/` in files) is the whole body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct PathPattern {
    /// The pattern as written in the contract.
    pub text: String,
    /// Unescaped segments (`~1` → `/`, `~0` → `~`).
    pub segments: Vec<PathSegment>,
}

impl PathPattern {
    /// Reads a path pattern as contract files write it: `""` or `/` for the whole body, otherwise
    /// a JSON pointer whose segments may be `*`. `None` when `text` does not start with `/` or has
    /// a `~` not followed by `0` or `1`.
    pub fn parse(text: &str) -> Option<PathPattern> {
        if text.is_empty() || text == "/" {
            return Some(PathPattern {
                text: text.to_owned(),
                segments: Vec::new(),
            });
        }
        let segments = text
            .strip_prefix('/')?
            .split('/')
            .map(|raw| match raw {
                "*" => Some(PathSegment::Any),
                _ => unescape_segment(raw).map(PathSegment::Key),
            })
            .collect::<Option<Vec<_>>>()?;
        Some(PathPattern {
            text: text.to_owned(),
            segments,
        })
    }

    /// The pattern with these segments, its text escaped as a JSON pointer (`/` for the whole body).
    pub fn from_segments(segments: Vec<PathSegment>) -> PathPattern {
        let text = if segments.is_empty() {
            "/".to_owned()
        } else {
            segments
                .iter()
                .map(|segment| match segment {
                    PathSegment::Any => "/*".to_owned(),
                    PathSegment::Key(key) => {
                        format!("/{}", key.replace('~', "~0").replace('/', "~1"))
                    }
                })
                .collect()
        };
        PathPattern { text, segments }
    }
}

/// Undoes JSON pointer escaping; `None` for a `~` not followed by 0 or 1.
pub(crate) fn unescape_segment(segment: &str) -> Option<String> {
    let mut out = String::with_capacity(segment.len());
    let mut chars = segment.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

impl From<PathPattern> for String {
    fn from(p: PathPattern) -> String {
        p.text
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PathSegment {
    Any,
    Key(String),
}

/// One matching rule. Exactly one matcher plus its parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub matcher: Matcher,
}

/// The matchers a contract can use. Names are the values of the `match` key in contract files.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "match")]
pub enum Matcher {
    /// Deep equality with the example at this location (the default for everything the example
    /// states); applies to the whole subtree.
    Equality,
    /// Deep equality with a stated value (used for plain-string header expectations, and `value:`).
    Equals {
        value: Value,
    },
    /// Same JSON type as the example, applied to the whole subtree: objects need the example's keys,
    /// arrays have every element shaped like the example's first element, optionally within bounds.
    Type {
        min: Option<u64>,
        max: Option<u64>,
    },
    /// A string the regular expression matches in full.
    Regex {
        #[serde(rename = "regex")]
        pattern: String,
        #[serde(skip)]
        compiled: RegexCell,
    },
    /// A JSON integer, optionally within inclusive bounds.
    Integer {
        min: Option<f64>,
        max: Option<f64>,
    },
    /// Any JSON number, optionally within inclusive bounds.
    Number {
        min: Option<f64>,
        max: Option<f64>,
    },
    /// A JSON number or a string in plain decimal notation (`-12.50`); `places` fixes the digits after
    /// the point.
    Decimal {
        places: Option<u32>,
    },
    Boolean,
    Null,
    /// A string holding a date in `format` (strftime syntax, default `%Y-%m-%d`).
    Date {
        format: Option<String>,
    },
    /// A string holding a time of day in `format` (default `%H:%M:%S`).
    Time {
        format: Option<String>,
    },
    /// A string holding a date and time in `format` (default: RFC 3339).
    Datetime {
        format: Option<String>,
    },
    /// A string that contains `value`.
    Include {
        value: String,
    },
    /// Equal to one of the listed values.
    OneOf {
        values: Vec<Value>,
    },
    /// An array within length bounds whose every element satisfies `rules`.
    EachElement {
        min: Option<u64>,
        max: Option<u64>,
        rules: Vec<Rule>,
    },
    /// An object whose every key satisfies `rules`.
    EachKey {
        rules: Vec<Rule>,
    },
    /// An object whose every value satisfies `rules`.
    EachValue {
        rules: Vec<Rule>,
    },
}

impl Matcher {
    /// A `regex` matcher for `pattern`, compiled as the decoder compiles it: anchored, so the whole
    /// string must match.
    pub fn regex(pattern: &str) -> Result<Matcher, regex::Error> {
        let compiled = regex::Regex::new(&format!("^(?:{pattern})$"))?;
        Ok(Matcher::Regex {
            pattern: pattern.to_owned(),
            compiled: RegexCell(std::sync::Arc::new(compiled)),
        })
    }

    /// The name used for this matcher in contract files (`match: <name>`).
    pub fn name(&self) -> &'static str {
        match self {
            Matcher::Equality => "equality",
            Matcher::Equals { .. } => "equals",
            Matcher::Type { .. } => "type",
            Matcher::Regex { .. } => "regex",
            Matcher::Integer { .. } => "integer",
            Matcher::Number { .. } => "number",
            Matcher::Decimal { .. } => "decimal",
            Matcher::Boolean => "boolean",
            Matcher::Null => "null",
            Matcher::Date { .. } => "date",
            Matcher::Time { .. } => "time",
            Matcher::Datetime { .. } => "datetime",
            Matcher::Include { .. } => "include",
            Matcher::OneOf { .. } => "oneOf",
            Matcher::EachElement { .. } => "eachElement",
            Matcher::EachKey { .. } => "eachKey",
            Matcher::EachValue { .. } => "eachValue",
        }
    }
}

/// A generator at every body location a path pattern matches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathGenerator {
    pub path: PathPattern,
    pub generator: Generator,
}

/// What a mock answers in place of the example's value: a fresh value of a kind, so a consumer's
/// tests cannot come to rely on one literal. Names are the values of the `generate` key in files.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "generate")]
pub enum Generator {
    /// A random UUID (version 4), lowercase and hyphenated.
    Uuid,
    /// A random integer within the inclusive bounds.
    Integer { min: Option<i64>, max: Option<i64> },
    /// A random decimal number with `digits` digits in all.
    Decimal { digits: Option<u32> },
    /// A random string of `digits` hexadecimal digits.
    Hex { digits: Option<u32> },
    /// A random alphanumeric string of `size` characters.
    String { size: Option<u32> },
    /// A string the regular expression matches in full.
    Regex {
        #[serde(rename = "regex")]
        pattern: String,
    },
    /// `true` or `false`.
    Boolean,
    /// The current date, in `format` (strftime, default `%Y-%m-%d`).
    Date { format: Option<String> },
    /// The current time of day, in `format` (default `%H:%M:%S`).
    Time { format: Option<String> },
    /// The current date and time, in `format` (default RFC 3339).
    Datetime { format: Option<String> },
}

impl Generator {
    /// The name used for this generator in contract files (`generate: <name>`).
    pub fn name(&self) -> &'static str {
        match self {
            Generator::Uuid => "uuid",
            Generator::Integer { .. } => "integer",
            Generator::Decimal { .. } => "decimal",
            Generator::Hex { .. } => "hex",
            Generator::String { .. } => "string",
            Generator::Regex { .. } => "regex",
            Generator::Boolean => "boolean",
            Generator::Date { .. } => "date",
            Generator::Time { .. } => "time",
            Generator::Datetime { .. } => "datetime",
        }
    }
}

/// A compiled regular expression carried beside its source text. Two cells compare equal when their
/// sources do, so models stay comparable in tests.
///
/// Shared: every rule with the same pattern in a contract holds the same compiled regex, because
/// compiling is costly and a regex's match caches are per instance (a clone starts cold).
#[derive(Debug, Clone)]
pub struct RegexCell(pub std::sync::Arc<regex::Regex>);

impl PartialEq for RegexCell {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

/// An embedded JSON Schema compiled (offline) when the contract was read, so every response is
/// validated without compiling it again. Cells compare equal: the schema value beside the cell is
/// what models are compared by.
#[derive(Debug, Clone)]
pub struct SchemaCell(pub std::sync::Arc<jsonschema::Validator>);

impl PartialEq for SchemaCell {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

/// The consumer-side statements of the four behavioural dimensions. Each is optional; on an
/// interaction an absent statement falls back to the contract's `defaults` as a whole block.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DimensionStatements {
    pub errors: Option<ErrorsStatement>,
    pub latency: Option<LatencyStatement>,
    pub auth: Option<AuthStatement>,
    pub deprecation: Option<DeprecationStatement>,
}

/// The error outcomes the consumer handles, by error code.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorsStatement {
    /// Where the error code sits in an error body (JSON pointer). Default `/code`, the extension
    /// member conventionally added to RFC 9457 problem details.
    pub code_pointer: String,
    pub handles: Vec<HandledError>,
}

/// The default location of the error code in a problem-details body.
pub const DEFAULT_CODE_POINTER: &str = "/code";

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandledError {
    /// The provider's error code, e.g. `card_declined`.
    pub code: String,
    pub status: u16,
    /// Whether the consumer retries this error.
    pub retry: bool,
    /// Whether the consumer expects `application/problem+json` (RFC 9457). Default true.
    pub problem_json: bool,
}

/// The consumer's time budget for one call.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LatencyStatement {
    /// Timeout of one attempt.
    #[serde(with = "duration_text")]
    pub timeout: Duration,
    pub retries: Option<RetryPolicy>,
    /// Overall deadline across all attempts.
    #[serde(with = "duration_text_opt")]
    pub deadline: Option<Duration>,
    /// The percentile of provider latency that must fit within `timeout` (50, 95, 99 or 99.9).
    pub percentile: f64,
    /// Whether live sampling may repeat this interaction although its method is not idempotent.
    pub repeatable: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub attempts: u32,
    /// Wait before the first retry.
    #[serde(with = "duration_text")]
    pub backoff: Duration,
    /// Factor applied to the wait after each retry (1 = constant).
    pub multiplier: f64,
    /// Upper bound of one wait.
    #[serde(with = "duration_text_opt")]
    pub max_backoff: Option<Duration>,
}

/// The credentials the consumer holds for this provider. Never the secret itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthStatement {
    pub scheme: AuthScheme,
    /// The OAuth2 scopes the consumer's credentials hold.
    pub scopes: Vec<String>,
    /// Name of a credential set configured outside the contract (e.g. in `vow.toml`).
    pub credentials: Option<String>,
    /// Whether live auth probes run for this interaction. Default true.
    pub probes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AuthScheme {
    Bearer,
    Oauth2,
    ApiKey,
    Basic,
}

impl AuthScheme {
    pub const NAMES: [&'static str; 4] = ["bearer", "oauth2", "apiKey", "basic"];
}

/// Deprecated elements the consumer knowingly uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeprecationStatement {
    /// The operation itself is deprecated.
    pub operation: bool,
    /// Response body fields the consumer reads that are deprecated (JSON pointers).
    pub fields: Vec<String>,
    /// Request parameters (query or header names) the consumer sends that are deprecated.
    pub parameters: Vec<String>,
    /// The sunset date the consumer plans against, if known.
    pub sunset: Option<chrono::NaiveDate>,
}

impl Contract {
    /// The dimension statements that apply to `interaction`: its own block where it states one,
    /// the contract's default block otherwise.
    pub fn effective(&self, interaction: &Interaction) -> DimensionStatements {
        let own = &interaction.statements;
        let dflt = &self.defaults;
        DimensionStatements {
            errors: own.errors.clone().or_else(|| dflt.errors.clone()),
            latency: own.latency.clone().or_else(|| dflt.latency.clone()),
            auth: own.auth.clone().or_else(|| dflt.auth.clone()),
            deprecation: own.deprecation.clone().or_else(|| dflt.deprecation.clone()),
        }
    }
}

mod duration_text {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(*d).to_string())
    }
}

mod duration_text_opt {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&humantime::format_duration(*d).to_string()),
            None => s.serialize_none(),
        }
    }
}
