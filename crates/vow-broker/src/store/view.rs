//! Reads that only the web pages need: what runs where at a glance, where one service runs, the
//! specs a service published, the services and integrations a page at a time, one
//! integration's contracts and evidence, the matrix of verification results, and the webhooks
//! with their latest deliveries. Every list is bounded by a limit; lists that page do so by key
//! (`after` / `before` a name or an id), never by offset.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, ColumnIndex, Decode, FromRow, Row, Type};
use vow_core::finding::Dimension;

use super::error::StoreError;
use super::evidence::dimensions_of;
use super::pool::{Pool, Store, on_pool, placeholders};
use super::record::{Placement, Service, SpecRef, Version};
use super::webhook::{StoredWebhook, WebhookRow};

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
            // The service's id as a subquery, so the planner walks `versions_by_service`
            // backwards instead of every version by id (slow for a service with no spec).
            "SELECT v.number AS version, sp.hash, vs.created_at AS published_at \
             FROM version_specs vs JOIN versions v ON v.id = vs.version_id \
             JOIN specs sp ON sp.id = vs.spec_id \
             WHERE v.service_id = (SELECT id FROM services WHERE name = $1) \
             ORDER BY v.id DESC LIMIT $2",
        )
        .bind(service)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?))
    }
}

/// Where a keyset page starts: at the beginning, just after a key, or just before one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyset<K> {
    First,
    After(K),
    Before(K),
}

/// One page of a list in key order, and whether there is more on either side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysetPage<T> {
    pub rows: Vec<T>,
    pub has_previous: bool,
    pub has_next: bool,
}

impl<T> KeysetPage<T> {
    /// The page from up to `limit + 1` rows read in the direction of `at` (so reversed for
    /// `Before`): the extra row only says there is more that way. A page reached from a key has
    /// the key's side to go back to.
    fn of<K>(mut rows: Vec<T>, at: &Keyset<K>, limit: u32) -> KeysetPage<T> {
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        match at {
            Keyset::First => KeysetPage {
                rows,
                has_previous: false,
                has_next: more,
            },
            Keyset::After(_) => KeysetPage {
                rows,
                has_previous: true,
                has_next: more,
            },
            Keyset::Before(_) => {
                rows.reverse();
                KeysetPage {
                    rows,
                    has_previous: more,
                    has_next: true,
                }
            }
        }
    }
}

/// A consumer -> provider pair with a contract, and its latest evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntegrationRow {
    pub consumer: String,
    pub provider: String,
    /// The consumer's newest version with a contract toward the provider.
    pub consumer_version: String,
    /// The newest verification of any of the pair's contracts, if any.
    pub latest: Option<LatestVerification>,
}

/// The newest verification of a pair: which provider version, the verdict, and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatestVerification {
    pub provider_version: String,
    pub passed: bool,
    pub failed_dimensions: Vec<Dimension>,
    pub verified_at: DateTime<Utc>,
}

/// An integration's two services and its newest contract's version, by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationKey {
    pub consumer_id: i64,
    pub provider_id: i64,
    pub newest_version: String,
}

/// A consumer version's contract with the provider of an integration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContractVersion {
    pub version: String,
    pub branch: Option<String>,
    pub hash: String,
    pub published_at: DateTime<Utc>,
}

/// One verification of an integration's contracts, with the consumer versions that hold the
/// contract it verified.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceRow {
    /// The key `?before=` pages by.
    pub id: i64,
    pub provider_version: String,
    pub contract_hash: String,
    /// The newest consumer versions holding the contract (at most [`CONSUMER_VERSIONS_SHOWN`]).
    pub consumer_versions: Vec<String>,
    pub passed: bool,
    pub failed_dimensions: Vec<Dimension>,
    pub summary: Value,
    pub build_url: Option<String>,
    pub verified_at: DateTime<Utc>,
}

/// The most consumer versions an evidence row names.
pub const CONSUMER_VERSIONS_SHOWN: i64 = 5;

/// The newest consumer versions scanned for the contract selector.
const CONTRACT_VERSIONS_SCANNED: i64 = 1000;

/// Integrations with their latest evidence, joined to names (a macro, so that `concat!` can add
/// the filter and the order).
macro_rules! select_integrations {
    ($filter:literal, $order:literal) => {
        concat!(
            "SELECT cs.name AS consumer, ps.name AS provider, cv.number AS consumer_version, \
             pv.number AS provider_version, vr.passed, vr.failed_dimensions, vr.verified_at \
             FROM integrations i JOIN services cs ON cs.id = i.consumer_id \
             JOIN services ps ON ps.id = i.provider_id \
             JOIN versions cv ON cv.id = i.consumer_version_id \
             LEFT JOIN verifications vr ON vr.id = i.verification_id \
             LEFT JOIN versions pv ON pv.id = vr.provider_version_id ",
            $filter,
            " ORDER BY ",
            $order,
            " LIMIT $1"
        )
    };
}

