//! Provider specs published for a provider version, verification results, and the compatibility
//! results computed from the two (cached by spec and contract).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{AssertSqlSafe, Row};
use vow_core::deploy::{DeprecationFact, DeprecationKind};
use vow_core::finding::Dimension;
use vow_core::spec::Stability;

use super::deprecation::record_deprecated;
use super::error::StoreError;
use super::pool::{BeginWrite, Store, on_pool, placeholders};
use super::record::{Put, VersionAttributes};
use super::service::{ensure_content, ensure_service, ensure_version};
use super::webhook::raise_event;
use crate::webhook::EventKind;

/// A provider version's spec, as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecPublication {
    pub service: String,
    pub version: String,
    pub hash: String,
    pub published_at: DateTime<Utc>,
}

/// A spec to publish: the provider version and the bundle with its hash.
#[derive(Debug, Clone, Copy)]
pub struct NewSpec<'a> {
    pub service: &'a str,
    pub version: &'a str,
    /// Content hash of `content` (see `crate::content`).
    pub hash: &'a str,
    /// Canonical JSON text of the bundle.
    pub content: &'a str,
    /// The elements the spec marks deprecated, named as deprecation facts name them.
    pub deprecated: &'a [String],
}

/// A verification result to record.
#[derive(Debug, Clone)]
pub struct NewVerification<'a> {
    pub provider: &'a str,
    pub provider_version: &'a str,
    pub contract_hash: &'a str,
    pub passed: bool,
    pub failed_dimensions: &'a [Dimension],
    pub summary: &'a Value,
    pub build_url: Option<&'a str>,
}

/// A recorded verification result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerificationRecord {
    pub provider: String,
    pub provider_version: String,
    pub contract_hash: String,
    /// Consumer versions whose contract has this content (the latest 50).
    pub consumers: Vec<ConsumerRef>,
    pub passed: bool,
    pub failed_dimensions: Vec<Dimension>,
    pub summary: Value,
    pub build_url: Option<String>,
    pub verified_at: DateTime<Utc>,
}

/// A consumer version, named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsumerRef {
    pub consumer: String,
    pub version: String,
}

/// A cached compatibility result to store.
#[derive(Debug, Clone)]
pub struct NewCompatibility<'a> {
    pub spec_id: i64,
    pub contract_id: i64,
    pub checker: &'a str,
    pub passed: bool,
    pub failed_dimensions: &'a [Dimension],
    pub errors: u32,
    pub warnings: u32,
    /// JSON array of deprecation facts.
    pub deprecations: &'a str,
    /// JSON of the findings per interaction.
    pub report: &'a str,
}

/// A deprecation fact as the compatibility table stores it: without the two hashes, which are
/// the row's key. Rows stored before facts carried a stability level read as unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredFact {
    interaction: String,
    element: String,
    #[serde(flatten)]
    kind: DeprecationKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stability: Option<Stability>,
}

impl StoredFact {
    pub(crate) fn of(fact: &DeprecationFact) -> StoredFact {
        StoredFact {
            interaction: fact.interaction.clone(),
            element: fact.element.clone(),
            kind: fact.kind,
            stability: fact.stability,
        }
    }

    pub(crate) fn with(self, spec_hash: &str, contract_hash: &str) -> DeprecationFact {
        DeprecationFact {
            spec_hash: spec_hash.to_owned(),
            contract_hash: contract_hash.to_owned(),
            interaction: self.interaction,
            element: self.element,
            kind: self.kind,
            stability: self.stability,
        }
    }
}

/// Dimensions as the JSON array the tables hold.
pub(crate) fn dimensions_json(dimensions: &[Dimension]) -> String {
    serde_json::to_string(dimensions).unwrap_or_else(|_| "[]".to_owned())
}

/// Reads a JSON array of dimensions written by [`dimensions_json`].
pub(crate) fn dimensions_of(text: &str) -> Result<Vec<Dimension>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("failed dimensions: {e}")))
}

