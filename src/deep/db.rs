//! The deep crawl's SQLite side: the crawl row, the frontier, link results and link pages, the
//! request log, and a round's shared link results.
//!
//! Every write for one fetched page (its state, the links it shows, the pages it admits to the
//! frontier) is one transaction, so a kill leaves the page queued and it is fetched again on
//! resume; link rows are keyed by (crawl, URL), so nothing is ever stored twice.
//!
//! Requests are logged in `crawl_requests` as they happen ([`insert_requests`]), in the
//! transaction that stores the page or link they were made for, so memory holds only the
//! requests of the fetches in flight however large the crawl. When the check that includes the
//! crawl is stored, [`attach_requests_to_check`] moves them into that check's `requests` (marked
//! `deep = 1`) inside the check's own transaction. A resumed crawl's log includes the requests
//! of its earlier, killed runs.
//!
//! In a round, link results are shared by its sites in `round_links`, keyed by round and URL
//! ([`round_link`], [`record_round_link`]; see [`crate::linkcheck::round`]).
//!
//! Several crawls write at once in a round, so write transactions begin `IMMEDIATE`: one that
//! reads before it writes would otherwise fail with "database is locked" (SQLite cannot upgrade
//! a read snapshot another connection has written past) instead of waiting its turn.

use chrono::{NaiveDate, Utc};
use sqlx::{SqliteConnection, SqlitePool};

use crate::fetch::{FetchFailure, RequestRecord};
use crate::store::StoreError;

/// A crawl row: a new one, or the unfinished one being resumed.
#[derive(Debug, Clone)]
pub struct CrawlRow {
    /// Row id in `deep_crawls`.
    pub id: i64,
    /// True when an unfinished crawl (or, in a round, a finished one no check refers to yet) is
    /// taken up rather than a new one started.
    pub resumed: bool,
    /// The URL whose scope the crawl uses, when the homepage redirected out of the site's.
    pub scope: Option<String>,
}

/// A frontier row loaded into memory.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FrontierRow {
    /// The page's crawl key (normalised, session ids removed), as stored in the frontier.
    pub url: String,
    /// Clicks from the homepage (the homepage is depth 0).
    pub depth: i64,
}

/// A fetched page's outcome.
#[derive(Debug, Clone, Copy)]
pub struct PageDone<'a> {
    /// The frontier key.
    pub url: &'a str,
    /// HTTP status of the response, an error status included; None when the fetch got none.
    pub status: Option<u16>,
    /// Why the fetch failed; None when the page was read.
    pub failure: Option<&'a FetchFailure>,
    /// The requests the fetch made.
    pub log: &'a [RequestRecord],
}

/// What a crawl is: which site, as of when, in which round, how far.
#[derive(Debug, Clone, Copy)]
pub struct CrawlKey<'a> {
    /// The normalised site URL as given.
    pub site: &'a str,
    /// The audit's as-of date: a crawl is resumed only for the same date.
    pub as_of: NaiveDate,
    /// The round the crawl belongs to (`None`: `check --deep`).
    pub round: Option<i64>,
    /// Most pages fetched (the homepage included); stored with the crawl, updated on resume.
    pub max_pages: usize,
    /// Most clicks from the homepage; stored with the crawl, updated on resume.
    pub max_depth: usize,
}

/// A link discovered on a page, with what to do about it.
#[derive(Debug, Clone)]
pub struct Found {
    /// The link's crawl key (normalised, session ids removed), as stored in `crawl_links`.
    pub url: String,
    /// Admit to the frontier at this depth with this query-less path.
    pub admit: Option<(i64, String)>,
}

fn encode(failure: Option<&FetchFailure>) -> Result<Option<String>, StoreError> {
    failure
        .map(serde_json::to_string)
        .transpose()
        .map_err(|source| StoreError::Encode {
            what: "fetch failure",
            source,
        })
}

