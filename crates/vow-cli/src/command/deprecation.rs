//! `vow deprecations`: the deprecated elements of a provider's specs that consumers still use, as
//! the broker reports them (most urgent first), as an aligned table or JSON. A report, so it exits
//! 0, unless `--fail-on` names an urgency that a row reaches.

use std::fmt::Write as _;
use std::io::Write as _;

use vow_engine::broker::{DeprecationInUse, DeprecationStatus, Deprecations};

use crate::cli::{ColorChoice, DeprecationsArgs, DeprecationsFormat, FailOn};
use crate::command::remote;
use crate::exit::{self, Failure};
use crate::render::Style;
use crate::write_stdout;

pub fn run(args: DeprecationsArgs, color: ColorChoice) -> Result<u8, Failure> {
    let client = remote::client(args.broker)?;
    let provider = args.provider;
    let as_of = args.as_of.map(|d| d.format("%Y-%m-%d").to_string());
    let report = remote::runtime()?.block_on(async {
        client
            .deprecations(
                &provider,
                args.environment.as_deref(),
                as_of.as_deref(),
                Some(args.warning_days),
            )
            .await
            .map_err(|e| {
                remote::failure(e, format!("failed to list the deprecations of {provider}"))
            })
    })?;
    let text = match args.format {
        DeprecationsFormat::Human => render_table(
            &report,
            args.environment.as_deref(),
            Style::for_stdout(color),
        ),
        DeprecationsFormat::Json => {
            let mut text = serde_json::to_string_pretty(&report)
                .map_err(|e| Failure::new(exit::INVALID_INPUT, anyhow::Error::new(e)))?;
            text.push('\n');
            text
        }
    };
    write_stdout(&text)?;
    let Some(fail_on) = args.fail_on else {
        return Ok(exit::SUCCESS);
    };
    let failing = report
        .deprecations
        .iter()
        .filter(|row| reaches(row.status, fail_on))
        .count();
    if failing == 0 {
        return Ok(exit::SUCCESS);
    }
    let (threshold, words) = match fail_on {
        FailOn::Overdue => ("overdue", "overdue or removed"),
        FailOn::Near => ("near", "near, overdue or removed"),
    };
    let style = Style::for_stderr(color);
    let _ = writeln!(
        std::io::stderr(),
        "{} {failing} deprecated {} in use {} {words} (--fail-on {threshold})",
        style.bad("failed:"),
        plural(failing, "element", "elements"),
        if failing == 1 { "is" } else { "are" },
    );
    Ok(exit::FINDINGS)
}

/// Whether a row at `status` is at least as urgent as `fail_on` (removed counts as overdue).
fn reaches(status: DeprecationStatus, fail_on: FailOn) -> bool {
    let threshold = match fail_on {
        FailOn::Overdue => DeprecationStatus::Overdue,
        FailOn::Near => DeprecationStatus::Near,
    };
    status <= threshold
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// The rows as an aligned table in the broker's order, a heading naming the clock, and a count by
/// status; or one sentence when nothing deprecated is in use.
fn render_table(report: &Deprecations, environment: Option<&str>, style: Style) -> String {
    let provider = &report.provider;
    let place = environment.map_or_else(|| "in any environment".to_owned(), |e| format!("in {e}"));
    if report.deprecations.is_empty() {
        return format!(
            "no deprecated element of {provider} is in use {place} as of {}\n",
            report.as_of
        );
    }
    let header = [
        "status",
        "days left",
        "sunset",
        "consumer",
        "environment",
        "element",
        "interaction",
    ];
    let rows: Vec<[String; 7]> = report.deprecations.iter().map(cells).collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        style.strong(format!(
            "deprecated elements of {provider} in use {place}, as of {} (near: a sunset within {} days)",
            report.as_of, report.warning_days
        ))
    );
    out.push('\n');
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    let _ = writeln!(out, "{}", style.dim(line(&header, &widths)));
    for (row, record) in rows.iter().zip(&report.deprecations) {
        let text = line(row, &widths);
        // The status word leads the line; colour it after padding, so colour codes do not count
        // towards the widths.
        let status = record.status.as_str();
        let coloured = match record.status {
            DeprecationStatus::Removed | DeprecationStatus::Overdue => style.bad(status),
            DeprecationStatus::Near => style.warn(status),
            DeprecationStatus::Scheduled => status.to_owned(),
        };
        let _ = writeln!(out, "{coloured}{}", &text[status.len()..]);
    }
    out.push('\n');
    let mut counts = Vec::new();
    for status in [
        DeprecationStatus::Removed,
        DeprecationStatus::Overdue,
        DeprecationStatus::Near,
        DeprecationStatus::Scheduled,
    ] {
        let n = report
            .deprecations
            .iter()
            .filter(|r| r.status == status)
            .count();
        if n > 0 {
            counts.push(format!("{n} {}", status.as_str()));
        }
    }
    let total = report.deprecations.len();
    let _ = writeln!(
        out,
        "{total} deprecated {} in use: {}",
        plural(total, "element", "elements"),
        counts.join(", ")
    );
    out
}

