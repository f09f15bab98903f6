//! The shape of a seeded broker, decided before anything is written: which services exist and who
//! consumes whom (the [`Topology`]), and their history (the [`Plan`]): how many versions each has,
//! when each consumer's contract with each provider changed, which providers publish specs and
//! when those change, and which versions were deployed or released where.
//!
//! Row ids are known in advance: the seeder writes into empty tables in one session, so an
//! identity column numbers rows 1, 2, … in the order they are copied (the writer checks it).
//! Versions are written tick by tick — version `idx` of every service, then `idx + 1` — so ids
//! follow time as they do in a real broker, and the id of version `idx` of service `s` is
//! `idx * services + s + 1`.

use super::rng::{Rng, mix};

/// The environments, in promotion order, with the chance that a version is deployed there and
/// the range of how many versions behind the newest the current deployment is.
pub const ENVIRONMENTS: [(&str, u64, (u32, u32)); 3] = [
    ("development", 50, (0, 1)),
    ("staging", 20, (1, 4)),
    ("production", 10, (3, 12)),
];

/// The index of production in [`ENVIRONMENTS`]: where mobile apps are released, not deployed.
pub const PRODUCTION: usize = 2;

/// Business domains that service names are made from.
const DOMAINS: [&str; 40] = [
    "checkout",
    "billing",
    "orders",
    "catalogue",
    "pricing",
    "inventory",
    "shipping",
    "payments",
    "accounts",
    "identity",
    "search",
    "reviews",
    "loyalty",
    "coupons",
    "returns",
    "invoices",
    "ledger",
    "tax",
    "fraud",
    "notifications",
    "email",
    "sms",
    "recommendations",
    "media",
    "content",
    "support",
    "tickets",
    "warehouse",
    "fleet",
    "routing",
    "partners",
    "marketplace",
    "subscriptions",
    "wallet",
    "reporting",
    "analytics",
    "audit",
    "consent",
    "profile",
    "session",
];

/// What a service is, by the last digit of its index: what its name ends with and its role.
const KINDS: [(&str, Role); 10] = [
    ("web", Role::Edge),
    ("app", Role::Edge),
    ("api", Role::Mid),
    ("service", Role::Mid),
    ("worker", Role::Mid),
    ("gateway", Role::Mid),
    ("bff", Role::Mid),
    ("store", Role::Core),
    ("registry", Role::Core),
    ("ledger", Role::Core),
];

/// Where a service sits in the call graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A front end (web or mobile): consumes, is consumed by nobody.
    Edge,
    /// Consumes core and other mid services, and is consumed.
    Mid,
    /// Consumes nothing.
    Core,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Edge => "consumer",
            Role::Mid => "consumer+provider",
            Role::Core => "provider",
        }
    }
}

/// The services and who consumes whom.
#[derive(Debug, Clone)]
pub struct Topology {
    pub names: Vec<String>,
    pub roles: Vec<Role>,
    /// Whether the service is a mobile app (released, not deployed, in production).
    pub mobile: Vec<bool>,
    /// Every (consumer, provider) pair with a contract; an edge is its index here.
    pub edges: Vec<(usize, usize)>,
    /// Per consumer, its edges.
    pub edges_of_consumer: Vec<Vec<usize>>,
    /// Per provider, its edges.
    pub edges_of_provider: Vec<Vec<usize>>,
}

