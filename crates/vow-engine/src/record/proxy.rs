//! The recording reverse proxy: an HTTP/1 server that forwards every request to the upstream and
//! streams both bodies through, while a [`Tee`] keeps at most `max_body_bytes` of each for the
//! recorder. Finished exchanges go over a bounded channel to one recorder thread, which redacts
//! (`Exchange::capture`) and folds them, so the request path never parses or waits for the
//! recorder. An upstream that cannot be reached gets the client a 502 problem+json; nothing is
//! recorded for it.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::header::{CONNECTION, CONTENT_TYPE, HOST, HeaderName, HeaderValue};
use hyper::{HeaderMap, Request, Response, StatusCode};
use reqwest::{Client, Url};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use vow_core::record::{Draft, Exchange, RawBody, RawExchange, Recorder};

use super::RecordError;
use super::tee::Tee;

/// Where the proxy listens and forwards, and its bounds.
#[derive(Debug, Clone)]
pub struct ProxyOptions {
    pub upstream: Url,
    pub listen: SocketAddr,
    /// Largest body prefix kept for inference; larger bodies pass through and are noted.
    pub max_body_bytes: usize,
    /// How long the upstream may take to answer with its headers.
    pub upstream_timeout: Duration,
    /// How long requests in flight may take to finish once the recording stops.
    pub drain_timeout: Duration,
}

/// When the recording stops, besides the future given to [`record_proxy`] (Ctrl-C, a duration).
#[derive(Debug, Clone, Copy, Default)]
pub struct StopWhen {
    /// After this many recorded exchanges.
    pub max_requests: Option<u64>,
}

/// What the proxy tells its caller while it runs.
pub trait RecordObserver: Send + Sync {
    /// The proxy is accepting connections on `addr`.
    fn listening(&self, addr: SocketAddr);
    /// Periodically, when something changed: exchanges recorded and operations seen.
    fn progress(&self, exchanges: u64, operations: usize);
    /// The upstream could not be reached for one request (the client got a 502 or 504).
    fn upstream_failed(&self, message: &str);
}

/// The draft and what happened to exchanges that are not in it.
#[derive(Debug)]
pub struct ProxyReport {
    pub draft: Draft,
    /// Requests the upstream did not answer (502 or 504 to the client).
    pub upstream_failures: u64,
    /// Exchanges the client or upstream abandoned before the response ended.
    pub abandoned: u64,
    /// Exchanges the recorder could not keep up with (its queue was full).
    pub dropped: u64,
}

/// Exchanges waiting for the recorder thread; with bodies capped at `max_body_bytes` this bounds
/// the queue's memory at about `QUEUE * 2 * max_body_bytes`.
const QUEUE: usize = 64;
const PROGRESS_EVERY: Duration = Duration::from_secs(2);

/// Counters shared by the connections and the recorder thread.
#[derive(Debug, Default)]
struct Counters {
    sent: AtomicU64,
    recorded: AtomicU64,
    operations: AtomicU64,
    upstream_failures: AtomicU64,
    abandoned: AtomicU64,
    dropped: AtomicU64,
}

struct Shared {
    client: Client,
    options: ProxyOptions,
    queue: SyncSender<RawExchange>,
    counters: Arc<Counters>,
    stop: StopWhen,
    limit_reached: Arc<Notify>,
    observer: Arc<dyn RecordObserver>,
}

