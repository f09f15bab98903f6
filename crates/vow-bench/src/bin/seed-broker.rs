//! `seed-broker`: fills a freshly migrated PostgreSQL broker database with a large, realistic
//! history (see `vow_bench::seed`) and writes the can-i-deploy candidates the load test asks about,
//! one per line: service, version, environment, how the version was picked, and the service's role,
//! separated by tabs. Progress goes to stderr; the rows written per table go to stdout.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use sqlx::{Connection, PgConnection};
use vow_bench::seed::{Sizes, default_end, seed};

/// Seeds a broker database for the benchmark. The database must be migrated (`vow broker migrate`)
/// and empty.
#[derive(Debug, Parser)]
struct Args {
    /// The PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/vow.
    #[arg(long, env = "VOW_DATABASE_URL", value_name = "URL")]
    database_url: String,
    /// Services (a fifth front ends, half services in the middle, the rest core providers).
    #[arg(long, default_value_t = 200)]
    services: usize,
    /// Versions, spread evenly over the services.
    #[arg(long, default_value_t = 100_000)]
    versions: usize,
    /// Verification results.
    #[arg(long, default_value_t = 1_000_000)]
    verifications: usize,
    /// Mean number of providers of each consumer.
    #[arg(long, default_value_t = 4)]
    providers_per_consumer: usize,
    /// Chance, in percent, that a consumer version changes its contract with a provider.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(0..=100))]
    contract_change_percent: u64,
    /// Share, in percent, of providers that publish a spec with each version.
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u64).range(0..=100))]
    spec_percent: u64,
    /// Chance, in percent, that a provider version changes its spec.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(0..=100))]
    spec_change_percent: u64,
    /// How many can-i-deploy candidates to pick.
    #[arg(long, default_value_t = 300)]
    candidates: usize,
    /// Seed of every random choice: the same seed and sizes give the same data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write the candidates.
    #[arg(long, value_name = "FILE")]
    candidates_file: Option<PathBuf>,
    /// A tiny dataset (12 services, 240 versions, 2,000 verifications, 27 candidates) that seeds in
    /// about a second, for trying the tool out; overrides the sizes above.
    #[arg(long)]
    smoke: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let sizes = if args.smoke {
        Sizes {
            services: 12,
            versions: 240,
            verifications: 2_000,
            candidates: 27,
            ..sizes(&args)
        }
    } else {
        sizes(&args)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    let seeded = runtime.block_on(async {
        let mut conn = PgConnection::connect(&args.database_url)
            .await
            .context("failed to connect to the database")?;
        let mut progress = |line: String| {
            let _ = writeln!(std::io::stderr(), "seed-broker: {line}");
        };
        let seeded = seed(&mut conn, &sizes, default_end(), &mut progress).await?;
        conn.close().await.ok();
        anyhow::Ok(seeded)
    })?;
    if let Some(path) = &args.candidates_file {
        let text: String = seeded.candidates.iter().map(|c| c.line() + "\n").collect();
        std::fs::write(path, text)
            .with_context(|| format!("failed to write {}", path.display()))?;
    }
    let mut out = std::io::stdout().lock();
    for (table, rows) in &seeded.rows {
        writeln!(out, "{table}\t{rows}")?;
    }
    Ok(())
}

fn sizes(args: &Args) -> Sizes {
    Sizes {
        services: args.services,
        versions: args.versions,
        verifications: args.verifications,
        providers_per_consumer: args.providers_per_consumer,
        contract_change_percent: args.contract_change_percent,
        spec_percent: args.spec_percent,
        spec_change_percent: args.spec_change_percent,
        candidates: args.candidates,
        seed: args.seed,
    }
}
