//! can-I-deploy, can-I-merge, the deprecations in use, and the contracts a provider must verify.

use axum::Json;
use axum::extract::State;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use vow_core::deploy::{Answer, ServiceVersion, Target};

use super::error::ApiError;
use super::extract::{PathParams, QueryParams};
use crate::deploy::{CompatibilityReport, DeployError, answer, deprecations_in_use};
use crate::metrics::Metrics;
use crate::name::{BranchName, EnvironmentName, ServiceName, VersionNumber};
use crate::store::{Store, StoreError};

/// `?service=&version=&environment=` (can-i-deploy) or `&branch=` (can-i-merge), and `as_of`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionQuery {
    service: String,
    version: String,
    environment: Option<String>,
    branch: Option<String>,
    as_of: Option<String>,
}

/// Reads `as_of` (a date, `YYYY-MM-DD`); today in UTC when absent.
fn as_of(text: Option<&str>) -> Result<NaiveDate, ApiError> {
    match text {
        None => Ok(Utc::now().date_naive()),
        Some(text) => text.parse().map_err(|_| {
            ApiError::InvalidQuery(format!(
                "as_of must be a date like 2026-11-21, not {text:?}"
            ))
        }),
    }
}

fn candidate(query: &QuestionQuery) -> Result<ServiceVersion, ApiError> {
    Ok(ServiceVersion {
        service: ServiceName::parse(&query.service)?.as_str().to_owned(),
        version: VersionNumber::parse(&query.version)?.as_str().to_owned(),
    })
}

async fn decide(
    store: &Store,
    metrics: &Metrics,
    candidate: ServiceVersion,
    target: Target,
    as_of: NaiveDate,
) -> Result<Json<Answer>, ApiError> {
    match answer(store, &candidate, &target, as_of).await {
        Ok(answer) => {
            metrics.can_i_deploy(answer.verdict);
            Ok(Json(answer))
        }
        Err(DeployError::Store(e)) => Err(e.into()),
        Err(DeployError::Question(e)) => {
            tracing::error!(error = %e, "can-i-deploy loaded a contradictory question");
            Err(ApiError::Internal)
        }
    }
}

/// Whether a version can be deployed to an environment: the verdict, one row per integration,
/// notices.
pub async fn can_i_deploy(
    State(store): State<Store>,
    State(metrics): State<Metrics>,
    QueryParams(query): QueryParams<QuestionQuery>,
) -> Result<Json<Answer>, ApiError> {
    let target = target(&query, false)?;
    let as_of = as_of(query.as_of.as_deref())?;
    decide(&store, &metrics, candidate(&query)?, target, as_of).await
}

/// Whether a version can be merged into a branch: the same question against the latest version
/// of each counterpart on that branch.
pub async fn can_i_merge(
    State(store): State<Store>,
    State(metrics): State<Metrics>,
    QueryParams(query): QueryParams<QuestionQuery>,
) -> Result<Json<Answer>, ApiError> {
    let target = target(&query, true)?;
    let as_of = as_of(query.as_of.as_deref())?;
    decide(&store, &metrics, candidate(&query)?, target, as_of).await
}

/// The target a question names: an environment for can-i-deploy, a branch for can-i-merge;
/// anything else is refused, pointing at the route that takes it.
fn target(query: &QuestionQuery, merge: bool) -> Result<Target, ApiError> {
    match (&query.environment, &query.branch, merge) {
        (Some(name), None, false) => Ok(Target::Environment {
            name: EnvironmentName::parse(name)?.as_str().to_owned(),
        }),
        (None, Some(name), true) => Ok(Target::Branch {
            name: BranchName::parse(name)?.as_str().to_owned(),
        }),
        (_, _, false) => Err(ApiError::InvalidQuery(
            "can-i-deploy takes environment (the environment to deploy to) and no branch; ask \
             /api/v1/can-i-merge about a branch"
                .to_owned(),
        )),
        (_, _, true) => Err(ApiError::InvalidQuery(
            "can-i-merge takes branch (the branch to merge into) and no environment; ask \
             /api/v1/can-i-deploy about an environment"
                .to_owned(),
        )),
    }
}

/// `?provider=&environment=&as_of=&warning_days=`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeprecationsQuery {
    provider: String,
    environment: Option<String>,
    as_of: Option<String>,
    warning_days: Option<u32>,
}

/// The deprecated (or removed) elements of a provider's specs that consumers present in an
/// environment still use, most urgent first.
pub async fn deprecations(
    State(store): State<Store>,
    QueryParams(query): QueryParams<DeprecationsQuery>,
) -> Result<Json<Value>, ApiError> {
    let provider = ServiceName::parse(&query.provider)?;
    let environment = query
        .environment
        .as_deref()
        .map(EnvironmentName::parse)
        .transpose()?;
    let as_of = as_of(query.as_of.as_deref())?;
    let warning_days = query.warning_days.unwrap_or(30);
    if store.service(provider.as_str()).await?.is_none() {
        return Err(StoreError::ServiceNotFound {
            service: provider.as_str().to_owned(),
        }
        .into());
    }
    let rows = deprecations_in_use(
        &store,
        provider.as_str(),
        environment.as_ref().map(EnvironmentName::as_str),
        as_of,
        i64::from(warning_days),
    )
    .await?;
    Ok(Json(json!({
        "provider": provider.as_str(),
        "as_of": as_of,
        "warning_days": warning_days,
        "deprecations": rows,
    })))
}

/// `?branches=main,feature-x` (comma-separated; `main` when absent).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectionQuery {
    branches: Option<String>,
}

/// The contracts a provider must verify: those of consumer versions deployed or released in any
/// environment, and of the latest consumer version on each branch; each distinct contract once.
pub async fn contracts_to_verify(
    State(store): State<Store>,
    PathParams(provider): PathParams<String>,
    QueryParams(query): QueryParams<SelectionQuery>,
) -> Result<Json<Value>, ApiError> {
    let provider = ServiceName::parse(&provider)?;
    let mut branches = Vec::new();
    for branch in query.branches.as_deref().unwrap_or("main").split(',') {
        let branch = branch.trim();
        if !branch.is_empty() {
            branches.push(BranchName::parse(branch)?.as_str().to_owned());
        }
    }
    let contracts = store
        .contracts_to_verify(provider.as_str(), &branches)
        .await?;
    Ok(Json(
        json!({ "provider": provider.as_str(), "contracts": contracts }),
    ))
}

/// The compatibility of the provider version's spec with the consumer version's contract: the
/// findings behind can-I-deploy's `compatible` evidence (computed and cached when missing).
pub async fn compatibility(
    State(store): State<Store>,
    PathParams((provider, version, consumer, consumer_version)): PathParams<(
        String,
        String,
        String,
        String,
    )>,
) -> Result<Json<CompatibilityReport>, ApiError> {
    let provider = ServiceName::parse(&provider)?;
    let version = VersionNumber::parse(&version)?;
    let consumer = ServiceName::parse(&consumer)?;
    let consumer_version = VersionNumber::parse(&consumer_version)?;
    Ok(Json(
        crate::deploy::compatibility(
            &store,
            provider.as_str(),
            version.as_str(),
            consumer.as_str(),
            consumer_version.as_str(),
        )
        .await?,
    ))
}