/// One row's cells, in the header's order.
fn cells(row: &DeprecationInUse) -> [String; 7] {
    [
        row.status.as_str().to_owned(),
        row.days_left
            .map_or_else(|| "-".to_owned(), |d| d.to_string()),
        row.sunset.clone().unwrap_or_else(|| "-".to_owned()),
        format!("{}@{}", row.consumer, row.consumer_version),
        row.environment.clone(),
        row.element.clone(),
        row.interaction.clone(),
    ]
}

/// Cells padded to `widths`, two spaces apart; the days are right-aligned, the last cell is not
/// padded.
fn line(cells: &[String], widths: &[usize]) -> String {
    let mut out = String::new();
    let last = cells.len().saturating_sub(1);
    for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            out.push_str("  ");
        }
        let pad = width.saturating_sub(cell.chars().count());
        if i == 1 {
            out.push_str(&" ".repeat(pad));
            out.push_str(cell);
        } else if i == last {
            out.push_str(cell);
        } else {
            out.push_str(cell);
            out.push_str(&" ".repeat(pad));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: DeprecationStatus, days_left: Option<i64>, element: &str) -> DeprecationInUse {
        DeprecationInUse {
            environment: "production".to_owned(),
            provider: "shop-api".to_owned(),
            provider_version: "1.0.0".to_owned(),
            consumer: "mobile-app".to_owned(),
            consumer_version: "7.0.0".to_owned(),
            interaction: "get-cart-summary".to_owned(),
            element: element.to_owned(),
            status,
            sunset: days_left.map(|_| "2027-06-30".to_owned()),
            days_left,
            stability: None,
            deprecated_in: None,
            deprecated_since: None,
        }
    }

    #[test]
    fn removed_counts_as_overdue_and_overdue_as_near() {
        use DeprecationStatus::*;
        let failing = |fail_on| {
            [Removed, Overdue, Near, Scheduled]
                .into_iter()
                .filter(|s| reaches(*s, fail_on))
                .collect::<Vec<_>>()
        };
        assert_eq!(failing(FailOn::Overdue), [Removed, Overdue]);
        assert_eq!(failing(FailOn::Near), [Removed, Overdue, Near]);
    }

    #[test]
    fn the_table_is_aligned_in_the_brokers_order() {
        let report = Deprecations {
            provider: "shop-api".to_owned(),
            as_of: "2027-06-10".to_owned(),
            warning_days: 30,
            deprecations: vec![
                row(
                    DeprecationStatus::Removed,
                    None,
                    "GET /carts/{cartId}/summary",
                ),
                row(DeprecationStatus::Near, Some(20), "GET /prices/{sku}"),
                row(
                    DeprecationStatus::Scheduled,
                    Some(120),
                    "/response/body/legacy",
                ),
            ],
        };
        let text = render_table(&report, None, Style { enabled: false });
        assert_eq!(
            text,
            "deprecated elements of shop-api in use in any environment, as of 2027-06-10 (near: a sunset within 30 days)\n\
             \n\
             status     days left  sunset      consumer          environment  element                      interaction\n\
             removed            -  -           mobile-app@7.0.0  production   GET /carts/{cartId}/summary  get-cart-summary\n\
             near              20  2027-06-30  mobile-app@7.0.0  production   GET /prices/{sku}            get-cart-summary\n\
             scheduled        120  2027-06-30  mobile-app@7.0.0  production   /response/body/legacy        get-cart-summary\n\
             \n\
             3 deprecated elements in use: 1 removed, 1 near, 1 scheduled\n"
        );
    }

    #[test]
    fn nothing_in_use_is_said_plainly() {
        let report = Deprecations {
            provider: "shop-api".to_owned(),
            as_of: "2027-06-10".to_owned(),
            warning_days: 30,
            deprecations: vec![],
        };
        assert_eq!(
            render_table(&report, Some("production"), Style { enabled: false }),
            "no deprecated element of shop-api is in use in production as of 2027-06-10\n"
        );
    }
}
