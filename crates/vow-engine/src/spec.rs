//! Reading a provider spec from disk: the root document and every file its relative `$ref`s reach.

use std::fs;
use std::path::{Path, PathBuf};

use vow_core::contract::SourceFormat;
use vow_core::spec::{Documents, Spec, SpecError, SpecProblem, build_spec};

/// Documents larger than this are refused before reading, so a wrong path cannot exhaust memory.
pub const MAX_SPEC_BYTES: u64 = 256 * 1024 * 1024;

/// Why a spec could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SpecLoadError {
    #[error("failed to read the spec {}: {reason}", path.display())]
    Io { path: PathBuf, reason: String },
    #[error("{}", .0)]
    Spec(SpecError),
}

/// A spec and the documents it was read from (for locating findings by line and column).
#[derive(Debug)]
pub struct LoadedSpec {
    pub path: PathBuf,
    pub spec: Spec,
    pub documents: Documents,
}

/// Loads the spec at `path` with every document it references by relative path.
pub fn load_spec(path: &Path) -> Result<LoadedSpec, SpecLoadError> {
    let root_key = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut docs = Documents::default();
    let text = read_text(path).map_err(|reason| SpecLoadError::Io {
        path: path.to_owned(),
        reason,
    })?;
    docs.add(
        &root_key,
        &path.display().to_string(),
        text,
        format_of(path),
    )
    .map_err(|problems| SpecLoadError::Spec(SpecError { problems }))?;
    let mut problems: Vec<SpecProblem> = Vec::new();
    loop {
        let missing = docs.missing();
        if missing.is_empty() {
            break;
        }
        for m in missing {
            let file = dir.join(&m.key);
            match read_text(&file) {
                Ok(text) => {
                    if let Err(p) =
                        docs.add(&m.key, &file.display().to_string(), text, format_of(&file))
                    {
                        problems.extend(p);
                        docs.unavailable(&m.key, "it has problems of its own".to_owned());
                    }
                }
                Err(reason) => docs.unavailable(&m.key, reason),
            }
        }
    }
    match build_spec(&docs) {
        Ok(spec) if problems.is_empty() => Ok(LoadedSpec {
            path: path.to_owned(),
            spec,
            documents: docs,
        }),
        Ok(_) => Err(SpecLoadError::Spec(SpecError { problems })),
        Err(mut e) => {
            problems.append(&mut e.problems);
            Err(SpecLoadError::Spec(SpecError { problems }))
        }
    }
}

fn format_of(path: &Path) -> SourceFormat {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(SourceFormat::from_extension)
        // OpenAPI documents without a telling extension are usually YAML; JSON is YAML too.
        .unwrap_or(SourceFormat::Yaml)
}

fn read_text(path: &Path) -> Result<String, String> {
    let meta = fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.is_dir() {
        return Err("it is a directory, not a file".to_owned());
    }
    if meta.len() > MAX_SPEC_BYTES {
        return Err(format!(
            "it is {} MiB, more than the {} MiB vow reads",
            meta.len() / (1024 * 1024),
            MAX_SPEC_BYTES / (1024 * 1024)
        ));
    }
    let bytes = fs::read(path).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "it is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}
