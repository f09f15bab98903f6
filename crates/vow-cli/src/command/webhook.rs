//! `vow webhook create | list | show | delete | test | deliveries`: the broker's webhooks, through
//! its API (admin routes). Secrets are read from environment variables, never from the command
//! line, and the broker never shows them again.

use std::collections::BTreeMap;

use anyhow::{Context, anyhow};
use serde_json::{Map, Value, json};
use vow_engine::broker::{Deliveries, Webhook};

use crate::cli::{
    ListFormat, WebhookArgs, WebhookCommand, WebhookCreateArgs, WebhookDeliveriesArgs,
    WebhookIdArgs, WebhookListArgs,
};
use crate::command::remote;
use crate::exit::{self, Failure};
use crate::write_stdout;

pub fn run(args: WebhookArgs) -> Result<u8, Failure> {
    match args.command {
        WebhookCommand::Create(args) => create(args),
        WebhookCommand::List(args) => list(args),
        WebhookCommand::Show(args) => show(args),
        WebhookCommand::Delete(args) => delete(args),
        WebhookCommand::Test(args) => test(args),
        WebhookCommand::Deliveries(args) => deliveries(args),
    }
}

fn invalid(error: anyhow::Error) -> Failure {
    Failure::new(exit::INVALID_INPUT, error)
}

/// The value of environment variable `var`, which must be set and not empty.
fn from_env(var: &str, what: &str) -> Result<String, Failure> {
    match std::env::var(var) {
        Ok(value) if !value.is_empty() => Ok(value),
        Ok(_) => Err(invalid(anyhow!(
            "{what}: the environment variable {var} is empty"
        ))),
        Err(std::env::VarError::NotPresent) => Err(invalid(anyhow!(
            "{what}: the environment variable {var} is not set"
        ))),
        Err(std::env::VarError::NotUnicode(_)) => Err(invalid(anyhow!(
            "{what}: the environment variable {var} is not UTF-8"
        ))),
    }
}

/// The API body of `vow webhook create`.
fn create_body(args: &WebhookCreateArgs) -> Result<Value, Failure> {
    let mut headers = Map::new();
    for (name, value) in &args.headers {
        headers.insert(name.clone(), Value::String(value.clone()));
    }
    for (name, var) in &args.secret_headers {
        if headers.contains_key(name) {
            return Err(invalid(anyhow!(
                "header {name} is given twice, once with --header and once with --secret-header"
            )));
        }
        let value = from_env(var, &format!("--secret-header {name}"))?;
        headers.insert(name.clone(), json!({ "value": value, "secret": true }));
    }
    let body = match (&args.body, &args.body_file) {
        (Some(body), _) => Some(body.clone()),
        (None, Some(path)) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("failed to read the body template {}", path.display()))
                .map_err(invalid)?,
        ),
        (None, None) => None,
    };
    let secret = args
        .secret_env
        .as_deref()
        .map(|var| from_env(var, "--secret-env"))
        .transpose()?;
    let mut object = Map::new();
    object.insert("url".to_owned(), json!(args.url));
    object.insert("events".to_owned(), json!(args.events));
    object.insert("enabled".to_owned(), json!(!args.disabled));
    if !headers.is_empty() {
        object.insert("headers".to_owned(), Value::Object(headers));
    }
    let optional = [
        ("provider", args.provider.clone()),
        ("consumer", args.consumer.clone()),
        ("method", args.method.clone()),
        ("body", body),
        ("secret", secret),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            object.insert(key.to_owned(), Value::String(value));
        }
    }
    Ok(Value::Object(object))
}

fn create(args: WebhookCreateArgs) -> Result<u8, Failure> {
    let body = create_body(&args)?;
    let client = remote::client(args.broker)?;
    remote::runtime()?.block_on(async {
        let webhook = client
            .create_webhook(&body)
            .await
            .map_err(|e| remote::failure(e, "failed to create the webhook".to_owned()))?;
        let text = match args.format {
            ListFormat::Json => format!("{:#}\n", json!(webhook)),
            ListFormat::Human => format!("created webhook {}\n{}", webhook.id, describe(&webhook)),
        };
        write_stdout(&text)?;
        Ok(exit::SUCCESS)
    })
}

fn list(args: WebhookListArgs) -> Result<u8, Failure> {
    let client = remote::client(args.broker)?;
    remote::runtime()?.block_on(async {
        let webhooks = client
            .webhooks()
            .await
            .map_err(|e| remote::failure(e, "failed to list the webhooks".to_owned()))?;
        let text = match args.format {
            ListFormat::Json => format!("{:#}\n", json!({ "webhooks": webhooks })),
            ListFormat::Human if webhooks.is_empty() => "no webhooks\n".to_owned(),
            ListFormat::Human => table(
                &["ID", "ENABLED", "EVENTS", "TARGET"],
                webhooks
                    .iter()
                    .map(|w| {
                        vec![
                            w.id.to_string(),
                            yes_no(w.enabled).to_owned(),
                            w.events.join(","),
                            format!("{} {}", w.method, w.url),
                        ]
                    })
                    .collect(),
            ),
        };
        write_stdout(&text)?;
        Ok(exit::SUCCESS)
    })
}

fn show(args: WebhookIdArgs) -> Result<u8, Failure> {
    let client = remote::client(args.broker)?;
    let id = args.id;
    remote::runtime()?.block_on(async {
        let webhook = client
            .webhook(id)
            .await
            .map_err(|e| remote::failure(e, format!("failed to read webhook {id}")))?;
        let text = match args.format {
            ListFormat::Json => format!("{:#}\n", json!(webhook)),
            ListFormat::Human => format!("webhook {}\n{}", webhook.id, describe(&webhook)),
        };
        write_stdout(&text)?;
        Ok(exit::SUCCESS)
    })
}

