//! The latency dimension: whether the consumer's time budget (timeout per attempt, retries,
//! deadline) fits, first by arithmetic alone and then against sampled provider latencies.
//!
//! Percentiles are estimated honestly: a percentile needs enough samples for at least one to fall
//! beyond it, and messages say how few samples an estimate rests on.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

use super::wording::{count, duration, millis};
use crate::contract::{LatencyStatement, RetryPolicy};
use crate::finding::Finding;
use crate::rules;

/// Where latency findings point: the consumer's `latency` statement.
const POINTER: &str = "/latency";

/// Significant digits the histogram keeps: 912 ms is told apart from 913 ms, not from 912.4 ms.
const SIGNIFICANT_DIGITS: u8 = 3;

/// The latency of the timed requests of one interaction.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LatencySummary {
    pub samples: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Static: if every attempt runs to its timeout, `(attempts + 1) × timeout` plus every wait
/// between attempts (`backoff × multiplier^i`, each capped by `maxBackoff`) must fit within the
/// deadline; otherwise `latency.budget-exceeds-deadline` at `/latency`. No deadline, no finding.
pub fn check_budget(latency: &LatencyStatement) -> Vec<Finding> {
    let Some(deadline) = latency.deadline else {
        return Vec::new();
    };
    let attempts = attempts(latency);
    let waits = backoff_total(latency.retries.as_ref());
    let worst = latency
        .timeout
        .saturating_mul(attempts)
        .saturating_add(waits);
    if worst <= deadline {
        return Vec::new();
    }
    vec![
        Finding::new(
            rules::BUDGET_EXCEEDS_DEADLINE,
            POINTER,
            format!(
                "if every attempt times out, the call takes {}, beyond the {} deadline",
                duration(worst),
                duration(deadline)
            ),
        )
        .expected(format!("at most {}", duration(deadline)))
        .actual(format!(
            "{} in the worst case ({})",
            duration(worst),
            breakdown(attempts, &duration(latency.timeout), waits)
        ))
        .hint(
            "the client gives up at its deadline with its last attempt still in flight; lower the \
             timeout or the retries, or raise the deadline",
        ),
    ]
}

/// Live: estimates the stated percentile of `samples` (warm-up already excluded) with an HDR
/// histogram (microseconds, 3 significant digits) and judges it against the budget.
///
/// - Fewer than `⌈1 / (1 − q)⌉` samples cannot estimate `p_q` (p99 needs 100):
///   `latency.too-few-samples`.
/// - `p_q` at or above the timeout (with enough samples), or more than `n × (1 − q)` samples over
///   it (evidence at any `n`): `latency.percentile-exceeds-timeout`.
/// - With retries and a deadline, `(attempts + 1) × p_q` plus the waits beyond the deadline (with
///   enough samples): `latency.retries-exceed-deadline`.
///
/// No samples, no summary and no findings.
pub fn check_samples(
    latency: &LatencyStatement,
    samples: &[Duration],
) -> (Option<LatencySummary>, Vec<Finding>) {
    let Some(estimate) = Estimate::of(samples) else {
        return (None, Vec::new());
    };
    let n = samples.len();
    let summary = estimate.summary();

    let stated = Percentile::of(latency.percentile);
    let label = stated.label();
    let needed = stated.samples_needed();
    let enough = n >= needed;
    let p_ms = estimate.at_per_mille(stated.per_mille);
    let timeout_ms = latency.timeout.as_secs_f64() * 1000.0;
    let mut findings = Vec::new();

    if !enough {
        findings.push(
            Finding::new(
                rules::TOO_FEW_SAMPLES,
                POINTER,
                format!(
                    "{label} cannot be estimated from {}: it takes at least {needed} for one to \
                     fall among the slowest {}",
                    count(n, "sample"),
                    stated.tail_text()
                ),
            )
            .expected(format!("at least {needed} samples"))
            .actual(count(n, "sample"))
            .hint(format!(
                "run with --samples {needed} or more; with {needed}, {label} still rests on the \
                 single slowest sample"
            )),
        );
    }

    let over = samples.iter().filter(|s| **s > latency.timeout).count();
    let estimate_over = enough && p_ms >= timeout_ms;
    // More samples over the timeout than the percentile allows is evidence even from few samples.
    let too_many_over = over.saturating_mul(1000) > n.saturating_mul(stated.tail_per_mille());
    if estimate_over || too_many_over {
        let (message, actual) = if estimate_over {
            (
                format!(
                    "{label} over {} is {}, at or above the {} timeout: more than {} of attempts \
                     would time out (with {}, {label} is decided by the slowest {})",
                    count(n, "sample"),
                    millis(p_ms),
                    duration(latency.timeout),
                    stated.tail_text(),
                    count(n, "sample"),
                    count(stated.samples_beyond(n), "sample"),
                ),
                format!("{label} = {} over {}", millis(p_ms), count(n, "sample")),
            )
        } else {
            (
                format!(
                    "{over} of {} exceeded the {} timeout, more than the {} that {label} allows",
                    count(n, "sample"),
                    duration(latency.timeout),
                    stated.tail_text()
                ),
                format!(
                    "{over} of {} exceeded {}",
                    count(n, "sample"),
                    duration(latency.timeout)
                ),
            )
        };
        findings.push(
            Finding::new(rules::PERCENTILE_EXCEEDS_TIMEOUT, POINTER, message)
                .expected(format!("{label} < {}", duration(latency.timeout)))
                .actual(actual)
                .hint(format!(
                    "the provider must get faster at {label}, or the consumer must raise its \
                     timeout (and deadline) to what the provider delivers"
                )),
        );
    }

    if let (true, Some(retries), Some(deadline)) = (enough, &latency.retries, latency.deadline) {
        let attempts = attempts(latency);
        let waits = backoff_total(Some(retries));
        let total_ms = f64::from(attempts) * p_ms + waits.as_secs_f64() * 1000.0;
        let deadline_ms = deadline.as_secs_f64() * 1000.0;
        if total_ms > deadline_ms {
            let per_attempt = format!("{label} {}", millis(p_ms));
            findings.push(
                Finding::new(
                    rules::RETRIES_EXCEED_DEADLINE,
                    POINTER,
                    format!(
                        "at the observed {label}, {} take {}, beyond the {} deadline: a call that \
                         needs its retries runs out of time",
                        breakdown_words(attempts, waits),
                        millis(total_ms),
                        duration(deadline)
                    ),
                )
                .expected(format!("at most {}", duration(deadline)))
                .actual(format!(
                    "{} ({})",
                    millis(total_ms),
                    breakdown(attempts, &per_attempt, waits)
                ))
                .hint("allow fewer retries or shorter waits, or raise the deadline"),
            );
        }
    }

    (Some(summary), findings)
}

