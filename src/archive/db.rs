//! The archive's index in SQLite: every query of its tables (`archive_captures`,
//! `archive_records`, `archive_payloads`, `evaluations`), and of the checks and round slots a
//! re-evaluation reads with them. The rest of the archive calls these by name.

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

use super::capture::{Capture, PayloadRef, Row};
use super::{Archive, ArchiveError};
use crate::findings::Verdict;

/// An archived 2xx page read (body kept), as its index row gives it.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct PageRow {
    /// The URL as requested.
    pub(super) uri: String,
    /// `WARC-Date` of the response (or revisit) record.
    pub(super) fetched_at: String,
    /// `WARC-Record-ID` of that record.
    pub(super) record_id: String,
    /// The capture's WARC file, relative to the archive folder.
    pub(super) file: String,
    /// Byte offset of the record's gzip member in that file.
    pub(super) offset: i64,
    /// The payload's file (the record's own, or the earlier one a revisit points at).
    pub(super) payload_file: String,
    /// Byte offset of the payload's record in that file.
    pub(super) payload_offset: i64,
    /// Length of the payload's record.
    pub(super) payload_length: i64,
    /// `Content-Type` of the response, if it gave one.
    pub(super) mime: Option<String>,
}

const PAGE_SQL: &str = "SELECT r.uri, r.fetched_at, r.record_id, c.file, r.offset, \
     r.payload_file, r.payload_offset, r.payload_length, r.mime FROM archive_records r \
     JOIN archive_captures c ON c.id = r.capture_id \
     WHERE r.capture_id = ? AND r.body_read = 1 AND r.payload_file IS NOT NULL \
     AND r.status BETWEEN 200 AND 299";

/// A response (or revisit, or failure) row, as a finding names it.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct IndexRow {
    pub(super) uri: String,
    pub(super) body_read: bool,
    pub(super) record_id: String,
    pub(super) fetched_at: String,
    pub(super) file: String,
    pub(super) offset: i64,
}

/// An index row as replay reads it.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct RecordRow {
    pub(super) uri: String,
    pub(super) method: String,
    pub(super) body_read: bool,
    /// The fetch failure as JSON, when there was no response.
    pub(super) failure: Option<String>,
    /// `request`, `response` or `revisit`.
    pub(super) kind: String,
    pub(super) file: String,
    pub(super) offset: i64,
    pub(super) length: i64,
    pub(super) payload_file: Option<String>,
    pub(super) payload_offset: Option<i64>,
    pub(super) payload_length: Option<i64>,
    pub(super) truncated: bool,
}

const RECORD_SQL: &str = "SELECT r.uri, r.method, r.body_read, r.failure, r.kind, c.file, \
     r.offset, r.length, r.payload_file, r.payload_offset, r.payload_length, r.truncated \
     FROM archive_records r JOIN archive_captures c ON c.id = r.capture_id";

/// A row of `archive_payloads`.
#[derive(sqlx::FromRow)]
struct PayloadRow {
    record_id: String,
    uri: String,
    fetched_at: String,
    file: String,
    offset: i64,
    length: i64,
}

/// What a re-evaluation reads of a stored check and its capture.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct OriginalRow {
    /// As stored (`YYYY-MM-DD`); parsed by the caller, which names it when unreadable.
    pub(super) as_of: String,
    pub(super) started_at: DateTime<Utc>,
    pub(super) finished_at: DateTime<Utc>,
    pub(super) round_id: Option<i64>,
    pub(super) deep: Option<bool>,
    pub(super) verdict: Verdict,
    pub(super) score: f64,
    /// The capture's id; `None` when the check was not archived.
    pub(super) capture: Option<i64>,
    pub(super) site_url: Option<String>,
    pub(super) capture_started: Option<String>,
}

