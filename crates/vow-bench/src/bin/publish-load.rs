//! `publish-load`: the broker's publishing benchmark. N clients publish contracts at once, each
//! publication a new consumer version (`PUT /api/v1/services/{consumer}/versions/{version}/
//! contracts/{provider}`), spread round-robin over the consumer/provider pairs of a seeded broker
//! (the same topology `seed-broker` builds from the same `--services`, `--providers-per-consumer`
//! and `--seed`). Most publications carry a contract the broker already stores, as in CI where most
//! builds leave a contract unchanged; one in `--new-content-every` carries new content.
//!
//! Every request body is built before the clock starts. Only a `201 Created` counts as a success:
//! a `200` would mean the publication was not new. Prints the rate, the latency percentiles and the
//! failures, then one JSON line with the same numbers for scripts.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use hdrhistogram::Histogram;
use reqwest::{StatusCode, Url};
use serde_json::json;
use vow_bench::seed::Topology;
use vow_bench::seed::content::contract;
use vow_engine::replay::client;

/// Publishes contracts for new consumer versions from many clients at once.
#[derive(Debug, Parser)]
struct Args {
    /// Base URL of the broker.
    #[arg(long, value_name = "BASE")]
    url: Url,
    /// Clients publishing at once, each one publication at a time.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1024))]
    clients: u16,
    /// Publications in all.
    #[arg(long, default_value_t = 20_000)]
    publications: usize,
    /// One publication in this many carries a contract the broker has not seen.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    new_content_every: u64,
    /// Names this run's versions (load-RUN-N), so runs against one broker do not collide.
    #[arg(long, default_value = "1")]
    run: String,
    /// The seeded broker's services (as given to seed-broker).
    #[arg(long, default_value_t = 200)]
    services: usize,
    /// The seeded broker's mean providers per consumer (as given to seed-broker).
    #[arg(long, default_value_t = 4)]
    providers_per_consumer: usize,
    /// The seeded broker's seed (as given to seed-broker).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Instead of publishing: write ten distinct contract bodies of the first consumer/provider
    /// pair to FILE, one per line (for `oha -Z FILE`), print the pair, and exit.
    #[arg(long, value_name = "FILE")]
    oha_bodies: Option<std::path::PathBuf>,
}

/// What the clients saw.
struct Tally {
    latency_us: Histogram<u64>,
    created: u64,
    /// Status (0 for a transport error) and how often.
    failures: Vec<(u16, u64)>,
    first_failure: Option<String>,
}

impl Tally {
    fn new() -> anyhow::Result<Tally> {
        Ok(Tally {
            latency_us: Histogram::new_with_bounds(1, 60_000_000, 3)?,
            created: 0,
            failures: Vec::new(),
            first_failure: None,
        })
    }

    fn fail(&mut self, status: u16, why: String) {
        match self.failures.iter_mut().find(|(s, _)| *s == status) {
            Some((_, n)) => *n += 1,
            None => self.failures.push((status, 1)),
        }
        self.first_failure.get_or_insert(why);
    }

