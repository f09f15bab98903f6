//! HAR 1.2 files (browser and proxy exports) read into raw exchanges: `log.entries[]` with their
//! request (method, URL, headers, `postData.text`), response (status, headers, `content.text`,
//! base64 when `encoding` says so) and `time`. Browsers' extra fields (Chrome's `_`-prefixed
//! ones, Firefox's) are ignored; HTTP/2 pseudo-headers (`:authority`) are dropped with the other
//! transport headers when the exchange is captured. Entries the browser never got an answer for
//! (status 0) are skipped. Every structural problem is reported with its JSON pointer and line.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::exchange::{RawBody, RawExchange};
use crate::contract::{Position, Problem};
use crate::spec::locate::locate_pointer;

/// A HAR file that could not be read, with every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::contract::ContractError { origin: origin.clone(), problems: problems.clone() })]
pub struct HarError {
    pub origin: String,
    pub problems: Vec<Problem>,
}

/// The exchanges of a HAR file and what was left out.
#[derive(Debug, Clone, Default)]
pub struct HarRead {
    pub exchanges: Vec<RawExchange>,
    /// Entries for other origins than the one asked for.
    pub other_origin: usize,
    /// Entries without a response (status 0: blocked, cancelled, failed).
    pub unanswered: usize,
    /// Responses with a body the export did not include (`content.text` missing).
    pub bodies_not_exported: usize,
}

/// Most problems listed for one file; the rest are counted.
const MAX_PROBLEMS: usize = 20;

/// Reads the HAR `text` (named `origin` in errors). With `only_origin` (`http://host:port`), only
/// entries for that origin are kept.
pub fn read_har(origin: &str, text: &str, only_origin: Option<&str>) -> Result<HarRead, HarError> {
    let fail = |problems| HarError {
        origin: origin.to_owned(),
        problems,
    };
    let document: Value = serde_json::from_str(text).map_err(|e| {
        fail(vec![Problem {
            pointer: String::new(),
            position: Some(Position {
                line: e.line(),
                column: e.column(),
            }),
            expected: "a HAR file (JSON)".to_owned(),
            found: format!("invalid JSON: {e}"),
            hint: Some("export the HAR again; the file may be cut short".to_owned()),
        }])
    })?;
    let mut reader = Reader {
        text,
        problems: Vec::new(),
        more: 0,
    };
    let wanted = only_origin.map(normalise_origin);
    let mut read = HarRead::default();
    let Some(entries) = reader.array(&document, "/log/entries") else {
        return Err(fail(reader.problems));
    };
    for (i, entry) in entries.iter().enumerate() {
        let at = format!("/log/entries/{i}");
        if let Some(exchange) = reader.entry(entry, &at, wanted.as_deref(), &mut read) {
            read.exchanges.push(exchange);
        }
    }
    if reader.problems.is_empty() {
        Ok(read)
    } else {
        if reader.more > 0 {
            reader.problems.push(Problem {
                pointer: String::new(),
                position: None,
                expected: "a valid HAR file".to_owned(),
                found: format!("{} more problems", reader.more),
                hint: None,
            });
        }
        Err(fail(reader.problems))
    }
}

struct Reader<'t> {
    text: &'t str,
    problems: Vec<Problem>,
    more: usize,
}

fn describe(value: Option<&Value>) -> String {
    match value {
        None => "nothing".to_owned(),
        Some(Value::Null) => "null".to_owned(),
        Some(Value::Bool(b)) => format!("the boolean {b}"),
        Some(Value::Number(n)) => format!("the number {n}"),
        Some(Value::String(s)) => format!("the string {s:?}"),
        Some(Value::Array(_)) => "an array".to_owned(),
        Some(Value::Object(_)) => "an object".to_owned(),
    }
}

