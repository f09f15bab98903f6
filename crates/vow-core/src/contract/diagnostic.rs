//! Problems found in a contract file, located by JSON pointer and, where the text allows, by line and
//! column. A file with several problems reports all of them at once.

use std::fmt;

use serde::Serialize;

/// A 1-based line and column in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// One problem in a contract file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// JSON pointer to the offending value (`""` for the whole document).
    pub pointer: String,
    /// Where the offending value starts in the text, when known.
    pub position: Option<Position>,
    /// What the format requires there, e.g. `an integer from 100 to 599`.
    pub expected: String,
    /// What the file holds there, e.g. `the string "two hundred"`.
    pub found: String,
    /// A hint on what to do, e.g. `did you mean "description"?`.
    pub hint: Option<String>,
}

/// A contract file that could not be read, with every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContractError {
    /// The name of the source (usually its path), as given to the parser.
    pub origin: String,
    pub problems: Vec<Problem>,
}

impl Problem {
    /// Where the problem is: `origin:line:column`, or `origin` when the text does not locate it.
    pub fn place(&self, origin: &str) -> String {
        place(origin, self.position)
    }

    /// The JSON pointer, or `(document)` for the whole document.
    pub fn pointer_text(&self) -> &str {
        pointer_text(&self.pointer)
    }
}

/// `origin:line:column`, or `origin` when the position is unknown.
pub fn place(origin: &str, position: Option<Position>) -> String {
    match position {
        Some(p) => format!("{origin}:{}:{}", p.line, p.column),
        None => origin.to_owned(),
    }
}

/// A JSON pointer as people read it: `(document)` for the whole document.
pub fn pointer_text(pointer: &str) -> &str {
    if pointer.is_empty() {
        "(document)"
    } else {
        pointer
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(p) => write!(f, "{}:{}", p.line, p.column)?,
            None => f.write_str("-")?,
        }
        write!(
            f,
            " at {}: expected {}, found {}",
            self.pointer_text(),
            self.expected,
            self.found
        )?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl fmt::Display for ContractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{}: {n} problem{}",
            self.origin,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(
                f,
                "\n  {} {}: expected {}, found {}",
                p.place(&self.origin),
                p.pointer_text(),
                p.expected,
                p.found
            )?;
            if let Some(hint) = &p.hint {
                write!(f, "\n    hint: {hint}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ContractError {}
