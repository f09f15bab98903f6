//! `vow publish`: sends contract files to the broker for a consumer version. The version, branch,
//! commit and build URL come from the flags, else from common CI variables (GitHub Actions,
//! GitLab CI), else from git; [`resolve`] decides, over a fake environment in the tests.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

use vow_engine::broker::VersionAttributes;
use vow_engine::{BrokerError, load_contracts};

use crate::cli::{ColorChoice, PublishArgs, VersionFlags};
use crate::command::remote;
use crate::exit::{self, Failure};
use crate::render::{self, Style};
use crate::write_stdout;

/// What the flags gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Given {
    pub version: Option<String>,
    pub branch: Option<String>,
    pub commit: Option<String>,
    pub build_url: Option<String>,
}

impl From<VersionFlags> for Given {
    fn from(flags: VersionFlags) -> Given {
        Given {
            version: flags.version,
            branch: flags.branch,
            commit: flags.commit,
            build_url: flags.build_url,
        }
    }
}

impl Given {
    /// [`resolve`]s against this process's environment and the current directory's git; what
    /// cannot be detected is a usage error.
    pub fn detect(self) -> Result<Resolved, Failure> {
        resolve(self, &|name| std::env::var(name).ok(), &git_facts)
            .map_err(|e| Failure::new(exit::INVALID_INPUT, anyhow::anyhow!(e)))
    }
}

/// What git says about the working directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitFacts {
    /// `git rev-parse HEAD`.
    pub head: Option<String>,
    /// `git rev-parse --abbrev-ref HEAD`; `HEAD` (a detached checkout) counts as none.
    pub branch: Option<String>,
}

/// The version to publish under and what is recorded about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub version: String,
    pub attributes: VersionAttributes,
}

/// Fills in what the flags left out: CI variables first (in CI, git often has a detached
/// checkout), then git, which is asked only when something is still missing. The version defaults
/// to the commit.
pub fn resolve(
    given: Given,
    env: &dyn Fn(&str) -> Option<String>,
    git: &dyn Fn() -> GitFacts,
) -> Result<Resolved, String> {
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let ci_commit = || var("GITHUB_SHA").or_else(|| var("CI_COMMIT_SHA"));
    let ci_branch = || {
        var("GITHUB_HEAD_REF")
            .or_else(|| var("GITHUB_REF_NAME"))
            .or_else(|| var("CI_COMMIT_REF_NAME"))
    };
    let ci_build_url = || match (
        var("GITHUB_SERVER_URL"),
        var("GITHUB_REPOSITORY"),
        var("GITHUB_RUN_ID"),
    ) {
        (Some(server), Some(repository), Some(run)) => Some(format!(
            "{}/{repository}/actions/runs/{run}",
            server.trim_end_matches('/')
        )),
        _ => var("CI_JOB_URL"),
    };
    let mut commit = given.commit.or_else(ci_commit);
    let mut branch = given.branch.or_else(ci_branch);
    let build_url = given.build_url.or_else(ci_build_url);
    if commit.is_none() || branch.is_none() {
        let facts = git();
        commit = commit.or(facts.head);
        branch = branch.or(facts.branch.filter(|b| b != "HEAD"));
    }
    let version = given.version.or_else(|| commit.clone()).ok_or_else(|| {
        "no --version given, and none could be detected: there is no commit in the CI variables \
         (GITHUB_SHA, CI_COMMIT_SHA) and `git rev-parse HEAD` gave none"
            .to_owned()
    })?;
    Ok(Resolved {
        version,
        attributes: VersionAttributes {
            branch,
            commit,
            build_url,
        },
    })
}

/// Asks git about the current directory; a missing git or repository gives no facts.
fn git_facts() -> GitFacts {
    let ask = |args: &[&str]| {
        let output = Command::new("git").args(args).output().ok()?;
        if !output.status.success() {
            return None;
        }
        let text = String::from_utf8(output.stdout).ok()?.trim().to_owned();
        (!text.is_empty()).then_some(text)
    };
    GitFacts {
        head: ask(&["rev-parse", "HEAD"]),
        branch: ask(&["rev-parse", "--abbrev-ref", "HEAD"]),
    }
}

