//! Running a round: audit the sites that have no check yet, many at once (the fetcher's per-host
//! politeness paces each host), storing each site's result atomically as it finishes.
//!
//! With [`RunOptions::deep`] each site is deep-crawled after its audit ([`Auditor::audit_deep`]):
//! the crawl belongs to the round (it resumes only within it) and its link results are shared
//! by the round's sites through `round_links`, so an external URL is requested once per round.

use chrono::NaiveDate;
use futures::stream::{self, StreamExt};
use serde::Serialize;

use super::db::{mark_finished_if_done, pending};
use super::{Round, RoundError};
use crate::audit::{AuditResult, Auditor};
use crate::deep::DeepSettings;
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

/// How a round is run.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Sites audited at once.
    pub sites_at_once: usize,
    /// Deep-crawl every site after its audit, with these settings (their `round` is set by
    /// the run).
    pub deep: Option<DeepSettings>,
}

/// Audit every pending site of `round` as of `as_of`, `sites_at_once` at a time, calling
/// `on_done` after each site is stored.
pub async fn run_round(
    auditor: &Auditor,
    store: &Store,
    round: &Round,
    as_of: NaiveDate,
    sites_at_once: usize,
    on_done: impl FnMut(&SiteOutcome),
) -> Result<RunSummary, RoundError> {
    let opts = RunOptions {
        sites_at_once,
        deep: None,
    };
    run_round_with(auditor, store, round, as_of, &opts, on_done).await
}

/// [`run_round`] with options: with `opts.deep`, every site is deep-crawled after its audit.
/// A store error in a deep crawl stops the run; what was stored is kept and a rerun resumes.
pub async fn run_round_with(
    auditor: &Auditor,
    store: &Store,
    round: &Round,
    as_of: NaiveDate,
    opts: &RunOptions,
    mut on_done: impl FnMut(&SiteOutcome),
) -> Result<RunSummary, RoundError> {
    let deep = opts.deep.map(|d| DeepSettings {
        round: Some(round.id),
        ..d
    });
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
            let result = audit_site(auditor, store, &parsed, as_of, deep.as_ref()).await?;
            let slot = RoundSlot {
                round_id: round.id,
                site_id,
            };
            // Stored inside the site's future, not in the loop below: while the loop awaited,
            // the other sites' futures would go unpolled, and a deep crawl among them could be
            // holding SQLite's write lock mid-transaction.
            let check_id = result.save_in(store, Some(slot)).await?;
            Ok::<_, RoundError>(SiteOutcome {
                site_id,
                url,
                check_id,
                verdict: result.evaluation.verdict,
                score: result.evaluation.score,
            })
        })
        .buffer_unordered(opts.sites_at_once.max(1));
    while let Some(outcome) = running.next().await {
        let outcome = outcome?;
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

/// One site: its audit, then its deep crawl when asked for.
async fn audit_site(
    auditor: &Auditor,
    store: &Store,
    site: &url::Url,
    as_of: NaiveDate,
    deep: Option<&DeepSettings>,
) -> Result<AuditResult, RoundError> {
    Ok(match deep {
        Some(settings) => auditor.audit_deep(site, as_of, store, settings).await?.0,
        None => auditor.audit(site, as_of).await,
    })
}
