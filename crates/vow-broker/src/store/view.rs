//! Reads that only the web pages need: what runs where at a glance, where one service runs, the
//! specs a service published, the services and integrations a page at a time, and one
//! integration's contracts and evidence. Every list is bounded by a limit; lists that page do so
//! by key (`after` / `before` a name or an id), never by offset.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::{AssertSqlSafe, Row};
use vow_core::finding::Dimension;

use super::error::StoreError;
use super::evidence::dimensions_of;
use super::pool::{Store, on_pool, placeholders};
use super::record::{Placement, Service, SpecRef};

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
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<bool>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<DateTime<Utc>>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
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
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> DateTime<Utc>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
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
