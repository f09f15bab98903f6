//! A service: its newest versions and branches, where it runs, its integrations (as consumer and
//! as provider) with their latest evidence, the contracts its newest version holds, and the specs
//! it published.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::render::{PageError, html};
use super::session::Viewer;
use crate::name::ServiceName;
use crate::store::{IntegrationRow, Placement, Publication, SpecRef, Store, Version};

const VERSIONS_SHOWN: u32 = 50;
const PLACEMENTS_SHOWN: u32 = 500;
const SPECS_SHOWN: u32 = 20;
/// The most integrations listed on each side (as consumer, as provider).
const INTEGRATIONS_SHOWN: u32 = 100;

#[derive(Debug, Serialize)]
struct ServicePage {
    name: String,
    versions: Vec<Version>,
    placements: Vec<Placement>,
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
) -> Response {
    match service_page(&store, &service).await {
        Ok(page) => html(StatusCode::OK, "service.html", &viewer.chrome(), page),
        Err(e) => e.render(&viewer.chrome()),
    }
}

async fn service_page(store: &Store, service: &str) -> Result<ServicePage, PageError> {
    let name = ServiceName::parse(service)?;
    let Some(versions) = store.versions(name.as_str(), VERSIONS_SHOWN).await? else {
        return Err(PageError::not_found(format!(
            "this broker has no service named {:?}",
            name.as_str()
        )));
    };
    let contracts = match versions.first() {
        Some(latest) => store
            .publications(name.as_str(), &latest.number)
            .await?
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let (providers, consumers) = store
        .integrations_of(name.as_str(), INTEGRATIONS_SHOWN)
        .await?;
    Ok(ServicePage {
        name: name.as_str().to_owned(),
        providers,
        consumers,
        integrations_shown: INTEGRATIONS_SHOWN,
        placements: store.placements_of(name.as_str(), PLACEMENTS_SHOWN).await?,
        specs: store.specs_of(name.as_str(), SPECS_SHOWN).await?,
        versions,
        contracts,
    })
}
