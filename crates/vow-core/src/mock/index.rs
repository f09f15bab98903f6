//! Interactions by method and path, built once from the loaded contracts, so that matching a
//! request looks at the few interactions that share its method and path instead of all of them.

use std::collections::HashMap;

use crate::contract::{Contract, Interaction};

/// One interaction of the index: its position in the contracts the index was built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InteractionRef {
    pub contract: usize,
    pub interaction: usize,
}

/// The contracts a mock serves, with their interactions by method and path.
#[derive(Debug)]
pub struct MockIndex {
    contracts: Vec<Contract>,
    /// Every interaction, in load order (contracts in the order given, interactions in file order).
    all: Vec<InteractionRef>,
    /// (method, decoded path) → positions in `all`, in load order.
    by_route: HashMap<(String, String), Vec<usize>>,
    /// The position in `all` of each contract's first interaction.
    offsets: Vec<usize>,
}

impl MockIndex {
    /// Indexes every interaction of `contracts`. Paths are compared percent-decoded, so
    /// `/prices/SKU%20RED` and `/prices/SKU RED` are the same route.
    pub fn new(contracts: Vec<Contract>) -> MockIndex {
        let mut all = Vec::new();
        let mut by_route: HashMap<(String, String), Vec<usize>> = HashMap::new();
        let mut offsets = Vec::with_capacity(contracts.len());
        for (c, contract) in contracts.iter().enumerate() {
            offsets.push(all.len());
            for (i, interaction) in contract.interactions.iter().enumerate() {
                let key = (
                    interaction.request.method.as_str().to_owned(),
                    decode_path(&interaction.request.path),
                );
                by_route.entry(key).or_default().push(all.len());
                all.push(InteractionRef {
                    contract: c,
                    interaction: i,
                });
            }
        }
        MockIndex {
            contracts,
            all,
            by_route,
            offsets,
        }
    }

    pub fn contracts(&self) -> &[Contract] {
        &self.contracts
    }

    /// Every interaction, in load order.
    pub fn interactions(&self) -> &[InteractionRef] {
        &self.all
    }

    /// The position of `r` in load order (what the engine counts requests by).
    pub fn position(&self, r: InteractionRef) -> Option<usize> {
        let position = self.offsets.get(r.contract)? + r.interaction;
        (self.all.get(position) == Some(&r)).then_some(position)
    }

    pub fn contract(&self, r: InteractionRef) -> &Contract {
        &self.contracts[r.contract]
    }

    pub fn interaction(&self, r: InteractionRef) -> &Interaction {
        &self.contracts[r.contract].interactions[r.interaction]
    }

    /// `consumer/id`, the name that is unique across the contracts of one mock.
    pub fn qualified_id(&self, r: InteractionRef) -> String {
        format!("{}/{}", self.contract(r).consumer, self.interaction(r).id)
    }

    /// The interactions with this method and (decoded) path, in load order.
    pub fn candidates(&self, method: &str, path: &str) -> impl Iterator<Item = InteractionRef> {
        self.by_route
            .get(&(method.to_owned(), path.to_owned()))
            .into_iter()
            .flatten()
            .map(|p| self.all[*p])
    }

    /// The interactions named by `name`: `id` (in any contract) or `consumer/id`.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = InteractionRef> + 'a {
        let (consumer, id) = match name.split_once('/') {
            Some((consumer, id)) => (Some(consumer), id),
            None => (None, name),
        };
        self.all.iter().copied().filter(move |r| {
            self.interaction(*r).id == id
                && consumer.is_none_or(|c| self.contract(*r).consumer == c)
        })
    }

    /// Routes (method, path) of every interaction, for telling what is close to an unmatched
    /// request.
    pub(crate) fn routes(&self) -> impl Iterator<Item = (&str, &str, &[usize])> {
        self.by_route
            .iter()
            .map(|((m, p), v)| (m.as_str(), p.as_str(), v.as_slice()))
    }

    pub(crate) fn at(&self, position: usize) -> InteractionRef {
        self.all[position]
    }
}

/// A path with its percent-escapes decoded (invalid UTF-8 replaced), as routes are compared.
pub fn decode_path(path: &str) -> String {
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned()
}
