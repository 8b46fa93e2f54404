//! Which archived record supports a finding: each URL an audit read, mapped to the record that
//! holds its response (the page as read, or a link check's answer), for the JSON and reports
//! to name beside the evidence.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::SqlitePool;
use url::Url;

use super::db::IndexRow;
use super::{Archive, ArchiveError};
use crate::fetch::normalize;

/// An archived record, as a finding names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordRef {
    /// `WARC-Record-ID` of the response (or revisit) record.
    pub record: String,
    /// When it was fetched (`WARC-Date`).
    pub at: String,
    /// The WARC file, relative to the archive folder, and the record's byte offset in it.
    pub warc: String,
    /// Byte offset of the record's gzip member in that file.
    pub offset: u64,
}

impl RecordRef {
    /// The record as a document names it beside the evidence (存档记录): when it was fetched,
    /// in Beijing time, and its record id, in the words of the evidence page's banner and of
    /// the check's text report: `2018年03月01日 08:00:00（北京时间） <urn:uuid:…>`. The WARC
    /// file and offset stay in the JSON (`archived`), for tools; `govaudit evidence` and the
    /// console find a record by its id. Plain text, escaped by each renderer.
    pub fn name(&self) -> String {
        format!(
            "{} {}",
            super::evidence::beijing_time(&self.at),
            self.record
        )
    }
}

/// Records by normalised URL: the first response to a page read for its body, else the first
/// response to any request of it (a link check).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordIndex {
    pages: BTreeMap<String, RecordRef>,
    others: BTreeMap<String, RecordRef>,
}

impl RecordIndex {
    /// Add a response record of `uri` (in order of the exchanges).
    pub(super) fn add(&mut self, uri: &str, body_read: bool, record: RecordRef) {
        let key = key(uri);
        let map = if body_read {
            &mut self.pages
        } else {
            &mut self.others
        };
        map.entry(key).or_insert(record);
    }

    /// The record supporting evidence about `url`.
    pub fn get(&self, url: &str) -> Option<&RecordRef> {
        let key = key(url);
        self.pages.get(&key).or_else(|| self.others.get(&key))
    }

    /// Whether nothing is indexed (the audit was not archived).
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty() && self.others.is_empty()
    }

    /// The index of a stored capture.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn load(archive: &Archive, capture: i64) -> Result<RecordIndex, ArchiveError> {
        Ok(Self::of_rows(archive.index_rows(capture).await?))
    }

    /// The index of the capture of stored check `check_id`, for documents built from the
    /// database (通报, 自查报告) to name the record behind each evidence item as the live JSON
    /// does: the same records, by the same URL key. Empty when the check was not archived
    /// (`--no-archive`, before the archive existed) or its capture was pruned.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn for_check(pool: &SqlitePool, check_id: i64) -> Result<RecordIndex, ArchiveError> {
        Ok(Self::of_rows(
            super::db::check_index_rows(pool, check_id).await?,
        ))
    }

    fn of_rows(rows: Vec<IndexRow>) -> RecordIndex {
        let mut index = RecordIndex::default();
        for row in rows {
            index.add(
                &row.uri,
                row.body_read,
                RecordRef {
                    record: row.record_id,
                    at: row.fetched_at,
                    warc: row.file,
                    offset: u64::try_from(row.offset).unwrap_or(0),
                },
            );
        }
        index
    }
}

fn key(url: &str) -> String {
    Url::parse(url)
        .map(|u| normalize(&u).to_string())
        .unwrap_or_else(|_| url.to_string())
}
