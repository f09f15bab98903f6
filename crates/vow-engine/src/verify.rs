//! Verifying contracts against a running provider: selecting interactions, setting up provider
//! states, replaying requests with bounded concurrency and time, and collecting findings.

use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream;
use reqwest::{Client, Url};
use tokio::sync::RwLock;
use tokio::time::Instant;
use vow_core::verification::{ContractResult, InteractionResult, Outcome, VerificationReport};
use vow_core::{Finding, Interaction, matching, rules};

use crate::load::LoadedContract;
use crate::provider_state::{StateAction, change_state};
use crate::replay::{ReplayFailure, ReplayLimits, client, replay};

/// How a verification run is carried out.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Base URL of the provider; interaction paths are appended to its path.
    pub provider_url: Url,
    /// The provider's state endpoint, if it has one.
    pub states_url: Option<Url>,
    /// Interactions replayed at once. Interactions with provider states always run alone.
    pub jobs: usize,
    /// Budget of one request, from sending it to the end of the response body.
    pub request_timeout: Duration,
    /// Budget of the whole run; interactions not finished by then are reported as not run.
    pub deadline: Duration,
    /// Largest response body read.
    pub max_body_bytes: u64,
    pub filters: Filters,
}

/// Which interactions to replay. Empty lists select everything; values are exact names or ids, and
/// a trailing `*` matches any suffix.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub consumers: Vec<String>,
    pub providers: Vec<String>,
    pub interactions: Vec<String>,
}

impl Filters {
    fn admits(&self, contract: &LoadedContract, interaction: &Interaction) -> bool {
        matches_any(&self.consumers, &contract.contract.consumer)
            && matches_any(&self.providers, &contract.contract.provider)
            && matches_any(&self.interactions, &interaction.id)
    }
}

fn matches_any(patterns: &[String], value: &str) -> bool {
    patterns.is_empty()
        || patterns.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => value.starts_with(prefix),
            None => p == value,
        })
}

/// Told about progress as interactions finish; called from the verifying task.
pub trait VerifyObserver: Sync {
    fn started(&self, _interactions: usize) {}
    fn finished(&self, _consumer: &str, _result: &InteractionResult) {}
}

/// A run that does not report progress.
impl VerifyObserver for () {}

/// Problems that stop a verification run from starting.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("no interaction matches the filters ({available} interactions loaded)")]
    NothingSelected { available: usize },
    #[error("the provider at {url} cannot be reached: {message}")]
    ProviderUnreachable { url: Url, message: String },
    #[error("the provider states endpoint at {url} cannot be reached: {message}")]
    StatesUnreachable { url: Url, message: String },
    #[error("failed to build the HTTP client")]
    Client(#[source] reqwest::Error),
}

/// One selected interaction and where it sits in the report.
struct Job<'a> {
    contract: usize,
    consumer: &'a str,
    interaction: &'a Interaction,
}

