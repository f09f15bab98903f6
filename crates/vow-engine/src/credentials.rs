//! Credentials for auth probes and authenticated replays: where they come from (an environment
//! variable or a command), how they are sent, and how they are kept out of every output.
//!
//! Contracts only *name* a credential set; the secrets are resolved here at run time and never
//! written anywhere. [`Secret`]'s `Debug` hides its value, and [`Redactor`] scrubs any text that
//! leaves the engine.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use vow_core::contract::AuthScheme;

/// A secret value. Its `Debug` form never shows the value, so it cannot leak through logs or panics.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that needs it: building a request header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Where a secret comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// The value of an environment variable.
    Env(String),
    /// The standard output of a shell command (trailing newlines removed), e.g. a vault lookup.
    Command(String),
}

/// A named credential set, as configured outside contracts (e.g. in `vow.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialSet {
    /// The credential the consumer holds.
    pub token: SecretSource,
    /// A credential lacking a scope the interactions need, for the insufficient-scope probe.
    pub limited_token: Option<SecretSource>,
    /// For the `apiKey` scheme: the header that carries the key. Default `X-Api-Key`.
    pub header: Option<String>,
}

/// Resolved credentials of one set.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub token: Secret,
    pub limited_token: Option<Secret>,
    pub header: Option<String>,
}

/// Why a credential set could not be resolved. Messages never contain a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("credential set {set:?} is not configured (add [credentials.{set}] to vow.toml)")]
    NotConfigured { set: String },
    #[error("credential set {set:?}: the environment variable {var} is not set or empty")]
    EnvMissing { set: String, var: String },
    #[error(
        "credential set {set:?}: the command failed ({reason}); its output is not shown because it may hold secrets"
    )]
    CommandFailed { set: String, reason: String },
    #[error("credential set {set:?}: the command printed nothing")]
    CommandEmpty { set: String },
}

/// How long a credential command may run.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// Resolves one source of set `set`.
pub async fn resolve(set: &str, source: &SecretSource) -> Result<Secret, CredentialError> {
    match source {
        SecretSource::Env(var) => match std::env::var(var) {
            Ok(value) if !value.is_empty() => Ok(Secret(value)),
            _ => Err(CredentialError::EnvMissing {
                set: set.to_owned(),
                var: var.clone(),
            }),
        },
        SecretSource::Command(command) => run_command(set, command).await,
    }
}

async fn run_command(set: &str, command: &str) -> Result<Secret, CredentialError> {
    let failed = |reason: String| CredentialError::CommandFailed {
        set: set.to_owned(),
        reason,
    };
    let child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = match tokio::time::timeout(COMMAND_TIMEOUT, child).await {
        Err(_) => {
            return Err(failed(format!(
                "no answer within {} s",
                COMMAND_TIMEOUT.as_secs()
            )));
        }
        Ok(Err(e)) => return Err(failed(format!("it could not be started: {e}"))),
        Ok(Ok(output)) => output,
    };
    if !output.status.success() {
        return Err(failed(format!("it exited with {}", output.status)));
    }
    let text = String::from_utf8_lossy(&output.stdout)
        .trim_end_matches(['\r', '\n'])
        .to_owned();
    if text.is_empty() {
        return Err(CredentialError::CommandEmpty {
            set: set.to_owned(),
        });
    }
    Ok(Secret(text))
}

/// Resolves every set in `needed` from `configured`, reporting every failure at once. `needed` maps
/// each set to whether a probe will use its limited token; a limited token nothing uses is not
/// resolved, so it need not be configured in the environment.
pub async fn resolve_all(
    needed: &BTreeMap<String, bool>,
    configured: &BTreeMap<String, CredentialSet>,
) -> Result<BTreeMap<String, Credentials>, Vec<CredentialError>> {
    let mut resolved = BTreeMap::new();
    let mut errors = Vec::new();
    for (name, probes) in needed {
        let Some(set) = configured.get(name) else {
            errors.push(CredentialError::NotConfigured { set: name.clone() });
            continue;
        };
        let token = resolve(name, &set.token).await;
        let limited = match &set.limited_token {
            Some(source) if *probes => resolve(name, source).await.map(Some),
            _ => Ok(None),
        };
        match (token, limited) {
            (Ok(token), Ok(limited_token)) => {
                resolved.insert(
                    name.clone(),
                    Credentials {
                        token,
                        limited_token,
                        header: set.header.clone(),
                    },
                );
            }
            (token, limited) => errors.extend(token.err().into_iter().chain(limited.err())),
        }
    }
    if errors.is_empty() {
        Ok(resolved)
    } else {
        Err(errors)
    }
}

