//! The matrix: which consumer versions were verified against which provider versions, and how
//! it went — the latest verification of each provider version against the contract each
//! consumer version published for it, newest first, filtered on the server, paged by key, and
//! the same rows as JSON for scripts.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::render::{PageError, html};
use super::session::{Viewer, percent_encode};
use crate::name::{EnvironmentName, ServiceName, VersionNumber};
use crate::store::{MatrixCursor, MatrixQuery, MatrixRow, MatrixUnknown, Store};

/// Rows per page unless the query says otherwise, and the most it may say.
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

/// The page's query string; every field is read as text, so a hostile one gets a clear 400 page.
#[derive(Debug, Default, Deserialize)]
pub struct MatrixParams {
    consumer: Option<String>,
    consumer_version: Option<String>,
    consumer_branch: Option<String>,
    provider: Option<String>,
    provider_version: Option<String>,
    result: Option<String>,
    environment: Option<String>,
    limit: Option<String>,
    before: Option<String>,
    format: Option<String>,
}

/// The filters as the form shows them again: empty for "any".
#[derive(Debug, Default, Serialize)]
struct Filter {
    consumer: String,
    consumer_version: String,
    consumer_branch: String,
    provider: String,
    provider_version: String,
    result: String,
    environment: String,
    limit: u32,
}

#[derive(Debug, Serialize)]
struct MatrixPage {
    filter: Filter,
    environments: Vec<String>,
    rows: Vec<Row>,
    /// Whether this page follows another (it was asked for with `before`).
    paged: bool,
    /// The query string of the next page, if there are more rows.
    next: Option<String>,
    /// The query string of the first page with these filters.
    first: String,
}

/// A matrix row as the page shows it.
#[derive(Debug, Serialize)]
struct Row {
    #[serde(flatten)]
    row: MatrixRow,
    /// The build URL when it is an http or https address: only those become links.
    build_link: Option<String>,
    /// Where to ask whether this consumer version can deploy: (environment, query string).
    can_i_deploy: Vec<(String, String)>,
}

fn bad(message: String) -> PageError {
    PageError::bad_request(message)
}

pub async fn page(
    viewer: Viewer,
    State(store): State<Store>,
    query: Result<Query<MatrixParams>, QueryRejection>,
) -> Response {
    let result = async {
        let Query(params) =
            query.map_err(|e| bad(format!("the query string does not read: {e}")))?;
        matrix(&store, params).await
    }
    .await;
    match result {
        Ok(Answer::Page(page)) => html(StatusCode::OK, "matrix.html", &viewer.chrome(), page),
        Ok(Answer::Json(response)) => response,
        Err(e) => e.render(&viewer.chrome()),
    }
}

enum Answer {
    Page(MatrixPage),
    Json(Response),
}

/// A text parameter: `None` when absent or empty.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

/// Reads `before` as written by [`cursor_text`]: `<verification>-<consumer version>`.
fn cursor_of(text: &str) -> Result<MatrixCursor, PageError> {
    let parsed = text.split_once('-').and_then(|(v, c)| {
        // Ids are positive; reading them unsigned refuses a sign.
        Some(MatrixCursor {
            verification: i64::try_from(v.parse::<u64>().ok()?).ok()?,
            consumer_version: i64::try_from(c.parse::<u64>().ok()?).ok()?,
        })
    });
    parsed.ok_or_else(|| {
        bad(format!(
            "before must be a row's place like 1234-56, from a next link, not {text:?}"
        ))
    })
}

fn cursor_text(cursor: MatrixCursor) -> String {
    format!("{}-{}", cursor.verification, cursor.consumer_version)
}

