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
    /// HTTP method (`GET`, `HEAD`).
    pub method: &'a str,
    /// The URL requested.
    pub url: &'a Url,
    /// The body was asked for (a page), not only the status (a link check).
    pub body_read: bool,
    /// Request headers sent (besides those the HTTP library adds).
    pub request_headers: Vec<(String, String)>,
    /// When the request was sent (after the politeness wait): the `WARC-Date`.
    pub at: DateTime<Utc>,
    /// The response, or why there was none (DNS, connection, timeout …).
    pub outcome: Result<Response<'a>, &'a FetchFailure>,
}

/// A response as far as it was read.
#[derive(Debug)]
pub struct Response<'a> {
    /// HTTP status code.
    pub status: u16,
    /// Response headers as received.
    pub headers: &'a HeaderMap,
    /// The body as read: empty when not asked for or the status was not 2xx.
    pub body: &'a [u8],
    /// The body was cut at `fetch.max_body_bytes`.
    pub truncated: bool,
}

/// Where an archived payload is.
#[derive(Debug, Clone)]
pub(super) struct PayloadRef {
    pub(super) record_id: String,
    pub(super) uri: String,
    pub(super) fetched_at: String,
    pub(super) file: String,
    pub(super) offset: u64,
    pub(super) length: u64,
}

/// An index row, committed when the capture finishes.
#[derive(Debug)]
pub(super) struct Row {
    pub(super) uri: String,
    pub(super) method: String,
    pub(super) body_read: bool,
    pub(super) fetched_at: String,
    pub(super) status: Option<u16>,
    pub(super) failure: Option<String>,
    pub(super) kind: &'static str,
    pub(super) record_id: String,
    pub(super) digest: Option<String>,
    pub(super) mime: Option<String>,
    pub(super) truncated: bool,
    pub(super) offset: u64,
    pub(super) length: u64,
    pub(super) payload: Option<PayloadRef>,
    /// The payload is new (this row's own record): add it to `archive_payloads`.
    pub(super) new_payload: bool,
}

#[derive(Debug)]
pub(super) struct Inner {
    pub(super) file: File,
    pub(super) written: u64,
    pub(super) rows: Vec<Row>,
    /// Payloads archived in this capture, by digest.
    pub(super) digests: HashMap<String, PayloadRef>,
    pub(super) bodies_skipped: u64,
    /// A write failed: the capture is abandoned (its file removed at finish, no rows).
    pub(super) failed: Option<String>,
}

/// One audit's capture (see the module doc of [`crate::archive`]).
#[derive(Debug)]
pub struct Capture {
    pub(super) archive: Archive,
    pub(super) site_url: String,
    pub(super) as_of: NaiveDate,
    pub(super) started_at: DateTime<Utc>,
    /// Path relative to the archive folder, once finished.
    pub(super) name: String,
    pub(super) open_path: PathBuf,
    pub(super) inner: Mutex<Option<Inner>>,
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
        self.archive
            .payload(digest)
            .await
            .inspect_err(|e| tracing::warn!(error = %e, "cannot read the archive's payload index"))
            .ok()
            .flatten()
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
            let mut payload: &[u8] = &[];
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
                    payload = r.body;
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
            let member = rec.to_gzip_with(payload)?;
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
