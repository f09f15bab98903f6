//! The common grammar of HTTP field values (RFC 9110 §5.6): tokens, quoted strings, optional
//! whitespace and list commas. `WWW-Authenticate` challenges and `Link` values are both built from
//! these pieces, and reading them by hand in each parser is where off-by-one bugs hide.

/// A position in a field value, read left to right. Every method either consumes what it names
/// and returns it, or leaves the position unchanged and returns `None`.
#[derive(Debug, Clone)]
pub(crate) struct Cursor<'t> {
    text: &'t str,
    pos: usize,
}

/// `tchar` (RFC 9110 §5.6.2): the characters a token may hold.
pub(crate) fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '!' | '#'
                | '$'
                | '%'
                | '&'
                | '\''
                | '*'
                | '+'
                | '-'
                | '.'
                | '^'
                | '_'
                | '`'
                | '|'
                | '~'
        )
}

impl<'t> Cursor<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Cursor { text, pos: 0 }
    }

    pub(crate) fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    pub(crate) fn is_done(&self) -> bool {
        self.pos >= self.text.len()
    }

    pub(crate) fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Consumes `c` when it comes next.
    pub(crate) fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    /// Skips optional whitespace (`OWS`: spaces and tabs); returns how much was skipped.
    pub(crate) fn skip_whitespace(&mut self) -> usize {
        let skipped = self.rest().len() - self.rest().trim_start_matches([' ', '\t']).len();
        self.pos += skipped;
        skipped
    }

    /// Skips whitespace and empty list elements (`, ,`), which RFC 9110 §5.6.1 tells recipients to
    /// accept.
    pub(crate) fn skip_list_separators(&mut self) {
        let skipped = self.rest().len() - self.rest().trim_start_matches([' ', '\t', ',']).len();
        self.pos += skipped;
    }

    /// Consumes characters while `keep` holds; `None` when there is none.
    pub(crate) fn take_while(&mut self, keep: impl Fn(char) -> bool) -> Option<&'t str> {
        let rest = self.rest();
        let len = rest.find(|c: char| !keep(c)).unwrap_or(rest.len());
        if len == 0 {
            return None;
        }
        self.pos += len;
        Some(&rest[..len])
    }

    /// A `token`.
    pub(crate) fn token(&mut self) -> Option<&'t str> {
        self.take_while(is_tchar)
    }

    /// A `quoted-string`, unescaped. `None` (and nothing consumed) when it is unterminated or
    /// holds a control character.
    pub(crate) fn quoted_string(&mut self) -> Option<String> {
        let mut chars = self.rest().char_indices();
        if chars.next() != Some((0, '"')) {
            return None;
        }
        let mut out = String::new();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Some(out);
                }
                '\\' => match chars.next() {
                    Some((_, escaped)) if escaped == '\t' || !escaped.is_control() => {
                        out.push(escaped);
                    }
                    _ => return None,
                },
                c if c == '\t' || !c.is_control() => out.push(c),
                _ => return None,
            }
        }
        None
    }

    /// A parameter value: a token or a quoted string.
    pub(crate) fn token_or_quoted(&mut self) -> Option<String> {
        if self.peek() == Some('"') {
            self.quoted_string()
        } else {
            self.token().map(str::to_owned)
        }
    }

    /// Whether a `token BWS "="` comes next (a parameter, not a new list element), without
    /// consuming anything.
    pub(crate) fn at_parameter(&self) -> bool {
        let mut ahead = self.clone();
        ahead.token().is_some() && {
            ahead.skip_whitespace();
            ahead.eat('=')
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_strings_unescape_and_stop_at_the_closing_quote() {
        let mut c = Cursor::new(r#""a \"b\" \\c", rest"#);
        assert_eq!(c.quoted_string().as_deref(), Some(r#"a "b" \c"#));
        assert_eq!(c.rest(), ", rest");
    }

    #[test]
    fn unterminated_quoted_strings_consume_nothing() {
        let mut c = Cursor::new(r#""never closed"#);
        assert_eq!(c.quoted_string(), None);
        assert_eq!(c.rest(), r#""never closed"#);
        assert_eq!(Cursor::new("\"a\u{7}b\"").quoted_string(), None);
    }

    #[test]
    fn tokens_stop_at_delimiters() {
        let mut c = Cursor::new("Bearer realm=\"x\"");
        assert_eq!(c.token(), Some("Bearer"));
        assert_eq!(c.skip_whitespace(), 1);
        assert!(c.at_parameter());
        assert_eq!(c.token(), Some("realm"));
        assert!(c.eat('='));
        assert_eq!(c.token_or_quoted().as_deref(), Some("x"));
        assert!(c.is_done());
    }

    #[test]
    fn a_token_followed_by_a_space_is_not_a_parameter() {
        assert!(!Cursor::new("Basic realm=x").at_parameter());
        assert!(Cursor::new("error = x").at_parameter());
    }
}