impl Reader<'_> {
    fn problem(&mut self, pointer: &str, expected: &str, found: Option<&Value>) {
        if self.problems.len() >= MAX_PROBLEMS {
            self.more += 1;
            return;
        }
        // A missing member is located at its parent.
        let position = locate_pointer(self.text, pointer).or_else(|| {
            let parent = &pointer[..pointer.rfind('/').unwrap_or(0)];
            locate_pointer(self.text, parent)
        });
        self.problems.push(Problem {
            pointer: pointer.to_owned(),
            position,
            expected: expected.to_owned(),
            found: describe(found),
            hint: None,
        });
    }

    fn array<'v>(&mut self, document: &'v Value, pointer: &str) -> Option<&'v Vec<Value>> {
        match document.pointer(pointer) {
            Some(Value::Array(items)) => Some(items),
            other => {
                self.problem(pointer, "an array of HAR entries", other);
                None
            }
        }
    }

    fn string<'v>(&mut self, entry: &'v Value, at: &str, member: &str) -> Option<&'v str> {
        let value = entry.pointer(member);
        match value {
            Some(Value::String(s)) => Some(s),
            other => {
                self.problem(&format!("{at}{member}"), "a string", other);
                None
            }
        }
    }

    fn headers(&mut self, entry: &Value, at: &str, member: &str) -> Vec<(String, String)> {
        let mut headers = Vec::new();
        match entry.pointer(member) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for i in 0..items.len() {
                    let here = format!("{member}/{i}");
                    let name = self.string(entry, at, &format!("{here}/name"));
                    let value = self.string(entry, at, &format!("{here}/value"));
                    if let (Some(name), Some(value)) = (name, value) {
                        headers.push((name.to_owned(), value.to_owned()));
                    }
                }
            }
            other => self.problem(
                &format!("{at}{member}"),
                "an array of {name, value} headers",
                other,
            ),
        }
        headers
    }

    fn entry(
        &mut self,
        entry: &Value,
        at: &str,
        wanted: Option<&str>,
        read: &mut HarRead,
    ) -> Option<RawExchange> {
        if !entry.is_object() {
            self.problem(at, "a HAR entry (an object)", Some(entry));
            return None;
        }
        let method = self.string(entry, at, "/request/method");
        let url = self.string(entry, at, "/request/url");
        let status = match entry.pointer("/response/status") {
            Some(Value::Number(n)) => n
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .filter(|s| *s == 0 || (100..=599).contains(s)),
            _ => None,
        };
        if status.is_none() {
            self.problem(
                &format!("{at}/response/status"),
                "an HTTP status (100 to 599, or 0 for no response)",
                entry.pointer("/response/status"),
            );
        }
        let request_headers = self.headers(entry, at, "/request/headers");
        let response_headers = self.headers(entry, at, "/response/headers");
        let request_body = self.post_data(entry, at);
        let response_body = self.content(entry, at, read);
        let latency = match entry.get("time") {
            Some(Value::Number(n)) => n
                .as_f64()
                .filter(|t| t.is_finite() && *t >= 0.0)
                .map(|ms| Duration::from_secs_f64(ms / 1000.0)),
            None | Some(Value::Null) => None,
            other => {
                self.problem(&format!("{at}/time"), "a number of milliseconds", other);
                None
            }
        };
        let (method, url, status) = (method?, url?, status?);
        if status == 0 {
            read.unanswered += 1;
            return None;
        }
        let Some(parts) = split_url(url) else {
            self.problem(
                &format!("{at}/request/url"),
                "an absolute http or https URL",
                entry.pointer("/request/url"),
            );
            return None;
        };
        if wanted.is_some_and(|w| w != parts.origin) {
            read.other_origin += 1;
            return None;
        }
        let query = parts
            .query
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        Some(RawExchange {
            method: method.to_ascii_uppercase(),
            path: parts.path.to_owned(),
            query,
            request_headers,
            request_body,
            status,
            response_headers,
            response_body,
            latency,
        })
    }

    fn post_data(&mut self, entry: &Value, at: &str) -> RawBody {
        match entry.pointer("/request/postData/text") {
            None | Some(Value::Null) => RawBody::default_whole(),
            Some(Value::String(text)) => RawBody::whole(text.as_bytes().to_vec()),
            other => {
                self.problem(&format!("{at}/request/postData/text"), "a string", other);
                RawBody::default_whole()
            }
        }
    }

    fn content(&mut self, entry: &Value, at: &str, read: &mut HarRead) -> RawBody {
        let text = match entry.pointer("/response/content/text") {
            None | Some(Value::Null) => {
                // Exporters write -1 for a size they do not know; `bodySize` may still tell.
                let size = |p: &str| entry.pointer(p).and_then(Value::as_i64).unwrap_or(0);
                if size("/response/content/size") != 0 || size("/response/bodySize") > 0 {
                    read.bodies_not_exported += 1;
                }
                return RawBody::default_whole();
            }
            Some(Value::String(text)) => text,
            other => {
                self.problem(&format!("{at}/response/content/text"), "a string", other);
                return RawBody::default_whole();
            }
        };
        match entry
            .pointer("/response/content/encoding")
            .and_then(Value::as_str)
        {
            Some(encoding) if encoding.eq_ignore_ascii_case("base64") => {
                // Some exporters wrap base64 lines.
                let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                match STANDARD.decode(compact) {
                    Ok(bytes) => RawBody::whole(bytes),
                    Err(e) => {
                        let found = Value::String(format!("text that is not base64 ({e})"));
                        self.problem(
                            &format!("{at}/response/content/text"),
                            "base64 text, as content.encoding says",
                            Some(&found),
                        );
                        RawBody::default_whole()
                    }
                }
            }
            _ => RawBody::whole(text.as_bytes().to_vec()),
        }
    }
}