fn integration_row<R: Row>(row: &R) -> Result<IntegrationRow, StoreError>
where
    for<'r> &'r str: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<bool>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<DateTime<Utc>>: Decode<'r, R::Database> + Type<R::Database>,
{
    let provider_version: Option<String> = row.try_get("provider_version")?;
    let passed: Option<bool> = row.try_get("passed")?;
    let failed: Option<String> = row.try_get("failed_dimensions")?;
    let verified_at: Option<DateTime<Utc>> = row.try_get("verified_at")?;
    let latest = match (provider_version, passed, failed, verified_at) {
        (Some(provider_version), Some(passed), Some(failed), Some(verified_at)) => {
            Some(LatestVerification {
                provider_version,
                passed,
                failed_dimensions: dimensions_of(&failed)?,
                verified_at,
            })
        }
        _ => None,
    };
    Ok(IntegrationRow {
        consumer: row.try_get("consumer")?,
        provider: row.try_get("provider")?,
        consumer_version: row.try_get("consumer_version")?,
        latest,
    })
}

/// An evidence row from the columns the evidence queries select, without consumer versions.
fn evidence_row<R: Row>(row: &R) -> Result<EvidenceRow, StoreError>
where
    for<'r> &'r str: ColumnIndex<R>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> bool: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let summary: String = row.try_get("summary")?;
    Ok(EvidenceRow {
        id: row.try_get("id")?,
        provider_version: row.try_get("number")?,
        contract_hash: row.try_get("hash")?,
        consumer_versions: Vec::new(),
        passed: row.try_get("passed")?,
        failed_dimensions: dimensions_of(&row.try_get::<String, _>("failed_dimensions")?)?,
        summary: serde_json::from_str(&summary)
            .map_err(|e| StoreError::Corrupt(format!("verification summary: {e}")))?,
        build_url: row.try_get("build_url")?,
        verified_at: row.try_get("verified_at")?,
    })
}

