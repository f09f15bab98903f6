//! `vow can-i-deploy`: asks the broker whether a version can go to an environment (or be merged
//! into a branch), optionally waiting while the answer is unknown, prints the answer, and exits
//! 0 yes, 1 no, 3 unknown, 4 when the broker cannot be reached (2 for bad usage or a question
//! the broker refuses, such as an unknown version).

use std::io::Write;
use std::time::Duration;

use vow_core::deploy::{Answer, ServiceVersion, Target, Verdict};

use crate::cli::{AnswerFormat, CanIDeployArgs, ColorChoice};
use crate::command::remote;
use crate::exit::{self, Failure};
use crate::render::{Style, answer};
use crate::write_stdout;

pub fn run(args: CanIDeployArgs, color: ColorChoice) -> Result<u8, Failure> {
    let client = remote::client(args.broker)?;
    let candidate = ServiceVersion {
        service: args.service,
        version: args.version,
    };
    let target = match (args.environment, args.to_branch) {
        (Some(name), _) => Target::Environment { name },
        (None, Some(name)) => Target::Branch { name },
        (None, None) => {
            return Err(Failure::new(
                exit::INVALID_INPUT,
                anyhow::anyhow!("give --to ENV (can-i-deploy) or --to-branch BRANCH (can-i-merge)"),
            ));
        }
    };
    let interval = Duration::from_secs(args.retry_interval);
    let attempts = args.retry_while_unknown.saturating_add(1);
    let answer: Answer = remote::runtime()?.block_on(async {
        let mut attempt = 1;
        loop {
            let answer = client
                .can_i_deploy(&candidate, &target, args.as_of)
                .await
                .map_err(|e| {
                    remote::failure(
                        e,
                        format!(
                            "failed to ask can-i-deploy for {} {}",
                            candidate.service, candidate.version
                        ),
                    )
                })?;
            if answer.verdict != Verdict::Unknown || attempt >= attempts {
                return Ok::<_, Failure>(answer);
            }
            let waiting = answer
                .rows
                .iter()
                .filter(|r| r.outcome == vow_core::deploy::RowOutcome::Unknown)
                .count();
            let _ = writeln!(
                std::io::stderr(),
                "unknown: {waiting} integration(s) lack evidence; asking again in {} s \
                 (attempt {} of {attempts})",
                interval.as_secs(),
                attempt + 1
            );
            tokio::time::sleep(interval).await;
            attempt += 1;
        }
    })?;
    let text = match args.format {
        AnswerFormat::Human => answer::render_human(&answer, Style::for_stdout(color)),
        AnswerFormat::Json => {
            let mut json = serde_json::to_string_pretty(&answer).unwrap_or_default();
            json.push('\n');
            json
        }
        AnswerFormat::Markdown => answer::render_markdown(&answer),
        AnswerFormat::Junit => answer::render_junit(&answer),
    };
    write_stdout(&text)?;
    Ok(match answer.verdict {
        Verdict::Yes => exit::SUCCESS,
        Verdict::No => exit::FINDINGS,
        Verdict::Unknown => exit::UNKNOWN,
    })
}
