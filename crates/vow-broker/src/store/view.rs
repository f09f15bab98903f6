//! Reads that only the web pages need: what runs where at a glance, where one service runs, the
//! specs a service published, and the matrix of verification results. Every list is bounded by a
//! limit.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};
use vow_core::finding::Dimension;

use super::error::StoreError;
use super::evidence::dimensions_of;
use super::pool::{Store, on_pool};
use super::record::{Placement, SpecRef, Version};

/// Current deployments and supported releases as `Placement` columns; a macro so that `concat!`
/// can add the filter (`$1` is the limit, `$2` the service when filtered).
macro_rules! select_placements {
    ($filter:literal) => {
        concat!(
            "SELECT e.name AS environment, s.name AS service, v.number AS version, \
             'deployed' AS how, d.deployed_at AS since \
             FROM deployments d JOIN environments e ON e.id = d.environment_id \
             JOIN services s ON s.id = d.service_id JOIN versions v ON v.id = d.version_id \
             WHERE d.replaced_at IS NULL ",
            $filter,
            " UNION ALL \
             SELECT e.name, s.name, v.number, 'released', r.released_at \
             FROM releases r JOIN environments e ON e.id = r.environment_id \
             JOIN services s ON s.id = r.service_id JOIN versions v ON v.id = r.version_id \
             WHERE r.support_ended_at IS NULL ",
            $filter,
            " ORDER BY 2, 1, 3 LIMIT $1"
        )
    };
}

impl Store {
    /// What runs where: current deployments and supported releases (at most `limit`), by
    /// service, environment and version.
    pub async fn placements(&self, limit: u32) -> Result<Vec<Placement>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_as::<_, Placement>(select_placements!(""))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?))
    }

    /// Where `service` runs: its current deployments and supported releases (at most `limit`).
    pub async fn placements_of(
        &self,
        service: &str,
        limit: u32,
    ) -> Result<Vec<Placement>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_as::<_, Placement>(select_placements!("AND s.name = $2"))
            .bind(i64::from(limit))
            .bind(service)
            .fetch_all(pool)
            .await?))
    }

    /// The versions of `service` older than its version `before` (all of them when `None`), at
    /// most `limit`, newest first: one page of the service page's list. Empty when the service or
    /// `before` does not exist.
    pub async fn versions_before(
        &self,
        service: &str,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Version>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_as::<_, Version>(
            "SELECT s.name AS service, v.number, v.branch, v.commit_sha, v.build_url, v.created_at \
             FROM versions v JOIN services s ON s.id = v.service_id \
             WHERE s.name = $1 AND ($3 IS NULL OR v.id < (SELECT b.id FROM versions b \
             JOIN services bs ON bs.id = b.service_id WHERE bs.name = $1 AND b.number = $3)) \
             ORDER BY v.id DESC LIMIT $2",
        )
        .bind(service)
        .bind(i64::from(limit))
        .bind(before)
        .fetch_all(pool)
        .await?))
    }

    /// The newest specs `service` published (at most `limit`), newest first.
    pub async fn specs_of(&self, service: &str, limit: u32) -> Result<Vec<SpecRef>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_as::<_, SpecRef>(
            "SELECT v.number AS version, sp.hash, vs.created_at AS published_at \
             FROM version_specs vs JOIN versions v ON v.id = vs.version_id \
             JOIN services s ON s.id = v.service_id JOIN specs sp ON sp.id = vs.spec_id \
             WHERE s.name = $1 ORDER BY v.id DESC LIMIT $2",
        )
        .bind(service)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?))
    }
}

impl Store {
    /// The first `limit` services by name, and how many there are.
    pub async fn services_page(
        &self,
        limit: u32,
    ) -> Result<(Vec<super::record::Service>, i64), StoreError> {
        on_pool!(self, pool => {
            let services = sqlx::query_as::<_, super::record::Service>(
                "SELECT name, created_at FROM services ORDER BY name LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM services")
                .fetch_one(pool)
                .await?;
            Ok((services, total))
        })
    }
}

/// What the matrix asks for: each filter narrows the rows; names, not ids, as people give them.
#[derive(Debug, Clone, Default)]
pub struct MatrixQuery<'a> {
    pub consumer: Option<&'a str>,
    /// A version of `consumer` (needs `consumer`).
    pub consumer_version: Option<&'a str>,
    pub consumer_branch: Option<&'a str>,
    pub provider: Option<&'a str>,
    /// A version of `provider` (needs `provider`).
    pub provider_version: Option<&'a str>,
    /// Only passed (`Some(true)`) or only failed (`Some(false)`) results.
    pub passed: Option<bool>,
    /// Only rows whose consumer version and provider version both run there now (deployed, or
    /// released and supported).
    pub environment: Option<&'a str>,
    /// Only rows after this one in the matrix's order (keyset paging).
    pub before: Option<MatrixCursor>,
    pub limit: u32,
}

