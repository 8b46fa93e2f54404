//! One audit's WARC file: records appended as the fetcher makes its requests, the index rows
//! kept in memory until [`Capture::finish`] syncs and renames the file and commits them.

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use reqwest::header::HeaderMap;
use url::Url;

use super::warc::{sha1_digest, warc_date, RecordOut, REVISIT_PROFILE};
use super::{Archive, ArchiveError};
use crate::fetch::FetchFailure;

/// One HTTP exchange as the fetcher made it.
#[derive(Debug)]
pub struct Exchange<'a> {
    pub method: &'a str,
    pub url: &'a Url,
    /// The body was asked for (a page), not only the status (a link check).
    pub body_read: bool,
    /// Request headers sent (besides those the HTTP library adds).
    pub request_headers: Vec<(String, String)>,
    pub at: DateTime<Utc>,
    pub outcome: Result<Response<'a>, &'a FetchFailure>,
}

/// A response as far as it was read.
#[derive(Debug)]
pub struct Response<'a> {
    pub status: u16,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// The body was cut at `fetch.max_body_bytes`.
    pub truncated: bool,
}

/// Where an archived payload is.
#[derive(Debug, Clone)]
struct PayloadRef {
    record_id: String,
    uri: String,
    fetched_at: String,
    file: String,
    offset: u64,
    length: u64,
}

/// An index row, committed when the capture finishes.
#[derive(Debug)]
struct Row {
    uri: String,
    method: String,
    body_read: bool,
    fetched_at: String,
    status: Option<u16>,
    failure: Option<String>,
    kind: &'static str,
    record_id: String,
    digest: Option<String>,
    mime: Option<String>,
    truncated: bool,
    offset: u64,
    length: u64,
    payload: Option<PayloadRef>,
    /// The payload is new (this row's own record): add it to `archive_payloads`.
    new_payload: bool,
}

#[derive(Debug)]
struct Inner {
    file: File,
    written: u64,
    rows: Vec<Row>,
    /// Payloads archived in this capture, by digest.
    digests: HashMap<String, PayloadRef>,
    bodies_skipped: u64,
    /// A write failed: the capture is abandoned (its file removed at finish, no rows).
    failed: Option<String>,
}

/// One audit's capture (see the module doc of [`crate::archive`]).
#[derive(Debug)]
pub struct Capture {
    archive: Archive,
    site_url: String,
    as_of: NaiveDate,
    started_at: DateTime<Utc>,
    /// Path relative to the archive folder, once finished.
    name: String,
    open_path: PathBuf,
    inner: Mutex<Option<Inner>>,
}

impl Archive {
    /// Start the capture of an audit of `site` as of `as_of`: a new `.open` file in the
    /// month's folder.
    ///
    /// # Errors
    ///
    /// [`ArchiveError::Io`] when the file cannot be created.
    pub fn begin(&self, site: &Url, as_of: NaiveDate) -> Result<Arc<Capture>, ArchiveError> {
        let started_at = Utc::now();
        let month = started_at.format("%Y-%m").to_string();
        let host: String = site
            .host_str()
            .unwrap_or("site")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let tag: u32 = rand::random();
        let name = format!(
            "{month}/{}-{host}-{tag:08x}.warc.gz",
            started_at.format("%Y%m%dT%H%M%S")
        );
        let final_path = self.dir.join(&name);
        let open_path = final_path.with_extension("gz.open");
        let io = |source| ArchiveError::Io {
            path: open_path.clone(),
            source,
        };
        std::fs::create_dir_all(self.dir.join(&month)).map_err(io)?;
        let file = File::options()
            .create_new(true)
            .append(true)
            .open(&open_path)
            .map_err(io)?;
        Ok(Arc::new(Capture {
            archive: self.clone(),
            site_url: site.to_string(),
            as_of,
            started_at,
            name,
            open_path,
            inner: Mutex::new(Some(Inner {
                file,
                written: 0,
                rows: Vec::new(),
                digests: HashMap::new(),
                bodies_skipped: 0,
                failed: None,
            })),
        }))
    }
}

/// `HTTP/1.1 200 OK` and the headers, as archived. `Transfer-Encoding` is kept under another
/// name: the body archived is de-chunked (and decompressed, when the client undid a
/// `Content-Encoding`, which it then removed), and a reader must not undo it again.
fn http_head(status: u16, headers: &HeaderMap) -> Vec<u8> {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut out = format!("HTTP/1.1 {status} {reason}\r\n").into_bytes();
    for (name, value) in headers {
        let name = name.as_str();
        if name.eq_ignore_ascii_case("transfer-encoding") {
            out.extend_from_slice(b"X-Archive-Orig-Transfer-Encoding");
        } else {
            out.extend_from_slice(name.as_bytes());
        }
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn request_block(method: &str, url: &Url, headers: &[(String, String)]) -> Vec<u8> {
    let mut target = url.path().to_string();
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }
    let host = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    };
    let mut out = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\n").into_bytes();
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out
}

impl Capture {
    /// Append the records of one exchange: `response` (or `revisit` when the payload was
    /// archived before) then its `request`; a failed exchange has its `request` only.
    pub async fn record(&self, ex: Exchange<'_>) {
        let digest = match &ex.outcome {
            Ok(r) if !r.body.is_empty() => Some(sha1_digest(r.body)),
            _ => None,
        };
        // Payloads of earlier captures (committed, so their files are complete).
        let earlier = match &digest {
            Some(d) if !self.seen_here(d) => self.lookup(d).await,
            _ => None,
        };
        let Ok(mut guard) = self.inner.lock() else {
            return;
        };
        let Some(inner) = guard.as_mut() else {
            return;
        };
        if inner.failed.is_some() {
            return;
        }
        if let Err(e) = self.append(inner, &ex, digest, earlier) {
            tracing::warn!(file = %self.open_path.display(), error = %e, "cannot archive a response; this audit's capture is abandoned");
            inner.failed = Some(e.to_string());
        }
    }

