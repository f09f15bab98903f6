//! `vow.toml`: settings that do not belong on every command line — for now, the credential sets
//! that contracts name. Secrets are never in the file, only where to get them.
//!
//! ```toml
//! [credentials.checkout-web]
//! token = { env = "CHECKOUT_WEB_TOKEN" }               # or { command = "vault read -field=token …" }
//! limited-token = { env = "CHECKOUT_WEB_LIMITED_TOKEN" }  # optional: lacks a needed scope
//! header = "X-Api-Key"                                 # optional, for the apiKey scheme
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use serde::Deserialize;
use vow_engine::{CredentialSet, SecretSource};

/// The file looked for in the current directory when `--config` is not given.
pub const DEFAULT_FILE: &str = "vow.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    credentials: BTreeMap<String, CredentialEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CredentialEntry {
    token: SourceEntry,
    limited_token: Option<SourceEntry>,
    header: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceEntry {
    env: Option<String>,
    command: Option<String>,
}

/// Settings read from the configuration file.
#[derive(Debug, Default)]
pub struct Config {
    pub credentials: BTreeMap<String, CredentialSet>,
}

/// Reads `explicit` if given (it must exist), else `vow.toml` in the current directory if present.
pub fn load(explicit: Option<&Path>) -> anyhow::Result<Config> {
    let path: PathBuf = match explicit {
        Some(path) => path.to_owned(),
        None if Path::new(DEFAULT_FILE).is_file() => PathBuf::from(DEFAULT_FILE),
        None => return Ok(Config::default()),
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("failed to read the configuration file {}", path.display()))?;
    parse(&text).with_context(|| format!("invalid configuration file {}", path.display()))
}

fn parse(text: &str) -> anyhow::Result<Config> {
    let file: ConfigFile = toml::from_str(text).map_err(|e| anyhow!("{e}"))?;
    let mut credentials = BTreeMap::new();
    for (name, entry) in file.credentials {
        let token = source(&name, "token", entry.token)?;
        let limited_token = entry
            .limited_token
            .map(|s| source(&name, "limited-token", s))
            .transpose()?;
        credentials.insert(
            name,
            CredentialSet {
                token,
                limited_token,
                header: entry.header,
            },
        );
    }
    Ok(Config { credentials })
}

fn source(set: &str, key: &str, entry: SourceEntry) -> anyhow::Result<SecretSource> {
    match (entry.env, entry.command) {
        (Some(var), None) => Ok(SecretSource::Env(var)),
        (None, Some(command)) => Ok(SecretSource::Command(command)),
        _ => bail!(
            "credentials.{set}.{key}: expected exactly one of `env` or `command`, e.g. {key} = {{ env = \"MY_TOKEN\" }}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_sets_read_env_and_command_sources() {
        let config = parse(
            "[credentials.web]\ntoken = { env = \"WEB_TOKEN\" }\nlimited-token = { command = \"echo x\" }\n",
        )
        .expect("valid");
        let web = &config.credentials["web"];
        assert_eq!(web.token, SecretSource::Env("WEB_TOKEN".into()));
        assert_eq!(
            web.limited_token,
            Some(SecretSource::Command("echo x".into()))
        );
    }

    #[test]
    fn a_source_needs_exactly_one_of_env_and_command() {
        let both = parse("[credentials.web]\ntoken = { env = \"A\", command = \"b\" }\n");
        assert!(format!("{:#}", both.expect_err("invalid")).contains("exactly one"));
        let typo = parse("[credentials.web]\ntokn = { env = \"A\" }\n");
        assert!(format!("{:#}", typo.expect_err("invalid")).contains("tokn"));
    }
}
