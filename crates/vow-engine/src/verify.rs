//! Verifying contracts against a running provider: selecting interactions, setting up provider
//! states, replaying requests with bounded concurrency and time, and collecting findings.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream;
use reqwest::{Client, Url};
use tokio::sync::RwLock;
use tokio::time::Instant;
use vow_core::behaviour::deprecation::DeprecationPolicy;
use vow_core::behaviour::latency::LatencySummary;
use vow_core::behaviour::{auth, deprecation, errors, latency, promises};
use vow_core::contract::{DimensionStatements, Request};
use vow_core::spec::{Lookup, Operation, Spec};
use vow_core::verification::{ContractResult, InteractionResult, VerificationReport};
use vow_core::{Dimension, Finding, Interaction, ObservedResponse, Severity, matching, rules};

use crate::credentials::{
    CredentialError, CredentialSet, Credentials, Redactor, auth_header, resolve_all,
};
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
    /// The dimensions checked; findings of the others are not produced.
    pub dimensions: BTreeSet<Dimension>,
    /// Timed requests per interaction for the latency check (1 = the verifying request only).
    pub samples: usize,
    /// Untimed requests sent before sampling, to warm connections and caches.
    pub warmup: usize,
    /// The as-of date and warning window of the deprecation clock.
    pub deprecation: DeprecationPolicy,
    /// Credential sets by name, as configured outside contracts.
    pub credentials: BTreeMap<String, CredentialSet>,
    /// The provider's own spec, if given: responses are also checked against its error taxonomy
    /// and latency envelope (in the errors and latency dimensions).
    pub spec: Option<Arc<Spec>>,
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
    /// Whether the filters select `interaction` of `contract`.
    pub fn admits(&self, contract: &LoadedContract, interaction: &Interaction) -> bool {
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
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Credentials(Vec<CredentialError>),
}

