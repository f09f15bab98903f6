//! Seeding a PostgreSQL broker database with a large, realistic history for the broker benchmark
//! (`seed-broker`, `scripts/bench-broker`): services and their versions, content-addressed
//! contracts linked to consumer versions, provider specs, verification results, and deployments
//! and releases in three environments — written with `COPY` into the broker's own schema (the
//! tables of `migrations/postgres/`, created by `vow broker migrate`), in one transaction.
//!
//! The data is made for the broker's queries to traverse: every verification names a real provider
//! version and a contract that one of its consumers published; each environment has one current
//! deployment per service (mobile apps are released to production instead); the current
//! deployments of each environment were verified against each other, as a deployment gate would
//! make sure; older history mixes passes, failures and contract revisions the provider never saw.
//! [`seed`] also picks the can-i-deploy candidates the load test asks about.
//!
//! Keep this in step with `migrations/postgres/`: the column lists below are the schema the seeder
//! writes, and the smoke test (`tests/seed.rs`) asks the broker about seeded data.

pub mod content;
pub mod plan;
mod rng;

use std::collections::HashSet;
use std::fmt::Write as _;
use std::time::Instant;

use anyhow::{Context, bail, ensure};
use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};
use sqlx::postgres::{PgConnection, PgCopyIn};
use sqlx::{AssertSqlSafe, Connection};
use vow_broker::Canonical;

pub use plan::{ENVIRONMENTS, Plan, Role, Sizes, Topology};
use rng::{Rng, mix};

/// The newest version of the history is created this long before the end date.
const TICK: i64 = 6 * 3600;

/// A can-i-deploy question the load test asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub service: String,
    pub version: String,
    pub environment: &'static str,
    /// How the version was picked: `present` (what runs there now), `newest` (the service's latest
    /// version, usually not deployed anywhere yet), `promoted` (what runs in the previous stage),
    /// or `older` (an older version, for the first stage).
    pub kind: &'static str,
    /// `consumer`, `provider` or `consumer+provider`.
    pub role: &'static str,
}

impl Candidate {
    /// The candidate as one tab-separated line: service, version, environment, kind, role.
    pub fn line(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}\t{}",
            self.service, self.version, self.environment, self.kind, self.role
        )
    }
}

/// What was seeded.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// Rows per table, in the order written.
    pub rows: Vec<(&'static str, u64)>,
    pub candidates: Vec<Candidate>,
}

/// A `COPY … FROM STDIN` in text format, fed in chunks.
struct Copier<'c> {
    inner: PgCopyIn<&'c mut PgConnection>,
    buf: Vec<u8>,
    at_row_start: bool,
    rows: u64,
}

/// Bytes buffered before a chunk is sent.
const CHUNK: usize = 1 << 20;

impl<'c> Copier<'c> {
    async fn start(conn: &'c mut PgConnection, table: &str, columns: &str) -> anyhow::Result<Self> {
        let statement = format!("COPY {table} ({columns}) FROM STDIN");
        let inner = conn
            .copy_in_raw(&statement)
            .await
            .with_context(|| format!("failed to start {statement}"))?;
        Ok(Copier {
            inner,
            buf: Vec::with_capacity(CHUNK + 64 * 1024),
            at_row_start: true,
            rows: 0,
        })
    }

    fn separate(&mut self) {
        if !self.at_row_start {
            self.buf.push(b'\t');
        }
        self.at_row_start = false;
    }

    /// A text field, escaped for COPY's text format.
    fn text(&mut self, value: &str) -> &mut Self {
        self.separate();
        for b in value.bytes() {
            match b {
                b'\\' => self.buf.extend_from_slice(b"\\\\"),
                b'\t' => self.buf.extend_from_slice(b"\\t"),
                b'\n' => self.buf.extend_from_slice(b"\\n"),
                b'\r' => self.buf.extend_from_slice(b"\\r"),
                _ => self.buf.push(b),
            }
        }
        self
    }

    fn int(&mut self, value: i64) -> &mut Self {
        self.separate();
        self.buf.extend_from_slice(value.to_string().as_bytes());
        self
    }

