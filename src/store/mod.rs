//! Stage 5 — store: every check in SQLite (sqlx, runtime queries, so no database is needed to
//! build). Migrations live in `migrations/` and are embedded in the binary. A check is written
//! in one transaction: it is stored whole or not at all.
//!
//! [`Store::open`] is for commands that write (created if missing, refused when damaged);
//! [`Store::open_existing`] for commands that only read (refused when missing).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

mod read;
mod review;
mod save;

pub use read::{SiteCheck, StoredCheck};
pub use review::{Decision, PendingFinding, Reviewed};

use crate::fetch::RequestRecord;
use crate::findings::{Evaluation, Verdict};
use crate::observation::Observation;

/// Storage errors, with the database path.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened or created.
    #[error("cannot open database {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        #[source]
        source: sqlx::Error,
    },
    /// The schema could not be brought up to date.
    #[error("cannot migrate database {path}: {source}")]
    Migrate {
        /// The database file.
        path: PathBuf,
        /// The migration's error.
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    /// A read-only command was given a database file that does not exist.
    #[error(
        "database {path} does not exist (check --db; `govaudit sites import` or `check` create one)"
    )]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// `PRAGMA quick_check` found the database damaged.
    #[error(
        "database {path} is damaged (PRAGMA quick_check: {detail}); restore it from a copy \
         or start a new database with --db"
    )]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What `quick_check` reported.
        detail: String,
    },
    /// The migration lock file beside the database could not be opened or locked.
    #[error("cannot lock database {path} to bring its schema up to date: {source}")]
    Lock {
        /// The database file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Any other SQLite error.
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    /// A value stored as JSON could not be serialised.
    #[error("cannot encode {what}: {source}")]
    Encode {
        /// What was being encoded (for the message).
        what: &'static str,
        /// serde_json's error.
        #[source]
        source: serde_json::Error,
    },
    /// No stored check has this id.
    #[error("check {0} not found")]
    NotFound(i64),
    /// No stored finding has this id.
    #[error(
        "finding {0} not found (`govaudit confirm --list` lists the findings awaiting a decision)"
    )]
    NoFinding(i64),
    /// The finding is not a `review` one, so it cannot be confirmed or rejected.
    #[error("finding {id} is not awaiting a decision (its severity is `{severity}`; only `review` findings are confirmed or rejected)")]
    NotForReview {
        /// The finding's id.
        id: i64,
        /// Its stored severity.
        severity: String,
    },
    /// An insert did not give back the new row's id; the site URL of the check.
    #[error("database did not return the id of {0}")]
    NoId(String),
    /// The round slot a check was to fill is already filled or was never drawn.
    #[error(
        "round {round_id} has no open slot for site {site_id} (already checked, or not drawn)"
    )]
    SlotTaken {
        /// The round's id.
        round_id: i64,
        /// The site's id in the registry.
        site_id: i64,
    },
}

/// The round a check answers: its site's slot in `round_sites`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundSlot {
    /// The round's id (`rounds.id`).
    pub round_id: i64,
    /// The site's id in the registry (`sites.id`).
    pub site_id: i64,
}

