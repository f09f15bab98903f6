//! `vow record-deployment` and `vow environments`: environments and what runs in them, on the
//! broker.

use crate::cli::{EnvironmentsArgs, RecordDeploymentArgs};
use crate::command::remote;
use crate::exit::{self, Failure};
use crate::write_stdout;

/// Records a deployment, creating the environment first if it is new (the broker requires it to
/// exist).
pub fn record_deployment(args: RecordDeploymentArgs) -> Result<u8, Failure> {
    let client = remote::client(args.broker)?;
    let (service, version, environment) = (args.service, args.version, args.environment);
    let instance = args.instance;
    remote::runtime()?.block_on(async {
        let env = client.put_environment(&environment).await.map_err(|e| {
            remote::failure(e, format!("failed to create environment {environment}"))
        })?;
        if env.created {
            write_stdout(&format!("created environment {environment}\n"))?;
        }
        let put = client
            .record_deployment(&environment, &service, &version, instance.as_deref())
            .await
            .map_err(|e| {
                remote::failure(
                    e,
                    format!("failed to record {service} {version} in {environment}"),
                )
            })?;
        let instance = instance
            .map(|i| format!(" (instance {i})"))
            .unwrap_or_default();
        let outcome = if put.created {
            "recorded"
        } else {
            "unchanged, already current"
        };
        write_stdout(&format!(
            "deployed {service} {version} to {environment}{instance}: {outcome}\n"
        ))?;
        Ok(exit::SUCCESS)
    })
}

/// Lists the environments, one name a line.
pub fn list(args: EnvironmentsArgs) -> Result<u8, Failure> {
    let client = remote::client(args.broker)?;
    remote::runtime()?.block_on(async {
        let environments = client
            .environments()
            .await
            .map_err(|e| remote::failure(e, "failed to list environments".to_owned()))?;
        let text: String = environments
            .iter()
            .map(|e| format!("{}\n", e.name))
            .collect();
        write_stdout(&text)?;
        Ok(exit::SUCCESS)
    })
}
