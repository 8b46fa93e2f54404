//! Rounds in SQLite (`rounds`, `round_sites`): storing a planned round, listing rounds and
//! their sites with progress, marking a round finished.

use chrono::{NaiveDate, Utc};
use serde::Serialize;

use super::{Round, RoundError, RoundKind};
use crate::findings::Verdict;
use crate::store::Store;

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

/// A row of [`ROUND_SQL`], before its dates are parsed.
#[derive(sqlx::FromRow)]
struct RoundRecord {
    id: i64,
    kind: RoundKind,
    month: String,
    ratio: Option<f64>,
    seed: Option<i64>,
    source: String,
    parent_round_id: Option<i64>,
    notice_date: Option<String>,
    due_date: Option<String>,
    as_of: Option<String>,
    profile: String,
    created_at: String,
    finished_at: Option<String>,
    #[sqlx(try_from = "i64")]
    n_sites: usize,
    #[sqlx(try_from = "i64")]
    n_done: usize,
    #[sqlx(try_from = "i64")]
    n_failed: usize,
}

impl From<RoundRecord> for Round {
    fn from(r: RoundRecord) -> Round {
        Round {
            id: r.id,
            kind: r.kind,
            month: r.month,
            ratio: r.ratio,
            seed: r.seed,
            source: r.source,
            parent_round_id: r.parent_round_id,
            notice_date: date(r.notice_date),
            due_date: date(r.due_date),
            as_of: date(r.as_of),
            profile: r.profile,
            created_at: r.created_at,
            finished_at: r.finished_at,
            sites: r.n_sites,
            done: r.n_done,
            failed: r.n_failed,
        }
    }
}

/// One round.
pub async fn get(store: &Store, id: i64) -> Result<Round, RoundError> {
    let sql = format!("{ROUND_SQL} WHERE r.id = ?");
    let row = sqlx::query_as::<_, RoundRecord>(&sql)
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(RoundError::NotFound(id))?;
    Ok(row.into())
}

/// Every round, oldest first.
pub async fn list(store: &Store) -> Result<Vec<Round>, RoundError> {
    let sql = format!("{ROUND_SQL} ORDER BY r.id");
    let rows = sqlx::query_as::<_, RoundRecord>(&sql)
        .fetch_all(store.pool())
        .await?;
    Ok(rows.into_iter().map(Round::from).collect())
}

/// A text that changes whenever a round is planned or a round's check is stored or reviewed:
/// the console reads [`list`] again only when it changed.
pub async fn fingerprint(store: &Store) -> Result<String, RoundError> {
    Ok(sqlx::query_scalar(
        "SELECT \
         (SELECT COUNT(*) || ':' || IFNULL(MAX(id), 0) FROM rounds) || '/' || \
         (SELECT COUNT(*) FROM round_sites WHERE check_id IS NOT NULL) || '/' || \
         (SELECT IFNULL(MAX(id), 0) FROM checks) || '/' || \
         (SELECT COUNT(*) FROM finding_reviews)",
    )
    .fetch_one(store.pool())
    .await?)
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
    Ok(sqlx::query_as(
        "SELECT s.site_id, t.url FROM round_sites s JOIN sites t ON t.id = s.site_id \
         WHERE s.round_id = ? AND s.check_id IS NULL ORDER BY s.position",
    )
    .bind(round_id)
    .fetch_all(store.pool())
    .await?)
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
    let rows = sqlx::query_as::<_, SiteSlot>(&format!(
        "SELECT p.site_id, t.url, t.name, t.unit, p.check_id, c.verdict, c.score, \
         p.original_check_id, COALESCE(c.deep, 0) AS deep, \
         (SELECT group_concat(f.rule, ',') FROM findings f \
          WHERE f.check_id = p.check_id AND f.severity = 'veto' ORDER BY f.id) AS vetoes \
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
    Ok(rows.into_iter().map(RoundSiteRow::from).collect())
}

/// A row of [`round_sites_where`], its 单项否决 still a comma-separated list.
#[derive(sqlx::FromRow)]
struct SiteSlot {
    site_id: i64,
    url: String,
    name: Option<String>,
    unit: Option<String>,
    check_id: Option<i64>,
    verdict: Option<Verdict>,
    score: Option<f64>,
    original_check_id: Option<i64>,
    deep: i64,
    vetoes: Option<String>,
}

impl From<SiteSlot> for RoundSiteRow {
    fn from(r: SiteSlot) -> RoundSiteRow {
        RoundSiteRow {
            site_id: r.site_id,
            url: r.url,
            name: r.name,
            unit: r.unit,
            check_id: r.check_id,
            verdict: r.verdict,
            score: r.score,
            original_check_id: r.original_check_id,
            deep: r.deep != 0,
            vetoes: r
                .vetoes
                .map(|v| v.split(',').map(String::from).collect())
                .unwrap_or_default(),
        }
    }
}

/// Insert a round and its sites in one transaction; returns its id.
pub(super) async fn insert_round(
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
