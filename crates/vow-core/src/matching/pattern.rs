//! Concrete locations in a body and how a rule's path pattern (`/items/*/sku`) matches them.
//!
//! A pattern segment `Key("3")` matches the object member `"3"` and the array index 3 alike, as a
//! JSON pointer would; `Any` matches every member and every index.

use crate::contract::PathSegment;

/// One step from a value to a child: an object member or an array element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// Whether a pattern segment matches a concrete step.
pub(crate) fn segment_matches(segment: &PathSegment, step: Step<'_>) -> bool {
    match (segment, step) {
        (PathSegment::Any, _) => true,
        (PathSegment::Key(k), Step::Key(key)) => k == key,
        (PathSegment::Key(k), Step::Index(i)) => array_index(k) == Some(i),
    }
}

/// The array index a pointer segment denotes: decimal digits without a leading zero (RFC 6901).
pub(crate) fn array_index(segment: &str) -> Option<usize> {
    let bytes = segment.as_bytes();
    let well_formed = !bytes.is_empty()
        && bytes.iter().all(u8::is_ascii_digit)
        && (bytes.len() == 1 || bytes[0] != b'0');
    if well_formed {
        segment.parse().ok()
    } else {
        None
    }
}

/// Appends `/<step>` to a JSON pointer, escaping `~` and `/` in keys.
pub(crate) fn push_step(pointer: &mut String, step: Step<'_>) {
    pointer.push('/');
    match step {
        Step::Index(i) => push_index(pointer, i),
        Step::Key(key) => push_escaped(pointer, key),
    }
}

/// Appends an index in decimal without going through `fmt` (this runs once per array element).
fn push_index(pointer: &mut String, mut i: usize) {
    let mut digits = [0u8; 20];
    let mut n = digits.len();
    loop {
        n -= 1;
        // `i % 10` is a single digit, so the cast cannot truncate.
        digits[n] = b'0' + (i % 10) as u8;
        i /= 10;
        if i == 0 {
            break;
        }
    }
    for &d in &digits[n..] {
        pointer.push(char::from(d));
    }
}

/// Appends one pointer segment, escaped (`~` → `~0`, `/` → `~1`).
pub(crate) fn push_escaped(pointer: &mut String, key: &str) {
    if key.contains(['~', '/']) {
        pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
    } else {
        pointer.push_str(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_matches_keys_and_indices() {
        assert!(segment_matches(&PathSegment::Any, Step::Key("sku")));
        assert!(segment_matches(&PathSegment::Any, Step::Index(7)));
    }

    #[test]
    fn a_key_segment_matches_the_same_key_only() {
        let seg = PathSegment::Key("sku".into());
        assert!(segment_matches(&seg, Step::Key("sku")));
        assert!(!segment_matches(&seg, Step::Key("SKU")));
        assert!(!segment_matches(&seg, Step::Index(0)));
    }

    #[test]
    fn a_numeric_key_segment_matches_an_array_index_without_leading_zeros() {
        assert!(segment_matches(
            &PathSegment::Key("0".into()),
            Step::Index(0)
        ));
        assert!(segment_matches(
            &PathSegment::Key("12".into()),
            Step::Index(12)
        ));
        assert!(!segment_matches(
            &PathSegment::Key("012".into()),
            Step::Index(12)
        ));
        assert!(!segment_matches(
            &PathSegment::Key("-1".into()),
            Step::Index(1)
        ));
        assert!(!segment_matches(
            &PathSegment::Key("".into()),
            Step::Index(0)
        ));
        assert!(segment_matches(
            &PathSegment::Key("0".into()),
            Step::Key("0")
        ));
    }

    #[test]
    fn pointer_steps_are_escaped() {
        let mut p = String::from("/response/body");
        push_step(&mut p, Step::Key("a/b~c"));
        push_step(&mut p, Step::Index(3));
        push_step(&mut p, Step::Index(0));
        push_step(&mut p, Step::Index(1_234_567));
        assert_eq!(p, "/response/body/a~1b~0c/3/0/1234567");
    }

    #[test]
    fn array_index_rejects_overflow() {
        assert_eq!(array_index("99999999999999999999999999"), None);
    }
}