/// Find the unfinished crawl of (site, as_of, round), or start one with the site's homepage
/// queued. In a round, a finished crawl that no stored check refers to is taken up too: the run
/// was killed between the crawl's end and storing the site's check (checks are stored in
/// batches), and its stored pages and links are the result, so nothing is crawled again.
pub async fn open_crawl(
    pool: &SqlitePool,
    key: &CrawlKey<'_>,
    home: &str,
    home_path: &str,
) -> Result<CrawlRow, StoreError> {
    let (site, max_pages, max_depth) = (key.site, key.max_pages, key.max_depth);
    let as_of = key.as_of.to_string();
    let open: Option<(i64, Option<String>)> = sqlx::query_as(
        "SELECT id, scope FROM deep_crawls d WHERE site = ? AND as_of = ? AND round_id IS ? \
         AND (finished_at IS NULL OR (round_id IS NOT NULL AND NOT EXISTS \
              (SELECT 1 FROM checks c WHERE c.deep_crawl_id = d.id))) \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(site)
    .bind(&as_of)
    .bind(key.round)
    .fetch_optional(pool)
    .await?;
    if let Some((id, scope)) = open {
        sqlx::query("UPDATE deep_crawls SET max_pages = ?, max_depth = ? WHERE id = ?")
            .bind(max_pages as i64)
            .bind(max_depth as i64)
            .bind(id)
            .execute(pool)
            .await?;
        return Ok(CrawlRow {
            id,
            resumed: true,
            scope,
        });
    }
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO deep_crawls (site, as_of, max_pages, max_depth, started_at, round_id) \
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(site)
    .bind(&as_of)
    .bind(max_pages as i64)
    .bind(max_depth as i64)
    .bind(Utc::now().to_rfc3339())
    .bind(key.round)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO crawl_frontier (crawl_id, url, path, depth, state) \
         VALUES (?, ?, ?, 0, 'queued')",
    )
    .bind(id)
    .bind(home)
    .bind(home_path)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(CrawlRow {
        id,
        resumed: false,
        scope: None,
    })
}

/// Remember the scope a redirected homepage gave the crawl, for a resume.
pub async fn set_scope(pool: &SqlitePool, crawl: i64, scope_url: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE deep_crawls SET scope = ? WHERE id = ?")
        .bind(scope_url)
        .bind(crawl)
        .execute(pool)
        .await?;
    Ok(())
}

/// Rows in the frontier (queued and done): what the page budget counts.
pub async fn frontier_len(pool: &SqlitePool, crawl: i64) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM crawl_frontier WHERE crawl_id = ?")
            .bind(crawl)
            .fetch_one(pool)
            .await?,
    )
}

/// The next queued pages, breadth first.
pub async fn next_batch(
    pool: &SqlitePool,
    crawl: i64,
    limit: usize,
) -> Result<Vec<FrontierRow>, StoreError> {
    Ok(sqlx::query_as::<_, FrontierRow>(
        "SELECT url, depth FROM crawl_frontier WHERE crawl_id = ? AND state = 'queued' \
         ORDER BY depth, rowid LIMIT ?",
    )
    .bind(crawl)
    .bind(limit as i64)
    .fetch_all(pool)
    .await?)
}

/// Store one fetched page: its result, its links and the pages it admits. Returns how many
/// pages were admitted. `budget` is how many more pages the frontier may take; the per-path
/// query cap is checked here, against the stored frontier.
pub async fn record_page(
    pool: &SqlitePool,
    crawl: i64,
    done: &PageDone<'_>,
    found: &[Found],
    budget: i64,
    max_query_variants: usize,
) -> Result<i64, StoreError> {
    let page = done.url;
    let status = done.status;
    let failure = encode(done.failure)?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let mut admitted = 0i64;
    for f in found {
        if let Some((depth, path)) = &f.admit {
            if admitted >= budget {
                continue;
            }
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT 1 FROM crawl_frontier WHERE crawl_id = ? AND url = ?")
                    .bind(crawl)
                    .bind(&f.url)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_none() {
                let variants: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM crawl_frontier WHERE crawl_id = ? AND path = ?",
                )
                .bind(crawl)
                .bind(path)
                .fetch_one(&mut *tx)
                .await?;
                if variants as usize >= max_query_variants {
                    continue;
                }
                sqlx::query(
                    "INSERT INTO crawl_frontier (crawl_id, url, path, depth, state) \
                     VALUES (?, ?, ?, ?, 'queued')",
                )
                .bind(crawl)
                .bind(&f.url)
                .bind(path)
                .bind(depth)
                .execute(&mut *tx)
                .await?;
                admitted += 1;
            }
        }
        let in_frontier: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM crawl_frontier WHERE crawl_id = ? AND url = ?")
                .bind(crawl)
                .bind(&f.url)
                .fetch_optional(&mut *tx)
                .await?;
        let state = if in_frontier.is_some() {
            "page"
        } else {
            "queued"
        };
        sqlx::query(
            "INSERT INTO crawl_links (crawl_id, url, state) VALUES (?, ?, ?) \
             ON CONFLICT (crawl_id, url) DO NOTHING",
        )
        .bind(crawl)
        .bind(&f.url)
        .bind(state)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT OR IGNORE INTO crawl_link_pages (crawl_id, url, page) VALUES (?, ?, ?)",
        )
        .bind(crawl)
        .bind(&f.url)
        .bind(page)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "UPDATE crawl_frontier SET state = 'done', status = ?, failure = ? \
         WHERE crawl_id = ? AND url = ?",
    )
    .bind(status.map(i64::from))
    .bind(&failure)
    .bind(crawl)
    .bind(page)
    .execute(&mut *tx)
    .await?;
    insert_requests(&mut tx, crawl, done.log).await?;
    tx.commit().await?;
    Ok(admitted)
}

