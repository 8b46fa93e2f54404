//! Running a round: audit the sites that have no check yet, many at once (the fetcher's per-host
//! politeness paces each host, [`admission`](super::admission) starts sites as the global cap
//! has room), storing finished sites atomically, a batch per transaction. Two runs of one round
//! at once (two terminals, two machines sharing the database) do not fail each other: a site the
//! other run stored first keeps its check and this run goes on with the rest.
//!
//! With [`RunOptions::deep`] each site is deep-crawled after its audit ([`Auditor::audit_deep`]):
//! the crawl belongs to the round (it resumes only within it) and its link results are shared
//! by the round's sites through `round_links`, so an external URL is requested once per round.

use chrono::NaiveDate;
use serde::Serialize;

use super::admission::Admission;
use super::db::{mark_finished_if_done, pending};
use super::{Round, RoundError};
use crate::audit::{AuditResult, Auditor};
use crate::deep::DeepSettings;
use crate::findings::Verdict;
use crate::registry;
use crate::store::{CheckRecord, RoundSlot, Store, StoreError};

/// Most finished sites stored in one transaction.
const SAVE_BATCH: usize = 64;

/// One site finished during a run.
#[derive(Debug, Clone, Serialize)]
pub struct SiteOutcome {
    /// Registry id of the site.
    pub site_id: i64,
    /// The site's URL as registered.
    pub url: String,
    /// Id of the check stored for the site's round slot.
    pub check_id: i64,
    /// 合格 / 不合格 of the audit.
    pub verdict: Verdict,
    /// Score of the audit: 100 − capped deductions, reported even when a veto fired.
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
    /// Sites this run audited but another run (on another machine or terminal) stored first:
    /// theirs is kept, this run's result is dropped.
    pub done_elsewhere: usize,
    /// The round has no site left to audit.
    pub finished: bool,
    /// Most sites that were being audited at once.
    pub peak_sites_at_once: usize,
}

/// How a round is run.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Most sites audited at once (a memory ceiling; fewer while the global cap is busy).
    pub sites_at_once: usize,
    /// Deep-crawl every site after its audit, with these settings (their `round` is set by
    /// the run).
    pub deep: Option<DeepSettings>,
}

/// Audit every pending site of `round` as of `as_of`, at most `max_sites_at_once` at a time
/// (fewer while the global cap is busy), calling `on_done` after each site is stored.
pub async fn run_round(
    auditor: &Auditor,
    store: &Store,
    round: &Round,
    as_of: NaiveDate,
    max_sites_at_once: usize,
    on_done: impl FnMut(&SiteOutcome),
) -> Result<RunSummary, RoundError> {
    let opts = RunOptions {
        sites_at_once: max_sites_at_once,
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
    let auditor = auditor.with_fresh_links();
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
        jobs.push(((site_id, url), parsed));
    }
    let fetcher = std::sync::Arc::clone(&auditor.fetcher);
    let task_store = store.clone();
    let mut running = Admission::new(fetcher, jobs, opts.sites_at_once, move |parsed| {
        let auditor = auditor.clone();
        let store = task_store.clone();
        async move {
            let result = audit_site(&auditor, &store, &parsed, as_of, deep.as_ref()).await;
            // The site's own links concern no other site: free them (see LinkCache).
            if let Some(host) = parsed.host_str() {
                auditor.links.forget_host(host);
            }
            result
        }
    });
    while let Some(first) = running.next().await {
        // Store what has finished meanwhile with it, in one transaction. The sites' tasks go
        // on running while the batch is written.
        let mut batch = vec![first];
        while batch.len() < SAVE_BATCH {
            match running.try_next() {
                Some(more) => batch.push(more),
                None => break,
            }
        }
        let mut done = Vec::with_capacity(batch.len());
        for ((site_id, url), result) in batch {
            let result = result.map_err(|message| RoundError::AuditPanicked {
                url: url.clone(),
                message,
            })??;
            done.push((site_id, url, result));
        }
        let ids = save(store, round.id, &done).await?;
        for ((site_id, url, result), check_id) in done.into_iter().zip(ids) {
            let Some(check_id) = check_id else {
                tracing::warn!(
                    %url,
                    "another run stored this site of the round first; its check is kept"
                );
                summary.done_elsewhere += 1;
                continue;
            };
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
    }
    summary.peak_sites_at_once = running.peak_running;
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
) -> Result<AuditResult, StoreError> {
    Ok(match deep {
        Some(settings) => auditor.audit_deep(site, as_of, store, settings).await?.0,
        None => auditor.audit(site, as_of).await,
    })
}

/// Store finished sites in one transaction; if another run filled one of their slots meanwhile,
/// store them one by one so the others are kept: a site whose slot is taken gets `None` (the
/// other run's check stands).
async fn save(
    store: &Store,
    round_id: i64,
    done: &[(i64, String, AuditResult)],
) -> Result<Vec<Option<i64>>, StoreError> {
    let records: Vec<CheckRecord<'_>> = done
        .iter()
        .map(|(site_id, _, result)| {
            result.record(Some(RoundSlot {
                round_id,
                site_id: *site_id,
            }))
        })
        .collect();
    match store.save_checks(&records).await {
        Ok(ids) => Ok(ids.into_iter().map(Some).collect()),
        Err(StoreError::SlotTaken { .. }) => {
            let mut ids = Vec::with_capacity(records.len());
            for rec in &records {
                match store.save_check(rec).await {
                    Ok(id) => ids.push(Some(id)),
                    Err(StoreError::SlotTaken { .. }) => ids.push(None),
                    Err(e) => return Err(e),
                }
            }
            Ok(ids)
        }
        Err(e) => Err(e),
    }
}
