//! Releases (versions that stay present in an environment, several at once, until their support
//! ends) and undeployments (a deployment that stops being current without a replacement).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use super::environment::{environment_and_version, environment_id};
use super::error::StoreError;
use super::pool::{BeginWrite, Store, on_pool};
use super::record::Put;

/// A version released into an environment, supported until `support_ended_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Release {
    pub environment: String,
    pub service: String,
    pub version: String,
    pub released_at: DateTime<Utc>,
    pub support_ended_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Records that a version is released into an environment. Releasing a version that is
    /// already released and supported there changes nothing (and is not `created`).
    pub async fn record_release(
        &self,
        environment: &str,
        service: &str,
        version: &str,
        now: DateTime<Utc>,
    ) -> Result<Put<Release>, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let (environment_id, version_id, service_id) =
                environment_and_version!(self, tx, environment, service, version);
            // The partial unique index makes concurrent releases of one version converge.
            let created = sqlx::query(
                "INSERT INTO releases (environment_id, service_id, version_id, released_at) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (environment_id, version_id) WHERE support_ended_at IS NULL \
                 DO NOTHING",
            )
            .bind(environment_id)
            .bind(service_id)
            .bind(version_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            let released_at = sqlx::query_scalar::<_, DateTime<Utc>>(
                "SELECT released_at FROM releases WHERE environment_id = $1 AND version_id = $2 \
                 AND support_ended_at IS NULL",
            )
            .bind(environment_id)
            .bind(version_id)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Put {
                value: Release {
                    environment: environment.to_owned(),
                    service: service.to_owned(),
                    version: version.to_owned(),
                    released_at,
                    support_ended_at: None,
                },
                created,
            })
        })
    }

    /// Records that a released version is no longer supported in an environment: it stops being
    /// present there. [`StoreError::ReleaseNotFound`] when it is not released and supported.
    pub async fn record_support_ended(
        &self,
        environment: &str,
        service: &str,
        version: &str,
        now: DateTime<Utc>,
    ) -> Result<Release, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let (environment_id, version_id, _) =
                environment_and_version!(self, tx, environment, service, version);
            let released_at = sqlx::query_scalar::<_, DateTime<Utc>>(
                "UPDATE releases SET support_ended_at = $3 WHERE environment_id = $1 \
                 AND version_id = $2 AND support_ended_at IS NULL RETURNING released_at",
            )
            .bind(environment_id)
            .bind(version_id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::ReleaseNotFound {
                environment: environment.to_owned(),
                service: service.to_owned(),
                version: version.to_owned(),
            })?;
            tx.commit().await?;
            Ok(Release {
                environment: environment.to_owned(),
                service: service.to_owned(),
                version: version.to_owned(),
                released_at,
                support_ended_at: Some(now),
            })
        })
    }

    /// The releases supported in an environment, by service and version.
    pub async fn current_releases(&self, environment: &str) -> Result<Vec<Release>, StoreError> {
        on_pool!(self, pool => {
            environment_id!(pool, environment);
            let rows = sqlx::query(
                "SELECT s.name AS service, v.number AS version, r.released_at \
                 FROM releases r JOIN environments e ON e.id = r.environment_id \
                 JOIN services s ON s.id = r.service_id JOIN versions v ON v.id = r.version_id \
                 WHERE e.name = $1 AND r.support_ended_at IS NULL ORDER BY s.name, v.id",
            )
            .bind(environment)
            .fetch_all(pool)
            .await?;
            let mut releases = Vec::with_capacity(rows.len());
            for row in rows {
                releases.push(Release {
                    environment: environment.to_owned(),
                    service: row.try_get("service")?,
                    version: row.try_get("version")?,
                    released_at: row.try_get("released_at")?,
                    support_ended_at: None,
                });
            }
            Ok(releases)
        })
    }

    /// Records that a service (one application instance of it, or its only one) no longer runs in
    /// an environment: its current deployment there ends with no replacement.
    /// [`StoreError::DeploymentNotFound`] when nothing is deployed for that instance.
    pub async fn record_undeployment(
        &self,
        environment: &str,
        service: &str,
        application_instance: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let instance = application_instance.unwrap_or("");
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let environment_id = environment_id!(&mut *tx, environment);
            let row = sqlx::query(
                "UPDATE deployments SET replaced_at = $4, undeployed = $5 \
                 WHERE environment_id = $1 \
                 AND service_id = (SELECT id FROM services WHERE name = $2) \
                 AND application_instance = $3 AND replaced_at IS NULL \
                 RETURNING (SELECT number FROM versions WHERE id = version_id) AS version",
            )
            .bind(environment_id)
            .bind(service)
            .bind(instance)
            .bind(now)
            .bind(true)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else {
                return Err(StoreError::DeploymentNotFound {
                    environment: environment.to_owned(),
                    service: service.to_owned(),
                    instance: application_instance.map(str::to_owned),
                });
            };
            let version: String = row.try_get("version")?;
            tx.commit().await?;
            Ok(version)
        })
    }
}
