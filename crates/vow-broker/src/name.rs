//! The names clients give in paths and bodies, parsed once at the edge: services, environments,
//! version numbers, application instances and token names. Every later layer takes them as valid.

use std::fmt;

/// Why a name was refused, for the `{code, message}` body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {given:?} is not valid: {rule}")]
pub struct InvalidName {
    pub what: &'static str,
    pub given: String,
    pub rule: &'static str,
}

/// Defines a name type: a string checked by `$valid` when parsed.
macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident, $what:literal, $rule:literal, $valid:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Checks the text against the rule in the error message.
            pub fn parse(text: &str) -> Result<$name, InvalidName> {
                let valid: fn(&str) -> bool = $valid;
                if valid(text) {
                    Ok($name(text.to_owned()))
                } else {
                    Err(InvalidName { what: $what, given: text.to_owned(), rule: $rule })
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// Names of services and environments: they appear in URLs, CLI flags and CI configuration.
fn is_identifier(text: &str) -> bool {
    (1..=128).contains(&text.len())
        && text.starts_with(|c: char| c.is_ascii_alphanumeric())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Version numbers are whatever the build calls itself (a git SHA, `1.4.0+build.7`), but printable
/// and without `/` so that they fit in one path segment.
fn is_version_number(text: &str) -> bool {
    (1..=255).contains(&text.len()) && text.chars().all(|c| c.is_ascii_graphic() && c != '/')
}

name_type!(
    /// A service name such as `checkout-web`.
    ServiceName,
    "the service name",
    "use 1 to 128 letters, digits, '-', '_' or '.', starting with a letter or digit",
    is_identifier
);
name_type!(
    /// An environment name such as `production`.
    EnvironmentName,
    "the environment name",
    "use 1 to 128 letters, digits, '-', '_' or '.', starting with a letter or digit",
    is_identifier
);
name_type!(
    /// A version number such as a git SHA or `1.4.0`.
    VersionNumber,
    "the version number",
    "use 1 to 255 printable ASCII characters other than '/' and space",
    is_version_number
);
name_type!(
    /// One of several instances of a service in one environment, such as `eu-west-1`.
    InstanceName,
    "the application instance",
    "use 1 to 128 letters, digits, '-', '_' or '.', starting with a letter or digit",
    is_identifier
);
name_type!(
    /// A branch name such as `main` or `feature/new-cart`, as git and CI name it.
    BranchName,
    "the branch name",
    "use 1 to 255 characters without control characters",
    |text| (1..=255).contains(&text.len()) && !text.chars().any(char::is_control)
);

name_type!(
    /// The label of a broker token such as `ci-checkout-web`, chosen by whoever creates it.
    TokenName,
    "the token name",
    "use 1 to 128 letters, digits, '-', '_' or '.', starting with a letter or digit",
    is_identifier
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names() {
        assert!(ServiceName::parse("checkout-web").is_ok());
        assert!(ServiceName::parse("a.b_c-1").is_ok());
        for bad in ["", "-web", "web app", "web/app", "wéb", &"x".repeat(129)] {
            assert!(ServiceName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn version_numbers() {
        for good in ["1.4.0+build.7", "3f2c9e1", "v1_rc-2"] {
            assert!(VersionNumber::parse(good).is_ok(), "{good:?}");
        }
        for bad in ["", "a/b", "a b", "1\n"] {
            assert!(VersionNumber::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_error_says_what_and_why() {
        let e = ServiceName::parse("web app").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the service name \"web app\" is not valid: use 1 to 128 letters, digits, '-', '_' or '.', starting with a letter or digit"
        );
    }
}
