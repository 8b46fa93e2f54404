//! 疑似伪造发稿日期 from captures (issue 15's second sign, possible once pages are archived): a
//! list item that a column page shows for the first time in this capture, while the site's
//! previous archived capture of the same column page did not list it, yet dated *before* that
//! capture was taken. An item dated before it would have been listed then, had it existed.
//!
//! Both column pages are read again from the archive (this capture's and the earlier one's) and
//! analysed with the audit's own page analysis, so the comparison is the same live and in a
//! re-evaluation. An item older than everything the earlier page listed is not compared: the
//! earlier page may simply have shown fewer rows (pagination), not missed it.

use std::collections::HashSet;

use chrono::NaiveDate;
use url::Url;

use super::{Archive, ArchiveError, Capture, RecordRef};
use crate::analysis::{analyze_body_with, ParseLimits};
use crate::fetch::{decode_html, normalize};
use crate::observation::{BackdatedItem, Observation};
use crate::rules::RuleSet;

/// A page as archived.
#[derive(Debug, Clone)]
pub struct ArchivedPage {
    /// The body as archived (bytes, not yet decoded from the page's charset).
    pub body: Vec<u8>,
    /// The response's `Content-Type`, when it had one.
    pub mime: Option<String>,
    /// The record holding it.
    pub record: RecordRef,
}

/// Where this capture's pages are read from: the capture being written, or a stored one.
#[derive(Debug, Clone, Copy)]
pub enum Current<'a> {
    /// The capture still being written by the running audit.
    Live(&'a Capture),
    /// A finished capture, by its id in `archive_captures`.
    Stored(i64),
}

fn key(url: &Url) -> String {
    normalize(url).to_string()
}

/// Items of the column pages of `obs` new since the site's previous capture yet dated before
/// it. `site_url` and `started_at` are this capture's; `earlier_as_of` parsing uses each
/// capture's own as-of date.
///
/// # Errors
///
/// A database error or an unreadable archived record.
pub async fn find(
    archive: &Archive,
    current: Current<'_>,
    site_url: &str,
    started_at: &str,
    obs: &Observation,
    rules: &RuleSet,
    limits: ParseLimits,
) -> Result<Vec<BackdatedItem>, ArchiveError> {
    let Some(earlier) = archive.earlier_capture(site_url, started_at).await? else {
        return Ok(Vec::new());
    };
    let earlier_as_of = archive
        .capture_as_of(earlier)
        .await?
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .unwrap_or(obs.as_of);
    let mut found = Vec::new();
    for column in obs.columns.iter().filter(|c| c.error.is_none()) {
        let Ok(page_url) = Url::parse(&column.url) else {
            continue;
        };
        let now = match current {
            Current::Live(capture) => capture.page(&column.url)?,
            Current::Stored(id) => archive.page_in(id, &column.url).await?,
        };
        let (Some(now), Some(then)) = (now, archive.page_in(earlier, &column.url).await?) else {
            continue;
        };
        let Some(then_day) = super::evidence::beijing_day(&then.record.at) else {
            continue;
        };
        let parse = |page: &ArchivedPage, as_of: NaiveDate| {
            let html = decode_html(&page.body, page.mime.as_deref()).text;
            analyze_body_with(&html, &page_url, as_of, &rules.vocabulary, limits).items
        };
        let then_items =
            crate::crawl::cpu::analyse(then.body.len(), || parse(&then, earlier_as_of)).await;
        let now_items = crate::crawl::cpu::analyse(now.body.len(), || parse(&now, obs.as_of)).await;
        let listed: HashSet<String> = then_items
            .iter()
            .filter_map(|i| i.url.as_ref().map(key))
            .collect();
        let Some(oldest_then) = then_items.iter().filter_map(|i| i.date).min() else {
            continue;
        };
        for item in &now_items {
            let (Some(url), Some(date)) = (&item.url, item.date) else {
                continue;
            };
            if listed.contains(&key(url)) || date >= then_day || date < oldest_then {
                continue;
            }
            found.push(BackdatedItem {
                title: item.title.clone(),
                url: url.to_string(),
                date,
                column: column.name.clone(),
                page: column.url.clone(),
                earlier_record: then.record.record.clone(),
                earlier_at: then.record.at.clone(),
                earlier_warc: then.record.warc.clone(),
                record: now.record.record.clone(),
                at: now.record.at.clone(),
                warc: now.record.warc.clone(),
            });
        }
    }
    Ok(found)
}

impl Archive {
    /// The first archived 2xx page read of `url` in capture `capture`.
    ///
    /// # Errors
    ///
    /// A database error or an unreadable record (naming file and offset).
    pub async fn page_in(
        &self,
        capture: i64,
        url: &str,
    ) -> Result<Option<ArchivedPage>, ArchiveError> {
        let Some(row) = self.page_row(capture, url).await? else {
            return Ok(None);
        };
        let (rec, path) = self.read(&row.payload_file, row.payload_offset, row.payload_length)?;
        let body = rec
            .http()
            .map_err(|message| ArchiveError::Record {
                path,
                offset: u64::try_from(row.payload_offset).unwrap_or(0),
                message,
            })?
            .payload;
        Ok(Some(ArchivedPage {
            body,
            mime: row.mime,
            record: RecordRef {
                record: row.record_id,
                at: row.fetched_at,
                warc: row.file,
                offset: u64::try_from(row.offset).unwrap_or(0),
            },
        }))
    }
}
