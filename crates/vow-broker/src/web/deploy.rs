//! The can-I-deploy form: a GET form (shareable, changes nothing) whose answer is the API's and the
//! CLI's, from the same decision: the same verdict, rows, reasons and notices.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use vow_core::deploy::{Answer, ServiceVersion, Target};

use super::render::{PageError, html};
use super::session::Viewer;
use crate::deploy::{DeployError, answer};
use crate::metrics::Metrics;
use crate::name::{EnvironmentName, ServiceName, VersionNumber};
use crate::store::Store;

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct DeployQuery {
    #[serde(default)]
    service: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    environment: String,
    #[serde(default)]
    as_of: String,
}

#[derive(Debug, Serialize)]
struct DeployPage {
    form: DeployQuery,
    environments: Vec<String>,
    answer: Option<Answer>,
    /// The same question on the command line.
    command: Option<String>,
    error: Option<String>,
}

pub async fn page(
    viewer: Viewer,
    State(store): State<Store>,
    State(metrics): State<Metrics>,
    query: Result<Query<DeployQuery>, QueryRejection>,
) -> Response {
    let chrome = viewer.chrome();
    let form = match query {
        Ok(Query(form)) => form,
        Err(e) => {
            return PageError::bad_request(format!("the query string does not read: {e}"))
                .render(&chrome);
        }
    };
    let environments = match store.environments().await {
        Ok(found) => found.into_iter().map(|e| e.name).collect(),
        Err(e) => return PageError::from(e).render(&chrome),
    };
    let asked =
        !(form.service.is_empty() && form.version.is_empty() && form.environment.is_empty());
    let (status, answer, error) = if asked {
        match decide(&store, &metrics, &form).await {
            Ok(answer) => (StatusCode::OK, Some(answer), None),
            Err(e) => (e.status, None, Some(e.message)),
        }
    } else {
        (StatusCode::OK, None, None)
    };
    let command = answer.as_ref().map(|a| {
        let target = match &a.target {
            Target::Environment { name } => format!("--to {name}"),
            Target::Branch { name } => format!("--to-branch {name}"),
        };
        format!(
            "vow can-i-deploy --service {} --version {} {target} --as-of {}",
            a.candidate.service, a.candidate.version, a.as_of
        )
    });
    html(
        status,
        "can_i_deploy.html",
        &chrome,
        DeployPage {
            form,
            environments,
            answer,
            command,
            error,
        },
    )
}

async fn decide(store: &Store, metrics: &Metrics, form: &DeployQuery) -> Result<Answer, PageError> {
    let missing: Vec<&str> = [
        ("service", &form.service),
        ("version", &form.version),
        ("environment", &form.environment),
    ]
    .into_iter()
    .filter(|(_, v)| v.is_empty())
    .map(|(k, _)| k)
    .collect();
    if !missing.is_empty() {
        return Err(PageError::bad_request(format!(
            "fill in {} to ask",
            missing.join(" and ")
        )));
    }
    let candidate = ServiceVersion {
        service: ServiceName::parse(&form.service)?.as_str().to_owned(),
        version: VersionNumber::parse(&form.version)?.as_str().to_owned(),
    };
    let target = Target::Environment {
        name: EnvironmentName::parse(&form.environment)?
            .as_str()
            .to_owned(),
    };
    let as_of: NaiveDate = if form.as_of.is_empty() {
        Utc::now().date_naive()
    } else {
        form.as_of.parse().map_err(|_| {
            PageError::bad_request(format!(
                "as_of must be a date like 2026-11-21, not {:?}",
                form.as_of
            ))
        })?
    };
    match answer(store, &candidate, &target, as_of).await {
        Ok(answer) => {
            metrics.can_i_deploy(answer.verdict);
            Ok(answer)
        }
        Err(DeployError::Store(e)) => Err(e.into()),
        Err(DeployError::Question(e)) => {
            tracing::error!(error = %e, "can-i-deploy loaded a contradictory question");
            Err(PageError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                title: "Something went wrong",
                message: "the broker could not answer; its log says why".to_owned(),
            })
        }
    }
}
