//! Findings per contract as Markdown, for a pull-request comment or a CI job summary: a headline
//! verdict, a table of consumers and their outcome, then the findings grouped by consumer and
//! interaction, with long lists collapsed. Works for any per-contract results (`vow check`, and
//! `vow verify` later).

use std::collections::BTreeSet;
use std::fmt::Write;

use vow_core::verification::{ContractResult, InteractionResult, Outcome, Summary};
use vow_core::{Finding, Severity};

use super::text::{md_cell, plural};

/// An interaction with more findings than this shows them collapsed.
const COLLAPSE_ABOVE: usize = 5;

/// Renders `contracts` under a headline `title` (`vow check`) with one line of `context` (the spec,
/// the clock) below it.
pub fn render_markdown(title: &str, context: &str, contracts: &[ContractResult]) -> String {
    let summary = Summary::of(contracts);
    let mut out = String::new();
    let failing: BTreeSet<&str> = contracts
        .iter()
        .filter(|c| c.interactions.iter().any(|i| i.outcome == Outcome::Failed))
        .map(|c| c.consumer.as_str())
        .collect();
    let consumers: BTreeSet<&str> = contracts.iter().map(|c| c.consumer.as_str()).collect();
    let headline = if summary.failed == 0 {
        format!(
            "✅ {title} passed: {} {}, {} {}, no errors",
            summary.contracts,
            plural(summary.contracts, "contract", "contracts"),
            summary.interactions,
            plural(summary.interactions, "interaction", "interactions"),
        )
    } else {
        format!(
            "❌ {title} failed: {} of {} {} {} ({} {} in {} {})",
            failing.len(),
            consumers.len(),
            plural(consumers.len(), "consumer", "consumers"),
            plural(failing.len(), "breaks", "break"),
            summary.errors,
            plural(summary.errors, "error", "errors"),
            summary.failed,
            plural(summary.failed, "interaction", "interactions"),
        )
    };
    let _ = writeln!(out, "## {}\n", md_text(&headline));
    if !context.is_empty() {
        let _ = writeln!(out, "{}\n", md_text(context));
    }
    let _ = writeln!(
        out,
        "{} {}, {} {}, {} {} · {} passed, {} failed\n",
        summary.errors,
        plural(summary.errors, "error", "errors"),
        summary.warnings,
        plural(summary.warnings, "warning", "warnings"),
        summary.infos,
        plural(summary.infos, "info", "infos"),
        summary.passed,
        summary.failed
    );
    if contracts.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "| | consumer | provider | contract | interactions | failed | errors | warnings | infos |"
    );
    let _ = writeln!(out, "|---|---|---|---|---:|---:|---:|---:|---:|");
    for c in contracts {
        let s = Summary::of(std::slice::from_ref(c));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            if s.failed == 0 { "✅" } else { "❌" },
            md_cell(&c.consumer),
            md_cell(&c.provider),
            // A pipe would split the row, even inside a code span.
            md_code(&c.source).replace('|', "\\|"),
            s.interactions,
            s.failed,
            s.errors,
            s.warnings,
            s.infos
        );
    }
    for c in contracts {
        let with_findings: Vec<&InteractionResult> = c
            .interactions
            .iter()
            .filter(|i| !i.findings.is_empty())
            .collect();
        if with_findings.is_empty() {
            continue;
        }
        let mark = if c.interactions.iter().any(|i| i.outcome == Outcome::Failed) {
            "❌"
        } else {
            "✅"
        };
        let _ = writeln!(
            out,
            "\n### {mark} {} → {}\n",
            md_text(&c.consumer),
            md_text(&c.provider)
        );
        for i in with_findings {
            render_interaction(&mut out, i);
        }
    }
    out
}

fn render_interaction(out: &mut String, interaction: &InteractionResult) {
    let mark = match interaction.outcome {
        Outcome::Passed => "✅",
        Outcome::Failed => "❌",
    };
    let _ = writeln!(
        out,
        "**{mark} {}** {} — {}\n",
        md_code(&interaction.id),
        md_code(&format!("{} {}", interaction.method, interaction.path)),
        md_text(&interaction.description)
    );
    let n = interaction.findings.len();
    let collapse = n > COLLAPSE_ABOVE;
    if collapse {
        let counts = [Severity::Error, Severity::Warning, Severity::Info]
            .into_iter()
            .filter_map(|s| {
                let k = interaction
                    .findings
                    .iter()
                    .filter(|f| f.severity == s)
                    .count();
                (k > 0).then(|| format!("{k} {}", severity_word(s, k)))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            out,
            "<details><summary>{n} {} ({counts})</summary>\n",
            plural(n, "finding", "findings")
        );
    }
    for f in &interaction.findings {
        render_finding(out, f);
    }
    if collapse {
        let _ = writeln!(out, "\n</details>");
    }
    out.push('\n');
}

fn render_finding(out: &mut String, f: &Finding) {
    let pointer = if f.location.pointer.is_empty() {
        "/"
    } else {
        &f.location.pointer
    };
    let _ = writeln!(
        out,
        "- {} **{}** {} at {}: {}",
        icon(f.severity),
        f.severity,
        md_code(f.rule.id),
        md_code(pointer),
        md_text(&f.message)
    );
    match (&f.expected, &f.actual) {
        (Some(e), Some(a)) => {
            let _ = writeln!(
                out,
                "  <br>expected: {} · actual: {}",
                md_code(e),
                md_code(a)
            );
        }
        (Some(e), None) => {
            let _ = writeln!(out, "  <br>expected: {}", md_code(e));
        }
        (None, Some(a)) => {
            let _ = writeln!(out, "  <br>actual: {}", md_code(a));
        }
        (None, None) => {}
    }
    if let Some(hint) = &f.hint {
        let _ = writeln!(out, "  <br>hint: {}", md_text(hint));
    }
}

fn icon(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "❌",
        Severity::Warning => "⚠️",
        Severity::Info => "ℹ️",
    }
}

fn severity_word(severity: Severity, n: usize) -> &'static str {
    match severity {
        Severity::Error => plural(n, "error", "errors"),
        Severity::Warning => plural(n, "warning", "warnings"),
        Severity::Info => plural(n, "info", "infos"),
    }
}

/// Text that Markdown shows as written: emphasis markers, brackets and HTML neutralised, line
/// breaks flattened.
pub fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            // `_` inside a word (`card_declined`) never emphasises.
            '_' if i > 0
                && chars[i - 1].is_alphanumeric()
                && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric()) =>
            {
                out.push(c);
            }
            '\\' | '*' | '_' | '[' | ']' | '`' => {
                out.push('\\');
                out.push(c);
            }
            // A heading marker only counts at the start of a line.
            '#' if i == 0 => out.push_str("\\#"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span that holds `text` verbatim, whatever backticks it contains.
pub fn md_code(text: &str) -> String {
    let text = text.replace(['\r', '\n'], " ");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    // A code span that starts or ends with a backtick needs a space inside the fence.
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_turn_into_markup() {
        assert_eq!(md_text("a *b* <i>_c_"), "a \\*b\\* &lt;i&gt;\\_c\\_");
        assert_eq!(md_text("line\nbreak"), "line break");
        assert_eq!(md_text("card_declined _x_ #1"), "card_declined \\_x\\_ #1");
        assert_eq!(md_text("# not a heading"), "\\# not a heading");
    }

    #[test]
    fn code_spans_hold_backticks() {
        assert_eq!(md_code("/items/*/sku"), "`/items/*/sku`");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`x`"), "`` `x` ``");
    }
}
