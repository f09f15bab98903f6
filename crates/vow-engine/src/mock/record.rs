//! What a mock run observed, bounded so a long consumer test run cannot exhaust memory: per
//! interaction only counters; of unmatched requests, the first [`UNMATCHED_KEPT`] distinct ones
//! (method, path and query) with counts; of findings, the first [`FINDINGS_KEPT`] distinct ones
//! (interaction, rule and location) with counts. What does not fit is counted as omitted.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use vow_core::Finding;
use vow_core::mock::Closest;
use vow_core::mock::report::{CountedFinding, Rehearsed, UnmatchedRequest};

pub const UNMATCHED_KEPT: usize = 100;
pub const FINDINGS_KEPT: usize = 1000;

/// Counters of one interaction; atomics, so the common path takes no lock.
#[derive(Debug, Default)]
pub struct Counters {
    pub requests: AtomicU64,
    /// Requests that a rehearsal degraded, numbering them for the plan's rotation.
    pub degraded: AtomicU64,
    pub errors: AtomicU64,
    pub delays: AtomicU64,
    pub beyond_timeout: AtomicU64,
}

impl Counters {
    pub fn rehearsed(&self) -> Rehearsed {
        Rehearsed {
            errors: self.errors.load(Ordering::Relaxed),
            delays: self.delays.load(Ordering::Relaxed),
            beyond_timeout: self.beyond_timeout.load(Ordering::Relaxed),
        }
    }

    pub fn reset(&self) {
        for c in [
            &self.requests,
            &self.degraded,
            &self.errors,
            &self.delays,
            &self.beyond_timeout,
        ] {
            c.store(0, Ordering::Relaxed);
        }
    }
}

/// Unmatched requests and findings; behind a lock, taken only when there is something to record.
#[derive(Debug, Default)]
pub struct Record {
    pub unmatched_total: u64,
    pub unmatched: Vec<UnmatchedRequest>,
    unmatched_at: HashMap<(String, String, Option<String>), usize>,
    pub findings: Vec<CountedFinding>,
    findings_at: HashMap<(Option<String>, &'static str, String), usize>,
    pub omitted: u64,
}

impl Record {
    pub fn unmatched(
        &mut self,
        method: &str,
        path: &str,
        query: Option<&str>,
        closest: Vec<Closest>,
    ) {
        self.unmatched_total += 1;
        let key = (method.to_owned(), path.to_owned(), query.map(str::to_owned));
        if let Some(at) = self.unmatched_at.get(&key) {
            self.unmatched[*at].count += 1;
        } else if self.unmatched.len() < UNMATCHED_KEPT {
            self.unmatched_at.insert(key, self.unmatched.len());
            self.unmatched.push(UnmatchedRequest {
                method: method.to_owned(),
                path: path.to_owned(),
                query: query.map(str::to_owned),
                count: 1,
                closest,
            });
        } else {
            self.omitted += 1;
        }
    }

    pub fn findings(&mut self, findings: Vec<Finding>) {
        for finding in findings {
            let key = (
                finding.location.interaction.clone(),
                finding.rule.id,
                finding.location.pointer.clone(),
            );
            if let Some(at) = self.findings_at.get(&key) {
                self.findings[*at].count += 1;
            } else if self.findings.len() < FINDINGS_KEPT {
                self.findings_at.insert(key, self.findings.len());
                self.findings.push(CountedFinding { finding, count: 1 });
            } else {
                self.omitted += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use vow_core::rules;

    use super::*;

    #[test]
    fn the_record_keeps_distinct_entries_up_to_its_bounds_and_counts_the_rest() {
        let mut record = Record::default();
        for i in 0..(UNMATCHED_KEPT + 50) {
            record.unmatched("GET", &format!("/x/{i}"), None, Vec::new());
            record.unmatched("GET", "/x/0", None, Vec::new());
        }
        assert_eq!(record.unmatched.len(), UNMATCHED_KEPT);
        assert_eq!(record.unmatched[0].count, UNMATCHED_KEPT as u64 + 51);
        assert_eq!(record.unmatched_total, 2 * (UNMATCHED_KEPT as u64 + 50));
        assert_eq!(record.omitted, 50);

        for i in 0..(FINDINGS_KEPT + 5) {
            let f = Finding::new(rules::MOCK_UNEXPECTED_BODY, format!("/request/{i}"), "m");
            record.findings(vec![f.clone(), f]);
        }
        assert_eq!(record.findings.len(), FINDINGS_KEPT);
        assert_eq!(record.findings[0].count, 2);
        assert_eq!(record.omitted, 50 + 10);
    }
}
