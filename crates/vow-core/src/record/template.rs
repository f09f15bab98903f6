//! Path templates from observed paths: segments that look like identifiers become parameters
//! (`/carts/c-1001` → `/carts/{cartId}`), named after the segment before them; the recorder also
//! merges positions whose literal values vary (see [`MERGE_AT`]).

use std::fmt;

/// Distinct literal values at one position, under the same other segments, that make the recorder
/// treat the position as a parameter (`/inventory/SKU-RED-MUG`, `/inventory/SKU-BLUE-TEE` and a
/// third make `/inventory/{inventoryId}`). Two could be two real resources (`/users/me`,
/// `/users/settings`).
pub const MERGE_AT: usize = 3;

/// What a path segment looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    Literal,
    /// Only digits: `1001`.
    Integer,
    /// An RFC 9562 UUID in hyphenated form.
    Uuid,
    /// At least 8 hexadecimal digits with at least one digit: `5f2c9a01`.
    Hex,
    /// Letters and digits with a separator or several digits: `c-1001`, `pay_8f2k`, `ord42x7`.
    MixedId,
    /// A long opaque token (20 or more URL-safe characters with digits or mixed case).
    LongToken,
}

impl SegmentKind {
    pub fn is_identifier(self) -> bool {
        self != SegmentKind::Literal
    }
}

/// Classifies one path segment (as sent, percent-encoding included).
pub fn classify(segment: &str) -> SegmentKind {
    let bytes = segment.as_bytes();
    if bytes.is_empty() {
        return SegmentKind::Literal;
    }
    if bytes.iter().all(u8::is_ascii_digit) {
        return SegmentKind::Integer;
    }
    if is_uuid(segment) {
        return SegmentKind::Uuid;
    }
    let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
    let letters = bytes.iter().filter(|b| b.is_ascii_alphabetic()).count();
    let url_safe = bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'));
    if bytes.len() >= 8 && digits > 0 && bytes.iter().all(u8::is_ascii_hexdigit) {
        return SegmentKind::Hex;
    }
    if !url_safe {
        return SegmentKind::Literal;
    }
    let mixed_case =
        bytes.iter().any(u8::is_ascii_uppercase) && bytes.iter().any(u8::is_ascii_lowercase);
    if bytes.len() >= 20 && (digits > 0 || mixed_case) {
        return SegmentKind::LongToken;
    }
    let is_version = (segment.starts_with('v') || segment.starts_with('V'))
        && bytes[1..].iter().all(|b| b.is_ascii_digit() || *b == b'.');
    let separated = bytes.iter().any(|b| matches!(b, b'-' | b'_' | b'.'));
    if digits > 0 && letters > 0 && !is_version && (separated || digits >= 2) {
        return SegmentKind::MixedId;
    }
    SegmentKind::Literal
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// One segment of a template.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    Literal(String),
    /// A parameter by name.
    Param(String),
}

/// A path template, e.g. `/carts/{cartId}/items`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Template {
    pub segments: Vec<Segment>,
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return f.write_str("/");
        }
        for segment in &self.segments {
            match segment {
                Segment::Literal(s) => write!(f, "/{s}")?,
                Segment::Param(name) => write!(f, "/{{{name}}}")?,
            }
        }
        Ok(())
    }
}

/// The segments of a path (`/a//b/` → `a`, ``, `b`, ``; `/` → none).
pub fn split_path(path: &str) -> Vec<&str> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    if trimmed.is_empty() {
        Vec::new()
    } else {
        trimmed.split('/').collect()
    }
}

impl Template {
    /// The template a path suggests on its own: identifier-like segments become parameters.
    pub fn infer(path: &str) -> Template {
        let parts = split_path(path);
        let mut template = Template {
            segments: Vec::with_capacity(parts.len()),
        };
        for (i, part) in parts.iter().enumerate() {
            if classify(part).is_identifier() {
                let name = template.param_name(i);
                template.segments.push(Segment::Param(name));
            } else {
                template.segments.push(Segment::Literal((*part).to_owned()));
            }
        }
        template
    }

    /// Reads a template as written (`/carts/{cartId}`), e.g. from a spec.
    pub fn parse(text: &str) -> Template {
        Template {
            segments: split_path(text)
                .into_iter()
                .map(
                    |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(name) => Segment::Param(name.to_owned()),
                        None => Segment::Literal(s.to_owned()),
                    },
                )
                .collect(),
        }
    }

    /// Whether `path`'s segments fit this template.
    pub fn matches(&self, segments: &[&str]) -> bool {
        self.segments.len() == segments.len()
            && self.segments.iter().zip(segments).all(|(t, s)| match t {
                Segment::Literal(l) => l == s,
                Segment::Param(_) => true,
            })
    }

    /// A name for a parameter at `position`, from the literal before it (`carts` → `cartId`),
    /// unique in the template.
    pub fn param_name(&self, position: usize) -> String {
        let base = match position.checked_sub(1).and_then(|p| self.segments.get(p)) {
            Some(Segment::Literal(previous)) => {
                let word = camel_case(&singular(previous));
                if word.is_empty() {
                    "id".to_owned()
                } else {
                    format!("{word}Id")
                }
            }
            _ => "id".to_owned(),
        };
        let taken = |name: &str| {
            self.segments
                .iter()
                .enumerate()
                .any(|(i, s)| i != position && matches!(s, Segment::Param(p) if p == name))
        };
        if !taken(&base) {
            return base;
        }
        (2..)
            .map(|n| format!("{base}{n}"))
            .find(|n| !taken(n))
            .unwrap_or(base)
    }

    /// The template's words for an interaction id: its literals, each singular when a parameter
    /// follows it (`GET /carts/{cartId}/items` → `cart-items`).
    pub fn words(&self) -> Vec<String> {
        let mut words = Vec::new();
        for (i, segment) in self.segments.iter().enumerate() {
            if let Segment::Literal(literal) = segment {
                let followed = matches!(self.segments.get(i + 1), Some(Segment::Param(_)));
                words.push(if followed {
                    singular(literal)
                } else {
                    literal.clone()
                });
            }
        }
        words
    }
}

