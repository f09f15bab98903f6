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
        version: 7,
        description: "deprecation_history",
        sqlite: include_str!("../../../../migrations/sqlite/0007_deprecation_history.sql"),
        postgres: include_str!("../../../../migrations/postgres/0007_deprecation_history.sql"),
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

    #[test]
    fn versions_increase() {
        assert!(STEPS.windows(2).all(|w| w[0].version < w[1].version));
    }
}
