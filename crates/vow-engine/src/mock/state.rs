//! A mock's state: the index and each interaction prepared once (response template, response
//! bytes when fixed, rehearsal plan), the counters, the record, and what the control API set.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::sync::watch;
use vow_core::Contract;
use vow_core::mock::generate::Generation;
use vow_core::mock::report::{InteractionCoverage, Observed, RehearsalSummary};
use vow_core::mock::{
    MockIndex, MockReport, MockResponse, Pin, RehearsalMode, RehearsalPlan, ResponseTemplate, Share,
};
use vow_core::spec::{Lookup, Spec};

use super::record::{Counters, Record};
use crate::load::LoadedContract;
use crate::verify::Filters;

/// How a mock runs.
#[derive(Debug, Clone)]
pub struct MockOptions {
    /// The provider's spec: its error catalogue and latency envelopes feed rehearsals.
    pub spec: Option<Arc<Spec>>,
    pub rehearsal: RehearsalMode,
    pub share: Share,
    /// Unexercised interactions are warnings, not errors (a partial test suite).
    pub allow_unexercised: bool,
    /// Seed of the generated values; from the OS when absent.
    pub seed: Option<u64>,
    /// Largest request body read.
    pub max_body_bytes: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum MockError {
    #[error("no interaction matches the filters ({available} interactions loaded)")]
    NothingSelected { available: usize },
    #[error("failed to seed the generator of random values from the OS")]
    Random(#[source] getrandom::Error),
}

/// The contracts with only the interactions `filters` select; those left without any are dropped.
pub fn select_contracts(
    contracts: &[LoadedContract],
    filters: &Filters,
) -> Result<Vec<Contract>, MockError> {
    let selected: Vec<Contract> = contracts
        .iter()
        .filter_map(|loaded| {
            let interactions: Vec<_> = loaded
                .contract
                .interactions
                .iter()
                .filter(|i| filters.admits(loaded, i))
                .cloned()
                .collect();
            (!interactions.is_empty()).then(|| Contract {
                interactions,
                ..loaded.contract.clone()
            })
        })
        .collect();
    if selected.is_empty() {
        return Err(MockError::NothingSelected {
            available: contracts
                .iter()
                .map(|c| c.contract.interactions.len())
                .sum(),
        });
    }
    Ok(selected)
}

/// A response ready to send: what the server clones per request.
#[derive(Debug, Clone)]
pub(super) struct Wire {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Wire {
    /// Headers that cannot go on the wire (a name or value HTTP refuses) are left out.
    pub fn of(response: MockResponse) -> Wire {
        let mut headers = HeaderMap::new();
        for (name, value) in response.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                headers.append(n, v);
            }
        }
        Wire {
            status: StatusCode::from_u16(response.status).unwrap_or(StatusCode::OK),
            headers,
            body: Bytes::from(response.body),
        }
    }
}

/// One interaction, prepared.
#[derive(Debug)]
pub(super) struct Prepared {
    pub template: ResponseTemplate,
    pub fixed: Option<Wire>,
    pub plan: RehearsalPlan,
    pub counters: Counters,
}

/// What the control API sets.
#[derive(Debug, Clone)]
pub(super) struct Control {
    pub mode: RehearsalMode,
    pub share: Share,
    pub pin: Pin,
}

/// A running mock.
#[derive(Debug)]
pub struct Mock {
    pub(super) index: MockIndex,
    /// By position in load order.
    pub(super) prepared: Vec<Prepared>,
    pub(super) control: RwLock<Control>,
    pub(super) record: Mutex<Record>,
    pub(super) requests: AtomicU64,
    pub(super) rng: Mutex<StdRng>,
    pub(super) options: MockOptions,
    pub(super) url: Mutex<String>,
    /// Sends `true` when the control API asks the mock to stop.
    pub(super) stop: watch::Sender<bool>,
}

impl Mock {
    pub fn new(contracts: Vec<Contract>, options: MockOptions) -> Result<Mock, MockError> {
        let index = MockIndex::new(contracts);
        let seed = match options.seed {
            Some(seed) => seed,
            None => getrandom::u64().map_err(MockError::Random)?,
        };
        let mut rng = StdRng::seed_from_u64(seed);
        let now = super::handle::now();
        let prepared = index
            .interactions()
            .iter()
            .map(|r| {
                let contract = index.contract(*r);
                let interaction = index.interaction(*r);
                let template = ResponseTemplate::new(
                    contract,
                    interaction,
                    &mut Generation { rng: &mut rng, now },
                );
                let operation = options.spec.as_deref().and_then(|spec| {
                    match spec.lookup(
                        interaction.request.method.as_str(),
                        &interaction.request.path,
                    ) {
                        Lookup::Found { operation, .. } => {
                            Some((spec, &spec.operations[operation]))
                        }
                        _ => None,
                    }
                });
                Prepared {
                    fixed: template.fixed().map(Wire::of),
                    template,
                    plan: RehearsalPlan::new(contract, interaction, operation),
                    counters: Counters::default(),
                }
            })
            .collect();
        let (stop, _) = watch::channel(false);
        Ok(Mock {
            index,
            prepared,
            control: RwLock::new(Control {
                mode: options.rehearsal,
                share: options.share,
                pin: Pin::default(),
            }),
            record: Mutex::new(Record::default()),
            requests: AtomicU64::new(0),
            rng: Mutex::new(rng),
            options,
            url: Mutex::new(String::new()),
            stop,
        })
    }