/// One selected interaction and where it sits in the report.
struct Job<'a> {
    contract: usize,
    consumer: &'a str,
    statements: DimensionStatements,
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
                    statements: loaded.contract.effective(interaction),
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

    // Each credential set the selected interactions name, and whether an auth probe will use its
    // limited token.
    let mut needed: BTreeMap<String, bool> = BTreeMap::new();
    for job in &jobs {
        if let Some(auth) = &job.statements.auth
            && let Some(set) = &auth.credentials
        {
            let probes = auth.probes && options.dimensions.contains(&Dimension::Auth);
            *needed.entry(set.clone()).or_default() |= probes;
        }
    }
    let credentials = resolve_all(&needed, &options.credentials)
        .await
        .map_err(VerifyError::Credentials)?;
    let redactor = Redactor::new(&credentials);

    let client = client().map_err(VerifyError::Client)?;
    // Interactions that set up provider states or sample latency hold this lock exclusively;
    // the others share it (see `Runner::run`).
    let state_lock = RwLock::new(());
    let runner = Runner {
        client: &client,
        options,
        deadline,
        state_lock: &state_lock,
        credentials: &credentials,
    };
    observer.started(jobs.len());

    let mut results: Vec<(usize, usize, InteractionResult)> = stream::iter(jobs.iter().enumerate())
        .map(|(order, job)| {
            let runner = &runner;
            let redactor = &redactor;
            async move {
                let mut result = runner.run(job.interaction, &job.statements).await;
                redact(&mut result, redactor);
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

/// Scrubs every secret from the texts of a result before anyone can see it.
fn redact(result: &mut InteractionResult, redactor: &Redactor) {
    for finding in &mut result.findings {
        finding.message = redactor.redact(&finding.message);
        for text in [
            &mut finding.expected,
            &mut finding.actual,
            &mut finding.hint,
        ]
        .into_iter()
        .flatten()
        {
            *text = redactor.redact(text);
        }
    }
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
    credentials: &'a BTreeMap<String, Credentials>,
}

/// What one interaction's replay collected.
#[derive(Default)]
struct Collected {
    findings: Vec<Finding>,
    elapsed_ms: Option<f64>,
    latency: Option<LatencySummary>,
}

impl<'a> Runner<'a> {
    fn checks(&self, dimension: Dimension) -> bool {
        self.options.dimensions.contains(&dimension)
    }

    /// The spec's operation for the interaction, resolved once: `None` without a spec, when
    /// neither dimension the spec is checked in is selected, or when the spec has no such
    /// operation (then with a `verify.operation-not-in-spec` warning). The path is looked up as
    /// the contract writes it, then with the provider URL's base path in front.
    fn spec_operation(
        &self,
        interaction: &Interaction,
        findings: &mut Vec<Finding>,
    ) -> Option<&'a Operation> {
        let options: &'a VerifyOptions = self.options;
        let spec = options.spec.as_deref()?;
        if !self.checks(Dimension::Errors) && !self.checks(Dimension::Latency) {
            return None;
        }
        let request = &interaction.request;
        let method = request.method.as_str();
        let mut lookup = spec.lookup(method, &request.path);
        let base = options.provider_url.path().trim_end_matches('/');
        if !matches!(lookup, Lookup::Found { .. }) && !base.is_empty() {
            let joined = spec.lookup(method, &format!("{base}{}", request.path));
            if matches!(joined, Lookup::Found { .. }) {
                lookup = joined;
            }
        }
        match lookup {
            Lookup::Found { operation, .. } => spec.operations.get(operation),
            other => {
                findings.extend(promises::operation_not_in_spec(
                    method,
                    &request.path,
                    &other,
                ));
                None
            }
        }
    }

    /// The spec's error-taxonomy findings for a response of `operation`, if the errors dimension
    /// is selected.
    fn spec_errors(
        &self,
        operation: Option<&Operation>,
        observed: &ObservedResponse,
    ) -> Vec<Finding> {
        match (
            self.checks(Dimension::Errors),
            &self.options.spec,
            operation,
        ) {
            (true, Some(spec), Some(operation)) => {
                promises::check_error_promises(spec, operation, observed)
            }
            _ => Vec::new(),
        }
    }

    async fn run(
        &self,
        interaction: &Interaction,
        statements: &DimensionStatements,
    ) -> InteractionResult {
        let mut collected = Collected::default();
        let operation = self.spec_operation(interaction, &mut collected.findings);
        if self.checks(Dimension::Errors) {
            collected
                .findings
                .extend(errors::check_retry_safety(interaction, statements));
        }
        if let (true, Some(budget)) = (self.checks(Dimension::Latency), &statements.latency) {
            collected.findings.extend(latency::check_budget(budget));
        }
        // Provider states change data other interactions may read, and latency samples must not
        // compete with other traffic: both run alone, while other interactions share the lock.
        if !interaction.given.is_empty()
            || self.samples_repeatedly(interaction, statements, operation)
        {
            let _exclusive = self.state_lock.write().await;
            self.with_states(interaction, statements, operation, &mut collected)
                .await;
        } else {
            let _shared = self.state_lock.read().await;
            self.exercise(interaction, statements, operation, &mut collected)
                .await;
        }
        InteractionResult::of(
            interaction,
            collected.findings,
            collected.elapsed_ms,
            collected.latency,
        )
    }

    /// Whether the latency check sends this interaction's request more than once: only when asked
    /// for samples, only when the contract states a latency budget or the spec a latency
    /// envelope, and only for methods that may be repeated or interactions that opt in.
    fn samples_repeatedly(
        &self,
        interaction: &Interaction,
        statements: &DimensionStatements,
        operation: Option<&Operation>,
    ) -> bool {
        let idempotent = interaction.request.method.is_idempotent();
        self.options.samples > 1
            && self.checks(Dimension::Latency)
            && match &statements.latency {
                Some(latency) => latency.repeatable || idempotent,
                None => idempotent && operation.is_some_and(|op| op.latency.is_some()),
            }
    }

    async fn with_states(
        &self,
        interaction: &Interaction,
        statements: &DimensionStatements,
        operation: Option<&Operation>,
        collected: &mut Collected,
    ) {
        let Some(url) = &self.options.states_url else {
            if !interaction.given.is_empty() {
                let names: Vec<&str> = interaction.given.iter().map(|s| s.state.as_str()).collect();
                collected.findings.push(
                    Finding::new(
                        rules::PROVIDER_STATE_SKIPPED,
                        "/given",
                        format!("provider states were not set up: {}", names.join(", ")),
                    )
                    .hint("pass --provider-states-url so vow can set them up"),
                );
            }
            self.exercise(interaction, statements, operation, collected)
                .await;
            return;
        };
        let timeout = self.options.request_timeout;
        let mut set_up = 0;
        for (i, state) in interaction.given.iter().enumerate() {
            if Instant::now() >= self.deadline {
                collected.findings.push(deadline_finding());
                break;
            }
            match change_state(self.client, url, state, StateAction::Setup, timeout).await {
                Ok(()) => set_up += 1,
                Err(e) => {
                    collected.findings.push(
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
            self.exercise(interaction, statements, operation, collected)
                .await;
        }
        // Tear down in reverse order what was set up, even after a failure, so one broken
        // interaction does not leak state into the next.
        for (i, state) in interaction.given.iter().enumerate().take(set_up).rev() {
            if let Err(e) =
                change_state(self.client, url, state, StateAction::Teardown, timeout).await
            {
                collected.findings.push(
                    Finding::new(
                        rules::PROVIDER_STATE_FAILED,
                        format!("/given/{i}"),
                        format!(
                            "provider state {:?} could not be torn down: {e}",
                            state.state
                        ),
                    )
                    .severity(Severity::Warning),
                );
            }
        }
    }

    /// The verifying exchange, auth probes and latency samples for one interaction whose provider
    /// states (if any) are in place.
    async fn exercise(
        &self,
        interaction: &Interaction,
        statements: &DimensionStatements,
        operation: Option<&Operation>,
        collected: &mut Collected,
    ) {
        let credentials = statements.auth.as_ref().and_then(|auth| {
            let set = auth.credentials.as_ref()?;
            Some((auth, self.credentials.get(set)?))
        });
        let presenting = |secret| {
            let mut request = interaction.request.clone();
            if let Some((auth, creds)) = credentials {
                request
                    .headers
                    .push(auth_header(auth.scheme, secret, creds.header.as_deref()));
            }
            request
        };

        let request = match credentials {
            Some((_, creds)) => presenting(&creds.token),
            None => interaction.request.clone(),
        };
        let observed = match self.send(&request).await {
            Ok(observed) => observed,
            Err(finding) => {
                collected.findings.push(finding);
                return;
            }
        };
        collected.elapsed_ms = Some(millis(observed.elapsed));
        self.judge(interaction, statements, &observed, &mut collected.findings);
        collected
            .findings
            .extend(self.spec_errors(operation, &observed));

        // Probes go after the verifying request: a provider that wrongly accepts a probe of a
        // state-changing operation must not spoil the verdict on the request itself.
        if let (true, Some(auth)) = (self.checks(Dimension::Auth), &statements.auth)
            && auth.probes
        {
            // The probes' refusals are error responses of the operation too, so the spec's
            // taxonomy holds for them.
            match self.send(&interaction.request).await {
                Ok(observed) => {
                    collected
                        .findings
                        .extend(auth::check_unauthenticated(&observed));
                    collected.findings.extend(
                        self.spec_errors(operation, &observed)
                            .into_iter()
                            .map(|f| f.under("/probes/unauthenticated")),
                    );
                }
                Err(finding) => collected
                    .findings
                    .push(finding.under("/probes/unauthenticated")),
            }
            if let Some((_, creds)) = credentials
                && let Some(limited) = &creds.limited_token
            {
                match self.send(&presenting(limited)).await {
                    Ok(observed) => {
                        collected
                            .findings
                            .extend(auth::check_insufficient_scope(&observed));
                        collected.findings.extend(
                            self.spec_errors(operation, &observed)
                                .into_iter()
                                .map(|f| f.under("/probes/insufficient-scope")),
                        );
                    }
                    Err(finding) => {
                        collected
                            .findings
                            .push(finding.under("/probes/insufficient-scope"));
                    }
                }
            }
        }

        if !self.checks(Dimension::Latency) {
            return;
        }
        let repeated = self.samples_repeatedly(interaction, statements, operation);
        if let Some(budget) = &statements.latency {
            let samples = if repeated {
                self.sample(&request, &mut collected.findings).await
            } else {
                vec![observed.elapsed]
            };
            let (summary, mut findings) = latency::check_samples(budget, &samples);
            if self.options.samples == 1 {
                // One request cannot estimate a percentile, and without --samples nobody asked it
                // to; the evidence rule (a request slower than the timeout) still applies.
                findings.retain(|f| f.rule != rules::TOO_FEW_SAMPLES);
            }
            collected.latency = summary;
            collected.findings.extend(findings);
        } else if repeated {
            // Only the spec's latency envelope asked for samples.
            let samples = self.sample(&request, &mut collected.findings).await;
            collected.latency = latency::summarize(&samples);
        }
        if let (Some(operation), Some(summary)) = (operation, &collected.latency) {
            collected
                .findings
                .extend(promises::check_latency_envelope(operation, summary));
        }
    }

    /// Judges the verifying exchange in the selected dimensions.
    fn judge(
        &self,
        interaction: &Interaction,
        statements: &DimensionStatements,
        observed: &ObservedResponse,
        findings: &mut Vec<Finding>,
    ) {
        if self.checks(Dimension::Shape) {
            findings.extend(matching::match_response(interaction, observed));
        }
        if let (true, Some(handled)) = (self.checks(Dimension::Errors), &statements.errors) {
            findings.extend(errors::check_error_response(interaction, handled, observed));
        }
        if self.checks(Dimension::Deprecation) {
            findings.extend(deprecation::check_deprecation(
                statements.deprecation.as_ref(),
                observed,
                self.options.deprecation,
            ));
        }
    }

    /// Warm-up requests (not timed), then the timed samples, one at a time.
    async fn sample(&self, request: &Request, findings: &mut Vec<Finding>) -> Vec<Duration> {
        for _ in 0..self.options.warmup {
            if let Err(finding) = self.send(request).await {
                findings.push(finding.under("/latency/warmup"));
                return Vec::new();
            }
        }
        let wanted = self.options.samples;
        let mut samples = Vec::with_capacity(wanted);
        for _ in 0..wanted {
            match self.send(request).await {
                Ok(observed) => samples.push(observed.elapsed),
                Err(mut finding) => {
                    finding.message = format!(
                        "sampling stopped after {} of {wanted} samples: {}",
                        samples.len(),
                        finding.message
                    );
                    findings.push(finding.under("/latency/samples"));
                    break;
                }
            }
        }
        samples
    }

    /// Sends one request within the time left, turning a failure into a finding.
    async fn send(&self, request: &Request) -> Result<ObservedResponse, Finding> {
        let now = Instant::now();
        if now >= self.deadline {
            return Err(deadline_finding());
        }
        let remaining = self.deadline - now;
        let limits = ReplayLimits {
            timeout: self.options.request_timeout.min(remaining),
            max_body_bytes: self.options.max_body_bytes,
        };
        replay(self.client, &self.options.provider_url, request, limits)
            .await
            .map_err(|failure| failure_finding(&failure, limits, remaining))
    }
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
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
