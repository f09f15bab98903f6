//! can-I-deploy and can-I-merge: the decision, as pure judgement over plain data.
//!
//! The broker loads a [`Question`] from its database and calls [`decide`]; the answer is an
//! [`Answer`]: one [`Row`] per integration with a typed [`Reason`], [`Notice`]s, and an overall
//! [`Verdict`]. No I/O, no SQL, no clock: the as-of date is part of the question, so the same
//! question always gets the same answer.
//!
//! # The rule
//!
//! For a candidate `S@V` and a [`Target`] (an environment, or the heads of a branch for can-I-merge):
//!
//! - **S as a consumer**: for each provider `P` that `S@V`'s contracts name, every version of `P`
//!   present in the target gets a row judged on `(P@pv, contract hash)`. When no version of `P` is
//!   present the row is *unknown* with [`Reason::ProviderNotDeployed`] (or
//!   [`Reason::ProviderNotOnBranch`]), never a silent yes.
//! - **S as a provider**: every consumer version present in the target (deployed per application
//!   instance, or released and still supported — several versions of one consumer can be, and each
//!   must be satisfied) that has a contract with `S` gets a row judged on `(S@V, its contract hash)`.
//!
//! Versions of `S` itself in the target are not counterparts (the candidate replaces them); a
//! contract of `S` with itself is judged against `S@V`.
//!
//! Each row's evidence, in order of precedence:
//!
//! 1. a **verification** of exactly that provider version against exactly that contract hash: it
//!    decides alone — passed is [`Reason::Verified`], failed is [`Reason::VerificationFailed`], even
//!    when a compatibility check says otherwise (a live run observed the real provider; the static
//!    check only reads what its spec claims). A verification of another provider version never
//!    counts.
//! 2. otherwise a **compatibility** result of the provider version's spec (by spec hash) against the
//!    contract hash: [`Reason::Compatible`] or [`Reason::Incompatible`];
//! 3. otherwise none: *unknown*, [`Reason::NoEvidence`]. Missing evidence is never a yes.
//!
//! Evidence is looked up by contract hash, so consumer versions with identical contract content
//! share it. Then the deprecation rules, which turn any outcome (pass, fail or unknown) into a fail:
//!
//! - the provider version's spec **removes** an element the contract uses:
//!   [`Reason::RemovesUsedElement`], whichever side the candidate is on;
//! - the contract uses an element whose **sunset** is on or before the as-of date, and the candidate
//!   is the consumer: [`Reason::SunsetPassed`]. When the candidate is the provider, a consumer past a
//!   sunset does not block it (the provider is not the one at fault, and blocking it would stop it
//!   from ever shipping); the answer carries a [`Notice::ConsumerPastSunset`] instead.
//!
//! When several apply, the row's reason is the first of removes-used-element, sunset-passed, then the
//! evidence's own; `blockedBy` and `failedDimensions` keep the details of all of them.
//!
//! The verdict: any failing row is [`Verdict::No`]; otherwise any unknown row is
//! [`Verdict::Unknown`]; otherwise [`Verdict::Yes`] — including with no rows at all, which carries
//! [`Notice::NoContracts`] (nothing names the service) or [`Notice::NoConsumers`] (a provider with a
//! published spec that no consumer in the target relies on).
//!
//! # What the broker supplies (and the queries it implies)
//!
//! Every list is bounded by the integrations of `S` and the versions present in the target, never by
//! history; each is one indexed query:
//!
//! 1. [`Question::contracts`]: the contracts of `S@V` as a consumer (provider, contract hash).
//! 2. [`Question::counterparts`]: the versions present in the target — for an environment, the
//!    current deployment of each service per application instance plus every release not marked
//!    as support ended; for a branch, the latest version of each service on that branch. The broker
//!    may restrict it to the providers of (1) and the consumers that have a contract with `S`.
//! 3. [`Question::consumer_contracts`]: for the consumer versions of (2), their contract hash toward
//!    `S`.
//! 4. [`Question::specs`]: the spec hash of each provider version involved: `S@V` and the versions
//!    of (2) of the providers in (1).
//! 5. [`Question::verifications`]: the latest verification result for each (provider, provider
//!    version, contract hash) triple of the rows — one per triple.
//! 6. [`Question::compatibility`]: the compatibility result for each (spec hash, contract hash) pair
//!    of the rows — one per pair. Best stored without the clock-dependent rules
//!    (`deprecation.sunset-passed`, `deprecation.sunset-near`), so the cache stays valid across days;
//!    the sunsets go in (7) and are read at the question's as-of date here.
//! 7. [`Question::deprecations`]: for the same (spec hash, contract hash) pairs, the deprecated
//!    elements with a sunset that the contract uses, and the elements the spec removed that the
//!    contract still uses (from `vow-core`'s compatibility findings or its spec diff graded by the
//!    contract).
//!
//! The decision reads only what it is given: whatever the lists hold, every relevant row is
//! returned (there is no row limit), and conflicting duplicates are an error ([`QuestionError`]),
//! never a silent pick. Its cost is linear in the size of the question.