/// The summary of `samples` (p50, p95, p99, max, from the same HDR histogram as
/// [`check_samples`]), for when there is no consumer statement to judge them against. No samples,
/// no summary.
pub fn summarize(samples: &[Duration]) -> Option<LatencySummary> {
    Estimate::of(samples).map(|estimate| estimate.summary())
}

/// Attempts in all: the first plus the retries.
pub(crate) fn attempts(latency: &LatencyStatement) -> u32 {
    latency
        .retries
        .as_ref()
        .map_or(1, |r| r.attempts.saturating_add(1))
}

/// The sum of the waits before each retry: `backoff × multiplier^i` for retry `i` (from 0), each
/// capped by `maxBackoff`. Saturates instead of overflowing on absurd policies.
pub(crate) fn backoff_total(retries: Option<&RetryPolicy>) -> Duration {
    let Some(retries) = retries else {
        return Duration::ZERO;
    };
    let base = retries.backoff.as_nanos() as f64;
    let mut total = Duration::ZERO;
    for i in 0..retries.attempts {
        let exponent = i32::try_from(i).unwrap_or(i32::MAX);
        let nanos = (base * retries.multiplier.powi(exponent)).round();
        // `as` saturates for floats out of range; the check keeps infinities and NaN out.
        let mut wait = if nanos.is_finite() && nanos < u64::MAX as f64 {
            Duration::from_nanos(nanos as u64)
        } else {
            Duration::MAX
        };
        if let Some(cap) = retries.max_backoff {
            wait = wait.min(cap);
        }
        total = total.saturating_add(wait);
    }
    total
}

/// `3 attempts × 800 ms + 300 ms of backoff`.
fn breakdown(attempts: u32, per_attempt: &str, waits: Duration) -> String {
    let mut text = format!("{} × {per_attempt}", count(attempts as usize, "attempt"));
    if !waits.is_zero() {
        text.push_str(&format!(" + {} of backoff", duration(waits)));
    }
    text
}

/// `3 attempts plus 300 ms of backoff`.
fn breakdown_words(attempts: u32, waits: Duration) -> String {
    let mut text = count(attempts as usize, "attempt");
    if !waits.is_zero() {
        text.push_str(&format!(" plus {} of backoff", duration(waits)));
    }
    text
}

fn micros_to_ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// A percentile as per-mille (99 → 990, 99.9 → 999), so sample-size arithmetic stays exact.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Percentile {
    per_mille: u64,
}

