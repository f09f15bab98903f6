//! can-i-deploy answers for people (human, markdown) and CI (junit); JSON is the broker's own
//! answer, passed through. Every form leads with the verdict, then gives one line per integration
//! with its evidence and its reason code, and what blocks it.

use std::fmt::Write as _;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use vow_core::deploy::{
    Answer, BlockedElement, DeprecationKind, Evidence, Notice, Reason, Row, RowOutcome, Target,
    Verdict,
};

use super::Style;
use super::text::{md_cell, plural};

/// `mobile-app 7.0.0 to production` / `… into branch main`.
fn question(answer: &Answer) -> String {
    let c = &answer.candidate;
    match &answer.target {
        Target::Environment { name } => format!("{} {} to {name}", c.service, c.version),
        Target::Branch { name } => format!("{} {} into branch {name}", c.service, c.version),
    }
}

fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Yes => "yes",
        Verdict::No => "no",
        Verdict::Unknown => "unknown",
    }
}

/// The reason code as the broker writes it.
pub fn reason_code(reason: Reason) -> String {
    serde_json::to_value(reason)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The reason in words.
fn explain(row: &Row, target: &Target) -> String {
    let dims = if row.failed_dimensions.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = row
            .failed_dimensions
            .iter()
            .map(|d| d.to_string())
            .collect();
        format!(" (failed: {})", names.join(", "))
    };
    match row.reason {
        Reason::Verified => "verified against the running provider".to_owned(),
        Reason::Compatible => "the provider's spec is compatible with the contract".to_owned(),
        Reason::VerificationFailed => format!("the verification of these versions failed{dims}"),
        Reason::Incompatible => format!("the provider's spec breaks the contract{dims}"),
        Reason::RemovesUsedElement => {
            format!("the provider version removes something the contract uses{dims}")
        }
        Reason::SunsetPassed => format!("the contract uses something past its sunset{dims}"),
        Reason::NoEvidence => {
            "no verification or spec for these versions: verify, or publish the provider's spec"
                .to_owned()
        }
        Reason::ProviderNotDeployed => match target {
            Target::Environment { name } => format!("{} is not deployed in {name}", row.provider),
            Target::Branch { .. } => format!("{} is not deployed", row.provider),
        },
        Reason::ProviderNotOnBranch => match target {
            Target::Branch { name } => format!("{} has no version on {name}", row.provider),
            Target::Environment { .. } => format!("{} has no version there", row.provider),
        },
    }
}

fn pair(row: &Row) -> String {
    format!(
        "{} {} → {} {}",
        row.consumer,
        row.consumer_version,
        row.provider,
        row.provider_version.as_deref().unwrap_or("(none)")
    )
}

/// The evidence in words (the JSON answer's `verified`, `compatible`, `none`).
fn evidence_word(evidence: Evidence) -> &'static str {
    match evidence {
        Evidence::Verified => "verification",
        Evidence::Compatible => "spec check",
        Evidence::None => "no evidence",
    }
}

fn blocked(b: &BlockedElement) -> String {
    match b.kind {
        DeprecationKind::Sunset { sunset } => format!(
            "{} ({}) has passed its sunset {sunset}",
            b.element, b.interaction
        ),
        DeprecationKind::Removed => format!("{} ({}) is removed", b.element, b.interaction),
    }
}

fn notice(n: &Notice) -> String {
    match n {
        Notice::NoContracts => {
            "no contracts involve this version, and no consumer in the target relies on it"
                .to_owned()
        }
        Notice::NoConsumers => "no consumer in the target has a contract with it".to_owned(),
        Notice::ConsumerPastSunset {
            consumer,
            consumer_version,
            interaction,
            element,
            sunset,
        } => format!(
            "{consumer} {consumer_version} still uses {element} ({interaction}), past its sunset \
             {sunset}; it does not block this version, but removing the element would"
        ),
    }
}

fn counts(answer: &Answer) -> String {
    let count = |o: RowOutcome| answer.rows.iter().filter(|r| r.outcome == o).count();
    let n = answer.rows.len();
    format!(
        "{n} {}: {} pass, {} fail, {} unknown",
        plural(n, "integration", "integrations"),
        count(RowOutcome::Pass),
        count(RowOutcome::Fail),
        count(RowOutcome::Unknown)
    )
}

