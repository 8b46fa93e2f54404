//! Running a round: audit the sites that have no check yet, many at once (the fetcher's per-host
//! politeness paces each host), storing each site's result atomically as it finishes.

use chrono::NaiveDate;
use futures::stream::{self, StreamExt};
use serde::Serialize;

use super::db::{mark_finished_if_done, pending};
use super::{Round, RoundError};
use crate::audit::Auditor;
use crate::findings::Verdict;
use crate::registry;
use crate::store::{RoundSlot, Store};

/// One site finished during a run.
#[derive(Debug, Clone, Serialize)]
pub struct SiteOutcome {
    pub site_id: i64,
    pub url: String,
    pub check_id: i64,
    pub verdict: Verdict,
    pub score: f64,
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunSummary {
    /// Sites audited in this run.
    pub audited: usize,
    /// Of those, failed.
    pub failed: usize,
    /// Sites that were already done before this run (a resumed round).
    pub already_done: usize,
    /// The round has no site left to audit.
    pub finished: bool,
}

/// Audit every pending site of `round` as of `as_of`, `sites_at_once` at a time, calling
/// `on_done` after each site is stored.
pub async fn run_round(
    auditor: &Auditor,
    store: &Store,
    round: &Round,
    as_of: NaiveDate,
    sites_at_once: usize,
    mut on_done: impl FnMut(&SiteOutcome),
) -> Result<RunSummary, RoundError> {
    // Links are checked once per round, shared by its sites; a later round checks them anew.
    let auditor = &auditor.with_fresh_links();
    let todo = pending(store, round.id).await?;
    let mut summary = RunSummary {
        already_done: round.sites.saturating_sub(todo.len()),
        ..RunSummary::default()
    };
    let mut jobs = Vec::with_capacity(todo.len());
    for (site_id, url) in todo {
        let parsed = registry::parse_url(&url).map_err(|message| RoundError::BadUrl {
            url: url.clone(),
            message,
        })?;
        jobs.push((site_id, url, parsed));
    }
    let mut running = stream::iter(jobs)
        .map(|(site_id, url, parsed)| async move {
            let result = auditor.audit(&parsed, as_of).await;
            (site_id, url, result)
        })
        .buffer_unordered(sites_at_once.max(1));
    while let Some((site_id, url, result)) = running.next().await {
        let slot = RoundSlot {
            round_id: round.id,
            site_id,
        };
        let check_id = result.save_in(store, Some(slot)).await?;
        let outcome = SiteOutcome {
            site_id,
            url,
            check_id,
            verdict: result.evaluation.verdict,
            score: result.evaluation.score,
        };
        summary.audited += 1;
        if outcome.verdict == Verdict::Fail {
            summary.failed += 1;
        }
        on_done(&outcome);
    }
    summary.finished =
        mark_finished_if_done(store, round.id).await? || pending(store, round.id).await?.is_empty();
    Ok(summary)
}
