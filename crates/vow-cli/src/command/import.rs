//! `vow import SOURCE`: convert contracts written for other tools into vow contracts.
//!
//! `vow import pact FILE...` converts each Pact file on its own: a malformed file is reported with
//! its problems and the others are still converted. Each pact becomes
//! `DIR/<consumer>.<provider>.yaml` (or `.json`), never overwriting a file unless `--force`; every
//! note is printed with its place in the Pact file. Exit 2 when any file could not be converted
//! or written, else 1 with `--strict` when anything was not carried over, else 0.

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use vow_core::contract::{ContractError, to_json, to_yaml};
use vow_core::import::pact::{NoteKind, PactImport, import_pact};

use crate::cli::{ContractFileFormat, ImportArgs, ImportPactArgs, ImportSource};
use crate::exit::{self, Failure};

pub fn run(args: ImportArgs) -> Result<u8, Failure> {
    match args.source {
        ImportSource::Pact(args) => pact(&args),
    }
}

/// What happened to one Pact file.
enum Outcome {
    Written(PathBuf, PactImport),
    Failed(String),
}

fn pact(args: &ImportPactArgs) -> Result<u8, Failure> {
    let mut written: BTreeSet<PathBuf> = BTreeSet::new();
    let mut failed = false;
    let mut dropped = false;
    let mut stdout = io::stdout().lock();
    let mut stderr = io::stderr().lock();
    for file in &args.files {
        let origin = file.display().to_string();
        match convert(args, file, &origin, &mut written) {
            Outcome::Written(path, imported) => {
                dropped |= imported.dropped_anything();
                let _ = stdout.write_all(report(&origin, &path, &imported).as_bytes());
            }
            Outcome::Failed(message) => {
                failed = true;
                let _ = stderr.write_all(message.as_bytes());
            }
        }
    }
    Ok(if failed {
        exit::INVALID_INPUT
    } else if args.strict && dropped {
        exit::FINDINGS
    } else {
        exit::SUCCESS
    })
}

fn convert(
    args: &ImportPactArgs,
    file: &Path,
    origin: &str,
    written: &mut BTreeSet<PathBuf>,
) -> Outcome {
    let text = match fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => return Outcome::Failed(format!("{origin}: cannot read the file: {e}\n")),
    };
    let imported = match import_pact(origin, &text) {
        Ok(imported) => imported,
        Err(e) => return Outcome::Failed(problems(&e)),
    };
    let contract = &imported.contract;
    let (extension, text) = match args.format {
        ContractFileFormat::Yaml => ("yaml", to_yaml(contract)),
        ContractFileFormat::Json => ("json", to_json(contract)),
    };
    let path = args.out.join(format!(
        "{}.{}.{extension}",
        contract.consumer, contract.provider
    ));
    if !written.insert(path.clone()) {
        return Outcome::Failed(format!(
            "{origin}: not written: {} was written from another pact of this run\n  hint: import \
             pacts between the same consumer and provider into different --out directories\n",
            path.display()
        ));
    }
    if let Err(e) = write(&path, &text, args.force) {
        return Outcome::Failed(format!("{origin}: {e}\n"));
    }
    Outcome::Written(path, imported)
}

fn write(path: &Path, text: &str, force: bool) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the directory {}: {e}", dir.display()))?;
    }
    let mut options = OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options.open(path).map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists => format!(
            "not written: {} already exists\n  hint: pass --force to overwrite it, or --out to \
             write elsewhere",
            path.display()
        ),
        _ => format!("cannot write {}: {e}", path.display()),
    })?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn report(origin: &str, path: &Path, imported: &PactImport) -> String {
    let dropped = imported
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::Dropped)
        .count();
    let changed = imported.notes.len() - dropped;
    let mut out = format!(
        "{origin} (Pact {}) → {}: {} interaction{}, {dropped} not carried over, {changed} changed\n",
        imported.version.as_str(),
        path.display(),
        imported.contract.interactions.len(),
        if imported.contract.interactions.len() == 1 {
            ""
        } else {
            "s"
        },
    );
    for note in &imported.notes {
        out.push_str(&format!(
            "  {} {} {}: {}\n",
            note.place(origin),
            note.pointer_text(),
            note.kind.as_str(),
            note.message
        ));
        if let Some(hint) = &note.hint {
            out.push_str(&format!("    hint: {hint}\n"));
        }
    }
    out
}

fn problems(error: &ContractError) -> String {
    let count = error.problems.len();
    let mut out = format!(
        "{}: not a Pact file vow can import, {count} problem{}\n",
        error.origin,
        if count == 1 { "" } else { "s" }
    );
    for p in &error.problems {
        out.push_str(&format!(
            "  {} {}: expected {}, found {}\n",
            p.place(&error.origin),
            p.pointer_text(),
            p.expected,
            p.found
        ));
        if let Some(hint) = &p.hint {
            out.push_str(&format!("    hint: {hint}\n"));
        }
    }
    out
}