impl Topology {
    /// `services` services; each consumer has 1 to `2 * mean_providers - 1` providers.
    pub fn new(services: usize, mean_providers: usize, seed: u64) -> Topology {
        let mut names = Vec::with_capacity(services);
        let mut roles = Vec::with_capacity(services);
        let mut mobile = Vec::with_capacity(services);
        for i in 0..services {
            let (suffix, role) = KINDS[i % KINDS.len()];
            let round = i / KINDS.len();
            let domain = DOMAINS[round % DOMAINS.len()];
            names.push(match round / DOMAINS.len() {
                0 => format!("{domain}-{suffix}"),
                n => format!("{domain}{}-{suffix}", n + 1),
            });
            roles.push(role);
            mobile.push(suffix == "app");
        }
        let mut edges = Vec::new();
        let mut edges_of_consumer = vec![Vec::new(); services];
        let mut edges_of_provider = vec![Vec::new(); services];
        let candidates_for = |role: Role, me: usize| -> Vec<usize> {
            (0..services)
                .filter(|&p| p != me)
                .filter(|&p| match role {
                    Role::Edge => roles[p] != Role::Edge,
                    Role::Mid => roles[p] != Role::Edge,
                    Role::Core => false,
                })
                .collect()
        };
        for c in 0..services {
            let pool = candidates_for(roles[c], c);
            if pool.is_empty() {
                continue;
            }
            let mut rng = Rng::new(mix(seed, &[1, c as u64]));
            let spread = (2 * mean_providers.max(1) - 1) as u64;
            let want = (1 + rng.below(spread) as usize).min(pool.len());
            let mut chosen: Vec<usize> = Vec::with_capacity(want);
            while chosen.len() < want {
                let p = pool[rng.below(pool.len() as u64) as usize];
                if !chosen.contains(&p) {
                    chosen.push(p);
                }
            }
            chosen.sort_unstable();
            for p in chosen {
                edges_of_consumer[c].push(edges.len());
                edges_of_provider[p].push(edges.len());
                edges.push((c, p));
            }
        }
        Topology {
            names,
            roles,
            mobile,
            edges,
            edges_of_consumer,
            edges_of_provider,
        }
    }

    pub fn services(&self) -> usize {
        self.names.len()
    }
}

/// What to seed.
#[derive(Debug, Clone)]
pub struct Sizes {
    pub services: usize,
    pub versions: usize,
    pub verifications: usize,
    /// Mean number of providers of a consumer.
    pub providers_per_consumer: usize,
    /// Chance (percent) that a consumer version changes its contract with one provider.
    pub contract_change_percent: u64,
    /// Share (percent) of providers that publish a spec with every version.
    pub spec_percent: u64,
    /// Chance (percent) that a provider version changes its spec.
    pub spec_change_percent: u64,
    /// How many can-i-deploy candidates to pick.
    pub candidates: usize,
    pub seed: u64,
}

/// The history: versions, contract and spec revisions, deployments and releases.
#[derive(Debug, Clone)]
pub struct Plan {
    pub topology: Topology,
    pub sizes: Sizes,
    /// Versions per service.
    pub versions_of: Vec<u32>,
    /// Per edge, the consumer's contract revision at each of its versions.
    pub revision_at: Vec<Vec<u32>>,
    /// Per edge, the id of its revision 0 contract (revision r has id `+ r`).
    pub contract_base: Vec<i64>,
    /// Per service, for those that publish specs: the spec revision at each version.
    pub spec_revision_at: Vec<Option<Vec<u32>>>,
    /// Per service with specs, the id of its revision 0 spec.
    pub spec_base: Vec<i64>,
    /// Per environment, per service: the indexes of the versions deployed, oldest first (the last
    /// is current). Empty for mobile apps in production.
    pub deployed: Vec<Vec<Vec<u32>>>,
    /// Per service: versions released to production, with whether support ended (mobile apps).
    pub released: Vec<Vec<(u32, bool)>>,
}