/// `carts` → `cart`, `categories` → `category`, `addresses` → `address`; other words unchanged.
fn singular(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    if let Some(stem) = lower.strip_suffix("ies").filter(|s| !s.is_empty()) {
        format!("{stem}y")
    } else if let Some(stem) = lower.strip_suffix("sses") {
        format!("{stem}ss")
    } else if lower.ends_with("ss") || lower.ends_with("us") {
        lower
    } else if let Some(stem) = lower.strip_suffix('s').filter(|s| !s.is_empty()) {
        stem.to_owned()
    } else {
        lower
    }
}

/// `price-lists` → `priceLists`; characters other than letters and digits separate words.
fn camel_case(word: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in word.chars() {
        if c.is_ascii_alphanumeric() {
            if upper && !out.is_empty() {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}

/// An id of the contract's id syntax (`[a-z0-9][a-z0-9._-]*`) from words: lowercase, runs of
/// other characters become one `-`; camelCase words are split (`getCart` → `get-cart`).
pub fn slug(words: &[&str]) -> String {
    let mut out = String::new();
    for word in words {
        let mut previous_lower = false;
        for c in word.chars() {
            if c.is_ascii_uppercase() && previous_lower {
                out.push('-');
            }
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') {
                out.push('-');
            }
        }
        if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "root".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_classified() {
        let cases = [
            ("carts", SegmentKind::Literal),
            ("1001", SegmentKind::Integer),
            ("0f8e7d6c-1b2a-4c3d-9e8f-a1b2c3d4e5f6", SegmentKind::Uuid),
            ("5f2c9a01", SegmentKind::Hex),
            ("deadbeef", SegmentKind::Literal),
            ("c-1001", SegmentKind::MixedId),
            ("pay_8f2k", SegmentKind::MixedId),
            ("ord42x7", SegmentKind::MixedId),
            ("v1", SegmentKind::Literal),
            ("v2.1", SegmentKind::Literal),
            ("oauth2", SegmentKind::Literal),
            ("SKU-RED-MUG", SegmentKind::Literal),
            ("summary", SegmentKind::Literal),
            ("aGVsbG8td29ybGQtdG9rZW4", SegmentKind::LongToken),
            ("a%20b1-2", SegmentKind::Literal),
        ];
        for (segment, kind) in cases {
            assert_eq!(classify(segment), kind, "{segment}");
        }
    }

    #[test]
    fn identifiers_become_parameters_named_after_the_segment_before() {
        let t = |p: &str| Template::infer(p).to_string();
        assert_eq!(t("/carts/c-1001"), "/carts/{cartId}");
        assert_eq!(
            t("/carts/c-1001/items/42"),
            "/carts/{cartId}/items/{itemId}"
        );
        assert_eq!(
            t("/categories/17/products"),
            "/categories/{categoryId}/products"
        );
        assert_eq!(t("/v1/orders/7/7"), "/v1/orders/{orderId}/{id}");
        assert_eq!(t("/1/2"), "/{id}/{id2}");
        assert_eq!(t("/price-lists/12"), "/price-lists/{priceListId}");
        assert_eq!(t("/"), "/");
        assert_eq!(t("/carts/summary"), "/carts/summary");
    }

    #[test]
    fn templates_match_paths_and_parse_from_text() {
        let template = Template::parse("/inventory/{sku}");
        assert!(template.matches(&split_path("/inventory/SKU-RED-MUG")));
        assert!(!template.matches(&split_path("/inventory")));
        assert!(!template.matches(&split_path("/prices/SKU-RED-MUG")));
        assert_eq!(template.to_string(), "/inventory/{sku}");
    }

    #[test]
    fn ids_are_slugs_of_method_and_words() {
        let words = |p: &str| Template::parse(p).words();
        assert_eq!(words("/carts/{cartId}/items/{sku}"), ["cart", "item"]);
        assert_eq!(words("/carts"), ["carts"]);
        assert_eq!(slug(&["GET", "cart", "items"]), "get-cart-items");
        assert_eq!(slug(&["getCartSummary"]), "get-cart-summary");
        assert_eq!(
            slug(&["POST", "_vow", "provider-states"]),
            "post-vow-provider-states"
        );
        assert_eq!(slug(&[]), "root");
    }
}
