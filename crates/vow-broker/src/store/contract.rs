//! Contracts: content stored once per hash, and the link from a consumer version to the contract it
//! published for each provider.

use chrono::{DateTime, Utc};

use super::error::StoreError;
use super::pool::{BeginWrite, Store, on_pool};
use super::record::{Publication, Put, StoredContract, VersionAttributes};
use super::service::{ensure_content, ensure_service, ensure_version};
use super::webhook::raise_event;
use crate::webhook::EventKind;

/// Publications with their names, filtered by consumer and version (a macro, so that `concat!`
/// can add to it and the SQL stays a `&'static str`).
macro_rules! select_publication {
    () => {
        "SELECT cs.name AS consumer, v.number AS version, \
     ps.name AS provider, c.hash, vc.created_at \
     FROM version_contracts vc \
     JOIN versions v ON v.id = vc.consumer_version_id \
     JOIN services cs ON cs.id = v.service_id \
     JOIN services ps ON ps.id = vc.provider_id \
     JOIN contracts c ON c.id = vc.contract_id \
     WHERE cs.name = $1 AND v.number = $2"
    };
}

/// A contract to publish: the consumer version, the provider, and the content with its hash.
#[derive(Debug, Clone, Copy)]
pub struct NewContract<'a> {
    pub consumer: &'a str,
    pub version: &'a str,
    pub provider: &'a str,
    /// Content hash of `content` (see `crate::content`).
    pub hash: &'a str,
    /// Canonical JSON text.
    pub content: &'a str,
}

impl Store {
    /// Publishes a consumer version's contract with a provider, creating the services and the
    /// version if they are new. The same content again is a success that changes nothing; other
    /// content for the same consumer version and provider is a [`StoreError::ContractConflict`]
    /// and leaves nothing behind.
    pub async fn publish_contract(
        &self,
        new: NewContract<'_>,
        now: DateTime<Utc>,
    ) -> Result<Put<Publication>, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            // Services in name order, so that two publishers naming each other as consumer and
            // provider cannot wait on each other's insert (a deadlock on PostgreSQL).
            let (consumer_id, provider_id) = if new.consumer <= new.provider {
                let c = ensure_service!(tx, new.consumer, now);
                (c, ensure_service!(tx, new.provider, now))
            } else {
                let p = ensure_service!(tx, new.provider, now);
                (ensure_service!(tx, new.consumer, now), p)
            };
            let (version_id, _) =
                ensure_version!(tx, consumer_id, new.version, &VersionAttributes::default(), now);
            let contract_id = ensure_content!(tx, "contracts", new.hash, new.content, now);
            let created = sqlx::query(
                "INSERT INTO version_contracts \
                 (consumer_version_id, provider_id, contract_id, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (consumer_version_id, provider_id) DO NOTHING",
            )
            .bind(version_id)
            .bind(provider_id)
            .bind(contract_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            let publication = sqlx::query_as::<_, Publication>(
                concat!(select_publication!(), " AND ps.name = $3"),
            )
            .bind(new.consumer)
            .bind(new.version)
            .bind(new.provider)
            .fetch_one(&mut *tx)
            .await?;
            if publication.hash != new.hash {
                return Err(StoreError::ContractConflict {
                    consumer: new.consumer.to_owned(),
                    version: new.version.to_owned(),
                    provider: new.provider.to_owned(),
                    stored_hash: publication.hash,
                    given_hash: new.hash.to_owned(),
                });
            }
            if created {
                // The pair's newest contract: this version's, unless a newer version of the
                // consumer already published one.
                sqlx::query(
                    "INSERT INTO integrations (consumer_id, provider_id, consumer_version_id) \
                     VALUES ($1, $2, $3) ON CONFLICT (consumer_id, provider_id) DO UPDATE SET \
                     consumer_version_id = CASE \
                     WHEN excluded.consumer_version_id > integrations.consumer_version_id \
                     THEN excluded.consumer_version_id ELSE integrations.consumer_version_id END",
                )
                .bind(consumer_id)
                .bind(provider_id)
                .bind(version_id)
                .execute(&mut *tx)
                .await?;
                // The contract of the consumer's latest other version with this provider.
                let previous = sqlx::query_scalar::<_, String>(
                    "SELECT c.hash FROM version_contracts vc \
                     JOIN versions v ON v.id = vc.consumer_version_id \
                     JOIN contracts c ON c.id = vc.contract_id \
                     WHERE v.service_id = $1 AND vc.provider_id = $2 \
                     AND vc.consumer_version_id <> $3 \
                     ORDER BY vc.created_at DESC, v.id DESC LIMIT 1",
                )
                .bind(consumer_id)
                .bind(provider_id)
                .bind(version_id)
                .fetch_optional(&mut *tx)
                .await?;
                if previous.as_deref() != Some(new.hash) {
                    let payload = serde_json::json!({
                        "consumer": new.consumer,
                        "consumer_version": new.version,
                        "provider": new.provider,
                        "contract_hash": new.hash,
                        "previous_contract_hash": previous,
                    });
                    raise_event!(
                        tx,
                        EventKind::ContractContentChanged,
                        payload,
                        Some(new.provider),
                        Some(new.consumer),
                        now
                    );
                }
            }
            tx.commit().await?;
            Ok(Put { value: publication, created })
        })
    }

    /// The contracts a consumer version published, by provider. `None` when the version does not
    /// exist.
    pub async fn publications(
        &self,
        consumer: &str,
        version: &str,
    ) -> Result<Option<Vec<Publication>>, StoreError> {
        if self.version(consumer, version).await?.is_none() {
            return Ok(None);
        }
        on_pool!(self, pool => Ok(Some(sqlx::query_as::<_, Publication>(
            concat!(select_publication!(), " ORDER BY ps.name"),
        )
        .bind(consumer)
        .bind(version)
        .fetch_all(pool)
        .await?)))
    }

    /// The contract a consumer version published for a provider, if any.
    pub async fn contract(
        &self,
        consumer: &str,
        version: &str,
        provider: &str,
    ) -> Result<Option<StoredContract>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_as::<_, StoredContract>(
            "SELECT c.hash, c.content FROM version_contracts vc \
             JOIN versions v ON v.id = vc.consumer_version_id \
             JOIN services cs ON cs.id = v.service_id \
             JOIN services ps ON ps.id = vc.provider_id \
             JOIN contracts c ON c.id = vc.contract_id \
             WHERE cs.name = $1 AND v.number = $2 AND ps.name = $3",
        )
        .bind(consumer)
        .bind(version)
        .bind(provider)
        .fetch_optional(pool)
        .await?))
    }
}
