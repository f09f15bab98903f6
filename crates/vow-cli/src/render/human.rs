//! The report for people: grouped by contract and interaction, findings with their rule, location,
//! expected and actual values (with the differing part highlighted), and a one-line summary.

use std::fmt::Write;

use similar::{ChangeTag, TextDiff};
use vow_core::compat::CheckReport;
use vow_core::finding::Severity;
use vow_core::verification::{
    ContractResult, InteractionResult, Outcome, Summary, VerificationReport,
};
use vow_core::{Dimension, Finding};
use vow_engine::LoadError;

use super::Style;

/// Renders the whole report.
pub fn render_report(report: &VerificationReport, style: Style) -> String {
    let mut out = String::new();
    render_contracts(&mut out, &report.contracts, style);
    render_summary(&mut out, "verify", &report.summary, style);
    out
}

/// Renders a `vow check` report: the spec and clock it used, then the same per-contract view as
/// `vow verify`.
pub fn render_check_report(report: &CheckReport, style: Style) -> String {
    let mut out = String::new();
    let spec = &report.spec;
    let mut about = vec![format!("OpenAPI {}", spec.openapi)];
    if !spec.title.is_empty() {
        about.insert(
            0,
            format!("{} {}", spec.title, spec.version)
                .trim_end()
                .to_owned(),
        );
    }
    let _ = writeln!(
        out,
        "{} {}",
        style.strong(format!("vow check {}", spec.path)),
        style.dim(format!(
            "({}) as of {}, deprecation window {} days",
            about.join(", "),
            report.as_of,
            report.deprecation_window_days
        ))
    );
    out.push('\n');
    render_contracts(&mut out, &report.contracts, style);
    render_summary(&mut out, "check", &report.summary, style);
    out
}

/// Renders each contract's interactions with their findings, grouped by dimension.
fn render_contracts(out: &mut String, contracts: &[ContractResult], style: Style) {
    for contract in contracts {
        let _ = writeln!(
            out,
            "{} {} {}  {}",
            style.strong(&contract.consumer),
            style.dim("→"),
            style.strong(&contract.provider),
            style.dim(&contract.source)
        );
        let id_width = contract
            .interactions
            .iter()
            .map(|i| i.id.len())
            .max()
            .unwrap_or(0);
        let request_width = contract
            .interactions
            .iter()
            .map(|i| i.method.len() + 1 + i.path.len())
            .max()
            .unwrap_or(0);
        for interaction in &contract.interactions {
            render_interaction(out, interaction, id_width, request_width, style);
        }
        out.push('\n');
    }
}

fn render_interaction(
    out: &mut String,
    interaction: &InteractionResult,
    id_width: usize,
    request_width: usize,
    style: Style,
) {
    let mark = match interaction.outcome {
        Outcome::Passed => style.good("✓"),
        Outcome::Failed => style.bad("✗"),
    };
    let request = format!("{} {}", interaction.method, interaction.path);
    let elapsed = interaction
        .elapsed_ms
        .map(|ms| format!("{ms:.0} ms"))
        .unwrap_or_default();
    let line = format!(
        "  {mark} {:<id_width$}  {:<request_width$}  {}",
        interaction.id,
        request,
        style.dim(elapsed)
    );
    let _ = writeln!(out, "{}", line.trim_end());
    // One sample is the request's own time, already on the interaction line.
    if let Some(latency) = interaction.latency.as_ref().filter(|l| l.samples > 1) {
        let _ = writeln!(
            out,
            "      {}  p50 {:.0} ms · p95 {:.0} ms · p99 {:.0} ms · max {:.0} ms ({} samples)",
            style.dim("latency"),
            latency.p50_ms,
            latency.p95_ms,
            latency.p99_ms,
            latency.max_ms,
            latency.samples,
        );
    }
    // Grouped by dimension, in the fixed order of the five dimensions.
    for dimension in Dimension::ALL {
        let mut findings = interaction
            .findings
            .iter()
            .filter(|f| f.dimension == dimension)
            .peekable();
        if findings.peek().is_none() {
            continue;
        }
        let _ = writeln!(out, "    {}", style.strong(dimension));
        for finding in findings {
            render_finding(out, finding, style);
        }
    }
}

