//! What counts as a secret in an exchange, and masking it. Secret headers are dropped whole;
//! secret query parameters and JSON body members keep their name and get [`PLACEHOLDER`] as value,
//! so a draft still shows that the consumer sends them.

use serde_json::Value;

use crate::contract::source::escape_segment;

/// The value every redacted query parameter and body member gets.
pub const PLACEHOLDER: &str = "[redacted]";

/// Request or response headers that carry credentials or session state.
pub fn is_secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "authorization"
            | "proxy-authorization"
            | "cookie"
            | "set-cookie"
            | "set-cookie2"
            | "x-api-key"
            | "api-key"
            | "apikey"
            | "x-amz-security-token"
            | "x-csrf-token"
            | "x-xsrf-token"
    ) || [
        "token",
        "secret",
        "api-key",
        "apikey",
        "signature",
        "password",
        "session",
        "credential",
        "x-auth",
    ]
    .iter()
    .any(|part| name.contains(part))
}

/// Query parameters that carry credentials or signatures (`access_token`, `api_key`, `sig`, …).
pub fn is_secret_query(name: &str) -> bool {
    let key = normalise(name);
    matches!(
        key.as_str(),
        "sig"
            | "signature"
            | "key"
            | "code"
            | "auth"
            | "password"
            | "pwd"
            | "xamzsignature"
            | "xamzcredential"
            | "xamzsecuritytoken"
    ) || [
        "token",
        "secret",
        "apikey",
        "password",
        "signature",
        "session",
    ]
    .iter()
    .any(|part| key.contains(part))
}

/// JSON body members whose values are secrets or card data.
pub fn is_secret_member(name: &str) -> bool {
    let key = normalise(name);
    matches!(
        key.as_str(),
        "pan"
            | "cvv"
            | "cvc"
            | "cvv2"
            | "cvc2"
            | "securitycode"
            | "cardnumber"
            | "ccnumber"
            | "iban"
            | "ssn"
            | "pin"
            | "otp"
            | "authorization"
            | "cookie"
    ) || [
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "privatekey",
        "passphrase",
        "credential",
    ]
    .iter()
    .any(|part| key.contains(part))
}

/// Lowercase without separators, so `client_secret`, `clientSecret` and `Client-Secret` agree.
fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '_' | '-' | '.' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A string that is a payment card number: 13 to 19 digits (spaces and hyphens allowed between
/// them) passing the Luhn check.
pub fn looks_like_card_number(text: &str) -> bool {
    if text.len() > 25
        || !text
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
    {
        return false;
    }
    let digits: Vec<u32> = text.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Masks secret members and card numbers in `value`, in place, and records where (as JSON
/// pointers under `prefix`) in `redacted`.
pub fn redact_json(value: &mut Value, prefix: &str, redacted: &mut Vec<String>) {
    // A queue, not recursion: bodies come from outside and may nest deeply.
    let mut stack: Vec<(&mut Value, String)> = vec![(value, prefix.to_owned())];
    while let Some((value, at)) = stack.pop() {
        match value {
            Value::Object(members) => {
                for (key, member) in members.iter_mut() {
                    let here = format!("{at}/{}", escape_segment(key));
                    if is_secret_member(key) && !matches!(member, Value::Null) {
                        *member = Value::String(PLACEHOLDER.to_owned());
                        redacted.push(here);
                    } else {
                        stack.push((member, here));
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    stack.push((item, format!("{at}/{i}")));
                }
            }
            Value::String(s) if looks_like_card_number(s) => {
                *s = PLACEHOLDER.to_owned();
                redacted.push(at);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn credential_headers_are_secret_in_any_case() {
        for name in [
            "Authorization",
            "proxy-authorization",
            "COOKIE",
            "Set-Cookie",
            "X-Api-Key",
            "X-Auth-Token",
            "x-amz-security-token",
            "X-Hub-Signature-256",
            "X-Client-Secret",
            "X-Session-Id",
        ] {
            assert!(is_secret_header(name), "{name}");
        }
        for name in [
            "Accept",
            "Content-Type",
            "Idempotency-Key",
            "X-Request-Id",
            "Retry-After",
        ] {
            assert!(!is_secret_header(name), "{name}");
        }
    }

    #[test]
    fn credential_query_parameters_are_secret() {
        for name in [
            "access_token",
            "api_key",
            "apiKey",
            "token",
            "sig",
            "X-Amz-Signature",
            "client_secret",
            "id_token",
        ] {
            assert!(is_secret_query(name), "{name}");
        }
        for name in ["include", "page", "currency", "sku"] {
            assert!(!is_secret_query(name), "{name}");
        }
    }

    #[test]
    fn secret_members_and_card_numbers_are_masked_at_any_depth() {
        let mut body = json!({
            "user": {"email": "a@example.com", "password": "hunter2"},
            "clientSecret": "s3cr3t",
            "payment": {"card": {"number": "4111 1111 1111 1111", "cvc": "123"}, "amount": "42.90"},
            "tokens": [{"refresh_token": "rt"}],
            "apiKey": null,
            "orderId": "o-5001"
        });
        let mut redacted = Vec::new();
        redact_json(&mut body, "", &mut redacted);
        assert_eq!(
            body,
            json!({
                "user": {"email": "a@example.com", "password": PLACEHOLDER},
                "clientSecret": PLACEHOLDER,
                "payment": {"card": {"number": PLACEHOLDER, "cvc": PLACEHOLDER}, "amount": "42.90"},
                "tokens": PLACEHOLDER,
                "apiKey": null,
                "orderId": "o-5001"
            })
        );
        redacted.sort();
        assert_eq!(
            redacted,
            [
                "/clientSecret",
                "/payment/card/cvc",
                "/payment/card/number",
                "/tokens",
                "/user/password"
            ]
        );
    }

    #[test]
    fn card_numbers_need_the_luhn_check() {
        assert!(looks_like_card_number("4111111111111111"));
        assert!(looks_like_card_number("4111-1111-1111-1111"));
        assert!(!looks_like_card_number("4111111111111112"));
        assert!(!looks_like_card_number("1234"));
        assert!(!looks_like_card_number("2026-11-21"));
    }
}
