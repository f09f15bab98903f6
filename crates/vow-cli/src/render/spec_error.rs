//! Problems in provider specs, each located by file, line, column and JSON pointer.

use std::fmt::Write;

use vow_engine::SpecLoadError;

use super::Style;
use super::text::plural;

pub fn render_spec_error(error: &SpecLoadError, style: Style) -> String {
    let mut out = String::new();
    match error {
        SpecLoadError::Io { .. } => {
            let _ = writeln!(out, "{} {error}", style.bad("error:"));
        }
        SpecLoadError::Spec(e) => {
            let n = e.problems.len();
            let origin = e.problems.first().map_or("the spec", |p| p.origin.as_str());
            let _ = writeln!(
                out,
                "{} {origin} has {n} {}:",
                style.bad("error:"),
                plural(n, "problem", "problems")
            );
            for p in &e.problems {
                let place = style.strong(p.problem.place(&p.origin));
                let _ = writeln!(out, "  {place} {}", style.dim(p.problem.pointer_text()));
                let _ = writeln!(
                    out,
                    "    expected {}, found {}",
                    p.problem.expected, p.problem.found
                );
                if let Some(hint) = &p.problem.hint {
                    let _ = writeln!(out, "    {} {hint}", style.dim("hint:"));
                }
            }
        }
    }
    out
}
