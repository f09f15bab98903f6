//! `vow verify --broker --publish`, the evidence: the provider version is recorded first (with the
//! branch, commit and build URL `vow publish` detects), then one verification result per contract
//! verified, passed or not: a failed verification is evidence too.

use std::io::Write as _;

use vow_core::verification::VerificationReport;
use vow_engine::BrokerError;
use vow_engine::broker::{NewVerification, VersionAttributes};

use crate::cli::{ColorChoice, VerifyBrokerArgs};
use crate::command::publish::Given;
use crate::command::remote;
use crate::exit::Failure;
use crate::render::Style;

use super::Channel;
use super::selection::FromBroker;

/// The provider version results are published for, and what is recorded about it.
#[derive(Debug)]
pub struct Publication {
    pub version: String,
    pub attributes: VersionAttributes,
}

impl Publication {
    /// What `--publish` asks for, or `None` without it. The branch, commit and build URL not given
    /// are detected from CI variables and git, as `vow publish` does.
    pub fn of(args: &VerifyBrokerArgs) -> Result<Option<Publication>, Failure> {
        if !args.publish {
            return Ok(None);
        }
        let resolved = Given {
            version: args.provider_version.clone(),
            branch: args.provider_branch.clone(),
            commit: args.provider_commit.clone(),
            build_url: args.build_url.clone(),
        }
        .detect()?;
        Ok(Some(Publication {
            version: resolved.version,
            attributes: resolved.attributes,
        }))
    }

    /// Records the provider version, before anything is verified: a version the broker refuses
    /// (its branch or commit recorded otherwise) stops the run early.
    pub async fn record_version(&self, from: &FromBroker) -> Result<(), Failure> {
        from.client
            .put_version(&from.provider, &self.version, &self.attributes)
            .await
            .map(|_| ())
            .map_err(|e| {
                remote::failure(
                    e,
                    format!("failed to record {} {}", from.provider, self.version),
                )
            })
    }

    /// Records one result per contract in the report (keyed by its source, the content hash),
    /// each announced on `channel`. A result the broker refuses with a 4xx does not stop the others;
    /// the refusals decide the outcome (exit code 2). A broker that fails or cannot be reached
    /// stops publishing (exit code 4).
    pub async fn record_results(
        &self,
        from: &FromBroker,
        report: &VerificationReport,
        channel: Channel,
        color: ColorChoice,
    ) -> Result<(), Failure> {
        let (provider, version) = (&from.provider, &self.version);
        let style = channel.style(color);
        let mut refused = None;
        for contract in &report.contracts {
            let hash = &contract.source;
            let result = NewVerification::of(hash, contract, self.attributes.build_url.clone());
            match from
                .client
                .record_verification(provider, version, &result)
                .await
            {
                Ok(record) => {
                    let verdict = if record.passed {
                        style.good("passed")
                    } else {
                        let failed: Vec<&str> = record
                            .failed_dimensions
                            .iter()
                            .map(|d| d.as_str())
                            .collect();
                        style.bad(format!("failed ({})", failed.join(", ")))
                    };
                    channel.write(&format!(
                        "published {provider} {version} verified {hash} ({}): {verdict}\n",
                        contract.consumer
                    ))?;
                }
                Err(e @ BrokerError::Api { .. }) if !e.is_server_error() => {
                    let _ = writeln!(
                        std::io::stderr(),
                        "{} failed to publish the verification of {hash} ({}): {e}",
                        Style::for_stderr(color).bad("error:"),
                        contract.consumer
                    );
                    refused = Some(remote::exit_code(&e));
                }
                Err(e) => {
                    return Err(remote::failure(
                        e,
                        format!("failed to publish the verification of {hash}"),
                    ));
                }
            }
        }
        match refused {
            Some(code) => Err(Failure::reported(code)),
            None => Ok(()),
        }
    }
}
