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
mod records;
mod run;

pub use db::{
    get, list, newest_unfinished, pending, plan_list, plan_recheck, plan_sample, round_sites,
    PlanOptions, RoundSiteRow,
};
pub use records::{audit_records, reevaluated_records, site_records};
pub use run::{run_round, run_round_with, RunOptions, RunSummary, SiteOutcome};

use chrono::NaiveDate;
use serde::Serialize;

use crate::registry::RegistryError;
use crate::sample::SampleError;
use crate::store::StoreError;

/// Regular (抽查) or re-check (复核).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundKind {
    Regular,
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
    pub id: i64,
    pub kind: RoundKind,
    /// `YYYY-MM`.
    pub month: String,
    pub ratio: Option<f64>,
    pub seed: Option<i64>,
    /// `sample`, `list:<file>` or `recheck`.
    pub source: String,
    pub parent_round_id: Option<i64>,
    pub notice_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub as_of: Option<NaiveDate>,
    pub profile: String,
    pub created_at: String,
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
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Sample(#[from] SampleError),
    #[error("round {0} not found")]
    NotFound(i64),
    #[error("invalid month {0:?}: expected YYYY-MM")]
    BadMonth(String),
    #[error("no registered running sites to draw from: import a registry first (govaudit sites import FILE)")]
    NoSites,
    #[error("{path}:{line}: {value:?} is not a registered site (give its id or URL)")]
    UnknownSite {
        path: String,
        line: usize,
        value: String,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("round {id} is a re-check round; re-check the regular round it came from")]
    RecheckOfRecheck { id: i64 },
    #[error("round {id} has sites not yet audited; run it first (govaudit round run {id})")]
    Unfinished { id: i64 },
    #[error("auditing {url} stopped on an internal error (a bug; please report it): {message}")]
    AuditPanicked { url: String, message: String },
    #[error("site URL {url:?} in the registry is invalid: {message}")]
    BadUrl { url: String, message: String },
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