    fn boolean(&mut self, value: bool) -> &mut Self {
        self.separate();
        self.buf.push(if value { b't' } else { b'f' });
        self
    }

    fn null(&mut self) -> &mut Self {
        self.separate();
        self.buf.extend_from_slice(b"\\N");
        self
    }

    fn time(&mut self, at: DateTime<Utc>) -> &mut Self {
        self.separate();
        let mut text = String::with_capacity(24);
        let _ = write!(
            text,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}+00",
            at.year(),
            at.month(),
            at.day(),
            at.hour(),
            at.minute(),
            at.second()
        );
        self.buf.extend_from_slice(text.as_bytes());
        self
    }

    async fn end_row(&mut self) -> anyhow::Result<()> {
        self.buf.push(b'\n');
        self.at_row_start = true;
        self.rows += 1;
        if self.buf.len() >= CHUNK {
            let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK + 64 * 1024));
            self.inner.send(chunk).await.context("COPY failed")?;
        }
        Ok(())
    }

    async fn finish(mut self) -> anyhow::Result<u64> {
        if !self.buf.is_empty() {
            let chunk = std::mem::take(&mut self.buf);
            self.inner.send(chunk).await.context("COPY failed")?;
        }
        let copied = self.inner.finish().await.context("COPY failed")?;
        ensure!(
            copied == self.rows,
            "COPY took {copied} rows of {}",
            self.rows
        );
        Ok(copied)
    }
}

/// Checks that the identity column of `table` numbered the `expected` rows 1 to `expected`, as the
/// plan's ids assume.
async fn check_ids(conn: &mut PgConnection, table: &str, expected: u64) -> anyhow::Result<()> {
    let (min, max, count): (Option<i64>, Option<i64>, i64) = sqlx::query_as(AssertSqlSafe(
        format!("SELECT min(id), max(id), count(*) FROM {table}"),
    ))
    .fetch_one(&mut *conn)
    .await?;
    let expected = i64::try_from(expected)?;
    ensure!(
        count == expected && (expected == 0 || (min == Some(1) && max == Some(expected))),
        "{table}: ids {min:?}..{max:?} for {count} rows, expected 1..{expected}; seed a freshly \
         migrated database"
    );
    Ok(())
}

/// The tables the seeder writes, which must all be empty.
const TABLES: [&str; 12] = [
    "services",
    "environments",
    "versions",
    "contracts",
    "version_contracts",
    "specs",
    "version_specs",
    "verifications",
    "compatibility",
    "deployments",
    "releases",
    "integrations",
];

