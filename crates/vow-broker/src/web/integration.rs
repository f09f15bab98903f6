//! One integration, a consumer -> provider pair: the contract (the newest, or the consumer version
//! asked for) with its interactions and its text as YAML, the provider's newest spec and its
//! compatibility with that contract, the findings by dimension, and the evidence history a page
//! at a time.

use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vow_core::contract::{Contract, DimensionStatements, decode_contract, to_yaml};
use vow_core::finding::Dimension;

use super::render::{PageError, html};
use super::session::{Viewer, percent_encode};
use crate::deploy::{CompatibilityReport, compatibility};
use crate::name::{ServiceName, VersionNumber};
use crate::store::{ContractVersion, EvidenceRow, IntegrationKey, SpecRef, Store, StoreError};

/// The most other contracts the selector offers, and evidence rows a page shows.
const CONTRACTS_OFFERED: u32 = 20;
const EVIDENCE_SHOWN: u32 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct IntegrationQuery {
    consumer_version: Option<String>,
    before: Option<String>,
}

#[derive(Debug, Serialize)]
struct IntegrationPage {
    consumer: String,
    provider: String,
    contract: ContractVersion,
    /// Whether the contract shown is the pair's newest.
    newest: bool,
    /// The contract as YAML, or as pretty JSON when it no longer decodes.
    text: String,
    text_format: &'static str,
    /// Why the stored contract no longer decodes, if it does not.
    decode_problem: Option<String>,
    interactions: Vec<InteractionRow>,
    /// Other recent contracts of the pair, each with its newest consumer version.
    others: Vec<ContractVersion>,
    spec: Option<SpecRef>,
    compatibility: Option<CompatibilityReport>,
    /// Why the compatibility could not be computed, if it could not.
    compatibility_problem: Option<String>,
    latest: Option<EvidenceRow>,
    dimensions: Vec<DimensionFindings>,
    evidence: Vec<EvidenceView>,
    /// The link to older evidence, if there is any.
    older: Option<String>,
    /// Whether this is a later page of the evidence.
    paged: bool,
}

/// An interaction of the contract and what it asks in each dimension it states.
#[derive(Debug, Serialize)]
struct InteractionRow {
    id: String,
    method: String,
    path: String,
    status: u16,
    asks: Vec<Ask>,
}

#[derive(Debug, Serialize)]
struct Ask {
    dimension: Dimension,
    text: String,
}

/// The findings of one dimension: the compatibility check's, and what the latest verification
/// of the shown contract reported.
#[derive(Debug, Serialize)]
struct DimensionFindings {
    dimension: Dimension,
    findings: Vec<FindingView>,
    /// The latest verification failed this dimension.
    verification_failed: bool,
    /// The latest verification's finding counts for this dimension, if its summary has them.
    verification_counts: Option<Counts>,
}

#[derive(Debug, Serialize)]
struct FindingView {
    rule: String,
    severity: String,
    interaction: Option<String>,
    message: String,
    location: String,
}

#[derive(Debug, Serialize)]
struct Counts {
    errors: u64,
    warnings: u64,
    infos: u64,
}

/// An evidence row with its build link, when the build URL is one to follow.
#[derive(Debug, Serialize)]
struct EvidenceView {
    #[serde(flatten)]
    row: EvidenceRow,
    build_link: Option<String>,
}

/// A finding as the compatibility report stores it (vow-core's `Finding`, serialized).
#[derive(Debug, Deserialize)]
struct StoredFinding {
    rule: String,
    dimension: Dimension,
    severity: String,
    #[serde(default)]
    location: StoredLocation,
    message: String,
}

#[derive(Debug, Default, Deserialize)]
struct StoredLocation {
    interaction: Option<String>,
    #[serde(default)]
    pointer: String,
}

#[derive(Debug, Deserialize)]
struct StoredInteraction {
    #[serde(default)]
    findings: Vec<StoredFinding>,
}

pub async fn page(
    viewer: Viewer,
    State(store): State<Store>,
    Path((consumer, provider)): Path<(String, String)>,
    query: Result<Query<IntegrationQuery>, QueryRejection>,
) -> Response {
    let result = async {
        let Query(query) = query
            .map_err(|e| PageError::bad_request(format!("the query string does not read: {e}")))?;
        integration(&store, &consumer, &provider, &query).await
    }
    .await;
    match result {
        Ok(page) => html(StatusCode::OK, "integration.html", &viewer.chrome(), page),
        Err(e) => e.render(&viewer.chrome()),
    }
}