pub fn run(args: PublishArgs, color: ColorChoice) -> Result<u8, Failure> {
    // Every file is read and checked before anything is sent.
    let documents = load_contracts(&args.paths).and_then(|contracts| {
        let mut documents = Vec::new();
        let mut errors = Vec::new();
        for loaded in contracts {
            match vow_engine::load::contract_document(&loaded.path) {
                Ok(document) => documents.push((loaded.contract, loaded.path, document)),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(documents)
        } else {
            Err(errors)
        }
    });
    let documents = match documents {
        Ok(documents) => documents,
        Err(errors) => {
            let text = render::render_load_errors(&errors, Style::for_stderr(color));
            let _ = std::io::stderr().write_all(text.as_bytes());
            return Err(Failure::reported(exit::INVALID_INPUT));
        }
    };
    let resolved = Given::from(args.version).detect()?;

    // Consumer → its contracts, so each consumer's version is recorded before its contracts.
    let mut by_consumer: BTreeMap<String, Vec<(String, PathBuf, serde_json::Value)>> =
        BTreeMap::new();
    for (contract, path, document) in documents {
        by_consumer
            .entry(contract.consumer.clone())
            .or_default()
            .push((contract.provider.clone(), path, document));
    }

    let client = remote::client(args.broker)?;
    let version = resolved.version;
    remote::runtime()?.block_on(async {
        let mut worst = exit::SUCCESS;
        for (consumer, contracts) in &by_consumer {
            client
                .put_version(consumer, &version, &resolved.attributes)
                .await
                .map_err(|e| {
                    remote::failure(e, format!("failed to record {consumer} {version}"))
                })?;
            for (provider, path, document) in contracts {
                match client
                    .put_contract(consumer, &version, provider, document)
                    .await
                {
                    Ok(put) => {
                        let outcome = if put.created { "created" } else { "unchanged" };
                        write_stdout(&format!(
                            "published {consumer} {version} → {provider}: {outcome} ({})\n",
                            put.value.hash
                        ))?;
                    }
                    Err(e @ BrokerError::Api { .. }) if !e.is_server_error() => {
                        // One refused contract does not stop the others: every refusal is shown.
                        let style = Style::for_stderr(color);
                        let _ = writeln!(
                            std::io::stderr(),
                            "{} failed to publish {consumer} {version} → {provider} ({}): {}",
                            style.bad("error:"),
                            path.display(),
                            remote::describe(&e)
                        );
                        worst = worst.max(remote::exit_code(&e));
                    }
                    Err(e) => {
                        return Err(remote::failure(
                            e,
                            format!("failed to publish {consumer} {version} → {provider}"),
                        ));
                    }
                }
            }
        }
        Ok(worst)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn git() -> GitFacts {
        GitFacts {
            head: Some("9f8e7d".into()),
            branch: Some("feature/x".into()),
        }
    }

    fn no_git() -> GitFacts {
        GitFacts::default()
    }

    #[test]
    fn flags_win() {
        let given = Given {
            version: Some("1.2.3".into()),
            branch: Some("main".into()),
            commit: Some("abc".into()),
            build_url: Some("https://ci/1".into()),
        };
        let r = resolve(given, &env(&[("GITHUB_SHA", "fff")]), &|| panic!("git")).unwrap();
        assert_eq!(r.version, "1.2.3");
        assert_eq!(r.attributes.branch.as_deref(), Some("main"));
        assert_eq!(r.attributes.commit.as_deref(), Some("abc"));
        assert_eq!(r.attributes.build_url.as_deref(), Some("https://ci/1"));
    }

    #[test]
    fn github_actions_pull_request() {
        let e = env(&[
            ("GITHUB_SHA", "1a2b3c"),
            ("GITHUB_HEAD_REF", "add-coupons"),
            ("GITHUB_REF_NAME", "42/merge"),
            ("GITHUB_SERVER_URL", "https://github.com/"),
            ("GITHUB_REPOSITORY", "acme/shop"),
            ("GITHUB_RUN_ID", "777"),
        ]);
        let r = resolve(Given::default(), &e, &|| panic!("git")).unwrap();
        assert_eq!(r.version, "1a2b3c");
        assert_eq!(r.attributes.commit.as_deref(), Some("1a2b3c"));
        assert_eq!(r.attributes.branch.as_deref(), Some("add-coupons"));
        assert_eq!(
            r.attributes.build_url.as_deref(),
            Some("https://github.com/acme/shop/actions/runs/777")
        );
    }

    #[test]
    fn github_actions_push_has_an_empty_head_ref() {
        let e = env(&[
            ("GITHUB_SHA", "1a2b3c"),
            ("GITHUB_HEAD_REF", ""),
            ("GITHUB_REF_NAME", "main"),
        ]);
        let r = resolve(Given::default(), &e, &|| panic!("git")).unwrap();
        assert_eq!(r.attributes.branch.as_deref(), Some("main"));
        assert_eq!(r.attributes.build_url, None);
    }

    #[test]
    fn gitlab_ci() {
        let e = env(&[
            ("CI_COMMIT_SHA", "d00d"),
            ("CI_COMMIT_REF_NAME", "main"),
            ("CI_JOB_URL", "https://gitlab.com/acme/shop/-/jobs/5"),
        ]);
        let r = resolve(Given::default(), &e, &|| panic!("git")).unwrap();
        assert_eq!(r.version, "d00d");
        assert_eq!(r.attributes.branch.as_deref(), Some("main"));
        assert_eq!(
            r.attributes.build_url.as_deref(),
            Some("https://gitlab.com/acme/shop/-/jobs/5")
        );
    }

    #[test]
    fn git_fills_in_outside_ci() {
        let r = resolve(Given::default(), &env(&[]), &git).unwrap();
        assert_eq!(r.version, "9f8e7d");
        assert_eq!(r.attributes.commit.as_deref(), Some("9f8e7d"));
        assert_eq!(r.attributes.branch.as_deref(), Some("feature/x"));
        assert_eq!(r.attributes.build_url, None);
    }

    #[test]
    fn a_detached_head_is_no_branch() {
        let detached = || GitFacts {
            head: Some("9f8e7d".into()),
            branch: Some("HEAD".into()),
        };
        let r = resolve(Given::default(), &env(&[]), &detached).unwrap();
        assert_eq!(r.attributes.branch, None);
    }

    #[test]
    fn an_explicit_version_keeps_the_detected_commit() {
        let given = Given {
            version: Some("2.0.0".into()),
            ..Given::default()
        };
        let r = resolve(given, &env(&[]), &git).unwrap();
        assert_eq!(r.version, "2.0.0");
        assert_eq!(r.attributes.commit.as_deref(), Some("9f8e7d"));
    }

    #[test]
    fn no_version_anywhere_is_an_error() {
        let e = resolve(Given::default(), &env(&[]), &no_git).unwrap_err();
        assert!(e.contains("--version"), "{e}");
    }
}