impl Percentile {
    pub(crate) fn of(percentile: f64) -> Self {
        let per_mille = (percentile * 10.0).round();
        // The decoder allows 50, 90, 95, 99 and 99.9; anything else is held within (0, 100).
        let per_mille = if per_mille.is_finite() {
            per_mille.clamp(1.0, 999.0) as u64
        } else {
            990
        };
        Percentile { per_mille }
    }

    /// Per-mille of samples allowed beyond the percentile (10 for p99).
    fn tail_per_mille(self) -> usize {
        (1000 - self.per_mille) as usize
    }

    /// `⌈1 / (1 − q)⌉`: the fewest samples of which one lies beyond the percentile.
    pub(crate) fn samples_needed(self) -> usize {
        1000_usize.div_ceil(self.tail_per_mille())
    }

    /// `⌈n × (1 − q)⌉`: how many of `n` samples lie at or beyond the estimate.
    fn samples_beyond(self, n: usize) -> usize {
        n.saturating_mul(self.tail_per_mille()).div_ceil(1000)
    }

    /// `p99`, `p99.9`.
    pub(crate) fn label(self) -> String {
        match self.per_mille % 10 {
            0 => format!("p{}", self.per_mille / 10),
            tenth => format!("p{}.{tenth}", self.per_mille / 10),
        }
    }

    /// `1%`, `0.1%`.
    fn tail_text(self) -> String {
        let tail = self.tail_per_mille();
        match tail % 10 {
            0 => format!("{}%", tail / 10),
            tenth => format!("{}.{tenth}%", tail / 10),
        }
    }
}

/// An HDR histogram of the samples, with the exact extremes to keep estimates within them.
struct Estimate {
    histogram: Histogram<u64>,
    n: usize,
    min_us: u64,
    max_us: u64,
}

impl Estimate {
    fn of(samples: &[Duration]) -> Option<Self> {
        let micros: Vec<u64> = samples
            .iter()
            .map(|s| u64::try_from(s.as_micros()).unwrap_or(u64::MAX))
            .collect();
        let min_us = *micros.iter().min()?;
        let max_us = *micros.iter().max()?;
        // Sized to the slowest sample, so every value fits; saturating_record only guards the
        // bound hdrhistogram puts on its own range (half of u64), which no latency reaches.
        let high = max_us.clamp(2, u64::MAX / 2);
        let mut histogram = Histogram::<u64>::new_with_bounds(1, high, SIGNIFICANT_DIGITS).ok()?;
        for us in &micros {
            histogram.saturating_record(*us);
        }
        Some(Estimate {
            histogram,
            n: samples.len(),
            min_us,
            max_us,
        })
    }

    fn summary(&self) -> LatencySummary {
        LatencySummary {
            samples: self.n,
            p50_ms: self.at_per_mille(500),
            p95_ms: self.at_per_mille(950),
            p99_ms: self.at_per_mille(990),
            max_ms: micros_to_ms(self.max_us),
        }
    }