async fn integration(
    store: &Store,
    consumer: &str,
    provider: &str,
    query: &IntegrationQuery,
) -> Result<IntegrationPage, PageError> {
    let consumer = ServiceName::parse(consumer)?;
    let provider = ServiceName::parse(provider)?;
    let (consumer, provider) = (consumer.as_str(), provider.as_str());
    let asked = match query.consumer_version.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => Some(VersionNumber::parse(v)?),
        None => None,
    };
    let before = match query.before.as_deref().filter(|b| !b.is_empty()) {
        Some(b) => Some(b.parse::<i64>().map_err(|_| {
            PageError::bad_request(format!(
                "before must be a verification id (a whole number), not {b:?}"
            ))
        })?),
        None => None,
    };
    let key = integration_key(store, consumer, provider).await?;
    let version = asked
        .as_ref()
        .map_or(key.newest_version.as_str(), |v| v.as_str());
    let Some((contract, content)) = store.integration_contract(&key, version).await? else {
        return Err(PageError::not_found(format!(
            "{consumer} has no version {version:?} with a contract for {provider}"
        )));
    };
    let (text, text_format, decode_problem, interactions) = shown(&content);
    let others = store
        .integration_contracts(&key, CONTRACTS_OFFERED + 1)
        .await?
        .into_iter()
        .filter(|c| c.hash != contract.hash)
        .take(CONTRACTS_OFFERED as usize)
        .collect();
    let spec = store.specs_of(provider, 1).await?.into_iter().next();
    let (compatibility, compatibility_problem) = match &spec {
        None => (None, None),
        Some(spec) => {
            match compatibility(store, provider, &spec.version, consumer, &contract.version).await {
                Ok(report) => (Some(report), None),
                Err(StoreError::Corrupt(problem)) => (None, Some(problem)),
                Err(e) => return Err(e.into()),
            }
        }
    };
    let latest = store.latest_verification_of(&key, &contract.hash).await?;
    let dimensions = by_dimension(compatibility.as_ref(), latest.as_ref());
    let (evidence, more) = store
        .integration_evidence(&key, before, EVIDENCE_SHOWN)
        .await?;
    // Older evidence of the same page: the contract shown stays.
    let shown_version = match &asked {
        Some(v) => format!("consumer_version={}&", percent_encode(v.as_str())),
        None => String::new(),
    };
    let older = more
        .then(|| evidence.last())
        .flatten()
        .map(|last| format!("?{shown_version}before={}#evidence", last.id));
    Ok(IntegrationPage {
        consumer: consumer.to_owned(),
        provider: provider.to_owned(),
        newest: contract.version == key.newest_version,
        contract,
        text,
        text_format,
        decode_problem,
        interactions,
        others,
        spec,
        compatibility,
        compatibility_problem,
        latest,
        dimensions,
        evidence: evidence
            .into_iter()
            .map(|row| EvidenceView {
                build_link: row
                    .build_url
                    .as_deref()
                    .filter(|u| followable(u))
                    .map(str::to_owned),
                row,
            })
            .collect(),
        older,
        paged: before.is_some(),
    })
}

/// The pair, or a 404 that says which part is missing.
async fn integration_key(
    store: &Store,
    consumer: &str,
    provider: &str,
) -> Result<IntegrationKey, PageError> {
    let ids = store.service_ids(consumer, provider).await?;
    let id = |name: &str| {
        ids.get(name).copied().ok_or_else(|| {
            PageError::not_found(format!("this broker has no service named {name:?}"))
        })
    };
    let (consumer_id, provider_id) = (id(consumer)?, id(provider)?);
    store
        .integration(consumer_id, provider_id)
        .await?
        .ok_or_else(|| {
            PageError::not_found(format!(
                "{consumer} has published no contract for {provider}"
            ))
        })
}

/// A build URL people may follow from the page: http or https only, so a `javascript:` URL
/// stays text.
fn followable(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")) && url == url.trim_start()
}

/// The contract text to show (YAML, or pretty JSON when the stored contract no longer decodes),
/// why it does not decode, and its interactions.
fn shown(content: &str) -> (String, &'static str, Option<String>, Vec<InteractionRow>) {
    let value: Value = match serde_json::from_str(content) {
        Ok(value) => value,
        Err(e) => return (content.to_owned(), "JSON", Some(e.to_string()), Vec::new()),
    };
    match decode_contract("the stored contract", &value) {
        Ok(contract) => (to_yaml(&contract), "YAML", None, interactions_of(&contract)),
        Err(e) => (
            serde_json::to_string_pretty(&value).unwrap_or_else(|_| content.to_owned()),
            "JSON",
            Some(e.to_string()),
            Vec::new(),
        ),
    }
}

fn interactions_of(contract: &Contract) -> Vec<InteractionRow> {
    contract
        .interactions
        .iter()
        .map(|i| InteractionRow {
            id: i.id.clone(),
            method: i.request.method.as_str().to_owned(),
            path: i.request.path.clone(),
            status: i.response.status,
            asks: asks(&contract.effective(i)),
        })
        .collect()
}

