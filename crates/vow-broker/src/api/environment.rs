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
use crate::store::{Deployment, Environment, Store};

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
