//! The command line: flags and arguments as clap sees them. Values are validated here; commands
//! turn them into engine options.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use vow_engine::Url;

/// Consumer-driven behavioural contract testing for HTTP APIs.
#[derive(Debug, Parser)]
#[command(name = "vow", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// When to colour output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, env = "VOW_COLOR")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Replay contracts against a running provider and report every broken expectation.
    Verify(VerifyArgs),
    /// Check contracts against a provider's OpenAPI spec, all five dimensions, without a running
    /// provider.
    Check(CheckArgs),
    /// Compare two versions of a provider's OpenAPI spec: breaking changes, graded by which
    /// consumers' contracts use what changed.
    Diff(DiffArgs),
    /// Run the broker, or prepare its database.
    Broker(BrokerArgs),
    /// Publish contracts to the broker for a consumer version (auto-detected from git and CI when
    /// not given).
    Publish(PublishArgs),
    /// Tell the broker that a service version now runs in an environment.
    RecordDeployment(RecordDeploymentArgs),
    /// List the broker's environments.
    Environments(EnvironmentsArgs),
    /// Publish a provider's OpenAPI spec to the broker for a provider version.
    PublishSpec(PublishSpecArgs),
    /// Ask the broker whether a version can be deployed to an environment (or merged into a
    /// branch): exit 0 yes, 1 no, 3 unknown.
    CanIDeploy(CanIDeployArgs),
    /// Tell the broker that a service (or one instance of it) no longer runs in an environment.
    RecordUndeployment(RecordUndeploymentArgs),
    /// Tell the broker that a service version is released into an environment, where it counts
    /// as present until its support ends.
    RecordRelease(ReleaseArgs),
    /// Tell the broker that a released service version is no longer supported in an environment.
    RecordSupportEnded(ReleaseArgs),
    /// List the deprecated elements of a provider's specs that consumers still use, most urgent
    /// first.
    Deprecations(DeprecationsArgs),
    /// Convert contracts written for other tools into vow contracts.
    Import(ImportArgs),
    /// Serve contracts as a strict stub provider for consumer tests: report requests that match
    /// nothing and interactions never exercised, and rehearse the provider's errors and latency.
    Mock(MockArgs),
    /// Write a contract draft from live traffic (a recording reverse proxy) or from HAR files.
    Record(RecordArgs),
    /// Manage the broker's webhooks and read their delivery logs (an admin token once the
    /// broker has tokens).
    Webhook(WebhookArgs),
}

/// Which broker a client command talks to.
#[derive(Debug, Args)]
pub struct BrokerClientArgs {
    /// Base URL of the broker, e.g. https://vow.example.internal.
    #[arg(long, env = "VOW_BROKER_URL", value_name = "URL", value_parser = parse_url)]
    pub broker_url: Url,

    /// Bearer token sent to the broker (never printed).
    #[arg(
        long,
        env = "VOW_BROKER_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub broker_token: Option<String>,
}

/// The version a publishing command records, and what is known about it; each is detected from
/// CI variables or git when not given.
#[derive(Debug, Args)]
pub struct VersionFlags {
    /// The version (default: the commit, from CI variables or `git rev-parse HEAD`).
    #[arg(long, value_name = "VERSION")]
    pub version: Option<String>,

    /// The branch the version was built from (default: from CI variables or git).
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,

    /// The commit the version was built from (default: from CI variables or git).
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,

    /// The CI build that made the version (default: from CI variables).
    #[arg(long, value_name = "URL")]
    pub build_url: Option<String>,
}

#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct PublishArgs {
    /// Contract files, or directories searched recursively for .yaml, .yml and .json files.
    #[arg(required = true, value_name = "CONTRACT")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub version: VersionFlags,

    #[command(flatten)]
    pub broker: BrokerClientArgs,
}

#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct RecordDeploymentArgs {
    /// The service deployed.
    #[arg(long, value_name = "NAME")]
    pub service: String,

    /// The version deployed (published or recorded before).
    #[arg(long, value_name = "VERSION")]
    pub version: String,

    /// The environment, created if it does not exist (`--environment` also works).
    #[arg(long = "to", visible_alias = "environment", value_name = "ENV")]
    pub environment: String,

    /// The application instance, when the service runs as several in the environment.
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,

    #[command(flatten)]
    pub broker: BrokerClientArgs,
}

#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct PublishSpecArgs {
    /// The provider's OpenAPI 3.0 or 3.1 document (YAML or JSON); files it references by
    /// relative `$ref` are sent with it.
    #[arg(value_name = "SPEC")]
    pub spec: PathBuf,

    /// The provider the spec describes.
    #[arg(long, value_name = "NAME")]
    pub provider: String,

    #[command(flatten)]
    pub version: VersionFlags,

    #[command(flatten)]
    pub broker: BrokerClientArgs,
}