/// Replays every selected interaction of `contracts` against the provider.
pub async fn verify(
    contracts: &[LoadedContract],
    options: &VerifyOptions,
    observer: &dyn VerifyObserver,
) -> Result<VerificationReport, VerifyError> {
    let started = Instant::now();
    let deadline = started + options.deadline;
    let jobs: Vec<Job<'_>> = contracts
        .iter()
        .enumerate()
        .flat_map(|(index, loaded)| {
            loaded
                .contract
                .interactions
                .iter()
                .filter(|i| options.filters.admits(loaded, i))
                .map(move |interaction| Job {
                    contract: index,
                    consumer: &loaded.contract.consumer,
                    interaction,
                })
        })
        .collect();
    if jobs.is_empty() {
        let available = contracts
            .iter()
            .map(|c| c.contract.interactions.len())
            .sum();
        return Err(VerifyError::NothingSelected { available });
    }

    reachable(&options.provider_url)
        .await
        .map_err(|message| VerifyError::ProviderUnreachable {
            url: options.provider_url.clone(),
            message,
        })?;
    if let Some(url) = &options.states_url {
        reachable(url)
            .await
            .map_err(|message| VerifyError::StatesUnreachable {
                url: url.clone(),
                message,
            })?;
    }

    let client = client().map_err(VerifyError::Client)?;
    // Provider states change data other interactions may read, so an interaction with states holds
    // the lock exclusively while stateless interactions share it.
    let state_lock = RwLock::new(());
    let runner = Runner {
        client: &client,
        options,
        deadline,
        state_lock: &state_lock,
    };
    observer.started(jobs.len());

    let mut results: Vec<(usize, usize, InteractionResult)> = stream::iter(jobs.iter().enumerate())
        .map(|(order, job)| {
            let runner = &runner;
            async move {
                let result = runner.run(job.interaction).await;
                observer.finished(job.consumer, &result);
                (order, job.contract, result)
            }
        })
        .buffer_unordered(options.jobs.max(1))
        .collect()
        .await;
    results.sort_by_key(|(order, _, _)| *order);

    let mut per_contract: Vec<ContractResult> = Vec::new();
    let mut last: Option<usize> = None;
    for (_, index, result) in results {
        if last != Some(index) {
            let loaded = &contracts[index];
            per_contract.push(ContractResult {
                consumer: loaded.contract.consumer.clone(),
                provider: loaded.contract.provider.clone(),
                source: loaded.path.display().to_string(),
                interactions: Vec::new(),
            });
            last = Some(index);
        }
        if let Some(current) = per_contract.last_mut() {
            current.interactions.push(result);
        }
    }
    Ok(VerificationReport::new(
        options.provider_url.as_str(),
        per_contract,
    ))
}

/// Checks that something accepts TCP connections at the URL's host and port, so that a provider
/// that is not running is one clear error instead of a finding per interaction.
async fn reachable(url: &Url) -> Result<(), String> {
    let host = url
        .host_str()
        .ok_or_else(|| "the URL has no host".to_owned())?;
    let port = url
        .port_or_known_default()
        .ok_or_else(|| "the URL has no port".to_owned())?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let connect = tokio::net::TcpStream::connect((host, port));
    match tokio::time::timeout(Duration::from_secs(5), connect).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("no connection within 5 s".to_owned()),
    }
}

struct Runner<'a> {
    client: &'a Client,
    options: &'a VerifyOptions,
    deadline: Instant,
    state_lock: &'a RwLock<()>,
}

