//! How the behavioural checks write durations and observed header values in findings, so that
//! every message says `800 ms` and quotes a header the same way.

use std::time::Duration;

/// How many characters of an observed value a finding shows.
const SHOWN_CHARS: usize = 120;

/// A duration for people: `912 ms` below a second, `2.4 s` from there on.
pub(crate) fn duration(d: Duration) -> String {
    millis(d.as_secs_f64() * 1000.0)
}

/// Milliseconds for people, as [`duration`] writes them. Fractions of a millisecond are shown
/// only below 10 ms, where they are not noise.
pub(crate) fn millis(ms: f64) -> String {
    if !ms.is_finite() {
        return "an unbounded time".to_owned();
    }
    if ms >= 1000.0 {
        return format!("{} s", trimmed(ms / 1000.0, 2));
    }
    if ms >= 10.0 {
        return format!("{} ms", ms.round());
    }
    format!("{} ms", trimmed(ms, 1))
}

/// `value` with at most `places` decimals and no trailing zeros.
fn trimmed(value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// An observed text as a JSON string literal, cut to a readable length with `…`.
pub(crate) fn quoted(text: &str) -> String {
    let shown: String = match text.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    };
    serde_json::to_string(&shown).unwrap_or_default()
}

/// `1 sample`, `3 samples`.
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally_at_every_scale() {
        assert_eq!(duration(Duration::from_millis(800)), "800 ms");
        assert_eq!(duration(Duration::from_millis(3000)), "3 s");
        assert_eq!(duration(Duration::from_millis(2400)), "2.4 s");
        assert_eq!(duration(Duration::from_micros(912_383)), "912 ms");
        assert_eq!(duration(Duration::from_micros(4_250)), "4.2 ms");
        assert_eq!(duration(Duration::from_micros(4_000)), "4 ms");
        assert_eq!(millis(f64::INFINITY), "an unbounded time");
        assert_eq!(duration(Duration::MAX), "18446744073709551616 s");
    }

    #[test]
    fn long_values_are_cut() {
        assert_eq!(quoted("a\"b"), r#""a\"b""#);
        let long = "x".repeat(200);
        assert_eq!(quoted(&long).chars().count(), 120 + 3);
    }
}