/// One finished check, ready to store.
#[derive(Debug, Clone)]
pub struct CheckRecord<'a> {
    /// The round slot this check fills, if it belongs to a round.
    pub round: Option<RoundSlot>,
    /// When the audit started (UTC).
    pub started_at: DateTime<Utc>,
    /// When the audit finished (UTC), deep crawl included when there is one.
    pub finished_at: DateTime<Utc>,
    /// What the crawl saw.
    pub observation: &'a Observation,
    /// The rules' verdict, score and findings on it.
    pub evaluation: &'a Evaluation,
    /// The audit's own HTTP requests, in order (a deep crawl's join them from the database,
    /// see `deep`).
    pub requests: &'a [RequestRecord],
    /// `Some` when the check was run with `--deep`, holding its deep crawl's id when one ran:
    /// the crawl's logged requests then move into this check's request log.
    pub deep: Option<Option<i64>>,
    /// The archived capture of the check's pages ([`crate::archive`]), linked to it in the
    /// transaction that stores it.
    pub capture: Option<i64>,
}

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Open a database file for a command that writes: created if missing, checked with
    /// `PRAGMA quick_check` (a damaged database is refused, [`StoreError::Corrupt`], before
    /// anything is written into it), and its schema brought up to date.
    ///
    /// The check reads the whole file: about 0.9 s for a 540 MB database on the reference
    /// machine (docs/benchmarks.md), small beside an audit or an import.
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        Store::connect(Store::options(path, true)?, path, 4, true).await
    }

    /// Open an existing database for a command that only reads (reports, statistics, lists):
    /// a file that does not exist is [`StoreError::Missing`] — a typo in `--db` must not
    /// produce an empty database and a report of zeros. Not checked with `PRAGMA quick_check`
    /// (it would cost a read of the whole file on every command); a damaged page met while
    /// reading is an SQLite error that the command names with the file.
    pub async fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        Store::connect(Store::options(path, false)?, path, 4, false).await
    }

    fn options(path: &Path, create: bool) -> Result<SqliteConnectOptions, StoreError> {
        Ok(SqliteConnectOptions::from_str("sqlite:")
            .map_err(|source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            })?
            .filename(path)
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10)))
    }

    /// A private in-memory database (tests).
    pub async fn open_memory() -> Result<Store, StoreError> {
        let opts = SqliteConnectOptions::from_str("sqlite::memory:")
            .map_err(|source| StoreError::Open {
                path: PathBuf::from(":memory:"),
                source,
            })?
            .foreign_keys(true);
        Store::connect(opts, Path::new(":memory:"), 1, false).await
    }

    async fn connect(
        opts: SqliteConnectOptions,
        path: &Path,
        max: u32,
        check: bool,
    ) -> Result<Store, StoreError> {
        // SQLite's migrator takes no lock: two commands opening a new database together would
        // both create its tables, and one would fail half-way. An exclusive advisory lock on
        // a file beside it ([`schema_lock`]) makes them take turns; the second finds the schema
        // up to date. A command that writes takes it before its first connection too: turning
        // a new file to WAL needs an exclusive lock SQLite does not wait for, so two commands
        // creating the file together could fail with "database is locked".
        let file = path != Path::new(":memory:");
        let mut lock = if file && check {
            Some(schema_lock(path).await?)
        } else {
            None
        };
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .connect_with(opts)
            .await
            .map_err(|source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        if check {
            quick_check(&pool, path).await?;
        }
        if file && lock.is_none() {
            lock = Some(schema_lock(path).await?);
        }
        let migrated = sqlx::migrate!("./migrations").run(&pool).await;
        drop(lock);
        migrated.map_err(|source| StoreError::Migrate {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Store { pool })
    }

    /// The connection pool, for later stages (rounds, statistics).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Close the database at the end of a command that wrote to it: fold the write-ahead log
    /// into the database file (leaving it empty), so the file alone holds everything — a user
    /// copying `govaudit.db` elsewhere copies the round — then close every connection. (Closing
    /// the pool alone checkpoints only if the last connection's close finishes before exit.)
    pub async fn close(&self) {
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
        {
            tracing::warn!(error = %e, "could not checkpoint the database's write-ahead log");
        }
        self.pool.close().await;
    }
}

/// `PRAGMA quick_check`: the b-trees and their pages are well-formed (indexes are not compared
/// with their tables, which `integrity_check` does at ten times the cost).
async fn quick_check(pool: &SqlitePool, path: &Path) -> Result<(), StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    match sqlx::query_scalar::<_, String>("PRAGMA quick_check")
        .fetch_all(pool)
        .await
    {
        Ok(rows) if rows.len() == 1 && rows[0] == "ok" => Ok(()),
        Ok(rows) => {
            let mut detail: Vec<String> = rows.iter().take(3).cloned().collect();
            if rows.len() > 3 {
                detail.push(format!("… {} problems in all", rows.len()));
            }
            Err(corrupt(detail.join("; ")))
        }
        Err(sqlx::Error::Database(e))
            if ["malformed", "not a database", "corrupt"]
                .iter()
                .any(|w| e.message().contains(w)) =>
        {
            Err(corrupt(e.message().to_string()))
        }
        Err(source) => Err(StoreError::Open {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn verdict_key(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
    }
}

/// An exclusive advisory lock held while the database's schema is brought up to date;
/// released when the returned file is dropped. Waits for another command's migration.
///
/// The lock is on a file beside the database (`FILE-migrate`), never on the database itself:
/// closing any descriptor of the database file drops every POSIX lock the process holds on it
/// (SQLite's own locks included), and the SQLite connections open at that moment then fail
/// with `disk I/O error` (SQLite's "How To Corrupt", §2.2).
async fn schema_lock(path: &Path) -> Result<std::fs::File, StoreError> {
    let mut name = path.as_os_str().to_owned();
    name.push("-migrate");
    let owned = PathBuf::from(name);
    let locked = tokio::task::spawn_blocking(move || {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&owned)?;
        file.lock()?;
        Ok::<_, std::io::Error>(file)
    })
    .await
    .map_err(|e| std::io::Error::other(e.to_string()))
    .and_then(|r| r);
    locked.map_err(|source| StoreError::Lock {
        path: path.to_path_buf(),
        source,
    })
}

fn json<T: serde::Serialize + ?Sized>(what: &'static str, v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|source| StoreError::Encode { what, source })
}

#[cfg(test)]
mod tests;
