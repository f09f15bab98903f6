//! Opening a store on one of the two backends, and the dispatch that runs one SQL text on either.
//!
//! The backends are an enum rather than sqlx's `Any` driver so that each keeps its native types
//! (PostgreSQL's `TIMESTAMPTZ`, for one) and its own way to begin a write. Every query is written
//! once, with `$n` placeholders that both backends accept, and the `on_pool!` macro compiles it for
//! each; the storage test suite runs against both to keep the shared SQL honest.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, Transaction};

use super::error::StoreError;

/// The file name of the SQLite database inside the data directory.
const SQLITE_FILE: &str = "vow.sqlite3";

/// The most links the matrix takes in hand (see [`StoreSettings::short_branch`]). Each link is
/// three values of the statement, and each of its contracts one more; the versions in an
/// environment are up to 10,000 more: 30,000 in all, within SQLite's 32,766.
const MOST_LINKS_IN_HAND: u32 = 5_000;

/// How the store waits for its database, and how the matrix chooses its way to the rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSettings {
    /// How long a query waits for a connection (PostgreSQL) or for SQLite's write lock before it
    /// fails as unavailable, which the API answers with 503.
    pub acquire_timeout: Duration,
    /// The most versions a short consumer branch (a feature branch) has, and the most links
    /// to contracts they hold between them. The matrix filtered by a short branch takes those
    /// links in hand as values and reads the verifications of their contracts; that of a longer
    /// branch, such as `main`, reads the newest verifications and asks whether a version on the
    /// branch holds each. Either way gives the same rows; this only chooses the faster way to
    /// them. Values cost planning time (in hand, a consumer's 3,500 links made its matrix slower:
    /// 31 to 65 ms rather than 13 to 16, with `curl` by hand on the benchmark's database). At most 5,000, which keeps a statement within SQLite's
    /// 32,766 values.
    pub short_branch: u32,
}

impl Default for StoreSettings {
    fn default() -> Self {
        StoreSettings {
            acquire_timeout: Duration::from_secs(5),
            short_branch: 2_000,
        }
    }
}

/// The connection pool right now, for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Connections open, idle or in use.
    pub size: u32,
    /// Connections open and idle.
    pub idle: u32,
    /// The most connections the pool opens.
    pub max: u32,
}

/// Where the broker keeps its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// An SQLite database in this directory (created if missing).
    Sqlite { data_dir: PathBuf },
    /// A PostgreSQL database, e.g. `postgres://vow@127.0.0.1:5432/vow`.
    Postgres { url: String },
}

impl Database {
    /// A short description for people: the file or the server, never a password.
    pub fn describe(&self) -> String {
        match self {
            Database::Sqlite { data_dir } => {
                format!("SQLite at {}", data_dir.join(SQLITE_FILE).display())
            }
            Database::Postgres { url } => match PgConnectOptions::from_str(url) {
                Ok(options) => format!(
                    "PostgreSQL at {}:{}/{}",
                    options.get_host(),
                    options.get_port(),
                    options.get_database().unwrap_or("(default database)")
                ),
                Err(_) => "PostgreSQL".to_owned(),
            },
        }
    }
}

/// A connection pool on one backend.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The broker's storage. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: Pool,
    /// See [`StoreSettings::short_branch`].
    pub(crate) short_branch: u32,
}

/// Runs `$body` with `$pool` bound to the store's pool, whichever backend it is on.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::store::pool::Pool::Sqlite($pool) => $body,
            $crate::store::pool::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// `$first, $first+1, …` for `n` values: the placeholders of an `IN (…)` list.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Beginning a transaction that will write.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    async fn begin_write(&self) -> Result<Transaction<'static, Self::Db>, sqlx::Error>;
}

impl BeginWrite for SqlitePool {
    type Db = Sqlite;
    /// Takes SQLite's write lock up front: a deferred transaction that reads and then writes can
    /// fail with "database is locked" when another writer got there first, and the busy timeout
    /// does not help it.
    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for PgPool {
    type Db = Postgres;
    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        self.begin().await
    }
}

impl Store {
    /// Connects to the database (creating the SQLite file and its directory if missing) with the
    /// default settings. Does not migrate: call [`Store::migrate`].
    pub async fn open(database: &Database) -> Result<Store, StoreError> {
        Store::open_with(database, &StoreSettings::default()).await
    }

    /// Connects to the database with these settings. Does not migrate: call [`Store::migrate`].
    pub async fn open_with(
        database: &Database,
        settings: &StoreSettings,
    ) -> Result<Store, StoreError> {
        let timeout = settings.acquire_timeout;
        let pool = match database {
            Database::Sqlite { data_dir } => {
                std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
                    path: data_dir.clone(),
                    source,
                })?;
                let options = SqliteConnectOptions::new()
                    .filename(data_dir.join(SQLITE_FILE))
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(timeout);
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(timeout)
                    .connect_with(options)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                Pool::Sqlite(pool)
            }
            Database::Postgres { url } => {
                // No parallel query: every query here is a short, indexed lookup, and starting
                // worker processes costs more than the query (a can-i-deploy read of 0.6 ms took
                // 12 to 22 ms when the planner chose two workers for it). And an index lookup
                // priced as the pages in memory or on SSD cost, not as a disk seek four times a
                // sequential read (PostgreSQL's default): priced so, the planner read all 90,000
                // versions of a branch (33 ms) rather than look up 1,500 of them (3 ms) for the
                // matrix of a provider on a branch.
                let options = PgConnectOptions::from_str(url)
                    .map_err(StoreError::InvalidUrl)?
                    .options([
                        ("max_parallel_workers_per_gather", "0"),
                        ("random_page_cost", "1.1"),
                    ]);
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(timeout)
                    .connect_with(options)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                Pool::Postgres(pool)
            }
        };
        Ok(Store {
            pool,
            short_branch: settings.short_branch.min(MOST_LINKS_IN_HAND),
        })
    }

    /// Answers whether the database can run a query now.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await.map_err(StoreError::from_sqlx)?;
        });
        Ok(())
    }

    /// How many connections the pool holds now.
    pub fn pool_stats(&self) -> PoolStats {
        on_pool!(self, pool => PoolStats {
            size: pool.size(),
            idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            max: pool.options().get_max_connections(),
        })
    }

    /// Closes every connection; waits for connections in use to be returned.
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}
