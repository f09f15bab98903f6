//! The JSONPath subset Pact matching rules use (`$.items[*].sku`, `$['a.b']`, `$.items[0]`, `$.*`),
//! read into steps and written as vow path patterns (`/items/*/sku`).

use serde_json::Value;

use crate::contract::source::escape_segment;

/// One step of a Pact path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(u64),
    /// `*` or `[*]`: any member or element.
    Any,
}

/// Reads a Pact JSONPath. The error says what vow cannot read.
pub(crate) fn parse(path: &str) -> Result<Vec<Step>, String> {
    let Some(rest) = path.strip_prefix('$') else {
        return Err("a JSONPath starting with $".to_owned());
    };
    let chars: Vec<char> = rest.chars().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                if chars.get(i + 1) == Some(&'.') {
                    return Err("recursive descent (`..`)".to_owned());
                }
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && !matches!(chars[end], '.' | '[') {
                    end += 1;
                }
                let name: String = chars[start..end].iter().collect();
                match name.as_str() {
                    "" => return Err("an empty name after `.`".to_owned()),
                    "*" => steps.push(Step::Any),
                    _ => steps.push(Step::Key(name)),
                }
                i = end;
            }
            '[' => {
                let (step, next) = bracket(&chars, i)?;
                steps.push(step);
                i = next;
            }
            c => return Err(format!("`.` or `[` where the path has `{c}`")),
        }
    }
    Ok(steps)
}

/// Reads `[*]`, `[12]`, `['name']` or `["name"]` starting at `open`; returns the step and the
/// index after `]`.
fn bracket(chars: &[char], open: usize) -> Result<(Step, usize), String> {
    let mut i = open + 1;
    match chars.get(i) {
        Some('\'' | '"') => {
            let quote = chars[i];
            i += 1;
            let mut name = String::new();
            loop {
                match chars.get(i) {
                    None => return Err("an unterminated quoted name".to_owned()),
                    Some('\\') if chars.get(i + 1).is_some() => {
                        name.push(chars[i + 1]);
                        i += 2;
                    }
                    Some(c) if *c == quote => {
                        i += 1;
                        break;
                    }
                    Some(c) => {
                        name.push(*c);
                        i += 1;
                    }
                }
            }
            if chars.get(i) != Some(&']') {
                return Err("`]` after a quoted name".to_owned());
            }
            Ok((Step::Key(name), i + 1))
        }
        _ => {
            let start = i;
            while i < chars.len() && chars[i] != ']' {
                i += 1;
            }
            if i == chars.len() {
                return Err("an unterminated `[`".to_owned());
            }
            let inner: String = chars[start..i].iter().collect();
            let step = match inner.trim() {
                "*" => Step::Any,
                index => match index.parse::<u64>() {
                    Ok(n) => Step::Index(n),
                    Err(_) => {
                        return Err(format!(
                            "an index, `*` or a quoted name inside `[...]`, not `{inner}` \
                             (filters and slices are not supported)"
                        ));
                    }
                },
            };
            Ok((step, i + 1))
        }
    }
}

/// Writes steps as a vow path pattern; `""` is the whole body. Fails for keys vow patterns cannot
/// name (a literal `*`, or an empty key).
pub(crate) fn to_pattern(steps: &[Step]) -> Result<String, String> {
    let mut out = String::new();
    for step in steps {
        out.push('/');
        match step {
            Step::Any => out.push('*'),
            Step::Index(n) => out.push_str(&n.to_string()),
            Step::Key(k) if k == "*" => {
                return Err(
                    "a member literally named `*`, which a vow pattern reads as any member"
                        .to_owned(),
                );
            }
            Step::Key(k) if k.is_empty() => {
                return Err("a member with an empty name".to_owned());
            }
            Step::Key(k) => out.push_str(&escape_segment(k)),
        }
    }
    Ok(out)
}

/// The example values a path reaches in `root`.
pub(crate) fn examples_at<'v>(root: &'v Value, steps: &[Step]) -> Vec<&'v Value> {
    let mut here = vec![root];
    for step in steps {
        let mut next = Vec::new();
        for value in here {
            match (step, value) {
                (Step::Key(k), Value::Object(map)) => next.extend(map.get(k)),
                (Step::Key(k), Value::Array(items)) => {
                    if let Ok(i) = k.parse::<usize>() {
                        next.extend(items.get(i));
                    }
                }
                (Step::Index(i), Value::Array(items)) => {
                    next.extend(usize::try_from(*i).ok().and_then(|i| items.get(i)));
                }
                (Step::Any, Value::Object(map)) => next.extend(map.values()),
                (Step::Any, Value::Array(items)) => next.extend(items.iter()),
                _ => {}
            }
        }
        here = next;
    }
    here
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(path: &str) -> Result<String, String> {
        parse(path).and_then(|steps| to_pattern(&steps))
    }

    #[test]
    fn reads_the_forms_pact_writes() {
        assert_eq!(pattern("$.items[*].sku").unwrap(), "/items/*/sku");
        assert_eq!(pattern("$['a.b'].c").unwrap(), "/a.b/c");
        assert_eq!(pattern("$[\"x/y\"]").unwrap(), "/x~1y");
        assert_eq!(pattern("$.items[0]").unwrap(), "/items/0");
        assert_eq!(pattern("$.*").unwrap(), "/*");
        assert_eq!(pattern("$").unwrap(), "");
        assert_eq!(pattern("$.a[*][*]").unwrap(), "/a/*/*");
    }

    #[test]
    fn refuses_what_patterns_cannot_say() {
        assert!(pattern("$..sku").unwrap_err().contains("recursive descent"));
        assert!(pattern("$.items[?(@.a)]").unwrap_err().contains("filters"));
        assert!(pattern("items").unwrap_err().contains("starting with $"));
        assert!(pattern("$['*']").unwrap_err().contains("literally named"));
        assert!(pattern("$['unterminated").is_err());
    }

    #[test]
    fn finds_examples_through_wildcards() {
        let body = serde_json::json!({"items": [{"sku": "a"}, {"sku": "b"}], "n": 1});
        let found = examples_at(&body, &parse("$.items[*].sku").unwrap());
        assert_eq!(found, vec!["a", "b"]);
        assert!(examples_at(&body, &parse("$.missing").unwrap()).is_empty());
    }
}
