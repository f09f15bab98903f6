//! The decision: index the question's facts by their keys, build one row per integration, apply
//! the deprecation rules, fold the rows into a verdict. The rules are documented on the parent
//! module ([`super`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

use chrono::NaiveDate;

use super::{
    ANSWER_FORMAT_VERSION, Answer, BlockedElement, Compatibility, DeprecationFact, DeprecationKind,
    Evidence, Notice, Presence, ProviderSpec, Question, Reason, Role, Row, RowOutcome, Target,
    Verdict, Verification,
};

/// A question the decision cannot answer without guessing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuestionError {
    /// Two entries with the same key and different content (e.g. two verification results for
    /// one provider version and contract hash): the broker must supply one per key, the latest.
    #[error("the question holds two different {what} for {key}; supply one per key (the latest)")]
    Conflict { what: &'static str, key: String },
}

/// Answers `question`: one row per integration, the notices and the verdict.
///
/// Fails only when the question contradicts itself ([`QuestionError`]); missing facts are not
/// errors, they make rows unknown.
pub fn decide(question: &Question) -> Result<Answer, QuestionError> {
    let q = question;
    let candidate = (q.candidate.service.as_str(), q.candidate.version.as_str());
    let contracts = index(&q.contracts, "contracts of the candidate", |c| {
        c.provider.as_str()
    })?;
    let consumer_contracts = index(
        &q.consumer_contracts,
        "contracts toward the candidate",
        |c| (c.consumer.as_str(), c.consumer_version.as_str()),
    )?;
    let facts = Facts {
        as_of: q.as_of,
        specs: index(&q.specs, "specs", |s: &ProviderSpec| {
            (s.provider.as_str(), s.provider_version.as_str())
        })?,
        verifications: index(
            &q.verifications,
            "verification results",
            |v: &Verification| {
                (
                    v.provider.as_str(),
                    v.provider_version.as_str(),
                    v.contract_hash.as_str(),
                )
            },
        )?,
        compatibility: index(
            &q.compatibility,
            "compatibility results",
            |c: &Compatibility| (c.spec_hash.as_str(), c.contract_hash.as_str()),
        )?,
        deprecations: q
            .deprecations
            .iter()
            .fold(BTreeMap::new(), |mut map, fact| {
                map.entry((fact.spec_hash.as_str(), fact.contract_hash.as_str()))
                    .or_insert_with(Vec::new)
                    .push(fact);
                map
            }),
    };

    // The target, by service and version; the candidate's own service is not a counterpart.
    let mut present: BTreeMap<&str, BTreeMap<&str, BTreeSet<&Presence>>> = BTreeMap::new();
    for c in q.counterparts.iter().filter(|c| c.service != candidate.0) {
        present
            .entry(c.service.as_str())
            .or_default()
            .entry(c.version.as_str())
            .or_default()
            .insert(&c.presence);
    }

    let mut rows = Vec::new();
    let mut notices = Vec::new();

    // The candidate as a consumer: every version of each of its providers in the target.
    for (&provider, contract) in &contracts {
        let hash = contract.contract_hash.as_str();
        if provider == candidate.0 {
            // A contract with itself is judged against the version being deployed.
            rows.push(facts.row(
                Role::Consumer,
                candidate,
                candidate,
                hash,
                &BTreeSet::new(),
                &mut notices,
            ));
            continue;
        }
        match present.get(provider) {
            Some(versions) => {
                for (&version, presence) in versions {
                    let pair = (provider, version);
                    rows.push(facts.row(
                        Role::Consumer,
                        candidate,
                        pair,
                        hash,
                        presence,
                        &mut notices,
                    ));
                }
            }
            None => rows.push(absent(candidate, provider, hash, &q.target)),
        }
    }

    // The candidate as a provider: every consumer version in the target with a contract with it.
    let mut consumers = 0;
    for (&service, versions) in &present {
        for (&version, presence) in versions {
            if let Some(contract) = consumer_contracts.get(&(service, version)) {
                consumers += 1;
                let hash = contract.contract_hash.as_str();
                let pair = (service, version);
                rows.push(facts.row(
                    Role::Provider,
                    pair,
                    candidate,
                    hash,
                    presence,
                    &mut notices,
                ));
            }
        }
    }

    if consumers == 0 {
        if facts.specs.contains_key(&candidate) {
            notices.insert(0, Notice::NoConsumers);
        } else if contracts.is_empty() {
            notices.insert(0, Notice::NoContracts);
        }
    }

    Ok(Answer {
        format_version: ANSWER_FORMAT_VERSION,
        candidate: q.candidate.clone(),
        target: q.target.clone(),
        as_of: q.as_of,
        verdict: verdict(&rows),
        rows,
        notices,
    })
}

/// The verdict `rows` amount to: any fail is no, else any unknown is unknown, else yes.
fn verdict(rows: &[Row]) -> Verdict {
    if rows.iter().any(|r| r.outcome == RowOutcome::Fail) {
        Verdict::No
    } else if rows.iter().any(|r| r.outcome == RowOutcome::Unknown) {
        Verdict::Unknown
    } else {
        Verdict::Yes
    }
}

