//! `vow diff` reports in every format: human, JSON, Markdown (a pull-request comment that leads with
//! the consumers affected), GitHub workflow annotations, JUnit XML and SARIF.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::json;
use vow_core::diff::{Change, DiffReport, Side};
use vow_core::spec::Documents;
use vow_core::{Severity, rules};

use super::Style;
use super::text::{annotation_data, annotation_property, md_cell, plural};

/// The documents of both sides, to turn JSON pointers into file, line and column.
#[derive(Debug, Clone, Copy)]
pub struct DiffDocuments<'a> {
    pub old: &'a Documents,
    pub new: &'a Documents,
}

/// A place in a spec document.
struct Place {
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    pointer: String,
}

impl Place {
    fn text(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", self.file),
            _ => self.file.clone(),
        }
    }
}

impl DiffDocuments<'_> {
    fn place(&self, change: &Change) -> Place {
        let docs = match change.location.side {
            Side::Old => self.old,
            Side::New => self.new,
        };
        let doc = if change.location.doc < docs.len() {
            change.location.doc
        } else {
            0
        };
        let document = docs.get(doc);
        let position = document.position(&change.location.pointer);
        Place {
            file: document.origin.clone(),
            line: position.map(|p| p.line),
            column: position.map(|p| p.column),
            pointer: change.location.pointer.clone(),
        }
    }
}

fn severity_mark(severity: Severity, style: Style) -> String {
    match severity {
        Severity::Error => style.bad("error  "),
        Severity::Warning => style.warn("warning"),
        Severity::Info => style.dim("info   "),
    }
}

fn headline(report: &DiffReport) -> String {
    let s = &report.summary;
    if s.errors == 0 {
        if s.changes == 0 {
            "no changes that can break a consumer".to_owned()
        } else if !report.contracts.is_empty() && s.unused_breaking > 0 {
            format!(
                "no breaking change affects the contracts given ({} breaking {} no consumer uses)",
                s.unused_breaking,
                plural(s.unused_breaking, "change", "changes")
            )
        } else {
            "no breaking changes".to_owned()
        }
    } else if report.contracts.is_empty() {
        format!(
            "{} breaking {}",
            s.errors,
            plural(s.errors, "change", "changes")
        )
    } else {
        format!(
            "{} breaking {} {} {} {}: {}",
            s.errors,
            plural(s.errors, "change", "changes"),
            plural(s.errors, "affects", "affect"),
            s.affected_consumers.len(),
            plural(s.affected_consumers.len(), "consumer", "consumers"),
            s.affected_consumers.join(", ")
        )
    }
}

fn side_line(report: &DiffReport) -> String {
    let version = |v: &str| {
        if v.is_empty() {
            String::new()
        } else {
            format!(" ({v})")
        }
    };
    format!(
        "{}{} → {}{}",
        report.old.path,
        version(&report.old.version),
        report.new.path,
        version(&report.new.version)
    )
}

fn graded_against(report: &DiffReport) -> String {
    match report.contracts.len() {
        0 => "not graded against contracts (pass --contracts to see who is affected)".to_owned(),
        n => format!("graded against {n} {}", plural(n, "contract", "contracts")),
    }
}

pub fn human(report: &DiffReport, docs: &DiffDocuments<'_>, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", style.strong("vow diff"), side_line(report));
    let _ = writeln!(
        out,
        "{}",
        style.dim(format!(
            "as of {}, sunset notice {} days, {}",
            report.as_of,
            report.deprecation_days,
            graded_against(report)
        ))
    );
    let by_operation = by_operation(report);
    for (operation, changes) in &by_operation {
        let _ = writeln!(out, "\n{}", style.strong(operation));
        for c in changes {
            let place = docs.place(c);
            let _ = writeln!(
                out,
                "  {} {}",
                severity_mark(c.severity, style),
                style.strong(c.rule.id)
            );
            let _ = writeln!(out, "          {}", c.message);
            match (&c.before, &c.after) {
                (Some(b), Some(a)) => {
                    let _ = writeln!(
                        out,
                        "          {} {}",
                        style.dim("before:"),
                        style.removed(b)
                    );
                    let _ = writeln!(out, "          {} {}", style.dim("after: "), style.added(a));
                }
                (Some(b), None) => {
                    let _ = writeln!(
                        out,
                        "          {} {}",
                        style.dim("before:"),
                        style.removed(b)
                    );
                }
                (None, Some(a)) => {
                    let _ = writeln!(out, "          {} {}", style.dim("after: "), style.added(a));
                }
                (None, None) => {}
            }
            let _ = writeln!(
                out,
                "          {} {} {}",
                style.dim("at"),
                place.text(),
                style.dim(format!("({} spec {})", side_name(c), place.pointer))
            );
            for a in &c.affected {
                let _ = writeln!(
                    out,
                    "          {} {} › {}: {}",
                    style.dim("used by"),
                    style.strong(&a.consumer),
                    a.interaction,
                    a.reason
                );
            }
            if let Some(hint) = &c.hint
                && c.severity > Severity::Info
            {
                let _ = writeln!(out, "          {} {hint}", style.dim("hint:"));
            }
        }
    }
    let s = &report.summary;
    let verdict = if report.passed() {
        style.good(format!("✓ {}", headline(report)))
    } else {
        style.bad(format!("✗ {}", headline(report)))
    };
    let _ = writeln!(
        out,
        "\n{verdict}\n{}",
        style.dim(format!(
            "{} {}: {} error, {} warning, {} info",
            s.changes,
            plural(s.changes, "change", "changes"),
            s.errors,
            s.warnings,
            s.infos
        ))
    );
    out
}

