//! The fixed product catalogue and its price list: the shop's reference data, which no request
//! changes, so contracts can state names and prices by equality.

use crate::money::{Amount, Currency};

/// A product the shop sells, with its base unit price in every currency.
#[derive(Debug)]
pub(crate) struct Product {
    pub(crate) sku: &'static str,
    pub(crate) name: &'static str,
    /// Unit prices in EUR, USD and GBP, in minor units.
    prices: [u64; 3],
}

impl Product {
    /// The unit price for a single item.
    pub(crate) fn unit_price(&self, currency: Currency) -> Amount {
        let index = Currency::ALL
            .iter()
            .position(|c| *c == currency)
            .unwrap_or_default();
        Amount::from_minor(self.prices[index])
    }

    /// Volume pricing: the unit price from each minimum quantity on.
    pub(crate) fn tiers(&self, currency: Currency) -> Vec<(u32, Amount)> {
        let base = self.unit_price(currency);
        VOLUME_DISCOUNTS
            .iter()
            .map(|&(min_quantity, percent_off)| (min_quantity, base.discounted(percent_off)))
            .collect()
    }
}

/// Minimum quantity and percentage off the unit price, the same for every product.
const VOLUME_DISCOUNTS: [(u32, u64); 3] = [(1, 0), (10, 10), (50, 20)];

pub(crate) const PRODUCTS: &[Product] = &[
    Product {
        sku: "SKU-RED-MUG",
        name: "Red enamel mug",
        prices: [1250, 1390, 1090],
    },
    Product {
        sku: "SKU-OAK-BOARD",
        name: "Oak chopping board",
        prices: [3990, 4490, 3450],
    },
    Product {
        sku: "SKU-BLUE-TEE",
        name: "Blue organic cotton T-shirt",
        prices: [2400, 2700, 2100],
    },
    Product {
        sku: "SKU-STEEL-BOTTLE",
        name: "Insulated steel bottle 750 ml",
        prices: [1995, 2195, 1750],
    },
    Product {
        sku: "SKU-LINEN-APRON",
        name: "Linen apron",
        prices: [2900, 3250, 2550],
    },
];

pub(crate) fn product(sku: &str) -> Option<&'static Product> {
    PRODUCTS.iter().find(|p| p.sku == sku)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_get_cheaper_with_quantity() {
        let mug = product("SKU-RED-MUG").unwrap();
        let tiers: Vec<_> = mug
            .tiers(Currency::Eur)
            .into_iter()
            .map(|(q, a)| (q, a.to_string()))
            .collect();
        assert_eq!(
            tiers,
            [
                (1, "12.50".into()),
                (10, "11.25".into()),
                (50, "10.00".into())
            ]
        );
    }
}
