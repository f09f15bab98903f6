//! What a mock run observed, as plain data: coverage per interaction, the requests that matched
//! nothing, the findings (deduplicated, with counts) and what was rehearsed. Its JSON form is a
//! stable interface (docs/mock-report.md).

use serde::Serialize;

use super::rehearse::{RehearsalMode, Share};
use super::request::Closest;
use crate::finding::{Finding, Severity};
use crate::rules;

/// Version of the JSON report layout; bumped on any incompatible change.
pub const MOCK_REPORT_FORMAT_VERSION: u32 = 1;

/// Everything one mock run observed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MockReport {
    pub format_version: u32,
    /// The URL the mock served on.
    pub url: String,
    pub rehearsal: RehearsalSummary,
    pub interactions: Vec<InteractionCoverage>,
    /// The first distinct unmatched requests (method, path and query), with counts.
    pub unmatched: Vec<UnmatchedRequest>,
    /// Findings, each distinct one once with the number of requests it was seen on: what
    /// consumers sent that their contracts do not state, each distinct unmatched request, and each
    /// interaction never exercised.
    pub findings: Vec<CountedFinding>,
    pub summary: MockSummary,
}

/// The rehearsal in force at the end of the run, and what was rehearsed over the whole run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RehearsalSummary {
    pub mode: RehearsalMode,
    pub share: Share,
    pub errors: u64,
    pub delays: u64,
    pub beyond_timeout: u64,
}

/// How often one interaction was exercised, and rehearsed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InteractionCoverage {
    pub consumer: String,
    pub provider: String,
    pub id: String,
    pub method: String,
    pub path: String,
    /// Requests answered as this interaction (degraded ones included).
    pub requests: u64,
    pub rehearsed: Rehearsed,
}

/// Requests of one interaction answered degraded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rehearsed {
    /// Answered with a declared error instead of the interaction's response.
    pub errors: u64,
    /// Answered after the provider's p99.
    pub delays: u64,
    /// Answered after the consumer's timeout had passed.
    pub beyond_timeout: u64,
}

/// A request that matched no interaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnmatchedRequest {
    pub method: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    pub count: u64,
    pub closest: Vec<Closest>,
}

/// A finding and the number of requests it was seen on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountedFinding {
    #[serde(flatten)]
    pub finding: Finding,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MockSummary {
    /// Requests to the mock, control API calls excluded.
    pub requests: u64,
    pub matched: u64,
    pub unmatched: u64,
    pub interactions: usize,
    pub exercised: usize,
    /// Distinct unmatched requests and distinct findings beyond what the report keeps.
    pub omitted: u64,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

/// What the engine recorded, handed over to be turned into a report.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub url: String,
    pub requests: u64,
    pub unmatched_total: u64,
    pub interactions: Vec<InteractionCoverage>,
    pub unmatched: Vec<UnmatchedRequest>,
    pub findings: Vec<CountedFinding>,
    pub omitted: u64,
}

impl MockReport {
    /// The report of what was observed. Unmatched requests and unexercised interactions become
    /// findings; `allow_unexercised` makes the latter warnings (a partial test suite).
    pub fn new(
        observed: Observed,
        rehearsal: RehearsalSummary,
        allow_unexercised: bool,
    ) -> MockReport {
        let Observed {
            url,
            requests,
            unmatched_total,
            interactions,
            unmatched,
            mut findings,
            omitted,
        } = observed;
        for u in &unmatched {
            let target = match &u.query {
                Some(q) => format!("{} {}?{}", u.method, u.path, q),
                None => format!("{} {}", u.method, u.path),
            };
            let mut f = Finding::new(
                rules::MOCK_UNMATCHED_REQUEST,
                "/request",
                format!("{target} matched no interaction"),
            );
            if let Some(c) = u.closest.first() {
                f = f.hint(format!("closest: {}: {}", c.interaction, c.why.join("; ")));
            }
            findings.push(CountedFinding {
                finding: f,
                count: u.count,
            });
        }
        for i in interactions.iter().filter(|i| i.requests == 0) {
            let mut f = Finding::new(
                rules::MOCK_UNEXERCISED_INTERACTION,
                "",
                format!(
                    "no request exercised {} {} ({})",
                    i.method, i.path, i.id
                ),
            )
            .in_interaction(format!("{}/{}", i.consumer, i.id))
            .hint("add a consumer test that sends this request, or drop the interaction from the contract");
            if allow_unexercised {
                f.severity = Severity::Warning;
            }
            findings.push(CountedFinding {
                finding: f,
                count: 0,
            });
        }
        let count = |s: Severity| findings.iter().filter(|f| f.finding.severity == s).count();
        let summary = MockSummary {
            requests,
            matched: requests.saturating_sub(unmatched_total),
            unmatched: unmatched_total,
            interactions: interactions.len(),
            exercised: interactions.iter().filter(|i| i.requests > 0).count(),
            omitted,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
        };
        MockReport {
            format_version: MOCK_REPORT_FORMAT_VERSION,
            url,
            rehearsal,
            interactions,
            unmatched,
            findings,
            summary,
        }
    }

    /// Passed: no finding of severity error, and no unmatched request (even one the report had no
    /// room to keep).
    pub fn verdict(&self) -> Verdict {
        if self.summary.errors == 0 && self.summary.unmatched == 0 {
            Verdict::Passed
        } else {
            Verdict::Failed
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Passed,
    Failed,
}