mod decide;
mod element;
mod evidence;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::finding::Dimension;
use crate::spec::Stability;

pub use decide::{QuestionError, decide};
pub use element::{DeprecatedElement, deprecated_elements};
pub use evidence::{Assessment, assess};

/// Version of the JSON answer layout; bumped on any incompatible change.
pub const ANSWER_FORMAT_VERSION: u32 = 1;

/// One version of one service.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceVersion {
    pub service: String,
    pub version: String,
}

/// Where the candidate is going: an environment (can-I-deploy) or a branch (can-I-merge).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Target {
    /// The versions deployed (per application instance) or released and supported in an environment.
    Environment { name: String },
    /// The latest version of each service on a branch.
    Branch { name: String },
}

/// Why a counterpart version is in the target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Presence {
    /// The current deployment (of one application instance, when the service has several).
    Deployed {
        #[serde(default)]
        instance: Option<String>,
    },
    /// A release whose support has not ended.
    Released,
    /// The latest version of the service on the target branch.
    BranchHead,
}

/// The question the broker asks: the candidate, the target, the as-of date, and every fact the
/// decision needs (see the module documentation for how each list is loaded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    pub candidate: ServiceVersion,
    pub target: Target,
    /// The date the deprecation clock is read at.
    pub as_of: NaiveDate,
    /// The candidate version's contracts as a consumer.
    pub contracts: Vec<CandidateContract>,
    /// The versions present in the target; one entry per (service, version, presence).
    pub counterparts: Vec<Counterpart>,
    /// Contracts toward the candidate's service of consumer versions in the target.
    pub consumer_contracts: Vec<ConsumerContract>,
    /// The spec hash of provider versions that published a spec.
    pub specs: Vec<ProviderSpec>,
    /// The latest verification per (provider, provider version, contract hash).
    pub verifications: Vec<Verification>,
    /// Compatibility results per (spec hash, contract hash).
    pub compatibility: Vec<Compatibility>,
    /// Deprecation facts per (spec hash, contract hash).
    pub deprecations: Vec<DeprecationFact>,
}

/// A contract of the candidate version with one provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidateContract {
    pub provider: String,
    pub contract_hash: String,
}

/// A version present in the target, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counterpart {
    pub service: String,
    pub version: String,
    pub presence: Presence,
}

/// The contract of one consumer version toward the candidate's service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumerContract {
    pub consumer: String,
    pub consumer_version: String,
    pub contract_hash: String,
}

/// The spec a provider version published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderSpec {
    pub provider: String,
    pub provider_version: String,
    pub spec_hash: String,
}

/// A verification result: one provider version verified against one contract (by hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    pub provider: String,
    pub provider_version: String,
    pub contract_hash: String,
    pub passed: bool,
    /// The dimensions with at least one error finding.
    #[serde(default)]
    pub failed_dimensions: Vec<Dimension>,
}

/// A static compatibility result: a spec (by hash) checked against a contract (by hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Compatibility {
    pub spec_hash: String,
    pub contract_hash: String,
    pub passed: bool,
    /// The dimensions with at least one error finding.
    #[serde(default)]
    pub failed_dimensions: Vec<Dimension>,
    pub errors: u32,
    pub warnings: u32,
}

/// A deprecation fact about a contract (by hash) and a provider spec (by hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeprecationFact {
    pub spec_hash: String,
    pub contract_hash: String,
    /// The interaction of the contract that uses the element.
    pub interaction: String,
    /// The element, as reports name it (e.g. `GET /carts/{id}` or `GET /carts/{id} 200 /total`).
    pub element: String,
    #[serde(flatten)]
    pub kind: DeprecationKind,
    /// The `x-stability-level` of the element's operation (for a field or a parameter, of the
    /// operation it belongs to); none when the spec states none or the operation is gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stability: Option<Stability>,
}

