//! Rounds in SQLite: planning (sample, explicit list, re-check), listing and progress.

use std::path::Path;

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::{parse_month, Round, RoundError, RoundKind};
use crate::calendar::{Calendar, Warning};
use crate::findings::Verdict;
use crate::registry::{self, SiteFilter};
use crate::sample::{self, Sample};
use crate::store::Store;

/// What a new round is.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// `YYYY-MM`.
    pub month: String,
    /// Share of each unit's running sites to draw, 0 < ratio ≤ 1 (ignored by an explicit list).
    pub ratio: f64,
    /// Seed of the draw: the same seed and registry give the same sample (ignored by a list).
    pub seed: u64,
    /// Rule profile to record with the round (`[rules] profile`, e.g. `gb2015`).
    pub profile: String,
    /// Default as-of date of the audits.
    pub as_of: Option<NaiveDate>,
}

/// One site of a round, with its check when audited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundSiteRow {
    /// Registry id of the site.
    pub site_id: i64,
    /// The site's URL as registered.
    pub url: String,
    /// The site's name in the registry, if it gives one.
    pub name: Option<String>,
    /// The site's unit (单位) in the registry, if it gives one.
    pub unit: Option<String>,
    /// The stored check that answers this slot; None while not audited.
    pub check_id: Option<i64>,
    /// 合格 / 不合格 of that check; None while not audited.
    pub verdict: Option<Verdict>,
    /// That check's score: 100 − capped deductions, reported even when a veto fired; None while
    /// not audited.
    pub score: Option<f64>,
    /// Re-check rounds: the failing check this one re-checks, and its verdict.
    pub original_check_id: Option<i64>,
    /// The site's check was run with `--deep` (false while not audited).
    pub deep: bool,
    /// Rule ids of the check's 单项否决, in stored order (empty while not audited).
    pub vetoes: Vec<String>,
}

fn date(v: Option<String>) -> Option<NaiveDate> {
    v.and_then(|s| s.parse().ok())
}

const ROUND_SQL: &str = "SELECT r.id, r.kind, r.month, r.ratio, r.seed, r.source, r.parent_round_id, \
     r.notice_date, r.due_date, r.as_of, r.profile, r.created_at, r.finished_at, \
     (SELECT COUNT(*) FROM round_sites s WHERE s.round_id = r.id) AS n_sites, \
     (SELECT COUNT(*) FROM round_sites s WHERE s.round_id = r.id AND s.check_id IS NOT NULL) AS n_done, \
     (SELECT COUNT(*) FROM round_sites s JOIN checks c ON c.id = s.check_id \
        WHERE s.round_id = r.id AND c.verdict = 'fail') AS n_failed \
     FROM rounds r";

fn round_from_row(row: &SqliteRow) -> Result<Round, sqlx::Error> {
    Ok(Round {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        month: row.try_get("month")?,
        ratio: row.try_get("ratio")?,
        seed: row.try_get("seed")?,
        source: row.try_get("source")?,
        parent_round_id: row.try_get("parent_round_id")?,
        notice_date: date(row.try_get("notice_date")?),
        due_date: date(row.try_get("due_date")?),
        as_of: date(row.try_get("as_of")?),
        profile: row.try_get("profile")?,
        created_at: row.try_get("created_at")?,
        finished_at: row.try_get("finished_at")?,
        sites: row.try_get::<i64, _>("n_sites")? as usize,
        done: row.try_get::<i64, _>("n_done")? as usize,
        failed: row.try_get::<i64, _>("n_failed")? as usize,
    })
}

/// One round.
pub async fn get(store: &Store, id: i64) -> Result<Round, RoundError> {
    let sql = format!("{ROUND_SQL} WHERE r.id = ?");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(RoundError::NotFound(id))?;
    Ok(round_from_row(&row)?)
}

/// Every round, oldest first.
pub async fn list(store: &Store) -> Result<Vec<Round>, RoundError> {
    let sql = format!("{ROUND_SQL} ORDER BY r.id");
    let rows = sqlx::query(&sql).fetch_all(store.pool()).await?;
    Ok(rows.iter().map(round_from_row).collect::<Result<_, _>>()?)
}

/// The newest round with sites not yet audited.
pub async fn newest_unfinished(store: &Store) -> Result<Option<Round>, RoundError> {
    Ok(list(store)
        .await?
        .into_iter()
        .rev()
        .find(|r| r.done < r.sites))
}

