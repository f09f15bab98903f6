//! Broker tokens: what a token is (`vow_` and 32 random bytes from the OS, base64url), how it is
//! stored (only the hex SHA-256 of its text, and a short prefix people can recognise it by), the
//! roles a token can have, and issuing one. The API (`POST /api/v1/tokens`) and the CLI
//! (`vow broker token create`) both issue tokens through [`issue`].
//!
//! A fast hash is enough: a token is 256 random bits, so there is nothing to guess and nothing a
//! slow hash would protect; the broker hashes every presented token on every request.

use std::collections::BTreeSet;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::name::{InvalidName, ServiceName, TokenName};
use crate::store::{Store, StoreError, Token};

/// What every token starts with, so that scanners and people recognise one.
const SCHEME_PREFIX: &str = "vow_";
/// Random bytes in a token.
const SECRET_BYTES: usize = 32;
/// Characters of the encoded secret kept, after `vow_`, as the token's display prefix.
const DISPLAY_CHARS: usize = 6;
/// The longest lifetime a token can be given.
pub const MAX_EXPIRES_IN_DAYS: u32 = 3650;

/// What a token may do. Each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Every `GET` route.
    Read,
    /// Reads, and every write that records something: versions, contracts, environments,
    /// deployments.
    Publish,
    /// Everything, token management included.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Read, Role::Publish, Role::Admin];

    /// The name used in the API, the CLI and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Publish => "publish",
            Role::Admin => "admin",
        }
    }

    /// The role of that name, if any.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text of a token. Shown once, when issued; its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenSecret({}…)", self.prefix())
    }
}

