//! Answering can-I-deploy and can-I-merge: load the question from the store, compute the
//! compatibility results it lacks (vow-core's static check of a spec against a contract, cached by
//! their hashes and by the vow version that computed them), and let vow-core decide.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use vow_core::contract::decode_contract;
use vow_core::deploy::{
    Answer, Assessment, DeprecationKind, Question, QuestionError, ServiceVersion, Target, assess,
    decide, deprecated_elements,
};
use vow_core::finding::Dimension;
use vow_core::spec::{Bundle, Stability};

use crate::store::{MissingAssessment, NewCompatibility, Store, StoreError, StoredFact};

/// Names the code that computed a cached compatibility result; results of another checker are
/// computed again, so a fix in the check reaches old pairs. The `+a` suffix counts the changes to
/// what `vow_core::deploy::assess` reports (findings, element names, stability) within one
/// version: bump it with any such change, or brokers keep serving the cached results of the old
/// check. 2: array indexes as `*`, response keys as the spec writes them, stability levels.
pub const CHECKER: &str = concat!("vow ", env!("CARGO_PKG_VERSION"), "+a2");

/// What can stop an answer.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The loaded facts contradict each other; a bug, never the client's fault.
    #[error(transparent)]
    Question(#[from] QuestionError),
}

/// Answers whether `candidate` can go to `target`, with the deprecation clock read at `as_of`.
pub async fn answer(
    store: &Store,
    candidate: &ServiceVersion,
    target: &Target,
    as_of: NaiveDate,
) -> Result<Answer, DeployError> {
    Ok(decide(&question(store, candidate, target, as_of).await?)?)
}

/// The question with every fact, the missing compatibility results computed and stored.
async fn question(
    store: &Store,
    candidate: &ServiceVersion,
    target: &Target,
    as_of: NaiveDate,
) -> Result<Question, StoreError> {
    let loaded = store
        .load_question(candidate, target, as_of, CHECKER)
        .await?;
    let mut question = loaded.question;
    for assessment in assess_missing(store, &loaded.missing).await? {
        question.compatibility.push(assessment.compatibility);
        question.deprecations.extend(assessment.deprecations);
    }
    Ok(question)
}

/// A deprecated element of a provider's spec that a consumer version present in an environment
/// still uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeprecationInUse {
    pub environment: String,
    pub provider: String,
    pub provider_version: String,
    pub consumer: String,
    pub consumer_version: String,
    pub interaction: String,
    pub element: String,
    pub status: DeprecationStatus,
    /// The sunset, for a deprecated element.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sunset: Option<NaiveDate>,
    /// Days from the as-of date to the sunset (negative once it passed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
    /// The `x-stability-level` of the element's operation, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stability: Option<Stability>,
    /// The first provider version, among the specs this broker holds, whose spec marks the
    /// element deprecated; unknown for an element no spec of it marks (a removed operation is
    /// named by the consumer's path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecated_in: Option<String>,
    /// The date that version's spec was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecated_since: Option<NaiveDate>,
}

/// Where an element in use stands on the deprecation clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeprecationStatus {
    /// The provider version no longer has it.
    Removed,
    /// The sunset is on or before the as-of date.
    Overdue,
    /// The sunset is within the warning window.
    Near,
    /// The sunset is further away.
    Scheduled,
}