    /// Resolves when the control API asks the mock to stop.
    pub async fn stop_requested(&self) {
        let mut stop = self.stop.subscribe();
        let _ = stop.wait_for(|s| *s).await;
    }

    /// What the run observed so far.
    pub fn report(&self) -> MockReport {
        let control = self
            .control
            .read()
            .map(|c| c.clone())
            .unwrap_or_else(|e| e.into_inner().clone());
        let record = self.record.lock().unwrap_or_else(|e| e.into_inner());
        let mut totals = vow_core::mock::report::Rehearsed::default();
        let interactions = self
            .index
            .interactions()
            .iter()
            .zip(&self.prepared)
            .map(|(r, p)| {
                let contract = self.index.contract(*r);
                let interaction = self.index.interaction(*r);
                let rehearsed = p.counters.rehearsed();
                totals.errors += rehearsed.errors;
                totals.delays += rehearsed.delays;
                totals.beyond_timeout += rehearsed.beyond_timeout;
                InteractionCoverage {
                    consumer: contract.consumer.clone(),
                    provider: contract.provider.clone(),
                    id: interaction.id.clone(),
                    method: interaction.request.method.as_str().to_owned(),
                    path: interaction.request.path.clone(),
                    requests: p.counters.requests.load(Ordering::Relaxed),
                    rehearsed,
                }
            })
            .collect();
        let observed = Observed {
            url: self.url.lock().map(|u| u.clone()).unwrap_or_default(),
            requests: self.requests.load(Ordering::Relaxed),
            unmatched_total: record.unmatched_total,
            interactions,
            unmatched: record.unmatched.clone(),
            findings: record.findings.clone(),
            omitted: record.omitted,
        };
        MockReport::new(
            observed,
            RehearsalSummary {
                mode: control.mode,
                share: control.share,
                errors: totals.errors,
                delays: totals.delays,
                beyond_timeout: totals.beyond_timeout,
            },
            self.options.allow_unexercised,
        )
    }

    /// Forgets what was observed: counters, unmatched requests and findings.
    pub(super) fn reset(&self) {
        for p in &self.prepared {
            p.counters.reset();
        }
        self.requests.store(0, Ordering::Relaxed);
        *self.record.lock().unwrap_or_else(|e| e.into_inner()) = Record::default();
    }

    pub(super) fn set_url(&self, url: String) {
        if let Ok(mut u) = self.url.lock() {
            *u = url;
        }
    }
}
