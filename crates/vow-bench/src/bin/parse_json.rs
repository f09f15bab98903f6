//! `parse-json`: the floor for loading an OpenAPI description (see scripts/bench-spec). It reads one
//! JSON file into a `String` and parses it into a `serde_json::Value`, doing nothing else, so the time
//! hyperfine measures for it is start-up, reading and a plain tree parse (the tree is dropped at exit,
//! as a real load would drop it too).

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use serde_json::Value;

/// Parses FILE as JSON into a `serde_json::Value` and prints its size.
#[derive(Debug, Parser)]
struct Args {
    /// The JSON file to parse.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let text = fs::read_to_string(&args.file)
        .with_context(|| format!("failed to read {}", args.file.display()))?;
    let value: Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", args.file.display()))?;
    let top_level = match &value {
        Value::Object(map) => format!("an object with {} keys", map.len()),
        Value::Array(items) => format!("an array of {} items", items.len()),
        _ => "a scalar".to_owned(),
    };
    writeln!(
        std::io::stdout().lock(),
        "parsed {} bytes: {top_level}",
        text.len()
    )?;
    Ok(())
}
