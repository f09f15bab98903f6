//! Guessing that a missing name was renamed: `total` gone while `totalAmount` is present is the
//! most common way a provider breaks a consumer, and saying so saves a reviewer a diff.

use strsim::jaro_winkler;

/// How similar two names must be (Jaro–Winkler, lowercased) to be offered as a rename.
const SIMILAR: f64 = 0.85;

/// The candidate most likely to be `missing` under another name: the same name in another case,
/// one that contains the other, or a close spelling. `None` when nothing is close.
pub(crate) fn likely_rename<'a>(
    missing: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let want = missing.to_lowercase();
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates {
        let have = candidate.to_lowercase();
        let score = if have == want {
            2.0
        } else if want.chars().count() < 3 || have.chars().count() < 3 {
            // Short names are too alike by chance (`id`, `idx`) for anything but a case change.
            0.0
        } else if have.contains(&want) || want.contains(&have) {
            1.5
        } else if want.chars().count() < 4 {
            0.0
        } else {
            jaro_winkler(&want, &have)
        };
        if score >= SIMILAR && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::likely_rename;

    #[test]
    fn a_prefix_extension_is_a_likely_rename() {
        assert_eq!(
            likely_rename("total", ["id", "totalAmount"]),
            Some("totalAmount")
        );
    }

    #[test]
    fn a_case_change_beats_a_close_spelling() {
        assert_eq!(
            likely_rename("cartId", ["cartIds", "CartID"]),
            Some("CartID")
        );
    }

    #[test]
    fn a_prefixed_header_is_a_likely_rename() {
        assert_eq!(
            likely_rename("location", ["content-type", "x-location"]),
            Some("x-location")
        );
    }

    #[test]
    fn unrelated_names_are_not_offered() {
        assert_eq!(likely_rename("total", ["id", "items", "createdAt"]), None);
        assert_eq!(likely_rename("id", ["idx"]), None);
    }
}
