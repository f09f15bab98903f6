//! Contracts: the model, reading it from YAML or JSON text with located errors, and writing it back.

pub mod decode;
pub mod diagnostic;
pub mod encode;
pub mod model;
pub mod source;

pub use decode::{decode_contract, parse_contract};
pub use diagnostic::{ContractError, Position, Problem};
pub use encode::{to_json, to_yaml};
pub use model::*;
pub use source::SourceFormat;
