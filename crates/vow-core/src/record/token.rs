//! The credentials a request carried, as far as a contract may say: the scheme, and the scopes of a
//! bearer token that is a JWT (its `scope` or `scp` claim, decoded and not verified: the draft
//! states what the consumer holds, it does not trust the token).

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::Value;

use crate::contract::AuthScheme;

/// What a request's credentials say, without the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsSeen {
    pub scheme: AuthScheme,
    /// Scopes from the token's claims, in the token's order; empty for opaque tokens.
    pub scopes: Vec<String>,
}

/// The credentials of a request from its headers (names compared case-insensitively): an
/// `Authorization` header (`Bearer`, `Basic`) or an API-key header.
pub fn credentials_of(headers: &[(String, String)]) -> Option<CredentialsSeen> {
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("authorization") {
            let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
            if scheme.eq_ignore_ascii_case("bearer") {
                return Some(CredentialsSeen {
                    scheme: AuthScheme::Bearer,
                    scopes: jwt_scopes(rest.trim()),
                });
            }
            if scheme.eq_ignore_ascii_case("basic") {
                return Some(CredentialsSeen {
                    scheme: AuthScheme::Basic,
                    scopes: Vec::new(),
                });
            }
        }
    }
    headers
        .iter()
        .any(|(name, _)| {
            let name = name.to_ascii_lowercase();
            name == "x-api-key" || name == "api-key" || name == "apikey"
        })
        .then(|| CredentialsSeen {
            scheme: AuthScheme::ApiKey,
            scopes: Vec::new(),
        })
}

/// The scopes a JWT's payload claims: `scope` (space-separated, RFC 8693) or `scp` (a string or a
/// list, as Azure AD and Okta write it). Anything that is not a readable JWT has none.
pub fn jwt_scopes(token: &str) -> Vec<String> {
    let mut parts = token.split('.');
    let (Some(_header), Some(payload), Some(_signature)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return Vec::new();
    };
    let Ok(bytes) = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .or_else(|_| URL_SAFE.decode(payload))
    else {
        return Vec::new();
    };
    let Ok(Value::Object(claims)) = serde_json::from_slice::<Value>(&bytes) else {
        return Vec::new();
    };
    let mut scopes = Vec::new();
    for claim in ["scope", "scp"] {
        match claims.get(claim) {
            Some(Value::String(s)) => scopes.extend(s.split_whitespace().map(str::to_owned)),
            Some(Value::Array(items)) => scopes.extend(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .flat_map(str::split_whitespace)
                    .map(str::to_owned),
            ),
            _ => {}
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    scopes.retain(|s| seen.insert(s.clone()));
    scopes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        format!(
            "{}.{}.c2lnbmF0dXJl",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(claims)
        )
    }

    #[test]
    fn scope_claim_is_split_on_spaces() {
        let token = jwt(r#"{"sub":"checkout-web","scope":"cart:read  cart:write"}"#);
        assert_eq!(jwt_scopes(&token), ["cart:read", "cart:write"]);
    }

    #[test]
    fn scp_claim_may_be_a_string_or_a_list() {
        assert_eq!(jwt_scopes(&jwt(r#"{"scp":"a b"}"#)), ["a", "b"]);
        assert_eq!(jwt_scopes(&jwt(r#"{"scp":["a","b","a"]}"#)), ["a", "b"]);
    }

    #[test]
    fn padded_payloads_are_read_too() {
        let token = format!("e30.{}.x", URL_SAFE.encode(r#"{"scope":"inventory:read"}"#));
        assert_eq!(jwt_scopes(&token), ["inventory:read"]);
    }

    #[test]
    fn opaque_and_broken_tokens_have_no_scopes() {
        assert!(jwt_scopes("checkout-web-demo-token").is_empty());
        assert!(jwt_scopes("a.%%%.c").is_empty());
        assert!(jwt_scopes(&jwt("[1,2]")).is_empty());
        assert!(jwt_scopes(&jwt(r#"{"scope":42}"#)).is_empty());
    }

    #[test]
    fn the_scheme_comes_from_the_header() {
        let headers = |n: &str, v: &str| vec![(n.to_owned(), v.to_owned())];
        let bearer = credentials_of(&headers(
            "authorization",
            &format!("Bearer {}", jwt(r#"{"scope":"x"}"#)),
        ));
        assert_eq!(
            bearer,
            Some(CredentialsSeen {
                scheme: AuthScheme::Bearer,
                scopes: vec!["x".into()]
            })
        );
        assert_eq!(
            credentials_of(&headers("Authorization", "Basic dXNlcjpwdw==")).map(|c| c.scheme),
            Some(AuthScheme::Basic)
        );
        assert_eq!(
            credentials_of(&headers("X-Api-Key", "k")).map(|c| c.scheme),
            Some(AuthScheme::ApiKey)
        );
        assert_eq!(credentials_of(&headers("Accept", "*/*")), None);
    }
}