/// Links whose result is a frontier page's take that page's result (all pages are done).
pub async fn resolve_page_links(pool: &SqlitePool, crawl: i64) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE crawl_links SET state = 'done', \
           status = (SELECT f.status FROM crawl_frontier f \
                     WHERE f.crawl_id = crawl_links.crawl_id AND f.url = crawl_links.url), \
           failure = (SELECT f.failure FROM crawl_frontier f \
                      WHERE f.crawl_id = crawl_links.crawl_id AND f.url = crawl_links.url) \
         WHERE crawl_id = ? AND state = 'page'",
    )
    .bind(crawl)
    .execute(pool)
    .await?;
    Ok(())
}

/// The next links to check.
pub async fn next_links(
    pool: &SqlitePool,
    crawl: i64,
    limit: usize,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT url FROM crawl_links WHERE crawl_id = ? AND state = 'queued' ORDER BY rowid LIMIT ?",
    )
    .bind(crawl)
    .bind(limit as i64)
    .fetch_all(pool)
    .await?)
}

/// Store one link's result and the requests made for it.
pub async fn record_link(
    pool: &SqlitePool,
    crawl: i64,
    url: &str,
    status: Option<u16>,
    failure: Option<&FetchFailure>,
    log: &[RequestRecord],
) -> Result<(), StoreError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query(
        "UPDATE crawl_links SET state = 'done', status = ?, failure = ? \
         WHERE crawl_id = ? AND url = ?",
    )
    .bind(status.map(i64::from))
    .bind(encode(failure)?)
    .bind(crawl)
    .bind(url)
    .execute(&mut *tx)
    .await?;
    insert_requests(&mut tx, crawl, log).await?;
    tx.commit().await?;
    Ok(())
}

/// Mark the crawl finished: a later run with the same site and as-of starts a new one.
pub async fn finish(pool: &SqlitePool, crawl: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE deep_crawls SET finished_at = ? WHERE id = ?")
        .bind(Utc::now().to_rfc3339())
        .bind(crawl)
        .execute(pool)
        .await?;
    Ok(())
}

/// The limits a stored check's deep crawl ran with (`max_pages`, `max_depth`: the last run's,
/// a resumed crawl's being updated when it is taken up), so that a re-evaluation crawls its
/// capture as far as the original did, whatever the configuration says now. `None` when the
/// check has no deep crawl (not deep, or its homepage did not open).
pub async fn check_limits(
    pool: &SqlitePool,
    check_id: i64,
) -> Result<Option<(usize, usize)>, sqlx::Error> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT d.max_pages, d.max_depth FROM checks c \
         JOIN deep_crawls d ON d.id = c.deep_crawl_id WHERE c.id = ?",
    )
    .bind(check_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(pages, depth)| {
        (
            usize::try_from(pages).unwrap_or(0),
            usize::try_from(depth).unwrap_or(0),
        )
    }))
}