/// Report formats of `vow can-i-deploy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnswerFormat {
    /// For people: the verdict, then one line per integration.
    Human,
    /// The broker's answer as JSON (docs/broker.md).
    Json,
    /// A job summary or pull-request comment.
    Markdown,
    /// JUnit XML: one test case per integration.
    Junit,
}

#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct CanIDeployArgs {
    /// The service to deploy.
    #[arg(long, value_name = "NAME")]
    pub service: String,

    /// Its version (published or recorded before).
    #[arg(long, value_name = "VERSION")]
    pub version: String,

    /// The environment to deploy to.
    #[arg(
        long = "to",
        visible_alias = "environment",
        value_name = "ENV",
        required_unless_present = "to_branch"
    )]
    pub environment: Option<String>,

    /// Ask can-i-merge instead: check against the latest versions on this branch.
    #[arg(long, value_name = "BRANCH", conflicts_with = "environment")]
    pub to_branch: Option<String>,

    /// Read the deprecation clock at this date (YYYY-MM-DD) instead of the broker's today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<chrono::NaiveDate>,

    /// While the answer is unknown (evidence still being produced), ask again up to N times.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub retry_while_unknown: u32,

    /// Seconds between those attempts.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub retry_interval: u64,

    #[arg(long, value_enum, default_value_t = AnswerFormat::Human)]
    pub format: AnswerFormat,

    #[command(flatten)]
    pub broker: BrokerClientArgs,
}

#[derive(Debug, Args)]
pub struct EnvironmentsArgs {
    #[command(flatten)]
    pub broker: BrokerClientArgs,
}

#[derive(Debug, Args)]
pub struct RecordUndeploymentArgs {
    /// The service that stopped running.
    #[arg(long, value_name = "NAME")]
    pub service: String,

    /// The environment it stopped running in.
    #[arg(long, visible_alias = "from", value_name = "ENV")]
    pub environment: String,

    /// The application instance, when the service runs as several in the environment (the
    /// others keep running).
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,

    #[command(flatten)]
    pub broker: BrokerClientArgs,
}

/// A service version in an environment, for `record-release` and `record-support-ended`.
#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct ReleaseArgs {
    /// The service.
    #[arg(long, value_name = "NAME")]
    pub service: String,

    /// The version (published or recorded before).
    #[arg(long, value_name = "VERSION")]
    pub version: String,

    /// The environment (record-release creates it if it does not exist).
    #[arg(long, visible_alias = "to", value_name = "ENV")]
    pub environment: String,

    #[command(flatten)]
    pub broker: BrokerClientArgs,
}

#[derive(Debug, Args)]
pub struct DeprecationsArgs {
    /// The provider whose deprecated elements are listed.
    #[arg(long, value_name = "NAME")]
    pub provider: String,

    /// Only this environment (default: every environment).
    #[arg(long, value_name = "ENV")]
    pub environment: Option<String>,

    /// The date the deprecation clock is read at, YYYY-MM-DD (default: today, UTC).
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,

    /// A sunset at most this many days after --as-of is near.
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub warning_days: u32,

    /// Output format.
    #[arg(long, value_enum, default_value_t = DeprecationsFormat::Human)]
    pub format: DeprecationsFormat,

    /// Exit with code 1 when an element in use is at least this urgent (removed counts as
    /// overdue), e.g. to fail a CI job; without it, the list is a report and exits 0.
    #[arg(long, value_enum, value_name = "STATUS")]
    pub fail_on: Option<FailOn>,

    #[command(flatten)]
    pub broker: BrokerClientArgs,
}

/// Output formats of `vow deprecations`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DeprecationsFormat {
    /// An aligned table, most urgent first.
    Human,
    /// The broker's answer as JSON.
    Json,
}

/// How urgent a deprecation in use must be to fail `vow deprecations`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// The sunset has passed, or the element is removed.
    Overdue,
    /// The sunset is within --warning-days, has passed, or the element is removed.
    Near,
}

#[derive(Debug, Args)]
pub struct BrokerArgs {
    #[command(subcommand)]
    pub command: BrokerCommand,
}

