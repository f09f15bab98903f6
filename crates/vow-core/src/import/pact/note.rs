//! Notes: what an import could not carry over, or carried over changed, located in the Pact file.

use serde::Serialize;

use crate::contract::Position;

/// Whether something was left out of the contract or carried over in another form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteKind {
    /// Not carried over: the contract says less than the pact did here.
    Dropped,
    /// Carried over with the same meaning, written differently (a name normalised, a regex made
    /// explicit about anchoring).
    Changed,
}

impl NoteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::Dropped => "dropped",
            NoteKind::Changed => "changed",
        }
    }
}

/// One thing the import could not carry over as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// JSON pointer into the Pact file.
    pub pointer: String,
    /// Where that value starts in the Pact file.
    pub position: Option<Position>,
    pub kind: NoteKind,
    /// What was left out or changed, e.g. `dropped the request header "Authorization"`.
    pub message: String,
    /// Why, and what to do about it.
    pub hint: Option<String>,
}

impl Note {
    /// `origin:line:column`, or `origin` when the position is unknown.
    pub fn place(&self, origin: &str) -> String {
        crate::contract::diagnostic::place(origin, self.position)
    }

    /// The JSON pointer, or `(document)` for the whole file.
    pub fn pointer_text(&self) -> &str {
        crate::contract::diagnostic::pointer_text(&self.pointer)
    }
}