    fn merge(&mut self, other: Tally) -> anyhow::Result<()> {
        self.latency_us.add(&other.latency_us)?;
        self.created += other.created;
        for (status, n) in other.failures {
            match self.failures.iter_mut().find(|(s, _)| *s == status) {
                Some((_, total)) => *total += n,
                None => self.failures.push((status, n)),
            }
        }
        if self.first_failure.is_none() {
            self.first_failure = other.first_failure;
        }
        Ok(())
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let topology = Topology::new(args.services, args.providers_per_consumer, args.seed);
    if topology.edges.is_empty() {
        bail!("the topology has no consumer/provider pairs");
    }
    let edges = topology.edges.len();
    if let Some(path) = &args.oha_bodies {
        let (c, p) = topology.edges[0];
        let (consumer, provider) = (&topology.names[c], &topology.names[p]);
        let lines: String = (0..10)
            .map(|k| contract(args.seed, consumer, provider, 2_000_000 + k).to_string() + "\n")
            .collect();
        std::fs::write(path, lines)
            .with_context(|| format!("failed to write {}", path.display()))?;
        writeln!(std::io::stdout(), "{consumer}\t{provider}")?;
        return Ok(());
    }
    let requests: Arc<Vec<(Url, String)>> = Arc::new(
        (0..args.publications)
            .map(|i| {
                let (c, p) = topology.edges[i % edges];
                let (consumer, provider) = (&topology.names[c], &topology.names[p]);
                // Consecutive publications of a pair share content, a new one every N.
                let round = (i / edges) as u64;
                let revision = 1_000_000 + round / args.new_content_every;
                let mut url = args.url.clone();
                url.set_path(&format!(
                    "/api/v1/services/{consumer}/versions/load-{}-{i}/contracts/{provider}",
                    args.run
                ));
                let body = contract(args.seed, consumer, provider, revision).to_string();
                (url, body)
            })
            .collect(),
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    let http = client().context("failed to build the HTTP client")?;
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tallies: Vec<anyhow::Result<Tally>> = runtime.block_on(async {
        let workers: Vec<_> = (0..args.clients)
            .map(|_| {
                let (http, requests, next) = (http.clone(), requests.clone(), next.clone());
                tokio::spawn(async move {
                    let mut tally = Tally::new()?;
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((url, body)) = requests.get(i) else {
                            break;
                        };
                        let sent = Instant::now();
                        let outcome = http
                            .put(url.clone())
                            .header(reqwest::header::CONTENT_TYPE, "application/json")
                            .body(body.clone())
                            .send()
                            .await;
                        match outcome {
                            Ok(response) => {
                                let status = response.status();
                                let text = response.text().await.unwrap_or_default();
                                let micros = sent.elapsed().as_micros().max(1);
                                tally.latency_us.saturating_record(micros as u64);
                                if status == StatusCode::CREATED {
                                    tally.created += 1;
                                } else {
                                    tally.fail(status.as_u16(), format!("{url}: {status} {text}"));
                                }
                            }
                            Err(e) => tally.fail(0, format!("{url}: {e}")),
                        }
                    }
                    anyhow::Ok(tally)
                })
            })
            .collect();
        let mut out = Vec::new();
        for worker in workers {
            out.push(worker.await.unwrap_or_else(|e| Err(e.into())));
        }
        out
    });
    let elapsed = started.elapsed();

    let mut total = Tally::new()?;
    for tally in tallies {
        total.merge(tally?)?;
    }
    report(&args, &total, elapsed)?;
    if !total.failures.is_empty() {
        bail!(
            "{} publications failed; the first: {}",
            total.failures.iter().map(|f| f.1).sum::<u64>(),
            total.first_failure.unwrap_or_default()
        );
    }
    Ok(())
}

fn report(args: &Args, total: &Tally, elapsed: Duration) -> anyhow::Result<()> {
    let ms = |q: f64| total.latency_us.value_at_quantile(q) as f64 / 1000.0;
    let errors: u64 = total.failures.iter().map(|f| f.1).sum();
    let seconds = elapsed.as_secs_f64();
    let rate = total.created as f64 / seconds;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "publish-load: {} publications by {} clients in {seconds:.2} s: {rate:.0} created/s, \
         {errors} failed",
        args.publications, args.clients
    )?;
    writeln!(
        out,
        "latency: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(0.50),
        ms(0.95),
        ms(0.99),
        total.latency_us.max() as f64 / 1000.0
    )?;
    let failures: serde_json::Map<String, serde_json::Value> = total
        .failures
        .iter()
        .map(|(status, n)| (status.to_string(), json!(n)))
        .collect();
    writeln!(
        out,
        "{}",
        json!({
            "publications": args.publications,
            "clients": args.clients,
            "created": total.created,
            "errors": errors,
            "failures": failures,
            "seconds": seconds,
            "rate": rate,
            "p50_ms": ms(0.50),
            "p95_ms": ms(0.95),
            "p99_ms": ms(0.99),
            "max_ms": total.latency_us.max() as f64 / 1000.0,
        })
    )?;
    Ok(())
}
