//! Webhook templates (minijinja): checked when a webhook is saved, rendered at each delivery with
//! the event's variables. Nothing is escaped automatically: a JSON body writes `{{ x|tojson }}`.

use std::collections::BTreeSet;

use minijinja::Environment;
use serde_json::Value;

/// Global functions a template may call without them being variables.
const FUNCTIONS: &[&str] = &["range", "dict", "namespace"];

/// Why a template was refused or failed to render.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The template does not parse.
    #[error("the template does not parse: {0}")]
    Syntax(String),
    /// The template uses variables the subscribed events do not have.
    #[error("the template uses {} that the subscribed events do not have (known: {})", .unknown.join(", "), .known.join(", "))]
    UnknownVariables {
        unknown: Vec<String>,
        known: Vec<String>,
    },
    /// Rendering failed (a filter given the wrong type, say).
    #[error("the template failed to render: {0}")]
    Render(String),
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // Deliveries must not spin: a runaway loop is cut off rather than holding the worker.
    env.set_recursion_limit(32);
    env
}

/// Checks that `source` parses and uses only `known` variables.
pub fn check_template(source: &str, known: &BTreeSet<&str>) -> Result<(), TemplateError> {
    let env = environment();
    let template = env
        .template_from_str(source)
        .map_err(|e| TemplateError::Syntax(describe(&e)))?;
    let mut unknown: Vec<String> = template
        .undeclared_variables(false)
        .into_iter()
        .filter(|v| !known.contains(v.as_str()) && !FUNCTIONS.contains(&v.as_str()))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    unknown.sort();
    Err(TemplateError::UnknownVariables {
        unknown,
        known: known.iter().map(|v| (*v).to_owned()).collect(),
    })
}

/// Renders `source` with the variables of `context` (a JSON object).
pub fn render_template(source: &str, context: &Value) -> Result<String, TemplateError> {
    let env = environment();
    let template = env
        .template_from_str(source)
        .map_err(|e| TemplateError::Syntax(describe(&e)))?;
    template
        .render(minijinja::Value::from(minijinja::value::Serde(context)))
        .map_err(|e| TemplateError::Render(describe(&e)))
}

/// The error and its line, in one line.
fn describe(error: &minijinja::Error) -> String {
    let mut text = error.kind().to_string();
    if let Some(detail) = error.detail() {
        text.push_str(": ");
        text.push_str(detail);
    }
    if let Some(line) = error.line() {
        text.push_str(&format!(" (line {line})"));
    }
    text
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn known() -> BTreeSet<&'static str> {
        ["event", "consumer", "success"].into_iter().collect()
    }

    #[test]
    fn a_template_with_known_variables_passes_and_renders_json_safely() {
        let source = r#"{"who": {{ consumer|tojson }}, "ok": {{ success|tojson }}}"#;
        check_template(source, &known()).expect("valid");
        let out = render_template(
            source,
            &json!({"consumer": "a \"quoted\" name", "success": true}),
        )
        .expect("renders");
        let parsed: Value = serde_json::from_str(&out).expect("JSON");
        assert_eq!(parsed, json!({"who": "a \"quoted\" name", "ok": true}));
    }

    #[test]
    fn unknown_variables_are_named() {
        let error = check_template("{{ consumer }} {{ provder }} {{ x.y }}", &known())
            .expect_err("unknown");
        let TemplateError::UnknownVariables { unknown, .. } = error else {
            panic!("{error:?}");
        };
        assert_eq!(unknown, ["provder", "x"]);
    }

    #[test]
    fn syntax_errors_say_where() {
        let error = check_template("line one\n{{ consumer ", &known()).expect_err("syntax");
        assert!(
            matches!(&error, TemplateError::Syntax(m) if m.contains("line 2")),
            "{error}"
        );
    }

    #[test]
    fn loops_and_their_variables_are_not_unknown() {
        let source = "{% for c in consumers %}{{ c.consumer }}{% endfor %}{% set n = 1 %}{{ n }}";
        let known: BTreeSet<&str> = ["consumers"].into_iter().collect();
        check_template(source, &known).expect("valid");
    }

    #[test]
    fn a_variable_the_event_lacks_renders_as_nothing_and_as_null_in_json() {
        let out = render_template("[{{ environment }}] {{ environment|tojson }}", &json!({}))
            .expect("renders");
        assert_eq!(out, "[] null");
    }
}