/// The changes grouped by operation, operations in name order.
fn by_operation(report: &DiffReport) -> BTreeMap<&str, Vec<&Change>> {
    let mut out: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for c in &report.changes {
        out.entry(c.operation.as_str()).or_default().push(c);
    }
    out
}

fn side_name(c: &Change) -> &'static str {
    match c.location.side {
        Side::Old => "old",
        Side::New => "new",
    }
}

pub fn json(report: &DiffReport) -> String {
    let mut text = serde_json::to_string_pretty(report)
        .unwrap_or_else(|e| format!("{{\"error\": \"failed to write the report: {e}\"}}"));
    text.push('\n');
    text
}

fn icon(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "❌",
        Severity::Warning => "⚠️",
        Severity::Info => "ℹ️",
    }
}

pub fn markdown(report: &DiffReport, docs: &DiffDocuments<'_>) -> String {
    let mut out = String::new();
    let mark = if report.passed() { "✅" } else { "❌" };
    let _ = writeln!(out, "## {mark} vow diff: {}\n", md_cell(&headline(report)));
    let _ = writeln!(
        out,
        "`{}` → `{}` · as of {} · {}\n",
        md_cell(&report.old.path),
        md_cell(&report.new.path),
        report.as_of,
        graded_against(report)
    );
    // Consumers first: who breaks, through which interactions.
    let mut consumers: BTreeMap<&str, (Vec<&str>, usize)> = BTreeMap::new();
    for c in report
        .changes
        .iter()
        .filter(|c| c.severity > Severity::Info)
    {
        let mut counted = std::collections::BTreeSet::new();
        for a in &c.affected {
            let entry = consumers.entry(a.consumer.as_str()).or_default();
            if !entry.0.contains(&a.interaction.as_str()) {
                entry.0.push(a.interaction.as_str());
            }
            if counted.insert(a.consumer.as_str()) {
                entry.1 += 1;
            }
        }
    }
    if !consumers.is_empty() {
        let _ = writeln!(out, "### Consumers affected\n");
        let _ = writeln!(out, "| consumer | interactions | changes |\n|---|---|---|");
        for (consumer, (interactions, n)) in &consumers {
            let _ = writeln!(
                out,
                "| **{}** | {} | {n} |",
                md_cell(consumer),
                interactions
                    .iter()
                    .map(|i| format!("`{}`", md_cell(i)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        out.push('\n');
    }
    let (major, minor): (Vec<&Change>, Vec<&Change>) = report
        .changes
        .iter()
        .partition(|c| c.severity > Severity::Info);
    if !major.is_empty() {
        let _ = writeln!(out, "### Changes that need attention\n");
        change_table(&mut out, &major, docs);
        out.push('\n');
        let _ = writeln!(out, "<details><summary>Details</summary>\n");
        for c in &major {
            let _ = writeln!(
                out,
                "- {} **{}** `{}` — {}",
                icon(c.severity),
                md_cell(&c.operation),
                c.rule.id,
                md_cell(&c.message)
            );
            if let (Some(b), Some(a)) = (&c.before, &c.after) {
                let _ = writeln!(
                    out,
                    "  - before: `{}` · after: `{}`",
                    md_cell(b),
                    md_cell(a)
                );
            }
            for a in &c.affected {
                let _ = writeln!(
                    out,
                    "  - used by **{}** › `{}`: {}",
                    md_cell(&a.consumer),
                    md_cell(&a.interaction),
                    md_cell(&a.reason)
                );
            }
            if let Some(hint) = &c.hint {
                let _ = writeln!(out, "  - hint: {}", md_cell(hint));
            }
        }
        let _ = writeln!(out, "\n</details>\n");
    }
    if !minor.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} other {} (info)</summary>\n",
            minor.len(),
            plural(minor.len(), "change", "changes")
        );
        change_table(&mut out, &minor, docs);
        let _ = writeln!(out, "\n</details>");
    }
    out
}

fn change_table(out: &mut String, changes: &[&Change], docs: &DiffDocuments<'_>) {
    let _ = writeln!(
        out,
        "| | rule | operation | change | where | used by |\n|---|---|---|---|---|---|"
    );
    for c in changes {
        let used: Vec<String> = c
            .affected
            .iter()
            .map(|a| format!("{} › `{}`", md_cell(&a.consumer), md_cell(&a.interaction)))
            .collect();
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | `{}` | {} |",
            icon(c.severity),
            c.rule.id,
            md_cell(&c.operation),
            md_cell(&c.message),
            md_cell(&docs.place(c).text()),
            if used.is_empty() {
                "—".to_owned()
            } else {
                used.join("<br>")
            }
        );
    }
}

