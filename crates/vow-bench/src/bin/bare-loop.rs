//! `bare-loop`: the floor `vow verify` is benchmarked against. It sends a vow contract's requests
//! with the same HTTP client vow uses and reads every body in full, but judges nothing, so the gap
//! between the two is the cost of vow's own work (matching, reporting, bookkeeping).

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Parser;
use futures_util::{StreamExt, stream};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Client, Method, Url};
use vow_core::contract::{Request, SourceFormat, parse_contract};
use vow_engine::replay::{client, request_url};

/// Sends every request of a vow contract to a provider and reads the responses, judging nothing.
#[derive(Debug, Parser)]
struct Args {
    /// Base URL of the provider.
    #[arg(long, value_name = "BASE")]
    url: Url,
    /// The vow contract whose requests are sent (only method, path, query and headers are used).
    #[arg(long, value_name = "FILE")]
    contract: PathBuf,
    /// Requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    concurrency: u16,
}

/// What one request came back with.
struct Received {
    ok: bool,
    bytes: usize,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let text = std::fs::read_to_string(&args.contract)
        .with_context(|| format!("failed to read {}", args.contract.display()))?;
    let format = args
        .contract
        .extension()
        .and_then(|ext| SourceFormat::from_extension(&ext.to_string_lossy()))
        .unwrap_or(SourceFormat::Yaml);
    let origin = args.contract.display().to_string();
    let contract = parse_contract(&origin, &text, format).map_err(|e| {
        anyhow::anyhow!("{} is not a valid contract: {e:?}", args.contract.display())
    })?;
    let requests: Vec<&Request> = contract.interactions.iter().map(|i| &i.request).collect();

    // The same runtime shape as `vow verify` (vow-cli), so only the work per request differs.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    let http = client().context("failed to build the HTTP client")?;
    let started = Instant::now();
    let received: Vec<anyhow::Result<Received>> = runtime.block_on(
        stream::iter(&requests)
            .map(|request| send(&http, &args.url, request))
            .buffer_unordered(usize::from(args.concurrency))
            .collect(),
    );
    let elapsed = started.elapsed();

    let mut ok = 0usize;
    let mut bytes = 0usize;
    let mut failures = Vec::new();
    for result in received {
        match result {
            Ok(r) => {
                ok += usize::from(r.ok);
                bytes += r.bytes;
            }
            Err(e) => failures.push(format!("{e:#}")),
        }
    }
    writeln!(
        std::io::stdout().lock(),
        "bare-loop: {} requests, {ok} answered 2xx, {bytes} body bytes, {:.3} s",
        requests.len(),
        elapsed.as_secs_f64()
    )?;
    if let Some(first) = failures.first() {
        bail!("{} requests failed; the first: {first}", failures.len());
    }
    if ok != requests.len() {
        bail!("{} responses were not 2xx", requests.len() - ok);
    }
    Ok(())
}

async fn send(http: &Client, base: &Url, request: &Request) -> anyhow::Result<Received> {
    let method = Method::from_bytes(request.method.as_str().as_bytes())?;
    let mut headers = HeaderMap::new();
    for (name, value) in &request.headers {
        headers.append(
            HeaderName::from_bytes(name.as_bytes())?,
            HeaderValue::from_str(value)?,
        );
    }
    // The same held credential vow presents for the contract's auth block.
    if let Ok(token) = std::env::var(vow_bench::TOKEN_ENV) {
        headers.insert(
            reqwest::header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}"))?,
        );
    }
    let url = request_url(base, request);
    let response = http
        .request(method, url.clone())
        .headers(headers)
        .send()
        .await
        .with_context(|| format!("GET {url}"))?;
    let ok = response.status().is_success();
    let body = response
        .bytes()
        .await
        .with_context(|| format!("reading the body of {url}"))?;
    Ok(Received {
        ok,
        bytes: body.len(),
    })
}
