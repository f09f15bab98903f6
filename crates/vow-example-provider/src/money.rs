//! Money as integer minor units and the currencies the shop sells in, so totals never suffer
//! floating-point rounding and always render as decimal strings like `"12.50"`.

use std::fmt;

use serde::Serialize;

/// A non-negative amount in minor units (cents, pence) of some currency with two decimal places.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Amount(u64);

impl Amount {
    pub(crate) const fn from_minor(minor: u64) -> Self {
        Self(minor)
    }

    pub(crate) fn times(self, quantity: u32) -> Self {
        Self(self.0 * u64::from(quantity))
    }

    /// The amount reduced by `percent_off`, rounded half up to the minor unit.
    pub(crate) fn discounted(self, percent_off: u64) -> Self {
        Self((self.0 * (100 - percent_off) + 50) / 100)
    }

    /// Parses plain decimal notation with at most two places (`"25"`, `"25.5"`, `"25.50"`).
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let (units, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(units) || fraction.len() > 2 || (text.contains('.') && !digits(fraction)) {
            return None;
        }
        let minor_fraction = match fraction.len() {
            0 => 0,
            1 => fraction.parse::<u64>().ok()? * 10,
            _ => fraction.parse::<u64>().ok()?,
        };
        units
            .parse::<u64>()
            .ok()?
            .checked_mul(100)?
            .checked_add(minor_fraction)
            .map(Self)
    }
}

impl std::ops::Add for Amount {
    type Output = Amount;

    fn add(self, other: Amount) -> Amount {
        Amount(self.0 + other.0)
    }
}

impl std::iter::Sum for Amount {
    fn sum<I: Iterator<Item = Amount>>(iter: I) -> Amount {
        iter.fold(Amount::default(), |a, b| a + b)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// Amounts go over the wire as decimal strings: JSON numbers would invite binary floating point.
impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The ISO 4217 currencies the shop prices in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub(crate) enum Currency {
    #[serde(rename = "EUR")]
    Eur,
    #[serde(rename = "USD")]
    Usd,
    #[serde(rename = "GBP")]
    Gbp,
}

impl Currency {
    pub(crate) const ALL: [Currency; 3] = [Currency::Eur, Currency::Usd, Currency::Gbp];

    pub(crate) fn code(self) -> &'static str {
        match self {
            Currency::Eur => "EUR",
            Currency::Usd => "USD",
            Currency::Gbp => "GBP",
        }
    }

    pub(crate) fn parse(code: &str) -> Option<Self> {
        Currency::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The amount as a shopper reads it on a price tag, e.g. `€12.50`.
    pub(crate) fn format(self, amount: Amount) -> String {
        let symbol = match self {
            Currency::Eur => "€",
            Currency::Usd => "$",
            Currency::Gbp => "£",
        };
        format!("{symbol}{amount}")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_render_with_two_places() {
        assert_eq!(Amount::from_minor(1250).to_string(), "12.50");
        assert_eq!(Amount::from_minor(7).to_string(), "0.07");
        assert_eq!(Amount::from_minor(1250).times(3).to_string(), "37.50");
    }

    #[test]
    fn discounts_round_half_up_to_the_cent() {
        // 12.50 * 0.9 = 11.25 exactly; 9.99 * 0.9 = 8.991 → 8.99; 0.05 * 0.9 = 0.045 → 0.05
        assert_eq!(
            Amount::from_minor(1250).discounted(10),
            Amount::from_minor(1125)
        );
        assert_eq!(
            Amount::from_minor(999).discounted(10),
            Amount::from_minor(899)
        );
        assert_eq!(Amount::from_minor(5).discounted(10), Amount::from_minor(5));
    }

    #[test]
    fn parse_accepts_plain_decimals_only() {
        assert_eq!(Amount::parse("25.00"), Some(Amount::from_minor(2500)));
        assert_eq!(Amount::parse("25.5"), Some(Amount::from_minor(2550)));
        assert_eq!(Amount::parse("25"), Some(Amount::from_minor(2500)));
        for bad in ["", ".5", "25.", "25.001", "-1.00", "1e3", "12,50", " 1.00"] {
            assert_eq!(Amount::parse(bad), None, "{bad:?}");
        }
    }
}