/// The header that presents `secret` under `scheme`.
pub fn auth_header(
    scheme: AuthScheme,
    secret: &Secret,
    api_key_header: Option<&str>,
) -> (String, String) {
    match scheme {
        AuthScheme::Bearer | AuthScheme::Oauth2 => (
            "Authorization".to_owned(),
            format!("Bearer {}", secret.expose()),
        ),
        AuthScheme::Basic => (
            "Authorization".to_owned(),
            format!("Basic {}", STANDARD.encode(secret.expose())),
        ),
        AuthScheme::ApiKey => (
            api_key_header.unwrap_or("X-Api-Key").to_owned(),
            secret.expose().to_owned(),
        ),
    }
}

/// Replaces every known secret in texts that leave the engine.
#[derive(Debug, Default, Clone)]
pub struct Redactor {
    secrets: Vec<Secret>,
}

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

impl Redactor {
    pub fn new(credentials: &BTreeMap<String, Credentials>) -> Redactor {
        // Each secret as configured and as the `basic` scheme sends it (base64), since a provider
        // may echo the header it received.
        let mut secrets: Vec<Secret> = credentials
            .values()
            .flat_map(|c| std::iter::once(&c.token).chain(&c.limited_token))
            .flat_map(|s| [s.clone(), Secret(STANDARD.encode(s.expose()))])
            .collect();
        // Longest first, so a secret that contains another is replaced whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.0.len()));
        secrets.dedup();
        Redactor { secrets }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in &self.secrets {
            if !secret.0.is_empty() && text.contains(&secret.0) {
                text = text.replace(&secret.0, REDACTED);
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug_output() {
        let creds = Credentials {
            token: Secret::new("s3cr3t"),
            limited_token: None,
            header: None,
        };
        assert!(!format!("{creds:?}").contains("s3cr3t"));
    }

    #[test]
    fn the_redactor_replaces_every_occurrence_longest_first() {
        let mut sets = BTreeMap::new();
        sets.insert(
            "a".to_owned(),
            Credentials {
                token: Secret::new("tok"),
                limited_token: Some(Secret::new("tok-long")),
                header: None,
            },
        );
        let r = Redactor::new(&sets);
        assert_eq!(
            r.redact("x tok-long y tok z"),
            "x [redacted] y [redacted] z"
        );
    }

    #[test]
    fn basic_credentials_are_base64() {
        let (name, value) =
            auth_header(AuthScheme::Basic, &Secret::new("Aladdin:open sesame"), None);
        assert_eq!(
            (name.as_str(), value.as_str()),
            ("Authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_hanging_command_is_abandoned_after_the_timeout() {
        let hung = resolve("s", &SecretSource::Command("sleep 600".into())).await;
        let message = hung.expect_err("times out").to_string();
        assert!(message.contains("no answer within 10 s"), "{message}");
    }

    #[tokio::test]
    async fn commands_and_env_resolve_and_fail_clearly() {
        let ok = resolve("s", &SecretSource::Command("printf 'abc\\n'".into())).await;
        assert_eq!(ok.map(|s| s.0), Ok("abc".to_owned()));
        let failed = resolve(
            "s",
            &SecretSource::Command("echo leaked >&2; exit 3".into()),
        )
        .await;
        let message = failed.expect_err("fails").to_string();
        assert!(
            message.contains("exit status: 3") && !message.contains("leaked"),
            "{message}"
        );
        let missing = resolve("s", &SecretSource::Env("VOW_TEST_SURELY_UNSET_VAR".into())).await;
        assert!(matches!(missing, Err(CredentialError::EnvMissing { .. })));
    }
}
