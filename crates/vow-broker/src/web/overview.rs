//! The overview: the services a page at a time with what runs where, the environments, and the
//! integrations (consumer -> provider pairs) a page at a time with their latest evidence.

use std::collections::BTreeMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::render::{PageError, html};
use super::session::{Viewer, percent_encode};
use crate::name::ServiceName;
use crate::store::{IntegrationRow, Keyset, KeysetPage, Store};

/// The most services, placements and integrations the overview lists at once.
const SERVICES_SHOWN: u32 = 100;
const PLACEMENTS_SHOWN: u32 = 5000;
const INTEGRATIONS_SHOWN: u32 = 100;

/// Where each list starts: services after or before a name, integrations after or before a
/// `consumer/provider` pair.
#[derive(Debug, Default, Deserialize)]
pub struct OverviewQuery {
    after: Option<String>,
    before: Option<String>,
    integrations_after: Option<String>,
    integrations_before: Option<String>,
}

#[derive(Debug, Serialize)]
struct Overview {
    environments: Vec<String>,
    services: Vec<ServiceRow>,
    total_services: i64,
    services_paging: Paging,
    placements_truncated: bool,
    integrations: Vec<IntegrationRow>,
    total_integrations: i64,
    integrations_paging: Paging,
}

/// The links to the pages on either side of a list, if there are any.
#[derive(Debug, Default, Serialize)]
struct Paging {
    previous: Option<String>,
    next: Option<String>,
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

pub async fn page(
    viewer: Viewer,
    State(store): State<Store>,
    query: Result<Query<OverviewQuery>, QueryRejection>,
) -> Response {
    let result = async {
        let Query(query) = query
            .map_err(|e| PageError::bad_request(format!("the query string does not read: {e}")))?;
        overview(&store, &query).await
    }
    .await;
    match result {
        Ok(overview) => html(StatusCode::OK, "overview.html", &viewer.chrome(), overview),
        Err(e) => e.render(&viewer.chrome()),
    }
}

/// Where a list starts, from its `after` and `before` parameters (at most one of them).
fn keyset<'q, K>(
    what: &str,
    after: Option<&'q str>,
    before: Option<&'q str>,
    parse: impl Fn(&'q str) -> Result<K, PageError>,
) -> Result<Keyset<K>, PageError> {
    match (
        after.filter(|a| !a.is_empty()),
        before.filter(|b| !b.is_empty()),
    ) {
        (None, None) => Ok(Keyset::First),
        (Some(after), None) => Ok(Keyset::After(parse(after)?)),
        (None, Some(before)) => Ok(Keyset::Before(parse(before)?)),
        (Some(_), Some(_)) => Err(PageError::bad_request(format!(
            "give {what} a start (after) or an end (before), not both"
        ))),
    }
}

/// A `consumer/provider` pair, both valid service names.
fn pair(text: &str) -> Result<(&str, &str), PageError> {
    let (consumer, provider) = text.split_once('/').ok_or_else(|| {
        PageError::bad_request(format!(
            "{text:?} is not an integration: write consumer/provider"
        ))
    })?;
    ServiceName::parse(consumer)?;
    ServiceName::parse(provider)?;
    Ok((consumer, provider))
}

/// The query string that shows `this` list at `at`, keeping the other list where it is.
fn link(pairs: &[(&str, &str)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect();
    format!("/?{}", query.join("&"))
}

async fn overview(store: &Store, query: &OverviewQuery) -> Result<Overview, PageError> {
    let services_at = keyset(
        "the services list",
        query.after.as_deref(),
        query.before.as_deref(),
        |name| {
            ServiceName::parse(name)?;
            Ok(name)
        },
    )?;
    let integrations_at = keyset(
        "the integrations list",
        query.integrations_after.as_deref(),
        query.integrations_before.as_deref(),
        pair,
    )?;
    let environments: Vec<String> = store
        .environments()
        .await?
        .into_iter()
        .map(|e| e.name)
        .collect();
    let services = store.services_page(services_at, SERVICES_SHOWN).await?;
    let total_services = store.service_count().await?;
    let integrations = store
        .integrations_page(integrations_at, INTEGRATIONS_SHOWN)
        .await?;
    let total_integrations = store.integration_count().await?;
    let placements = store.placements(PLACEMENTS_SHOWN).await?;
    let placements_truncated = placements.len() == PLACEMENTS_SHOWN as usize;

    // Each list's links keep the other list's position.
    let (ia, ib) = (
        query.integrations_after.as_deref().unwrap_or_default(),
        query.integrations_before.as_deref().unwrap_or_default(),
    );
    let (sa, sb) = (
        query.after.as_deref().unwrap_or_default(),
        query.before.as_deref().unwrap_or_default(),
    );
    let services_paging = paging(
        &services,
        |s| s.name.clone(),
        |key, forward| {
            let (after, before) = if forward { (key, "") } else { ("", key) };
            link(&[
                ("after", after),
                ("before", before),
                ("integrations_after", ia),
                ("integrations_before", ib),
            ])
        },
    );
    let integrations_paging = paging(
        &integrations,
        |i| format!("{}/{}", i.consumer, i.provider),
        |key, forward| {
            let (after, before) = if forward { (key, "") } else { ("", key) };
            format!(
                "{}#integrations",
                link(&[
                    ("after", sa),
                    ("before", sb),
                    ("integrations_after", after),
                    ("integrations_before", before),
                ])
            )
        },
    );

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
    let services_rows = services
        .rows
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
        services: services_rows,
        total_services,
        services_paging,
        placements_truncated,
        integrations: integrations.rows,
        total_integrations,
        integrations_paging,
    })
}

/// The previous and next links of a page: before its first row, after its last.
fn paging<T>(
    page: &KeysetPage<T>,
    key: impl Fn(&T) -> String,
    href: impl Fn(&str, bool) -> String,
) -> Paging {
    Paging {
        previous: page
            .has_previous
            .then(|| page.rows.first().map(|r| href(&key(r), false)))
            .flatten(),
        next: page
            .has_next
            .then(|| page.rows.last().map(|r| href(&key(r), true)))
            .flatten(),
    }
}