/// Records through a reverse proxy until `stop` completes or `when` says so, then drains
/// requests in flight (within `drain_timeout`) and returns the draft.
pub async fn record_proxy(
    options: ProxyOptions,
    recorder: Recorder,
    when: StopWhen,
    stop: impl Future<Output = ()> + Send,
    observer: Arc<dyn RecordObserver>,
) -> Result<ProxyReport, RecordError> {
    let listener =
        TcpListener::bind(options.listen)
            .await
            .map_err(|source| RecordError::Listen {
                addr: options.listen,
                source,
            })?;
    let client = crate::replay::client().map_err(RecordError::Client)?;
    let addr = listener
        .local_addr()
        .map_err(|source| RecordError::Listen {
            addr: options.listen,
            source,
        })?;
    observer.listening(addr);

    let (queue, incoming) = sync_channel::<RawExchange>(QUEUE);
    let counters = Arc::new(Counters::default());
    let recorder_thread = {
        let counters = Arc::clone(&counters);
        std::thread::spawn(move || fold_all(recorder, incoming, &counters))
    };
    let limit_reached = Arc::new(Notify::new());
    let shared = Arc::new(Shared {
        client,
        options: options.clone(),
        queue,
        counters: Arc::clone(&counters),
        stop: when,
        limit_reached: Arc::clone(&limit_reached),
        observer: Arc::clone(&observer),
    });

    let (stopping, stop_rx) = watch::channel(());
    let mut connections = JoinSet::new();
    let mut stop = std::pin::pin!(stop);
    let mut progress = tokio::time::interval(PROGRESS_EVERY);
    progress.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut reported = (0, 0);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of descriptors or a client that gave up: wait a little, keep serving.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
            () = limit_reached.notified() => break,
            _ = progress.tick() => {
                let now = (counters.recorded.load(Ordering::Relaxed), counters.operations.load(Ordering::Relaxed));
                if now != reported {
                    reported = now;
                    observer.progress(now.0, usize::try_from(now.1).unwrap_or(usize::MAX));
                }
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        let stop_rx = stop_rx.clone();
        connections.spawn(serve_connection(stream, shared, stop_rx));
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    drop(stopping);
    let drained = tokio::time::timeout(options.drain_timeout, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        connections.abort_all();
    }
    // The last sender goes with the connections' shared state; then the thread finishes.
    drop(shared);
    while connections.join_next().await.is_some() {}
    let recorder = tokio::task::spawn_blocking(move || recorder_thread.join())
        .await
        .ok()
        .and_then(Result::ok);
    let recorder = match recorder {
        Some(recorder) => recorder,
        // The recorder thread cannot panic on input (vow-core never does), but if it did the
        // draft is lost; say so rather than write an empty one.
        None => return Err(RecordError::RecorderStopped),
    };
    observer.progress(
        counters.recorded.load(Ordering::Relaxed),
        recorder.operations(),
    );
    Ok(ProxyReport {
        draft: recorder.finish(),
        upstream_failures: counters.upstream_failures.load(Ordering::Relaxed),
        abandoned: counters.abandoned.load(Ordering::Relaxed),
        dropped: counters.dropped.load(Ordering::Relaxed),
    })
}

fn fold_all(
    mut recorder: Recorder,
    incoming: Receiver<RawExchange>,
    counters: &Counters,
) -> Recorder {
    for raw in incoming {
        recorder.observe(Exchange::capture(raw));
        counters
            .recorded
            .store(recorder.exchanges(), Ordering::Relaxed);
        counters
            .operations
            .store(recorder.operations() as u64, Ordering::Relaxed);
    }
    recorder
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    shared: Arc<Shared>,
    stop: watch::Receiver<()>,
) {
    let answer = move |request| forward(Arc::clone(&shared), request);
    if let Err(e) = crate::http1::serve_connection(stream, answer, stop).await {
        tracing::debug!(error = %e, "client connection ended with an error");
    }
}

/// Headers that belong to one connection (RFC 9110 §7.6.1), never forwarded.
fn is_hop_by_hop(name: &HeaderName, connection_tokens: &[String]) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "proxy-authenticate"
    ) || connection_tokens.iter().any(|t| t == name.as_str())
}