impl Store {
    /// How many services there are.
    pub async fn service_count(&self) -> Result<i64, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM services")
            .fetch_one(pool)
            .await?))
    }

    /// A page of services by name (at most `limit`), from the `services` name index.
    pub async fn services_page(
        &self,
        at: Keyset<&str>,
        limit: u32,
    ) -> Result<KeysetPage<Service>, StoreError> {
        let n = i64::from(limit) + 1;
        on_pool!(self, pool => {
            let rows = match at {
                Keyset::First => sqlx::query_as::<_, Service>(
                    "SELECT name, created_at FROM services ORDER BY name LIMIT $1",
                )
                .bind(n)
                .fetch_all(pool)
                .await?,
                Keyset::After(name) => sqlx::query_as::<_, Service>(
                    "SELECT name, created_at FROM services WHERE name > $2 ORDER BY name LIMIT $1",
                )
                .bind(n)
                .bind(name)
                .fetch_all(pool)
                .await?,
                Keyset::Before(name) => sqlx::query_as::<_, Service>(
                    "SELECT name, created_at FROM services WHERE name < $2 \
                     ORDER BY name DESC LIMIT $1",
                )
                .bind(n)
                .bind(name)
                .fetch_all(pool)
                .await?,
            };
            Ok(KeysetPage::of(rows, &at, limit))
        })
    }

    /// How many integrations there are.
    pub async fn integration_count(&self) -> Result<i64, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM integrations",
        )
        .fetch_one(pool)
        .await?))
    }

    /// A page of integrations by (consumer, provider) name (at most `limit`), each with its
    /// latest evidence: one row per pair from the `integrations` table, so the cost follows the
    /// number of pairs, never the history.
    pub async fn integrations_page(
        &self,
        at: Keyset<(&str, &str)>,
        limit: u32,
    ) -> Result<KeysetPage<IntegrationRow>, StoreError> {
        let n = i64::from(limit) + 1;
        on_pool!(self, pool => {
            let rows = match at {
                Keyset::First => sqlx::query(select_integrations!("", "cs.name, ps.name"))
                    .bind(n)
                    .fetch_all(pool)
                    .await?,
                Keyset::After((consumer, provider)) => sqlx::query(select_integrations!(
                    "WHERE cs.name > $2 OR (cs.name = $2 AND ps.name > $3)",
                    "cs.name, ps.name"
                ))
                .bind(n)
                .bind(consumer)
                .bind(provider)
                .fetch_all(pool)
                .await?,
                Keyset::Before((consumer, provider)) => sqlx::query(select_integrations!(
                    "WHERE cs.name < $2 OR (cs.name = $2 AND ps.name < $3)",
                    "cs.name DESC, ps.name DESC"
                ))
                .bind(n)
                .bind(consumer)
                .bind(provider)
                .fetch_all(pool)
                .await?,
            };
            let rows = rows
                .iter()
                .map(integration_row)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(KeysetPage::of(rows, &at, limit))
        })
    }

    /// The integrations of `service` (at most `limit` each): those where it is the consumer, by
    /// provider name, and those where it is the provider, by consumer name.
    pub async fn integrations_of(
        &self,
        service: &str,
        limit: u32,
    ) -> Result<(Vec<IntegrationRow>, Vec<IntegrationRow>), StoreError> {
        on_pool!(self, pool => {
            let as_consumer = sqlx::query(select_integrations!(
                "WHERE i.consumer_id = (SELECT id FROM services WHERE name = $2)",
                "ps.name"
            ))
            .bind(i64::from(limit))
            .bind(service)
            .fetch_all(pool)
            .await?;
            let as_provider = sqlx::query(select_integrations!(
                "WHERE i.provider_id = (SELECT id FROM services WHERE name = $2)",
                "cs.name"
            ))
            .bind(i64::from(limit))
            .bind(service)
            .fetch_all(pool)
            .await?;
            let read = |rows: Vec<_>| {
                rows.iter()
                    .map(integration_row)
                    .collect::<Result<Vec<_>, StoreError>>()
            };
            Ok((read(as_consumer)?, read(as_provider)?))
        })
    }

    /// The ids of the services named (those that exist).
    pub async fn service_ids(
        &self,
        consumer: &str,
        provider: &str,
    ) -> Result<BTreeMap<String, i64>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query("SELECT name, id FROM services WHERE name IN ($1, $2)")
                .bind(consumer)
                .bind(provider)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|row| Ok((row.try_get("name")?, row.try_get("id")?)))
                .collect()
        })
    }

    /// The integration of two services, if the consumer ever published a contract for the
    /// provider.
    pub async fn integration(
        &self,
        consumer_id: i64,
        provider_id: i64,
    ) -> Result<Option<IntegrationKey>, StoreError> {
        on_pool!(self, pool => {
            let number = sqlx::query_scalar::<_, String>(
                "SELECT v.number FROM integrations i JOIN versions v ON v.id = i.consumer_version_id \
                 WHERE i.consumer_id = $1 AND i.provider_id = $2",
            )
            .bind(consumer_id)
            .bind(provider_id)
            .fetch_optional(pool)
            .await?;
            Ok(number.map(|newest_version| IntegrationKey {
                consumer_id,
                provider_id,
                newest_version,
            }))
        })
    }

    /// A consumer version's contract with the integration's provider, with its content.
    pub async fn integration_contract(
        &self,
        key: &IntegrationKey,
        version: &str,
    ) -> Result<Option<(ContractVersion, String)>, StoreError> {
        on_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT v.number, v.branch, c.hash, c.content, vc.created_at \
                 FROM versions v JOIN version_contracts vc \
                 ON vc.consumer_version_id = v.id AND vc.provider_id = $2 \
                 JOIN contracts c ON c.id = vc.contract_id \
                 WHERE v.service_id = $1 AND v.number = $3",
            )
            .bind(key.consumer_id)
            .bind(key.provider_id)
            .bind(version)
            .fetch_optional(pool)
            .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            Ok(Some((
                ContractVersion {
                    version: row.try_get("number")?,
                    branch: row.try_get("branch")?,
                    hash: row.try_get("hash")?,
                    published_at: row.try_get("created_at")?,
                },
                row.try_get("content")?,
            )))
        })
    }

    /// The integration's distinct contracts among the consumer's newest versions, newest first
    /// (at most `limit`), each with the newest version holding it.
    pub async fn integration_contracts(
        &self,
        key: &IntegrationKey,
        limit: u32,
    ) -> Result<Vec<ContractVersion>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT v.number, v.branch, c.hash, vc.created_at \
                 FROM versions v JOIN version_contracts vc \
                 ON vc.consumer_version_id = v.id AND vc.provider_id = $2 \
                 JOIN contracts c ON c.id = vc.contract_id \
                 WHERE v.service_id = $1 ORDER BY v.id DESC LIMIT $3",
            )
            .bind(key.consumer_id)
            .bind(key.provider_id)
            .bind(CONTRACT_VERSIONS_SCANNED)
            .fetch_all(pool)
            .await?;
            let mut seen = std::collections::BTreeSet::new();
            let mut out = Vec::new();
            for row in &rows {
                let hash: String = row.try_get("hash")?;
                if !seen.insert(hash.clone()) {
                    continue;
                }
                out.push(ContractVersion {
                    version: row.try_get("number")?,
                    branch: row.try_get("branch")?,
                    hash,
                    published_at: row.try_get("created_at")?,
                });
                if out.len() == limit as usize {
                    break;
                }
            }
            Ok(out)
        })
    }

    /// Verifications of the provider's versions against the contracts the consumer published for
    /// it, newest first (at most `limit`, before the verification id `before` if given), each
    /// with the newest consumer versions holding its contract. Whether there are older ones is
    /// the second value.
    pub async fn integration_evidence(
        &self,
        key: &IntegrationKey,
        before: Option<i64>,
        limit: u32,
    ) -> Result<(Vec<EvidenceRow>, bool), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let rows = sqlx::query(
                "SELECT vr.id, pv.number, vr.contract_id, c.hash, vr.passed, \
                 vr.failed_dimensions, vr.summary, vr.build_url, vr.verified_at \
                 FROM verifications vr JOIN versions pv ON pv.id = vr.provider_version_id \
                 JOIN contracts c ON c.id = vr.contract_id \
                 WHERE pv.service_id = $2 AND vr.id < $3 AND vr.contract_id IN ( \
                 SELECT vc.contract_id FROM versions v JOIN version_contracts vc \
                 ON vc.consumer_version_id = v.id AND vc.provider_id = $2 \
                 WHERE v.service_id = $1) \
                 ORDER BY vr.id DESC LIMIT $4",
            )
            .bind(key.consumer_id)
            .bind(key.provider_id)
            .bind(before.unwrap_or(i64::MAX))
            .bind(i64::from(limit) + 1)
            .fetch_all(&mut *tx)
            .await?;
            let more = rows.len() > limit as usize;
            let rows = &rows[..rows.len().min(limit as usize)];
            let mut ids: Vec<i64> = rows
                .iter()
                .map(|row| row.try_get("contract_id"))
                .collect::<Result<_, _>>()?;
            ids.sort_unstable();
            ids.dedup();
            let mut holders: BTreeMap<i64, Vec<String>> = BTreeMap::new();
            if !ids.is_empty() {
                let sql = format!(
                    "SELECT contract_id, number FROM (SELECT vc.contract_id, v.number, \
                     ROW_NUMBER() OVER (PARTITION BY vc.contract_id ORDER BY v.id DESC) AS n \
                     FROM version_contracts vc JOIN versions v ON v.id = vc.consumer_version_id \
                     WHERE v.service_id = $1 AND vc.provider_id = $2 AND vc.contract_id IN ({})) \
                     ranked WHERE n <= $3 ORDER BY contract_id, n",
                    placeholders(4, ids.len())
                );
                let mut query = sqlx::query(AssertSqlSafe(sql))
                    .bind(key.consumer_id)
                    .bind(key.provider_id)
                    .bind(CONSUMER_VERSIONS_SHOWN);
                for id in &ids {
                    query = query.bind(*id);
                }
                for row in query.fetch_all(&mut *tx).await? {
                    holders
                        .entry(row.try_get("contract_id")?)
                        .or_default()
                        .push(row.try_get("number")?);
                }
            }
            tx.commit().await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let contract_id: i64 = row.try_get("contract_id")?;
                let mut evidence = evidence_row(row)?;
                evidence.consumer_versions = holders.get(&contract_id).cloned().unwrap_or_default();
                out.push(evidence);
            }
            Ok((out, more))
        })
    }

    /// The newest verification of a provider version of the integration against the contract
    /// with `hash`, if any (without the consumer versions).
    pub async fn latest_verification_of(
        &self,
        key: &IntegrationKey,
        hash: &str,
    ) -> Result<Option<EvidenceRow>, StoreError> {
        on_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT vr.id, pv.number, vr.contract_id, c.hash, vr.passed, \
                 vr.failed_dimensions, vr.summary, vr.build_url, vr.verified_at \
                 FROM contracts c JOIN verifications vr ON vr.contract_id = c.id \
                 JOIN versions pv ON pv.id = vr.provider_version_id \
                 WHERE c.hash = $1 AND pv.service_id = $2 ORDER BY vr.id DESC LIMIT 1",
            )
            .bind(hash)
            .bind(key.provider_id)
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(evidence_row).transpose()
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