/// Seeds the empty, migrated broker database on `conn` as `sizes` says, reporting progress through
/// `progress`, and picks the can-i-deploy candidates.
pub async fn seed(
    conn: &mut PgConnection,
    sizes: &Sizes,
    end: DateTime<Utc>,
    progress: &mut dyn FnMut(String),
) -> anyhow::Result<Seeded> {
    ensure!(sizes.services >= 2, "at least 2 services");
    ensure!(
        sizes.versions >= sizes.services,
        "at least one version per service ({} versions for {} services)",
        sizes.versions,
        sizes.services
    );
    for table in TABLES {
        let any: bool = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT EXISTS (SELECT 1 FROM {table})"
        )))
        .fetch_one(&mut *conn)
        .await
        .with_context(|| format!("cannot read table {table}: run `vow broker migrate` first"))?;
        if any {
            bail!("table {table} is not empty: seed a freshly migrated database");
        }
    }
    let schema: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations")
        .fetch_one(&mut *conn)
        .await?;
    progress(format!("schema version {}", schema.unwrap_or(0)));

    let started = Instant::now();
    let plan = Plan::new(sizes);
    progress(format!(
        "planned {} services, {} versions, {} contract edges, {} contracts in {:.1} s",
        sizes.services,
        sizes.versions,
        plan.topology.edges.len(),
        plan.contracts(),
        started.elapsed().as_secs_f64()
    ));
    let clock = Clock {
        end,
        ticks: plan.ticks(),
    };

    sqlx::query("SET synchronous_commit = off")
        .execute(&mut *conn)
        .await?;
    let mut tx = conn.begin().await?;
    let mut rows = Vec::new();
    let mut step =
        |name: &'static str, n: u64, since: Instant, progress: &mut dyn FnMut(String)| {
            progress(format!(
                "{name}: {n} rows in {:.1} s",
                since.elapsed().as_secs_f64()
            ));
            rows.push((name, n));
        };

    let t = Instant::now();
    let n = write_services(&mut tx, &plan, &clock).await?;
    step("services", n, t, progress);
    let t = Instant::now();
    let n = write_environments(&mut tx, &clock).await?;
    step("environments", n, t, progress);
    let t = Instant::now();
    let n = write_versions(&mut tx, &plan, &clock).await?;
    step("versions", n, t, progress);
    let t = Instant::now();
    let n = write_contracts(&mut tx, &plan, &clock).await?;
    step("contracts", n, t, progress);
    let t = Instant::now();
    let n = write_version_contracts(&mut tx, &plan, &clock).await?;
    step("version_contracts", n, t, progress);
    let t = Instant::now();
    let (specs, version_specs) = write_specs(&mut tx, &plan, &clock).await?;
    step("specs", specs, t, progress);
    step("version_specs", version_specs, t, progress);
    let t = Instant::now();
    let n = write_verifications(&mut tx, &plan, &clock, progress).await?;
    step("verifications", n, t, progress);
    let t = Instant::now();
    let (deployments, releases) = write_presence(&mut tx, &plan, &clock).await?;
    step("deployments", deployments, t, progress);
    step("releases", releases, t, progress);
    let t = Instant::now();
    let n = write_integrations(&mut tx).await?;
    step("integrations", n, t, progress);
    let t = Instant::now();
    tx.commit().await?;
    progress(format!("committed in {:.1} s", t.elapsed().as_secs_f64()));

    // What autovacuum would do soon after such a load: statistics for the planner, and the
    // visibility map for index-only scans.
    let t = Instant::now();
    sqlx::query("VACUUM (ANALYZE)").execute(&mut *conn).await?;
    progress(format!(
        "vacuum analyze in {:.1} s",
        t.elapsed().as_secs_f64()
    ));
    progress(format!(
        "seeded in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(Seeded {
        rows,
        candidates: candidates(&plan),
    })
}

/// When each version was made: one tick per version of every service, the newest a tick before
/// `end`.
#[derive(Debug, Clone, Copy)]
struct Clock {
    end: DateTime<Utc>,
    ticks: u32,
}

impl Clock {
    fn at(&self, s: usize, idx: u32) -> DateTime<Utc> {
        self.end - Duration::seconds(i64::from(self.ticks - idx) * TICK - 7 * s as i64)
    }

    fn start(&self) -> DateTime<Utc> {
        self.end - Duration::seconds(i64::from(self.ticks + 1) * TICK)
    }
}

async fn write_services(tx: &mut PgConnection, plan: &Plan, clock: &Clock) -> anyhow::Result<u64> {
    let mut copy = Copier::start(tx, "services", "name, created_at").await?;
    for name in &plan.topology.names {
        copy.text(name).time(clock.start());
        copy.end_row().await?;
    }
    let n = copy.finish().await?;
    check_ids(tx, "services", n).await?;
    Ok(n)
}

async fn write_environments(tx: &mut PgConnection, clock: &Clock) -> anyhow::Result<u64> {
    let mut copy = Copier::start(tx, "environments", "name, created_at").await?;
    for (name, _, _) in ENVIRONMENTS {
        copy.text(name).time(clock.start());
        copy.end_row().await?;
    }
    let n = copy.finish().await?;
    check_ids(tx, "environments", n).await?;
    Ok(n)
}

/// Most versions are built from main; one in ten from a feature branch.
fn branch(seed: u64, s: usize, idx: u32) -> String {
    let h = mix(seed, &[7, s as u64, u64::from(idx)]);
    if h.is_multiple_of(10) {
        format!("feature-{}", (h >> 8) % 50)
    } else {
        "main".to_owned()
    }
}