fn connection_tokens(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

fn pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

type ProxyBody = Tee<reqwest::Body>;

async fn forward(shared: Arc<Shared>, request: Request<Incoming>) -> Response<ProxyBody> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let upstream = &shared.options.upstream;
    let mut url = upstream.clone();
    let base = upstream.path().trim_end_matches('/');
    url.set_path(&format!("{base}{}", parts.uri.path()));
    url.set_query(parts.uri.query());

    let tokens = connection_tokens(&parts.headers);
    let mut headers = HeaderMap::with_capacity(parts.headers.len());
    for (name, value) in &parts.headers {
        if !is_hop_by_hop(name, &tokens) && *name != HOST {
            headers.append(name.clone(), value.clone());
        }
    }
    let request_headers = pairs(&parts.headers);
    let method = parts.method.clone();
    let path = parts.uri.path().to_owned();
    let query: Vec<(String, String)> = parts
        .uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();

    // The request body's prefix, filled in when the client's body ends.
    let request_capture: Arc<std::sync::Mutex<Option<RawBody>>> = Arc::default();
    let slot = Arc::clone(&request_capture);
    let request_body = Tee::new(
        body,
        shared.options.max_body_bytes,
        Some(Box::new(move |captured| {
            if let Ok(mut slot) = slot.lock() {
                *slot = Some(captured);
            }
        })),
    );
    let sent = shared
        .client
        .request(method.clone(), url)
        .headers(headers)
        .body(reqwest::Body::wrap(request_body))
        .send();
    let response = match tokio::time::timeout(shared.options.upstream_timeout, sent).await {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => return upstream_failure(&shared, StatusCode::BAD_GATEWAY, &describe(&e)),
        Err(_) => {
            let message = format!(
                "the upstream did not answer within {}",
                humantime::format_duration(shared.options.upstream_timeout)
            );
            return upstream_failure(&shared, StatusCode::GATEWAY_TIMEOUT, &message);
        }
    };

    let response: Response<reqwest::Body> = response.into();
    let (mut parts, body) = response.into_parts();
    let tokens = connection_tokens(&parts.headers);
    let names: Vec<HeaderName> = parts.headers.keys().cloned().collect();
    for name in names {
        if is_hop_by_hop(&name, &tokens) {
            parts.headers.remove(&name);
        }
    }
    let status = parts.status.as_u16();
    let response_headers = pairs(&parts.headers);
    let queue = shared.queue.clone();
    let counters = Arc::clone(&shared.counters);
    let limit = shared.stop.max_requests;
    let limit_reached = Arc::clone(&shared.limit_reached);
    let tracked = AbandonGuard {
        counters: Arc::clone(&shared.counters),
        done: false,
    };
    let on_end = move |response_body: RawBody| {
        tracked.finish();
        let latency = started.elapsed();
        let request_body = request_capture
            .lock()
            .ok()
            .and_then(|mut slot| slot.take())
            .unwrap_or(RawBody {
                bytes: Vec::new(),
                size: 0,
                complete: false,
            });
        let raw = RawExchange {
            method: method.as_str().to_owned(),
            path,
            query,
            request_headers,
            request_body,
            status,
            response_headers,
            response_body,
            latency: Some(latency),
        };
        match queue.try_send(raw) {
            Ok(()) => {
                let sent = counters.sent.fetch_add(1, Ordering::Relaxed) + 1;
                if limit.is_some_and(|max| sent == max) {
                    limit_reached.notify_one();
                }
            }
            Err(TrySendError::Full(_)) => {
                counters.dropped.fetch_add(1, Ordering::Relaxed);
            }
            Err(TrySendError::Disconnected(_)) => {}
        }
    };
    let body = Tee::new(body, shared.options.max_body_bytes, Some(Box::new(on_end)));
    Response::from_parts(parts, body)
}

/// Counts an exchange as abandoned if its response body never ended.
struct AbandonGuard {
    counters: Arc<Counters>,
    done: bool,
}

impl AbandonGuard {
    fn finish(mut self) {
        self.done = true;
    }
}

impl Drop for AbandonGuard {
    fn drop(&mut self) {
        if !self.done {
            self.counters.abandoned.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn describe(e: &reqwest::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

fn upstream_failure(shared: &Shared, status: StatusCode, message: &str) -> Response<ProxyBody> {
    shared
        .counters
        .upstream_failures
        .fetch_add(1, Ordering::Relaxed);
    let detail = format!(
        "vow record could not get an answer from {}: {message}",
        shared.options.upstream
    );
    shared.observer.upstream_failed(&detail);
    let body = serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Bad Gateway"),
        "status": status.as_u16(),
        "detail": detail,
        "code": "upstream_unreachable",
    });
    let mut response = Response::new(Tee::new(reqwest::Body::from(body.to_string()), 0, None));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}