/// The consumer versions (the latest 50 of each) that published the contracts with the ids in
/// `$contract_ids`, by contract id: one query, however many contracts.
macro_rules! consumers_of {
    ($tx:expr, $contract_ids:expr) => {{
        let ids: &[i64] = $contract_ids;
        let mut consumers: BTreeMap<i64, Vec<ConsumerRef>> = BTreeMap::new();
        if !ids.is_empty() {
            let sql = format!(
                "SELECT contract_id, name, number FROM (SELECT vc.contract_id, s.name, v.number, \
                 ROW_NUMBER() OVER (PARTITION BY vc.contract_id ORDER BY v.id DESC) AS n \
                 FROM version_contracts vc JOIN versions v ON v.id = vc.consumer_version_id \
                 JOIN services s ON s.id = v.service_id WHERE vc.contract_id IN ({})) ranked \
                 WHERE n <= 50 ORDER BY contract_id, n",
                placeholders(1, ids.len())
            );
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for id in ids {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&mut *$tx).await? {
                consumers
                    .entry(row.try_get("contract_id")?)
                    .or_default()
                    .push(ConsumerRef {
                        consumer: row.try_get("name")?,
                        version: row.try_get("number")?,
                    });
            }
        }
        consumers
    }};
}

impl Store {
    /// Publishes a provider version's spec, creating the service and version if new. The same
    /// content again changes nothing; other content is a [`StoreError::SpecConflict`].
    pub async fn publish_spec(
        &self,
        new: NewSpec<'_>,
        now: DateTime<Utc>,
    ) -> Result<Put<SpecPublication>, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let service_id = ensure_service!(tx, new.service, now);
            let (version_id, _) =
                ensure_version!(tx, service_id, new.version, &VersionAttributes::default(), now);
            let spec_id = ensure_content!(tx, "specs", new.hash, new.content, now);
            let created = sqlx::query(
                "INSERT INTO version_specs (version_id, spec_id, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (version_id) DO NOTHING",
            )
            .bind(version_id)
            .bind(spec_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            let row = sqlx::query(
                "SELECT sp.hash, vs.created_at FROM version_specs vs \
                 JOIN specs sp ON sp.id = vs.spec_id WHERE vs.version_id = $1",
            )
            .bind(version_id)
            .fetch_one(&mut *tx)
            .await?;
            let stored: String = row.try_get("hash")?;
            if stored != new.hash {
                return Err(StoreError::SpecConflict {
                    service: new.service.to_owned(),
                    version: new.version.to_owned(),
                    stored_hash: stored,
                    given_hash: new.hash.to_owned(),
                });
            }
            let published_at = row.try_get("created_at")?;
            if created {
                record_deprecated!(tx, service_id, version_id, new.deprecated, now);
            }
            tx.commit().await?;
            Ok(Put {
                value: SpecPublication {
                    service: new.service.to_owned(),
                    version: new.version.to_owned(),
                    hash: stored,
                    published_at,
                },
                created,
            })
        })
    }

    /// The spec a provider version published: its publication and its bundle's canonical JSON.
    pub async fn spec(
        &self,
        service: &str,
        version: &str,
    ) -> Result<Option<(SpecPublication, String)>, StoreError> {
        on_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT sp.hash, sp.content, vs.created_at FROM version_specs vs \
                 JOIN specs sp ON sp.id = vs.spec_id \
                 JOIN versions v ON v.id = vs.version_id \
                 JOIN services s ON s.id = v.service_id \
                 WHERE s.name = $1 AND v.number = $2",
            )
            .bind(service)
            .bind(version)
            .fetch_optional(pool)
            .await?;
            row.map(|row| -> Result<_, StoreError> {
                Ok((
                    SpecPublication {
                        service: service.to_owned(),
                        version: version.to_owned(),
                        hash: row.try_get("hash")?,
                        published_at: row.try_get("created_at")?,
                    },
                    row.try_get("content")?,
                ))
            })
            .transpose()
        })
    }

    /// Records a verification result of a provider version (created if new) against a contract
    /// that was published. Results are appended; the latest per pair is the one that counts.
    pub async fn record_verification(
        &self,
        new: &NewVerification<'_>,
        now: DateTime<Utc>,
    ) -> Result<VerificationRecord, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            // The contract must have been published toward this provider; its consumer is the
            // service of any version holding it (a contract names its consumer).
            let (contract_id, consumer_id) = sqlx::query_as::<_, (i64, i64)>(
                "SELECT c.id, v.service_id FROM contracts c \
                 JOIN version_contracts vc ON vc.contract_id = c.id \
                 JOIN versions v ON v.id = vc.consumer_version_id \
                 JOIN services ps ON ps.id = vc.provider_id \
                 WHERE c.hash = $1 AND ps.name = $2 LIMIT 1",
            )
            .bind(new.contract_hash)
            .bind(new.provider)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::ContractHashNotFound {
                hash: new.contract_hash.to_owned(),
                provider: new.provider.to_owned(),
            })?;
            let service_id = ensure_service!(tx, new.provider, now);
            let (version_id, _) = ensure_version!(
                tx,
                service_id,
                new.provider_version,
                &VersionAttributes::default(),
                now
            );
            let verification_id = sqlx::query_scalar::<_, i64>(
                "INSERT INTO verifications (provider_version_id, contract_id, passed, \
                 failed_dimensions, summary, build_url, verified_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(version_id)
            .bind(contract_id)
            .bind(new.passed)
            .bind(dimensions_json(new.failed_dimensions))
            .bind(new.summary.to_string())
            .bind(new.build_url)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            // The pair's newest evidence is this result, unless a result recorded at the same
            // time took a later id. The row is updated (and so locked until commit) either way:
            // that lock puts the pair's results in order for what follows.
            sqlx::query(
                "UPDATE integrations SET verification_id = CASE \
                 WHEN verification_id > $1 THEN verification_id ELSE $1 END \
                 WHERE consumer_id = $2 AND provider_id = $3",
            )
            .bind(verification_id)
            .bind(consumer_id)
            .bind(service_id)
            .execute(&mut *tx)
            .await?;
            // Only the latest result of this provider version against this contract counts.
            // Under the lock, the results of the pair committed before are all seen here, and
            // a result committed after sees this one, so exactly one stays current.
            sqlx::query(
                "UPDATE verifications SET superseded = TRUE \
                 WHERE provider_version_id = $1 AND contract_id = $2 AND NOT superseded \
                 AND id < (SELECT MAX(id) FROM verifications \
                 WHERE provider_version_id = $1 AND contract_id = $2)",
            )
            .bind(version_id)
            .bind(contract_id)
            .execute(&mut *tx)
            .await?;
            let consumers = consumers_of!(tx, &[contract_id])
                .remove(&contract_id)
                .unwrap_or_default();
            // A contract names its consumer, so every version holding it is the same consumer's.
            let latest = consumers.first();
            let payload = serde_json::json!({
                "provider": new.provider,
                "provider_version": new.provider_version,
                "contract_hash": new.contract_hash,
                "success": new.passed,
                "failed_dimensions": new.failed_dimensions,
                "build_url": new.build_url,
                "consumer": latest.map(|c| c.consumer.as_str()),
                "consumer_version": latest.map(|c| c.version.as_str()),
                "consumers": consumers,
            });
            let consumer = latest.map(|c| c.consumer.as_str());
            raise_event!(
                tx,
                EventKind::VerificationPublished,
                payload,
                Some(new.provider),
                consumer,
                now
            );
            if !new.passed {
                raise_event!(
                    tx,
                    EventKind::VerificationFailed,
                    payload,
                    Some(new.provider),
                    consumer,
                    now
                );
            }
            tx.commit().await?;
            Ok(VerificationRecord {
                provider: new.provider.to_owned(),
                provider_version: new.provider_version.to_owned(),
                contract_hash: new.contract_hash.to_owned(),
                consumers,
                passed: new.passed,
                failed_dimensions: new.failed_dimensions.to_vec(),
                summary: new.summary.clone(),
                build_url: new.build_url.map(str::to_owned),
                verified_at: now,
            })
        })
    }

    /// The latest verification result of a provider version against each contract, by contract
    /// hash. `None` when the version does not exist.
    pub async fn verifications(
        &self,
        provider: &str,
        version: &str,
    ) -> Result<Option<Vec<VerificationRecord>>, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let Some(version_id) = sqlx::query_scalar::<_, i64>(
                "SELECT v.id FROM versions v JOIN services s ON s.id = v.service_id \
                 WHERE s.name = $1 AND v.number = $2",
            )
            .bind(provider)
            .bind(version)
            .fetch_optional(&mut *tx)
            .await?
            else {
                return Ok(None);
            };
            let rows = sqlx::query(
                "SELECT vr.contract_id, c.hash, vr.passed, vr.failed_dimensions, vr.summary, \
                 vr.build_url, vr.verified_at FROM verifications vr \
                 JOIN contracts c ON c.id = vr.contract_id \
                 WHERE vr.id IN (SELECT MAX(id) FROM verifications \
                 WHERE provider_version_id = $1 GROUP BY contract_id) \
                 ORDER BY c.hash",
            )
            .bind(version_id)
            .fetch_all(&mut *tx)
            .await?;
            let ids = rows
                .iter()
                .map(|row| row.try_get("contract_id"))
                .collect::<Result<Vec<i64>, _>>()?;
            let mut consumers = consumers_of!(tx, &ids);
            let mut records = Vec::with_capacity(rows.len());
            for (row, contract_id) in rows.iter().zip(&ids) {
                let summary: String = row.try_get("summary")?;
                records.push(VerificationRecord {
                    provider: provider.to_owned(),
                    provider_version: version.to_owned(),
                    contract_hash: row.try_get("hash")?,
                    consumers: consumers.remove(contract_id).unwrap_or_default(),
                    passed: row.try_get("passed")?,
                    failed_dimensions: dimensions_of(&row.try_get::<String, _>("failed_dimensions")?)?,
                    summary: serde_json::from_str(&summary)
                        .map_err(|e| StoreError::Corrupt(format!("verification summary: {e}")))?,
                    build_url: row.try_get("build_url")?,
                    verified_at: row.try_get("verified_at")?,
                });
            }
            tx.commit().await?;
            Ok(Some(records))
        })
    }

    /// Stores (or replaces, when another checker computed it) a compatibility result.
    pub(crate) async fn put_compatibility(
        &self,
        new: &NewCompatibility<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO compatibility (spec_id, contract_id, checker, passed, \
                 failed_dimensions, errors, warnings, deprecations, report, computed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (spec_id, contract_id) DO UPDATE SET checker = excluded.checker, \
                 passed = excluded.passed, failed_dimensions = excluded.failed_dimensions, \
                 errors = excluded.errors, warnings = excluded.warnings, \
                 deprecations = excluded.deprecations, report = excluded.report, \
                 computed_at = excluded.computed_at",
            )
            .bind(new.spec_id)
            .bind(new.contract_id)
            .bind(new.checker)
            .bind(new.passed)
            .bind(dimensions_json(new.failed_dimensions))
            .bind(i64::from(new.errors))
            .bind(i64::from(new.warnings))
            .bind(new.deprecations)
            .bind(new.report)
            .bind(now)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// The stored content of a spec (its bundle's canonical JSON), by id.
    pub(crate) async fn spec_content(&self, spec_id: i64) -> Result<String, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_scalar::<_, String>(
            "SELECT content FROM specs WHERE id = $1",
        )
        .bind(spec_id)
        .fetch_one(pool)
        .await?))
    }

    /// The stored content of a contract (canonical JSON), by id.
    pub(crate) async fn contract_content(&self, contract_id: i64) -> Result<String, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_scalar::<_, String>(
            "SELECT content FROM contracts WHERE id = $1",
        )
        .bind(contract_id)
        .fetch_one(pool)
        .await?))
    }
}

