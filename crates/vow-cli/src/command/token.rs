//! `vow broker token create | list | revoke`: the broker's bearer tokens, managed on its database
//! directly (like `vow broker migrate`, and applying migrations first), so that an operator can
//! make the first admin token before the broker requires one. A created token goes to stdout,
//! alone, the only time it is shown; everything said about it goes to stderr.

use std::io::Write;

use chrono::{DateTime, Utc};
use vow_broker::store::Token;
use vow_broker::token::{self, IssueError, Role, TokenSpec};

use crate::cli::{
    ListFormat, TokenArgs, TokenCommand, TokenCreateArgs, TokenListArgs, TokenRevokeArgs, TokenRole,
};
use crate::command::broker::{fail, open};
use crate::exit::{self, Failure};
use crate::write_stdout;

pub async fn run(args: TokenArgs) -> Result<u8, Failure> {
    match args.command {
        TokenCommand::Create(args) => create(args).await,
        TokenCommand::List(args) => list(args).await,
        TokenCommand::Revoke(args) => revoke(args).await,
    }
}

async fn create(args: TokenCreateArgs) -> Result<u8, Failure> {
    let now = Utc::now();
    let role = match args.role {
        TokenRole::Read => Role::Read,
        TokenRole::Publish => Role::Publish,
        TokenRole::Admin => Role::Admin,
    };
    let spec = TokenSpec::new(&args.name, role, &args.services, args.expires_in, now)
        .map_err(|e| Failure::new(exit::INVALID_INPUT, anyhow::Error::new(e)))?;
    let store = open(&args.database).await?;
    let issued = token::issue(&store, &spec, now).await;
    store.close().await;
    let issued = issued.map_err(|e| match e {
        IssueError::Store(e) => fail(e, format!("failed to create token {}", args.name)),
        e @ IssueError::Random(_) => Failure::new(exit::INVALID_INPUT, anyhow::Error::new(e)),
    })?;
    let token = &issued.token;
    let expires = match token.expires_at {
        Some(at) => format!("expires {}", minute(at)),
        None => "does not expire".to_owned(),
    };
    let _ = writeln!(
        std::io::stderr(),
        "created token {} ({}…), role {}: {}; {expires}\n\
         store it now: it is not shown again (the broker keeps only its hash)",
        token.name,
        token.prefix,
        token.role,
        allows(token),
    );
    write_stdout(&format!("{}\n", issued.secret.expose()))?;
    Ok(exit::SUCCESS)
}

async fn list(args: TokenListArgs) -> Result<u8, Failure> {
    let store = open(&args.database).await?;
    let tokens = store.tokens().await;
    store.close().await;
    let tokens = tokens.map_err(|e| fail(e, "failed to list the tokens"))?;
    let text = match args.format {
        ListFormat::Json => {
            format!("{:#}\n", serde_json::json!({ "tokens": tokens }))
        }
        ListFormat::Human => table(&tokens),
    };
    write_stdout(&text)?;
    Ok(exit::SUCCESS)
}

async fn revoke(args: TokenRevokeArgs) -> Result<u8, Failure> {
    let store = open(&args.database).await?;
    let revoked = store.revoke_token(&args.name, Utc::now()).await;
    store.close().await;
    let put = revoked.map_err(|e| fail(e, format!("failed to revoke token {}", args.name)))?;
    let text = match (put.created, put.value.revoked_at) {
        (false, Some(at)) => format!(
            "token {} was already revoked at {}\n",
            args.name,
            minute(at)
        ),
        _ => format!("revoked token {}\n", args.name),
    };
    write_stdout(&text)?;
    Ok(exit::SUCCESS)
}

/// The tokens as an aligned table, one a line.
fn table(tokens: &[Token]) -> String {
    if tokens.is_empty() {
        return "no tokens: the broker is open to anyone who can reach it\n".to_owned();
    }
    let header = [
        "NAME",
        "ROLE",
        "SERVICES",
        "PREFIX",
        "CREATED",
        "EXPIRES",
        "LAST USED",
        "REVOKED",
    ]
    .map(str::to_owned);
    let optional = |at: Option<DateTime<Utc>>| at.map_or_else(|| "-".to_owned(), minute);
    let rows: Vec<[String; 8]> = tokens
        .iter()
        .map(|t| {
            [
                t.name.clone(),
                t.role.to_string(),
                if t.services.is_empty() {
                    "all".to_owned()
                } else {
                    t.services.join(",")
                },
                format!("{}…", t.prefix),
                minute(t.created_at),
                optional(t.expires_at),
                optional(t.last_used_at),
                optional(t.revoked_at),
            ]
        })
        .collect();
    let mut widths = [0; 8];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        text.push_str(line.join("  ").trim_end());
        text.push('\n');
    }
    text
}

/// What the token may do, in words.
fn allows(token: &Token) -> String {
    match (token.role, token.services.as_slice()) {
        (Role::Read, _) => "reads only".to_owned(),
        (Role::Admin, _) => "everything, token management included".to_owned(),
        (Role::Publish, []) => "reads, and writes for every service".to_owned(),
        (Role::Publish, services) => {
            format!("reads, and writes for {} only", services.join(", "))
        }
    }
}

/// A time to the minute, in UTC.
fn minute(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}