async fn write_versions(tx: &mut PgConnection, plan: &Plan, clock: &Clock) -> anyhow::Result<u64> {
    let seed = plan.sizes.seed;
    let mut copy = Copier::start(
        tx,
        "versions",
        "service_id, number, branch, commit_sha, build_url, created_at",
    )
    .await?;
    let mut sha = String::with_capacity(40);
    for idx in 0..plan.ticks() {
        for (s, name) in plan.topology.names.iter().enumerate() {
            if idx >= plan.versions_of[s] {
                continue;
            }
            sha.clear();
            for part in 0..3 {
                let _ = write!(
                    sha,
                    "{:016x}",
                    mix(seed, &[8, s as u64, u64::from(idx), part])
                );
            }
            sha.truncate(40);
            copy.int(s as i64 + 1)
                .text(&Plan::version_number(idx))
                .text(&branch(seed, s, idx))
                .text(&sha)
                .text(&format!("https://ci.example.com/{name}/builds/{}", idx + 1))
                .time(clock.at(s, idx));
            copy.end_row().await?;
        }
    }
    let n = copy.finish().await?;
    check_ids(tx, "versions", n).await?;
    Ok(n)
}

async fn write_contracts(tx: &mut PgConnection, plan: &Plan, clock: &Clock) -> anyhow::Result<u64> {
    let seed = plan.sizes.seed;
    let names = &plan.topology.names;
    let mut copy = Copier::start(tx, "contracts", "hash, content, created_at").await?;
    for (e, &(c, p)) in plan.topology.edges.iter().enumerate() {
        let mut next_revision = 0u32;
        for (idx, &revision) in plan.revision_at[e].iter().enumerate() {
            if revision != next_revision {
                continue;
            }
            let canonical = Canonical::of(&content::contract(
                seed,
                &names[c],
                &names[p],
                u64::from(revision),
            ));
            copy.text(&canonical.hash)
                .text(&canonical.text)
                .time(clock.at(c, idx as u32));
            copy.end_row().await?;
            next_revision += 1;
        }
    }
    let n = copy.finish().await?;
    ensure!(
        i64::try_from(n)? == plan.contracts(),
        "wrote {n} contracts, planned {}",
        plan.contracts()
    );
    check_ids(tx, "contracts", n).await?;
    Ok(n)
}

async fn write_version_contracts(
    tx: &mut PgConnection,
    plan: &Plan,
    clock: &Clock,
) -> anyhow::Result<u64> {
    let mut copy = Copier::start(
        tx,
        "version_contracts",
        "consumer_version_id, provider_id, contract_id, created_at",
    )
    .await?;
    for idx in 0..plan.ticks() {
        for s in 0..plan.topology.services() {
            if idx >= plan.versions_of[s] {
                continue;
            }
            for &e in &plan.topology.edges_of_consumer[s] {
                let p = plan.topology.edges[e].1;
                copy.int(plan.version_id(s, idx))
                    .int(p as i64 + 1)
                    .int(plan.contract_id(e, idx))
                    .time(clock.at(s, idx));
                copy.end_row().await?;
            }
        }
    }
    copy.finish().await
}

async fn write_specs(
    tx: &mut PgConnection,
    plan: &Plan,
    clock: &Clock,
) -> anyhow::Result<(u64, u64)> {
    let seed = plan.sizes.seed;
    let mut copy = Copier::start(tx, "specs", "hash, content, created_at").await?;
    for (p, revisions) in plan.spec_revision_at.iter().enumerate() {
        let Some(revisions) = revisions else { continue };
        let mut next_revision = 0u32;
        for (idx, &revision) in revisions.iter().enumerate() {
            if revision != next_revision {
                continue;
            }
            let canonical = Canonical::of(&content::spec(
                seed,
                &plan.topology.names[p],
                u64::from(revision),
            ));
            copy.text(&canonical.hash)
                .text(&canonical.text)
                .time(clock.at(p, idx as u32));
            copy.end_row().await?;
            next_revision += 1;
        }
    }
    let specs = copy.finish().await?;
    check_ids(tx, "specs", specs).await?;

    let mut copy = Copier::start(tx, "version_specs", "version_id, spec_id, created_at").await?;
    for idx in 0..plan.ticks() {
        for (p, revisions) in plan.spec_revision_at.iter().enumerate() {
            let Some(revisions) = revisions else { continue };
            let Some(&revision) = revisions.get(idx as usize) else {
                continue;
            };
            copy.int(plan.version_id(p, idx))
                .int(plan.spec_base[p] + i64::from(revision))
                .time(clock.at(p, idx));
            copy.end_row().await?;
        }
    }
    let version_specs = copy.finish().await?;
    Ok((specs, version_specs))
}