async fn matrix(store: &Store, params: MatrixParams) -> Result<Answer, PageError> {
    let consumer = given(&params.consumer)
        .map(ServiceName::parse)
        .transpose()?;
    let provider = given(&params.provider)
        .map(ServiceName::parse)
        .transpose()?;
    let consumer_version = given(&params.consumer_version)
        .map(VersionNumber::parse)
        .transpose()?;
    let provider_version = given(&params.provider_version)
        .map(VersionNumber::parse)
        .transpose()?;
    if consumer_version.is_some() && consumer.is_none() {
        return Err(bad(
            "consumer_version needs consumer: version numbers belong to a service".to_owned(),
        ));
    }
    if provider_version.is_some() && provider.is_none() {
        return Err(bad(
            "provider_version needs provider: version numbers belong to a service".to_owned(),
        ));
    }
    let environment = given(&params.environment)
        .map(EnvironmentName::parse)
        .transpose()?;
    let passed = match given(&params.result) {
        None => None,
        Some("passed") => Some(true),
        Some("failed") => Some(false),
        Some(other) => {
            return Err(bad(format!(
                "result must be passed or failed, not {other:?}"
            )));
        }
    };
    let limit = match given(&params.limit) {
        None => DEFAULT_LIMIT,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                bad(format!(
                    "limit must be a number from 1 to {MAX_LIMIT}, not {text:?}"
                ))
            })?,
    };
    let before = given(&params.before).map(cursor_of).transpose()?;
    let json = match given(&params.format) {
        None | Some("html") => false,
        Some("json") => true,
        Some(other) => {
            return Err(bad(format!("format must be html or json, not {other:?}")));
        }
    };
    let query = MatrixQuery {
        consumer: consumer.as_ref().map(ServiceName::as_str),
        consumer_version: consumer_version.as_ref().map(VersionNumber::as_str),
        consumer_branch: given(&params.consumer_branch),
        provider: provider.as_ref().map(ServiceName::as_str),
        provider_version: provider_version.as_ref().map(VersionNumber::as_str),
        passed,
        environment: environment.as_ref().map(EnvironmentName::as_str),
        before,
        // One more than shown, to know whether there is a next page.
        limit: limit + 1,
    };
    let mut rows = store.matrix(&query).await?;
    if rows.is_empty()
        && let Some(unknown) = store.matrix_unknown(&query).await?
    {
        return Err(PageError::not_found(match unknown {
            MatrixUnknown::Service(name) => format!("this broker has no service named {name:?}"),
            MatrixUnknown::Version { service, version } => {
                format!("{service} has no version {version:?}")
            }
            MatrixUnknown::Environment(name) => {
                format!("this broker has no environment named {name:?}")
            }
        }));
    }
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let filter = Filter {
        consumer: query.consumer.unwrap_or_default().to_owned(),
        consumer_version: query.consumer_version.unwrap_or_default().to_owned(),
        consumer_branch: query.consumer_branch.unwrap_or_default().to_owned(),
        provider: query.provider.unwrap_or_default().to_owned(),
        provider_version: query.provider_version.unwrap_or_default().to_owned(),
        result: given(&params.result).unwrap_or_default().to_owned(),
        environment: query.environment.unwrap_or_default().to_owned(),
        limit,
    };
    let base = filter_query(&filter);
    let next_cursor = rows.last().filter(|_| more).map(|r| cursor_text(r.cursor));
    if json {
        let body = json!({
            "rows": rows,
            "next": next_cursor,
        });
        return Ok(Answer::Json(
            ([(CONTENT_TYPE, "application/json")], body.to_string()).into_response(),
        ));
    }
    let environments: Vec<String> = store
        .environments()
        .await?
        .into_iter()
        .map(|e| e.name)
        .collect();
    // With an environment chosen, ask about that one; otherwise offer each.
    let targets: Vec<String> = match &query.environment {
        Some(e) => vec![(*e).to_owned()],
        None => environments.clone(),
    };
    let rows = rows
        .into_iter()
        .map(|row| Row {
            build_link: row.build_url.clone().filter(|u| is_web_address(u)),
            can_i_deploy: targets
                .iter()
                .map(|e| {
                    (
                        e.clone(),
                        format!(
                            "service={}&version={}&environment={}",
                            percent_encode(&row.consumer),
                            percent_encode(&row.consumer_version),
                            percent_encode(e)
                        ),
                    )
                })
                .collect(),
            row,
        })
        .collect();
    Ok(Answer::Page(MatrixPage {
        next: next_cursor.map(|c| format!("{base}&before={c}")),
        paged: before.is_some(),
        first: base,
        filter,
        environments,
        rows,
    }))
}

/// Whether a build URL may become a link: only http and https, never `javascript:` or `data:`.
fn is_web_address(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// The query string that keeps the current filters.
fn filter_query(filter: &Filter) -> String {
    format!(
        "consumer={}&consumer_version={}&consumer_branch={}&provider={}&provider_version={}\
         &result={}&environment={}&limit={}",
        percent_encode(&filter.consumer),
        percent_encode(&filter.consumer_version),
        percent_encode(&filter.consumer_branch),
        percent_encode(&filter.provider),
        percent_encode(&filter.provider_version),
        percent_encode(&filter.result),
        percent_encode(&filter.environment),
        filter.limit,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_build_urls_become_links() {
        assert!(is_web_address("https://ci.example.com/builds/1"));
        assert!(is_web_address("HTTP://ci.example.com"));
        assert!(!is_web_address("javascript:alert(1)"));
        assert!(!is_web_address(" https://ci.example.com"));
        assert!(!is_web_address("data:text/html,<b>"));
        assert!(!is_web_address("ci.example.com/builds/1"));
        assert!(!is_web_address("http"));
    }

    #[test]
    fn cursors_read_back_what_next_links_write() {
        let cursor = MatrixCursor {
            verification: 1234,
            consumer_version: 56,
        };
        assert_eq!(cursor_of(&cursor_text(cursor)).unwrap(), cursor);
        for bad in ["", "12", "a-b", "1-", "-1-2", "1--2"] {
            assert!(cursor_of(bad).is_err(), "{bad}");
        }
    }
}
