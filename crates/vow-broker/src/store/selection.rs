//! The contracts a provider must honour: those of consumer versions deployed or released in an
//! environment, and of the latest consumer version on each named branch. `vow verify --broker`
//! fetches them, verifies each distinct contract once, and publishes the results.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;

use super::error::StoreError;
use super::pool::{Store, on_pool};

/// Why a consumer version's contract is selected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum SelectedBecause {
    /// Deployed in the environment.
    Deployed { environment: String },
    /// Released and supported in the environment.
    Released { environment: String },
    /// The latest version of the consumer on the branch.
    BranchHead { branch: String },
}

/// A consumer version whose contract is selected, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelectedConsumer {
    pub consumer: String,
    pub version: String,
    pub reasons: Vec<SelectedBecause>,
}

/// One distinct contract to verify, with every consumer version that holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SelectedContract {
    pub hash: String,
    pub consumers: Vec<SelectedConsumer>,
    /// The contract, as published (canonical JSON).
    pub contract: serde_json::Value,
}

impl Store {
    /// The contracts toward `provider` of consumer versions present in any environment, and of the
    /// latest consumer version (with a contract toward `provider`) on each of `branches`.
    pub async fn contracts_to_verify(
        &self,
        provider: &str,
        branches: &[String],
    ) -> Result<Vec<SelectedContract>, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let Some(provider_id) = sqlx::query_scalar::<_, i64>(
                "SELECT id FROM services WHERE name = $1",
            )
            .bind(provider)
            .fetch_optional(&mut *tx)
            .await?
            else {
                return Err(StoreError::ServiceNotFound { service: provider.to_owned() });
            };
            // (hash, consumer, version) → reasons; the content is read once per hash, below.
            let mut selected: BTreeMap<(String, String, String), Vec<SelectedBecause>> =
                BTreeMap::new();
            let present = sqlx::query(
                "SELECT c.hash, cs.name AS consumer, v.number AS version, \
                 e.name AS environment, 'deployed' AS kind \
                 FROM deployments d JOIN environments e ON e.id = d.environment_id \
                 JOIN version_contracts vc ON vc.consumer_version_id = d.version_id \
                 JOIN contracts c ON c.id = vc.contract_id \
                 JOIN versions v ON v.id = d.version_id JOIN services cs ON cs.id = v.service_id \
                 WHERE vc.provider_id = $1 AND d.replaced_at IS NULL \
                 UNION ALL \
                 SELECT c.hash, cs.name, v.number, e.name, 'released' \
                 FROM releases r JOIN environments e ON e.id = r.environment_id \
                 JOIN version_contracts vc ON vc.consumer_version_id = r.version_id \
                 JOIN contracts c ON c.id = vc.contract_id \
                 JOIN versions v ON v.id = r.version_id JOIN services cs ON cs.id = v.service_id \
                 WHERE vc.provider_id = $1 AND r.support_ended_at IS NULL",
            )
            .bind(provider_id)
            .fetch_all(&mut *tx)
            .await?;
            for row in present {
                let environment: String = row.try_get("environment")?;
                let kind: String = row.try_get("kind")?;
                let reason = if kind == "deployed" {
                    SelectedBecause::Deployed { environment }
                } else {
                    SelectedBecause::Released { environment }
                };
                let hash: String = row.try_get("hash")?;
                selected
                    .entry((hash, row.try_get("consumer")?, row.try_get("version")?))
                    .or_default()
                    .push(reason);
            }
            for branch in branches {
                let heads = sqlx::query(
                    "SELECT c.hash, cs.name AS consumer, v.number AS version \
                     FROM version_contracts vc JOIN contracts c ON c.id = vc.contract_id \
                     JOIN versions v ON v.id = vc.consumer_version_id \
                     JOIN services cs ON cs.id = v.service_id \
                     WHERE vc.provider_id = $1 AND v.id IN (SELECT MAX(v2.id) FROM versions v2 \
                     JOIN version_contracts vc2 ON vc2.consumer_version_id = v2.id \
                     WHERE vc2.provider_id = $1 AND v2.branch = $2 GROUP BY v2.service_id)",
                )
                .bind(provider_id)
                .bind(branch)
                .fetch_all(&mut *tx)
                .await?;
                for row in heads {
                    let hash: String = row.try_get("hash")?;
                        selected
                        .entry((hash, row.try_get("consumer")?, row.try_get("version")?))
                        .or_default()
                        .push(SelectedBecause::BranchHead { branch: branch.clone() });
                }
            }
            let mut contents: BTreeMap<String, String> = BTreeMap::new();
            for hash in selected.keys().map(|(hash, _, _)| hash) {
                if !contents.contains_key(hash) {
                    let text = sqlx::query_scalar::<_, String>(
                        "SELECT content FROM contracts WHERE hash = $1",
                    )
                    .bind(hash)
                    .fetch_one(&mut *tx)
                    .await?;
                    contents.insert(hash.clone(), text);
                }
            }
            tx.commit().await?;
            let mut out: Vec<SelectedContract> = Vec::new();
            for ((hash, consumer, version), mut reasons) in selected {
                reasons.sort();
                reasons.dedup();
                let entry = SelectedConsumer { consumer, version, reasons };
                match out.last_mut() {
                    Some(last) if last.hash == hash => last.consumers.push(entry),
                    _ => {
                        let text = contents.get(&hash).map(String::as_str).unwrap_or("null");
                        let contract = serde_json::from_str(text)
                            .map_err(|e| StoreError::Corrupt(format!("contract {hash}: {e}")))?;
                        out.push(SelectedContract { hash, consumers: vec![entry], contract });
                    }
                }
            }
            Ok(out)
        })
    }
}