/// The integrations the broker keeps beside the history (migrations/postgres/0006): each pair's
/// newest consumer version with a contract and its newest verification, from the rows written,
/// by the same SQL the migration fills them with.
async fn write_integrations(tx: &mut PgConnection) -> anyhow::Result<u64> {
    let n = sqlx::query(
        "INSERT INTO integrations (consumer_id, provider_id, consumer_version_id) \
         SELECT v.service_id, vc.provider_id, MAX(vc.consumer_version_id) \
         FROM version_contracts vc JOIN versions v ON v.id = vc.consumer_version_id \
         GROUP BY v.service_id, vc.provider_id",
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query(
        "UPDATE integrations SET verification_id = latest.id FROM ( \
         SELECT pc.consumer_id, pc.provider_id, MAX(vr.id) AS id FROM ( \
         SELECT DISTINCT v.service_id AS consumer_id, vc.provider_id, vc.contract_id \
         FROM version_contracts vc JOIN versions v ON v.id = vc.consumer_version_id) pc \
         JOIN verifications vr ON vr.contract_id = pc.contract_id \
         JOIN versions pv ON pv.id = vr.provider_version_id AND pv.service_id = pc.provider_id \
         GROUP BY pc.consumer_id, pc.provider_id) latest \
         WHERE latest.consumer_id = integrations.consumer_id \
         AND latest.provider_id = integrations.provider_id",
    )
    .execute(&mut *tx)
    .await?;
    Ok(n)
}

/// Failed dimensions of a verification that failed for another reason than a missing field.
const FAILURES: [&str; 4] = [
    r#"["shape"]"#,
    r#"["errors"]"#,
    r#"["latency"]"#,
    r#"["shape","latency"]"#,
];

/// One verification result to write.
struct Outcome {
    provider: usize,
    provider_idx: u32,
    edge: usize,
    consumer_idx: u32,
    passed: bool,
    failed: &'static str,
    at: DateTime<Utc>,
    build: u64,
    /// A later result of the same provider version against the same contract exists (the
    /// broker's `superseded`, migrations/postgres/0008).
    superseded: bool,
}

async fn write_verification(copy: &mut Copier<'_>, plan: &Plan, r: &Outcome) -> anyhow::Result<()> {
    let names = &plan.topology.names;
    let errors = if r.passed { 0 } else { 1 + r.build % 3 };
    copy.int(plan.version_id(r.provider, r.provider_idx))
        .int(plan.contract_id(r.edge, r.consumer_idx))
        .boolean(r.passed)
        .text(if r.passed { "[]" } else { r.failed })
        .text(&format!(
            r#"{{"interactions":{},"errors":{errors},"warnings":{},"durationMs":{}}}"#,
            2 + r.build % 3,
            r.build % 2,
            40 + r.build % 400
        ))
        .text(&format!(
            "https://ci.example.com/{}/builds/{}/verify",
            names[r.provider], r.build
        ))
        .time(r.at)
        .boolean(r.superseded);
    copy.end_row().await
}

/// Whether the contract of edge `e` at consumer version `idx` reads a field no spec has.
fn broken(plan: &Plan, e: usize, idx: u32) -> bool {
    let (c, p) = plan.topology.edges[e];
    content::reads_missing_field(
        plan.sizes.seed,
        &plan.topology.names[c],
        &plan.topology.names[p],
        u64::from(plan.revision_at[e][idx as usize]),
    )
}

/// The history of verifications: each provider version (in time order) verifies contracts of its
/// consumers from around its own time — the consumer's newest, or one a few versions older, as
/// deployed ones are — sometimes more than once. Then the gates: in each environment, every
/// provider version present verified, and passed, every contract of the consumer versions
/// present, unless the contract reads a field the provider lacks.
async fn write_verifications(
    tx: &mut PgConnection,
    plan: &Plan,
    clock: &Clock,
    progress: &mut dyn FnMut(String),
) -> anyhow::Result<u64> {
    let topology = &plan.topology;
    let mut gates: Vec<(usize, u32, usize, u32)> = Vec::new();
    let mut seen = HashSet::new();
    for env in 0..ENVIRONMENTS.len() {
        for c in 0..topology.services() {
            for consumer_idx in plan.present(env, c) {
                for &e in &topology.edges_of_consumer[c] {
                    let p = topology.edges[e].1;
                    for provider_idx in plan.present(env, p) {
                        let pair = (
                            plan.version_id(p, provider_idx),
                            plan.contract_id(e, consumer_idx),
                        );
                        if seen.insert(pair) {
                            gates.push((p, provider_idx, e, consumer_idx));
                        }
                    }
                }
            }
        }
    }
    let history = plan.sizes.verifications.saturating_sub(gates.len());

    // Provider versions in time order.
    let providers: Vec<usize> = (0..topology.services())
        .filter(|&p| !topology.edges_of_provider[p].is_empty())
        .collect();
    let mut timeline: Vec<(usize, u32)> = Vec::new();
    for idx in 0..plan.ticks() {
        for &p in &providers {
            if idx < plan.versions_of[p] {
                timeline.push((p, idx));
            }
        }
    }
    ensure!(
        history == 0 || !timeline.is_empty(),
        "no service has consumers: nothing to verify"
    );

    // All outcomes first, in the order of their ids, to mark those a later one supersedes.
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(history + gates.len());
    let mut rng = Rng::new(mix(plan.sizes.seed, &[9]));
    for j in 0..history {
        let (p, provider_idx) =
            timeline[(j as u128 * timeline.len() as u128 / history as u128) as usize];
        let edges = &topology.edges_of_provider[p];
        let e = edges[rng.below(edges.len() as u64) as usize];
        let c = topology.edges[e].0;
        let back = if rng.chance(50) {
            0
        } else {
            1 + rng.below(15) as u32
        };
        let consumer_idx = provider_idx
            .min(plan.versions_of[c] - 1)
            .saturating_sub(back);
        let passed = !broken(plan, e, consumer_idx) && !rng.chance(5);
        let failed = if broken(plan, e, consumer_idx) {
            FAILURES[0]
        } else {
            FAILURES[rng.below(FAILURES.len() as u64) as usize]
        };
        outcomes.push(Outcome {
            provider: p,
            provider_idx,
            edge: e,
            consumer_idx,
            passed,
            failed,
            at: clock.at(p, provider_idx) + Duration::seconds(600 + (j % 3000) as i64),
            build: j as u64 + 1,
            superseded: false,
        });
    }
    for (k, &(p, provider_idx, e, consumer_idx)) in gates.iter().enumerate() {
        outcomes.push(Outcome {
            provider: p,
            provider_idx,
            edge: e,
            consumer_idx,
            passed: !broken(plan, e, consumer_idx),
            failed: FAILURES[0],
            at: clock.end + Duration::seconds(k as i64),
            build: (history + k) as u64 + 1,
            superseded: false,
        });
    }
    let mut later = HashSet::new();
    for r in outcomes.iter_mut().rev() {
        let pair = (
            plan.version_id(r.provider, r.provider_idx),
            plan.contract_id(r.edge, r.consumer_idx),
        );
        r.superseded = !later.insert(pair);
    }

    let mut copy = Copier::start(
        tx,
        "verifications",
        "provider_version_id, contract_id, passed, failed_dimensions, summary, build_url, \
         verified_at, superseded",
    )
    .await?;
    let report_every = (outcomes.len() / 10).max(1);
    for (j, r) in outcomes.iter().enumerate() {
        write_verification(&mut copy, plan, r).await?;
        if (j + 1) % report_every == 0 {
            progress(format!("verifications: {} of {}", j + 1, outcomes.len()));
        }
    }
    let n = copy.finish().await?;
    check_ids(tx, "verifications", n).await?;
    Ok(n)
}

/// Deployments (history and current) in every environment, and mobile apps' releases to
/// production.
async fn write_presence(
    tx: &mut PgConnection,
    plan: &Plan,
    clock: &Clock,
) -> anyhow::Result<(u64, u64)> {
    let mut copy = Copier::start(
        tx,
        "deployments",
        "environment_id, service_id, version_id, application_instance, deployed_at, replaced_at",
    )
    .await?;
    for (env, per_service) in plan.deployed.iter().enumerate() {
        let delay = Duration::seconds(3600 * (env as i64 + 1));
        for (s, idxs) in per_service.iter().enumerate() {
            for (k, &idx) in idxs.iter().enumerate() {
                copy.int(env as i64 + 1)
                    .int(s as i64 + 1)
                    .int(plan.version_id(s, idx))
                    .text("")
                    .time(clock.at(s, idx) + delay);
                match idxs.get(k + 1) {
                    Some(&next) => copy.time(clock.at(s, next) + delay),
                    None => copy.null(),
                };
                copy.end_row().await?;
            }
        }
    }
    let deployments = copy.finish().await?;
    check_ids(tx, "deployments", deployments).await?;

    let mut copy = Copier::start(
        tx,
        "releases",
        "environment_id, service_id, version_id, released_at, support_ended_at",
    )
    .await?;
    for (s, released) in plan.released.iter().enumerate() {
        for (k, &(idx, ended)) in released.iter().enumerate() {
            copy.int(plan::PRODUCTION as i64 + 1)
                .int(s as i64 + 1)
                .int(plan.version_id(s, idx))
                .time(clock.at(s, idx) + Duration::seconds(86_400));
            match released.get(k + 3).filter(|_| ended) {
                Some(&(later, _)) => copy.time(clock.at(s, later) + Duration::seconds(86_400)),
                None if ended => copy.time(clock.end),
                None => copy.null(),
            };
            copy.end_row().await?;
        }
    }
    let releases = copy.finish().await?;
    check_ids(tx, "releases", releases).await?;
    Ok((deployments, releases))
}

/// The can-i-deploy questions: cycling through the environments, through how the version is
/// picked, and through the services' roles, with the service of each role picked at random.
pub fn candidates(plan: &Plan) -> Vec<Candidate> {
    let topology = &plan.topology;
    let by_role: Vec<Vec<usize>> = [Role::Edge, Role::Core, Role::Mid]
        .iter()
        .map(|&role| {
            (0..topology.services())
                .filter(|&s| topology.roles[s] == role)
                .collect()
        })
        .collect();
    let everyone: Vec<usize> = (0..topology.services()).collect();
    let mut rng = Rng::new(mix(plan.sizes.seed, &[10]));
    (0..plan.sizes.candidates)
        .map(|k| {
            let env = k % ENVIRONMENTS.len();
            let how = (k / ENVIRONMENTS.len()) % 3;
            let pool = match &by_role[(k / 9) % by_role.len()] {
                services if !services.is_empty() => services,
                _ => &everyone,
            };
            let s = pool[rng.below(pool.len() as u64) as usize];
            let newest = plan.versions_of[s] - 1;
            let (kind, idx) = match how {
                0 => (
                    "present",
                    plan.present(env, s).last().copied().unwrap_or(newest),
                ),
                1 => ("newest", newest),
                _ if env > 0 => (
                    "promoted",
                    plan.present(env - 1, s).last().copied().unwrap_or(newest),
                ),
                _ => (
                    "older",
                    newest.saturating_sub(1 + rng.below(u64::from(newest.min(20)) + 1) as u32),
                ),
            };
            Candidate {
                service: topology.names[s].clone(),
                version: Plan::version_number(idx),
                environment: ENVIRONMENTS[env].0,
                kind,
                role: topology.roles[s].name(),
            }
        })
        .collect()
}

/// The default end of the seeded history: a fixed date, so two runs seed the same bytes.
pub fn default_end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0)
        .single()
        .expect("a valid date")
}