/// A row's place in the matrix's order: newest verification first, then newest consumer version
/// (one verification counts for every consumer version that published its contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MatrixCursor {
    pub verification: i64,
    pub consumer_version: i64,
}

/// One row of the matrix: a consumer version, a provider version, and the latest verification of
/// that provider version against the contract that consumer version published for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixRow {
    pub consumer: String,
    pub consumer_version: String,
    pub consumer_branch: Option<String>,
    pub provider: String,
    pub provider_version: String,
    pub provider_branch: Option<String>,
    pub contract_hash: String,
    pub passed: bool,
    pub failed_dimensions: Vec<Dimension>,
    pub verified_at: DateTime<Utc>,
    pub build_url: Option<String>,
    #[serde(skip)]
    pub cursor: MatrixCursor,
}

/// What a matrix filter named that this broker does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatrixUnknown {
    Service(String),
    Version { service: String, version: String },
    Environment(String),
}

/// A value bound to a matrix query's placeholder.
enum Bind<'a> {
    Int(i64),
    Flag(bool),
    Text(&'a str),
}

/// The most versions an environment filter of the matrix looks at: every current deployment and
/// supported release there, which is one or a few per service.
const PRESENT_VERSIONS: i64 = 10_000;

impl Store {
    /// The matrix: the rows `query` selects, newest first, at most `query.limit`. Only the
    /// latest verification of each provider version against each contract counts. One query
    /// (two with an environment: the versions there first): each filter is an equality on an
    /// indexed column (names are resolved in scalar subqueries), so the planner starts from the
    /// most selective one, and reads the verifications newest first when nothing narrows them.
    pub async fn matrix(&self, query: &MatrixQuery<'_>) -> Result<Vec<MatrixRow>, StoreError> {
        let mut binds: Vec<Bind> = Vec::new();
        let mut conditions: Vec<String> = Vec::new();
        // Each filter's condition, with its values bound in order.
        macro_rules! bind {
            ($value:expr) => {{
                binds.push($value);
                format!("${}", binds.len())
            }};
        }
        match (query.consumer, query.consumer_version) {
            (Some(consumer), Some(version)) => {
                let c = bind!(Bind::Text(consumer));
                let v = bind!(Bind::Text(version));
                conditions.push(format!(
                    "vc.consumer_version_id = (SELECT v.id FROM versions v \
                     JOIN services s ON s.id = v.service_id WHERE s.name = {c} AND v.number = {v})"
                ));
            }
            (Some(consumer), None) => {
                let c = bind!(Bind::Text(consumer));
                conditions.push(format!(
                    "cv.service_id = (SELECT id FROM services WHERE name = {c})"
                ));
            }
            _ => {}
        }
        match (query.provider, query.provider_version) {
            (Some(provider), Some(version)) => {
                let p = bind!(Bind::Text(provider));
                let v = bind!(Bind::Text(version));
                conditions.push(format!(
                    "vr.provider_version_id = (SELECT v.id FROM versions v \
                     JOIN services s ON s.id = v.service_id WHERE s.name = {p} AND v.number = {v})"
                ));
            }
            (Some(provider), None) => {
                let p = bind!(Bind::Text(provider));
                conditions.push(format!(
                    "vc.provider_id = (SELECT id FROM services WHERE name = {p})"
                ));
            }
            _ => {}
        }
        if let Some(branch) = query.consumer_branch {
            let b = bind!(Bind::Text(branch));
            conditions.push(format!("cv.branch = {b}"));
        }
        if let Some(passed) = query.passed {
            let p = bind!(Bind::Flag(passed));
            conditions.push(format!("vr.passed = {p}"));
        }
        if let Some(environment) = query.environment {
            // The versions there, as a list of values rather than a subquery: with the values
            // in hand the planner starts from them (a subquery's size it guesses, and badly).
            let present = self.present_version_ids(environment).await?;
            if present.is_empty() {
                return Ok(Vec::new());
            }
            let list: Vec<String> = present.into_iter().map(|id| bind!(Bind::Int(id))).collect();
            let list = list.join(", ");
            conditions.push(format!("vr.provider_version_id IN ({list})"));
            conditions.push(format!("vc.consumer_version_id IN ({list})"));
        }
        if let Some(before) = query.before {
            let v = bind!(Bind::Int(before.verification));
            let c = bind!(Bind::Int(before.consumer_version));
            conditions.push(format!("vr.id <= {v} AND (vr.id < {v} OR cv.id < {c})"));
        }
        let limit = bind!(Bind::Int(i64::from(query.limit)));
        let filters: String = conditions.iter().map(|c| format!(" AND {c}")).collect();
        let sql = format!(
            // Names and the hash in subqueries of the select list, evaluated for the rows
            // returned only; as joins they gave the planner more orders to weigh than it
            // weighs well.
            "SELECT vr.id AS verification_id, cv.id AS consumer_version_id, \
             (SELECT name FROM services WHERE id = cv.service_id) AS consumer, \
             cv.number AS consumer_version, cv.branch AS consumer_branch, \
             (SELECT name FROM services WHERE id = pv.service_id) AS provider, \
             pv.number AS provider_version, pv.branch AS provider_branch, \
             (SELECT hash FROM contracts WHERE id = vr.contract_id) AS contract_hash, \
             vr.passed, vr.failed_dimensions, vr.verified_at, vr.build_url \
             FROM verifications vr \
             JOIN versions pv ON pv.id = vr.provider_version_id \
             JOIN version_contracts vc ON vc.contract_id = vr.contract_id \
             AND vc.provider_id = pv.service_id \
             JOIN versions cv ON cv.id = vc.consumer_version_id \
             WHERE NOT EXISTS (SELECT 1 FROM verifications newer \
             WHERE newer.provider_version_id = vr.provider_version_id \
             AND newer.contract_id = vr.contract_id AND newer.id > vr.id){filters} \
             ORDER BY vr.id DESC, cv.id DESC LIMIT {limit}"
        );
        on_pool!(self, pool => {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for bind in &binds {
                q = match bind {
                    Bind::Int(i) => q.bind(*i),
                    Bind::Flag(b) => q.bind(*b),
                    Bind::Text(t) => q.bind(*t),
                };
            }
            let rows = q.fetch_all(pool).await?;
            rows.iter()
                .map(|row| -> Result<MatrixRow, StoreError> {
                    Ok(MatrixRow {
                        consumer: row.try_get("consumer")?,
                        consumer_version: row.try_get("consumer_version")?,
                        consumer_branch: row.try_get("consumer_branch")?,
                        provider: row.try_get("provider")?,
                        provider_version: row.try_get("provider_version")?,
                        provider_branch: row.try_get("provider_branch")?,
                        contract_hash: row.try_get("contract_hash")?,
                        passed: row.try_get("passed")?,
                        failed_dimensions: dimensions_of(
                            &row.try_get::<String, _>("failed_dimensions")?,
                        )?,
                        verified_at: row.try_get("verified_at")?,
                        build_url: row.try_get("build_url")?,
                        cursor: MatrixCursor {
                            verification: row.try_get("verification_id")?,
                            consumer_version: row.try_get("consumer_version_id")?,
                        },
                    })
                })
                .collect()
        })
    }