impl Runner<'_> {
    async fn run(&self, interaction: &Interaction) -> InteractionResult {
        let mut findings = Vec::new();
        let mut elapsed_ms = None;
        if interaction.given.is_empty() {
            let _shared = self.state_lock.read().await;
            self.exchange(interaction, &mut findings, &mut elapsed_ms)
                .await;
        } else {
            let _exclusive = self.state_lock.write().await;
            self.with_states(interaction, &mut findings, &mut elapsed_ms)
                .await;
        }
        let findings: Vec<Finding> = findings
            .into_iter()
            .map(|f| f.in_interaction(interaction.id.clone()))
            .collect();
        InteractionResult {
            id: interaction.id.clone(),
            description: interaction.description.clone(),
            method: interaction.request.method.as_str().to_owned(),
            path: interaction.request.path.clone(),
            outcome: Outcome::of(&findings),
            findings,
            elapsed_ms,
        }
    }

    async fn with_states(
        &self,
        interaction: &Interaction,
        findings: &mut Vec<Finding>,
        elapsed_ms: &mut Option<f64>,
    ) {
        let Some(url) = &self.options.states_url else {
            let names: Vec<&str> = interaction.given.iter().map(|s| s.state.as_str()).collect();
            findings.push(
                Finding::new(
                    rules::PROVIDER_STATE_SKIPPED,
                    "/given",
                    format!("provider states were not set up: {}", names.join(", ")),
                )
                .hint("pass --provider-states-url so vow can set them up"),
            );
            self.exchange(interaction, findings, elapsed_ms).await;
            return;
        };
        let timeout = self.options.request_timeout;
        let mut set_up = 0;
        for (i, state) in interaction.given.iter().enumerate() {
            if Instant::now() >= self.deadline {
                findings.push(deadline_finding());
                break;
            }
            match change_state(self.client, url, state, StateAction::Setup, timeout).await {
                Ok(()) => set_up += 1,
                Err(e) => {
                    findings.push(
                        Finding::new(
                            rules::PROVIDER_STATE_FAILED,
                            format!("/given/{i}"),
                            format!("provider state {:?} could not be set up: {e}", state.state),
                        )
                        .hint("check the provider's state handler for this state name and params"),
                    );
                    break;
                }
            }
        }
        if set_up == interaction.given.len() {
            self.exchange(interaction, findings, elapsed_ms).await;
        }
        // Tear down in reverse order what was set up, even after a failure, so one broken
        // interaction does not leak state into the next.
        for (i, state) in interaction.given.iter().enumerate().take(set_up).rev() {
            if let Err(e) =
                change_state(self.client, url, state, StateAction::Teardown, timeout).await
            {
                findings.push(
                    Finding::new(
                        rules::PROVIDER_STATE_FAILED,
                        format!("/given/{i}"),
                        format!(
                            "provider state {:?} could not be torn down: {e}",
                            state.state
                        ),
                    )
                    .severity(vow_core::Severity::Warning),
                );
            }
        }
    }

    async fn exchange(
        &self,
        interaction: &Interaction,
        findings: &mut Vec<Finding>,
        elapsed_ms: &mut Option<f64>,
    ) {
        let now = Instant::now();
        if now >= self.deadline {
            findings.push(deadline_finding());
            return;
        }
        let remaining = self.deadline - now;
        let limits = ReplayLimits {
            timeout: self.options.request_timeout.min(remaining),
            max_body_bytes: self.options.max_body_bytes,
        };
        let outcome = replay(
            self.client,
            &self.options.provider_url,
            &interaction.request,
            limits,
        )
        .await;
        match outcome {
            Ok(observed) => {
                *elapsed_ms = Some(observed.elapsed.as_secs_f64() * 1000.0);
                findings.extend(matching::match_response(interaction, &observed));
            }
            Err(failure) => findings.push(failure_finding(&failure, limits, remaining)),
        }
    }
}

fn deadline_finding() -> Finding {
    Finding::new(
        rules::DEADLINE_EXCEEDED,
        "",
        "the overall deadline passed before this interaction was replayed",
    )
    .hint("raise --deadline, or lower --timeout so one slow endpoint cannot use up the run")
}

fn failure_finding(failure: &ReplayFailure, limits: ReplayLimits, remaining: Duration) -> Finding {
    match failure {
        ReplayFailure::Timeout { after } => {
            let hint = if limits.timeout < remaining {
                "raise --timeout if the provider is slow but correct"
            } else {
                "the overall deadline cut this request short; raise --deadline"
            };
            Finding::new(
                rules::REQUEST_TIMEOUT,
                "/response",
                format!(
                    "the provider did not answer within {} ms",
                    after.as_millis()
                ),
            )
            .expected(format!(
                "a complete response within {} ms",
                after.as_millis()
            ))
            .actual("no complete response")
            .hint(hint)
        }
        ReplayFailure::Connection { message } => Finding::new(
            rules::CONNECTION_FAILED,
            "/response",
            format!("the exchange failed: {message}"),
        ),
        ReplayFailure::BodyTooLarge { limit } => Finding::new(
            rules::BODY_TOO_LARGE,
            "/response/body",
            format!("the response body is larger than {limit} bytes"),
        )
        .expected(format!("at most {limit} bytes"))
        .hint("raise --max-body-size if such bodies are intended"),
        ReplayFailure::InvalidRequest { message } => {
            Finding::new(rules::REQUEST_INVALID, "/request", message.clone())
                .hint("fix the request in the contract file")
        }
    }
}