/// The sites of a round not yet audited, in draw order: (site id, URL).
pub async fn pending(store: &Store, round_id: i64) -> Result<Vec<(i64, String)>, RoundError> {
    let rows = sqlx::query(
        "SELECT s.site_id, t.url FROM round_sites s JOIN sites t ON t.id = s.site_id \
         WHERE s.round_id = ? AND s.check_id IS NULL ORDER BY s.position",
    )
    .bind(round_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(RoundError::from)
}

/// Every site of a round with its check, in draw order.
pub async fn round_sites(store: &Store, round_id: i64) -> Result<Vec<RoundSiteRow>, RoundError> {
    round_sites_where(store, round_id, false, None).await
}

/// One page of a round's sites in round order: `limit` rows from `offset` (0-based), only the
/// 不合格 ones when `fail_only`. How many there are in all is the round's `sites` (or `failed`)
/// as [`get`] gives them. The console's round page reads a page at a time, not the whole round
/// (3,500 sites in a national round).
pub async fn round_sites_page(
    store: &Store,
    round_id: i64,
    fail_only: bool,
    offset: usize,
    limit: usize,
) -> Result<Vec<RoundSiteRow>, RoundError> {
    round_sites_where(store, round_id, fail_only, Some((offset, limit))).await
}

async fn round_sites_where(
    store: &Store,
    round_id: i64,
    fail_only: bool,
    page: Option<(usize, usize)>,
) -> Result<Vec<RoundSiteRow>, RoundError> {
    let filter = if fail_only {
        " AND c.verdict = 'fail'"
    } else {
        ""
    };
    let limit = match page {
        Some((offset, limit)) => format!(" LIMIT {limit} OFFSET {offset}"),
        None => String::new(),
    };
    // The page is chosen first (round order, the filter, LIMIT) and only its rows are joined
    // with their sites and their 单项否决 looked up: a select-list subquery over the whole
    // round would run for all 3,500 sites of a national round before the LIMIT.
    let rows = sqlx::query(&format!(
        "SELECT p.site_id, t.url, t.name, t.unit, p.check_id, c.verdict, c.score, \
         p.original_check_id, COALESCE(c.deep, 0), \
         (SELECT group_concat(f.rule, ',') FROM findings f \
          WHERE f.check_id = p.check_id AND f.severity = 'veto' ORDER BY f.id) \
         FROM (SELECT s.site_id, s.check_id, s.original_check_id, s.position \
               FROM round_sites s LEFT JOIN checks c ON c.id = s.check_id \
               WHERE s.round_id = ?{filter} ORDER BY s.position{limit}) p \
         JOIN sites t ON t.id = p.site_id \
         LEFT JOIN checks c ON c.id = p.check_id \
         ORDER BY p.position"
    ))
    .bind(round_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RoundSiteRow {
                site_id: r.try_get(0)?,
                url: r.try_get(1)?,
                name: r.try_get(2)?,
                unit: r.try_get(3)?,
                check_id: r.try_get(4)?,
                verdict: r.try_get::<Option<Verdict>, _>(5)?,
                score: r.try_get(6)?,
                original_check_id: r.try_get(7)?,
                deep: r.try_get::<i64, _>(8)? != 0,
                vetoes: r
                    .try_get::<Option<String>, _>(9)?
                    .map(|v| v.split(',').map(String::from).collect())
                    .unwrap_or_default(),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(RoundError::from)
}

/// Insert a round and its sites in one transaction.
async fn insert_round(
    store: &Store,
    round: &Round,
    sites: &[(i64, Option<i64>)],
) -> Result<i64, RoundError> {
    let mut tx = store.pool().begin().await?;
    let id = sqlx::query(
        "INSERT INTO rounds (kind, month, ratio, seed, source, parent_round_id, notice_date, \
         due_date, as_of, profile, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(round.kind.key())
    .bind(&round.month)
    .bind(round.ratio)
    .bind(round.seed)
    .bind(&round.source)
    .bind(round.parent_round_id)
    .bind(round.notice_date.map(|d| d.to_string()))
    .bind(round.due_date.map(|d| d.to_string()))
    .bind(round.as_of.map(|d| d.to_string()))
    .bind(&round.profile)
    .bind(Utc::now().to_rfc3339())
    .execute(&mut *tx)
    .await?
    .last_insert_rowid();
    for (pos, (site_id, original)) in sites.iter().enumerate() {
        sqlx::query(
            "INSERT INTO round_sites (round_id, site_id, position, original_check_id) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(id)
        .bind(site_id)
        .bind(pos as i64)
        .bind(original)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

fn blank_round(kind: RoundKind, month: String, source: String, profile: &str) -> Round {
    Round {
        id: 0,
        kind,
        month,
        ratio: None,
        seed: None,
        source,
        parent_round_id: None,
        notice_date: None,
        due_date: None,
        as_of: None,
        profile: profile.to_string(),
        created_at: String::new(),
        finished_at: None,
        sites: 0,
        done: 0,
        failed: 0,
    }
}

/// Draw a stratified random sample of the registry's running sites and store it as a round.
pub async fn plan_sample(store: &Store, opts: &PlanOptions) -> Result<(Round, Sample), RoundError> {
    let month = parse_month(&opts.month)?;
    let filter = SiteFilter {
        registered_only: true,
        ..SiteFilter::default()
    };
    let candidates: Vec<_> = registry::list(store, &filter)
        .await?
        .iter()
        .filter_map(|s| s.candidate())
        .collect();
    if !candidates.iter().any(|c| c.running) {
        return Err(RoundError::NoSites);
    }
    let drawn = sample::draw(&candidates, opts.ratio, opts.seed)?;
    let mut round = blank_round(RoundKind::Regular, month, "sample".into(), &opts.profile);
    round.ratio = Some(drawn.ratio);
    // SQLite integers are signed: the seed is stored bit for bit.
    round.seed = Some(opts.seed as i64);
    round.as_of = opts.as_of;
    let sites: Vec<(i64, Option<i64>)> = drawn.selected().map(|c| (c.id, None)).collect();
    let id = insert_round(store, &round, &sites).await?;
    Ok((get(store, id).await?, drawn))
}

/// Store an explicit list of sites (one id or URL per line; `#` comments) as a round.
pub async fn plan_list(
    store: &Store,
    opts: &PlanOptions,
    path: &Path,
) -> Result<Round, RoundError> {
    let month = parse_month(&opts.month)?;
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| RoundError::Read {
        path: shown.clone(),
        source,
    })?;
    let mut sites: Vec<(i64, Option<i64>)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let value = line.split('#').next().unwrap_or("").trim();
        if value.is_empty() {
            continue;
        }
        let site = registry::get(store, value)
            .await
            .map_err(|_| RoundError::UnknownSite {
                path: shown.clone(),
                line: i + 1,
                value: value.to_string(),
            })?;
        if !sites.iter().any(|(id, _)| *id == site.id) {
            sites.push((site.id, None));
        }
    }
    if sites.is_empty() {
        return Err(RoundError::NoSites);
    }
    let mut round = blank_round(
        RoundKind::Regular,
        month,
        format!("list:{shown}"),
        &opts.profile,
    );
    round.as_of = opts.as_of;
    let id = insert_round(store, &round, &sites).await?;
    get(store, id).await
}

/// Make a 复核 round of a finished round's failing sites, due `days` working days after the
/// notice date. Returns the round and a calendar warning when a year has no holiday data.
pub async fn plan_recheck(
    store: &Store,
    parent_id: i64,
    notice_date: NaiveDate,
    days: u32,
    calendar: &Calendar,
) -> Result<(Round, Option<Warning>), RoundError> {
    let parent = get(store, parent_id).await?;
    if parent.kind == RoundKind::Recheck {
        return Err(RoundError::RecheckOfRecheck { id: parent_id });
    }
    if parent.done < parent.sites {
        return Err(RoundError::Unfinished { id: parent_id });
    }
    let failing: Vec<(i64, Option<i64>)> = round_sites(store, parent_id)
        .await?
        .into_iter()
        .filter(|s| s.verdict == Some(Verdict::Fail))
        .map(|s| (s.site_id, s.check_id))
        .collect();
    let (due, warning) = calendar.add_working_days(notice_date, days);
    let mut round = blank_round(
        RoundKind::Recheck,
        due.format("%Y-%m").to_string(),
        "recheck".into(),
        &parent.profile,
    );
    round.parent_round_id = Some(parent_id);
    round.notice_date = Some(notice_date);
    round.due_date = Some(due);
    round.as_of = Some(due);
    let id = insert_round(store, &round, &failing).await?;
    Ok((get(store, id).await?, warning))
}

/// Mark a round finished when every site has a check.
pub(super) async fn mark_finished_if_done(
    store: &Store,
    round_id: i64,
) -> Result<bool, RoundError> {
    let done = sqlx::query(
        "UPDATE rounds SET finished_at = ? WHERE id = ? AND finished_at IS NULL AND NOT EXISTS \
         (SELECT 1 FROM round_sites s WHERE s.round_id = rounds.id AND s.check_id IS NULL)",
    )
    .bind(Utc::now().to_rfc3339())
    .bind(round_id)
    .execute(store.pool())
    .await?
    .rows_affected();
    Ok(done == 1)
}
