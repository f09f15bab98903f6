//! `vow publish-spec`: reads a provider's OpenAPI spec (with the files it references) exactly as
//! `vow check` does, and sends it to the broker as one bundle for a provider version, which is
//! recorded first with its branch, commit and build URL (flags, else CI variables, else git).

use std::io::Write;

use anyhow::anyhow;
use vow_core::spec::Bundle;
use vow_engine::spec::load_spec;

use crate::cli::{ColorChoice, PublishSpecArgs};
use crate::command::publish::Given;
use crate::command::remote;
use crate::exit::{self, Failure};
use crate::render::{Style, render_spec_error};
use crate::write_stdout;

pub fn run(args: PublishSpecArgs, color: ColorChoice) -> Result<u8, Failure> {
    let loaded = match load_spec(&args.spec) {
        Ok(loaded) => loaded,
        Err(e) => {
            let text = render_spec_error(&e, Style::for_stderr(color));
            let _ = std::io::stderr().write_all(text.as_bytes());
            return Err(Failure::reported(exit::INVALID_INPUT));
        }
    };
    let bundle = serde_json::to_value(Bundle::of(&loaded.documents))
        .map_err(|e| Failure::new(exit::INVALID_INPUT, anyhow!(e)))?;
    let resolved = Given::from(args.version).detect()?;
    let client = remote::client(args.broker)?;
    let provider = args.provider;
    let version = resolved.version;
    remote::runtime()?.block_on(async {
        client
            .put_version(&provider, &version, &resolved.attributes)
            .await
            .map_err(|e| {
                remote::failure(e, format!("failed to record {provider} version {version}"))
            })?;
        let put = client
            .put_spec(&provider, &version, &bundle)
            .await
            .map_err(|e| {
                remote::failure(
                    e,
                    format!("failed to publish the spec of {provider} {version}"),
                )
            })?;
        let outcome = if put.created {
            "published"
        } else {
            "unchanged, published before"
        };
        write_stdout(&format!(
            "{} → {provider} {version} ({}): {outcome}\n",
            args.spec.display(),
            put.value.hash
        ))?;
        Ok(exit::SUCCESS)
    })
}