    fn seen_here(&self, digest: &str) -> bool {
        self.inner
            .lock()
            .ok()
            .and_then(|g| g.as_ref().map(|i| i.digests.contains_key(digest)))
            .unwrap_or(false)
    }

    async fn lookup(&self, digest: &str) -> Option<PayloadRef> {
        let row: Option<(String, String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT record_id, uri, fetched_at, file, offset, length FROM archive_payloads \
             WHERE digest = ?",
        )
        .bind(digest)
        .fetch_optional(&self.archive.pool)
        .await
        .inspect_err(|e| tracing::warn!(error = %e, "cannot read the archive's payload index"))
        .ok()
        .flatten();
        row.map(
            |(record_id, uri, fetched_at, file, offset, length)| PayloadRef {
                record_id,
                uri,
                fetched_at,
                file,
                offset: offset as u64,
                length: length as u64,
            },
        )
    }

    fn append(
        &self,
        inner: &mut Inner,
        ex: &Exchange<'_>,
        digest: Option<String>,
        earlier: Option<PayloadRef>,
    ) -> std::io::Result<()> {
        let uri = ex.url.as_str();
        let fetched_at = warc_date(ex.at);
        let request = RecordOut::new("request", uri, ex.at)
            .header("Content-Type", "application/http; msgtype=request");
        let mut request = request;
        request.block = request_block(ex.method, ex.url, &ex.request_headers);
        let mut row = Row {
            uri: uri.to_string(),
            method: ex.method.to_string(),
            body_read: ex.body_read,
            fetched_at: fetched_at.clone(),
            status: None,
            failure: None,
            kind: "request",
            record_id: request.record_id.clone(),
            digest: None,
            mime: None,
            truncated: false,
            offset: 0,
            length: 0,
            payload: None,
            new_payload: false,
        };
        let response = match &ex.outcome {
            Err(failure) => {
                row.failure = serde_json::to_string(failure).ok();
                None
            }
            Ok(r) => Some(r),
        };
        if let Some(r) = response {
            row.status = Some(r.status);
            row.mime = r
                .headers
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let head = http_head(r.status, r.headers);
            let over_cap = inner.written + r.body.len() as u64 > self.archive.max_site_bytes;
            let same = digest
                .as_ref()
                .and_then(|d| inner.digests.get(d).cloned().or_else(|| earlier.clone()));
            let mut rec = match (&digest, same) {
                (Some(d), Some(original)) => {
                    let mut rec = RecordOut::new("revisit", uri, ex.at)
                        .header("Content-Type", "application/http; msgtype=response")
                        .header("WARC-Profile", REVISIT_PROFILE)
                        .header("WARC-Refers-To", original.record_id.clone())
                        .header("WARC-Refers-To-Target-URI", original.uri.clone())
                        .header("WARC-Refers-To-Date", original.fetched_at.clone())
                        .header("WARC-Payload-Digest", d.clone());
                    rec.block = head;
                    row.kind = "revisit";
                    row.payload = Some(original);
                    rec
                }
                (Some(d), None) if !over_cap => {
                    let mut rec = RecordOut::new("response", uri, ex.at)
                        .header("Content-Type", "application/http; msgtype=response")
                        .header("WARC-Payload-Digest", d.clone());
                    if r.truncated {
                        rec = rec.header("WARC-Truncated", "length");
                    }
                    rec.block = head;
                    rec.block.extend_from_slice(r.body);
                    row.kind = "response";
                    row.new_payload = true;
                    rec
                }
                _ => {
                    let mut rec = RecordOut::new("response", uri, ex.at)
                        .header("Content-Type", "application/http; msgtype=response");
                    if over_cap && !r.body.is_empty() {
                        inner.bodies_skipped += 1;
                        rec = rec.header("WARC-Truncated", "length");
                        row.truncated = true;
                    } else if !ex.body_read && ex.method != "HEAD" {
                        // A link check reads the status only.
                        rec = rec.header("WARC-Truncated", "unspecified");
                    }
                    rec.block = head;
                    row.kind = "response";
                    rec
                }
            };
            rec = rec.header("WARC-Concurrent-To", request.record_id.clone());
            row.digest = digest.clone();
            row.truncated |= r.truncated;
            row.record_id = rec.record_id.clone();
            let member = rec.to_gzip()?;
            row.offset = inner.written;
            row.length = member.len() as u64;
            inner.file.write_all(&member)?;
            inner.written += row.length;
            if row.new_payload {
                let payload = PayloadRef {
                    record_id: row.record_id.clone(),
                    uri: row.uri.clone(),
                    fetched_at: fetched_at.clone(),
                    file: self.name.clone(),
                    offset: row.offset,
                    length: row.length,
                };
                if let Some(d) = &digest {
                    inner.digests.insert(d.clone(), payload.clone());
                }
                row.payload = Some(payload);
            }
            request = request.header("WARC-Concurrent-To", row.record_id.clone());
        }
        let member = request.to_gzip()?;
        if response.is_none() {
            row.offset = inner.written;
            row.length = member.len() as u64;
        }
        inner.file.write_all(&member)?;
        inner.written += member.len() as u64;
        inner.rows.push(row);
        Ok(())
    }

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

impl Drop for Capture {
    /// A capture dropped unfinished (its audit was cancelled) leaves no `.open` file behind.
    fn drop(&mut self) {
        if let Ok(mut g) = self.inner.lock() {
            if g.take().is_some() {
                let _ = std::fs::remove_file(&self.open_path);
            }
        }
    }
}