impl RawBody {
    fn default_whole() -> RawBody {
        RawBody::whole(Vec::new())
    }
}

struct UrlParts<'u> {
    origin: String,
    path: &'u str,
    query: Option<&'u str>,
}

/// `https://Shop.example:443/carts/c-1?x=1#f` → origin `https://shop.example:443`, path, query.
fn split_url(url: &str) -> Option<UrlParts<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    let rest = rest.split('#').next().unwrap_or_default();
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(split);
    if authority.is_empty() {
        return None;
    }
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (tail, None),
    };
    Some(UrlParts {
        origin: normalise_origin(&format!("{scheme}://{authority}")),
        path: if path.is_empty() { "/" } else { path },
        query,
    })
}

/// Lowercase, without a trailing slash and without the scheme's default port.
fn normalise_origin(origin: &str) -> String {
    let lower = origin.trim_end_matches('/').to_ascii_lowercase();
    lower
        .strip_suffix(":80")
        .filter(|_| lower.starts_with("http://"))
        .or_else(|| {
            lower
                .strip_suffix(":443")
                .filter(|_| lower.starts_with("https://"))
        })
        .map(str::to_owned)
        .unwrap_or(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        read_har("t.har", text, None)
            .expect_err("malformed")
            .problems
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn invalid_json_is_located_by_line_and_column() {
        assert_eq!(
            problems("{\"log\": {\n  \"entries\": [\n    {\"request\": }\n"),
            [
                "3:17 at (document): expected a HAR file (JSON), found invalid JSON: expected value at line 3 column 17 (export the HAR again; the file may be cut short)"
            ]
        );
    }

    #[test]
    fn structural_problems_name_the_pointer_and_line() {
        let text = "{\"log\": {\"entries\": [\n{\"request\": {\"method\": \"GET\", \"url\": \"http://h/a\", \"headers\": []},\n \"response\": {\"status\": \"200\", \"headers\": [{\"name\": 1, \"value\": \"x\"}], \"content\": {}}}\n]}}";
        assert_eq!(
            problems(text),
            [
                "3:15 at /log/entries/0/response/status: expected an HTTP status (100 to 599, or 0 for no response), found the string \"200\"",
                "3:45 at /log/entries/0/response/headers/0/name: expected a string, found the number 1",
            ]
        );
        assert_eq!(
            problems("{\"log\": {}}"),
            ["1:2 at /log/entries: expected an array of HAR entries, found nothing"]
        );
    }

    #[test]
    fn entries_become_raw_exchanges() {
        let text = r#"{"log": {"version": "1.2", "entries": [
          {"_priority": "High", "time": 12.5,
           "request": {"method": "post", "url": "https://shop.example/carts/c-1/items?x=1&y=a%20b#frag",
                       "headers": [{"name": ":authority", "value": "shop.example"}, {"name": "content-type", "value": "application/json"}],
                       "postData": {"mimeType": "application/json", "text": "{\"sku\":\"A\"}"}},
           "response": {"status": 201, "headers": [{"name": "content-type", "value": "application/json"}],
                        "content": {"size": 8, "mimeType": "application/json", "text": "eyJpZCI6MX0=", "encoding": "base64"}}},
          {"time": -1, "request": {"method": "GET", "url": "https://other.example/x", "headers": []},
           "response": {"status": 200, "headers": [], "content": {"size": 0}}},
          {"request": {"method": "GET", "url": "https://shop.example/blocked", "headers": []},
           "response": {"status": 0, "headers": [], "content": {"size": 0}}}
        ]}}"#;
        let read = read_har("t.har", text, Some("https://shop.example:443/")).expect("reads");
        assert_eq!(read.other_origin, 1);
        assert_eq!(read.unanswered, 1);
        let [exchange] = read.exchanges.as_slice() else {
            panic!("one exchange: {:?}", read.exchanges)
        };
        assert_eq!(exchange.method, "POST");
        assert_eq!(exchange.path, "/carts/c-1/items");
        assert_eq!(
            exchange.query,
            [
                ("x".to_owned(), "1".to_owned()),
                ("y".to_owned(), "a b".to_owned())
            ]
        );
        assert_eq!(exchange.request_body.bytes, br#"{"sku":"A"}"#);
        assert_eq!(exchange.response_body.bytes, br#"{"id":1}"#);
        assert_eq!(exchange.status, 201);
        assert_eq!(exchange.latency, Some(Duration::from_micros(12_500)));
        let all = read_har("t.har", text, None).expect("reads");
        assert_eq!(all.exchanges[1].latency, None);
    }
}
