//! The catalogue of contract faults the provider can be started with, so that vow's own tests can
//! prove each kind of breakage is caught. How a fault changes a response lives in `injection`.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// One deliberate way of breaking the contracts in `contracts/`. Each fault breaks exactly one
/// thing, so a verification failure can be traced back to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    MissingField,
    WrongType,
    WrongStatus,
    RenamedHeader,
    WrongContentType,
    BadIdFormat,
    BadDate,
    UnknownStatus,
    NegativeStock,
    EmptyItems,
    NotJson,
    RenamedField,
    ExtraFields,
    Hang,
    HugeBody,
    StateSetupFails,
    WrongErrorCode,
    ErrorStatusRemapped,
    MissingRetryAfter,
    BadRetryAfter,
    NotProblemJson,
    SlowEndpoint,
    AuthNotRequired,
    ScopeIgnored,
    WwwAuthenticateMissing,
    SunsetMissing,
    SunsetPassed,
    SunsetMalformed,
}

impl Fault {
    /// Every fault, in the order `--list-faults` shows them.
    pub const ALL: &[Fault] = &[
        Fault::MissingField,
        Fault::WrongType,
        Fault::WrongStatus,
        Fault::RenamedHeader,
        Fault::WrongContentType,
        Fault::BadIdFormat,
        Fault::BadDate,
        Fault::UnknownStatus,
        Fault::NegativeStock,
        Fault::EmptyItems,
        Fault::NotJson,
        Fault::RenamedField,
        Fault::ExtraFields,
        Fault::Hang,
        Fault::HugeBody,
        Fault::StateSetupFails,
        Fault::WrongErrorCode,
        Fault::ErrorStatusRemapped,
        Fault::MissingRetryAfter,
        Fault::BadRetryAfter,
        Fault::NotProblemJson,
        Fault::SlowEndpoint,
        Fault::AuthNotRequired,
        Fault::ScopeIgnored,
        Fault::WwwAuthenticateMissing,
        Fault::SunsetMissing,
        Fault::SunsetPassed,
        Fault::SunsetMalformed,
    ];

