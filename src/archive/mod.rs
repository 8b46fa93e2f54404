//! The evidence archive: every HTTP exchange an audit makes, kept as WARC 1.1, so a finding can
//! be shown on the page as the audit saw it and the pages can be judged again offline.
//!
//! Architecture:
//!
//! - [`warc`]: WARC 1.1 records, one gzip member each, written and read back.
//! - [`Capture`] (`capture.rs`, `finish.rs`): one audit's WARC file. The fetcher records into it through
//!   [`record`], which finds the capture of the running audit in a task-local set by
//!   [`scoped`], so every path that fetches (crawl, 政务咨询类 messages, 办事指南, link checks,
//!   the deep crawl, robots.txt) is archived without its caller knowing. Bodies are
//!   deduplicated by SHA-1 with `revisit` records against every payload archived before.
//! - [`Replay`] (`replay.rs`): a capture read back as the answers to the same requests, for a
//!   fetcher that never touches the network ([`crate::fetch::Fetcher::replaying`]).
//! - [`RecordIndex`] (`index.rs`): the record supporting each URL a finding names.
//! - [`backdated`]: list items new since the site's previous capture yet dated before it
//!   (疑似伪造发稿日期).
//! - [`evidence`]: a check's archived pages as files a browser opens offline.
//! - [`prune`]: retention (`govaudit archive prune --older-than 2y`).
//! - [`reevaluate`]: a stored check judged again on its capture, offline.
//! - The index (`archive_captures`, `archive_records`, `archive_payloads`, a CDX in SQLite)
//!   lives in the database, every query of it in `db.rs`; the files in a folder beside it
//!   ([`default_dir`]).
//!
//! **Crash safety.** A capture is written to `NAME.warc.gz.open`; when the audit ends the file
//! is synced, renamed to `NAME.warc.gz`, the folder synced, and only then are its index rows
//! committed (one transaction). A killed audit leaves an `.open` file and no row: no row ever
//! points at a missing or half-written record. [`Archive::open`] removes `.open` files left
//! by a run that died (untouched for an hour).

pub mod backdated;
mod capture;
mod db;
pub mod evidence;
mod finish;
mod index;
pub mod prune;
pub mod reevaluate;
mod replay;
pub mod warc;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sqlx::SqlitePool;

pub use capture::{Capture, Exchange, Response};
pub use index::{RecordIndex, RecordRef};
pub use replay::{Replay, ReplayAnswer};

/// Errors of the archive; each names the file or record concerned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// Reading or writing an archive file (or the archive folder) failed.
    #[error("archive file {path}: {source}")]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The index in the database could not be read or written.
    #[error("archive index: {0}")]
    Db(#[from] sqlx::Error),
    /// A stored record could not be read back (bad gzip member, WARC or HTTP head).
    #[error("archive file {path}, record at byte {offset}: {message}")]
    Record {
        /// The WARC file.
        path: PathBuf,
        /// Byte offset of the record's gzip member in the file.
        offset: u64,
        /// What is wrong with it.
        message: String,
    },
    /// No stored check has this id.
    #[error("check {check_id} not found")]
    NoCheck {
        /// The id asked for.
        check_id: i64,
    },
    /// The stored check cannot be used (an unreadable site URL, date or rule set).
    #[error("check {check_id}: {message}")]
    BadCheck {
        /// The check's id.
        check_id: i64,
        /// What is unusable in it.
        message: String,
    },
    /// The re-evaluation's fetcher or rule set could not be built; the cause.
    #[error("cannot set up the re-evaluation: {0}")]
    Setup(String),
    /// The check exists but has no capture to read.
    #[error("check {check_id} has no archived capture (it was run with --no-archive, before the archive existed, or its capture was pruned)")]
    NotArchived {
        /// The check's id.
        check_id: i64,
    },
}

/// The archive: a folder of WARC files and their index in the database.
#[derive(Debug, Clone)]
pub struct Archive {
    dir: PathBuf,
    pool: SqlitePool,
    max_site_bytes: u64,
}

/// The default archive folder: beside the database, named after it (`govaudit.db` →
/// `govaudit-archive/`).
pub fn default_dir(db: &Path) -> PathBuf {
    let stem = db
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "govaudit".into());
    db.with_file_name(format!("{stem}-archive"))
}

/// How long an `.open` file may go untouched before [`Archive::open`] takes it for a dead run's.
const STALE_OPEN_SECS: u64 = 3600;

impl Archive {
    /// Open (creating) the archive folder `dir` indexed in `pool`; a capture stops keeping
    /// bodies past `max_site_bytes` of WARC. Removes `.open` files a killed run left.
    ///
    /// # Errors
    ///
    /// [`ArchiveError::Io`] when the folder cannot be created or read.
    pub fn open(
        dir: &Path,
        pool: SqlitePool,
        max_site_bytes: u64,
    ) -> Result<Archive, ArchiveError> {
        let io = |source| ArchiveError::Io {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        remove_stale_open_files(dir);
        Ok(Archive {
            dir: dir.to_path_buf(),
            pool,
            max_site_bytes,
        })
    }

    /// The archive in `dir` indexed in `pool`, for reading only: unlike [`Archive::open`]
    /// nothing is created or removed (the console serves archived pages through it).
    pub fn reader(dir: &Path, pool: SqlitePool) -> Archive {
        Archive {
            dir: dir.to_path_buf(),
            pool,
            max_site_bytes: 0,
        }
    }

    /// The folder of the WARC files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The index's database.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// Remove `.open` capture files nobody has written for [`STALE_OPEN_SECS`]: a killed run's
/// (a running one writes each response as it comes). Errors are logged, never fatal.
fn remove_stale_open_files(dir: &Path) {
    let Ok(months) = std::fs::read_dir(dir) else {
        return;
    };
    let now = std::time::SystemTime::now();
    for month in months.flatten() {
        let Ok(files) = std::fs::read_dir(month.path()) else {
            continue;
        };
        for file in files.flatten() {
            let path = file.path();
            if path.extension().is_none_or(|e| e != "open") {
                continue;
            }
            let age = file
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|m| now.duration_since(m).ok());
            if age.is_some_and(|a| a.as_secs() >= STALE_OPEN_SECS) {
                match std::fs::remove_file(&path) {
                    Ok(()) => {
                        tracing::info!(file = %path.display(), "removed an unfinished capture a killed run left")
                    }
                    Err(e) => {
                        tracing::warn!(file = %path.display(), error = %e, "cannot remove an unfinished capture")
                    }
                }
            }
        }
    }
}

tokio::task_local! {
    static CAPTURE: Arc<Capture>;
}

/// Run `fut` with `capture` as the current capture: every exchange the fetcher makes within it
/// (in this task) is recorded there. `None` runs it unarchived.
pub async fn scoped<F: Future>(capture: Option<Arc<Capture>>, fut: F) -> F::Output {
    match capture {
        Some(c) => CAPTURE.scope(c, fut).await,
        None => fut.await,
    }
}

/// Record one exchange in the current capture, if any (called by the fetcher for every
/// request). A write error is logged and the capture marked failed; the audit goes on.
pub async fn record(exchange: Exchange<'_>) {
    if let Ok(capture) = CAPTURE.try_with(Arc::clone) {
        capture.record(exchange).await;
    }
}
