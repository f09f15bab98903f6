//! Reading `Link` header values (RFC 8288 §3): a list of `<target>; param=value` entries. The
//! deprecation check looks for the `deprecation` (RFC 9745) and `sunset` (RFC 8594) relations,
//! which point consumers at the provider's migration notes.

use super::field_value::Cursor;

/// One link: its target as written and its relation types in lowercase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    pub target: String,
    /// Relation types compare case-insensitively (RFC 8288 §2.1.1), so they are kept lowercase.
    pub relations: Vec<String>,
}

impl Link {
    pub(crate) fn has_relation(&self, relation: &str) -> bool {
        self.relations.iter().any(|r| r == relation)
    }
}

/// Parses one `Link` field value, or says (as a lowercase fragment) why it is malformed.
pub(crate) fn parse(text: &str) -> Result<Vec<Link>, String> {
    let mut c = Cursor::new(text);
    let mut links = Vec::new();
    loop {
        c.skip_list_separators();
        if c.is_done() {
            return Ok(links);
        }
        links.push(link_value(&mut c)?);
        c.skip_whitespace();
        if !c.is_done() && c.peek() != Some(',') {
            return Err(format!("has {} where a ; or , belongs", shown_rest(&c)));
        }
    }
}

fn link_value(c: &mut Cursor) -> Result<Link, String> {
    if !c.eat('<') {
        return Err(format!(
            "has {} where a link target in <…> belongs",
            shown_rest(c)
        ));
    }
    let target = c
        .take_while(|ch| ch != '>' && ch != '<' && !ch.is_whitespace() && !ch.is_control())
        .unwrap_or_default()
        .to_owned();
    if !c.eat('>') {
        return Err("has a link target without its closing >".to_owned());
    }
    let mut relations: Option<Vec<String>> = None;
    loop {
        let mut ahead = c.clone();
        ahead.skip_whitespace();
        if !ahead.eat(';') {
            break;
        }
        ahead.skip_whitespace();
        let name = ahead
            .token()
            .ok_or_else(|| "has a ; that no parameter name follows".to_owned())?;
        ahead.skip_whitespace();
        let value = if ahead.eat('=') {
            ahead.skip_whitespace();
            Some(ahead.token_or_quoted().ok_or_else(|| {
                format!("gives the {name} parameter no token or quoted-string value")
            })?)
        } else {
            None
        };
        *c = ahead;
        // Only the first `rel` counts; later ones must be ignored (RFC 8288 §3.3).
        if name.eq_ignore_ascii_case("rel") && relations.is_none() {
            relations = Some(
                value
                    .unwrap_or_default()
                    .split([' ', '\t'])
                    .filter(|r| !r.is_empty())
                    .map(str::to_ascii_lowercase)
                    .collect(),
            );
        }
    }
    Ok(Link {
        target,
        relations: relations.unwrap_or_default(),
    })
}

/// The next few characters, quoted, to say where parsing stopped.
fn shown_rest(c: &Cursor) -> String {
    let rest: String = c.rest().chars().take(12).collect();
    serde_json::to_string(&rest).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relations(text: &str) -> Vec<(String, Vec<String>)> {
        parse(text)
            .expect("valid")
            .into_iter()
            .map(|l| (l.target, l.relations))
            .collect()
    }

    #[test]
    fn relations_may_be_quoted_listed_or_bare_and_ignore_case() {
        let links = relations(
            r#"<https://shop.example/deprecations/v1>; rel="deprecation sunset"; type="text/html", </v2/carts> ; REL = Successor-Version, <https://x>;rel=sunset"#,
        );
        assert_eq!(
            links,
            [
                (
                    "https://shop.example/deprecations/v1".to_owned(),
                    vec!["deprecation".to_owned(), "sunset".to_owned()]
                ),
                ("/v2/carts".to_owned(), vec!["successor-version".to_owned()]),
                ("https://x".to_owned(), vec!["sunset".to_owned()]),
            ]
        );
    }

    #[test]
    fn only_the_first_rel_counts() {
        let links = relations("<https://x>; rel=next; rel=deprecation");
        assert_eq!(links[0].1, ["next"]);
    }

    #[test]
    fn parameters_without_values_and_empty_elements_are_fine() {
        let links = relations(" , <https://x>; crossorigin; rel=sunset ,, ");
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].1, ["sunset"]);
    }

    #[test]
    fn malformed_values_say_where_they_break() {
        for (text, reason) in [
            (
                "https://x; rel=sunset",
                "where a link target in <…> belongs",
            ),
            ("<https://x; rel=sunset", "without its closing >"),
            (
                "<https://x>; rel=\"sunset",
                "no token or quoted-string value",
            ),
            ("<https://x>; =sunset", "no parameter name follows"),
            ("<https://x> rel=sunset", "where a ; or , belongs"),
            ("<https://x>;", "no parameter name follows"),
        ] {
            let error = parse(text).expect_err(text);
            assert!(error.contains(reason), "{text}: {error}");
        }
    }
}