    /// The ids of the versions present in `environment` now (deployed and not replaced, or
    /// released and supported), at most [`PRESENT_VERSIONS`]; none when it does not exist.
    async fn present_version_ids(&self, environment: &str) -> Result<Vec<i64>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_scalar::<_, i64>(
            "SELECT d.version_id FROM deployments d JOIN environments e ON e.id = d.environment_id \
             WHERE e.name = $1 AND d.replaced_at IS NULL \
             UNION SELECT r.version_id FROM releases r \
             JOIN environments e ON e.id = r.environment_id \
             WHERE e.name = $1 AND r.support_ended_at IS NULL \
             ORDER BY 1 LIMIT $2",
        )
        .bind(environment)
        .bind(PRESENT_VERSIONS)
        .fetch_all(pool)
        .await?))
    }

    /// The first name in `query` that this broker does not have, if any: why a matrix is empty.
    pub async fn matrix_unknown(
        &self,
        query: &MatrixQuery<'_>,
    ) -> Result<Option<MatrixUnknown>, StoreError> {
        for (service, version) in [
            (query.consumer, query.consumer_version),
            (query.provider, query.provider_version),
        ] {
            let Some(service) = service else { continue };
            if self.service(service).await?.is_none() {
                return Ok(Some(MatrixUnknown::Service(service.to_owned())));
            }
            if let Some(version) = version
                && self.version(service, version).await?.is_none()
            {
                return Ok(Some(MatrixUnknown::Version {
                    service: service.to_owned(),
                    version: version.to_owned(),
                }));
            }
        }
        if let Some(environment) = query.environment {
            let known = on_pool!(self, pool => sqlx::query_scalar::<_, i64>(
                "SELECT id FROM environments WHERE name = $1",
            )
            .bind(environment)
            .fetch_optional(pool)
            .await?);
            if known.is_none() {
                return Ok(Some(MatrixUnknown::Environment(environment.to_owned())));
            }
        }
        Ok(None)
    }
}
