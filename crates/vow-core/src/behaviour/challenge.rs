//! Reading `WWW-Authenticate` challenges (RFC 9110 §11.6.1, §11.3): an auth scheme followed by
//! either a token68 or a list of `name=value` parameters, several challenges separated by commas.
//!
//! Commas separate both challenges and parameters, so a parameter is recognised by what follows
//! it (`token =`), exactly as the grammar disambiguates; splitting on commas or searching for
//! `insufficient_scope` in the raw text would be fooled by quoted commas and by other parameters.

use super::field_value::Cursor;

/// One challenge: its scheme and its parameters (names lowercase, values unquoted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub scheme: String,
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// The first value of a parameter; names compare case-insensitively.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Parses one `WWW-Authenticate` field value, or says (as a lowercase fragment) why it is
/// malformed.
pub(crate) fn parse(text: &str) -> Result<Vec<Challenge>, String> {
    let mut c = Cursor::new(text);
    let mut challenges = Vec::new();
    loop {
        c.skip_list_separators();
        if c.is_done() {
            return Ok(challenges);
        }
        let scheme = c
            .token()
            .ok_or_else(|| "does not start a challenge with an auth scheme".to_owned())?
            .to_owned();
        let mut challenge = Challenge {
            scheme,
            params: Vec::new(),
        };
        let spaced = c.skip_whitespace() > 0;
        if spaced && !c.is_done() && c.peek() != Some(',') && !token68(&mut c) {
            params(&mut c, &mut challenge)?;
        }
        challenges.push(challenge);
        c.skip_whitespace();
        if !c.is_done() && !c.eat(',') {
            return Err(format!(
                "has unexpected text after the {} challenge",
                challenges.last().map_or("", |ch| ch.scheme.as_str())
            ));
        }
    }
}

/// `#auth-param`, stopping before a comma that starts the next challenge.
fn params(c: &mut Cursor, challenge: &mut Challenge) -> Result<(), String> {
    loop {
        let name = c.token().unwrap_or_default().to_ascii_lowercase();
        c.skip_whitespace();
        c.eat('=');
        c.skip_whitespace();
        let value = c
            .token_or_quoted()
            .ok_or_else(|| format!("gives the {name} parameter no token or quoted-string value"))?;
        challenge.params.push((name, value));
        let mut ahead = c.clone();
        ahead.skip_whitespace();
        if !ahead.eat(',') {
            return Ok(());
        }
        ahead.skip_list_separators();
        if !ahead.at_parameter() {
            // The comma ends this challenge; the caller consumes it.
            return Ok(());
        }
        *c = ahead;
    }
}

/// `token68` (credentials-like text such as `abc123==`) when it is all the challenge holds, i.e.
/// followed by the end or a comma; otherwise nothing is consumed and the text is parameters.
fn token68(c: &mut Cursor) -> bool {
    let mut ahead = c.clone();
    let body = ahead.take_while(|ch| {
        ch.is_ascii_alphanumeric() || matches!(ch, '-' | '.' | '_' | '~' | '+' | '/')
    });
    ahead.take_while(|ch| ch == '=');
    ahead.skip_whitespace();
    if body.is_none() || !(ahead.is_done() || ahead.peek() == Some(',')) {
        return false;
    }
    *c = ahead;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_params(text: &str) -> Vec<(String, Option<String>)> {
        parse(text)
            .expect("valid")
            .iter()
            .map(|ch| (ch.scheme.clone(), ch.param("error").map(str::to_owned)))
            .collect()
    }

    #[test]
    fn parameters_take_tokens_or_quoted_strings_and_names_ignore_case() {
        let challenges = parse(
            r#"Bearer realm="shop, api", ERROR = insufficient_scope, scope="cart:write cart:read""#,
        )
        .expect("valid");
        assert_eq!(challenges.len(), 1);
        let bearer = &challenges[0];
        assert_eq!(bearer.scheme, "Bearer");
        assert_eq!(bearer.param("realm"), Some("shop, api"));
        assert_eq!(bearer.param("error"), Some("insufficient_scope"));
        assert_eq!(bearer.param("Scope"), Some("cart:write cart:read"));
    }

    #[test]
    fn several_challenges_split_where_a_scheme_starts() {
        assert_eq!(
            error_params(
                r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple", Bearer error="insufficient_scope""#
            ),
            [
                ("Newauth".to_owned(), None),
                ("Basic".to_owned(), None),
                ("Bearer".to_owned(), Some("insufficient_scope".to_owned())),
            ]
        );
    }

    #[test]
    fn bare_schemes_and_token68_are_challenges_too() {
        assert_eq!(
            error_params("Negotiate, Bearer, NTLM abc123==, Bearer error=invalid_token"),
            [
                ("Negotiate".to_owned(), None),
                ("Bearer".to_owned(), None),
                ("NTLM".to_owned(), None),
                ("Bearer".to_owned(), Some("invalid_token".to_owned())),
            ]
        );
    }

    #[test]
    fn the_text_insufficient_scope_elsewhere_is_not_the_error_parameter() {
        let challenges = parse(
            r#"Bearer realm="error=insufficient_scope", error_description="insufficient_scope""#,
        )
        .expect("valid");
        assert_eq!(challenges[0].param("error"), None);
    }

    #[test]
    fn malformed_values_are_refused() {
        for text in [
            r#"Bearer realm="unterminated"#,
            r#"Bearer realm="a", error="#,
            "=x",
            r#"Bearer realm="a" junk"#,
        ] {
            assert!(parse(text).is_err(), "{text:?} was accepted");
        }
    }
}