#[derive(Debug, Subcommand)]
pub enum BrokerCommand {
    /// Serve the broker's HTTP API, applying any pending migrations first.
    Serve(BrokerServeArgs),
    /// Apply pending migrations to the broker's database and exit.
    Migrate(BrokerDatabaseArgs),
    /// Create, list or revoke the broker's bearer tokens, on its database directly (how the first
    /// admin token is made).
    Token(TokenArgs),
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub command: TokenCommand,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it on stdout, the only time it is shown.
    Create(TokenCreateArgs),
    /// List the tokens: names, roles, limits and dates, never the tokens themselves.
    List(TokenListArgs),
    /// Revoke a token: every broker on this database refuses it from the next request on.
    Revoke(TokenRevokeArgs),
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// A name to know the token by, e.g. ci-checkout-web; unique, and never reused.
    #[arg(long, value_name = "NAME")]
    pub name: String,

    /// What the token may do.
    #[arg(long, value_enum)]
    pub role: TokenRole,

    /// Limit a publish token's writes to this service; repeat for several (default: every
    /// service). Reads are never limited.
    #[arg(long = "service", value_name = "SERVICE")]
    pub services: Vec<String>,

    /// Days until the token expires, from 1 to 3650 (default: it does not expire).
    #[arg(long, value_name = "DAYS")]
    pub expires_in: Option<u32>,

    #[command(flatten)]
    pub database: BrokerDatabaseArgs,
}

#[derive(Debug, Args)]
pub struct TokenListArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,

    #[command(flatten)]
    pub database: BrokerDatabaseArgs,
}

#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    /// The token's name.
    #[arg(value_name = "NAME")]
    pub name: String,

    #[command(flatten)]
    pub database: BrokerDatabaseArgs,
}

/// The role of a broker token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenRole {
    /// Every GET route.
    Read,
    /// Reads, and recording versions, contracts, environments and deployments.
    Publish,
    /// Everything, token management included.
    Admin,
}

#[derive(Debug, Args)]
pub struct WebhookArgs {
    #[command(subcommand)]
    pub command: WebhookCommand,
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Create a webhook: the broker checks its templates and target before saving it.
    Create(WebhookCreateArgs),
    /// List the webhooks.
    List(WebhookListArgs),
    /// Show one webhook (secrets are never shown).
    Show(WebhookIdArgs),
    /// Delete a webhook with its delivery log.
    Delete(WebhookIdArgs),
    /// Queue a test event for a webhook; see it arrive with `vow webhook deliveries`.
    Test(WebhookIdArgs),
    /// Show a webhook's delivery log, newest first.
    Deliveries(WebhookDeliveriesArgs),
}

#[derive(Debug, Args)]
pub struct WebhookCreateArgs {
    /// Where deliveries are sent (http or https; never with credentials in it).
    #[arg(long, value_name = "URL")]
    pub url: String,

    /// An event to subscribe to; repeat for several: contract_content_changed,
    /// verification_published, verification_failed, deployment_recorded,
    /// deprecation_sunset_near.
    #[arg(long = "event", value_name = "EVENT", required = true)]
    pub events: Vec<String>,

    /// Only events about this provider.
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,

    /// Only events about this consumer.
    #[arg(long, value_name = "NAME")]
    pub consumer: Option<String>,

    /// The HTTP method of deliveries [default: POST].
    #[arg(long, value_name = "METHOD")]
    pub method: Option<String>,

    /// The body template, e.g. '{"text": "{{ consumer }} changed"}' [default: the event's
    /// variables as JSON].
    #[arg(long, value_name = "TEMPLATE", conflicts_with = "body_file")]
    pub body: Option<String>,

    /// Read the body template from a file.
    #[arg(long, value_name = "PATH")]
    pub body_file: Option<PathBuf>,

    /// A header to send, as NAME:VALUE (the value is a template); repeat for several.
    #[arg(long = "header", value_name = "NAME:VALUE", value_parser = parse_header)]
    pub headers: Vec<(String, String)>,

    /// A header whose value is secret, as NAME:VAR, the value read from the environment variable
    /// VAR (never from the command line); the broker seals it and never shows it again.
    #[arg(long = "secret-header", value_name = "NAME:VAR", value_parser = parse_header)]
    pub secret_headers: Vec<(String, String)>,

    /// Sign deliveries (HMAC-SHA256) with the secret in this environment variable.
    #[arg(long, value_name = "VAR")]
    pub secret_env: Option<String>,

    /// Create the webhook disabled: it receives no events until enabled.
    #[arg(long)]
    pub disabled: bool,

    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,

    #[command(flatten)]
    pub broker: BrokerClientArgs,
}

#[derive(Debug, Args)]
pub struct WebhookListArgs {
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,

    #[command(flatten)]
    pub broker: BrokerClientArgs,
}

