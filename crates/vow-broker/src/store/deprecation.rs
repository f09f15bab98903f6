//! Loading what a provider's deprecation windows are read from, for every environment (or one)
//! at once: the provider versions present with their specs, the consumer versions present with
//! a contract toward the provider, and the cached deprecation facts of those (spec, contract)
//! pairs.
//!
//! Costs: (1) the environments (one, or all of them: a short list); (2) the provider's versions
//! present there with their spec ids; (3) the consumer versions present in the environments
//! where the provider is, with their contract toward it; (4) the cached compatibility rows of the
//! (spec, contract) pairs involved. Four indexed queries in one snapshot, whatever the number of
//! environments and provider versions present.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, Row};
use vow_core::deploy::DeprecationFact;

use super::error::StoreError;
use super::evidence::StoredFact;
use super::pool::{BeginWrite, Store, on_pool, placeholders};
use super::question::MissingAssessment;

/// A provider version present in an environment, with the spec it published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentSpec {
    pub environment: String,
    pub version: String,
    pub spec_hash: String,
}

/// A consumer version present in an environment, with its contract toward the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentContract {
    pub environment: String,
    pub consumer: String,
    pub consumer_version: String,
    pub contract_hash: String,
}

/// What a provider's deprecation windows are read from.
#[derive(Debug, Clone, Default)]
pub struct LoadedDeprecations {
    /// By environment name, then provider version (as text); one entry per pair, only the
    /// versions that published a spec.
    pub specs: Vec<PresentSpec>,
    /// By environment name; one entry per (environment, consumer version).
    pub contracts: Vec<PresentContract>,
    /// The cached facts of each (spec hash, contract hash) pair, in their stored order.
    pub facts: BTreeMap<(String, String), Vec<DeprecationFact>>,
    /// The pairs whose compatibility this checker has not computed yet.
    pub missing: Vec<MissingAssessment>,
}

/// The versions present in the environments with the ids in the placeholders `{envs}`: current
/// deployments and releases whose support has not ended.
fn present_in(envs: &str, provider_only: bool) -> String {
    let service = if provider_only {
        " AND service_id = $1"
    } else {
        ""
    };
    format!(
        "SELECT environment_id, service_id, version_id FROM deployments \
         WHERE environment_id IN ({envs}){service} AND replaced_at IS NULL \
         UNION SELECT environment_id, service_id, version_id FROM releases \
         WHERE environment_id IN ({envs}){service} AND support_ended_at IS NULL"
    )
}