impl Plan {
    pub fn new(sizes: &Sizes) -> Plan {
        let topology = Topology::new(sizes.services, sizes.providers_per_consumer, sizes.seed);
        let services = sizes.services;
        let seed = sizes.seed;
        let versions_of: Vec<u32> = (0..services)
            .map(|s| {
                (sizes.versions / services + usize::from(s < sizes.versions % services)) as u32
            })
            .collect();

        let mut revision_at = Vec::with_capacity(topology.edges.len());
        let mut contract_base = Vec::with_capacity(topology.edges.len());
        let mut next_contract = 1i64;
        for (e, &(c, _)) in topology.edges.iter().enumerate() {
            let mut rng = Rng::new(mix(seed, &[2, e as u64]));
            let mut revision = 0u32;
            let revisions: Vec<u32> = (0..versions_of[c])
                .map(|idx| {
                    if idx > 0 && rng.chance(sizes.contract_change_percent) {
                        revision += 1;
                    }
                    revision
                })
                .collect();
            contract_base.push(next_contract);
            next_contract += i64::from(revisions.last().copied().unwrap_or(0)) + 1;
            revision_at.push(revisions);
        }

        let mut spec_revision_at = vec![None; services];
        let mut spec_base = vec![0i64; services];
        let mut next_spec = 1i64;
        for p in 0..services {
            let has_consumers = !topology.edges_of_provider[p].is_empty();
            if !has_consumers || mix(seed, &[3, p as u64]) % 100 >= sizes.spec_percent {
                continue;
            }
            let mut rng = Rng::new(mix(seed, &[4, p as u64]));
            let mut revision = 0u32;
            let revisions: Vec<u32> = (0..versions_of[p])
                .map(|idx| {
                    if idx > 0 && rng.chance(sizes.spec_change_percent) {
                        revision += 1;
                    }
                    revision
                })
                .collect();
            spec_base[p] = next_spec;
            next_spec += i64::from(revisions.last().copied().unwrap_or(0)) + 1;
            spec_revision_at[p] = Some(revisions);
        }

        let mut deployed = Vec::with_capacity(ENVIRONMENTS.len());
        for (env, &(_, chance, (lag_min, lag_max))) in ENVIRONMENTS.iter().enumerate() {
            let mut per_service = Vec::with_capacity(services);
            for (s, &n) in versions_of.iter().enumerate() {
                if n == 0 || (env == PRODUCTION && topology.mobile[s]) {
                    per_service.push(Vec::new());
                    continue;
                }
                let mut rng = Rng::new(mix(seed, &[5, env as u64, s as u64]));
                let lag = lag_min + rng.below(u64::from(lag_max - lag_min + 1)) as u32;
                let current = n.saturating_sub(1 + lag);
                let mut idxs: Vec<u32> = (0..current).filter(|_| rng.chance(chance)).collect();
                idxs.push(current);
                per_service.push(idxs);
            }
            deployed.push(per_service);
        }

        // Mobile apps: a release every 40 versions or so; the newest three are supported.
        let mut released = vec![Vec::new(); services];
        for s in (0..services).filter(|&s| topology.mobile[s]) {
            let n = versions_of[s];
            let mut rng = Rng::new(mix(seed, &[6, s as u64]));
            let newest = n.saturating_sub(2 + rng.below(5) as u32);
            let mut idxs: Vec<u32> = (0..newest).filter(|_| rng.chance(2)).collect();
            idxs.push(newest);
            let supported_from = idxs.len().saturating_sub(3);
            released[s] = idxs
                .into_iter()
                .enumerate()
                .map(|(i, idx)| (idx, i < supported_from))
                .collect();
        }

        Plan {
            topology,
            sizes: sizes.clone(),
            versions_of,
            revision_at,
            contract_base,
            spec_revision_at,
            spec_base,
            deployed,
            released,
        }
    }

    /// The id of version `idx` of service `s`.
    pub fn version_id(&self, s: usize, idx: u32) -> i64 {
        i64::from(idx) * self.topology.services() as i64 + s as i64 + 1
    }

    /// The number of version `idx`: 1.0.0, 1.0.1, …, 1.0.99, 1.1.0, …
    pub fn version_number(idx: u32) -> String {
        format!("{}.{}.{}", 1 + idx / 10_000, (idx / 100) % 100, idx % 100)
    }

    /// The id of the contract of edge `e` at its consumer's version `idx`.
    pub fn contract_id(&self, e: usize, idx: u32) -> i64 {
        self.contract_base[e] + i64::from(self.revision_at[e][idx as usize])
    }

    /// The versions of service `s` present in environment `env`: the current deployment, or the
    /// supported releases.
    pub fn present(&self, env: usize, s: usize) -> Vec<u32> {
        let mut out: Vec<u32> = self.deployed[env][s].last().copied().into_iter().collect();
        if env == PRODUCTION {
            out.extend(
                self.released[s]
                    .iter()
                    .filter(|(_, ended)| !ended)
                    .map(|(idx, _)| *idx),
            );
        }
        out
    }

    /// The largest number of versions any service has.
    pub fn ticks(&self) -> u32 {
        self.versions_of.iter().copied().max().unwrap_or(0)
    }

    pub fn contracts(&self) -> i64 {
        self.contract_base.last().map_or(0, |&base| {
            base + i64::from(
                self.revision_at
                    .last()
                    .and_then(|r| r.last())
                    .copied()
                    .unwrap_or(0),
            )
        })
    }
}