#[derive(Debug, Args)]
pub struct WebhookIdArgs {
    /// The webhook's id (see `vow webhook list`).
    #[arg(value_name = "ID", value_parser = clap::value_parser!(i64).range(1..))]
    pub id: i64,

    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,

    #[command(flatten)]
    pub broker: BrokerClientArgs,
}

#[derive(Debug, Args)]
pub struct WebhookDeliveriesArgs {
    /// The webhook's id (see `vow webhook list`).
    #[arg(value_name = "ID", value_parser = clap::value_parser!(i64).range(1..))]
    pub id: i64,

    /// Only deliveries older than this delivery id (the `next` of the previous page).
    #[arg(long, value_name = "DELIVERY", value_parser = clap::value_parser!(i64).range(1..))]
    pub before: Option<i64>,

    /// The most deliveries to show, from 1 to 200.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=200))]
    pub limit: u32,

    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,

    #[command(flatten)]
    pub broker: BrokerClientArgs,
}

/// Formats of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table for people.
    Human,
    /// JSON, as the broker's API answers.
    Json,
}

/// Where the broker keeps its data.
#[derive(Debug, Args)]
pub struct BrokerDatabaseArgs {
    /// Directory of the embedded SQLite database, used when no database URL is given.
    #[arg(
        long,
        env = "VOW_DATA_DIR",
        default_value = "vow-data",
        value_name = "DIR"
    )]
    pub data_dir: PathBuf,

    /// PostgreSQL database to use instead of SQLite, e.g. postgres://vow@db.internal/vow.
    #[arg(
        long,
        env = "VOW_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// How long a request waits for a database connection, or for SQLite's write lock, before the
    /// broker answers 503.
    #[arg(
        long,
        env = "VOW_DATABASE_TIMEOUT",
        default_value = "5s",
        value_parser = parse_duration,
        value_name = "DURATION"
    )]
    pub database_timeout: Duration,
}

#[derive(Debug, Args)]
pub struct BrokerServeArgs {
    #[command(flatten)]
    pub database: BrokerDatabaseArgs,

    /// Address and port to listen on (port 0 picks a free one).
    #[arg(
        long,
        env = "VOW_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    pub listen: SocketAddr,

    /// Largest request body accepted (e.g. 8MiB); larger ones get 413.
    #[arg(long, default_value = "8MiB", value_parser = parse_size, value_name = "SIZE")]
    pub max_body_size: u64,

    /// Let requests without a token call the read (GET) routes once tokens exist; writes still
    /// need one.
    #[arg(
        long,
        env = "VOW_BROKER_PUBLIC_READ",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub public_read: bool,

    /// The URL people and webhook receivers reach the broker at (e.g. https://vow.example.com):
    /// the `broker_url` webhook variable, and an https URL makes the web pages' sign-in cookies
    /// Secure [default: http:// and the listening address].
    #[arg(long, env = "VOW_BROKER_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<Url>,

    /// Trust X-Forwarded-Proto from the proxy in front (which must set it and strip clients'):
    /// `https` there makes the web pages' sign-in cookies Secure.
    #[arg(
        long,
        env = "VOW_BROKER_TRUST_FORWARDED_PROTO",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub trust_forwarded_proto: bool,

    /// Log format on stderr: one JSON object per line, or text for people [default: json when
    /// stdout is not a terminal, text when it is].
    #[arg(long, env = "VOW_LOG_FORMAT", value_enum, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,

    /// What to log: a level (error, warn, info, debug, trace) or RUST_LOG-style directives such
    /// as `info,sqlx=warn`.
    #[arg(
        long,
        env = "VOW_LOG",
        default_value = "info",
        value_parser = parse_log_filter,
        value_name = "FILTER"
    )]
    pub log_level: String,

    #[command(flatten)]
    pub webhooks: BrokerWebhookArgs,
}