    /// The kebab-case name used by `--fault`.
    pub fn name(&self) -> &'static str {
        match self {
            Fault::MissingField => "missing-field",
            Fault::WrongType => "wrong-type",
            Fault::WrongStatus => "wrong-status",
            Fault::RenamedHeader => "renamed-header",
            Fault::WrongContentType => "wrong-content-type",
            Fault::BadIdFormat => "bad-id-format",
            Fault::BadDate => "bad-date",
            Fault::UnknownStatus => "unknown-status",
            Fault::NegativeStock => "negative-stock",
            Fault::EmptyItems => "empty-items",
            Fault::NotJson => "not-json",
            Fault::RenamedField => "renamed-field",
            Fault::ExtraFields => "extra-fields",
            Fault::Hang => "hang",
            Fault::HugeBody => "huge-body",
            Fault::StateSetupFails => "state-setup-fails",
            Fault::WrongErrorCode => "wrong-error-code",
            Fault::ErrorStatusRemapped => "error-status-remapped",
            Fault::MissingRetryAfter => "missing-retry-after",
            Fault::BadRetryAfter => "bad-retry-after",
            Fault::NotProblemJson => "not-problem-json",
            Fault::SlowEndpoint => "slow-endpoint",
            Fault::AuthNotRequired => "auth-not-required",
            Fault::ScopeIgnored => "scope-ignored",
            Fault::WwwAuthenticateMissing => "www-authenticate-missing",
            Fault::SunsetMissing => "sunset-missing",
            Fault::SunsetPassed => "sunset-passed",
            Fault::SunsetMalformed => "sunset-malformed",
        }
    }

    /// What the fault does, in one line.
    pub fn description(&self) -> &'static str {
        match self {
            Fault::MissingField => "carts lose their `total` field",
            Fault::WrongType => "cart item `quantity` is sent as a string",
            Fault::WrongStatus => "POST /carts answers 200 instead of 201",
            Fault::RenamedHeader => "POST /carts sends `X-Location` instead of `Location`",
            Fault::WrongContentType => "GET /prices/{sku} answers with a text/plain content type",
            Fault::BadIdFormat => "cart ids look like `CART-1001` instead of `c-1001`",
            Fault::BadDate => "cart `createdAt` is `21/11/2026 10:00` instead of RFC 3339",
            Fault::UnknownStatus => "cart `status` is upper case (`OPEN`)",
            Fault::NegativeStock => "inventory `available` is -3",
            Fault::EmptyItems => "carts with items are returned with `items: []`",
            Fault::NotJson => "GET /inventory/{sku} answers 200 with an HTML error page",
            Fault::RenamedField => "cart `total` is renamed to `totalAmount`",
            Fault::ExtraFields => {
                "JSON responses gain unknown fields (harmless: consumers must still pass)"
            }
            Fault::Hang => "GET /carts/{cartId} does not answer for an hour",
            Fault::HugeBody => "GET /carts/{cartId} streams a 50 MB JSON body",
            Fault::StateSetupFails => "the provider-states endpoint answers 500",
            Fault::WrongErrorCode => {
                "a declined card has code `payment_failed`, not `card_declined`"
            }
            Fault::ErrorStatusRemapped => "a declined card is answered 400 instead of 402",
            Fault::MissingRetryAfter => "429 and 503 answers lose their `Retry-After` header",
            Fault::BadRetryAfter => "`Retry-After` is `soon` instead of seconds or an HTTP date",
            Fault::NotProblemJson => {
                "error bodies are application/json, not application/problem+json"
            }
            Fault::SlowEndpoint => "GET /prices/{sku} takes 400 ms",
            Fault::AuthNotRequired => "requests without a token succeed",
            Fault::ScopeIgnored => "a token lacking the operation's scope succeeds",
            Fault::WwwAuthenticateMissing => "401 answers lack `WWW-Authenticate`",
            Fault::SunsetMissing => {
                "GET /carts/{cartId}/summary loses its `Deprecation` and `Sunset` headers"
            }
            Fault::SunsetPassed => {
                "the cart summary's `Sunset` is 1 January 2025 (deprecated a year before), long past"
            }
            Fault::SunsetMalformed => "the cart summary's `Sunset` is `next tuesday`",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fault::ALL
            .iter()
            .copied()
            .find(|fault| fault.name() == s)
            .ok_or_else(|| UnknownFault(s.to_owned()))
    }
}

/// A fault name that is not in [`Fault::ALL`]. Its message lists the valid names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFault(pub String);

impl fmt::Display for UnknownFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown fault `{}`; valid faults: ", self.0)?;
        for (i, fault) in Fault::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(fault.name())?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownFault {}

/// The faults a provider runs with. The default is the empty set: a provider that keeps every
/// contract in `contracts/`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultSet(BTreeSet<Fault>);

impl FaultSet {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, fault: Fault) {
        self.0.insert(fault);
    }

    pub fn contains(&self, fault: Fault) -> bool {
        self.0.contains(&fault)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = Fault> + '_ {
        self.0.iter().copied()
    }
}

impl FromIterator<Fault> for FaultSet {
    fn from_iter<I: IntoIterator<Item = Fault>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl From<Fault> for FaultSet {
    fn from(fault: Fault) -> Self {
        Self(BTreeSet::from([fault]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_to_its_fault_and_is_kebab_case() {
        for fault in Fault::ALL {
            assert_eq!(fault.name().parse::<Fault>(), Ok(*fault));
            assert!(
                fault
                    .name()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{} is not kebab-case",
                fault.name()
            );
        }
    }

    #[test]
    fn all_lists_every_variant_once() {
        let unique: BTreeSet<_> = Fault::ALL.iter().collect();
        assert_eq!(unique.len(), Fault::ALL.len());
        assert_eq!(Fault::ALL.len(), 28);
    }

    #[test]
    fn an_unknown_name_is_rejected_with_the_valid_names() {
        let err = "slow".parse::<Fault>().unwrap_err();
        let message = err.to_string();
        assert!(message.starts_with("unknown fault `slow`"), "{message}");
        assert!(message.contains("missing-field") && message.contains("state-setup-fails"));
    }
}
