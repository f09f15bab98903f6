//! The rows the store hands out, as plain data, and how each is read from either backend.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{ColumnIndex, Decode, FromRow, Row, Type};

use crate::token::Role;

/// The outcome of an idempotent write: the row, and whether this call created it (for a
/// revocation: whether this call revoked it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Put<T> {
    pub value: T,
    pub created: bool,
}

/// A consumer, a provider or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// One build of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    pub service: String,
    pub number: String,
    pub branch: Option<String>,
    pub commit: Option<String>,
    pub build_url: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// What a publisher says about a version. Each attribute is set once and never changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionAttributes {
    pub branch: Option<String>,
    pub commit: Option<String>,
    pub build_url: Option<String>,
}

/// A contract as the broker holds it: its content hash and canonical JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredContract {
    pub hash: String,
    pub content: String,
}

/// A consumer version's contract with a provider, as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Publication {
    pub consumer: String,
    pub version: String,
    pub provider: String,
    pub hash: String,
    pub published_at: DateTime<Utc>,
}

/// Where versions run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Environment {
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// A version deployed to an environment, current until `replaced_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deployment {
    pub environment: String,
    pub service: String,
    pub version: String,
    pub application_instance: Option<String>,
    pub deployed_at: DateTime<Utc>,
    pub replaced_at: Option<DateTime<Utc>>,
}

/// A broker token as people see it: everything but the token itself, which the broker never
/// keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    pub name: String,
    pub role: Role,
    /// The services it may write for; empty for all.
    pub services: Vec<String>,
    /// `vow_` and the first characters of the token, to recognise it by.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it last authenticated a request, to the minute.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// One row of a token joined with one of its services (`None` when it has none); a token limited
/// to three services is three rows.
#[derive(Debug, Clone)]
pub(crate) struct TokenRow {
    pub name: String,
    pub role: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub service: Option<String>,
}

/// Implements `FromRow` for both backends: each listed field is read from the column of its name.
macro_rules! from_row {
    ($record:ident { $($field:ident: $column:literal),* $(,)? } $(map $fix:expr)?) => {
        impl<'r, R: Row> FromRow<'r, R> for $record
        where
            &'r str: ColumnIndex<R>,
            String: Decode<'r, R::Database> + Type<R::Database>,
            Option<String>: Decode<'r, R::Database> + Type<R::Database>,
            DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
            Option<DateTime<Utc>>: Decode<'r, R::Database> + Type<R::Database>,
        {
            fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
                let record = $record { $($field: row.try_get($column)?),* };
                $(let record = $fix(record);)?
                Ok(record)
            }
        }
    };
}

from_row!(Service {
    name: "name",
    created_at: "created_at"
});
from_row!(Version {
    service: "service",
    number: "number",
    branch: "branch",
    commit: "commit_sha",
    build_url: "build_url",
    created_at: "created_at",
});
from_row!(StoredContract {
    hash: "hash",
    content: "content"
});
from_row!(Publication {
    consumer: "consumer",
    version: "version",
    provider: "provider",
    hash: "hash",
    published_at: "created_at",
});
from_row!(Environment {
    name: "name",
    created_at: "created_at"
});
from_row!(Deployment {
    environment: "environment",
    service: "service",
    version: "version",
    application_instance: "application_instance",
    deployed_at: "deployed_at",
    replaced_at: "replaced_at",
} map |d: Deployment| Deployment {
    // The column holds '' for "no application instance", so the unique index can cover it.
    application_instance: d.application_instance.filter(|i| !i.is_empty()),
    ..d
});
from_row!(TokenRow {
    name: "name",
    role: "role",
    prefix: "prefix",
    created_at: "created_at",
    expires_at: "expires_at",
    revoked_at: "revoked_at",
    last_used_at: "last_used_at",
    service: "service",
});

/// A version current in an environment: deployed there, or released and still supported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placement {
    pub environment: String,
    pub service: String,
    pub version: String,
    /// `deployed` or `released`.
    pub how: String,
    pub since: DateTime<Utc>,
}
from_row!(Placement {
    environment: "environment",
    service: "service",
    version: "version",
    how: "how",
    since: "since",
});

/// A provider version's published spec, by its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecRef {
    pub version: String,
    pub hash: String,
    pub published_at: DateTime<Utc>,
}
from_row!(SpecRef {
    version: "version",
    hash: "hash",
    published_at: "published_at",
});
