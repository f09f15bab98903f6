//! Deprecation windows, per provider: each deprecated (or removed) element its consumers' contracts
//! still use, with the sunset, the days left and who uses it where; filtered and sorted on the
//! server (links, no script), with a timeline and CSV and JSON exports of the same rows.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::render::{PageError, html};
use super::session::{Viewer, percent_encode};
use crate::deploy::{DeprecationInUse, DeprecationStatus, deprecations_in_use};
use crate::name::{EnvironmentName, ServiceName};
use crate::store::Store;

/// The page's query; every field optional and read leniently, so a hostile query string gets a
/// clear 400 page at worst.
#[derive(Debug, Default, Deserialize)]
pub struct WindowsQuery {
    environment: Option<String>,
    status: Option<String>,
    consumer: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    as_of: Option<String>,
    warning_days: Option<String>,
    format: Option<String>,
}

/// The columns one may sort by.
const SORTS: &[&str] = &["status", "days_left", "element", "consumer", "environment"];

#[derive(Debug, Serialize)]
struct WindowsPage {
    provider: String,
    as_of: NaiveDate,
    warning_days: i64,
    environments: Vec<String>,
    filter: Filter,
    rows: Vec<DeprecationInUse>,
    total: usize,
    columns: Vec<Column>,
    timeline: Vec<Window>,
    export_query: String,
}

#[derive(Debug, Default, Serialize)]
struct Filter {
    environment: String,
    status: String,
    consumer: String,
    q: String,
    sort: String,
    dir: String,
}

/// A sortable column header: its link and whether the table is sorted by it.
#[derive(Debug, Serialize)]
struct Column {
    key: &'static str,
    label: &'static str,
    href: String,
    /// `ascending`, `descending` or `none`, for `aria-sort`.
    sorted: &'static str,
}

/// One element's window on the timeline: from the as-of date to its sunset.
#[derive(Debug, Serialize)]
struct Window {
    element: String,
    status: DeprecationStatus,
    sunset: Option<NaiveDate>,
    days_left: Option<i64>,
    /// The bar's length in percent of the timeline's span.
    width: i64,
    consumers: usize,
}

fn bad(message: String) -> PageError {
    PageError::bad_request(message)
}

pub async fn page(
    viewer: Viewer,
    State(store): State<Store>,
    Path(provider): Path<String>,
    query: Result<Query<WindowsQuery>, QueryRejection>,
) -> Response {
    let result = async {
        let Query(query) =
            query.map_err(|e| bad(format!("the query string does not read: {e}")))?;
        windows(&store, &provider, query).await
    }
    .await;
    match result {
        Ok(Answer::Page(page)) => html(StatusCode::OK, "deprecations.html", &viewer.chrome(), page),
        Ok(Answer::Export(response)) => response,
        Err(e) => e.render(&viewer.chrome()),
    }
}

enum Answer {
    Page(WindowsPage),
    Export(Response),
}

async fn windows(store: &Store, provider: &str, query: WindowsQuery) -> Result<Answer, PageError> {
    let provider = ServiceName::parse(provider)?;
    let environment = match query.environment.as_deref().filter(|e| !e.is_empty()) {
        Some(e) => Some(EnvironmentName::parse(e)?),
        None => None,
    };
    let as_of = match query.as_of.as_deref().filter(|d| !d.is_empty()) {
        None => Utc::now().date_naive(),
        Some(text) => text.parse().map_err(|_| {
            bad(format!(
                "as_of must be a date like 2026-11-21, not {text:?}"
            ))
        })?,
    };
    let warning_days = match query.warning_days.as_deref().filter(|d| !d.is_empty()) {
        None => 30,
        Some(text) => text.parse::<u32>().map_err(|_| {
            bad(format!(
                "warning_days must be a number of days, not {text:?}"
            ))
        })?,
    };
    let status = query.status.clone().unwrap_or_default();
    if !matches!(
        status.as_str(),
        "" | "removed" | "overdue" | "near" | "scheduled"
    ) {
        return Err(bad(format!(
            "status must be removed, overdue, near or scheduled, not {status:?}"
        )));
    }
    let sort = query.sort.clone().unwrap_or_else(|| "status".to_owned());
    if !SORTS.contains(&sort.as_str()) {
        return Err(bad(format!(
            "sort must be one of {}, not {sort:?}",
            SORTS.join(", ")
        )));
    }
    let descending = query.dir.as_deref() == Some("desc");
    if store.service(provider.as_str()).await?.is_none() {
        return Err(PageError::not_found(format!(
            "this broker has no service named {:?}",
            provider.as_str()
        )));
    }
    let all = deprecations_in_use(
        store,
        provider.as_str(),
        environment.as_ref().map(EnvironmentName::as_str),
        as_of,
        i64::from(warning_days),
    )
    .await?;
    let total = all.len();
    let consumer = query.consumer.clone().unwrap_or_default();
    let needle = query.q.clone().unwrap_or_default().to_lowercase();
    let mut rows: Vec<DeprecationInUse> = all
        .into_iter()
        .filter(|r| status.is_empty() || status_name(r.status) == status)
        .filter(|r| consumer.is_empty() || r.consumer == consumer)
        .filter(|r| {
            needle.is_empty()
                || r.element.to_lowercase().contains(&needle)
                || r.interaction.to_lowercase().contains(&needle)
        })
        .collect();
    sort_rows(&mut rows, &sort, descending);
    let filter = Filter {
        environment: environment
            .as_ref()
            .map(|e| e.as_str().to_owned())
            .unwrap_or_default(),
        status,
        consumer,
        q: query.q.clone().unwrap_or_default(),
        sort: sort.clone(),
        dir: if descending { "desc" } else { "asc" }.to_owned(),
    };
    let base = filter_query(&filter, as_of, warning_days);
    match query.format.as_deref() {
        Some("csv") => return Ok(Answer::Export(csv(provider.as_str(), &rows))),
        Some("json") => {
            let body = json!({
                "provider": provider.as_str(),
                "as_of": as_of,
                "warning_days": warning_days,
                "deprecations": rows,
            });
            return Ok(Answer::Export(
                ([(CONTENT_TYPE, "application/json")], body.to_string()).into_response(),
            ));
        }
        Some("html") | None => {}
        Some(other) => {
            return Err(bad(format!(
                "format must be html, csv or json, not {other:?}"
            )));
        }
    }
    let columns = [
        ("status", "Status"),
        ("element", "Element"),
        ("days_left", "Days left"),
        ("consumer", "Consumer"),
        ("environment", "Environment"),
    ]
    .into_iter()
    .map(|(key, label)| {
        let this = sort == key;
        let next_dir = if this && !descending { "desc" } else { "asc" };
        Column {
            key,
            label,
            href: format!("?{base}&sort={key}&dir={next_dir}"),
            sorted: match (this, descending) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            },
        }
    })
    .collect();
    Ok(Answer::Page(WindowsPage {
        provider: provider.as_str().to_owned(),
        as_of,
        warning_days: i64::from(warning_days),
        environments: store
            .environments()
            .await?
            .into_iter()
            .map(|e| e.name)
            .collect(),
        timeline: timeline(&rows),
        export_query: format!("{base}&sort={sort}&dir={}", filter.dir),
        columns,
        filter,
        rows,
        total,
    }))
}