/// A consumer version's link to the contract it holds toward a provider: its id, the provider's,
/// the contract's.
type Link = (i64, i64, i64);

/// The versions whose links a matrix starts from: those of a consumer, on a branch, or both;
/// toward a provider and present in an environment, when given.
#[derive(Debug, Clone, Copy)]
struct HeldBy<'a> {
    consumer: Option<&'a str>,
    branch: Option<&'a str>,
    provider: Option<&'a str>,
    present: Option<&'a [i64]>,
}

/// `ids` in order, each once.
fn distinct(ids: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

impl Store {
    /// The matrix: the rows `query` selects, newest first, at most `query.limit`. Only the
    /// latest verification of each provider version against each contract counts (those not
    /// `superseded`). One query, after the lists of values it starts from (the versions in the
    /// environment, the consumer's contracts): first the page's verifications, then their rows.
    /// Each filter is an equality on an indexed column (names are resolved in scalar
    /// subqueries), so the planner starts from the most selective one, and reads the
    /// verifications newest first when nothing narrows them.
    pub async fn matrix(&self, query: &MatrixQuery<'_>) -> Result<Vec<MatrixRow>, StoreError> {
        let mut binds: Vec<Bind> = Vec::new();
        // The filters on the verification and its provider version (`vr`, `pv`), and those on
        // the consumer version and its contract link (`vc`, `cv`).
        let mut verification: Vec<String> = Vec::new();
        let mut consumer_side: Vec<String> = Vec::new();
        // Each filter's condition, with its values bound in order.
        macro_rules! bind {
            ($value:expr) => {{
                binds.push($value);
                format!("${}", binds.len())
            }};
        }
        // Ids bound each, as a list (`$1, $2`); and rows of ids, as the rows of a `VALUES`
        // (`($1, $2), ($3, $4)`).
        macro_rules! bind_ids {
            ($ids:expr) => {{
                let ids: Vec<String> = $ids.into_iter().map(|id| bind!(Bind::Int(id))).collect();
                ids.join(", ")
            }};
        }
        macro_rules! bind_rows {
            ($rows:expr) => {{
                let rows: Vec<String> = $rows
                    .into_iter()
                    .map(|row| format!("({})", bind_ids!(row)))
                    .collect();
                rows.join(", ")
            }};
        }
        // The versions in the environment, as a list of values rather than a subquery: with the
        // values in hand the planner starts from them (a subquery's size it guesses, and badly).
        let present = match query.environment {
            Some(environment) => {
                let present = self.present_version_ids(environment).await?;
                if present.is_empty() {
                    return Ok(Vec::new());
                }
                Some(present)
            }
            None => None,
        };
        // A consumer without a version: its contracts, each with its provider, as values in
        // hand (see below).
        let mut consumer_contracts = None;
        match (query.consumer, query.consumer_version) {
            (Some(consumer), Some(version)) => {
                let c = bind!(Bind::Text(consumer));
                let v = bind!(Bind::Text(version));
                consumer_side.push(format!(
                    "vc.consumer_version_id = (SELECT v.id FROM versions v \
                     JOIN services s ON s.id = v.service_id WHERE s.name = {c} AND v.number = {v})"
                ));
            }
            (Some(consumer), None) => {
                let held_by = HeldBy {
                    consumer: Some(consumer),
                    branch: query.consumer_branch,
                    provider: query.provider,
                    present: present.as_deref(),
                };
                let contracts: Vec<(i64, i64)> = self
                    .held(
                        "SELECT DISTINCT vc.contract_id, vc.provider_id",
                        held_by,
                        "ORDER BY 1, 2",
                    )
                    .await?;
                if contracts.is_empty() {
                    return Ok(Vec::new());
                }
                let c = bind!(Bind::Text(consumer));
                consumer_side.push(format!(
                    "cv.service_id = (SELECT id FROM services WHERE name = {c})"
                ));
                consumer_contracts = Some(contracts);
            }
            _ => {}
        }
        // A consumer branch without a consumer: when the branch is short (a feature branch), the
        // links of its versions to the contracts they hold, as values in hand (see below). They
        // are the links of the versions in the environment, and toward the provider, when
        // named: the conditions on consumer versions need not be asked again.
        let links = match (query.consumer, query.consumer_branch) {
            (None, Some(branch)) => {
                let links = self
                    .links_of_short_branch(branch, query.provider, present.as_deref())
                    .await?;
                if links.as_ref().is_some_and(Vec::is_empty) {
                    return Ok(Vec::new());
                }
                links
            }
            _ => None,
        };
        // A consumer branch without a consumer, and its links not in hand.
        let long_branch =
            query.consumer.is_none() && query.consumer_branch.is_some() && links.is_none();
        match (query.provider, query.provider_version) {
            (Some(provider), Some(version)) => {
                let p = bind!(Bind::Text(provider));
                let v = bind!(Bind::Text(version));
                verification.push(format!(
                    "vr.provider_version_id = (SELECT v.id FROM versions v \
                     JOIN services s ON s.id = v.service_id WHERE s.name = {p} AND v.number = {v})"
                ));
            }
            (Some(provider), None) => {
                let p = bind!(Bind::Text(provider));
                verification.push(format!(
                    "pv.service_id = (SELECT id FROM services WHERE name = {p})"
                ));
            }
            _ => {}
        }
        if let Some(branch) = query.consumer_branch
            && links.is_none()
        {
            let b = bind!(Bind::Text(branch));
            consumer_side.push(format!("cv.branch = {b}"));
        }
        if let Some(passed) = query.passed {
            let p = bind!(Bind::Flag(passed));
            verification.push(format!("vr.passed = {p}"));
        }
        if let Some(present) = present {
            let list = bind_ids!(present);
            verification.push(format!("vr.provider_version_id IN ({list})"));
            if links.is_none() {
                consumer_side.push(format!("vc.consumer_version_id IN ({list})"));
            }
        }
        let mut boundary = None;
        if let Some(before) = query.before {
            let v = bind!(Bind::Int(before.verification));
            let c = bind!(Bind::Int(before.consumer_version));
            verification.push(format!("vr.id <= {v}"));
            consumer_side.push(format!("(vr.id < {v} OR cv.id < {c})"));
            boundary = Some(v);
        }
        let limit = bind!(Bind::Int(i64::from(query.limit)));
        let and = |conditions: &[String]| -> String {
            conditions.iter().map(|c| format!(" AND {c}")).collect()
        };
        let verification = and(&verification);
        let consumer_side = and(&consumer_side);
        // The links the rows are made of: a short branch's in hand, as a common table
        // expression, or all of them. With the branch's in hand, the rows of the page's
        // verifications are a lookup of their contracts among a few hundred values, rather than
        // of every version holding each (60 for one of the benchmark's) to see which are on the
        // branch: 2.5 ms rather than 14 for a feature branch of the benchmark (`EXPLAIN ANALYZE`
        // by hand on the database `scripts/time-pages` seeds).
        let (links_cte, links_table) = match &links {
            Some(links) => (
                format!(
                    "links (consumer_version_id, provider_id, contract_id) AS (VALUES {}), ",
                    bind_rows!(
                        links
                            .iter()
                            .map(|&(version, provider, contract)| [version, provider, contract])
                    )
                ),
                "links",
            ),
            None => (String::new(), "version_contracts"),
        };
        // Whether one of the versions that published the verification's contract toward its
        // provider (`provider`, an expression) passes the filters on consumer versions: for the
        // page boundary, only the one verification on it needs asking.
        let holders = |provider: &str| {
            format!(
                "SELECT 1 FROM {links_table} vc \
                 JOIN versions cv ON cv.id = vc.consumer_version_id \
                 WHERE vc.contract_id = vr.contract_id \
                 AND vc.provider_id = {provider}{consumer_side}"
            )
        };
        let held_with = |provider: &str| format!("EXISTS ({})", holders(provider));
        let holder = held_with("pv.service_id");
        // Filters on consumer versions other than the consumer itself.
        let versions_filtered = query.consumer_version.is_some()
            || query.consumer_branch.is_some()
            || query.environment.is_some();
        // The provider is named without a version: a condition on the provider version's
        // service.
        let by_provider = query.provider.is_some() && query.provider_version.is_none();
        let on_boundary = match &boundary {
            Some(v) => format!(" AND (vr.id < {v} OR {holder})"),
            None => String::new(),
        };
        // The matrix has many rows per verification (one per consumer version that published
        // its contract: 60 for one of the benchmark's), too many to join and then sort. So
        // first the newest `limit` latest verifications that the filters select and that give
        // at least one row (so the page's rows are among theirs), then their rows.
        let postgres = matches!(self.pool, Pool::Postgres(_));
        // The newest verifications of a list of contracts that pass the filters on them, and
        // `holder`: on SQLite, which has no LATERAL, and for a short branch's contracts, which
        // are too many (hundreds) to read each one's newest apart, and common enough among all
        // verifications that reading them all newest first soon fills a page.
        let mut of_contracts = |contracts: Vec<i64>, holder: &str| {
            format!(
                "SELECT vr.id FROM verifications vr \
                 JOIN versions pv ON pv.id = vr.provider_version_id \
                 WHERE vr.contract_id IN ({}) AND NOT vr.superseded{verification}{holder} \
                 ORDER BY vr.id DESC LIMIT {limit}",
                bind_ids!(contracts)
            )
        };
        let latest = match (consumer_contracts, links.as_deref()) {
            // A short branch: a verification of a contract one of its versions holds gives a
            // row, as a contract names its provider (only the page boundary needs asking). As
            // a holder asked of each verification newest first, it took 50 to 70 ms for a
            // feature branch of the benchmark, which holds one contract in twenty-five.
            (None, Some(links)) => {
                let contracts = distinct(links.iter().map(|&(_, _, contract)| contract));
                of_contracts(contracts, &on_boundary)
            }
            (None, None) => {
                // A verification gives a row when one of the versions holding its contract
                // passes the filters on them; without such filters, always (a contract is
                // verified only by a provider it was published toward).
                if postgres && versions_filtered && by_provider {
                    // One provider's latest verifications (a few thousand) in order first, and
                    // only then, newest first until the page is full, whether a version passing
                    // the filters holds each: asked of every one of them before sorting, it took
                    // 30 ms. (`OFFSET 0` keeps PostgreSQL's planner from merging the two steps;
                    // SQLite takes no OFFSET without a LIMIT.)
                    let holder = held_with("vr.provider_id");
                    format!(
                        "SELECT vr.id FROM (SELECT vr.id, vr.contract_id, \
                         pv.service_id AS provider_id FROM verifications vr \
                         JOIN versions pv ON pv.id = vr.provider_version_id \
                         WHERE NOT vr.superseded{verification} ORDER BY vr.id DESC OFFSET 0) vr \
                         WHERE {holder} ORDER BY vr.id DESC LIMIT {limit}"
                    )
                } else {
                    let holder = if postgres && long_branch {
                        // A long branch, such as `main`, holds most contracts: asked of each
                        // verification in turn, newest first, the holder is found at once. As
                        // `EXISTS`, PostgreSQL may join every version of the branch first (90,000
                        // for `main`), when the statistics it sampled suggest few verifications
                        // are held: 180 to 310 ms for `main`'s failures on one seeding of the
                        // benchmark, 7 ms on another. A scalar subquery is never joined so.
                        format!(" AND ({} LIMIT 1) IS NOT NULL", holders("pv.service_id"))
                    } else if versions_filtered {
                        format!(" AND {holder}")
                    } else {
                        on_boundary
                    };
                    format!(
                        "SELECT vr.id FROM verifications vr \
                         JOIN versions pv ON pv.id = vr.provider_version_id \
                         WHERE NOT vr.superseded{verification}{holder} \
                         ORDER BY vr.id DESC LIMIT {limit}"
                    )
                }
            }
            // One consumer's verifications start from its contracts: its rows are 170,000 in
            // the benchmark's dataset, and rare ones among them (all its failures, say) are
            // rarer still among all verifications, so reading every verification newest first
            // until enough of them match took a scan of hundreds of thousands (80 ms), which
            // the planner, counting on an even spread, chose all the same.
            (Some(contracts), _) if postgres => {
                // On PostgreSQL, the newest `limit` of each contract and provider it was
                // published toward by a version passing the filters (so held by one: only the
                // page boundary needs asking), backward on the contract's index of its latest
                // results; then the newest of those. Without filters on its versions, every
                // verification of a consumer's contract is held by one of them: then each
                // contract once, and no provider version to read.
                let filtered = versions_filtered || by_provider || boundary.is_some();
                let (values, provider_join) = if filtered {
                    let pairs = bind_rows!(
                        contracts
                            .into_iter()
                            .map(|(contract, provider)| [contract, provider])
                    );
                    (
                        format!("(VALUES {pairs}) AS c (contract_id, provider_id)"),
                        " JOIN versions pv ON pv.id = vr.provider_version_id \
                         AND pv.service_id = c.provider_id",
                    )
                } else {
                    let ids = bind_rows!(
                        distinct(contracts.iter().map(|&(c, _)| c))
                            .into_iter()
                            .map(|id| [id])
                    );
                    (format!("(VALUES {ids}) AS c (contract_id)"), "")
                };
                format!(
                    "SELECT l.id FROM {values} CROSS JOIN LATERAL \
                     (SELECT vr.id FROM verifications vr{provider_join} \
                     WHERE vr.contract_id = c.contract_id AND NOT vr.superseded\
                     {verification}{on_boundary} ORDER BY vr.id DESC LIMIT {limit}) l \
                     ORDER BY l.id DESC LIMIT {limit}"
                )
            }
            (Some(contracts), _) => {
                let holder = if versions_filtered {
                    format!(" AND {holder}")
                } else {
                    on_boundary
                };
                of_contracts(distinct(contracts.iter().map(|&(c, _)| c)), &holder)
            }
        };
        // Names and the hash in subqueries of the select list, evaluated for the rows returned
        // only; as joins they gave the planner more orders to weigh than it weighs well. The
        // first part picks ids only: the table is read for the page's verifications only.
        let sql = format!(
            "WITH {links_cte}latest AS ({latest}) \
             SELECT vr.id AS verification_id, cv.id AS consumer_version_id, \
             (SELECT name FROM services WHERE id = cv.service_id) AS consumer, \
             cv.number AS consumer_version, cv.branch AS consumer_branch, \
             (SELECT name FROM services WHERE id = pv.service_id) AS provider, \
             pv.number AS provider_version, pv.branch AS provider_branch, \
             (SELECT hash FROM contracts WHERE id = vr.contract_id) AS contract_hash, \
             vr.passed, vr.failed_dimensions, vr.verified_at, vr.build_url \
             FROM latest JOIN verifications vr ON vr.id = latest.id \
             JOIN versions pv ON pv.id = vr.provider_version_id \
             JOIN {links_table} vc ON vc.contract_id = vr.contract_id \
             AND vc.provider_id = pv.service_id \
             JOIN versions cv ON cv.id = vc.consumer_version_id \
             WHERE 1 = 1{consumer_side} ORDER BY vr.id DESC, cv.id DESC LIMIT {limit}"
        );
        on_pool!(self, pool => {
            // Not kept prepared: planned for its values each time. A kept statement is planned
            // for any values after five runs (PostgreSQL's generic plan), which for the
            // branch filter read every verification (1 s instead of 10 ms); and the text
            // varies with the lists of values anyway.
            let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(false);
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

    /// What the versions of `consumer` and on `branch` (whichever are given) hold, as `select`
    /// picks it from their links `vc` (and `v`, the version): of the versions in `present`
    /// only, toward `provider` only, when given; then `tail` (an order, a limit).
    async fn held<T>(
        &self,
        select: &str,
        held_by: HeldBy<'_>,
        tail: &str,
    ) -> Result<Vec<T>, StoreError>
    where
        T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        let HeldBy {
            consumer,
            branch,
            provider,
            present,
        } = held_by;
        let mut sql = format!(
            "{select} FROM version_contracts vc \
             JOIN versions v ON v.id = vc.consumer_version_id WHERE 1 = 1"
        );
        let texts: Vec<&str> = [consumer, branch, provider].into_iter().flatten().collect();
        let mut n = 0;
        for (given, condition) in [
            (
                consumer,
                "v.service_id = (SELECT id FROM services WHERE name = $)",
            ),
            (branch, "v.branch = $"),
            (
                provider,
                "vc.provider_id = (SELECT id FROM services WHERE name = $)",
            ),
        ] {
            if given.is_some() {
                n += 1;
                sql.push_str(" AND ");
                sql.push_str(&condition.replace('$', &format!("${n}")));
            }
        }
        if let Some(present) = present {
            sql.push_str(&format!(
                " AND v.id IN ({})",
                placeholders(n + 1, present.len())
            ));
        }
        sql.push(' ');
        sql.push_str(tail);
        on_pool!(self, pool => {
            let mut q = sqlx::query_as::<_, T>(AssertSqlSafe(sql));
            for text in &texts {
                q = q.bind(*text);
            }
            for id in present.unwrap_or_default() {
                q = q.bind(*id);
            }
            Ok(q.fetch_all(pool).await?)
        })
    }

    /// The links of the versions on `branch` (toward `provider` and of the versions in
    /// `present` only, when given); or `None` when the branch is long: more versions, or more
    /// such links, than [`StoreSettings::short_branch`](super::StoreSettings). Each contract
    /// they hold costs the planner about 2.5 µs to weigh when listed (5,000 took 12 to 18 ms to
    /// plan, by hand with `EXPLAIN ANALYZE`).
    async fn links_of_short_branch(
        &self,
        branch: &str,
        provider: Option<&str>,
        present: Option<&[i64]>,
    ) -> Result<Option<Vec<Link>>, StoreError> {
        let most = i64::from(self.short_branch);
        let versions = on_pool!(self, pool => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM (SELECT 1 FROM versions WHERE branch = $1 LIMIT $2) v",
        )
        .bind(branch)
        .bind(most + 1)
        .fetch_one(pool)
        .await?);
        if versions > most {
            return Ok(None);
        }
        let held_by = HeldBy {
            consumer: None,
            branch: Some(branch),
            provider,
            present,
        };
        let links: Vec<Link> = self
            .held(
                "SELECT vc.consumer_version_id, vc.provider_id, vc.contract_id",
                held_by,
                &format!("LIMIT {}", most + 1),
            )
            .await?;
        Ok((links.len() as i64 <= most).then_some(links))
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

/// A webhook with the outcome of its newest delivery, for the list of webhooks.
#[derive(Debug, Clone)]
pub struct WebhookSummary {
    pub webhook: StoredWebhook,
    pub last_delivery: Option<LastDelivery>,
}

/// The newest delivery of a webhook: its status and its last attempt's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastDelivery {
    pub event: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    /// The last attempt's response status, if the receiver answered.
    pub response_code: Option<i32>,
    pub error: Option<String>,
}

struct SummaryRow {
    webhook: WebhookRow,
    event: Option<String>,
    status: Option<String>,
    attempts: Option<i32>,
    created_at: Option<DateTime<Utc>>,
    response_code: Option<i32>,
    error: Option<String>,
}

impl<'r, R: Row> FromRow<'r, R> for SummaryRow
where
    &'r str: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    bool: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    Option<i32>: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
    Option<DateTime<Utc>>: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(SummaryRow {
            webhook: WebhookRow::from_row(row)?,
            event: row.try_get("last_event")?,
            status: row.try_get("last_status")?,
            attempts: row.try_get("last_attempts")?,
            created_at: row.try_get("last_created_at")?,
            response_code: row.try_get("last_response_code")?,
            error: row.try_get("last_error")?,
        })
    }
}

impl Store {
    /// The first `limit` webhooks by id, each with its newest delivery (one index seek per
    /// webhook on `webhook_deliveries (webhook_id, id)`), and how many webhooks there are.
    pub async fn webhook_summaries(
        &self,
        limit: u32,
    ) -> Result<(Vec<WebhookSummary>, i64), StoreError> {
        let (rows, total) = on_pool!(self, pool => {
            let rows = sqlx::query_as::<_, SummaryRow>(
                "SELECT w.id, w.events, w.provider, w.consumer, w.url, w.method, w.headers, \
                 w.body, w.secret, w.enabled, w.created_at, w.updated_at, \
                 d.event AS last_event, d.status AS last_status, d.attempts AS last_attempts, \
                 d.created_at AS last_created_at, a.response_code AS last_response_code, \
                 a.error AS last_error \
                 FROM webhooks w \
                 LEFT JOIN webhook_deliveries d ON d.id = \
                 (SELECT MAX(x.id) FROM webhook_deliveries x WHERE x.webhook_id = w.id) \
                 LEFT JOIN webhook_attempts a ON a.delivery_id = d.id AND a.attempt = d.attempts \
                 ORDER BY w.id LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM webhooks")
                .fetch_one(pool)
                .await?;
            (rows, total)
        });
        let summaries = rows
            .into_iter()
            .map(|row| {
                let last_delivery = match (row.event, row.status, row.attempts, row.created_at) {
                    (Some(event), Some(status), Some(attempts), Some(created_at)) => {
                        Some(LastDelivery {
                            event,
                            status,
                            attempts,
                            created_at,
                            response_code: row.response_code,
                            error: row.error,
                        })
                    }
                    _ => None,
                };
                Ok(WebhookSummary {
                    webhook: row.webhook.read()?,
                    last_delivery,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((summaries, total))
    }
}
