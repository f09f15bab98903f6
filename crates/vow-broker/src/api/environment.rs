//! Environments and the deployments recorded in them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Principal;
use super::error::ApiError;
use super::extract::{JsonBody, PathParams};
use super::service::created_or_ok;
use crate::name::{EnvironmentName, InstanceName, ServiceName, VersionNumber};
use crate::store::{Deployment, Environment, Release, Store};

pub async fn list(State(store): State<Store>) -> Result<Json<Value>, ApiError> {
    let environments = store.environments().await?;
    Ok(Json(json!({ "environments": environments })))
}

pub async fn get(
    State(store): State<Store>,
    PathParams(environment): PathParams<String>,
) -> Result<Json<Environment>, ApiError> {
    let name = EnvironmentName::parse(&environment)?;
    store
        .environments()
        .await?
        .into_iter()
        .find(|e| e.name == name.as_str())
        .map(Json)
        .ok_or_else(|| environment_not_found(&name))
}

/// Creates an environment: 201 when new, 200 when it existed. An environment belongs to no service
/// and every deployment pipeline creates the one it deploys to, so any token that may publish may
/// create one, whatever services it is limited to: there is no `may_write` here.
pub async fn put(
    State(store): State<Store>,
    PathParams(environment): PathParams<String>,
) -> Result<(StatusCode, Json<Environment>), ApiError> {
    let name = EnvironmentName::parse(&environment)?;
    let put = store.put_environment(name.as_str(), Utc::now()).await?;
    Ok((created_or_ok(put.created), Json(put.value)))
}

/// The body of `POST …/deployments`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentBody {
    service: String,
    version: String,
    application_instance: Option<String>,
}

/// Records a deployment, a write for the service the body names: 201 when it replaces another (or
/// is the first), 200 when the version was already the current one for that instance.
pub async fn record_deployment(
    principal: Principal,
    State(store): State<Store>,
    PathParams(environment): PathParams<String>,
    JsonBody(body): JsonBody<DeploymentBody>,
) -> Result<(StatusCode, Json<Deployment>), ApiError> {
    let environment = EnvironmentName::parse(&environment)?;
    let service = ServiceName::parse(&body.service)?;
    principal.may_write(&service)?;
    let version = VersionNumber::parse(&body.version)?;
    let instance = body
        .application_instance
        .as_deref()
        .map(InstanceName::parse)
        .transpose()?;
    let put = store
        .record_deployment(
            environment.as_str(),
            service.as_str(),
            version.as_str(),
            instance.as_ref().map(InstanceName::as_str),
            Utc::now(),
        )
        .await?;
    Ok((created_or_ok(put.created), Json(put.value)))
}

/// The deployments current in an environment.
pub async fn deployments(
    State(store): State<Store>,
    PathParams(environment): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    let environment = EnvironmentName::parse(&environment)?;
    let deployments = store.current_deployments(environment.as_str()).await?;
    Ok(Json(json!({ "deployments": deployments })))
}

fn environment_not_found(name: &EnvironmentName) -> ApiError {
    ApiError::NotFound {
        code: "environment_not_found",
        message: format!("there is no environment {:?}", name.as_str()),
    }
}

/// The body of `POST …/releases` and `POST …/support-ended`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseBody {
    service: String,
    version: String,
}

/// Records a release: 201 when new, 200 when the version was already released and supported.
pub async fn record_release(
    State(store): State<Store>,
    principal: Principal,
    PathParams(environment): PathParams<String>,
    JsonBody(body): JsonBody<ReleaseBody>,
) -> Result<(StatusCode, Json<Release>), ApiError> {
    let environment = EnvironmentName::parse(&environment)?;
    let service = ServiceName::parse(&body.service)?;
    let version = VersionNumber::parse(&body.version)?;
    principal.may_write(&service)?;
    let put = store
        .record_release(
            environment.as_str(),
            service.as_str(),
            version.as_str(),
            Utc::now(),
        )
        .await?;
    Ok((created_or_ok(put.created), Json(put.value)))
}

/// The releases supported in an environment.
pub async fn releases(
    State(store): State<Store>,
    PathParams(environment): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    let environment = EnvironmentName::parse(&environment)?;
    let releases = store.current_releases(environment.as_str()).await?;
    Ok(Json(json!({ "releases": releases })))
}

/// Records that a released version is no longer supported: 200 with the ended release, 404
/// `release_not_found` when it was not released and supported there.
pub async fn record_support_ended(
    State(store): State<Store>,
    principal: Principal,
    PathParams(environment): PathParams<String>,
    JsonBody(body): JsonBody<ReleaseBody>,
) -> Result<Json<Release>, ApiError> {
    let environment = EnvironmentName::parse(&environment)?;
    let service = ServiceName::parse(&body.service)?;
    let version = VersionNumber::parse(&body.version)?;
    principal.may_write(&service)?;
    let release = store
        .record_support_ended(
            environment.as_str(),
            service.as_str(),
            version.as_str(),
            Utc::now(),
        )
        .await?;
    Ok(Json(release))
}

/// The body of `POST …/undeployments`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UndeploymentBody {
    service: String,
    application_instance: Option<String>,
}

/// Records that a service (or one application instance of it) no longer runs in an environment:
/// 200 naming the version that stopped, 404 `deployment_not_found` when none was current.
pub async fn record_undeployment(
    State(store): State<Store>,
    principal: Principal,
    PathParams(environment): PathParams<String>,
    JsonBody(body): JsonBody<UndeploymentBody>,
) -> Result<Json<Value>, ApiError> {
    let environment = EnvironmentName::parse(&environment)?;
    let service = ServiceName::parse(&body.service)?;
    principal.may_write(&service)?;
    let instance = body
        .application_instance
        .as_deref()
        .map(InstanceName::parse)
        .transpose()?;
    let version = store
        .record_undeployment(
            environment.as_str(),
            service.as_str(),
            instance.as_ref().map(InstanceName::as_str),
            Utc::now(),
        )
        .await?;
    Ok(Json(json!({
        "environment": environment.as_str(),
        "service": service.as_str(),
        "version": version,
        "application_instance": instance.as_ref().map(InstanceName::as_str),
    })))
}
