//! `bench-contracts`: writes the `vow verify` benchmark's inputs, a vow contract and an equivalent
//! Pact v3 file with the same N interactions, into one directory (see scripts/bench-verify).

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use vow_bench::{CONTRACT_FILE, PACT_FILE, interactions, pact, vow_contract};

/// Writes DIR/bench.shop-api.yaml (vow) and DIR/bench-shop-api.pact.json (Pact v3).
#[derive(Debug, Parser)]
struct Args {
    /// How many interactions to generate.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    interactions: u32,
    /// Directory to write the two files into; created if missing.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let generated = interactions(args.interactions as usize);
    fs::create_dir_all(&args.out)
        .with_context(|| format!("failed to create {}", args.out.display()))?;

    let contract_path = args.out.join(CONTRACT_FILE);
    fs::write(&contract_path, vow_contract(&generated))
        .with_context(|| format!("failed to write {}", contract_path.display()))?;
    let pact_path = args.out.join(PACT_FILE);
    let pact_text = serde_json::to_string_pretty(&pact(&generated))?;
    fs::write(&pact_path, pact_text)
        .with_context(|| format!("failed to write {}", pact_path.display()))?;

    writeln!(
        std::io::stdout().lock(),
        "wrote {} interactions to {} and {}",
        generated.len(),
        contract_path.display(),
        pact_path.display()
    )?;
    Ok(())
}