/// How `vow broker serve` delivers webhooks (docs/broker.md, "Webhooks").
#[derive(Debug, Args)]
pub struct BrokerWebhookArgs {
    /// The key that seals webhook secrets: 32 bytes in base64 (`openssl rand -base64 32`). Every
    /// broker sharing a database needs the same one [default: the file webhook.key in --data-dir,
    /// created on first start].
    #[arg(
        long,
        env = "VOW_WEBHOOK_KEY",
        value_name = "BASE64",
        hide_env_values = true
    )]
    pub webhook_key: Option<String>,

    /// Let webhooks reach loopback, link-local, private and other non-public addresses (a
    /// receiver on the broker's own network).
    #[arg(
        long,
        env = "VOW_WEBHOOK_ALLOW_PRIVATE",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub webhook_allow_private: bool,

    /// The only hosts webhooks may reach (repeat the flag, or comma-separate in the variable);
    /// when none is given, any public host.
    #[arg(
        long = "webhook-allow-host",
        env = "VOW_WEBHOOK_ALLOW_HOSTS",
        value_delimiter = ',',
        value_name = "HOST"
    )]
    pub webhook_allow_hosts: Vec<String>,

    /// How long one delivery attempt may take before it counts as failed.
    #[arg(long, default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    pub webhook_timeout: Duration,

    /// Attempts of a delivery before it is marked failed.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=100), value_name = "N")]
    pub webhook_max_attempts: u32,

    /// The longest wait between two attempts (the wait doubles from 5 s, with full jitter).
    #[arg(long, default_value = "1h", value_parser = parse_duration, value_name = "DURATION")]
    pub webhook_max_delay: Duration,

    /// How often the deprecation sunset sweep raises deprecation_sunset_near events.
    #[arg(long, default_value = "1h", value_parser = parse_duration, value_name = "DURATION")]
    pub webhook_sweep_interval: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One JSON object per line, for log collectors.
    Json,
    /// One line per event, for people.
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// For people: grouped by contract and interaction, with diffs.
    Human,
    /// The versioned JSON report (docs/verify-report.md).
    Json,
    /// JUnit XML: one test suite per contract, one test case per interaction.
    Junit,
    /// A pull-request comment or job summary, grouped by consumer.
    Markdown,
    /// GitHub Actions workflow annotations on the contract files.
    Github,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

/// Report formats of `vow check` and `vow diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SpecReportFormat {
    /// For people, coloured on a terminal.
    Human,
    /// The versioned JSON report.
    Json,
    /// A pull-request comment that leads with the consumers affected.
    Markdown,
    /// GitHub Actions workflow annotations (::error / ::warning / ::notice).
    Github,
    /// JUnit XML.
    Junit,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The provider's OpenAPI document (3.0 or 3.1, JSON or YAML).
    #[arg(long, value_name = "SPEC")]
    pub spec: PathBuf,

    /// Contract files, or directories searched recursively for .yaml, .yml and .json files.
    #[arg(required = true, value_name = "CONTRACT")]
    pub paths: Vec<PathBuf>,

    /// Only interactions of these consumers (repeatable; a trailing * matches any suffix).
    #[arg(long, value_name = "NAME")]
    pub consumer: Vec<String>,

    /// The date the deprecation clock is read at, YYYY-MM-DD (default: today, UTC).
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,

    /// Days before a sunset from which using the element is a warning.
    #[arg(long, default_value_t = 90, value_name = "DAYS")]
    pub deprecation_window: u32,

    /// Report format.
    #[arg(long, value_enum, default_value_t = SpecReportFormat::Human)]
    pub format: SpecReportFormat,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The spec before the change (OpenAPI 3.0 or 3.1, JSON or YAML).
    #[arg(value_name = "OLD")]
    pub old: PathBuf,

    /// The spec after the change.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,

    /// Consumer contracts (files or directories): breaking changes no contract uses are reported
    /// as info, and those a contract uses name the consumer and interaction.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub contracts: Vec<PathBuf>,

    /// The date the deprecation clock is read at, YYYY-MM-DD (default: today, UTC). Pass it in CI
    /// to make the verdict reproducible.
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,

    /// The notice a sunset must give: a sunset set or moved to fewer days after --as-of breaks.
    #[arg(long, default_value_t = 90, value_name = "N")]
    pub deprecation_days: u32,

    /// Report format.
    #[arg(long, value_enum, default_value_t = SpecReportFormat::Human)]
    pub format: SpecReportFormat,
}

