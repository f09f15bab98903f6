//! Contracts: the model, and reading it from YAML or JSON text with located errors.

pub mod decode;
pub mod diagnostic;
pub mod model;
pub mod source;

pub use decode::{decode_contract, parse_contract};
pub use diagnostic::{ContractError, Position, Problem};
pub use model::*;
pub use source::SourceFormat;
