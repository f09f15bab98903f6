//! Collecting a body's findings in document order while keeping only the first few: a body with a
//! systematic problem would otherwise yield one finding per element, megabytes of noise.

use crate::finding::Finding;
use crate::rules;

/// How many findings one body reports before the rest are only counted.
pub const BODY_FINDINGS_CAP: usize = 50;

/// Findings in document order, capped. A value's own findings (its type, an array's length) are
/// known only once the value has been read, so they are inserted at the position the value started
/// at, before the findings of its children.
#[derive(Debug)]
pub(crate) struct FindingSink {
    kept: Vec<Finding>,
    /// Findings past the cap, counted but not kept.
    dropped: usize,
}

/// A position in the sink's (logical, uncapped) order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark(usize);

impl Mark {
    /// The position `n` findings after this one.
    pub(crate) fn offset(self, n: usize) -> Mark {
        Mark(self.0 + n)
    }
}

impl FindingSink {
    pub(crate) fn new() -> Self {
        FindingSink {
            kept: Vec::new(),
            dropped: 0,
        }
    }

    /// The current end of the list.
    pub(crate) fn mark(&self) -> Mark {
        Mark(self.kept.len() + self.dropped)
    }

    pub(crate) fn push(&mut self, finding: Finding) {
        self.insert(self.mark(), finding);
    }

    /// Inserts at `mark`. Marks are taken by values still open in a depth-first walk, so every
    /// insertion lands at or after every finding that is already final.
    pub(crate) fn insert(&mut self, mark: Mark, finding: Finding) {
        if mark.0 >= BODY_FINDINGS_CAP {
            self.dropped += 1;
            return;
        }
        self.kept.insert(mark.0.min(self.kept.len()), finding);
        if self.kept.len() > BODY_FINDINGS_CAP {
            self.kept.pop();
            self.dropped += 1;
        }
    }

    /// The findings, with a closing info finding saying how many were left out.
    pub(crate) fn finish(mut self, body_pointer: &str) -> Vec<Finding> {
        if self.dropped > 0 {
            let n = self.dropped;
            self.kept.push(
                Finding::new(
                    rules::FINDINGS_TRUNCATED,
                    body_pointer,
                    format!(
                        "{n} more body finding{} not shown; only the first {BODY_FINDINGS_CAP} are reported",
                        if n == 1 { " is" } else { "s are" }
                    ),
                )
                .actual(format!("{} findings", BODY_FINDINGS_CAP + n)),
            );
        }
        self.kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(p: &str) -> Finding {
        Finding::new(rules::VALUE_MISMATCH, p, "x")
    }

    #[test]
    fn inserted_findings_keep_document_order() {
        let mut sink = FindingSink::new();
        let parent = sink.mark();
        sink.push(f("/a/0"));
        sink.push(f("/a/1"));
        sink.insert(parent, f("/a"));
        let pointers: Vec<_> = sink
            .finish("")
            .into_iter()
            .map(|f| f.location.pointer)
            .collect();
        assert_eq!(pointers, ["/a", "/a/0", "/a/1"]);
    }

    #[test]
    fn past_the_cap_findings_are_counted() {
        let mut sink = FindingSink::new();
        let parent = sink.mark();
        for i in 0..BODY_FINDINGS_CAP + 9 {
            sink.push(f(&format!("/{i}")));
        }
        sink.insert(parent, f("/"));
        let out = sink.finish("/response/body");
        assert_eq!(out.len(), BODY_FINDINGS_CAP + 1);
        assert_eq!(out[0].location.pointer, "/");
        assert_eq!(out[BODY_FINDINGS_CAP - 1].location.pointer, "/48");
        let last = &out[BODY_FINDINGS_CAP];
        assert_eq!(last.rule, rules::FINDINGS_TRUNCATED);
        assert!(
            last.message.starts_with("10 more body findings"),
            "{}",
            last.message
        );
    }
}