impl Store {
    /// Loads the deprecation windows' inputs for `provider` in `environment` (or every
    /// environment). An unknown environment is [`StoreError::EnvironmentNotFound`]; an unknown
    /// provider has nothing present.
    pub async fn load_deprecations(
        &self,
        provider: &str,
        environment: Option<&str>,
        checker: &str,
    ) -> Result<LoadedDeprecations, StoreError> {
        on_pool!(self, pool => {
            // One connection and one snapshot for every query.
            let mut tx = pool.begin().await?;

            // (1) The environments, by name.
            let environments: Vec<(i64, String)> = match environment {
                Some(name) => {
                    let id = sqlx::query_scalar::<_, i64>(
                        "SELECT id FROM environments WHERE name = $1",
                    )
                    .bind(name)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::EnvironmentNotFound {
                        environment: name.to_owned(),
                    })?;
                    vec![(id, name.to_owned())]
                }
                None => {
                    sqlx::query_as("SELECT id, name FROM environments ORDER BY name")
                        .fetch_all(&mut *tx)
                        .await?
                }
            };
            let Some(provider_id) =
                sqlx::query_scalar::<_, i64>("SELECT id FROM services WHERE name = $1")
                    .bind(provider)
                    .fetch_optional(&mut *tx)
                    .await?
            else {
                return Ok(LoadedDeprecations::default());
            };
            if environments.is_empty() {
                return Ok(LoadedDeprecations::default());
            }
            let order: BTreeMap<i64, usize> = environments
                .iter()
                .enumerate()
                .map(|(i, (id, _))| (*id, i))
                .collect();

            // (2) The provider's versions present, with their spec.
            let sql = format!(
                "SELECT p.environment_id, v.number AS version, sp.id AS spec_id, sp.hash \
                 FROM ({}) p JOIN versions v ON v.id = p.version_id \
                 JOIN version_specs vs ON vs.version_id = p.version_id \
                 JOIN specs sp ON sp.id = vs.spec_id",
                present_in(&placeholders(2, environments.len()), true)
            );
            let mut query = sqlx::query(AssertSqlSafe(sql)).bind(provider_id);
            for (id, _) in &environments {
                query = query.bind(*id);
            }
            // (environment order, version, spec id, spec hash), deduplicated.
            let mut specs: BTreeSet<(usize, String, i64, String)> = BTreeSet::new();
            for row in query.fetch_all(&mut *tx).await? {
                let environment_id: i64 = row.try_get("environment_id")?;
                specs.insert((
                    order[&environment_id],
                    row.try_get("version")?,
                    row.try_get("spec_id")?,
                    row.try_get("hash")?,
                ));
            }
            let present: Vec<i64> = specs
                .iter()
                .map(|s| environments[s.0].0)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            if present.is_empty() {
                return Ok(LoadedDeprecations::default());
            }

            // (3) The consumer versions present where the provider is, with their contract
            // toward it.
            let sql = format!(
                "SELECT p.environment_id, p.version_id, s.name AS consumer, v.number AS version, \
                 c.id AS contract_id, c.hash \
                 FROM ({}) p \
                 JOIN version_contracts vc \
                 ON vc.consumer_version_id = p.version_id AND vc.provider_id = $1 \
                 JOIN contracts c ON c.id = vc.contract_id \
                 JOIN services s ON s.id = p.service_id \
                 JOIN versions v ON v.id = p.version_id \
                 WHERE p.service_id <> $1",
                present_in(&placeholders(2, present.len()), false)
            );
            let mut query = sqlx::query(AssertSqlSafe(sql)).bind(provider_id);
            for id in &present {
                query = query.bind(*id);
            }
            // (environment order, consumer, consumer version id) → (version, contract id, hash)
            let mut contracts: BTreeMap<(usize, String, i64), (String, i64, String)> =
                BTreeMap::new();
            for row in query.fetch_all(&mut *tx).await? {
                let environment_id: i64 = row.try_get("environment_id")?;
                contracts.insert(
                    (
                        order[&environment_id],
                        row.try_get("consumer")?,
                        row.try_get("version_id")?,
                    ),
                    (
                        row.try_get("version")?,
                        row.try_get("contract_id")?,
                        row.try_get("hash")?,
                    ),
                );
            }

            // (4) The cached compatibility of each (spec, contract) pair present together.
            let mut pairs: BTreeMap<(i64, i64), (String, String)> = BTreeMap::new();
            for (env, _, spec_id, spec_hash) in &specs {
                for ((_, _, _), (_, contract_id, contract_hash)) in
                    contracts.range((*env, String::new(), i64::MIN)..(*env + 1, String::new(), i64::MIN))
                {
                    pairs.insert((*spec_id, *contract_id), (spec_hash.clone(), contract_hash.clone()));
                }
            }
            let mut facts: BTreeMap<(String, String), Vec<DeprecationFact>> = BTreeMap::new();
            let mut cached: BTreeSet<(i64, i64)> = BTreeSet::new();
            if !pairs.is_empty() {
                let sids: BTreeSet<i64> = pairs.keys().map(|p| p.0).collect();
                let cids: BTreeSet<i64> = pairs.keys().map(|p| p.1).collect();
                let sql = format!(
                    "SELECT spec_id, contract_id, deprecations FROM compatibility \
                     WHERE checker = $1 AND spec_id IN ({}) AND contract_id IN ({})",
                    placeholders(2, sids.len()),
                    placeholders(2 + sids.len(), cids.len())
                );
                let mut query = sqlx::query(AssertSqlSafe(sql)).bind(checker);
                for id in sids.iter().chain(&cids) {
                    query = query.bind(*id);
                }
                for row in query.fetch_all(&mut *tx).await? {
                    let key = (row.try_get::<i64, _>("spec_id")?, row.try_get::<i64, _>("contract_id")?);
                    let Some((spec_hash, contract_hash)) = pairs.get(&key) else {
                        continue;
                    };
                    cached.insert(key);
                    let stored: Vec<StoredFact> =
                        serde_json::from_str(&row.try_get::<String, _>("deprecations")?)
                            .map_err(|e| StoreError::Corrupt(format!("deprecations: {e}")))?;
                    facts
                        .entry((spec_hash.clone(), contract_hash.clone()))
                        .or_default()
                        .extend(stored.into_iter().map(|f| f.with(spec_hash, contract_hash)));
                }
            }
            tx.commit().await?;

            let missing = pairs
                .iter()
                .filter(|(key, _)| !cached.contains(key))
                .map(|(&(spec_id, contract_id), (spec_hash, contract_hash))| MissingAssessment {
                    spec_id,
                    spec_hash: spec_hash.clone(),
                    contract_id,
                    contract_hash: contract_hash.clone(),
                })
                .collect();
            Ok(LoadedDeprecations {
                specs: specs
                    .into_iter()
                    .map(|(env, version, _, spec_hash)| PresentSpec {
                        environment: environments[env].1.clone(),
                        version,
                        spec_hash,
                    })
                    .collect(),
                contracts: contracts
                    .into_iter()
                    .map(|((env, consumer, _), (consumer_version, _, contract_hash))| {
                        PresentContract {
                            environment: environments[env].1.clone(),
                            consumer,
                            consumer_version,
                            contract_hash,
                        }
                    })
                    .collect(),
                facts,
                missing,
            })
        })
    }
}

/// A provider version's spec publication, for filling the deprecation history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecPublished {
    pub spec_id: i64,
    pub version_id: i64,
    pub published_at: DateTime<Utc>,
}