fn delete(args: WebhookIdArgs) -> Result<u8, Failure> {
    let client = remote::client(args.broker)?;
    let id = args.id;
    remote::runtime()?.block_on(async {
        client
            .delete_webhook(id)
            .await
            .map_err(|e| remote::failure(e, format!("failed to delete webhook {id}")))?;
        let text = match args.format {
            ListFormat::Json => format!("{:#}\n", json!({ "deleted": id })),
            ListFormat::Human => format!("deleted webhook {id} and its delivery log\n"),
        };
        write_stdout(&text)?;
        Ok(exit::SUCCESS)
    })
}

fn test(args: WebhookIdArgs) -> Result<u8, Failure> {
    let client = remote::client(args.broker)?;
    let id = args.id;
    remote::runtime()?.block_on(async {
        let delivery = client.test_webhook(id).await.map_err(|e| {
            remote::failure(e, format!("failed to queue a test event for webhook {id}"))
        })?;
        let text = match args.format {
            ListFormat::Json => format!("{:#}\n", json!({ "delivery": delivery })),
            ListFormat::Human => format!(
                "queued test delivery {delivery} for webhook {id}; follow it with \
                 `vow webhook deliveries {id}`\n"
            ),
        };
        write_stdout(&text)?;
        Ok(exit::SUCCESS)
    })
}

fn deliveries(args: WebhookDeliveriesArgs) -> Result<u8, Failure> {
    let client = remote::client(args.broker)?;
    let id = args.id;
    remote::runtime()?.block_on(async {
        let page = client
            .webhook_deliveries(id, args.before, Some(args.limit))
            .await
            .map_err(|e| {
                remote::failure(e, format!("failed to read the deliveries of webhook {id}"))
            })?;
        let text = match args.format {
            ListFormat::Json => format!("{:#}\n", json!(page)),
            ListFormat::Human => delivery_log(id, &page),
        };
        write_stdout(&text)?;
        Ok(exit::SUCCESS)
    })
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

/// A webhook for people, one setting a line, secrets as the broker shows them (`***`).
fn describe(webhook: &Webhook) -> String {
    let mut lines: Vec<(&str, String)> = vec![
        ("target", format!("{} {}", webhook.method, webhook.url)),
        ("events", webhook.events.join(", ")),
        (
            "provider",
            webhook.provider.clone().unwrap_or_else(|| "any".to_owned()),
        ),
        (
            "consumer",
            webhook.consumer.clone().unwrap_or_else(|| "any".to_owned()),
        ),
        ("enabled", yes_no(webhook.enabled).to_owned()),
        (
            "signed",
            if webhook.secret.is_some() {
                "yes (the secret is never shown)".to_owned()
            } else {
                "no".to_owned()
            },
        ),
    ];
    let headers: &BTreeMap<_, _> = &webhook.headers;
    for (name, header) in headers {
        let value = if header.secret {
            "*** (secret)".to_owned()
        } else {
            header.value.clone()
        };
        lines.push(("header", format!("{name}: {value}")));
    }
    lines.push((
        "body",
        webhook
            .body
            .clone()
            .unwrap_or_else(|| "the event's variables as JSON".to_owned()),
    ));
    lines.push(("created", webhook.created_at.clone()));
    lines.push(("updated", webhook.updated_at.clone()));
    let mut text = String::new();
    for (label, value) in lines {
        let mut value_lines = value.lines();
        text.push_str(&format!(
            "  {:<10}{}\n",
            format!("{label}:"),
            value_lines.next().unwrap_or_default()
        ));
        for more in value_lines {
            text.push_str(&format!("  {:<10}{more}\n", ""));
        }
    }
    text
}

/// A page of the delivery log as a table, and how to ask for the next.
fn delivery_log(id: i64, page: &Deliveries) -> String {
    if page.deliveries.is_empty() {
        return format!("no deliveries for webhook {id}\n");
    }
    let rows = page
        .deliveries
        .iter()
        .map(|d| {
            let last = d.log.last();
            let when = match (&d.finished_at, &d.next_attempt_at) {
                (Some(at), _) => format!("finished {at}"),
                (None, Some(at)) => format!("next {at}"),
                (None, None) => "-".to_owned(),
            };
            vec![
                d.id.to_string(),
                d.event.clone(),
                d.status.clone(),
                d.attempts.to_string(),
                last.and_then(|a| a.response_code)
                    .map_or_else(|| "-".to_owned(), |c| c.to_string()),
                d.created_at.clone(),
                when,
                last.and_then(|a| a.error.clone())
                    .map(|e| e.replace(['\n', '\r'], " "))
                    .unwrap_or_else(|| "-".to_owned()),
            ]
        })
        .collect();
    let mut text = table(
        &[
            "DELIVERY", "EVENT", "STATUS", "ATTEMPTS", "ANSWER", "QUEUED", "WHEN", "ERROR",
        ],
        rows,
    );
    if let Some(next) = page.next {
        text.push_str(&format!(
            "older deliveries: vow webhook deliveries {id} --before {next}\n"
        ));
    }
    text
}

/// Rows under a header, columns aligned.
fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    let mut widths = vec![0; header.len()];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        text.push_str(line.join("  ").trim_end());
        text.push('\n');
    }
    text
}