impl TokenSecret {
    /// A new token from the operating system's random source.
    pub fn generate() -> Result<TokenSecret, getrandom::Error> {
        let mut bytes = [0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(TokenSecret(format!(
            "{SCHEME_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(bytes)
        )))
    }

    /// The token itself, to show once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database keeps.
    pub fn hash(&self) -> String {
        hash_text(&self.0)
    }

    /// `vow_` and the first few characters: enough to tell tokens apart, far too few to use one.
    pub fn prefix(&self) -> String {
        self.0
            .chars()
            .take(SCHEME_PREFIX.len() + DISPLAY_CHARS)
            .collect()
    }
}

/// The hash to look a presented token up by, or `None` when the text is not shaped like a vow
/// token at all (then it cannot be one, and the database need not be asked).
pub fn hash_presented(text: &str) -> Option<String> {
    let encoded = text.strip_prefix(SCHEME_PREFIX)?;
    let bytes = URL_SAFE_NO_PAD.decode(encoded).ok()?;
    (bytes.len() == SECRET_BYTES).then(|| hash_text(text))
}

fn hash_text(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A token to issue, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSpec {
    pub name: TokenName,
    pub role: Role,
    /// The services a publish token may write for; empty for all.
    pub services: BTreeSet<ServiceName>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Why a token cannot be issued as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenSpecError {
    #[error(transparent)]
    Name(#[from] InvalidName),
    /// Only publish tokens write for services.
    #[error(
        "only publish tokens can be limited to services: a read token writes nothing, and an admin token manages tokens, so the limit would not hold"
    )]
    LimitedRole { role: Role },
    /// The lifetime is out of range.
    #[error("a token expires in 1 to {MAX_EXPIRES_IN_DAYS} days, not {days}")]
    ExpiresIn { days: u32 },
}

impl TokenSpec {
    /// Checks what a person asked for: a token name, a role, the services it is limited to (none
    /// for all) and, optionally, how many days from `now` it lasts.
    pub fn new(
        name: &str,
        role: Role,
        services: &[String],
        expires_in_days: Option<u32>,
        now: DateTime<Utc>,
    ) -> Result<TokenSpec, TokenSpecError> {
        let name = TokenName::parse(name)?;
        let services = services
            .iter()
            .map(|s| ServiceName::parse(s))
            .collect::<Result<BTreeSet<_>, _>>()?;
        if !services.is_empty() && role != Role::Publish {
            return Err(TokenSpecError::LimitedRole { role });
        }
        let expires_at = match expires_in_days {
            None => None,
            Some(days) if (1..=MAX_EXPIRES_IN_DAYS).contains(&days) => {
                Some(now + Duration::days(i64::from(days)))
            }
            Some(days) => return Err(TokenSpecError::ExpiresIn { days }),
        };
        Ok(TokenSpec {
            name,
            role,
            services,
            expires_at,
        })
    }
}

/// A token just issued: its text, shown this once, and what the broker keeps about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub secret: TokenSecret,
    pub token: Token,
}

/// Why issuing failed.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// The operating system gave no random bytes.
    #[error("failed to read random bytes from the operating system")]
    Random(#[source] getrandom::Error),
    /// Storing failed (a name already taken is [`StoreError::TokenConflict`]).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Generates a token, stores its hash with `spec`, and hands the token out.
pub async fn issue(
    store: &Store,
    spec: &TokenSpec,
    now: DateTime<Utc>,
) -> Result<Issued, IssueError> {
    let secret = TokenSecret::generate().map_err(IssueError::Random)?;
    let token = store
        .create_token(spec, &secret.hash(), &secret.prefix(), now)
        .await?;
    Ok(Issued { secret, token })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_vow_and_32_random_bytes() {
        let a = TokenSecret::generate().unwrap();
        let b = TokenSecret::generate().unwrap();
        assert_ne!(a, b);
        assert!(a.expose().starts_with("vow_"), "{}", a.expose());
        assert_eq!(a.expose().len(), 4 + 43);
        assert_eq!(hash_presented(a.expose()), Some(a.hash()));
        assert_eq!(a.hash().len(), 64);
        assert!(a.hash().chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(a.prefix(), a.expose()[..10]);
    }

    #[test]
    fn text_not_shaped_like_a_token_is_refused_before_any_lookup() {
        let good = TokenSecret::generate().unwrap();
        let body = &good.expose()[4..];
        for bad in [
            String::new(),
            "vow_".to_owned(),
            body.to_owned(),
            format!("pat_{body}"),
            format!("vow_{}", &body[1..]),
            format!("vow_{body}A"),
            format!("vow_{}+", &body[1..]),
            format!("vow_{body}="),
        ] {
            assert_eq!(hash_presented(&bad), None, "{bad:?}");
        }
    }

    #[test]
    fn debug_never_shows_the_token() {
        let secret = TokenSecret::generate().unwrap();
        let shown = format!("{secret:?}");
        assert!(!shown.contains(&secret.expose()[10..]), "{shown}");
    }

    #[test]
    fn the_hash_is_the_hex_sha256_of_the_text() {
        // printf vow_test | sha256sum
        assert_eq!(
            hash_text("vow_test"),
            "a1367e3aa57867f9e23d2382ffff8a735c4c0f8c193f935f52faf37db9186907"
        );
    }

    #[test]
    fn only_publish_tokens_are_limited_and_lifetimes_are_bounded() {
        let now = Utc::now();
        let web = ["checkout-web".to_owned()];
        assert!(TokenSpec::new("ci", Role::Publish, &web, Some(30), now).is_ok());
        for role in [Role::Read, Role::Admin] {
            assert_eq!(
                TokenSpec::new("ci", role, &web, None, now),
                Err(TokenSpecError::LimitedRole { role })
            );
        }
        for days in [0, MAX_EXPIRES_IN_DAYS + 1] {
            assert_eq!(
                TokenSpec::new("ci", Role::Read, &[], Some(days), now),
                Err(TokenSpecError::ExpiresIn { days })
            );
        }
        assert!(TokenSpec::new("c i", Role::Read, &[], None, now).is_err());
        assert!(TokenSpec::new("ci", Role::Publish, &["a b".to_owned()], None, now).is_err());
        let spec = TokenSpec::new("ci", Role::Read, &[], Some(2), now).unwrap();
        assert_eq!(spec.expires_at, Some(now + Duration::days(2)));
    }

    #[test]
    fn roles_order_by_what_they_allow() {
        assert!(Role::Read < Role::Publish && Role::Publish < Role::Admin);
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("owner"), None);
    }
}