pub fn github(report: &DiffReport, docs: &DiffDocuments<'_>) -> String {
    let mut out = String::new();
    for c in &report.changes {
        let command = match c.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let place = docs.place(c);
        let mut props = vec![format!("file={}", annotation_property(&place.file))];
        if let Some(line) = place.line {
            props.push(format!("line={line}"));
        }
        if let Some(col) = place.column {
            props.push(format!("col={col}"));
        }
        props.push(format!(
            "title={}",
            annotation_property(&format!("{} ({})", c.rule.id, c.operation))
        ));
        let mut message = c.message.clone();
        for a in &c.affected {
            message.push_str(&format!(
                "\nused by {} › {}: {}",
                a.consumer, a.interaction, a.reason
            ));
        }
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            props.join(","),
            annotation_data(&message)
        );
    }
    let _ = writeln!(out, "vow diff: {}", headline(report));
    out
}

pub fn junit(report: &DiffReport) -> String {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut junit = Report::new("vow diff");
    let by_operation = by_operation(report);
    let mut suite = TestSuite::new(format!("{} -> {}", report.old.path, report.new.path));
    for (operation, changes) in by_operation {
        let errors: Vec<&&Change> = changes
            .iter()
            .filter(|c| c.severity == Severity::Error)
            .collect();
        let status = if errors.is_empty() {
            TestCaseStatus::success()
        } else {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(errors[0].message.as_str());
            status.set_type(errors[0].rule.id);
            let mut text = String::new();
            for c in &changes {
                let _ = writeln!(text, "{} {}: {}", c.severity, c.rule.id, c.message);
                for a in &c.affected {
                    let _ = writeln!(
                        text,
                        "  used by {} › {}: {}",
                        a.consumer, a.interaction, a.reason
                    );
                }
            }
            status.set_description(text);
            status
        };
        let mut case = TestCase::new(operation, status);
        case.set_classname("vow.diff");
        suite.add_test_case(case);
    }
    junit.add_test_suite(suite);
    junit
        .to_string()
        .unwrap_or_else(|e| format!("<!-- failed to write JUnit XML: {e} -->\n"))
}

pub fn sarif(report: &DiffReport, docs: &DiffDocuments<'_>) -> String {
    let mut used: Vec<&'static str> = report.changes.iter().map(|c| c.rule.id).collect();
    used.sort_unstable();
    used.dedup();
    let rule_entries: Vec<serde_json::Value> = used
        .iter()
        .filter_map(|id| rules::by_id(id))
        .map(|r| super::text::sarif_rule(&r))
        .collect();
    let results: Vec<serde_json::Value> = report
        .changes
        .iter()
        .map(|c| {
            let place = docs.place(c);
            let mut region = serde_json::Map::new();
            if let Some(line) = place.line {
                region.insert("startLine".into(), json!(line));
            }
            if let Some(col) = place.column {
                region.insert("startColumn".into(), json!(col));
            }
            let mut physical = json!({"artifactLocation": {"uri": place.file}});
            if !region.is_empty() {
                physical["region"] = serde_json::Value::Object(region);
            }
            json!({
                "ruleId": c.rule.id,
                "ruleIndex": used.iter().position(|id| *id == c.rule.id),
                "level": super::text::sarif_level(c.severity),
                "message": {"text": c.message},
                "locations": [{
                    "physicalLocation": physical,
                    "logicalLocations": [{"name": c.operation, "fullyQualifiedName": format!("{}#{}", place.file, place.pointer)}]
                }],
                "properties": {
                    "dimension": c.dimension,
                    "breaking": c.breaking,
                    "affected": c.affected,
                }
            })
        })
        .collect();
    super::text::sarif_document(rule_entries, results)
}
