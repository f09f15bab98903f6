//! Environments and the deployments recorded in them.

use chrono::{DateTime, Utc};

use super::error::{StoreError, is_unique_violation};
use super::pool::{BeginWrite, Store, on_pool};
use super::record::{Deployment, Environment, Put};
use super::webhook::raise_event;
use crate::webhook::EventKind;

/// Deployments with their names; a macro so that `concat!` can add the filter.
macro_rules! select_deployment {
    () => {
        "SELECT e.name AS environment, s.name AS service, v.number AS version, \
         d.application_instance, d.deployed_at, d.replaced_at \
         FROM deployments d \
         JOIN environments e ON e.id = d.environment_id \
         JOIN services s ON s.id = d.service_id \
         JOIN versions v ON v.id = d.version_id "
    };
}

/// Evaluates to the id of the environment named `$name`, read through `$executor` (a pool or
/// `&mut *tx`), or returns [`StoreError::EnvironmentNotFound`].
macro_rules! environment_id {
    ($executor:expr, $name:expr) => {{
        let Some(id) = sqlx::query_scalar::<_, i64>("SELECT id FROM environments WHERE name = $1")
            .bind($name)
            .fetch_optional($executor)
            .await?
        else {
            return Err(StoreError::EnvironmentNotFound {
                environment: $name.to_owned(),
            });
        };
        id
    }};
}
pub(super) use environment_id;

/// Evaluates to the environment id and the version's (id, service id), read in the write
/// transaction `$tx`, or returns the error naming what is missing.
macro_rules! environment_and_version {
    ($self:expr, $tx:expr, $environment:expr, $service:expr, $version:expr) => {{
        let environment_id = environment_id!(&mut *$tx, $environment);
        let Some((version_id, service_id)) = sqlx::query_as::<_, (i64, i64)>(
            "SELECT v.id, v.service_id FROM versions v JOIN services s ON s.id = v.service_id \
             WHERE s.name = $1 AND v.number = $2",
        )
        .bind($service)
        .bind($version)
        .fetch_optional(&mut *$tx)
        .await?
        else {
            drop($tx);
            return Err($self.missing_version($service, $version).await);
        };
        (environment_id, version_id, service_id)
    }};
}
pub(super) use environment_and_version;

/// How often recording a deployment is tried when a concurrent recording for the same instance
/// wins the race for the "current" slot (each retry then replaces the winner). The service row
/// lock below makes this rare; the retry keeps it from ever being a 500.
const DEPLOYMENT_ATTEMPTS: u32 = 3;

impl Store {
    /// Creates an environment. Idempotent: an existing one is returned unchanged.
    pub async fn put_environment(
        &self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Put<Environment>, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let created = sqlx::query(
                "INSERT INTO environments (name, created_at) VALUES ($1, $2) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            let environment = sqlx::query_as::<_, Environment>(
                "SELECT name, created_at FROM environments WHERE name = $1",
            )
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Put { value: environment, created })
        })
    }

    /// Every environment, by name.
    pub async fn environments(&self) -> Result<Vec<Environment>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_as::<_, Environment>(
            "SELECT name, created_at FROM environments ORDER BY name",
        )
        .fetch_all(pool)
        .await?))
    }

    /// Records that a version of a service now runs in an environment (as one application
    /// instance, or as the service's only one). The deployment replaces the service's current one
    /// for that instance there. Recording the version that is already current changes nothing.
    pub async fn record_deployment(
        &self,
        environment: &str,
        service: &str,
        version: &str,
        application_instance: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Put<Deployment>, StoreError> {
        // The column holds '' for "no instance" so that the unique index covers it.
        let instance = application_instance.unwrap_or("");
        let mut attempt = 1;
        loop {
            let outcome = on_pool!(self, pool => {
                let mut tx = pool.begin_write().await?;
                let (environment_id, version_id, service_id) =
                    environment_and_version!(self, tx, environment, service, version);
                // Recordings for one service queue here (a row lock on PostgreSQL; SQLite's
                // write lock is already held), so each reads the current deployment the previous
                // one left instead of racing it for the unique index.
                sqlx::query("UPDATE services SET name = name WHERE id = $1")
                    .bind(service_id)
                    .execute(&mut *tx)
                    .await?;
                let current = sqlx::query_scalar::<_, i64>(
                    "SELECT version_id FROM deployments WHERE environment_id = $1 \
                     AND service_id = $2 AND application_instance = $3 AND replaced_at IS NULL",
                )
                .bind(environment_id)
                .bind(service_id)
                .bind(instance)
                .fetch_optional(&mut *tx)
                .await?;
                let created = current != Some(version_id);
                let mut raced = false;
                if created {
                    sqlx::query(
                        "UPDATE deployments SET replaced_at = $4 WHERE environment_id = $1 \
                         AND service_id = $2 AND application_instance = $3 AND replaced_at IS NULL",
                    )
                    .bind(environment_id)
                    .bind(service_id)
                    .bind(instance)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    let inserted = sqlx::query(
                        "INSERT INTO deployments (environment_id, service_id, version_id, \
                         application_instance, deployed_at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(environment_id)
                    .bind(service_id)
                    .bind(version_id)
                    .bind(instance)
                    .bind(now)
                    .execute(&mut *tx)
                    .await;
                    match inserted {
                        Err(e) if is_unique_violation(&e) && attempt < DEPLOYMENT_ATTEMPTS => {
                            raced = true;
                        }
                        other => {
                            other?;
                        }
                    }
                }
                if raced {
                    None
                } else {
                    let deployment = sqlx::query_as::<_, Deployment>(concat!(
                        select_deployment!(),
                        "WHERE d.environment_id = $1 AND d.service_id = $2 \
                         AND d.application_instance = $3 AND d.replaced_at IS NULL"
                    ))
                    .bind(environment_id)
                    .bind(service_id)
                    .bind(instance)
                    .fetch_one(&mut *tx)
                    .await?;
                    if created {
                        let payload = serde_json::json!({
                            "environment": environment,
                            "service": service,
                            "version": version,
                            "application_instance": application_instance,
                        });
                        // A deployment is about one service: both filters are matched against it.
                        raise_event!(
                            tx,
                            EventKind::DeploymentRecorded,
                            payload,
                            Some(service),
                            Some(service),
                            now
                        );
                    }
                    tx.commit().await?;
                    Some(Put { value: deployment, created })
                }
            });
            match outcome {
                Some(put) => return Ok(put),
                None => attempt += 1,
            }
        }
    }

    /// The deployments current in an environment, by service and application instance.
    pub async fn current_deployments(
        &self,
        environment: &str,
    ) -> Result<Vec<Deployment>, StoreError> {
        on_pool!(self, pool => {
            environment_id!(pool, environment);
            Ok(sqlx::query_as::<_, Deployment>(concat!(
                select_deployment!(),
                "WHERE e.name = $1 AND d.replaced_at IS NULL \
                 ORDER BY s.name, d.application_instance"
            ))
            .bind(environment)
            .fetch_all(pool)
            .await?)
        })
    }

    /// The error for a version that does not exist: its service may be missing too.
    pub(super) async fn missing_version(&self, service: &str, version: &str) -> StoreError {
        match self.service(service).await {
            Ok(None) => StoreError::ServiceNotFound {
                service: service.to_owned(),
            },
            Ok(Some(_)) => StoreError::VersionNotFound {
                service: service.to_owned(),
                version: version.to_owned(),
            },
            Err(e) => e,
        }
    }
}
