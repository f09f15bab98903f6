//! Services and versions.

use axum::Json;
use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, ETAG};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Principal;
use super::error::ApiError;
use super::extract::{JsonBody, PathParams, QueryParams};
use crate::name::{ServiceName, VersionNumber};
use crate::store::{Service, Store, Version, VersionAttributes};

/// Longest branch name or commit accepted, and longest build URL.
const MAX_ATTRIBUTE: usize = 255;
const MAX_BUILD_URL: usize = 2048;

pub async fn list(State(store): State<Store>) -> Result<Json<Value>, ApiError> {
    let services = store.services().await?;
    Ok(Json(json!({ "services": services })))
}

pub async fn get(
    State(store): State<Store>,
    PathParams(service): PathParams<String>,
) -> Result<Json<Service>, ApiError> {
    let service = ServiceName::parse(&service)?;
    store
        .service(service.as_str())
        .await?
        .map(Json)
        .ok_or_else(|| service_not_found(&service))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionsQuery {
    limit: Option<u32>,
}

pub async fn versions(
    State(store): State<Store>,
    PathParams(service): PathParams<String>,
    QueryParams(query): QueryParams<VersionsQuery>,
) -> Result<Json<Value>, ApiError> {
    let service = ServiceName::parse(&service)?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::InvalidQuery(format!(
            "limit must be from 1 to 1000, not {limit}"
        )));
    }
    let versions = store
        .versions(service.as_str(), limit)
        .await?
        .ok_or_else(|| service_not_found(&service))?;
    Ok(Json(json!({ "versions": versions })))
}

pub async fn get_version(
    State(store): State<Store>,
    PathParams((service, version)): PathParams<(String, String)>,
) -> Result<Json<Version>, ApiError> {
    let service = ServiceName::parse(&service)?;
    let version = VersionNumber::parse(&version)?;
    store
        .version(service.as_str(), version.as_str())
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound {
            code: "version_not_found",
            message: format!("{service} has no version {:?}", version.as_str()),
        })
}

/// The body of `PUT …/versions/{version}`; every field is optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    branch: Option<String>,
    commit: Option<String>,
    build_url: Option<String>,
}

impl VersionBody {
    fn attributes(self) -> Result<VersionAttributes, ApiError> {
        let check = |field: &str, value: &Option<String>, max: usize| match value {
            Some(v) if v.is_empty() || v.len() > max || v.chars().any(char::is_control) => {
                Err(ApiError::InvalidBody {
                    pointer: format!("/{field}"),
                    message: format!(
                        "/{field}: must be 1 to {max} bytes without control characters"
                    ),
                })
            }
            _ => Ok(()),
        };
        check("branch", &self.branch, MAX_ATTRIBUTE)?;
        check("commit", &self.commit, MAX_ATTRIBUTE)?;
        check("build_url", &self.build_url, MAX_BUILD_URL)?;
        Ok(VersionAttributes {
            branch: self.branch,
            commit: self.commit,
            build_url: self.build_url,
        })
    }
}

/// Records a version: 201 when new, 200 when it existed (attributes not stored yet are filled in),
/// 409 `version_conflict` when an attribute is stored with another value.
pub async fn put_version(
    principal: Principal,
    State(store): State<Store>,
    PathParams((service, version)): PathParams<(String, String)>,
    JsonBody(body): JsonBody<VersionBody>,
) -> Result<(StatusCode, Json<Version>), ApiError> {
    let service = ServiceName::parse(&service)?;
    principal.may_write(&service)?;
    let version = VersionNumber::parse(&version)?;
    let attributes = body.attributes()?;
    let put = store
        .put_version(service.as_str(), version.as_str(), &attributes, Utc::now())
        .await?;
    Ok((created_or_ok(put.created), Json(put.value)))
}

/// A stored document (a contract, a spec bundle) as canonical JSON, its content hash the `ETag`.
pub(super) fn canonical_json(hash: &str, text: String) -> Result<Response, ApiError> {
    let etag = HeaderValue::from_str(&format!("\"{hash}\"")).map_err(|_| ApiError::Internal)?;
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (ETAG, etag),
        ],
        text,
    )
        .into_response())
}

/// ` (and N more problems)` after the first of `count` problems; empty when there is one.
pub(super) fn more_problems(count: usize) -> String {
    match count.saturating_sub(1) {
        0 => String::new(),
        n => format!(" (and {n} more problem{})", if n == 1 { "" } else { "s" }),
    }
}

pub(super) fn created_or_ok(created: bool) -> StatusCode {
    if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

pub(super) fn service_not_found(service: &ServiceName) -> ApiError {
    ApiError::NotFound {
        code: "service_not_found",
        message: format!("there is no service {:?}", service.as_str()),
    }
}
