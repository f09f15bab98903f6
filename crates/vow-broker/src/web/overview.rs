//! The overview: every service (bounded), the environments, and what runs where.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::render::{PageError, html};
use super::session::Viewer;
use crate::store::Store;

/// The most services and placements the overview lists.
const SERVICES_SHOWN: u32 = 500;
const PLACEMENTS_SHOWN: u32 = 5000;

#[derive(Debug, Serialize)]
struct Overview {
    environments: Vec<String>,
    services: Vec<ServiceRow>,
    total_services: i64,
    placements_truncated: bool,
}

#[derive(Debug, Serialize)]
struct ServiceRow {
    name: String,
    /// Per environment (in `environments` order), the versions there.
    cells: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, Serialize)]
struct Cell {
    version: String,
    released: bool,
}

pub async fn page(viewer: Viewer, State(store): State<Store>) -> Response {
    match overview(&store).await {
        Ok(overview) => html(StatusCode::OK, "overview.html", &viewer.chrome(), overview),
        Err(e) => e.render(&viewer.chrome()),
    }
}

async fn overview(store: &Store) -> Result<Overview, PageError> {
    let environments: Vec<String> = store
        .environments()
        .await?
        .into_iter()
        .map(|e| e.name)
        .collect();
    let (services, total_services) = store.services_page(SERVICES_SHOWN).await?;
    let placements = store.placements(PLACEMENTS_SHOWN).await?;
    let placements_truncated = placements.len() == PLACEMENTS_SHOWN as usize;
    let mut by_service: BTreeMap<(&str, &str), Vec<Cell>> = BTreeMap::new();
    for p in &placements {
        by_service
            .entry((p.service.as_str(), p.environment.as_str()))
            .or_default()
            .push(Cell {
                version: p.version.clone(),
                released: p.how == "released",
            });
    }
    let services = services
        .iter()
        .map(|s| ServiceRow {
            name: s.name.clone(),
            cells: environments
                .iter()
                .map(|e| {
                    by_service
                        .get(&(s.name.as_str(), e.as_str()))
                        .cloned()
                        .unwrap_or_default()
                })
                .collect(),
        })
        .collect();
    Ok(Overview {
        environments,
        services,
        total_services,
        placements_truncated,
    })
}
