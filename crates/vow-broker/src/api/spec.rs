//! Provider specs published for a provider version: a bundle of the OpenAPI documents (the root
//! and every file its `$ref`s reach), read by vow-core before it is stored, content-addressed.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::http::header::{CONTENT_TYPE, ETAG};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::Value;
use vow_core::spec::Bundle;
use vow_core::spec::bundle::BUNDLE_FORMAT_VERSION;

use super::auth::Principal;
use super::error::ApiError;
use super::extract::{JsonBody, PathParams};
use super::service::created_or_ok;
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
    let checked = tokio::task::spawn_blocking(move || bundle.spec("the spec").map(|_| ()))
        .await
        .map_err(|_| ApiError::Internal)?;
    if let Err(e) = checked {
        let first = &e.problems[0];
        let more = match e.problems.len() - 1 {
            0 => String::new(),
            n => format!(" (and {n} more problem{})", if n == 1 { "" } else { "s" }),
        };
        // Problems inside a document are named "the spec, document KEY"; others (a root that is
        // not among the documents) point into the bundle itself.
        let pointer = match first.origin.split_once(", document ") {
            Some((_, document)) => format!(
                "/documents/{}{}",
                vow_core::spec::document::escape(document),
                first.problem.pointer
            ),
            None => first.problem.pointer.clone(),
        };
        return Err(ApiError::InvalidSpec {
            pointer,
            message: format!(
                "the spec is not valid in {} at {:?}: expected {}, found {}{more}",
                first.origin, first.problem.pointer, first.problem.expected, first.problem.found
            ),
        });
    }
    let canonical = Canonical::of(&content);
    let put = store
        .publish_spec(
            NewSpec {
                service: service.as_str(),
                version: version.as_str(),
                hash: &canonical.hash,
                content: &canonical.text,
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
    let etag = HeaderValue::from_str(&format!("\"{}\"", publication.hash))
        .map_err(|_| ApiError::Internal)?;
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (ETAG, etag),
        ],
        content,
    )
        .into_response())
}
