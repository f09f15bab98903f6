//! Contracts published for a consumer version, one per provider, content-addressed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde_json::{Value, json};

use super::auth::Principal;
use super::error::ApiError;
use super::extract::{JsonBody, PathParams};
use super::service::{canonical_json, created_or_ok, more_problems};
use crate::content::Canonical;
use crate::name::{ServiceName, VersionNumber};
use crate::store::{NewContract, Publication, Store};

/// Publishes a consumer version's contract with a provider, a write for the consumer. The body is
/// the contract in vow's format (JSON), checked by vow-core; its consumer and provider must match
/// the path. 201 when new, 200 when the same content was published before, 409
/// `contract_conflict` when other content was.
pub async fn publish(
    principal: Principal,
    State(store): State<Store>,
    PathParams((consumer, version, provider)): PathParams<(String, String, String)>,
    JsonBody(content): JsonBody<Value>,
) -> Result<(StatusCode, Json<Publication>), ApiError> {
    let consumer = ServiceName::parse(&consumer)?;
    principal.may_write(&consumer)?;
    let version = VersionNumber::parse(&version)?;
    let provider = ServiceName::parse(&provider)?;
    if consumer == provider {
        return Err(ApiError::ContractMismatch(format!(
            "{consumer} cannot have a contract with itself"
        )));
    }
    let contract = vow_core::contract::decode_contract("the contract", &content).map_err(|e| {
        let first = &e.problems[0];
        let more = more_problems(e.problems.len());
        let hint = first
            .hint
            .as_deref()
            .map(|h| format!("; {h}"))
            .unwrap_or_default();
        ApiError::InvalidContract {
            pointer: first.pointer.clone(),
            message: format!(
                "the contract is not valid at {:?}: expected {}, found {}{hint}{more}",
                first.pointer, first.expected, first.found
            ),
        }
    })?;
    for (role, named, path) in [
        ("consumer", &contract.consumer, &consumer),
        ("provider", &contract.provider, &provider),
    ] {
        if named != path.as_str() {
            return Err(ApiError::ContractMismatch(format!(
                "the contract's {role} is {named:?} but it is published as {path}'s"
            )));
        }
    }
    let canonical = Canonical::of(&content);
    let put = store
        .publish_contract(
            NewContract {
                consumer: consumer.as_str(),
                version: version.as_str(),
                provider: provider.as_str(),
                hash: &canonical.hash,
                content: &canonical.text,
            },
            Utc::now(),
        )
        .await?;
    Ok((created_or_ok(put.created), Json(put.value)))
}

/// The contract itself, in canonical JSON, with its content hash as the `ETag`.
pub async fn get(
    State(store): State<Store>,
    PathParams((consumer, version, provider)): PathParams<(String, String, String)>,
) -> Result<Response, ApiError> {
    let consumer = ServiceName::parse(&consumer)?;
    let version = VersionNumber::parse(&version)?;
    let provider = ServiceName::parse(&provider)?;
    let contract = store
        .contract(consumer.as_str(), version.as_str(), provider.as_str())
        .await?
        .ok_or_else(|| ApiError::NotFound {
            code: "contract_not_found",
            message: format!("{consumer} {version} has no contract with {provider}"),
        })?;
    canonical_json(&contract.hash, contract.content)
}

/// The contracts a consumer version published, by provider.
pub async fn list(
    State(store): State<Store>,
    PathParams((consumer, version)): PathParams<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let consumer = ServiceName::parse(&consumer)?;
    let version = VersionNumber::parse(&version)?;
    let contracts = store
        .publications(consumer.as_str(), version.as_str())
        .await?
        .ok_or_else(|| ApiError::NotFound {
            code: "version_not_found",
            message: format!("{consumer} has no version {:?}", version.as_str()),
        })?;
    Ok(Json(json!({ "contracts": contracts })))
}