/// Pages fetched and unique links known, from the store.
pub async fn counts(pool: &SqlitePool, crawl: i64) -> Result<(i64, i64), StoreError> {
    let pages: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM crawl_frontier WHERE crawl_id = ? AND state = 'done'",
    )
    .bind(crawl)
    .fetch_one(pool)
    .await?;
    let links: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM crawl_links WHERE crawl_id = ?")
        .bind(crawl)
        .fetch_one(pool)
        .await?;
    Ok((pages, links))
}

/// Links that failed, with their failure and the pages they appear on.
pub async fn failed_links(
    pool: &SqlitePool,
    crawl: i64,
) -> Result<Vec<(String, FetchFailure, Vec<String>)>, StoreError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT url, failure FROM crawl_links WHERE crawl_id = ? AND failure IS NOT NULL \
         ORDER BY url",
    )
    .bind(crawl)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for (url, text) in rows {
        let failure: FetchFailure =
            serde_json::from_str(&text).unwrap_or(FetchFailure::Other { message: text });
        let pages: Vec<String> = sqlx::query_scalar(
            "SELECT page FROM crawl_link_pages WHERE crawl_id = ? AND url = ? ORDER BY page",
        )
        .bind(crawl)
        .bind(&url)
        .fetch_all(pool)
        .await?;
        out.push((url, failure, pages));
    }
    Ok(out)
}

/// Append requests of crawl `crawl` to its log (`crawl_requests`).
pub async fn insert_requests(
    conn: &mut SqliteConnection,
    crawl: i64,
    log: &[RequestRecord],
) -> Result<(), StoreError> {
    for r in log {
        sqlx::query(
            "INSERT INTO crawl_requests (crawl_id, url, method, status, elapsed_ms, bytes, error, \
             at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(crawl)
        .bind(&r.url)
        .bind(&r.method)
        .bind(r.status.map(i64::from))
        .bind(i64::try_from(r.elapsed_ms).unwrap_or(i64::MAX))
        .bind(i64::try_from(r.bytes).unwrap_or(i64::MAX))
        .bind(&r.error)
        .bind(r.at.to_rfc3339())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Requests logged so far by crawl `crawl` (not yet moved to a check).
pub async fn count_requests(conn: &mut SqliteConnection, crawl: i64) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM crawl_requests WHERE crawl_id = ?")
            .bind(crawl)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Move crawl `crawl`'s log into check `check_id`'s request log (call inside the check's
/// transaction); returns how many requests moved. Done in SQL: nothing is loaded into memory.
pub async fn attach_requests_to_check(
    conn: &mut SqliteConnection,
    crawl: i64,
    check_id: i64,
) -> Result<u64, StoreError> {
    let moved = sqlx::query(
        "INSERT INTO requests (check_id, url, method, status, elapsed_ms, bytes, error, at, deep) \
         SELECT ?, url, method, status, elapsed_ms, bytes, error, at, 1 FROM crawl_requests \
         WHERE crawl_id = ? ORDER BY id",
    )
    .bind(check_id)
    .bind(crawl)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    sqlx::query("DELETE FROM crawl_requests WHERE crawl_id = ?")
        .bind(crawl)
        .execute(&mut *conn)
        .await?;
    Ok(moved)
}

/// The stored result of `url` in round `round` as (status, failure as JSON), if a site of the
/// round checked it.
pub async fn round_link(
    pool: &SqlitePool,
    round: i64,
    url: &str,
) -> Result<Option<(Option<i64>, Option<String>)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT status, failure FROM round_links WHERE round_id = ? AND url = ?")
            .bind(round)
            .bind(url)
            .fetch_optional(pool)
            .await?,
    )
}

/// Store the result of `url` in round `round` (kept when a site stored it first) and the
/// requests crawl `crawl` made for it, in one transaction.
pub async fn record_round_link(
    pool: &SqlitePool,
    round: i64,
    crawl: i64,
    url: &str,
    status: Option<u16>,
    failure: Option<&FetchFailure>,
    log: &[RequestRecord],
) -> Result<(), StoreError> {
    let failure = encode(failure)?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query(
        "INSERT OR IGNORE INTO round_links (round_id, url, status, failure, checked_at) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(round)
    .bind(url)
    .bind(status.map(i64::from))
    .bind(failure)
    .bind(Utc::now().to_rfc3339())
    .execute(&mut *tx)
    .await?;
    insert_requests(&mut tx, crawl, log).await?;
    tx.commit().await?;
    Ok(())
}
