//! A capture read back as answers: the fetcher of a re-evaluation asks for the same URLs, and
//! each request is answered with the archived exchange instead of going to the network.
//!
//! Exchanges are keyed by (method, URL, body read or not); repeated requests of one key (retries)
//! are answered in the order they were made, the last answer repeating once they run out. A
//! request the capture does not hold is looked up in the other captures of the check's round
//! (a link result the round shared: another site's audit checked it) — a robots.txt in any
//! capture up to this one's end (the live fetcher keeps robots.txt for the whole run) — and else
//! fails as [`FetchFailure::Other`] ("not in the archive"), counted in [`Replay::misses`].

use std::collections::{HashMap, VecDeque};
use std::io::{Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::db::RecordRow;
use super::warc::read_record;
use super::{Archive, ArchiveError};
use crate::fetch::FetchFailure;

/// An archived response, as the fetcher takes it.
#[derive(Debug, Clone)]
pub struct ReplayAnswer {
    /// HTTP status code as archived.
    pub status: u16,
    /// Response headers as archived.
    pub headers: HeaderMap,
    /// The archived body (the payload a revisit record points at, for a revisit).
    pub body: Vec<u8>,
    /// The body is incomplete: cut at `fetch.max_body_bytes` when fetched, or not kept past the
    /// capture's size cap (`WARC-Truncated: length`).
    pub truncated: bool,
}

type Key = (String, String, bool);
type Answer = Result<ReplayAnswer, FetchFailure>;

/// The answers of one or more captures.
#[derive(Debug)]
pub struct Replay {
    archive: Archive,
    queues: Mutex<HashMap<Key, VecDeque<Answer>>>,
    last: Mutex<HashMap<Key, Answer>>,
    /// Captures to look in when a request is not in the main one.
    fallback: Vec<i64>,
    /// The main capture's end (`WARC-Date` form): a robots.txt it lacks is the newest archived
    /// before it (the live fetcher had read it for an earlier site and kept it).
    until: String,
    misses: AtomicUsize,
}

impl Replay {
    /// Load every exchange of `capture`; `fallback` captures answer what it lacks.
    ///
    /// # Errors
    ///
    /// A database error, or an archived record that cannot be read (naming its file and
    /// offset).
    pub async fn load(
        archive: &Archive,
        capture: i64,
        fallback: Vec<i64>,
    ) -> Result<Replay, ArchiveError> {
        let rows = archive.record_rows(capture).await?;
        let finished = archive.capture_finished_at(capture).await?;
        let until = finished
            .and_then(|f| chrono::DateTime::parse_from_rfc3339(&f).ok())
            .map(|f| super::warc::warc_date(f.with_timezone(&chrono::Utc)))
            .unwrap_or_default();
        let mut queues: HashMap<Key, VecDeque<Answer>> = HashMap::new();
        for row in rows {
            let (key, answer) = archive.answer(row)?;
            queues.entry(key).or_default().push_back(answer);
        }
        Ok(Replay {
            archive: archive.clone(),
            queues: Mutex::new(queues),
            last: Mutex::new(HashMap::new()),
            fallback,
            until,
            misses: AtomicUsize::new(0),
        })
    }

    /// Requests the archive could not answer so far.
    pub fn misses(&self) -> usize {
        self.misses.load(Ordering::Relaxed)
    }

    /// The archived answer to `method url` (body read or not).
    pub async fn answer(&self, method: &str, url: &str, body_read: bool) -> Answer {
        let key = (method.to_string(), url.to_string(), body_read);
        if let Some(answer) = self.next(&key) {
            return answer;
        }
        match self.answer_from_fallback(&key).await {
            Ok(Some(answer)) => {
                if let Ok(mut last) = self.last.lock() {
                    last.insert(key, answer.clone());
                }
                answer
            }
            Ok(None) => self.miss(&key, "not in the archive"),
            Err(e) => self.miss(&key, &e.to_string()),
        }
    }

    fn next(&self, key: &Key) -> Option<Answer> {
        let popped = self
            .queues
            .lock()
            .ok()
            .and_then(|mut q| q.get_mut(key).and_then(VecDeque::pop_front));
        let mut last = self.last.lock().ok()?;
        match popped {
            Some(answer) => {
                last.insert(key.clone(), answer.clone());
                Some(answer)
            }
            None => last.get(key).cloned(),
        }
    }

    fn miss(&self, key: &Key, why: &str) -> Answer {
        self.misses.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(method = %key.0, url = %key.1, why, "request not answered from the archive");
        Err(FetchFailure::Other {
            message: format!("not in the archive: {} {}", key.0, key.1),
        })
    }

    async fn answer_from_fallback(&self, key: &Key) -> Result<Option<Answer>, ArchiveError> {
        let request = (key.0.as_str(), key.1.as_str(), key.2);
        if key.1.ends_with("/robots.txt") {
            let row = self
                .archive
                .newest_record_until(request, &self.until)
                .await?;
            if let Some(row) = row {
                return Ok(Some(self.archive.answer(row)?.1));
            }
        }
        if self.fallback.is_empty() {
            return Ok(None);
        }
        match self
            .archive
            .newest_record_in(request, &self.fallback)
            .await?
        {
            Some(row) => Ok(Some(self.archive.answer(row)?.1)),
            None => Ok(None),
        }
    }
}

impl Archive {
    /// Read a row's answer from its WARC records.
    fn answer(&self, row: RecordRow) -> Result<(Key, Answer), ArchiveError> {
        let RecordRow {
            uri,
            method,
            body_read,
            failure,
            kind,
            file,
            offset,
            length,
            payload_file: pfile,
            payload_offset: poff,
            payload_length: plen,
            truncated: cut,
        } = row;
        let key = (method, uri, body_read);
        if let Some(failure) = failure {
            let parsed = serde_json::from_str(&failure).map_err(|e| ArchiveError::Record {
                path: self.dir.join(&file),
                offset: offset as u64,
                message: format!("stored failure {failure:?} unreadable: {e}"),
            })?;
            return Ok((key, Err(parsed)));
        }
        let (head, path) = self.read(&file, offset, length)?;
        let bad = |message: String| ArchiveError::Record {
            path: path.clone(),
            offset: offset as u64,
            message,
        };
        if kind == "request" {
            return Err(bad(
                "a request record with no response and no failure".into()
            ));
        }
        let http = head.http().map_err(bad)?;
        let mut headers = HeaderMap::new();
        for (k, v) in &http.headers {
            if let (Ok(k), Ok(v)) = (HeaderName::try_from(k.as_str()), HeaderValue::try_from(v)) {
                headers.append(k, v);
            }
        }
        let body = match (kind.as_str(), pfile, poff, plen) {
            ("revisit", Some(pf), Some(po), Some(pl)) => {
                let (original, ppath) = self.read(&pf, po, pl)?;
                original
                    .http()
                    .map_err(|message| ArchiveError::Record {
                        path: ppath,
                        offset: po as u64,
                        message,
                    })?
                    .payload
            }
            ("revisit", ..) => return Err(bad("a revisit record with no original".into())),
            _ => http.payload,
        };
        let truncated = cut || head.header("WARC-Truncated") == Some("length");
        Ok((
            key,
            Ok(ReplayAnswer {
                status: http.status,
                headers,
                body,
                truncated,
            }),
        ))
    }

    /// Read and parse the record at `offset..offset+length` of `file` (relative to the folder).
    pub(super) fn read(
        &self,
        file: &str,
        offset: i64,
        length: i64,
    ) -> Result<(super::warc::RecordIn, std::path::PathBuf), ArchiveError> {
        let path = self.dir.join(file);
        let offset = u64::try_from(offset).unwrap_or(0);
        let length = u64::try_from(length).unwrap_or(0);
        Ok((read_member(&path, offset, length)?, path))
    }
}

/// Read and parse the record at `offset..offset+length` of the file at `path`.
pub(super) fn read_member(
    path: &std::path::Path,
    offset: u64,
    length: u64,
) -> Result<super::warc::RecordIn, ArchiveError> {
    let io = |source| ArchiveError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut member = vec![0u8; usize::try_from(length).unwrap_or(0)];
    f.seek(SeekFrom::Start(offset)).map_err(io)?;
    f.read_exact(&mut member).map_err(io)?;
    read_record(&member).map_err(|message| ArchiveError::Record {
        path: path.to_path_buf(),
        offset,
        message,
    })
}
