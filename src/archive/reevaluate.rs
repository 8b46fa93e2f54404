//! Re-evaluation: a stored check's archived pages judged again, offline, through the same crawl,
//! analysis and rules a live audit uses (an [`Auditor`] whose fetcher replays the capture), as
//! of the check's own as-of date. The result is kept in `evaluations` beside the check, which
//! is never changed.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use url::Url;

use super::backdated::Current;
use super::{Archive, ArchiveError, Replay};
use crate::audit::{AuditResult, Auditor};
use crate::config::Config;
use crate::deep::DeepSettings;
use crate::fetch::Fetcher;
use crate::findings::Verdict;
use crate::linkcheck::LinkCache;
use crate::rules::RuleSet;
use crate::store::Store;

/// A re-evaluated check.
#[derive(Debug)]
pub struct Reevaluation {
    /// The check re-evaluated.
    pub check_id: i64,
    /// The check's verdict and score as stored.
    pub original: (Verdict, f64),
    /// The result on the archived pages; its times are the original audit's (the pages are
    /// as fetched then).
    pub result: AuditResult,
    /// Requests the archive could not answer (0 when the capture holds everything the audit
    /// asks again; anything else is logged and makes the result differ from a live one).
    pub misses: usize,
}

/// What the re-evaluation needs of the original check.
struct Original {
    capture: i64,
    site: String,
    capture_started: String,
    as_of: NaiveDate,
    started_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
    round_id: Option<i64>,
    deep: bool,
    verdict: Verdict,
    score: f64,
}

async fn original(archive: &Archive, check_id: i64) -> Result<Original, ArchiveError> {
    let row = archive
        .original_row(check_id)
        .await?
        .ok_or(ArchiveError::NoCheck { check_id })?;
    let (Some(capture), Some(site), Some(capture_started)) =
        (row.capture, row.site_url, row.capture_started)
    else {
        return Err(ArchiveError::NotArchived { check_id });
    };
    let as_of = row.as_of.parse().map_err(|_| ArchiveError::BadCheck {
        check_id,
        message: format!("as_of {:?} unreadable", row.as_of),
    })?;
    Ok(Original {
        capture,
        site,
        capture_started,
        as_of,
        started_at: row.started_at,
        finished_at: row.finished_at,
        round_id: row.round_id,
        deep: row.deep.unwrap_or(false),
        verdict: row.verdict,
        score: row.score,
    })
}

/// The captures of the other checks of a round: they answer the link checks a site's audit
/// took from the round's shared results.
async fn round_captures(
    archive: &Archive,
    round_id: Option<i64>,
    own: i64,
) -> Result<Vec<i64>, ArchiveError> {
    match round_id {
        Some(round_id) => archive.round_captures(round_id, own).await,
        None => Ok(Vec::new()),
    }
}

/// Re-evaluate check `check_id` from its archived capture under `rules`, with the fetch and
/// crawl settings of `cfg`, making no network request.
///
/// # Errors
///
/// [`ArchiveError::NoCheck`], [`ArchiveError::NotArchived`] (no capture), a database error,
/// or an archived record that cannot be read (naming its file and offset).
pub async fn reevaluate_check(
    archive: &Archive,
    store: &Store,
    cfg: &Config,
    rules: Arc<RuleSet>,
    check_id: i64,
) -> Result<Reevaluation, ArchiveError> {
    let o = original(archive, check_id).await?;
    let fallback = round_captures(archive, o.round_id, o.capture).await?;
    let replay = Arc::new(Replay::load(archive, o.capture, fallback).await?);
    let fetcher = Fetcher::replaying(&cfg.fetch, Arc::clone(&replay))
        .map_err(|e| ArchiveError::Setup(e.to_string()))?;
    let auditor = Auditor {
        fetcher: Arc::new(fetcher),
        rules,
        crawl: cfg.crawl.clone(),
        links: Arc::new(LinkCache::default()),
        monitor: Some(store.clone()),
        // For the comparison with earlier captures only: a replaying fetcher records nothing.
        archive: Some(archive.clone()),
    };
    let site = Url::parse(&o.site).map_err(|e| ArchiveError::BadCheck {
        check_id,
        message: format!("site URL {:?}: {e}", o.site),
    })?;
    let mut result = if o.deep {
        // The deep crawl's frontier goes to a private database: a re-evaluation leaves no
        // crawl behind to be resumed.
        let scratch = Store::open_memory()
            .await
            .map_err(|e| ArchiveError::Setup(e.to_string()))?;
        // The original crawl's limits, not today's configuration: the same pages are asked
        // for again, and the capture answers them all.
        let mut settings = DeepSettings::from_config(&cfg.crawl);
        if let Some((max_pages, max_depth)) =
            crate::deep::db::check_limits(archive.pool(), check_id).await?
        {
            settings.max_pages = max_pages;
            settings.max_depth = max_depth;
        }
        auditor
            .audit_deep(&site, o.as_of, &scratch, &settings)
            .await
            .map_err(|e| ArchiveError::Setup(e.to_string()))?
            .0
    } else {
        auditor.audit(&site, o.as_of).await
    };
    auditor
        .judge_backdated(
            Current::Stored(o.capture),
            &o.site,
            &o.capture_started,
            &mut result,
        )
        .await;
    result.started_at = o.started_at;
    result.finished_at = o.finished_at;
    result.capture = Some(o.capture);
    result.archived = super::RecordIndex::load(archive, o.capture).await?;
    Ok(Reevaluation {
        check_id,
        original: (o.verdict, o.score),
        result,
        misses: replay.misses(),
    })
}

/// The checks of a round that have an archived capture, in the round's order.
///
/// # Errors
///
/// A database error.
pub async fn round_checks(archive: &Archive, round_id: i64) -> Result<Vec<i64>, ArchiveError> {
    archive.round_check_ids(round_id).await
}

/// Keep a re-evaluation beside its check; returns its id.
///
/// # Errors
///
/// A database error, or the result cannot be encoded.
pub async fn store_evaluation(
    archive: &Archive,
    r: &Reevaluation,
    rules_dir: Option<&Path>,
    json: &str,
) -> Result<i64, ArchiveError> {
    let e = &r.result.evaluation;
    archive
        .insert_evaluation(
            r.check_id,
            (&e.profile, rules_dir.map(|d| d.display().to_string())),
            (e.verdict, e.score),
            json,
        )
        .await
}
