//! `vow broker serve`, `vow broker migrate` and `vow broker token`: open the broker's database
//! (SQLite under `--data-dir`, or PostgreSQL at `--database-url`), apply migrations, and for
//! `serve`, log to stderr (JSON or text), say whether auth is on, and answer HTTP on `--listen`
//! until Ctrl-C or SIGTERM, letting requests in flight finish. The token commands are in
//! `token.rs`.

use std::io::{IsTerminal, Write};

use anyhow::Context;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

use vow_broker::webhook::{AddressGuard, WebhookKey, WebhookSettings};
use vow_broker::{Database, Settings, Store, StoreError, StoreSettings};

use crate::cli::{
    BrokerArgs, BrokerCommand, BrokerDatabaseArgs, BrokerServeArgs, ColorChoice, LogFormat,
};
use crate::command::token;
use crate::exit::{self, Failure};
use crate::render::Style;
use crate::write_stdout;

pub fn run(args: BrokerArgs, color: ColorChoice) -> Result<u8, Failure> {
    let runtime = tokio::runtime::Runtime::new()
        .context("failed to start the async runtime")
        .map_err(|e| Failure::new(exit::INVALID_INPUT, e))?;
    runtime.block_on(async {
        match args.command {
            BrokerCommand::Serve(args) => serve(args, color).await,
            BrokerCommand::Migrate(args) => migrate(args).await,
            BrokerCommand::Token(args) => token::run(args).await,
        }
    })
}

async fn serve(args: BrokerServeArgs, color: ColorChoice) -> Result<u8, Failure> {
    install_logging(&args, color);
    let store = open(&args.database).await?;
    let auth = store
        .tokens_exist()
        .await
        .map_err(|e| fail(e, "failed to read the tokens"))?;
    let _ = writeln!(std::io::stderr(), "{}", auth_line(auth, args.public_read));
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("failed to listen on {}", args.listen))
        .map_err(|e| Failure::new(exit::INVALID_INPUT, e))?;
    let address = listener
        .local_addr()
        .context("failed to read the listening address")
        .map_err(|e| Failure::new(exit::INVALID_INPUT, e))?;
    let settings = Settings {
        max_body_bytes: usize::try_from(args.max_body_size).unwrap_or(usize::MAX),
        public_read: args.public_read,
        webhooks: webhook_settings(&args, address)?,
        public_url: args.public_url.as_ref().map(ToString::to_string),
        trust_forwarded_proto: args.trust_forwarded_proto,
        ..Settings::default()
    };
    write_stdout(&format!("listening on http://{address}\n"))?;
    vow_broker::serve(listener, store.clone(), settings, super::shutdown_signal())
        .await
        .context("the server failed")
        .map_err(|e| Failure::new(exit::UNREACHABLE, e))?;
    store.close().await;
    Ok(exit::SUCCESS)
}

/// The webhook settings from the flags: the key from `--webhook-key` or the data directory's key
/// file (created on first start).
fn webhook_settings(
    args: &BrokerServeArgs,
    address: std::net::SocketAddr,
) -> Result<WebhookSettings, Failure> {
    let flags = &args.webhooks;
    let key = match &flags.webhook_key {
        Some(text) => WebhookKey::from_base64(text),
        None => WebhookKey::load_or_create(&args.database.data_dir.join("webhook.key")),
    }
    .context("failed to load the webhook key")
    .map_err(|e| Failure::new(exit::INVALID_INPUT, e))?;
    let broker_url = match &args.public_url {
        Some(url) => url.as_str().trim_end_matches('/').to_owned(),
        None => format!("http://{address}"),
    };
    Ok(WebhookSettings {
        key,
        guard: Arc::new(AddressGuard {
            allow_private: flags.webhook_allow_private,
            allowed_hosts: flags
                .webhook_allow_hosts
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        }),
        broker_url,
        attempt_timeout: flags.webhook_timeout,
        max_attempts: flags.webhook_max_attempts,
        max_delay: flags.webhook_max_delay,
        sunset_sweep_interval: flags.webhook_sweep_interval,
        ..WebhookSettings::default()
    })
}

async fn migrate(args: BrokerDatabaseArgs) -> Result<u8, Failure> {
    let store = open(&args).await?;
    store.close().await;
    write_stdout("migrations applied\n")?;
    Ok(exit::SUCCESS)
}

/// What `serve` says about auth when it starts.
fn auth_line(tokens_exist: bool, public_read: bool) -> &'static str {
    match (tokens_exist, public_read) {
        (false, _) => {
            "warning: auth is off: no token exists yet, so anyone who can reach this broker can \
             read and write. Create an admin token with `vow broker token create --name admin \
             --role admin`; from then on every request but /healthz, /readyz and the OpenAPI \
             document needs a token."
        }
        (true, false) => "auth: every request needs a bearer token",
        (true, true) => "auth: writes need a bearer token; reads are public (--public-read)",
    }
}

/// A store error as a failure: 4 when the database cannot be reached, 2 otherwise.
pub(super) fn fail(error: StoreError, doing: impl Into<String>) -> Failure {
    let code = match error {
        StoreError::Unavailable(_) => exit::UNREACHABLE,
        _ => exit::INVALID_INPUT,
    };
    Failure::new(code, anyhow::Error::new(error).context(doing.into()))
}

/// Opens the database and applies pending migrations, telling the operator which database it is.
pub(super) async fn open(args: &BrokerDatabaseArgs) -> Result<Store, Failure> {
    let database = match &args.database_url {
        Some(url) => Database::Postgres { url: url.clone() },
        None => Database::Sqlite {
            data_dir: args.data_dir.clone(),
        },
    };
    let described = database.describe();
    let _ = writeln!(std::io::stderr(), "database: {described}");
    let opening = format!("failed to open {described}");
    let settings = StoreSettings {
        acquire_timeout: args.database_timeout,
        ..StoreSettings::default()
    };
    let store = Store::open_with(&database, &settings)
        .await
        .map_err(|e| fail(e, opening.clone()))?;
    store.migrate().await.map_err(|e| fail(e, opening))?;
    Ok(store)
}

/// Sends the broker's log events to stderr: JSON lines by default when stdout is not a terminal
/// (a service manager or container runtime is collecting them), text for a person at a terminal.
fn install_logging(args: &BrokerServeArgs, color: ColorChoice) {
    let format = args
        .log_format
        .unwrap_or(if std::io::stdout().is_terminal() {
            LogFormat::Text
        } else {
            LogFormat::Json
        });
    // The filter was checked when the flags were read.
    let filter = EnvFilter::builder().parse_lossy(&args.log_level);
    // A log nobody reads any more (stderr closed) must not take requests down with it: failed
    // writes are dropped instead of reported on the same closed stderr, which would panic.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .log_internal_errors(false);
    // Another subscriber can only be there if this runs twice; the first one keeps logging.
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text => builder
            .with_ansi(Style::for_stderr(color).enabled)
            .try_init(),
    };
}