/// For a terminal.
pub fn render_human(answer: &Answer, style: Style) -> String {
    let mut out = String::new();
    let word = verdict_word(answer.verdict).to_uppercase();
    let verdict = match answer.verdict {
        Verdict::Yes => style.good(&word),
        Verdict::No => style.bad(&word),
        Verdict::Unknown => style.warn(&word),
    };
    let _ = writeln!(
        out,
        "can-i-deploy {}: {verdict} {}",
        question(answer),
        style.dim(format!("(as of {})", answer.as_of))
    );
    if !answer.rows.is_empty() {
        out.push('\n');
    }
    for row in &answer.rows {
        let mark = match row.outcome {
            RowOutcome::Pass => style.good("✓"),
            RowOutcome::Fail => style.bad("✗"),
            RowOutcome::Unknown => style.warn("?"),
        };
        let _ = writeln!(
            out,
            "  {mark} {}  {}  {}: {}",
            pair(row),
            style.dim(evidence_word(row.evidence)),
            style.strong(reason_code(row.reason)),
            explain(row, &answer.target)
        );
        for b in &row.blocked_by {
            let _ = writeln!(out, "      blocked by {}", blocked(b));
        }
    }
    for n in &answer.notices {
        let _ = writeln!(out, "  {} {}", style.dim("note:"), notice(n));
    }
    let _ = writeln!(out, "\n{}", counts(answer));
    out
}

/// For a job summary or a pull-request comment.
pub fn render_markdown(answer: &Answer) -> String {
    let mut out = String::new();
    let icon = match answer.verdict {
        Verdict::Yes => "✅",
        Verdict::No => "❌",
        Verdict::Unknown => "❔",
    };
    let _ = writeln!(
        out,
        "### {icon} can-i-deploy {}: **{}**\n",
        md_cell(&question(answer)),
        verdict_word(answer.verdict)
    );
    let _ = writeln!(out, "As of {}. {}.\n", answer.as_of, counts(answer));
    if !answer.rows.is_empty() {
        out.push_str("| | Consumer | Provider | Evidence | Reason |\n|---|---|---|---|---|\n");
        for row in &answer.rows {
            let mark = match row.outcome {
                RowOutcome::Pass => "✅",
                RowOutcome::Fail => "❌",
                RowOutcome::Unknown => "❔",
            };
            let mut reason = format!(
                "`{}`: {}",
                reason_code(row.reason),
                explain(row, &answer.target)
            );
            for b in &row.blocked_by {
                reason.push_str(&format!("; blocked by {}", blocked(b)));
            }
            let _ = writeln!(
                out,
                "| {mark} | {} {} | {} {} | {} | {} |",
                md_cell(&row.consumer),
                md_cell(&row.consumer_version),
                md_cell(&row.provider),
                md_cell(row.provider_version.as_deref().unwrap_or("—")),
                evidence_word(row.evidence),
                md_cell(&reason)
            );
        }
        out.push('\n');
    }
    for n in &answer.notices {
        let _ = writeln!(out, "> {}", md_cell(&notice(n)));
    }
    out
}

/// JUnit XML: one test case per integration; a failing row is a failure, an unknown one skipped.
pub fn render_junit(answer: &Answer) -> String {
    let mut junit = Report::new("vow can-i-deploy");
    let mut suite = TestSuite::new(format!("can-i-deploy {}", question(answer)));
    suite.add_property(("verdict", verdict_word(answer.verdict)));
    suite.add_property(("asOf", answer.as_of.to_string().as_str()));
    for row in &answer.rows {
        let code = reason_code(row.reason);
        let mut text = explain(row, &answer.target);
        for b in &row.blocked_by {
            text.push_str(&format!("\nblocked by {}", blocked(b)));
        }
        let status = match row.outcome {
            RowOutcome::Pass => TestCaseStatus::success(),
            RowOutcome::Fail => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(text.as_str());
                status.set_type(code.as_str());
                status.set_description(text.as_str());
                status
            }
            RowOutcome::Unknown => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(format!("{code}: {text}"));
                status
            }
        };
        let mut case = TestCase::new(pair(row).replace('→', "->"), status);
        case.set_classname(format!("{}.{}", row.consumer, row.provider));
        suite.add_test_case(case);
    }
    junit.add_test_suite(suite);
    junit
        .to_string()
        .unwrap_or_else(|e| format!("<!-- failed to write JUnit XML: {e} -->\n"))
}
