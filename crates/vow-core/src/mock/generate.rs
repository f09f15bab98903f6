//! Values the mock generates in place of example values: for response generators, and for
//! response headers stated by a rule rather than a value. Randomness and the current time are
//! parameters ([`Generation`]), so the same seed and time give the same values.

use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, Utc};
use rand::distr::Alphanumeric;
use rand::{Rng, RngExt as _};

/// A regular expression prepared for generating the strings it matches in full.
#[derive(Debug, Clone)]
pub struct RegexGenerator {
    sampler: rand_regex::Regex,
    /// The pattern anchored at both ends, to check what was generated.
    check: regex::Regex,
}

impl RegexGenerator {
    /// `None` when strings cannot be generated from `pattern` (look-arounds, word boundaries, a
    /// syntax error).
    pub fn new(pattern: &str) -> Option<RegexGenerator> {
        let check = regex::Regex::new(&format!("^(?:{pattern})$")).ok()?;
        let bare = pattern.strip_prefix('^').unwrap_or(pattern);
        let bare = bare
            .strip_suffix('$')
            .filter(|p| !p.ends_with('\\'))
            .unwrap_or(bare);
        // ASCII classes first, so `\d` and `\w` give ASCII that headers can carry; Unicode when
        // the pattern needs it.
        let ascii = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .build()
            .parse(bare)
            .ok();
        let hir = match ascii {
            Some(hir) => hir,
            None => regex_syntax::Parser::new().parse(bare).ok()?,
        };
        let sampler = rand_regex::Regex::with_hir(hir, MAX_REPEAT).ok()?;
        Some(RegexGenerator { sampler, check })
    }
}

/// What generating values needs from outside: a source of randomness and the current time.
#[derive(Debug)]
pub struct Generation<'a, R: Rng + ?Sized> {
    pub rng: &'a mut R,
    pub now: DateTime<Utc>,
}

/// The longest repetition a generated regex string uses for `*`, `+` and `{n,}`.
const MAX_REPEAT: u32 = 8;