fn seconds(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}

/// What an interaction's effective statements ask, one short line per dimension stated.
fn asks(statements: &DimensionStatements) -> Vec<Ask> {
    let mut out = Vec::new();
    if let Some(errors) = &statements.errors {
        let codes: Vec<String> = errors
            .handles
            .iter()
            .map(|h| {
                format!(
                    "{} ({}{})",
                    h.code,
                    h.status,
                    if h.retry { ", retried" } else { "" }
                )
            })
            .collect();
        out.push(Ask {
            dimension: Dimension::Errors,
            text: format!("handles {}", codes.join(", ")),
        });
    }
    if let Some(latency) = &statements.latency {
        let mut text = format!("times out after {}", seconds(latency.timeout));
        if let Some(retries) = &latency.retries {
            text.push_str(&format!(", {} attempts", retries.attempts));
        }
        if let Some(deadline) = latency.deadline {
            text.push_str(&format!(", deadline {}", seconds(deadline)));
        }
        out.push(Ask {
            dimension: Dimension::Latency,
            text,
        });
    }
    if let Some(auth) = &statements.auth {
        out.push(Ask {
            dimension: Dimension::Auth,
            text: if auth.scopes.is_empty() {
                "credentials without scopes".to_owned()
            } else {
                format!("scopes {}", auth.scopes.join(" "))
            },
        });
    }
    if let Some(deprecation) = &statements.deprecation {
        let mut parts = Vec::new();
        if deprecation.operation {
            parts.push("the deprecated operation".to_owned());
        }
        parts.extend(
            deprecation
                .fields
                .iter()
                .map(|f| format!("deprecated field {f}")),
        );
        parts.extend(
            deprecation
                .parameters
                .iter()
                .map(|p| format!("deprecated parameter {p}")),
        );
        if !parts.is_empty() {
            out.push(Ask {
                dimension: Dimension::Deprecation,
                text: format!("uses {}", parts.join(", ")),
            });
        }
    }
    out
}

/// The compatibility findings and deprecation facts, and the latest verification's failed
/// dimensions and counts, under each of the five dimensions.
fn by_dimension(
    report: Option<&CompatibilityReport>,
    latest: Option<&EvidenceRow>,
) -> Vec<DimensionFindings> {
    let mut findings: Vec<StoredFinding> = report
        .and_then(|r| serde_json::from_value::<Vec<StoredInteraction>>(r.interactions.clone()).ok())
        .unwrap_or_default()
        .into_iter()
        .flat_map(|i| i.findings)
        .collect();
    if let Some(facts) = report.and_then(|r| r.deprecations.as_array()) {
        for fact in facts {
            let text = |key: &str| fact.get(key).and_then(Value::as_str).map(str::to_owned);
            // Removals are already findings of the shape dimension; sunsets are not, because
            // whether one is near or passed depends on the date.
            let Some(sunset) = text("sunset") else {
                continue;
            };
            let element = text("element").unwrap_or_default();
            findings.push(StoredFinding {
                rule: String::new(),
                dimension: Dimension::Deprecation,
                severity: "deprecated".to_owned(),
                message: format!("uses {element}, deprecated with sunset {sunset}"),
                location: StoredLocation {
                    interaction: text("interaction"),
                    pointer: element,
                },
            });
        }
    }
    Dimension::ALL
        .iter()
        .map(|&dimension| {
            let counts = latest.and_then(|l| {
                let c = l.summary.get("findings")?.get(dimension.as_str())?;
                let n = |k: &str| c.get(k).and_then(Value::as_u64).unwrap_or(0);
                Some(Counts {
                    errors: n("errors"),
                    warnings: n("warnings"),
                    infos: n("infos"),
                })
            });
            DimensionFindings {
                dimension,
                findings: findings
                    .iter()
                    .filter(|f| f.dimension == dimension)
                    .map(|f| FindingView {
                        rule: f.rule.clone(),
                        severity: f.severity.clone(),
                        interaction: f.location.interaction.clone(),
                        message: f.message.clone(),
                        location: f.location.pointer.clone(),
                    })
                    .collect(),
                verification_failed: latest
                    .is_some_and(|l| l.failed_dimensions.contains(&dimension)),
                verification_counts: counts,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::followable;

    #[test]
    fn only_http_and_https_build_urls_are_links() {
        assert!(followable("https://ci.example.com/builds/1"));
        assert!(followable("HTTP://ci.example.com/builds/1"));
        for url in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            " https://ci.example.com",
            "data:text/html,<script>alert(1)</script>",
            "//evil.example",
            "ci.example.com/builds/1",
        ] {
            assert!(!followable(url), "{url}");
        }
    }
}