/// The question's evidence and deprecation facts, by key.
struct Facts<'q> {
    as_of: NaiveDate,
    specs: BTreeMap<(&'q str, &'q str), &'q ProviderSpec>,
    verifications: BTreeMap<(&'q str, &'q str, &'q str), &'q Verification>,
    compatibility: BTreeMap<(&'q str, &'q str), &'q Compatibility>,
    deprecations: BTreeMap<(&'q str, &'q str), Vec<&'q DeprecationFact>>,
}

impl Facts<'_> {
    /// The row of `consumer` (holding the contract `hash`) and `provider`, both present.
    fn row(
        &self,
        role: Role,
        consumer: (&str, &str),
        provider: (&str, &str),
        hash: &str,
        presence: &BTreeSet<&Presence>,
        notices: &mut Vec<Notice>,
    ) -> Row {
        let spec = self.specs.get(&provider).map(|s| s.spec_hash.as_str());
        let verification = self.verifications.get(&(provider.0, provider.1, hash));
        let compatibility = spec.and_then(|spec| self.compatibility.get(&(spec, hash)));
        let (evidence, mut reason, mut failed_dimensions) = match (verification, compatibility) {
            (Some(v), _) if v.passed => (Evidence::Verified, Reason::Verified, vec![]),
            (Some(v), _) => (
                Evidence::Verified,
                Reason::VerificationFailed,
                v.failed_dimensions.clone(),
            ),
            (None, Some(c)) if c.passed => (Evidence::Compatible, Reason::Compatible, vec![]),
            (None, Some(c)) => (
                Evidence::Compatible,
                Reason::Incompatible,
                c.failed_dimensions.clone(),
            ),
            (None, None) => (Evidence::None, Reason::NoEvidence, vec![]),
        };
        failed_dimensions.sort();
        failed_dimensions.dedup();

        let mut facts: Vec<&DeprecationFact> = spec
            .and_then(|spec| self.deprecations.get(&(spec, hash)))
            .cloned()
            .unwrap_or_default();
        facts.sort_by(|a, b| {
            (&a.interaction, &a.element, a.kind).cmp(&(&b.interaction, &b.element, b.kind))
        });
        facts.dedup();
        let (mut removed, mut sunset_passed) = (false, false);
        let mut blocked_by = Vec::new();
        for fact in facts {
            let blocks = match fact.kind {
                DeprecationKind::Removed => {
                    removed = true;
                    true
                }
                DeprecationKind::Sunset { sunset } if sunset <= self.as_of => match role {
                    Role::Consumer => {
                        sunset_passed = true;
                        true
                    }
                    Role::Provider => {
                        notices.push(Notice::ConsumerPastSunset {
                            consumer: consumer.0.to_owned(),
                            consumer_version: consumer.1.to_owned(),
                            interaction: fact.interaction.clone(),
                            element: fact.element.clone(),
                            sunset,
                        });
                        false
                    }
                },
                DeprecationKind::Sunset { .. } => false,
            };
            if blocks {
                blocked_by.push(BlockedElement {
                    interaction: fact.interaction.clone(),
                    element: fact.element.clone(),
                    kind: fact.kind,
                });
            }
        }
        if removed {
            reason = Reason::RemovesUsedElement;
        } else if sunset_passed {
            reason = Reason::SunsetPassed;
        }

        Row {
            candidate_role: role,
            consumer: consumer.0.to_owned(),
            consumer_version: consumer.1.to_owned(),
            provider: provider.0.to_owned(),
            provider_version: Some(provider.1.to_owned()),
            contract_hash: hash.to_owned(),
            presence: presence.iter().map(|&p| p.clone()).collect(),
            evidence,
            outcome: reason.outcome(),
            reason,
            failed_dimensions,
            blocked_by,
        }
    }
}

/// The row of a provider the candidate needs and that has no version in the target.
fn absent(candidate: (&str, &str), provider: &str, hash: &str, target: &Target) -> Row {
    let reason = match target {
        Target::Environment { .. } => Reason::ProviderNotDeployed,
        Target::Branch { .. } => Reason::ProviderNotOnBranch,
    };
    Row {
        candidate_role: Role::Consumer,
        consumer: candidate.0.to_owned(),
        consumer_version: candidate.1.to_owned(),
        provider: provider.to_owned(),
        provider_version: None,
        contract_hash: hash.to_owned(),
        presence: Vec::new(),
        evidence: Evidence::None,
        outcome: reason.outcome(),
        reason,
        failed_dimensions: Vec::new(),
        blocked_by: Vec::new(),
    }
}

/// `items` by `key`; equal duplicates collapse, different ones with one key are a conflict.
fn index<'q, K: Ord + Debug, T: PartialEq>(
    items: &'q [T],
    what: &'static str,
    key: impl Fn(&'q T) -> K,
) -> Result<BTreeMap<K, &'q T>, QuestionError> {
    let mut map = BTreeMap::new();
    for item in items {
        let k = key(item);
        if let Some(&seen) = map.get(&k) {
            if seen != item {
                return Err(QuestionError::Conflict {
                    what,
                    key: format!("{k:?}"),
                });
            }
        } else {
            map.insert(k, item);
        }
    }
    Ok(map)
}