/// The deprecated elements of `provider`'s specs that consumers use, per environment (all of
/// them, or `environment`): for each provider version present there, each consumer version
/// present with a contract that uses a deprecated or removed element. Sorted most urgent first.
///
/// The same facts can-I-deploy reads for each provider version present, loaded for every
/// environment at once (see `store::deprecation`) rather than one question per version.
pub async fn deprecations_in_use(
    store: &Store,
    provider: &str,
    environment: Option<&str>,
    as_of: NaiveDate,
    warning_days: i64,
) -> Result<Vec<DeprecationInUse>, StoreError> {
    let loaded = store
        .load_deprecations(provider, environment, CHECKER)
        .await?;
    let mut facts = loaded.facts;
    for assessment in assess_missing(store, &loaded.missing).await? {
        let c = &assessment.compatibility;
        facts
            .entry((c.spec_hash.clone(), c.contract_hash.clone()))
            .or_default()
            .extend(assessment.deprecations);
    }
    let mut out = Vec::new();
    for spec in &loaded.specs {
        for consumer in loaded
            .contracts
            .iter()
            .filter(|c| c.environment == spec.environment)
        {
            let Some(facts) = facts.get(&(spec.spec_hash.clone(), consumer.contract_hash.clone()))
            else {
                continue;
            };
            for fact in facts {
                let (status, sunset, days_left) = match fact.kind {
                    DeprecationKind::Removed => (DeprecationStatus::Removed, None, None),
                    DeprecationKind::Sunset { sunset } => {
                        let left = (sunset - as_of).num_days();
                        let status = if left <= 0 {
                            DeprecationStatus::Overdue
                        } else if left <= warning_days {
                            DeprecationStatus::Near
                        } else {
                            DeprecationStatus::Scheduled
                        };
                        (status, Some(sunset), Some(left))
                    }
                };
                out.push(DeprecationInUse {
                    environment: spec.environment.clone(),
                    provider: provider.to_owned(),
                    provider_version: spec.version.clone(),
                    consumer: consumer.consumer.clone(),
                    consumer_version: consumer.consumer_version.clone(),
                    interaction: fact.interaction.clone(),
                    element: fact.element.clone(),
                    status,
                    sunset,
                    days_left,
                    stability: fact.stability,
                    deprecated_in: None,
                    deprecated_since: None,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        (
            a.status,
            a.days_left,
            &a.environment,
            &a.element,
            &a.consumer,
            &a.consumer_version,
        )
            .cmp(&(
                b.status,
                b.days_left,
                &b.environment,
                &b.element,
                &b.consumer,
                &b.consumer_version,
            ))
    });
    out.dedup();
    fill_deprecation_history(store, provider).await?;
    let elements: BTreeSet<String> = out.iter().map(|r| r.element.clone()).collect();
    let since = store.deprecated_since(provider, &elements).await?;
    for row in &mut out {
        if let Some(s) = since.get(&row.element) {
            row.deprecated_in = Some(s.version.clone());
            row.deprecated_since = Some(s.published_at.date_naive());
        }
    }
    Ok(out)
}

/// Fills the deprecation history of a provider whose specs were published before the broker
/// kept one: each distinct spec read once, in the order of publication, on the first read
/// after the upgrade. A spec that no longer reads adds nothing.
async fn fill_deprecation_history(store: &Store, provider: &str) -> Result<(), StoreError> {
    let Some(published) = store.deprecation_history_to_fill(provider).await? else {
        return Ok(());
    };
    let mut first: BTreeMap<String, (i64, DateTime<Utc>)> = BTreeMap::new();
    let mut read: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for publication in published {
        if let std::collections::btree_map::Entry::Vacant(entry) = read.entry(publication.spec_id) {
            let text = store.spec_content(publication.spec_id).await?;
            let elements = tokio::task::spawn_blocking(move || deprecated_in_spec(&text))
                .await
                .map_err(|e| StoreError::Corrupt(format!("reading a stored spec failed: {e}")))?;
            entry.insert(elements);
        }
        for element in &read[&publication.spec_id] {
            first
                .entry(element.clone())
                .or_insert((publication.version_id, publication.published_at));
        }
    }
    store.fill_deprecation_history(provider, &first).await
}

/// The elements a stored spec bundle marks deprecated; none when it no longer reads.
fn deprecated_in_spec(text: &str) -> Vec<String> {
    let spec = serde_json::from_str::<Bundle>(text)
        .map_err(|e| e.to_string())
        .and_then(|bundle| bundle.spec("the stored spec").map_err(|e| e.to_string()));
    match spec {
        Ok(spec) => deprecated_elements(&spec)
            .into_iter()
            .map(|d| d.element)
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "a stored spec does not read; its deprecations stay unknown");
            Vec::new()
        }
    }
}

/// Computes and stores the compatibility of each pair, reading each spec once. A spec or contract
/// that no longer reads (stored by an older vow with other rules) gives no result, and the rows
/// that needed it stay unknown; the broker's log says why.
pub(crate) async fn assess_missing(
    store: &Store,
    missing: &[MissingAssessment],
) -> Result<Vec<Assessment>, StoreError> {
    let mut by_spec: BTreeMap<i64, Vec<&MissingAssessment>> = BTreeMap::new();
    for m in missing {
        by_spec.entry(m.spec_id).or_default().push(m);
    }
    let mut out = Vec::new();
    for (spec_id, pairs) in by_spec {
        let spec_text = store.spec_content(spec_id).await?;
        let mut inputs = Vec::with_capacity(pairs.len());
        for pair in pairs {
            inputs.push((
                pair.clone(),
                store.contract_content(pair.contract_id).await?,
            ));
        }
        // Reading a spec and checking contracts is CPU work: off the async workers.
        let computed = tokio::task::spawn_blocking(move || assess_all(&spec_text, inputs))
            .await
            .map_err(|e| StoreError::Corrupt(format!("the compatibility check failed: {e}")))?;
        for (pair, assessment) in computed {
            let deprecations: Vec<StoredFact> =
                assessment.deprecations.iter().map(StoredFact::of).collect();
            let c = &assessment.compatibility;
            store
                .put_compatibility(
                    &NewCompatibility {
                        spec_id: pair.spec_id,
                        contract_id: pair.contract_id,
                        checker: CHECKER,
                        passed: c.passed,
                        failed_dimensions: &c.failed_dimensions,
                        errors: c.errors,
                        warnings: c.warnings,
                        deprecations: &serde_json::to_string(&deprecations)
                            .unwrap_or_else(|_| "[]".to_owned()),
                        report: &serde_json::to_string(&assessment.result.interactions)
                            .unwrap_or_else(|_| "[]".to_owned()),
                    },
                    Utc::now(),
                )
                .await?;
            out.push(assessment);
        }
    }
    Ok(out)
}

/// Reads one spec bundle and assesses each contract against it.
fn assess_all(
    spec_text: &str,
    inputs: Vec<(MissingAssessment, String)>,
) -> Vec<(MissingAssessment, Assessment)> {
    let spec = serde_json::from_str::<Bundle>(spec_text)
        .map_err(|e| e.to_string())
        .and_then(|bundle| bundle.spec("the stored spec").map_err(|e| e.to_string()));
    let spec = match spec {
        Ok(spec) => spec,
        Err(e) => {
            tracing::warn!(error = %e, "a stored spec does not read; its compatibility stays unknown");
            return Vec::new();
        }
    };
    inputs
        .into_iter()
        .filter_map(|(pair, contract_text)| {
            let contract = serde_json::from_str::<Value>(&contract_text)
                .map_err(|e| e.to_string())
                .and_then(|value| {
                    decode_contract("the stored contract", &value).map_err(|e| e.to_string())
                });
            match contract {
                Ok(contract) => {
                    let assessment = assess(&spec, &pair.spec_hash, &contract, &pair.contract_hash);
                    Some((pair, assessment))
                }
                Err(e) => {
                    tracing::warn!(error = %e, hash = %pair.contract_hash,
                        "a stored contract does not read; its compatibility stays unknown");
                    None
                }
            }
        })
        .collect()
}

/// The compatibility of a provider version's spec with a consumer version's contract: what
/// can-I-deploy's `compatible` evidence rests on, with the findings that decided it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompatibilityReport {
    pub provider: String,
    pub provider_version: String,
    pub consumer: String,
    pub consumer_version: String,
    pub spec_hash: String,
    pub contract_hash: String,
    /// The vow version that computed it.
    pub checker: &'static str,
    pub passed: bool,
    pub failed_dimensions: Vec<Dimension>,
    pub errors: i64,
    pub warnings: i64,
    /// Deprecated elements with a sunset that the contract uses, and acknowledged deprecated
    /// elements the spec removed; read at any date.
    pub deprecations: Value,
    /// Per interaction, its outcome and findings (as `vow check` reports them, without the
    /// clock-dependent sunset findings, which the deprecations carry).
    pub interactions: Value,
}

