//! Finishing a capture (its file synced and renamed, then its index rows committed) and reading
//! it back before it is finished (the findings name its records; the 疑似伪造发稿日期 comparison
//! reads its column pages).

use std::fs::File;
use std::path::PathBuf;

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
        let id = self
            .archive
            .insert_capture(self, &inner.rows, inner.written, inner.bodies_skipped)
            .await?;
        Ok(Some(id))
    }
}