/// File formats of `vow record`'s draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DraftFormat {
    Yaml,
    Json,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The provider's base URL: requests are forwarded there. With --har, only entries for this
    /// origin are read.
    #[arg(long, value_name = "URL", value_parser = parse_url, required_unless_present = "har")]
    pub upstream: Option<Url>,

    /// Where the recording proxy listens (port 0 picks a free one).
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1:8081",
        conflicts_with = "har"
    )]
    pub listen: SocketAddr,

    /// Read these HAR files (browser or proxy exports) instead of running the proxy.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub har: Vec<PathBuf>,

    /// The consuming service the draft is for.
    #[arg(long, value_name = "NAME")]
    pub consumer: String,

    /// The providing service.
    #[arg(long, value_name = "NAME")]
    pub provider: String,

    /// The draft contract file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// The draft's format (default: from --out's extension, .json or else YAML).
    #[arg(long, value_enum)]
    pub format: Option<DraftFormat>,

    /// Replace --out if it exists.
    #[arg(long)]
    pub force: bool,

    /// The provider's OpenAPI spec: its path templates and operation ids name the interactions.
    #[arg(long, value_name = "SPEC")]
    pub spec: Option<PathBuf>,

    /// Largest body kept for inference (larger bodies pass through and are noted).
    #[arg(long, default_value = "1MiB", value_parser = parse_size, value_name = "SIZE")]
    pub max_body_size: u64,

    /// Stop recording after this long (e.g. 10m).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION", conflicts_with = "har")]
    pub duration: Option<Duration>,

    /// Stop recording after this many exchanges.
    #[arg(long, value_name = "N", conflicts_with = "har", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_requests: Option<u64>,

    /// How long the upstream may take to answer one request with its headers.
    #[arg(long, default_value = "30s", value_parser = parse_duration, value_name = "DURATION")]
    pub upstream_timeout: Duration,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Contract files, or directories searched recursively for .yaml, .yml and .json files.
    // Every flag of the broker mode conflicts with paths by name: clap lets a `requires` of a
    // flag go unmet when the missing flag conflicts with one present.
    #[arg(
        required_unless_present = "broker",
        conflicts_with_all = [
            "broker",
            "branches",
            "publish",
            "provider_version",
            "provider_branch",
            "provider_commit",
            "build_url",
        ],
        value_name = "PATH"
    )]
    pub paths: Vec<PathBuf>,

    /// Base URL of the running provider; interaction paths are appended to it.
    #[arg(long, env = "VOW_PROVIDER_URL", value_name = "URL", value_parser = parse_url)]
    pub provider_url: Url,

    /// URL that sets up and tears down provider states (POST {state, params, action}).
    #[arg(long, env = "VOW_PROVIDER_STATES_URL", value_name = "URL", value_parser = parse_url)]
    pub provider_states_url: Option<Url>,

    /// The provider's OpenAPI spec (3.0 or 3.1, JSON or YAML): responses are also checked against
    /// its error taxonomy and latency envelope (x-vow-errors, x-vow-latency).
    #[arg(long, value_name = "SPEC")]
    pub spec: Option<PathBuf>,

    /// Only interactions of these consumers (repeatable; a trailing * matches any suffix).
    #[arg(long, value_name = "NAME")]
    pub consumer: Vec<String>,

    /// Only interactions with these providers (repeatable; a trailing * matches any suffix).
    /// With --broker: the one provider whose contracts are verified, by its exact name.
    #[arg(long, value_name = "NAME")]
    pub provider: Vec<String>,

    /// Only these interaction ids (repeatable; a trailing * matches any suffix).
    #[arg(long, value_name = "ID")]
    pub interaction: Vec<String>,

    /// Interactions replayed at once (interactions with provider states always run alone).
    #[arg(long, short = 'j', default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,

    /// Budget of one request, until the end of its response body (e.g. 500ms, 10s).
    #[arg(long, default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Duration,

    /// Budget of the whole run; interactions not replayed by then are reported (e.g. 5m).
    #[arg(long, default_value = "5m", value_parser = parse_duration, value_name = "DURATION")]
    pub deadline: Duration,

    /// Largest response body read (e.g. 512KiB, 10MiB); larger bodies are a finding.
    #[arg(long, default_value = "10MiB", value_parser = parse_size, value_name = "SIZE")]
    pub max_body_size: u64,

    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,

    /// Never show a progress bar.
    #[arg(long)]
    pub no_progress: bool,

    /// The dimensions to check, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "shape,errors,latency,auth,deprecation",
        value_name = "LIST"
    )]
    pub dimensions: Vec<DimensionArg>,

    /// Timed requests per interaction for the latency check (safe and idempotent methods only,
    /// unless the interaction is marked repeatable). Estimating p99 honestly needs at least 100.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub samples: u32,

    /// Untimed requests before the samples (default: 1 when sampling, else 0).
    #[arg(long, value_name = "N")]
    pub warmup: Option<u32>,

    /// The date the deprecation clock is read at, YYYY-MM-DD (default: today, UTC).
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,

    /// Days before a sunset from which using the element is a warning.
    #[arg(long, default_value_t = 90, value_name = "DAYS")]
    pub deprecation_window: u32,

    /// The configuration file with credential sets (default: ./vow.toml if present).
    #[arg(long, env = "VOW_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub from_broker: VerifyBrokerArgs,
}

