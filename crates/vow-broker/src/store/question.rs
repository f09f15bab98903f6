//! Loading a can-I-deploy (or can-I-merge) question: the bounded queries listed in
//! `vow_core::deploy`'s documentation, each indexed, none reading history. The lists are keyed by
//! row ids inside the store and handed out by name, as `vow_core::deploy::Question` wants them.
//!
//! Costs: (1) the candidate's contracts; (2) the versions present in the target — the current
//! deployments and supported releases of one environment, or the latest version per service on a
//! branch — that take part: the candidate's providers, and the consumers with (3) a contract
//! toward the candidate's service, read in the same query; (4) the specs of the
//! provider versions involved; (5) the latest verification per (provider version, contract) pair
//! involved; (6) the cached compatibility results of the (spec, contract) pairs involved. Every
//! list is bounded by the integrations of the candidate and the size of the target.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use sqlx::{AssertSqlSafe, Row};
use vow_core::deploy::{
    CandidateContract, Compatibility, ConsumerContract, Counterpart, Presence, ProviderSpec,
    Question, ServiceVersion, Target, Verification,
};

use super::environment::environment_id;
use super::error::StoreError;
use super::evidence::{StoredFact, dimensions_of};
use super::pool::{Store, on_pool, placeholders};

/// A (spec, contract) pair with no cached compatibility result for this checker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingAssessment {
    pub spec_id: i64,
    pub spec_hash: String,
    pub contract_id: i64,
    pub contract_hash: String,
}

/// A loaded question, and the pairs whose compatibility must be computed before deciding.
#[derive(Debug, Clone)]
pub struct LoadedQuestion {
    pub question: Question,
    pub missing: Vec<MissingAssessment>,
}

/// The versions present in an environment (`$1`, its id): the current deployment of each service
/// per application instance, and the releases whose support has not ended.
const PRESENT_IN_ENVIRONMENT: &str = "SELECT service_id, version_id, application_instance AS instance, \
     'deployed' AS kind FROM deployments WHERE environment_id = $1 AND replaced_at IS NULL \
     UNION ALL \
     SELECT service_id, version_id, '' AS instance, 'released' AS kind FROM releases \
     WHERE environment_id = $1 AND support_ended_at IS NULL";

/// The versions present on a branch (`$1`, its name): the latest version of each service there.
const PRESENT_ON_BRANCH: &str = "SELECT service_id, id AS version_id, '' AS instance, \
     'branch-head' AS kind FROM versions \
     WHERE id IN (SELECT MAX(id) FROM versions WHERE branch = $1 GROUP BY service_id)";

/// A version present in the target, by id.
#[derive(Debug, Clone)]
struct Present {
    service_id: i64,
    service: String,
    version_id: i64,
    version: String,
    presence: Presence,
}