fn render_finding(out: &mut String, finding: &Finding, style: Style) {
    let severity = match finding.severity {
        Severity::Error => style.bad("error  "),
        Severity::Warning => style.warn("warning"),
        Severity::Info => style.dim("info   "),
    };
    let pointer = if finding.location.pointer.is_empty() {
        "/"
    } else {
        &finding.location.pointer
    };
    let _ = writeln!(
        out,
        "      {severity} {}  {}",
        style.strong(finding.rule.id),
        style.dim(pointer)
    );
    let _ = writeln!(out, "              {}", finding.message);
    match (&finding.expected, &finding.actual) {
        (Some(expected), Some(actual)) => render_difference(out, expected, actual, style),
        (Some(expected), None) => {
            let _ = writeln!(out, "              expected: {expected}");
        }
        (None, Some(actual)) => {
            let _ = writeln!(out, "              actual:   {actual}");
        }
        (None, None) => {}
    }
    if let Some(hint) = &finding.hint {
        let _ = writeln!(out, "              {} {hint}", style.dim("hint:"));
    }
}

/// Shows expected and actual one above the other; with colour on, the characters that differ are
/// highlighted so a one-letter change in a long value is visible at a glance.
fn render_difference(out: &mut String, expected: &str, actual: &str, style: Style) {
    if !style.enabled || expected.contains('\n') || actual.contains('\n') {
        let _ = writeln!(out, "              expected: {expected}");
        let _ = writeln!(out, "              actual:   {actual}");
        return;
    }
    let diff = TextDiff::from_chars(expected, actual);
    let (mut left, mut right) = (String::new(), String::new());
    for change in diff.iter_all_changes() {
        let text = change.value();
        match change.tag() {
            ChangeTag::Equal => {
                left.push_str(text);
                right.push_str(text);
            }
            ChangeTag::Delete => left.push_str(&style.removed(text)),
            ChangeTag::Insert => right.push_str(&style.added(text)),
        }
    }
    // A diff of two unrelated descriptions is noise: highlight only when most characters agree.
    if diff.ratio() < 0.5 {
        left = expected.to_owned();
        right = actual.to_owned();
    }
    let _ = writeln!(out, "              expected: {left}");
    let _ = writeln!(out, "              actual:   {right}");
}

/// `verify failed: 3 contracts, 19 interactions (4 passed, 15 failed); 24 errors, 1 warning`, with
/// the infos when there are any.
fn render_summary(out: &mut String, verb: &str, s: &Summary, style: Style) {
    let verdict = if s.failed == 0 {
        style.good("passed")
    } else {
        style.bad("failed")
    };
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let infos = if s.infos > 0 {
        format!(", {}", plural(s.infos, "info"))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{verb} {verdict}: {}, {} ({} passed, {} failed); {}, {}{infos}",
        plural(s.contracts, "contract"),
        plural(s.interactions, "interaction"),
        s.passed,
        s.failed,
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
    );
}

/// Renders contract loading problems, every problem of every file.
pub fn render_load_errors(errors: &[LoadError], style: Style) -> String {
    let mut out = String::new();
    for error in errors {
        match error {
            LoadError::Contract(e) => {
                let n = e.problems.len();
                let _ = writeln!(
                    out,
                    "{} {} has {n} problem{}:",
                    style.bad("error:"),
                    e.origin,
                    if n == 1 { "" } else { "s" }
                );
                for p in &e.problems {
                    let place = style.strong(p.place(&e.origin));
                    let _ = writeln!(out, "  {place} {}", style.dim(p.pointer_text()));
                    let _ = writeln!(out, "    expected {}, found {}", p.expected, p.found);
                    if let Some(hint) = &p.hint {
                        let _ = writeln!(out, "    {} {hint}", style.dim("hint:"));
                    }
                }
            }
            other => {
                let _ = write!(out, "{} {other}", style.bad("error:"));
                let mut source = std::error::Error::source(other);
                while let Some(cause) = source {
                    let _ = write!(out, ": {cause}");
                    source = cause.source();
                }
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_colour_only_the_differing_characters_are_highlighted() {
        let style = Style { enabled: true };
        let mut out = String::new();
        render_difference(&mut out, "\"c-1001\"", "\"C-1001\"", style);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].contains(&style.removed("c")), "{out:?}");
        assert!(lines[1].contains(&style.added("C")), "{out:?}");
        assert!(
            lines[1].contains("-1001"),
            "the common part stays plain: {out:?}"
        );
    }

    #[test]
    fn without_colour_values_are_shown_verbatim() {
        let mut out = String::new();
        render_difference(&mut out, "201", "200", Style { enabled: false });
        assert_eq!(
            out,
            "              expected: 201\n              actual:   200\n"
        );
    }
}
