//! Reading decimal numbers as text, so `decimal` can count the digits after the point the way the
//! provider wrote them (`12.50` has two, although it equals `12.5`).

/// A number in plain decimal notation: an optional `-`, digits, and optionally `.` and digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PlainDecimal {
    /// Digits after the point (0 when there is no point).
    pub places: u32,
}

/// Parses plain decimal notation (`-12.50`, `3`, `0.125`). Exponents, a leading `+`, a bare point
/// (`.5`, `5.`) and surrounding spaces are not plain decimal notation.
pub(crate) fn parse_plain(text: &str) -> Option<PlainDecimal> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) {
        return None;
    }
    match fraction {
        None => Some(PlainDecimal { places: 0 }),
        Some(f) if digits(f) => Some(PlainDecimal {
            places: u32::try_from(f.len()).ok()?,
        }),
        Some(_) => None,
    }
}

/// Whether a JSON number's text is in exponent notation (`1e3`, `2.5E-1`).
pub(crate) fn has_exponent(number_text: &str) -> bool {
    number_text.contains(['e', 'E'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_places_as_written() {
        assert_eq!(parse_plain("12.50"), Some(PlainDecimal { places: 2 }));
        assert_eq!(parse_plain("-0.125"), Some(PlainDecimal { places: 3 }));
        assert_eq!(parse_plain("42"), Some(PlainDecimal { places: 0 }));
        assert_eq!(parse_plain("007.0"), Some(PlainDecimal { places: 1 }));
    }

    #[test]
    fn rejects_what_is_not_plain_decimal_notation() {
        for text in [
            "", "-", "+1", "1.", ".5", "1.2.3", "1e5", " 1", "1,50", "12.5 ", "--1", "NaN",
        ] {
            assert_eq!(parse_plain(text), None, "{text:?}");
        }
    }

    #[test]
    fn detects_exponents() {
        assert!(has_exponent("1e3"));
        assert!(has_exponent("2.5E-1"));
        assert!(!has_exponent("12.50"));
    }
}