    /// The nearest-rank estimate (the `⌈q × n⌉`-th fastest sample) in milliseconds. The rank is
    /// computed exactly and asked for in the middle of its step, so float rounding in `q × n`
    /// cannot move it by one; the histogram's bucket rounding is kept within the observed range.
    fn at_per_mille(&self, per_mille: u64) -> f64 {
        let rank = (self.n as u64)
            .saturating_mul(per_mille)
            .div_ceil(1000)
            .max(1);
        let quantile = (rank as f64 - 0.5) / self.n as f64;
        let us = self
            .histogram
            .value_at_quantile(quantile)
            .clamp(self.min_us, self.max_us);
        micros_to_ms(us)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(timeout_ms: u64, percentile: f64) -> LatencyStatement {
        LatencyStatement {
            timeout: Duration::from_millis(timeout_ms),
            retries: None,
            deadline: None,
            percentile,
            repeatable: false,
        }
    }

    fn retries(attempts: u32, backoff_ms: u64, multiplier: f64, cap: Option<u64>) -> RetryPolicy {
        RetryPolicy {
            attempts,
            backoff: Duration::from_millis(backoff_ms),
            multiplier,
            max_backoff: cap.map(Duration::from_millis),
        }
    }

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|v| Duration::from_millis(*v)).collect()
    }

    fn rules_of(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.rule.id).collect()
    }

    #[test]
    fn a_percentile_needs_enough_samples_for_one_to_lie_beyond_it() {
        let needed: Vec<usize> = [50.0, 90.0, 95.0, 99.0, 99.9]
            .into_iter()
            .map(|p| Percentile::of(p).samples_needed())
            .collect();
        assert_eq!(needed, [2, 10, 20, 100, 1000]);
        assert_eq!(Percentile::of(99.0).samples_beyond(200), 2);
        assert_eq!(Percentile::of(99.0).samples_beyond(101), 2);
        assert_eq!(Percentile::of(99.9).label(), "p99.9");
        assert_eq!(Percentile::of(99.9).tail_text(), "0.1%");
    }

    #[test]
    fn backoffs_grow_by_the_multiplier_and_stop_at_the_cap() {
        assert_eq!(
            backoff_total(Some(&retries(3, 100, 2.0, None))),
            Duration::from_millis(100 + 200 + 400)
        );
        assert_eq!(
            backoff_total(Some(&retries(4, 100, 2.0, Some(250)))),
            Duration::from_millis(100 + 200 + 250 + 250)
        );
        assert_eq!(
            backoff_total(Some(&retries(2, 150, 1.0, None))),
            Duration::from_millis(300)
        );
        assert_eq!(backoff_total(None), Duration::ZERO);
        assert_eq!(
            backoff_total(Some(&retries(10, u64::MAX / 2, 1e300, None))),
            Duration::MAX
        );
    }

    #[test]
    fn the_worst_case_must_fit_the_deadline() {
        let mut budget = statement(800, 99.0);
        budget.retries = Some(retries(2, 100, 2.0, None));
        budget.deadline = Some(Duration::from_millis(2700));
        assert!(
            check_budget(&budget).is_empty(),
            "3 × 800 + 300 = 2700 fits"
        );
        budget.deadline = Some(Duration::from_millis(2699));
        let findings = check_budget(&budget);
        assert_eq!(rules_of(&findings), ["latency.budget-exceeds-deadline"]);
        assert_eq!(
            findings[0].actual.as_deref(),
            Some("2.7 s in the worst case (3 attempts × 800 ms + 300 ms of backoff)")
        );
        budget.deadline = None;
        assert!(check_budget(&budget).is_empty());
    }

    #[test]
    fn absurd_budgets_saturate_instead_of_panicking() {
        let mut budget = statement(800, 99.0);
        budget.timeout = Duration::MAX;
        budget.retries = Some(retries(10, u64::MAX, 1e308, None));
        budget.deadline = Some(Duration::from_secs(1));
        assert_eq!(check_budget(&budget).len(), 1);
    }

    #[test]
    fn too_few_samples_warn_and_name_the_count_needed() {
        let (summary, findings) = check_samples(&statement(800, 99.0), &ms(&[100; 99]));
        assert_eq!(summary.map(|s| s.samples), Some(99));
        assert_eq!(rules_of(&findings), ["latency.too-few-samples"]);
        assert!(
            findings[0]
                .hint
                .as_deref()
                .unwrap_or_default()
                .contains("--samples 100")
        );
        let (_, findings) = check_samples(&statement(800, 99.0), &ms(&[100; 100]));
        assert!(findings.is_empty());
    }

    #[test]
    fn one_slow_sample_of_one_is_evidence_at_any_count() {
        let (_, findings) = check_samples(&statement(800, 99.0), &ms(&[2000]));
        assert_eq!(
            rules_of(&findings),
            [
                "latency.too-few-samples",
                "latency.percentile-exceeds-timeout"
            ]
        );
        assert_eq!(
            findings[1].actual.as_deref(),
            Some("1 of 1 sample exceeded 800 ms")
        );
    }

    #[test]
    fn the_estimate_is_the_nearest_rank_and_stays_within_the_samples() {
        // 200 samples: 1..=197 ms, then 900, 950 and 1000 ms. p99 is the 198th fastest: 900 ms.
        let mut values: Vec<u64> = (1..=197).collect();
        values.extend([900, 950, 1000]);
        let (summary, findings) = check_samples(&statement(800, 99.0), &ms(&values));
        let summary = summary.expect("summary");
        assert!((summary.p99_ms - 900.0).abs() < 1.0, "{}", summary.p99_ms);
        assert_eq!(summary.max_ms, 1000.0);
        assert!(
            summary.p50_ms <= 101.0 && summary.p50_ms >= 100.0,
            "{}",
            summary.p50_ms
        );
        assert_eq!(rules_of(&findings), ["latency.percentile-exceeds-timeout"]);
        assert!(
            findings[0]
                .message
                .contains("decided by the slowest 2 samples")
        );
    }

    #[test]
    fn empty_samples_give_nothing() {
        assert_eq!(
            check_samples(&statement(800, 99.0), &[]),
            (None, Vec::new())
        );
    }
}
