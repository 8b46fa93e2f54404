//! Finishing a capture (its file synced and renamed, then its index rows committed) and reading
//! it back before it is finished (the findings name its records; the 疑似伪造发稿日期 comparison
//! reads its column pages).

use std::fs::File;
use std::path::PathBuf;

use chrono::Utc;

use super::capture::Capture;
use super::ArchiveError;

impl Capture {
    /// The first 2xx page read of `url` in this capture so far, read back from its file (or,
    /// for a revisit, from the earlier record holding the payload).
    ///
    /// # Errors
    ///
    /// An unreadable record, naming the file and offset.
    pub fn page(&self, url: &str) -> Result<Option<super::backdated::ArchivedPage>, ArchiveError> {
        let found = self.inner.lock().ok().and_then(|g| {
            g.as_ref()?
                .rows
                .iter()
                .find(|r| {
                    r.uri == url
                        && r.body_read
                        && r.status.is_some_and(|s| (200..300).contains(&s))
                        && r.payload.is_some()
                })
                .map(|r| {
                    (
                        r.record_id.clone(),
                        r.fetched_at.clone(),
                        r.offset,
                        r.mime.clone(),
                        r.payload.clone(),
                    )
                })
        });
        let Some((record, at, offset, mime, Some(payload))) = found else {
            return Ok(None);
        };
        let (rec, path) = if payload.file == self.name {
            let read = super::replay::read_member(&self.open_path, payload.offset, payload.length)?;
            (read, self.open_path.clone())
        } else {
            self.archive
                .read(&payload.file, payload.offset as i64, payload.length as i64)?
        };
        let body = rec
            .http()
            .map_err(|message| ArchiveError::Record {
                path,
                offset: payload.offset,
                message,
            })?
            .payload;
        Ok(Some(super::backdated::ArchivedPage {
            body,
            mime,
            record: super::RecordRef {
                record,
                at,
                warc: self.name.clone(),
                offset,
            },
        }))
    }

    /// The site URL the capture is of, as the audit was given it.
    pub fn site_url(&self) -> &str {
        &self.site_url
    }

    /// When the capture started (RFC 3339, as stored in `archive_captures.started_at`).
    pub fn started_at(&self) -> String {
        self.started_at.to_rfc3339()
    }

    /// The records so far, by URL (for the findings to name before the capture is finished).
    pub fn index(&self) -> super::RecordIndex {
        let mut index = super::RecordIndex::default();
        if let Ok(guard) = self.inner.lock() {
            for row in guard.iter().flat_map(|i| i.rows.iter()) {
                if row.kind != "request" {
                    index.add(
                        &row.uri,
                        row.body_read,
                        super::RecordRef {
                            record: row.record_id.clone(),
                            at: row.fetched_at.clone(),
                            warc: self.name.clone(),
                            offset: row.offset,
                        },
                    );
                }
            }
        }
        index
    }

    /// Finish the capture: sync the file, rename it into place, sync the folder, then commit
    /// its index rows in one transaction. Returns the capture's id, or `None` when nothing
    /// could be archived (a write failed: the file is removed and the reason logged).
    ///
    /// # Errors
    ///
    /// [`ArchiveError::Io`] when the file cannot be synced or renamed, [`ArchiveError::Db`]
    /// when the index cannot be written (the renamed file then has no rows: harmless, and
    /// `archive prune` lists it).
    pub async fn finish(&self) -> Result<Option<i64>, ArchiveError> {
        let inner = self.inner.lock().ok().and_then(|mut g| g.take());
        let Some(inner) = inner else {
            return Ok(None);
        };
        let final_path = self.archive.dir.join(&self.name);
        let io = |path: &PathBuf| {
            let path = path.clone();
            move |source| ArchiveError::Io { path, source }
        };
        if let Some(reason) = &inner.failed {
            tracing::warn!(file = %self.open_path.display(), reason, "capture abandoned");
            let _ = std::fs::remove_file(&self.open_path);
            return Ok(None);
        }
        inner.file.sync_all().map_err(io(&self.open_path))?;
        drop(inner.file);
        std::fs::rename(&self.open_path, &final_path).map_err(io(&final_path))?;
        if let Some(folder) = final_path.parent() {
            // The rename is durable once the folder is synced (not possible on every OS).
            if let Ok(dir) = File::open(folder) {
                let _ = dir.sync_all();
            }
        }
        let mut tx = self.archive.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO archive_captures (site_url, as_of, started_at, finished_at, file, \
             bytes, records, bodies_skipped) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&self.site_url)
        .bind(self.as_of.to_string())
        .bind(self.started_at.to_rfc3339())
        .bind(Utc::now().to_rfc3339())
        .bind(&self.name)
        .bind(inner.written as i64)
        .bind(inner.rows.len() as i64)
        .bind(inner.bodies_skipped as i64)
        .fetch_one(&mut *tx)
        .await?;
        for (seq, row) in inner.rows.iter().enumerate() {
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
        Ok(Some(id))
    }
}