impl Store {
    /// Loads the question for `candidate` going to `target`, read at `as_of`. Compatibility
    /// results that are not cached for `checker` are listed in [`LoadedQuestion::missing`].
    pub async fn load_question(
        &self,
        candidate: &ServiceVersion,
        target: &Target,
        as_of: NaiveDate,
        checker: &str,
    ) -> Result<LoadedQuestion, StoreError> {
        on_pool!(self, pool => {
            // One connection and one snapshot for every query.
            let mut tx = pool.begin().await?;

            let Some((service_id, version_id)) = sqlx::query_as::<_, (i64, i64)>(
                "SELECT s.id, v.id FROM versions v JOIN services s ON s.id = v.service_id \
                 WHERE s.name = $1 AND v.number = $2",
            )
            .bind(&candidate.service)
            .bind(&candidate.version)
            .fetch_optional(&mut *tx)
            .await?
            else {
                drop(tx);
                return Err(self.missing_version(&candidate.service, &candidate.version).await);
            };

            // (1) The candidate's contracts as a consumer.
            let mut contract_hashes: BTreeMap<i64, String> = BTreeMap::new();
            let mut contracts = Vec::new();
            let mut providers: BTreeSet<i64> = BTreeSet::new();
            // (provider id, contract id) of each of the candidate's contracts.
            let mut own: Vec<(i64, i64)> = Vec::new();
            for row in sqlx::query(
                "SELECT vc.provider_id, ps.name AS provider, c.id AS contract_id, c.hash \
                 FROM version_contracts vc JOIN services ps ON ps.id = vc.provider_id \
                 JOIN contracts c ON c.id = vc.contract_id \
                 WHERE vc.consumer_version_id = $1 ORDER BY ps.name",
            )
            .bind(version_id)
            .fetch_all(&mut *tx)
            .await?
            {
                let hash: String = row.try_get("hash")?;
                let (provider_id, contract_id) = (row.try_get("provider_id")?, row.try_get("contract_id")?);
                contract_hashes.insert(contract_id, hash.clone());
                providers.insert(provider_id);
                own.push((provider_id, contract_id));
                contracts.push(CandidateContract {
                    provider: row.try_get("provider")?,
                    contract_hash: hash,
                });
            }

            // (2) and (3): the versions present in the target that take part — each provider of
            // the candidate, and each consumer with a contract toward the candidate's service,
            // with that contract — in one query. The versions present that take no part are
            // filtered in the database, so what crosses the wire is bounded by the candidate's
            // integrations, not by the size of the environment.
            let (present_sql, environment_id) = match target {
                Target::Environment { name } => {
                    let environment_id = environment_id!(&mut *tx, name);
                    (PRESENT_IN_ENVIRONMENT, Some(environment_id))
                }
                Target::Branch { .. } => (PRESENT_ON_BRANCH, None),
            };
            let takes_part = if providers.is_empty() {
                String::new()
            } else {
                format!(" OR p.service_id IN ({})", placeholders(3, providers.len()))
            };
            let sql = format!(
                "SELECT p.service_id, s.name AS service, p.version_id, v.number AS version, \
                 p.instance, p.kind, c.id AS contract_id, c.hash \
                 FROM ({present_sql}) p \
                 LEFT JOIN version_contracts vc \
                 ON vc.consumer_version_id = p.version_id AND vc.provider_id = $2 \
                 LEFT JOIN contracts c ON c.id = vc.contract_id \
                 JOIN services s ON s.id = p.service_id \
                 JOIN versions v ON v.id = p.version_id \
                 WHERE p.service_id <> $2 AND (vc.contract_id IS NOT NULL{takes_part})"
            );
            let mut query = sqlx::query(AssertSqlSafe(sql));
            query = match target {
                Target::Environment { .. } => query.bind(environment_id),
                Target::Branch { name } => query.bind(name.clone()),
            };
            query = query.bind(service_id);
            for id in &providers {
                query = query.bind(*id);
            }
            let mut present = Vec::new();
            let mut consumer_contracts = Vec::new();
            let mut consumer_versions: BTreeSet<i64> = BTreeSet::new();
            let mut consumer_contract_ids: BTreeSet<i64> = BTreeSet::new();
            for row in query.fetch_all(&mut *tx).await? {
                let instance: String = row.try_get("instance")?;
                let kind: String = row.try_get("kind")?;
                let p = Present {
                    service_id: row.try_get("service_id")?,
                    service: row.try_get("service")?,
                    version_id: row.try_get("version_id")?,
                    version: row.try_get("version")?,
                    presence: match kind.as_str() {
                        "deployed" => Presence::Deployed {
                            instance: (!instance.is_empty()).then_some(instance),
                        },
                        "released" => Presence::Released,
                        _ => Presence::BranchHead,
                    },
                };
                let contract: Option<i64> = row.try_get("contract_id")?;
                // A version present twice (two instances, or deployed and released) has one
                // contract.
                if let Some(contract_id) = contract
                    && consumer_versions.insert(p.version_id)
                {
                    let hash: String = row.try_get("hash")?;
                    consumer_contracts.push(ConsumerContract {
                        consumer: p.service.clone(),
                        consumer_version: p.version.clone(),
                        contract_hash: hash.clone(),
                    });
                    consumer_contract_ids.insert(contract_id);
                    contract_hashes.insert(contract_id, hash);
                }
                present.push(p);
            }
            let counterparts: Vec<Counterpart> = present
                .iter()
                .map(|p| Counterpart {
                    service: p.service.clone(),
                    version: p.version.clone(),
                    presence: p.presence.clone(),
                })
                .collect();

            // Names of every version involved, by id.
            let mut versions: BTreeMap<i64, (String, String)> = present
                .iter()
                .map(|p| (p.version_id, (p.service.clone(), p.version.clone())))
                .collect();
            versions.insert(version_id, (candidate.service.clone(), candidate.version.clone()));

            // (4) Specs of the provider versions: the candidate and its providers present.
            let provider_versions: Vec<i64> = std::iter::once(version_id)
                .chain(
                    present
                        .iter()
                        .filter(|p| providers.contains(&p.service_id))
                        .map(|p| p.version_id),
                )
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let mut specs = Vec::new();
            let mut spec_of: BTreeMap<i64, (i64, String)> = BTreeMap::new();
            {
                let sql = format!(
                    "SELECT vs.version_id, sp.id AS spec_id, sp.hash FROM version_specs vs \
                     JOIN specs sp ON sp.id = vs.spec_id WHERE vs.version_id IN ({})",
                    placeholders(1, provider_versions.len())
                );
                let mut query = sqlx::query(AssertSqlSafe(sql));
                for id in &provider_versions {
                    query = query.bind(*id);
                }
                for row in query.fetch_all(&mut *tx).await? {
                    let version: i64 = row.try_get("version_id")?;
                    let hash: String = row.try_get("hash")?;
                    let (service, number) = &versions[&version];
                    specs.push(ProviderSpec {
                        provider: service.clone(),
                        provider_version: number.clone(),
                        spec_hash: hash.clone(),
                    });
                    spec_of.insert(version, (row.try_get("spec_id")?, hash));
                }
            }

            // (5) The latest verification per (provider version, contract) pair involved. The
            // pairs: each present provider version with the candidate's contract toward it, and
            // the candidate with each consumer contract.
            let mut pairs: BTreeSet<(i64, i64)> = BTreeSet::new();
            for p in &present {
                for &(provider_id, contract_id) in &own {
                    if provider_id == p.service_id {
                        pairs.insert((p.version_id, contract_id));
                    }
                }
            }
            for contract_id in &consumer_contract_ids {
                pairs.insert((version_id, *contract_id));
            }
            let mut verifications = Vec::new();
            if !pairs.is_empty() {
                let pvs: BTreeSet<i64> = pairs.iter().map(|p| p.0).collect();
                let cids: BTreeSet<i64> = pairs.iter().map(|p| p.1).collect();
                let sql = format!(
                    "SELECT provider_version_id, contract_id, passed, failed_dimensions \
                     FROM verifications WHERE id IN (SELECT MAX(id) FROM verifications \
                     WHERE provider_version_id IN ({}) AND contract_id IN ({}) \
                     GROUP BY provider_version_id, contract_id)",
                    placeholders(1, pvs.len()),
                    placeholders(1 + pvs.len(), cids.len())
                );
                let mut query = sqlx::query(AssertSqlSafe(sql));
                for id in pvs.iter().chain(&cids) {
                    query = query.bind(*id);
                }
                for row in query.fetch_all(&mut *tx).await? {
                    let pv: i64 = row.try_get("provider_version_id")?;
                    let cid: i64 = row.try_get("contract_id")?;
                    if !pairs.contains(&(pv, cid)) {
                        continue;
                    }
                    let (service, number) = &versions[&pv];
                    verifications.push(Verification {
                        provider: service.clone(),
                        provider_version: number.clone(),
                        contract_hash: contract_hashes[&cid].clone(),
                        passed: row.try_get("passed")?,
                        failed_dimensions: dimensions_of(
                            &row.try_get::<String, _>("failed_dimensions")?,
                        )?,
                    });
                }
            }

            // (6) Compatibility of each (spec, contract) pair involved, for this checker.
            let mut spec_pairs: BTreeSet<(i64, i64)> = BTreeSet::new();
            for (pv, cid) in &pairs {
                if let Some((spec_id, _)) = spec_of.get(pv) {
                    spec_pairs.insert((*spec_id, *cid));
                }
            }
            let mut compatibility = Vec::new();
            let mut deprecations = Vec::new();
            let mut cached: BTreeSet<(i64, i64)> = BTreeSet::new();
            let spec_hashes: BTreeMap<i64, String> = spec_of.values().cloned().collect();
            if !spec_pairs.is_empty() {
                let sids: BTreeSet<i64> = spec_pairs.iter().map(|p| p.0).collect();
                let cids: BTreeSet<i64> = spec_pairs.iter().map(|p| p.1).collect();
                let sql = format!(
                    "SELECT spec_id, contract_id, passed, failed_dimensions, errors, warnings, \
                     deprecations FROM compatibility WHERE checker = $1 \
                     AND spec_id IN ({}) AND contract_id IN ({})",
                    placeholders(2, sids.len()),
                    placeholders(2 + sids.len(), cids.len())
                );
                let mut query = sqlx::query(AssertSqlSafe(sql)).bind(checker);
                for id in sids.iter().chain(&cids) {
                    query = query.bind(*id);
                }
                for row in query.fetch_all(&mut *tx).await? {
                    let sid: i64 = row.try_get("spec_id")?;
                    let cid: i64 = row.try_get("contract_id")?;
                    if !spec_pairs.contains(&(sid, cid)) {
                        continue;
                    }
                    cached.insert((sid, cid));
                    let spec_hash = spec_hashes[&sid].clone();
                    let contract_hash = contract_hashes[&cid].clone();
                    let facts: Vec<StoredFact> =
                        serde_json::from_str(&row.try_get::<String, _>("deprecations")?)
                            .map_err(|e| StoreError::Corrupt(format!("deprecations: {e}")))?;
                    deprecations.extend(facts.into_iter().map(|f| f.with(&spec_hash, &contract_hash)));
                    compatibility.push(Compatibility {
                        spec_hash,
                        contract_hash,
                        passed: row.try_get("passed")?,
                        failed_dimensions: dimensions_of(
                            &row.try_get::<String, _>("failed_dimensions")?,
                        )?,
                        errors: u32::try_from(row.try_get::<i64, _>("errors")?).unwrap_or(u32::MAX),
                        warnings: u32::try_from(row.try_get::<i64, _>("warnings")?)
                            .unwrap_or(u32::MAX),
                    });
                }
            }
            tx.commit().await?;
            let missing = spec_pairs
                .difference(&cached)
                .map(|&(spec_id, contract_id)| MissingAssessment {
                    spec_id,
                    spec_hash: spec_hashes[&spec_id].clone(),
                    contract_id,
                    contract_hash: contract_hashes[&contract_id].clone(),
                })
                .collect();
            Ok(LoadedQuestion {
                question: Question {
                    candidate: candidate.clone(),
                    target: target.clone(),
                    as_of,
                    contracts,
                    counterparts,
                    consumer_contracts,
                    specs,
                    verifications,
                    compatibility,
                    deprecations,
                },
                missing,
            })
        })
    }
}