/// `vow mock`: contracts served as a stub provider.
#[derive(Debug, Args)]
#[command(
    after_help = "Control API (under the mock's URL): GET /_vow/report, PUT /_vow/rehearsal \
{\"mode\": \"errors\", \"share\": 0.5}, PUT /_vow/pin {\"interaction\": \"ID\"} or {\"state\": \"NAME\"}, \
DELETE /_vow/pin, POST /_vow/reset, POST /_vow/stop. See docs/cli.md."
)]
pub struct MockArgs {
    /// Contract files, or directories searched recursively for .yaml, .yml and .json files.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Address to listen on; port 0 picks a free port. The URL is printed on stderr
    /// ("listening on http://…") and given to a wrapped command as VOW_MOCK_URL.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub listen: SocketAddr,

    /// The provider's OpenAPI spec: rehearsals answer its declared errors and wait its p99.
    #[arg(long, value_name = "SPEC")]
    pub spec: Option<PathBuf>,

    /// Only interactions of these consumers (repeatable; a trailing * matches any suffix).
    #[arg(long, value_name = "NAME")]
    pub consumer: Vec<String>,

    /// Only interactions with these providers (repeatable; a trailing * matches any suffix).
    #[arg(long, value_name = "NAME")]
    pub provider: Vec<String>,

    /// Only these interaction ids (repeatable; a trailing * matches any suffix).
    #[arg(long, value_name = "ID")]
    pub interaction: Vec<String>,

    /// Rehearse degraded states: answer a share of each interaction's requests with its declared
    /// errors, after the provider's p99, or after the consumer's timeout.
    #[arg(long, value_enum, default_value_t = RehearseArg::Off, value_name = "MODE")]
    pub rehearse: RehearseArg,

    /// The share of each interaction's requests a rehearsal degrades (0 to 1): with 0.25, the
    /// 4th, 8th, 12th, … request.
    #[arg(long, default_value_t = 0.25, value_parser = parse_share, value_name = "SHARE")]
    pub rehearse_share: f64,

    /// Seed of generated values, for reproducible responses (default: random).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Stop after this long (e.g. 30s, 5m); otherwise on Ctrl-C, POST /_vow/stop, or when the
    /// wrapped command exits.
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub duration: Option<Duration>,

    /// Unexercised interactions are warnings, not failures (for a partial test suite).
    #[arg(long)]
    pub allow_unexercised: bool,

    /// Largest request body read; larger ones get 413 and a finding.
    #[arg(long, default_value = "1MiB", value_parser = parse_size, value_name = "SIZE")]
    pub max_body_size: u64,

    /// Report format.
    #[arg(long, value_enum, default_value_t = MockReportFormat::Human)]
    pub format: MockReportFormat,

    /// A command to run against the mock (after `--`): it gets VOW_MOCK_URL, and the mock stops
    /// when it exits. Exit code 1 when it fails.
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// What `vow mock --rehearse` degrades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RehearseArg {
    /// Nothing: every request gets its interaction's response.
    Off,
    /// Declared errors (problem+json with the code, Retry-After for retried ones).
    Errors,
    /// Delays: the provider's p99 (with --spec), and beyond the consumer's timeout.
    Latency,
    /// Errors and delays in turn.
    All,
}

/// The formats of `vow mock`'s report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MockReportFormat {
    /// For people: coverage, unmatched requests, findings.
    Human,
    /// The versioned JSON report (docs/mock-report.md).
    Json,
    /// JUnit XML: one test case per interaction, one for unmatched requests.
    Junit,
}

fn parse_share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(share) if (0.0..=1.0).contains(&share) => Ok(share),
        _ => Err(format!(
            "{text:?} is not a share (expected a number from 0 to 1, e.g. 0.25)"
        )),
    }
}

/// `vow verify --broker`: the contracts come from the broker, which selects them for the
/// provider, and the results can go back to it.
#[derive(Debug, Args)]
#[command(next_help_heading = "Verifying the contracts the broker selects")]
pub struct VerifyBrokerArgs {
    /// Verify the contracts the broker selects for --provider (those of consumer versions deployed
    /// or released in an environment, and of the latest one on each of --branches) instead of
    /// contract files.
    #[arg(long, requires = "provider")]
    pub broker: bool,

