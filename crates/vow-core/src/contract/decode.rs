//! Decoding a JSON value into the contract model, collecting every problem with its location.

use super::diagnostic::ContractError;
use super::model::Contract;

/// The syntax of a contract file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Yaml,
    Json,
}

/// Parses a contract from `text`. `origin` names the source in errors (usually the file path).
pub fn parse_contract(
    origin: &str,
    _text: &str,
    _format: SourceFormat,
) -> Result<Contract, ContractError> {
    Err(ContractError { origin: origin.to_owned(), problems: Vec::new() })
}
