//! What can go wrong in the store: conflicts and missing rows the API reports to clients, and
//! database failures it does not explain to them.

use std::path::PathBuf;

/// An error from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The service does not exist.
    #[error("there is no service {service:?}")]
    ServiceNotFound { service: String },
    /// The service has no such version.
    #[error("{service} has no version {version:?}")]
    VersionNotFound { service: String, version: String },
    /// The environment does not exist.
    #[error("there is no environment {environment:?}")]
    EnvironmentNotFound { environment: String },
    /// The consumer version has no contract with the provider.
    #[error("{consumer} {version} has no contract with {provider}")]
    ContractNotFound {
        consumer: String,
        version: String,
        provider: String,
    },
    /// A version attribute was already set to another value; attributes never change.
    #[error(
        "{service} {version} already has {attribute} {stored:?}, not {given:?}; a version's {attribute} never changes"
    )]
    VersionConflict {
        service: String,
        version: String,
        attribute: &'static str,
        stored: String,
        given: String,
    },
    /// The consumer version already has a different contract with this provider.
    #[error(
        "{consumer} {version} already has a different contract with {provider} ({stored_hash}, this one is {given_hash}); contracts of a version never change: publish the new contract under a new version"
    )]
    ContractConflict {
        consumer: String,
        version: String,
        provider: String,
        stored_hash: String,
        given_hash: String,
    },
    /// The provider version already has a different spec.
    #[error(
        "{service} {version} already has a different spec ({stored_hash}, this one is {given_hash}); the spec of a version never changes: publish the new spec under a new version"
    )]
    SpecConflict {
        service: String,
        version: String,
        stored_hash: String,
        given_hash: String,
    },
    /// The provider version has no spec.
    #[error("{service} {version} has no spec")]
    SpecNotFound { service: String, version: String },
    /// No contract with this content hash was ever published.
    #[error("no contract with hash {hash} was published for {provider}")]
    ContractHashNotFound { hash: String, provider: String },
    /// The version is not released in the environment (or its support already ended).
    #[error("{service} {version} is not released in {environment}")]
    ReleaseNotFound {
        environment: String,
        service: String,
        version: String,
    },
    /// The service has no current deployment in the environment (for that application instance).
    #[error("{service} is not deployed in {environment}{}", instance.as_deref().map(|i| format!(" as instance {i:?}")).unwrap_or_default())]
    DeploymentNotFound {
        environment: String,
        service: String,
        instance: Option<String>,
    },
    /// A stored value could not be read back (written by a newer vow, or edited by hand).
    #[error("a stored value is unreadable: {0}")]
    Corrupt(String),
    /// Another token has that name.
    #[error(
        "there is already a token named {name:?} (a revoked token keeps its name); choose another name"
    )]
    TokenConflict { name: String },
    /// No token has that name.
    #[error("there is no token named {name:?}")]
    TokenNotFound { name: String },
    /// No webhook has that id.
    #[error("there is no webhook {id}")]
    WebhookNotFound { id: i64 },
    /// The database could not be reached in time (connection refused, pool exhausted, closed).
    #[error("the database is unavailable")]
    Unavailable(#[source] sqlx::Error),
    /// The database answered with an error.
    #[error("the database failed")]
    Database(#[source] sqlx::Error),
    /// The migrations could not be applied.
    #[error("failed to apply the database migrations")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// The PostgreSQL URL could not be read.
    #[error("invalid database URL")]
    InvalidUrl(#[source] sqlx::Error),
    /// The data directory could not be created.
    #[error("failed to create the data directory {path}")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl StoreError {
    /// Sorts a sqlx error into "try again later" and "something is wrong".
    pub(crate) fn from_sqlx(error: sqlx::Error) -> StoreError {
        match error {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(error),
            sqlx::Error::Database(ref e) if is_transient(e.as_ref()) => {
                StoreError::Unavailable(error)
            }
            error => StoreError::Database(error),
        }
    }
}

/// True for a database's answers that mean "not now" rather than "never": PostgreSQL shutting
/// down, starting up, out of connections or losing the connection, and SQLite's lock still held
/// by another writer when the busy timeout ran out.
fn is_transient(error: &(dyn sqlx::error::DatabaseError + 'static)) -> bool {
    if let Some(e) = error.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        let code = e.code();
        // Class 08: connection exception. 57P01–57P03: admin shutdown, crash shutdown, cannot
        // connect now. 53300: too many connections.
        return code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300");
    }
    if let Some(e) = error.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
        // The primary result code is the low byte of the extended one: SQLITE_BUSY (5) and
        // SQLITE_LOCKED (6), whatever their extension.
        return sqlx::error::DatabaseError::code(e)
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| matches!(code & 0xff, 5 | 6));
    }
    false
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        StoreError::from_sqlx(error)
    }
}

/// True when the error is a unique-constraint violation: another writer got there first.
pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}