fn status_name(status: DeprecationStatus) -> &'static str {
    match status {
        DeprecationStatus::Removed => "removed",
        DeprecationStatus::Overdue => "overdue",
        DeprecationStatus::Near => "near",
        DeprecationStatus::Scheduled => "scheduled",
    }
}

fn sort_rows(rows: &mut [DeprecationInUse], sort: &str, descending: bool) {
    // Stable sorts over the most-urgent-first order the rows come in, so ties stay urgent first.
    match sort {
        "days_left" => rows.sort_by_key(|r| (r.days_left.is_some(), r.days_left)),
        "element" => rows.sort_by(|a, b| a.element.cmp(&b.element)),
        "consumer" => rows.sort_by(|a, b| {
            (&a.consumer, &a.consumer_version).cmp(&(&b.consumer, &b.consumer_version))
        }),
        "environment" => rows.sort_by(|a, b| a.environment.cmp(&b.environment)),
        _ => rows.sort_by_key(|r| r.status),
    }
    if descending {
        rows.reverse();
    }
}

/// The query string that keeps the current filters.
fn filter_query(filter: &Filter, as_of: NaiveDate, warning_days: u32) -> String {
    format!(
        "environment={}&status={}&consumer={}&q={}&as_of={as_of}&warning_days={warning_days}",
        percent_encode(&filter.environment),
        percent_encode(&filter.status),
        percent_encode(&filter.consumer),
        percent_encode(&filter.q),
    )
}

/// One bar per element (and sunset), soonest first, scaled to the furthest sunset shown.
fn timeline(rows: &[DeprecationInUse]) -> Vec<Window> {
    let mut windows: Vec<Window> = Vec::new();
    let mut sorted: Vec<&DeprecationInUse> = rows.iter().collect();
    sorted.sort_by(|a, b| {
        (a.status, a.days_left, &a.element).cmp(&(b.status, b.days_left, &b.element))
    });
    for r in sorted {
        if let Some(w) = windows
            .iter_mut()
            .find(|w| w.element == r.element && w.sunset == r.sunset)
        {
            w.consumers += 1;
            continue;
        }
        windows.push(Window {
            element: r.element.clone(),
            status: r.status,
            sunset: r.sunset,
            days_left: r.days_left,
            width: 0,
            consumers: 1,
        });
    }
    let span = windows
        .iter()
        .filter_map(|w| w.days_left)
        .max()
        .unwrap_or(0)
        .max(1);
    for w in &mut windows {
        w.width = w
            .days_left
            .map_or(0, |d| (d.max(0) * 100 / span).clamp(1, 100));
    }
    windows
}

/// The rows as CSV (RFC 4180 quoting), one line per consumer version and environment.
fn csv(provider: &str, rows: &[DeprecationInUse]) -> Response {
    let mut out = String::from(
        "provider,provider_version,element,interaction,status,sunset,days_left,consumer,consumer_version,environment,stability,deprecated_in,deprecated_since\r\n",
    );
    for r in rows {
        let fields = [
            r.provider.clone(),
            r.provider_version.clone(),
            r.element.clone(),
            r.interaction.clone(),
            status_name(r.status).to_owned(),
            r.sunset.map(|d| d.to_string()).unwrap_or_default(),
            r.days_left.map(|d| d.to_string()).unwrap_or_default(),
            r.consumer.clone(),
            r.consumer_version.clone(),
            r.environment.clone(),
            r.stability
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{provider}-deprecations.csv\""),
            ),
        ],
        out,
    )
        .into_response()
}

/// A CSV field, quoted when it needs to be; a leading `=`, `+`, `-` or `@` is prefixed with `'`
/// so a spreadsheet does not run it as a formula.
fn csv_field(field: &str) -> String {
    let field = if field.starts_with(['=', '+', '-', '@']) && field.parse::<i64>().is_err() {
        format!("'{field}")
    } else {
        field.to_owned()
    };
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("-12"), "-12");
    }
}
