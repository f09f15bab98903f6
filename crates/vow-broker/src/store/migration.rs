//! The schema migrations in `migrations/` (one folder per backend, the same versions in both),
//! compiled into the binary so an installed broker needs no files beside it.

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

use super::error::StoreError;
use super::pool::{Pool, Store};

/// One migration: its version, its description, and its SQL for SQLite and for PostgreSQL.
pub(crate) struct Step {
    pub version: i64,
    pub description: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

/// Every migration, in order. A test checks that this lists exactly the files in `migrations/`.
pub(crate) const STEPS: &[Step] = &[
    Step {
        version: 1,
        description: "foundation",
        sqlite: include_str!("../../../../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../../../../migrations/postgres/0001_foundation.sql"),
    },
    Step {
        version: 2,
        description: "evidence",
        sqlite: include_str!("../../../../migrations/sqlite/0002_evidence.sql"),
        postgres: include_str!("../../../../migrations/postgres/0002_evidence.sql"),
    },
    Step {
        version: 3,
        description: "tokens",
        sqlite: include_str!("../../../../migrations/sqlite/0003_tokens.sql"),
        postgres: include_str!("../../../../migrations/postgres/0003_tokens.sql"),
    },
    Step {
        version: 4,
        description: "webhooks",
        sqlite: include_str!("../../../../migrations/sqlite/0004_webhooks.sql"),
        postgres: include_str!("../../../../migrations/postgres/0004_webhooks.sql"),
    },
    Step {
        version: 5,
        description: "sessions",
        sqlite: include_str!("../../../../migrations/sqlite/0005_sessions.sql"),
        postgres: include_str!("../../../../migrations/postgres/0005_sessions.sql"),
    },
    Step {
        version: 6,
        description: "integrations",
        sqlite: include_str!("../../../../migrations/sqlite/0006_integrations.sql"),
        postgres: include_str!("../../../../migrations/postgres/0006_integrations.sql"),
    },
    Step {
        version: 7,
        description: "deprecation_history",
        sqlite: include_str!("../../../../migrations/sqlite/0007_deprecation_history.sql"),
        postgres: include_str!("../../../../migrations/postgres/0007_deprecation_history.sql"),
    },
    Step {
        version: 8,
        description: "latest_verifications",
        sqlite: include_str!("../../../../migrations/sqlite/0008_latest_verifications.sql"),
        postgres: include_str!("../../../../migrations/postgres/0008_latest_verifications.sql"),
    },
];

fn migrator(sql: impl Fn(&Step) -> &'static str) -> Migrator {
    let migrations: Vec<Migration> = STEPS
        .iter()
        .map(|step| {
            Migration::new(
                step.version,
                Cow::Borrowed(step.description),
                MigrationType::Simple,
                sql(step).into_sql_str(),
                false,
            )
        })
        .collect();
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}

impl Store {
    /// Applies the migrations not yet applied. Safe to run from several brokers at once on
    /// PostgreSQL (sqlx takes an advisory lock).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => migrator(|s| s.sqlite).run(pool).await,
            Pool::Postgres(pool) => migrator(|s| s.postgres).run(pool).await,
        }
        .map_err(StoreError::Migrate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_list_exactly_the_migration_files_of_each_backend() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
        for backend in ["sqlite", "postgres"] {
            let mut files: Vec<String> = std::fs::read_dir(root.join(backend))
                .expect("migrations folder")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
            files.sort();
            let listed: Vec<String> = STEPS
                .iter()
                .map(|s| format!("{:04}_{}.sql", s.version, s.description))
                .collect();
            assert_eq!(files, listed, "migrations/{backend}");
        }
    }

    /// The backfills of 0006 and 0008 on SQLite (the seeder's smoke test checks what they
    /// compute on PostgreSQL): each pair's newest contract version, and its newest verification
    /// among the provider's versions against any of the pair's contracts; which results are
    /// superseded.
    #[tokio::test]
    async fn the_migrations_fill_integrations_and_superseded_results_from_the_history() {
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .expect("an in-memory database");
        let all = migrator(|s| s.sqlite);
        let before = Migrator {
            migrations: Cow::Owned(
                all.migrations
                    .iter()
                    .filter(|m| m.version < 6)
                    .cloned()
                    .collect(),
            ),
            ..Migrator::DEFAULT
        };
        before.run(&pool).await.expect("migrations 1 to 5");
        let t = "'2026-01-01T00:00:00Z'";
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "INSERT INTO services (id, name, created_at) VALUES \
             (1, 'web', {t}), (2, 'api', {t}), (3, 'pay', {t}); \
             INSERT INTO versions (id, service_id, number, created_at) VALUES \
             (1, 1, 'v1', {t}), (2, 1, 'v2', {t}), (3, 2, 'a1', {t}), (4, 2, 'a2', {t}), \
             (5, 3, 'p1', {t}), (6, 1, 'v3', {t}); \
             INSERT INTO contracts (id, hash, content, created_at) VALUES \
             (1, 'web-api-1', '{{}}', {t}), (2, 'web-api-2', '{{}}', {t}), \
             (3, 'web-pay', '{{}}', {t}), (4, 'pay-api', '{{}}', {t}); \
             INSERT INTO version_contracts (consumer_version_id, provider_id, contract_id, \
             created_at) VALUES (1, 2, 1, {t}), (2, 2, 2, {t}), (6, 2, 2, {t}), \
             (1, 3, 3, {t}), (5, 2, 4, {t}); \
             INSERT INTO verifications (id, provider_version_id, contract_id, passed, \
             failed_dimensions, summary, verified_at) VALUES \
             (1, 3, 1, 1, '[]', '{{}}', {t}), (2, 4, 2, 1, '[]', '{{}}', {t}), \
             (3, 4, 4, 0, '[]', '{{}}', {t}), (4, 3, 1, 1, '[]', '{{}}', {t});"
        )))
        .execute(&pool)
        .await
        .expect("a history");
        all.run(&pool).await.expect("migration 6");
        let rows: Vec<(i64, i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT consumer_id, provider_id, consumer_version_id, verification_id \
             FROM integrations ORDER BY consumer_id, provider_id",
        )
        .fetch_all(&pool)
        .await
        .expect("integrations");
        // web -> api: newest version v3 (id 6); newest result 4 (an older contract, verified
        // last). web -> pay: never verified. pay -> api: result 3, not web's.
        assert_eq!(
            rows,
            [(1, 2, 6, Some(4)), (1, 3, 1, None), (3, 2, 5, Some(3))]
        );
        // And 0008 marks the results a later one of the same provider version and contract
        // follows: result 1 (a1 against web-api-1, again in result 4).
        let superseded: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM verifications WHERE superseded ORDER BY id")
                .fetch_all(&pool)
                .await
                .expect("verifications");
        assert_eq!(superseded, [1]);
    }

    #[test]
    fn versions_increase() {
        assert!(STEPS.windows(2).all(|w| w[0].version < w[1].version));
    }
}