/// A cached compatibility result as stored: the verdict, the counts, and its deprecation facts
/// and per-interaction findings as JSON.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredCompatibility {
    pub passed: bool,
    pub failed_dimensions: Vec<Dimension>,
    pub errors: i64,
    pub warnings: i64,
    pub deprecations: Value,
    pub report: Value,
}

impl Store {
    /// The spec of a provider version and the contract of a consumer version toward that
    /// provider, by id and hash: what a compatibility result is keyed by.
    pub(crate) async fn compatibility_pair(
        &self,
        provider: &str,
        provider_version: &str,
        consumer: &str,
        consumer_version: &str,
    ) -> Result<super::MissingAssessment, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let spec = sqlx::query(
                "SELECT sp.id, sp.hash FROM version_specs vs JOIN specs sp ON sp.id = vs.spec_id \
                 JOIN versions v ON v.id = vs.version_id JOIN services s ON s.id = v.service_id \
                 WHERE s.name = $1 AND v.number = $2",
            )
            .bind(provider)
            .bind(provider_version)
            .fetch_optional(&mut *tx)
            .await?;
            let contract = sqlx::query(
                "SELECT c.id, c.hash FROM version_contracts vc \
                 JOIN contracts c ON c.id = vc.contract_id \
                 JOIN versions v ON v.id = vc.consumer_version_id \
                 JOIN services cs ON cs.id = v.service_id \
                 JOIN services ps ON ps.id = vc.provider_id \
                 WHERE cs.name = $1 AND v.number = $2 AND ps.name = $3",
            )
            .bind(consumer)
            .bind(consumer_version)
            .bind(provider)
            .fetch_optional(&mut *tx)
            .await?;
            tx.commit().await?;
            let Some(spec) = spec else {
                return Err(match self.version(provider, provider_version).await? {
                    None => self.missing_version(provider, provider_version).await,
                    Some(_) => StoreError::SpecNotFound {
                        service: provider.to_owned(),
                        version: provider_version.to_owned(),
                    },
                });
            };
            let Some(contract) = contract else {
                return Err(match self.version(consumer, consumer_version).await? {
                    None => self.missing_version(consumer, consumer_version).await,
                    Some(_) => StoreError::ContractNotFound {
                        consumer: consumer.to_owned(),
                        version: consumer_version.to_owned(),
                        provider: provider.to_owned(),
                    },
                });
            };
            Ok(super::MissingAssessment {
                spec_id: spec.try_get("id")?,
                spec_hash: spec.try_get("hash")?,
                contract_id: contract.try_get("id")?,
                contract_hash: contract.try_get("hash")?,
            })
        })
    }

    /// The compatibility result of a spec and a contract computed by `checker`, if cached.
    pub(crate) async fn stored_compatibility(
        &self,
        spec_id: i64,
        contract_id: i64,
        checker: &str,
    ) -> Result<Option<StoredCompatibility>, StoreError> {
        on_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT passed, failed_dimensions, errors, warnings, deprecations, report \
                 FROM compatibility WHERE spec_id = $1 AND contract_id = $2 AND checker = $3",
            )
            .bind(spec_id)
            .bind(contract_id)
            .bind(checker)
            .fetch_optional(pool)
            .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            let json = |column: &str| -> Result<Value, StoreError> {
                let text: String = row.try_get(column)?;
                serde_json::from_str(&text)
                    .map_err(|e| StoreError::Corrupt(format!("compatibility {column}: {e}")))
            };
            Ok(Some(StoredCompatibility {
                passed: row.try_get("passed")?,
                failed_dimensions: dimensions_of(&row.try_get::<String, _>("failed_dimensions")?)?,
                errors: row.try_get("errors")?,
                warnings: row.try_get("warnings")?,
                deprecations: json("deprecations")?,
                report: json("report")?,
            }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_facts_without_a_stability_level_read_as_unknown() {
        let old = r#"[{"interaction":"get-cart","element":"GET /carts/{id}","kind":"sunset","sunset":"2027-06-30"}]"#;
        let facts: Vec<StoredFact> = serde_json::from_str(old).unwrap();
        assert_eq!(facts[0].stability, None);
        assert_eq!(serde_json::to_string(&facts).unwrap(), old);
        let new = r#"[{"interaction":"get-cart","element":"GET /carts/{id}","kind":"removed","stability":"beta"}]"#;
        let facts: Vec<StoredFact> = serde_json::from_str(new).unwrap();
        assert_eq!(facts[0].stability, Some(Stability::Beta));
        assert_eq!(serde_json::to_string(&facts).unwrap(), new);
    }
}