/// The compatibility report of a spec and a contract, computed and cached when missing.
pub async fn compatibility(
    store: &Store,
    provider: &str,
    provider_version: &str,
    consumer: &str,
    consumer_version: &str,
) -> Result<CompatibilityReport, StoreError> {
    let pair = store
        .compatibility_pair(provider, provider_version, consumer, consumer_version)
        .await?;
    let mut stored = store
        .stored_compatibility(pair.spec_id, pair.contract_id, CHECKER)
        .await?;
    if stored.is_none() {
        assess_missing(store, std::slice::from_ref(&pair)).await?;
        stored = store
            .stored_compatibility(pair.spec_id, pair.contract_id, CHECKER)
            .await?;
    }
    let stored = stored.ok_or_else(|| {
        StoreError::Corrupt(format!(
            "the spec {} or the contract {} no longer reads",
            pair.spec_hash, pair.contract_hash
        ))
    })?;
    Ok(CompatibilityReport {
        provider: provider.to_owned(),
        provider_version: provider_version.to_owned(),
        consumer: consumer.to_owned(),
        consumer_version: consumer_version.to_owned(),
        spec_hash: pair.spec_hash,
        contract_hash: pair.contract_hash,
        checker: CHECKER,
        passed: stored.passed,
        failed_dimensions: stored.failed_dimensions,
        errors: stored.errors,
        warnings: stored.warnings,
        deprecations: stored.deprecations,
        interactions: stored.report,
    })
}
