//! Services and their versions.

use chrono::{DateTime, Utc};

use super::error::StoreError;
use super::pool::{BeginWrite, Store, on_pool};
use super::record::{Put, Service, Version, VersionAttributes};

/// Selects a version by service name and number, in the columns `Version` reads.
const SELECT_VERSION: &str = "SELECT s.name AS service, v.number, v.branch, v.commit_sha, \
     v.build_url, v.created_at \
     FROM versions v JOIN services s ON s.id = v.service_id \
     WHERE s.name = $1 AND v.number = $2";

/// Inserts the service if it is new and evaluates to its id. Concurrent callers converge on one
/// row: the insert does nothing when another transaction created the service first.
macro_rules! ensure_service {
    ($tx:expr, $name:expr, $now:expr) => {{
        sqlx::query(
            "INSERT INTO services (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind($name)
        .bind($now)
        .execute(&mut *$tx)
        .await?;
        sqlx::query_scalar::<_, i64>("SELECT id FROM services WHERE name = $1")
            .bind($name)
            .fetch_one(&mut *$tx)
            .await?
    }};
}
pub(super) use ensure_service;

/// Inserts the version if it is new; evaluates to (version id, whether this call created it).
macro_rules! ensure_version {
    ($tx:expr, $service_id:expr, $number:expr, $attributes:expr, $now:expr) => {{
        let attributes: &VersionAttributes = $attributes;
        let inserted = sqlx::query(
            "INSERT INTO versions (service_id, number, branch, commit_sha, build_url, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (service_id, number) DO NOTHING",
        )
        .bind($service_id)
        .bind($number)
        .bind(attributes.branch.as_deref())
        .bind(attributes.commit.as_deref())
        .bind(attributes.build_url.as_deref())
        .bind($now)
        .execute(&mut *$tx)
        .await?
        .rows_affected();
        let id = sqlx::query_scalar::<_, i64>(
            "SELECT id FROM versions WHERE service_id = $1 AND number = $2",
        )
        .bind($service_id)
        .bind($number)
        .fetch_one(&mut *$tx)
        .await?;
        (id, inserted == 1)
    }};
}
pub(super) use ensure_version;

/// Stores content in `$table` (`contracts` or `specs`: `hash`, `content`, `created_at`) once per
/// hash and evaluates to its id; the same content again changes nothing.
macro_rules! ensure_content {
    ($tx:expr, $table:literal, $hash:expr, $content:expr, $now:expr) => {{
        sqlx::query(concat!(
            "INSERT INTO ",
            $table,
            " (hash, content, created_at) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING"
        ))
        .bind($hash)
        .bind($content)
        .bind($now)
        .execute(&mut *$tx)
        .await?;
        sqlx::query_scalar::<_, i64>(concat!("SELECT id FROM ", $table, " WHERE hash = $1"))
            .bind($hash)
            .fetch_one(&mut *$tx)
            .await?
    }};
}
pub(super) use ensure_content;

/// The first attribute the caller gives that differs from the one stored.
fn conflict(stored: &Version, given: &VersionAttributes) -> Option<StoreError> {
    let pairs = [
        ("branch", &stored.branch, &given.branch),
        ("commit", &stored.commit, &given.commit),
        ("build URL", &stored.build_url, &given.build_url),
    ];
    pairs
        .into_iter()
        .find_map(
            |(attribute, stored_value, given_value)| match (stored_value, given_value) {
                (Some(s), Some(g)) if s != g => Some(StoreError::VersionConflict {
                    service: stored.service.clone(),
                    version: stored.number.clone(),
                    attribute,
                    stored: s.clone(),
                    given: g.clone(),
                }),
                _ => None,
            },
        )
}

/// True when the caller gives an attribute that is not stored yet.
fn fills_in(stored: &Version, given: &VersionAttributes) -> bool {
    (stored.branch.is_none() && given.branch.is_some())
        || (stored.commit.is_none() && given.commit.is_some())
        || (stored.build_url.is_none() && given.build_url.is_some())
}

impl Store {
    /// Every service, by name.
    pub async fn services(&self) -> Result<Vec<Service>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_as::<_, Service>(
            "SELECT name, created_at FROM services ORDER BY name",
        )
        .fetch_all(pool)
        .await?))
    }

    /// One service, if it exists.
    pub async fn service(&self, name: &str) -> Result<Option<Service>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_as::<_, Service>(
            "SELECT name, created_at FROM services WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(pool)
        .await?))
    }

    /// One version of a service, if it exists.
    pub async fn version(
        &self,
        service: &str,
        number: &str,
    ) -> Result<Option<Version>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_as::<_, Version>(SELECT_VERSION)
            .bind(service)
            .bind(number)
            .fetch_optional(pool)
            .await?))
    }

    /// The newest versions of a service (at most `limit`), newest first. `None` when the service
    /// does not exist.
    pub async fn versions(
        &self,
        service: &str,
        limit: u32,
    ) -> Result<Option<Vec<Version>>, StoreError> {
        if self.service(service).await?.is_none() {
            return Ok(None);
        }
        on_pool!(self, pool => Ok(Some(sqlx::query_as::<_, Version>(
            "SELECT s.name AS service, v.number, v.branch, v.commit_sha, v.build_url, v.created_at \
             FROM versions v JOIN services s ON s.id = v.service_id \
             WHERE s.name = $1 ORDER BY v.id DESC LIMIT $2",
        )
        .bind(service)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?)))
    }

    /// Records a version of a service (and the service, if new). Idempotent: the same version
    /// again succeeds without a change; an attribute not stored yet is filled in; an attribute
    /// stored with another value is a [`StoreError::VersionConflict`].
    pub async fn put_version(
        &self,
        service: &str,
        number: &str,
        attributes: &VersionAttributes,
        now: DateTime<Utc>,
    ) -> Result<Put<Version>, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let service_id = ensure_service!(tx, service, now);
            let (_, created) = ensure_version!(tx, service_id, number, attributes, now);
            let mut version = sqlx::query_as::<_, Version>(SELECT_VERSION)
                .bind(service)
                .bind(number)
                .fetch_one(&mut *tx)
                .await?;
            if !created {
                if let Some(error) = conflict(&version, attributes) {
                    return Err(error);
                }
                if fills_in(&version, attributes) {
                    // COALESCE keeps a value another writer set meanwhile; the check below
                    // then reports it as a conflict instead of overwriting it.
                    sqlx::query(
                        "UPDATE versions SET branch = COALESCE(branch, $3), \
                         commit_sha = COALESCE(commit_sha, $4), \
                         build_url = COALESCE(build_url, $5) \
                         WHERE service_id = $1 AND number = $2",
                    )
                    .bind(service_id)
                    .bind(number)
                    .bind(attributes.branch.as_deref())
                    .bind(attributes.commit.as_deref())
                    .bind(attributes.build_url.as_deref())
                    .execute(&mut *tx)
                    .await?;
                    version = sqlx::query_as::<_, Version>(SELECT_VERSION)
                        .bind(service)
                        .bind(number)
                        .fetch_one(&mut *tx)
                        .await?;
                    if let Some(error) = conflict(&version, attributes) {
                        return Err(error);
                    }
                }
            }
            tx.commit().await?;
            Ok(Put { value: version, created })
        })
    }
}
