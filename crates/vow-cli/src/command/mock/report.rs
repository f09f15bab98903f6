//! The mock report for people (human), programs (json, docs/mock-report.md) and CI (junit).

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use vow_core::Severity;
use vow_core::mock::report::{CountedFinding, InteractionCoverage};
use vow_core::mock::{MockReport, RehearsalMode, Verdict};

use crate::render::Style;

pub fn json(report: &MockReport) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_default();
    text.push('\n');
    text
}

pub fn human(report: &MockReport, style: Style) -> String {
    let s = &report.summary;
    let mut out = format!(
        "{} {}: {} of {} interactions exercised, {} requests ({} matched, {} unmatched)\n",
        style.strong("vow mock"),
        report.url,
        s.exercised,
        s.interactions,
        s.requests,
        s.matched,
        s.unmatched
    );
    let r = &report.rehearsal;
    if r.mode != RehearsalMode::Off || r.errors + r.delays + r.beyond_timeout > 0 {
        out.push_str(&format!(
            "rehearsed ({} at share {}): {} errors, {} delays at the provider's p99, {} beyond the consumer's timeout\n",
            r.mode.as_str(),
            r.share.as_f64(),
            r.errors,
            r.delays,
            r.beyond_timeout
        ));
    }

    let mut pair = None;
    for i in &report.interactions {
        if pair != Some((&i.consumer, &i.provider)) {
            pair = Some((&i.consumer, &i.provider));
            out.push_str(&format!("\n{} → {}\n", i.consumer, i.provider));
        }
        out.push_str(&format!("  {}\n", coverage_line(i, report, style)));
    }

    if !report.unmatched.is_empty() {
        out.push_str(&format!("\n{}\n", style.strong("unmatched requests")));
        for u in &report.unmatched {
            let query = u
                .query
                .as_deref()
                .map(|q| format!("?{q}"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {} {}{} ({})\n",
                u.method,
                u.path,
                query,
                times(u.count)
            ));
            if u.closest.is_empty() {
                out.push_str("    no interaction is close\n");
            }
            for c in &u.closest {
                out.push_str(&format!(
                    "    closest: {}: {}\n",
                    c.interaction,
                    c.why.join("; ")
                ));
            }
        }
    }

    let findings: Vec<&CountedFinding> = report
        .findings
        .iter()
        .filter(|f| {
            !matches!(
                f.finding.rule.id,
                "mock.unmatched-request" | "mock.unexercised-interaction"
            )
        })
        .collect();
    if !findings.is_empty() {
        out.push_str(&format!("\n{}\n", style.strong("findings")));
        for counted in findings {
            let f = &counted.finding;
            let severity = match f.severity {
                Severity::Error => style.bad("error"),
                Severity::Warning => style.warn("warning"),
                Severity::Info => style.dim("info"),
            };
            out.push_str(&format!(
                "  {severity} {} {} {} ({})\n    {}\n",
                f.rule.id,
                f.location.interaction.as_deref().unwrap_or("-"),
                if f.location.pointer.is_empty() {
                    "/"
                } else {
                    &f.location.pointer
                },
                times(counted.count),
                f.message
            ));
            if let Some(e) = &f.expected {
                out.push_str(&format!("    expected: {e}\n"));
            }
            if let Some(a) = &f.actual {
                out.push_str(&format!("    actual:   {a}\n"));
            }
            if let Some(h) = &f.hint {
                out.push_str(&format!("    {}\n", style.dim(format!("hint: {h}"))));
            }
        }
    }
    if s.omitted > 0 {
        out.push_str(&format!(
            "\n{} more distinct unmatched requests or findings were counted but not kept\n",
            s.omitted
        ));
    }
    let verdict = match report.verdict() {
        Verdict::Passed => style.good("passed"),
        Verdict::Failed => style.bad("failed"),
    };
    out.push_str(&format!(
        "\n{verdict}: {} errors, {} warnings, {} infos\n",
        s.errors, s.warnings, s.infos
    ));
    out
}

fn coverage_line(i: &InteractionCoverage, report: &MockReport, style: Style) -> String {
    let name = format!("{}/{}", i.consumer, i.id);
    let has_errors = report.findings.iter().any(|f| {
        f.finding.severity == Severity::Error
            && f.finding.location.interaction.as_deref() == Some(name.as_str())
    });
    let mark = if i.requests == 0 {
        if has_errors {
            style.bad("✗")
        } else {
            style.warn("-")
        }
    } else if has_errors {
        style.bad("✗")
    } else {
        style.good("✓")
    };
    let mut line = format!("{mark} {} {} {}: ", i.id, i.method, i.path);
    if i.requests == 0 {
        line.push_str("not exercised");
    } else {
        line.push_str(&match i.requests {
            1 => "1 request".to_owned(),
            n => format!("{n} requests"),
        });
        let r = &i.rehearsed;
        if r.errors + r.delays + r.beyond_timeout > 0 {
            line.push_str(&format!(
                " ({} rehearsed errors, {} delays, {} beyond the timeout)",
                r.errors, r.delays, r.beyond_timeout
            ));
        }
    }
    line
}

fn times(n: u64) -> String {
    if n == 1 {
        "1 time".to_owned()
    } else {
        format!("{n} times")
    }
}

pub fn junit(report: &MockReport) -> String {
    let mut junit = Report::new("vow mock");
    let mut suite = TestSuite::new(format!("vow mock {}", report.url));
    for i in &report.interactions {
        let name = format!("{}/{}", i.consumer, i.id);
        let failures: Vec<&CountedFinding> = report
            .findings
            .iter()
            .filter(|f| {
                f.finding.severity == Severity::Error
                    && f.finding.location.interaction.as_deref() == Some(name.as_str())
            })
            .collect();
        let status = if failures.is_empty() {
            if i.requests == 0 {
                let mut s = TestCaseStatus::skipped();
                s.set_message("not exercised");
                s
            } else {
                TestCaseStatus::success()
            }
        } else {
            let text: Vec<String> = failures
                .iter()
                .map(|f| {
                    format!(
                        "{}: {} ({})",
                        f.finding.rule.id,
                        f.finding.message,
                        times(f.count)
                    )
                })
                .collect();
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(text[0].as_str());
            s.set_type(failures[0].finding.rule.id);
            s.set_description(text.join("\n"));
            s
        };
        let mut case = TestCase::new(i.id.as_str(), status);
        case.set_classname(format!("{}.{}", i.consumer, i.provider));
        suite.add_test_case(case);
    }
    let status = if report.summary.unmatched == 0 {
        TestCaseStatus::success()
    } else {
        let text: Vec<String> = report
            .unmatched
            .iter()
            .map(|u| format!("{} {} ({})", u.method, u.path, times(u.count)))
            .collect();
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_message(format!(
            "{} requests matched no interaction",
            report.summary.unmatched
        ));
        s.set_type("mock.unmatched-request");
        s.set_description(text.join("\n"));
        s
    };
    let mut case = TestCase::new("unmatched requests", status);
    case.set_classname("vow.mock");
    suite.add_test_case(case);
    junit.add_test_suite(suite);
    junit
        .to_string()
        .unwrap_or_else(|e| format!("<!-- failed to write JUnit XML: {e} -->\n"))
}
