//! The broker's storage: every SQL statement vow has lives in this module tree, run against SQLite
//! (the zero-setup default) or PostgreSQL, chosen when the store is opened.

mod contract;
mod deprecation;
mod environment;
mod error;
mod evidence;
mod migration;
mod pool;
mod question;
mod record;
mod release;
mod selection;
mod service;
mod session;
mod token;
mod view;
mod webhook;

pub use contract::NewContract;
pub use deprecation::{
    DeprecatedSince, LoadedDeprecations, PresentContract, PresentSpec, SpecPublished,
};
pub use error::StoreError;
pub use evidence::{ConsumerRef, NewSpec, NewVerification, SpecPublication, VerificationRecord};
pub(crate) use evidence::{NewCompatibility, StoredFact};
pub use pool::{Database, PoolStats, Store, StoreSettings};
pub use question::{LoadedQuestion, MissingAssessment};
pub use record::{
    Deployment, Environment, Placement, Publication, Put, Service, SpecRef, StoredContract, Token,
    Version, VersionAttributes,
};
pub use release::Release;
pub use selection::{SelectedBecause, SelectedConsumer, SelectedContract};
pub use view::{
    CONSUMER_VERSIONS_SHOWN, ContractVersion, EvidenceRow, IntegrationKey, IntegrationRow, Keyset,
    KeysetPage, LatestVerification,
};
pub use view::{LastDelivery, WebhookSummary};
pub use view::{MatrixCursor, MatrixQuery, MatrixRow, MatrixUnknown};
pub use webhook::{
    AttemptOutcome, AttemptRecord, ClaimedDelivery, DeliveryRecord, NewWebhook, StoredWebhook,
    SunsetNotice,
};