/// What a [`DeprecationFact`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum DeprecationKind {
    /// The contract uses an element the spec deprecates with this sunset date.
    Sunset { sunset: NaiveDate },
    /// The contract uses an element this spec removed.
    Removed,
}

/// The answer: the verdict, every row, and notices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    pub format_version: u32,
    pub candidate: ServiceVersion,
    pub target: Target,
    pub as_of: NaiveDate,
    pub verdict: Verdict,
    /// Every integration, the candidate's providers first (by provider, provider version), then its
    /// consumers (by consumer, consumer version).
    pub rows: Vec<Row>,
    pub notices: Vec<Notice>,
}

/// The overall answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every row passes (or there are none).
    Yes,
    /// At least one row fails.
    No,
    /// No row fails, and at least one has no verdict (missing evidence, a provider not deployed).
    Unknown,
}

/// The candidate's side of an integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Consumer,
    Provider,
}

/// One integration between the candidate and a counterpart version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    /// Whether the candidate is this row's consumer or provider.
    pub candidate_role: Role,
    pub consumer: String,
    pub consumer_version: String,
    pub provider: String,
    /// `None` when no version of the provider is in the target.
    pub provider_version: Option<String>,
    pub contract_hash: String,
    /// Why the counterpart version is in the target (empty when it is absent, or is the candidate).
    pub presence: Vec<Presence>,
    pub evidence: Evidence,
    pub outcome: RowOutcome,
    pub reason: Reason,
    /// The dimensions the evidence failed in.
    #[serde(default)]
    pub failed_dimensions: Vec<Dimension>,
    /// The deprecation facts that block the row.
    pub blocked_by: Vec<BlockedElement>,
}

/// The evidence a row's outcome rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    /// A verification of exactly these versions.
    Verified,
    /// A compatibility check of the provider version's spec against the contract.
    Compatible,
    None,
}

/// A row's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowOutcome {
    Pass,
    Fail,
    Unknown,
}

/// Why a row has its outcome; a stable code for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Pass: a verification of these versions passed.
    Verified,
    /// Pass: no verification, and the provider version's spec is compatible with the contract.
    Compatible,
    /// Fail: a verification of these versions failed.
    VerificationFailed,
    /// Fail: no verification, and the provider version's spec is incompatible with the contract.
    Incompatible,
    /// Fail: the provider version's spec removes an element the contract uses.
    RemovesUsedElement,
    /// Fail: the candidate, as consumer, uses an element whose sunset has passed.
    SunsetPassed,
    /// Unknown: neither a verification nor a compatibility result for these versions.
    NoEvidence,
    /// Unknown: the provider is not deployed (or released) in the target environment.
    ProviderNotDeployed,
    /// Unknown: the provider has no version on the target branch.
    ProviderNotOnBranch,
}

impl Reason {
    /// The outcome this reason stands for.
    pub fn outcome(self) -> RowOutcome {
        match self {
            Reason::Verified | Reason::Compatible => RowOutcome::Pass,
            Reason::VerificationFailed
            | Reason::Incompatible
            | Reason::RemovesUsedElement
            | Reason::SunsetPassed => RowOutcome::Fail,
            Reason::NoEvidence | Reason::ProviderNotDeployed | Reason::ProviderNotOnBranch => {
                RowOutcome::Unknown
            }
        }
    }
}

/// A deprecation fact that blocks a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockedElement {
    pub interaction: String,
    pub element: String,
    #[serde(flatten)]
    pub kind: DeprecationKind,
}

/// Something worth saying that does not change the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "code")]
pub enum Notice {
    /// The candidate version has no contracts, and no consumer in the target has one with it:
    /// nothing to check, it can deploy.
    NoContracts,
    /// The candidate publishes a spec, and no consumer in the target has a contract with it.
    NoConsumers,
    /// A consumer in the target uses an element of the candidate's spec past its sunset; it does not
    /// block the candidate (a version that removes the element would be blocked).
    #[serde(rename_all = "camelCase")]
    ConsumerPastSunset {
        consumer: String,
        consumer_version: String,
        interaction: String,
        element: String,
        sunset: NaiveDate,
    },
}
