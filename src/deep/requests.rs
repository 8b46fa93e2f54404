//! The deep crawl's request log. Requests are written to `crawl_requests` as they happen, in
//! the transaction that stores the page or link they were made for, so memory holds only the
//! requests of the fetches in flight however large the crawl. When the check that includes
//! the crawl is stored, [`attach_to_check`] moves them into that check's `requests` (marked
//! `deep = 1`) inside the check's own transaction. A resumed crawl's log includes the requests
//! of its earlier, killed runs.

use sqlx::SqliteConnection;

use crate::fetch::RequestRecord;
use crate::store::StoreError;

/// Append requests of crawl `crawl` to its log.
pub async fn insert(
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
pub async fn count(conn: &mut SqliteConnection, crawl: i64) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM crawl_requests WHERE crawl_id = ?")
            .bind(crawl)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Move crawl `crawl`'s log into check `check_id`'s request log (call inside the check's
/// transaction); returns how many requests moved. Done in SQL: nothing is loaded into memory.
pub async fn attach_to_check(
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
