//! Rounds: monthly sampling rounds (月度抽查) and re-check rounds (复核).
//!
//! A round is a list of sites drawn from the registry (a stratified random sample, reproducible
//! from its stored seed, or an explicit list) plus, per site, the stored check that answers it.
//! Running a round audits the sites that have no check yet, so a killed run continues where it
//! stopped: each check and its round slot are written in one transaction (nothing lost, nothing
//! duplicated). A re-check round takes a round's failing sites, due 5 working days after the
//! notice date on the official calendar, and links each new check to the failing one.

pub mod admission;
mod db;
mod plan;
mod records;
mod run;

pub use db::{
    fingerprint, get, list, newest_unfinished, pending, round_sites, round_sites_page, RoundSiteRow,
};
pub use plan::{plan_list, plan_recheck, plan_sample, PlanOptions};
pub use records::{
    apply_evaluations, audit_records, newest_evaluations, records_fingerprint, reevaluated_records,
    site_records, NewestEvaluation,
};
pub use run::{run_round, run_round_with, RunOptions, RunSummary, SiteOutcome};

use chrono::NaiveDate;
use serde::Serialize;

use crate::registry::RegistryError;
use crate::sample::SampleError;
use crate::store::StoreError;

/// Regular (抽查) or re-check (复核): a monthly sampling round, or a 复核 round of another
/// round's failing sites. Stored as its [`key`](RoundKind::key); any other stored text is a
/// decode error. The one round kind of the crate: statistics use it too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum RoundKind {
    /// 抽查: a monthly sampling round.
    #[default]
    Regular,
    /// 复核: the re-check of a round's failing sites after the rectification deadline.
    Recheck,
}

impl RoundKind {
    /// Database key.
    pub fn key(self) -> &'static str {
        match self {
            RoundKind::Regular => "regular",
            RoundKind::Recheck => "recheck",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            RoundKind::Regular => "抽查",
            RoundKind::Recheck => "复核",
        }
    }
}

/// A round as stored, with its progress.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    /// Row id in `rounds` (the number `round run ID` takes).
    pub id: i64,
    /// 抽查 or 复核.
    pub kind: RoundKind,
    /// `YYYY-MM`.
    pub month: String,
    /// Sampling ratio of a drawn round (0 < ratio ≤ 1); None for a list or 复核 round.
    pub ratio: Option<f64>,
    /// Seed of a drawn round's sample (the `u64` stored bit for bit), so the draw can be
    /// repeated; None for a list or 复核 round.
    pub seed: Option<i64>,
    /// `sample`, `list:<file>` or `recheck`.
    pub source: String,
    /// 复核 rounds: the regular round whose failing sites this re-checks; None otherwise.
    pub parent_round_id: Option<i64>,
    /// 复核 rounds: the date of the 通报 that started the rectification period; None otherwise.
    pub notice_date: Option<NaiveDate>,
    /// 复核 rounds: the rectification deadline, `notice_date` plus the given working days on the
    /// official calendar; None otherwise.
    pub due_date: Option<NaiveDate>,
    /// Default as-of date of the round's audits (the plan's `--as-of`; a 复核 round's due date);
    /// None: the run's own `--as-of`, else the day of the run.
    pub as_of: Option<NaiveDate>,
    /// Rule profile the round was planned with (`[rules] profile`, e.g. `gb2015`); a 复核 round
    /// keeps its parent's.
    pub profile: String,
    /// When the round was planned, RFC 3339 UTC.
    pub created_at: String,
    /// When the last site's check was stored, RFC 3339 UTC; None while sites are pending.
    pub finished_at: Option<String>,
    /// Sites drawn.
    pub sites: usize,
    /// Sites audited so far.
    pub done: usize,
    /// Sites audited that failed.
    pub failed: usize,
}

/// Errors of round commands.
#[derive(Debug, thiserror::Error)]
pub enum RoundError {
    /// A store operation failed (opening it, saving a check).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A query of the rounds' own failed.
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    /// Reading the site registry failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// Drawing the sample failed: a sampling ratio outside (0, 1].
    #[error(transparent)]
    Sample(#[from] SampleError),
    /// No round has this id.
    #[error("round {0} not found")]
    NotFound(i64),
    /// A month that is not `YYYY-MM` (1990–2100).
    #[error("invalid month {0:?}: expected YYYY-MM")]
    BadMonth(String),
    /// The registry has no running site to sample, or a site list names none.
    #[error("no registered running sites to draw from: import a registry first (govaudit sites import FILE)")]
    NoSites,
    /// A line of a site list names no registered site.
    #[error("{path}:{line}: {value:?} is not a registered site (give its id or URL)")]
    UnknownSite {
        /// The site list file, as given.
        path: String,
        /// 1-based line number in the file.
        line: usize,
        /// The id or URL on that line.
        value: String,
    },
    /// A site list file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file, as given.
        path: String,
        /// The read error.
        #[source]
        source: std::io::Error,
    },
    /// A 复核 of a round that is itself a 复核 round.
    #[error("round {id} is a re-check round; re-check the regular round it came from")]
    RecheckOfRecheck {
        /// Id of the 复核 round given as the parent.
        id: i64,
    },
    /// A 复核 of a round that still has sites not audited.
    #[error("round {id} has sites not yet audited; run it first (govaudit round run {id})")]
    Unfinished {
        /// Id of the unfinished round.
        id: i64,
    },
    /// A site's audit panicked; the run stopped.
    #[error("auditing {url} stopped on an internal error (a bug; please report it): {message}")]
    AuditPanicked {
        /// The site's URL.
        url: String,
        /// The panic message.
        message: String,
    },
    /// A registered site's URL does not parse.
    #[error("site URL {url:?} in the registry is invalid: {message}")]
    BadUrl {
        /// The URL as stored in the registry.
        url: String,
        /// Why it does not parse.
        message: String,
    },
}

/// Check a `YYYY-MM` month.
pub fn parse_month(text: &str) -> Result<String, RoundError> {
    let bad = || RoundError::BadMonth(text.to_string());
    let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
    let y: i32 = y.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if !(1990..=2100).contains(&y) || !(1..=12).contains(&m) {
        return Err(bad());
    }
    Ok(format!("{y:04}-{m:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months() {
        assert_eq!(parse_month("2018-2").ok().as_deref(), Some("2018-02"));
        assert_eq!(parse_month("2018-12").ok().as_deref(), Some("2018-12"));
        for bad in ["2018", "2018-13", "18-01", "2018-00", "x-y"] {
            assert!(parse_month(bad).is_err(), "{bad}");
        }
    }
}
