//! Reading contract files from paths named on the command line (files or directories).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use vow_core::Contract;
use vow_core::contract::source::read_source;
use vow_core::contract::{ContractError, SourceFormat, parse_contract};

/// A contract and the file it came from.
#[derive(Debug, Clone)]
pub struct LoadedContract {
    pub path: PathBuf,
    pub contract: Contract,
}

/// Why contract files could not be loaded. All problems across all files are collected.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("failed to read {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{} is not a contract file: expected a .yaml, .yml or .json extension", path.display())]
    UnsupportedExtension { path: PathBuf },
    #[error("{} has no contract files (.yaml, .yml or .json)", path.display())]
    EmptyDirectory { path: PathBuf },
    #[error("{0}")]
    Contract(ContractError),
}

/// Loads every contract under `paths`. A directory is searched recursively for `.yaml`, `.yml` and
/// `.json` files (hidden entries skipped), in name order so runs are reproducible. Every file is
/// read even when earlier ones fail, so one run reports every broken file.
pub fn load_contracts(paths: &[PathBuf]) -> Result<Vec<LoadedContract>, Vec<LoadError>> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let before = files.len();
                if let Err(e) = collect_dir(path, &mut files) {
                    errors.push(e);
                } else if files.len() == before {
                    errors.push(LoadError::EmptyDirectory { path: path.clone() });
                }
            }
            Ok(_) => {
                if format_of(path).is_some() {
                    files.push(path.clone());
                } else {
                    errors.push(LoadError::UnsupportedExtension { path: path.clone() });
                }
            }
            Err(source) => errors.push(LoadError::Io {
                path: path.clone(),
                source,
            }),
        }
    }

    let mut contracts = Vec::new();
    for path in files {
        match load_file(&path) {
            Ok(contract) => contracts.push(LoadedContract { path, contract }),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(contracts)
    } else {
        Err(errors)
    }
}

fn load_file(path: &Path) -> Result<Contract, LoadError> {
    let (format, text) = read_text(path)?;
    parse_contract(&path.display().to_string(), &text, format).map_err(LoadError::Contract)
}

/// The contract file at `path` as a JSON value, as written (YAML read into JSON), for sending it
/// elsewhere, e.g. to a broker. The file is not checked as a contract here: use
/// [`load_contracts`] first.
pub fn contract_document(path: &Path) -> Result<serde_json::Value, LoadError> {
    let (format, text) = read_text(path)?;
    read_source(&text, format)
        .map(|document| document.value)
        .map_err(|problems| {
            LoadError::Contract(ContractError {
                origin: path.display().to_string(),
                problems,
            })
        })
}

fn read_text(path: &Path) -> Result<(SourceFormat, String), LoadError> {
    let format = format_of(path).ok_or_else(|| LoadError::UnsupportedExtension {
        path: path.to_owned(),
    })?;
    let bytes = fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| LoadError::Io {
        path: path.to_owned(),
        source: io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "the file is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        ),
    })?;
    Ok((format, text))
}

fn format_of(path: &Path) -> Option<SourceFormat> {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(SourceFormat::from_extension)
}

fn collect_dir(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let io_err = |source| LoadError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut entries = fs::read_dir(dir)
        .map_err(io_err)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(io_err)?;
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            collect_dir(&path, files)?;
        } else if format_of(&path).is_some() {
            files.push(path);
        }
    }
    Ok(())
}
