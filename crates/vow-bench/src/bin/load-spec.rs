//! `load-spec`: loading a provider spec the way every vow command does (read, parse, resolve
//! references, build the operation and schema model), for scripts/bench-spec to time beside
//! `parse-json`, the bare serde_json parse of the same file.

use std::io::Write;
use std::path::PathBuf;

use clap::Parser;

/// Loads SPEC with vow and prints what it holds.
#[derive(Debug, Parser)]
struct Args {
    /// The OpenAPI document (3.0 or 3.1, JSON or YAML).
    #[arg(value_name = "SPEC")]
    spec: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let loaded = vow_engine::load_spec(&args.spec).map_err(|e| anyhow::anyhow!("{e}"))?;
    writeln!(
        std::io::stdout().lock(),
        "loaded {}: {} operations, {} schemas",
        args.spec.display(),
        loaded.spec.operations.len(),
        loaded.spec.schemas.len()
    )?;
    Ok(())
}
