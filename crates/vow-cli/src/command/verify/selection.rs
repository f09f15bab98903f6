//! `vow verify --broker`, the contracts: which ones the broker selects for the provider (each
//! distinct contract once, with the consumer versions it stands for and why), read with the same
//! parser as contract files, and described before they are verified.

use std::fmt::Write as _;
use std::path::PathBuf;

use vow_core::contract::decode_contract;
use vow_engine::broker::ContractToVerify;
use vow_engine::{BrokerClient, LoadError, LoadedContract};

use crate::cli::{BrokerClientArgs, VerifyArgs};
use crate::command::remote;
use crate::exit::{self, Failure};
use crate::render::Style;

/// Where the contracts come from: the broker, for one provider and the branches asked about.
#[derive(Debug)]
pub struct FromBroker {
    pub client: BrokerClient,
    pub provider: String,
    /// The branches whose latest consumer versions are selected too; empty for the broker's
    /// default (`main`).
    pub branches: Vec<String>,
}

impl FromBroker {
    /// The broker source `--broker` asks for, or `None` for contract files. clap has already
    /// required `--provider` and the broker URL with `--broker`; here the provider must be one
    /// exact name, since the broker selects contracts for one provider.
    pub fn of(args: &VerifyArgs) -> Result<Option<FromBroker>, Failure> {
        let from = &args.from_broker;
        if !from.broker {
            return Ok(None);
        }
        let usage = |message: String| Failure::new(exit::INVALID_INPUT, anyhow::anyhow!(message));
        let provider = match args.provider.as_slice() {
            [one] if !one.ends_with('*') => one.clone(),
            _ => {
                return Err(usage(
                    "--broker verifies one provider: give --provider once, with its exact name"
                        .to_owned(),
                ));
            }
        };
        let Some(broker_url) = from.broker_url.clone() else {
            return Err(usage(
                "--broker needs the broker's URL: --broker-url or VOW_BROKER_URL".to_owned(),
            ));
        };
        let client = remote::client(BrokerClientArgs {
            broker_url,
            broker_token: from.broker_token.clone(),
        })?;
        let branches = from
            .branches
            .iter()
            .map(|b| b.trim().to_owned())
            .filter(|b| !b.is_empty())
            .collect();
        Ok(Some(FromBroker {
            client,
            provider,
            branches,
        }))
    }

    /// The contracts the broker selects.
    pub async fn fetch(&self) -> Result<Vec<ContractToVerify>, Failure> {
        self.client
            .contracts_to_verify(&self.provider, &self.branches)
            .await
            .map_err(|e| {
                remote::failure(
                    e,
                    format!(
                        "failed to fetch the contracts {} must verify",
                        self.provider
                    ),
                )
            })
    }

    /// The branches, as said to people.
    fn branches_text(&self) -> String {
        if self.branches.is_empty() {
            "main".to_owned()
        } else {
            self.branches.join(", ")
        }
    }

    /// What is verified and for whom: each contract by hash, then the consumer versions it stands
    /// for and why each is selected.
    pub fn describe(&self, selected: &[ContractToVerify], style: Style) -> String {
        let mut out = String::new();
        let n = selected.len();
        let _ = writeln!(
            out,
            "{} {}",
            style.strong(format!(
                "{n} contract{} to verify for {} from the broker",
                if n == 1 { "" } else { "s" },
                self.provider
            )),
            style.dim(format!(
                "(consumer versions deployed or released in an environment, and the latest on {})",
                self.branches_text()
            ))
        );
        for contract in selected {
            let _ = writeln!(out, "  {}", contract.hash);
            for consumer in &contract.consumers {
                let reasons: Vec<String> =
                    consumer.reasons.iter().map(ToString::to_string).collect();
                let _ = writeln!(
                    out,
                    "    {} {}: {}",
                    consumer.consumer,
                    consumer.version,
                    reasons.join(", ")
                );
            }
        }
        out.push('\n');
        out
    }

    /// Says that there is nothing to verify, and why that can be.
    pub fn nothing_to_verify(&self) -> String {
        format!(
            "nothing to verify: no consumer version with a contract with {} is deployed or \
             released in an environment, or the latest on {}\n",
            self.provider,
            self.branches_text()
        )
    }
}

/// Reads every selected contract with vow's parser, as contract files are read; every problem of
/// every contract is collected. Each contract's source (its path in reports) is its content hash.
pub fn decode(selected: &[ContractToVerify]) -> Result<Vec<LoadedContract>, Vec<LoadError>> {
    let mut contracts = Vec::new();
    let mut errors = Vec::new();
    for selected in selected {
        let origin = format!("the contract {} from the broker", selected.hash);
        match decode_contract(&origin, &selected.contract) {
            Ok(contract) => contracts.push(LoadedContract {
                path: PathBuf::from(&selected.hash),
                contract,
            }),
            Err(e) => errors.push(LoadError::Contract(e)),
        }
    }
    if errors.is_empty() {
        Ok(contracts)
    } else {
        Err(errors)
    }
}