impl<R: Rng + ?Sized> Generation<'_, R> {
    /// A random UUID v4, lowercase and hyphenated.
    pub fn uuid(&mut self) -> String {
        let mut b: [u8; 16] = self.rng.random();
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let mut s = String::with_capacity(36);
        for (i, byte) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                s.push('-');
            }
            let _ = write!(s, "{byte:02x}");
        }
        s
    }

    /// An integer within the inclusive bounds (default 0 to 2^31 - 1; bounds given the wrong way
    /// round are swapped).
    pub fn integer(&mut self, min: Option<i64>, max: Option<i64>) -> i64 {
        let lo = min.unwrap_or(0);
        let hi = max.unwrap_or_else(|| lo.saturating_add(i64::from(i32::MAX)));
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        self.rng.random_range(lo..=hi)
    }

    /// A decimal number written with `digits` digits in all (default 6), two of them after the
    /// point when there are at least three, e.g. `4821.07`. The first digit is never 0.
    pub fn decimal(&mut self, digits: Option<u32>) -> String {
        let digits = digits.unwrap_or(6).clamp(1, 30) as usize;
        let mut text = self.digits(digits);
        if digits >= 3 {
            text.insert(digits - 2, '.');
        }
        text
    }

    /// `digits` (default 8) lowercase hexadecimal digits.
    pub fn hex(&mut self, digits: Option<u32>) -> String {
        (0..digits.unwrap_or(8).min(1024))
            .map(|_| char::from(b"0123456789abcdef"[self.rng.random_range(0..16usize)]))
            .collect()
    }

    /// Random alphanumeric text of `size` characters (default 10).
    pub fn alphanumeric(&mut self, size: Option<u32>) -> String {
        (0..size.unwrap_or(10).min(65_536))
            .map(|_| char::from(self.rng.sample(Alphanumeric)))
            .collect()
    }

    pub fn boolean(&mut self) -> bool {
        self.rng.random()
    }

    /// A string `regex` matches in full, or `None` when nothing it generated matched.
    pub fn regex(&mut self, regex: &RegexGenerator) -> Option<String> {
        for _ in 0..8 {
            let sample: Result<String, _> = self.rng.sample(&regex.sampler);
            if let Ok(s) = sample
                && regex.check.is_match(&s)
            {
                return Some(s);
            }
        }
        None
    }

    /// The current date in `format` (strftime, default `%Y-%m-%d`), or `None` for a format
    /// chrono cannot write.
    pub fn date(&mut self, format: Option<&str>) -> Option<String> {
        self.format(format.unwrap_or("%Y-%m-%d"))
    }

    /// The current time of day in `format` (default `%H:%M:%S`).
    pub fn time(&mut self, format: Option<&str>) -> Option<String> {
        self.format(format.unwrap_or("%H:%M:%S"))
    }

    /// The current date and time in `format` (default RFC 3339, in UTC, whole seconds).
    pub fn datetime(&mut self, format: Option<&str>) -> Option<String> {
        match format {
            None => Some(self.now.to_rfc3339_opts(SecondsFormat::Secs, true)),
            Some(f) => self.format(f),
        }
    }

    fn format(&self, format: &str) -> Option<String> {
        let mut out = String::new();
        // chrono reports an unknown specifier as a formatting error, never a panic, through write!.
        write!(out, "{}", self.now.format(format)).ok()?;
        Some(out)
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|i| {
                let low = if i == 0 { 1 } else { 0 };
                char::from(b'0' + self.rng.random_range(low..10u8))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    fn with<T>(f: impl FnOnce(&mut Generation<'_, StdRng>) -> T) -> T {
        let mut rng = StdRng::seed_from_u64(7);
        let now = DateTime::parse_from_rfc3339("2026-11-21T10:05:00Z")
            .expect("time")
            .with_timezone(&Utc);
        f(&mut Generation { rng: &mut rng, now })
    }

    #[test]
    fn uuids_are_version_4() {
        let re = regex::Regex::new(
            "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        )
        .expect("regex");
        with(|g| {
            for _ in 0..50 {
                let u = g.uuid();
                assert!(re.is_match(&u), "{u}");
            }
        });
    }

    #[test]
    fn numbers_and_text_keep_their_bounds_and_sizes() {
        with(|g| {
            for _ in 0..200 {
                let n = g.integer(Some(-3), Some(4));
                assert!((-3..=4).contains(&n));
                assert_eq!(g.integer(Some(9), Some(9)), 9);
                assert!((1..=5).contains(&g.integer(Some(5), Some(1))));
                let d = g.decimal(Some(5));
                assert_eq!(d.len(), 6, "{d}");
                assert!(d.parse::<f64>().is_ok() && !d.starts_with('0'), "{d}");
                assert_eq!(g.hex(Some(12)).len(), 12);
                let s = g.alphanumeric(Some(7));
                assert!(s.len() == 7 && s.chars().all(|c| c.is_ascii_alphanumeric()));
            }
        });
    }

    #[test]
    fn regex_strings_match_in_full() {
        with(|g| {
            for pattern in [
                "c-[0-9]+",
                "^pay_[a-z0-9]{6}$",
                r"/carts/c-\d+",
                "(EUR|USD|GBP)",
                r"[A-Z]{3}-\w{2,4}",
            ] {
                let re = regex::Regex::new(&format!("^(?:{pattern})$")).expect("regex");
                let generator = RegexGenerator::new(pattern).expect("generator");
                for _ in 0..20 {
                    let s = g.regex(&generator).expect("generated");
                    assert!(re.is_match(&s), "{pattern}: {s}");
                    assert!(s.is_ascii(), "{pattern}: {s}");
                }
            }
        });
        // Word boundaries cannot be generated from: the caller answers the example instead.
        assert!(RegexGenerator::new(r"\bx\b").is_none());
    }

    #[test]
    fn dates_use_the_time_given() {
        with(|g| {
            assert_eq!(g.date(None).as_deref(), Some("2026-11-21"));
            assert_eq!(g.time(Some("%H:%M")).as_deref(), Some("10:05"));
            assert_eq!(g.datetime(None).as_deref(), Some("2026-11-21T10:05:00Z"));
            assert_eq!(g.date(Some("%d/%m/%Y")).as_deref(), Some("21/11/2026"));
            assert_eq!(g.date(Some("%Q")), None);
        });
    }
}