impl Archive {
    /// The capture of a check, if it was archived.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn capture_of(&self, check_id: i64) -> Result<Option<i64>, ArchiveError> {
        Ok(
            sqlx::query_scalar("SELECT id FROM archive_captures WHERE check_id = ? LIMIT 1")
                .bind(check_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The site's newest capture that belongs to a stored check and started before `before`
    /// (RFC 3339).
    pub(super) async fn earlier_capture(
        &self,
        site_url: &str,
        before: &str,
    ) -> Result<Option<i64>, ArchiveError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM archive_captures WHERE site_url = ? AND check_id IS NOT NULL \
             AND started_at < ? ORDER BY started_at DESC LIMIT 1",
        )
        .bind(site_url)
        .bind(before)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The as-of date of capture `id`'s audit, as stored.
    pub(super) async fn capture_as_of(&self, id: i64) -> Result<Option<String>, ArchiveError> {
        Ok(
            sqlx::query_scalar("SELECT as_of FROM archive_captures WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// When capture `id` finished (RFC 3339), as stored.
    pub(super) async fn capture_finished_at(
        &self,
        id: i64,
    ) -> Result<Option<String>, ArchiveError> {
        Ok(
            sqlx::query_scalar("SELECT finished_at FROM archive_captures WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The first 2xx page read of `url` in capture `capture`.
    pub(super) async fn page_row(
        &self,
        capture: i64,
        url: &str,
    ) -> Result<Option<PageRow>, ArchiveError> {
        Ok(sqlx::query_as::<_, PageRow>(&format!(
            "{PAGE_SQL} AND r.uri = ? ORDER BY r.seq LIMIT 1"
        ))
        .bind(capture)
        .bind(url)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Every 2xx page read of capture `capture`, in the order they were fetched.
    pub(super) async fn page_rows(&self, capture: i64) -> Result<Vec<PageRow>, ArchiveError> {
        Ok(
            sqlx::query_as::<_, PageRow>(&format!("{PAGE_SQL} ORDER BY r.seq"))
                .bind(capture)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// The response, revisit and failure rows of capture `capture`, in order.
    pub(super) async fn index_rows(&self, capture: i64) -> Result<Vec<IndexRow>, ArchiveError> {
        Ok(sqlx::query_as::<_, IndexRow>(
            "SELECT r.uri, r.body_read, r.record_id, r.fetched_at, c.file, r.offset \
             FROM archive_records r JOIN archive_captures c ON c.id = r.capture_id \
             WHERE r.capture_id = ? AND r.kind <> 'request' ORDER BY r.seq",
        )
        .bind(capture)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Where a payload with SHA-1 `digest` was archived before, if it was.
    pub(super) async fn payload(&self, digest: &str) -> Result<Option<PayloadRef>, ArchiveError> {
        let row = sqlx::query_as::<_, PayloadRow>(
            "SELECT record_id, uri, fetched_at, file, offset, length FROM archive_payloads \
             WHERE digest = ?",
        )
        .bind(digest)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| PayloadRef {
            record_id: r.record_id,
            uri: r.uri,
            fetched_at: r.fetched_at,
            file: r.file,
            offset: r.offset as u64,
            length: r.length as u64,
        }))
    }

    /// Commit a finished capture's index in one transaction: its `archive_captures` row (`bytes`
    /// written, `bodies_skipped`), its records in order, and the payloads first archived in it.
    /// Returns the capture's id.
    pub(super) async fn insert_capture(
        &self,
        capture: &Capture,
        rows: &[Row],
        bytes: u64,
        bodies_skipped: u64,
    ) -> Result<i64, ArchiveError> {
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO archive_captures (site_url, as_of, started_at, finished_at, file, \
             bytes, records, bodies_skipped) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&capture.site_url)
        .bind(capture.as_of.to_string())
        .bind(capture.started_at.to_rfc3339())
        .bind(Utc::now().to_rfc3339())
        .bind(&capture.name)
        .bind(bytes as i64)
        .bind(rows.len() as i64)
        .bind(bodies_skipped as i64)
        .fetch_one(&mut *tx)
        .await?;
        for (seq, row) in rows.iter().enumerate() {
            sqlx::query(
                "INSERT INTO archive_records (capture_id, seq, uri, method, body_read, \
                 fetched_at, status, failure, kind, record_id, payload_digest, mime, truncated, \
                 offset, length, payload_file, payload_offset, payload_length) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(seq as i64)
            .bind(&row.uri)
            .bind(&row.method)
            .bind(row.body_read)
            .bind(&row.fetched_at)
            .bind(row.status.map(i64::from))
            .bind(&row.failure)
            .bind(row.kind)
            .bind(&row.record_id)
            .bind(&row.digest)
            .bind(&row.mime)
            .bind(row.truncated)
            .bind(row.offset as i64)
            .bind(row.length as i64)
            .bind(row.payload.as_ref().map(|p| p.file.clone()))
            .bind(row.payload.as_ref().map(|p| p.offset as i64))
            .bind(row.payload.as_ref().map(|p| p.length as i64))
            .execute(&mut *tx)
            .await?;
            if let (true, Some(d), Some(p)) = (row.new_payload, &row.digest, &row.payload) {
                sqlx::query(
                    "INSERT OR IGNORE INTO archive_payloads (digest, record_id, uri, fetched_at, \
                     file, offset, length) VALUES (?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(d)
                .bind(&p.record_id)
                .bind(&p.uri)
                .bind(&p.fetched_at)
                .bind(&p.file)
                .bind(p.offset as i64)
                .bind(p.length as i64)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Captures started before `cutoff`: (id, file, bytes), oldest first.
    pub(super) async fn captures_before(
        &self,
        cutoff: DateTime<Utc>,
    ) -> Result<Vec<(i64, String, i64)>, ArchiveError> {
        Ok(sqlx::query_as(
            "SELECT id, file, bytes FROM archive_captures WHERE started_at < ? ORDER BY id",
        )
        .bind(cutoff.to_rfc3339())
        .fetch_all(&self.pool)
        .await?)
    }

    /// How many records of captures other than `ids` take their payload from `file`.
    pub(super) async fn payload_users_outside(
        &self,
        file: &str,
        ids: &[i64],
    ) -> Result<i64, ArchiveError> {
        let marks = vec!["?"; ids.len()].join(",");
        let sql = format!(
            "SELECT COUNT(*) FROM archive_records WHERE payload_file = ? \
             AND capture_id NOT IN ({marks})"
        );
        let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(file);
        for id in ids {
            q = q.bind(id);
        }
        Ok(q.fetch_one(&self.pool).await?)
    }

    /// Remove captures (id, file) with their records and the payload index of their files, in
    /// one transaction.
    pub(super) async fn delete_captures(
        &self,
        doomed: &[(i64, String)],
    ) -> Result<(), ArchiveError> {
        let mut tx = self.pool.begin().await?;
        for (id, file) in doomed {
            // Every revisit into this file is in a capture removed with it; the payload index
            // must not name it.
            sqlx::query("DELETE FROM archive_payloads WHERE file = ?")
                .bind(file)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM archive_records WHERE capture_id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM archive_captures WHERE id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every record of capture `capture`, in order.
    pub(super) async fn record_rows(&self, capture: i64) -> Result<Vec<RecordRow>, ArchiveError> {
        Ok(sqlx::query_as::<_, RecordRow>(&format!(
            "{RECORD_SQL} WHERE r.capture_id = ? ORDER BY r.seq"
        ))
        .bind(capture)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The newest record of `method uri` (body read or not) fetched at or before `until`
    /// (`WARC-Date` form), in any capture.
    pub(super) async fn newest_record_until(
        &self,
        (method, uri, body_read): (&str, &str, bool),
        until: &str,
    ) -> Result<Option<RecordRow>, ArchiveError> {
        Ok(sqlx::query_as::<_, RecordRow>(&format!(
            "{RECORD_SQL} WHERE r.method = ? AND r.uri = ? AND r.body_read = ? \
             AND r.fetched_at <= ? ORDER BY r.fetched_at DESC, r.seq DESC LIMIT 1"
        ))
        .bind(method)
        .bind(uri)
        .bind(body_read)
        .bind(until)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The newest record of `method uri` (body read or not) in one of `captures`.
    pub(super) async fn newest_record_in(
        &self,
        (method, uri, body_read): (&str, &str, bool),
        captures: &[i64],
    ) -> Result<Option<RecordRow>, ArchiveError> {
        let ids = vec!["?"; captures.len()].join(",");
        let sql = format!(
            "{RECORD_SQL} WHERE r.method = ? AND r.uri = ? AND r.body_read = ? \
             AND r.capture_id IN ({ids}) ORDER BY r.fetched_at DESC, r.seq DESC LIMIT 1"
        );
        let mut query = sqlx::query_as::<_, RecordRow>(&sql)
            .bind(method)
            .bind(uri)
            .bind(body_read);
        for id in captures {
            query = query.bind(id);
        }
        Ok(query.fetch_optional(&self.pool).await?)
    }

    /// Stored check `check_id` with its capture, if the check exists.
    pub(super) async fn original_row(
        &self,
        check_id: i64,
    ) -> Result<Option<OriginalRow>, ArchiveError> {
        Ok(sqlx::query_as::<_, OriginalRow>(
            "SELECT c.as_of, c.started_at, c.finished_at, c.round_id, c.deep, c.verdict, \
             c.score, a.id AS capture, a.site_url, a.started_at AS capture_started \
             FROM checks c LEFT JOIN archive_captures a ON a.check_id = c.id WHERE c.id = ?",
        )
        .bind(check_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The captures of the checks of round `round_id` other than capture `own`.
    pub(super) async fn round_captures(
        &self,
        round_id: i64,
        own: i64,
    ) -> Result<Vec<i64>, ArchiveError> {
        Ok(sqlx::query_scalar(
            "SELECT a.id FROM archive_captures a JOIN checks c ON c.id = a.check_id \
             WHERE c.round_id = ? AND a.id <> ?",
        )
        .bind(round_id)
        .bind(own)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The checks stored for round `round_id`, in the round's order.
    pub(super) async fn round_check_ids(&self, round_id: i64) -> Result<Vec<i64>, ArchiveError> {
        Ok(sqlx::query_scalar(
            "SELECT rs.check_id FROM round_sites rs \
             WHERE rs.round_id = ? AND rs.check_id IS NOT NULL ORDER BY rs.position",
        )
        .bind(round_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Store a re-evaluation of check `check_id` (its result as the `check --format json`
    /// object); returns its id.
    pub(super) async fn insert_evaluation(
        &self,
        check_id: i64,
        (profile, rules_dir): (&str, Option<String>),
        (verdict, score): (Verdict, f64),
        json: &str,
    ) -> Result<i64, ArchiveError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO evaluations (check_id, created_at, profile, rules_dir, verdict, score, \
             result_json) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(check_id)
        .bind(Utc::now().to_rfc3339())
        .bind(profile)
        .bind(rules_dir)
        .bind(verdict)
        .bind(score)
        .bind(json)
        .fetch_one(&self.pool)
        .await?)
    }
}
/// The response, revisit and failure rows of the capture of stored check `check_id`, in order
/// (none when it was not archived): [`Archive::index_rows`] for a document that has the
/// database but not the archive folder.
pub(super) async fn check_index_rows(
    pool: &SqlitePool,
    check_id: i64,
) -> Result<Vec<IndexRow>, ArchiveError> {
    Ok(sqlx::query_as::<_, IndexRow>(
        "SELECT r.uri, r.body_read, r.record_id, r.fetched_at, c.file, r.offset \
         FROM archive_records r JOIN archive_captures c ON c.id = r.capture_id \
         WHERE c.check_id = ? AND r.kind <> 'request' ORDER BY r.capture_id, r.seq",
    )
    .bind(check_id)
    .fetch_all(pool)
    .await?)
}
