//! Java `SimpleDateFormat` patterns (what Pact's date, time and timestamp matchers and generators
//! use) translated to chrono's strftime syntax (what vow uses), where a translation keeps the
//! meaning.

/// Translates a `SimpleDateFormat` pattern. The error names the first letter run vow cannot read
/// the same way.
pub(crate) fn to_strftime(pattern: &str) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // '' is a literal quote; 'text' is literal text, with '' inside for a quote.
            if chars.get(i + 1) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("an unterminated quoted text".to_owned()),
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        out.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(t) => {
                        literal(&mut out, *t);
                        i += 1;
                    }
                }
            }
            continue;
        }
        if !c.is_ascii_alphabetic() {
            literal(&mut out, c);
            i += 1;
            continue;
        }
        let mut run = 1;
        while chars.get(i + run) == Some(&c) {
            run += 1;
        }
        let spec = match (c, run) {
            ('y' | 'u', 2) => "%y",
            ('y' | 'u', _) => "%Y",
            ('M', 1 | 2) => "%m",
            ('M', 3) => "%b",
            ('M', _) => "%B",
            ('d', 1 | 2) => "%d",
            ('D', 1..=3) => "%j",
            ('H', 1 | 2) => "%H",
            ('h', 1 | 2) => "%I",
            ('m', 1 | 2) => "%M",
            ('s', 1 | 2) => "%S",
            ('S', 3) => "%3f",
            ('S', 6) => "%6f",
            ('S', 9) => "%9f",
            ('a', 1) => "%p",
            ('E', 1..=3) => "%a",
            ('E', _) => "%A",
            ('Z', 1..=3) => "%z",
            _ => {
                let letters: String = std::iter::repeat_n(c, run).collect();
                return Err(format!("`{letters}`"));
            }
        };
        out.push_str(spec);
        i += run;
    }
    Ok(out)
}

fn literal(out: &mut String, c: char) {
    if c == '%' {
        out.push_str("%%");
    } else {
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_the_common_patterns() {
        assert_eq!(to_strftime("yyyy-MM-dd").unwrap(), "%Y-%m-%d");
        assert_eq!(to_strftime("HH:mm:ss").unwrap(), "%H:%M:%S");
        assert_eq!(
            to_strftime("yyyy-MM-dd'T'HH:mm:ss.SSSZ").unwrap(),
            "%Y-%m-%dT%H:%M:%S.%3f%z"
        );
        assert_eq!(
            to_strftime("dd/MM/yy hh:mm a").unwrap(),
            "%d/%m/%y %I:%M %p"
        );
        assert_eq!(to_strftime("EEE, d MMM yyyy").unwrap(), "%a, %d %b %Y");
        assert_eq!(
            to_strftime("'at' HH'h' ''100%''").unwrap(),
            "at %Hh '100%%'"
        );
    }

    #[test]
    fn refuses_letters_without_the_same_meaning() {
        assert_eq!(
            to_strftime("yyyy-MM-dd'T'HH:mm:ssXXX").unwrap_err(),
            "`XXX`"
        );
        assert_eq!(to_strftime("HH:mm z").unwrap_err(), "`z`");
        assert_eq!(to_strftime("ss.SS").unwrap_err(), "`SS`");
        assert!(to_strftime("'open").is_err());
    }
}
