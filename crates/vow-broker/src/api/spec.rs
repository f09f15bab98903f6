//! Provider specs published for a provider version: a bundle of the OpenAPI documents (the root
//! and every file its `$ref`s reach), read by vow-core before it is stored, content-addressed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde_json::Value;
use vow_core::deploy::deprecated_elements;
use vow_core::spec::Bundle;
use vow_core::spec::bundle::BUNDLE_FORMAT_VERSION;

use super::auth::Principal;
use super::error::ApiError;
use super::extract::{JsonBody, PathParams};
use super::service::{canonical_json, created_or_ok, more_problems};
use crate::content::Canonical;
use crate::name::{ServiceName, VersionNumber};
use crate::store::{NewSpec, SpecPublication, Store};

/// Publishes a provider version's spec. 201 when new, 200 when the same content was published
/// before, 409 `spec_conflict` when other content was, 422 `invalid_spec` when it does not read.
pub async fn publish(
    State(store): State<Store>,
    principal: Principal,
    PathParams((service, version)): PathParams<(String, String)>,
    JsonBody(content): JsonBody<Value>,
) -> Result<(StatusCode, Json<SpecPublication>), ApiError> {
    let service = ServiceName::parse(&service)?;
    let version = VersionNumber::parse(&version)?;
    principal.may_write(&service)?;
    let bundle: Bundle = super::extract::parse(content.to_string().as_bytes())?;
    if bundle.format_version != BUNDLE_FORMAT_VERSION {
        return Err(ApiError::InvalidSpec {
            pointer: "/formatVersion".to_owned(),
            message: format!(
                "this broker reads spec bundles of format {BUNDLE_FORMAT_VERSION}, not {}; \
                 publish with a vow of the same version as the broker",
                bundle.format_version
            ),
        });
    }
    // Reading a large spec is CPU work: off the async workers.
    let checked = tokio::task::spawn_blocking(move || {
        bundle.spec("the spec").map(|spec| {
            deprecated_elements(&spec)
                .into_iter()
                .map(|d| d.element)
                .collect::<Vec<String>>()
        })
    })
    .await
    .map_err(|_| ApiError::Internal)?;
    let deprecated = match checked {
        Ok(deprecated) => deprecated,
        Err(e) => {
            let first = &e.problems[0];
            return Err(ApiError::InvalidSpec {
                pointer: first.problem.pointer.clone(),
                message: format!(
                    "the spec is not valid at {:?}: expected {}, found {}{}",
                    first.problem.pointer,
                    first.problem.expected,
                    first.problem.found,
                    more_problems(e.problems.len())
                ),
            });
        }
    };
    let canonical = Canonical::of(&content);
    let put = store
        .publish_spec(
            NewSpec {
                service: service.as_str(),
                version: version.as_str(),
                hash: &canonical.hash,
                content: &canonical.text,
                deprecated: &deprecated,
            },
            Utc::now(),
        )
        .await?;
    Ok((created_or_ok(put.created), Json(put.value)))
}

/// The spec bundle, in canonical JSON, with its content hash as the `ETag`.
pub async fn get(
    State(store): State<Store>,
    PathParams((service, version)): PathParams<(String, String)>,
) -> Result<Response, ApiError> {
    let service = ServiceName::parse(&service)?;
    let version = VersionNumber::parse(&version)?;
    let (publication, content) = store
        .spec(service.as_str(), version.as_str())
        .await?
        .ok_or_else(|| ApiError::NotFound {
            code: "spec_not_found",
            message: format!("{service} {version} has no spec"),
        })?;
    canonical_json(&publication.hash, content)
}
