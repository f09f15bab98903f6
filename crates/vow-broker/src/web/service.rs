//! A service: its versions and branches (newest first, paged by key), where it runs, its
//! integrations (as consumer and as provider) with their latest evidence, the contracts its
//! newest version holds, and the specs it published.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::render::{PageError, html};
use super::session::{Viewer, percent_encode};
use crate::name::{ServiceName, VersionNumber};
use crate::store::{IntegrationRow, Placement, Publication, SpecRef, Store, Version};

const VERSIONS_SHOWN: u32 = 50;
const PLACEMENTS_SHOWN: u32 = 500;
const SPECS_SHOWN: u32 = 20;
/// The most integrations listed on each side (as consumer, as provider).
const INTEGRATIONS_SHOWN: u32 = 100;

/// The page's query: `before`, a version number, shows the versions older than it.
#[derive(Debug, Default, Deserialize)]
pub struct ServiceParams {
    before: Option<String>,
}

#[derive(Debug, Serialize)]
struct ServicePage {
    name: String,
    /// The version this page of versions is older than, if it is not the first page.
    before: Option<String>,
    versions: Vec<Version>,
    /// The query string of the page of older versions, if there are any.
    older: Option<String>,
    placements: Vec<Placement>,
    /// Whether more placements exist than the page lists.
    placements_truncated: bool,
    placements_shown: u32,
    contracts: Vec<Publication>,
    specs: Vec<SpecRef>,
    /// Its integrations as consumer (by provider) and as provider (by consumer).
    providers: Vec<IntegrationRow>,
    consumers: Vec<IntegrationRow>,
    integrations_shown: u32,
}

pub async fn page(
    viewer: Viewer,
    State(store): State<Store>,
    Path(service): Path<String>,
    query: Result<Query<ServiceParams>, QueryRejection>,
) -> Response {
    let result = async {
        let Query(params) = query
            .map_err(|e| PageError::bad_request(format!("the query string does not read: {e}")))?;
        service_page(&store, &service, params).await
    }
    .await;
    match result {
        Ok(page) => html(StatusCode::OK, "service.html", &viewer.chrome(), page),
        Err(e) => e.render(&viewer.chrome()),
    }
}

async fn service_page(
    store: &Store,
    service: &str,
    params: ServiceParams,
) -> Result<ServicePage, PageError> {
    let name = ServiceName::parse(service)?;
    let before = match params.before.as_deref().filter(|b| !b.is_empty()) {
        Some(b) => Some(VersionNumber::parse(b)?),
        None => None,
    };
    // One more than shown, to know whether there are older versions.
    let mut versions = store
        .versions_before(
            name.as_str(),
            before.as_ref().map(VersionNumber::as_str),
            VERSIONS_SHOWN + 1,
        )
        .await?;
    if versions.is_empty() {
        if store.service(name.as_str()).await?.is_none() {
            return Err(PageError::not_found(format!(
                "this broker has no service named {:?}",
                name.as_str()
            )));
        }
        if let Some(before) = &before
            && store
                .version(name.as_str(), before.as_str())
                .await?
                .is_none()
        {
            return Err(PageError::not_found(format!(
                "{} has no version {:?}",
                name.as_str(),
                before.as_str()
            )));
        }
    }
    let older = (versions.len() > VERSIONS_SHOWN as usize).then(|| {
        versions.truncate(VERSIONS_SHOWN as usize);
        let last = versions.last().map(|v| v.number.as_str()).unwrap_or("");
        format!("before={}", percent_encode(last))
    });
    let newest = match before {
        None => versions.first().cloned(),
        Some(_) => store
            .versions_before(name.as_str(), None, 1)
            .await?
            .into_iter()
            .next(),
    };
    let contracts = match newest {
        Some(latest) => store
            .publications(name.as_str(), &latest.number)
            .await?
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let mut placements = store
        .placements_of(name.as_str(), PLACEMENTS_SHOWN + 1)
        .await?;
    let placements_truncated = placements.len() > PLACEMENTS_SHOWN as usize;
    placements.truncate(PLACEMENTS_SHOWN as usize);
    let (providers, consumers) = store
        .integrations_of(name.as_str(), INTEGRATIONS_SHOWN)
        .await?;
    Ok(ServicePage {
        name: name.as_str().to_owned(),
        before: before.map(|b| b.as_str().to_owned()),
        placements,
        providers,
        consumers,
        integrations_shown: INTEGRATIONS_SHOWN,
        placements_truncated,
        placements_shown: PLACEMENTS_SHOWN,
        specs: store.specs_of(name.as_str(), SPECS_SHOWN).await?,
        versions,
        older,
        contracts,
    })
}
