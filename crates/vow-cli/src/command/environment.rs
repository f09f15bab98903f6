//! `vow record-deployment`, `vow record-undeployment`, `vow record-release`,
//! `vow record-support-ended` and `vow environments`: environments and what runs in them, on the
//! broker.

use vow_engine::{BrokerClient, BrokerError};

use crate::cli::{EnvironmentsArgs, RecordDeploymentArgs, RecordUndeploymentArgs, ReleaseArgs};
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
        ensure_environment(&client, &environment).await?;
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

/// Records that a service (or one instance of it) stopped running in an environment.
pub fn record_undeployment(args: RecordUndeploymentArgs) -> Result<u8, Failure> {
    let client = remote::client(args.broker)?;
    let (service, environment, instance) = (args.service, args.environment, args.instance);
    let shown_instance = instance
        .as_deref()
        .map(|i| format!(" (instance {i})"))
        .unwrap_or_default();
    remote::runtime()?.block_on(async {
        let stopped = client
            .record_undeployment(&environment, &service, instance.as_deref())
            .await
            .map_err(|e| {
                let doing = match &e {
                    BrokerError::Api { code, .. }
                        if code == "deployment_not_found" || code == "environment_not_found" =>
                    {
                        // The broker's message names what is not deployed where.
                        "nothing to undeploy".to_owned()
                    }
                    _ => format!("failed to record that {service} left {environment}"),
                };
                remote::failure(e, doing)
            })?;
        write_stdout(&format!(
            "undeployed {service} {} from {environment}{shown_instance}\n",
            stopped.version
        ))?;
        Ok(exit::SUCCESS)
    })
}

/// Records a release, creating the environment first if it is new (the broker requires it to
/// exist).
pub fn record_release(args: ReleaseArgs) -> Result<u8, Failure> {
    let client = remote::client(args.broker)?;
    let (service, version, environment) = (args.service, args.version, args.environment);
    remote::runtime()?.block_on(async {
        ensure_environment(&client, &environment).await?;
        let put = client
            .record_release(&environment, &service, &version)
            .await
            .map_err(|e| {
                remote::failure(
                    e,
                    format!("failed to record the release of {service} {version} in {environment}"),
                )
            })?;
        let outcome = if put.created {
            "recorded"
        } else {
            "unchanged, already released and supported"
        };
        write_stdout(&format!(
            "released {service} {version} in {environment}: {outcome}\n"
        ))?;
        Ok(exit::SUCCESS)
    })
}

/// Records that a released version is no longer supported in an environment.
pub fn record_support_ended(args: ReleaseArgs) -> Result<u8, Failure> {
    let client = remote::client(args.broker)?;
    let (service, version, environment) = (args.service, args.version, args.environment);
    remote::runtime()?.block_on(async {
        client
            .record_support_ended(&environment, &service, &version)
            .await
            .map_err(|e| {
                remote::failure(
                    e,
                    format!("failed to end support of {service} {version} in {environment}"),
                )
            })?;
        write_stdout(&format!(
            "support ended for {service} {version} in {environment}\n"
        ))?;
        Ok(exit::SUCCESS)
    })
}

/// Creates the environment if it is new (the broker records deployments and releases only in
/// environments that exist), saying so.
async fn ensure_environment(client: &BrokerClient, environment: &str) -> Result<(), Failure> {
    let put = client
        .put_environment(environment)
        .await
        .map_err(|e| remote::failure(e, format!("failed to create environment {environment}")))?;
    if put.created {
        write_stdout(&format!("created environment {environment}\n"))?;
    }
    Ok(())
}