/// Where an element's deprecation began: the first provider version whose spec marks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeprecatedSince {
    pub version: String,
    pub published_at: DateTime<Utc>,
}

/// How many elements one history query asks about: well under every backend's bind limit.
const ELEMENTS_PER_QUERY: usize = 500;

/// Records, in the publishing transaction `$tx`, that the spec of `$version_id` (published at
/// `$now`) marks `$elements` deprecated; an element already recorded keeps its earlier version.
macro_rules! record_deprecated {
    ($tx:expr, $service_id:expr, $version_id:expr, $elements:expr, $now:expr) => {
        for element in $elements {
            sqlx::query(
                "INSERT INTO deprecation_history \
                 (provider_id, element, version_id, deprecated_since) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (provider_id, element) DO NOTHING",
            )
            .bind($service_id)
            .bind(element)
            .bind($version_id)
            .bind($now)
            .execute(&mut *$tx)
            .await?;
        }
    };
}
pub(super) use record_deprecated;

impl Store {
    /// The spec publications of `provider` when its deprecation history predates the history
    /// table and has not been filled yet (see [`Store::fill_deprecation_history`]); `None` when
    /// there is nothing to fill. Sorted by publication.
    pub async fn deprecation_history_to_fill(
        &self,
        provider: &str,
    ) -> Result<Option<Vec<SpecPublished>>, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let Some(provider_id) = sqlx::query_scalar::<_, i64>(
                "SELECT p.provider_id FROM deprecation_history_pending p \
                 JOIN services s ON s.id = p.provider_id WHERE s.name = $1",
            )
            .bind(provider)
            .fetch_optional(&mut *tx)
            .await?
            else {
                return Ok(None);
            };
            let mut published = Vec::new();
            for row in sqlx::query(
                "SELECT vs.spec_id, vs.version_id, vs.created_at FROM version_specs vs \
                 JOIN versions v ON v.id = vs.version_id WHERE v.service_id = $1",
            )
            .bind(provider_id)
            .fetch_all(&mut *tx)
            .await?
            {
                published.push(SpecPublished {
                    spec_id: row.try_get("spec_id")?,
                    version_id: row.try_get("version_id")?,
                    published_at: row.try_get("created_at")?,
                });
            }
            tx.commit().await?;
            published.sort_by_key(|p| (p.published_at, p.version_id));
            Ok(Some(published))
        })
    }

    /// Records the first (version id, publication) of each element `provider`'s older specs mark
    /// deprecated, where it is earlier than the one recorded, and marks the history filled.
    pub async fn fill_deprecation_history(
        &self,
        provider: &str,
        first: &BTreeMap<String, (i64, DateTime<Utc>)>,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let Some(provider_id) =
                sqlx::query_scalar::<_, i64>("SELECT id FROM services WHERE name = $1")
                    .bind(provider)
                    .fetch_optional(&mut *tx)
                    .await?
            else {
                return Ok(());
            };
            let mut recorded: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
            for row in sqlx::query(
                "SELECT element, deprecated_since FROM deprecation_history WHERE provider_id = $1",
            )
            .bind(provider_id)
            .fetch_all(&mut *tx)
            .await?
            {
                recorded.insert(row.try_get("element")?, row.try_get("deprecated_since")?);
            }
            for (element, (version_id, since)) in first {
                if recorded.get(element).is_some_and(|r| r <= since) {
                    continue;
                }
                sqlx::query(
                    "INSERT INTO deprecation_history \
                     (provider_id, element, version_id, deprecated_since) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (provider_id, element) DO UPDATE \
                     SET version_id = excluded.version_id, \
                     deprecated_since = excluded.deprecated_since",
                )
                .bind(provider_id)
                .bind(element)
                .bind(*version_id)
                .bind(*since)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("DELETE FROM deprecation_history_pending WHERE provider_id = $1")
                .bind(provider_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Since when each of `elements` of `provider`'s specs has been deprecated, for those the
    /// history knows.
    pub async fn deprecated_since(
        &self,
        provider: &str,
        elements: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, DeprecatedSince>, StoreError> {
        let elements: Vec<&String> = elements.iter().collect();
        let mut out = BTreeMap::new();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in elements.chunks(ELEMENTS_PER_QUERY) {
                let sql = format!(
                    "SELECT h.element, v.number, h.deprecated_since FROM deprecation_history h \
                     JOIN services s ON s.id = h.provider_id \
                     JOIN versions v ON v.id = h.version_id \
                     WHERE s.name = $1 AND h.element IN ({})",
                    placeholders(2, chunk.len())
                );
                let mut query = sqlx::query(AssertSqlSafe(sql)).bind(provider);
                for element in chunk {
                    query = query.bind(element.as_str());
                }
                for row in query.fetch_all(&mut *tx).await? {
                    out.insert(
                        row.try_get("element")?,
                        DeprecatedSince {
                            version: row.try_get("number")?,
                            published_at: row.try_get("deprecated_since")?,
                        },
                    );
                }
            }
            tx.commit().await?;
            Ok(out)
        })
    }
}