    /// Base URL of the broker (with --broker).
    #[arg(
        long,
        env = "VOW_BROKER_URL",
        value_name = "URL",
        value_parser = parse_url,
        required_if_eq("broker", "true")
    )]
    pub broker_url: Option<Url>,

    /// Bearer token sent to the broker (never printed).
    #[arg(
        long,
        env = "VOW_BROKER_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub broker_token: Option<String>,

    /// Branches whose latest consumer versions are verified too, comma-separated (default: main).
    #[arg(long, value_delimiter = ',', requires = "broker", value_name = "LIST")]
    pub branches: Vec<String>,

    /// Record one verification result per contract on the broker, for --provider-version (also
    /// when verification fails). Evidence of a whole verification: --interaction and --dimensions
    /// are refused with it.
    #[arg(
        long,
        requires_all = ["broker", "provider_version"],
        conflicts_with_all = ["interaction", "dimensions"]
    )]
    pub publish: bool,

    /// The provider version verified (with --publish).
    #[arg(long, requires = "publish", value_name = "VERSION")]
    pub provider_version: Option<String>,

    /// The branch the provider version was built from (default: from CI variables or git).
    #[arg(long, requires = "publish", value_name = "BRANCH")]
    pub provider_branch: Option<String>,

    /// The commit the provider version was built from (default: from CI variables or git).
    #[arg(long, requires = "publish", value_name = "SHA")]
    pub provider_commit: Option<String>,

    /// The CI build that verified (default: from CI variables).
    #[arg(long, requires = "publish", value_name = "URL")]
    pub build_url: Option<String>,
}

/// A dimension name on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DimensionArg {
    Shape,
    Errors,
    Latency,
    Auth,
    Deprecation,
}

impl From<DimensionArg> for vow_core::Dimension {
    fn from(d: DimensionArg) -> Self {
        match d {
            DimensionArg::Shape => vow_core::Dimension::Shape,
            DimensionArg::Errors => vow_core::Dimension::Errors,
            DimensionArg::Latency => vow_core::Dimension::Latency,
            DimensionArg::Auth => vow_core::Dimension::Auth,
            DimensionArg::Deprecation => vow_core::Dimension::Deprecation,
        }
    }
}

fn parse_date(text: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| format!("{e} (expected a date such as 2026-11-21)"))
}

fn parse_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("{e} (expected e.g. http://127.0.0.1:8080)"))?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(format!(
            "the scheme {other:?} is not supported: use http or https"
        )),
    }
}

/// `NAME:VALUE`, the name trimmed and not empty.
fn parse_header(text: &str) -> Result<(String, String), String> {
    match text.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_owned(), value.trim_start().to_owned()))
        }
        _ => Err("expected NAME:VALUE, e.g. X-Team:payments".to_owned()),
    }
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(text)
        .map_err(|e| format!("{e} (expected e.g. 800ms, 10s or 2m)"))?;
    if d.is_zero() {
        return Err("the duration must be greater than zero".into());
    }
    Ok(d)
}

/// Checks a log filter (`info`, `warn,vow_broker=debug`) the way the broker will read it.
fn parse_log_filter(text: &str) -> Result<String, String> {
    tracing_subscriber::EnvFilter::builder()
        .parse(text)
        .map(|_| text.to_owned())
        .map_err(|e| {
            format!("{e} (expected a level such as info, or directives such as info,sqlx=warn)")
        })
}

/// Parses a byte size: a number with an optional unit B, KB, MB, GB (powers of 1000) or KiB, MiB,
/// GiB (powers of 1024).
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size (expected e.g. 10MiB)"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1_000,
        "kib" | "k" => 1 << 10,
        "mb" => 1_000_000,
        "mib" | "m" => 1 << 20,
        "gb" => 1_000_000_000,
        "gib" | "g" => 1 << 30,
        other => {
            return Err(format!(
                "unknown size unit {other:?} (use B, KiB, MiB, GiB, KB, MB, GB)"
            ));
        }
    };
    number
        .checked_mul(factor)
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{text:?} is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10MiB"), Ok(10 << 20));
        assert_eq!(parse_size("512 KB"), Ok(512_000));
        assert_eq!(parse_size("42"), Ok(42));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("5 parsecs").is_err());
    }

    #[test]
    fn urls_must_be_http() {
        assert!(parse_url("http://127.0.0.1:1").is_ok());
        assert!(parse_url("ftp://x").is_err());
        assert!(parse_url("localhost:8080/x").is_err());
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub source: ImportSource,
}

/// What `vow import` reads.
#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// Convert Pact files (specification v2, v3 and v4, HTTP interactions) into vow contracts,
    /// one per pact, and report everything that could not be carried over.
    Pact(ImportPactArgs),
}

#[derive(Debug, Args)]
pub struct ImportPactArgs {
    /// Pact files (JSON).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Where to write the contracts, as <consumer>.<provider>.yaml (or .json).
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub out: PathBuf,

    /// The contract files' format.
    #[arg(long, value_enum, default_value_t = ContractFileFormat::Yaml)]
    pub format: ContractFileFormat,

    /// Overwrite contract files that already exist.
    #[arg(long)]
    pub force: bool,

    /// Exit 1 when anything in a pact was not carried over.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ContractFileFormat {
    Yaml,
    Json,
}
