//! vow-engine: everything vow does with the outside world on the client side — reading contract
//! files and replaying them against running providers. Judgement stays in `vow-core`.

pub mod broker;
pub mod credentials;
mod http1;
pub mod load;
pub mod mock;
pub mod provider_state;
pub mod record;
pub mod replay;
pub mod spec;
pub mod verify;

pub use broker::{BrokerClient, BrokerError};
pub use credentials::{CredentialSet, SecretSource};
pub use load::{LoadError, LoadedContract, load_contracts};
pub use reqwest::Url;
pub use spec::{LoadedSpec, SpecLoadError, load_spec};
pub use verify::{Filters, VerifyError, VerifyObserver, VerifyOptions, verify};
