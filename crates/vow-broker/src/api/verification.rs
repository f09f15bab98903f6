//! Verification results: a provider version verified against a contract (by content hash).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use vow_core::finding::Dimension;

use super::auth::Principal;
use super::error::ApiError;
use super::extract::{JsonBody, PathParams};
use crate::name::{ServiceName, VersionNumber};
use crate::store::{NewVerification, Store, VerificationRecord};

/// The longest build URL kept.
const MAX_BUILD_URL: usize = 2048;

/// The body of `POST …/verifications`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerificationBody {
    contract_hash: String,
    passed: bool,
    #[serde(default)]
    failed_dimensions: Vec<Dimension>,
    #[serde(default)]
    summary: Option<Value>,
    #[serde(default)]
    build_url: Option<String>,
}

/// Records a verification result: 201 with the record.
pub async fn record(
    State(store): State<Store>,
    principal: Principal,
    PathParams((provider, version)): PathParams<(String, String)>,
    JsonBody(body): JsonBody<VerificationBody>,
) -> Result<(StatusCode, Json<VerificationRecord>), ApiError> {
    let provider = ServiceName::parse(&provider)?;
    let version = VersionNumber::parse(&version)?;
    // The provider's pipeline records the results of verifying it.
    principal.may_write(&provider)?;
    let invalid = |pointer: &str, message: String| ApiError::InvalidBody {
        pointer: pointer.to_owned(),
        message,
    };
    if body.passed && !body.failed_dimensions.is_empty() {
        return Err(invalid(
            "/failed_dimensions",
            "a passed verification has no failed dimensions; send \"passed\": false".to_owned(),
        ));
    }
    if !body.passed && body.failed_dimensions.is_empty() {
        return Err(invalid(
            "/failed_dimensions",
            "a failed verification names the dimensions that failed".to_owned(),
        ));
    }
    if body
        .build_url
        .as_ref()
        .is_some_and(|u| u.len() > MAX_BUILD_URL)
    {
        return Err(invalid(
            "/build_url",
            format!("the build URL is longer than {MAX_BUILD_URL} bytes"),
        ));
    }
    let summary = body.summary.unwrap_or_else(|| json!({}));
    if !summary.is_object() {
        return Err(invalid(
            "/summary",
            "the summary must be an object".to_owned(),
        ));
    }
    let mut failed = body.failed_dimensions;
    failed.sort();
    failed.dedup();
    let record = store
        .record_verification(
            &NewVerification {
                provider: provider.as_str(),
                provider_version: version.as_str(),
                contract_hash: &body.contract_hash,
                passed: body.passed,
                failed_dimensions: &failed,
                summary: &summary,
                build_url: body.build_url.as_deref(),
            },
            Utc::now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(record)))
}

/// The latest verification result of a provider version against each contract.
pub async fn list(
    State(store): State<Store>,
    PathParams((provider, version)): PathParams<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let provider = ServiceName::parse(&provider)?;
    let version = VersionNumber::parse(&version)?;
    let records = store
        .verifications(provider.as_str(), version.as_str())
        .await?
        .ok_or_else(|| ApiError::NotFound {
            code: "version_not_found",
            message: format!("{provider} has no version {:?}", version.as_str()),
        })?;
    Ok(Json(json!({ "verifications": records })))
}
