//! Evidence for people: a check's archived pages written as files that open in a browser
//! offline (`govaudit evidence CHECK_ID`).
//!
//! Each archived HTML page becomes `page-NNNN.html`, decoded to UTF-8 as the audit decoded it,
//! with a banner (存档于 time, 原网址, the WARC record), its links to other archived pages
//! rewritten to their files, and a Content-Security-Policy that runs no script and loads
//! nothing from the network (an archived page is the site's content, not ours to run).
//! `index.html` lists every page with its time and record.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, Utc};
use regex::Regex;
use url::Url;

use super::db::PageRow;
use super::{Archive, ArchiveError};
use crate::escape::html;
use crate::fetch::{decode_html, normalize};

/// One page written.
#[derive(Debug, Clone)]
pub struct EvidencePage {
    /// The page's URL as requested.
    pub url: String,
    /// When it was fetched (`WARC-Date`, UTC).
    pub fetched_at: String,
    /// `WARC-Record-ID` of the response (or revisit) record.
    pub record_id: String,
    /// The WARC file (relative to the archive folder) and the record's offset in it.
    pub warc: String,
    /// Byte offset of the record's gzip member in that file.
    pub offset: u64,
    /// The file written, relative to the output folder.
    pub file: String,
}

/// The archived HTML pages of a check that can be shown (a 2xx response whose body was read and
/// kept), the first capture of each URL (a later one is a retry of it), in the order fetched.
/// Empty when the check has no capture.
async fn shown_rows(archive: &Archive, check_id: i64) -> Result<Vec<PageRow>, ArchiveError> {
    let Some(capture) = archive.capture_of(check_id).await? else {
        return Ok(Vec::new());
    };
    let mut seen = std::collections::HashSet::new();
    Ok(archive
        .page_rows(capture)
        .await?
        .into_iter()
        .filter(|r| r.mime.as_deref().is_none_or(|m| m.contains("html")))
        .filter(|r| seen.insert(key_of(&r.uri)))
        .collect())
}

/// The archived pages of check `check_id` that can be shown, as (URL as requested,
/// `WARC-Record-ID`), in the order fetched; empty when the check was not archived (or its
/// capture was pruned). The console links a finding's evidence to these.
///
/// # Errors
///
/// A database error.
pub async fn pages(
    archive: &Archive,
    check_id: i64,
) -> Result<Vec<(String, String)>, ArchiveError> {
    Ok(shown_rows(archive, check_id)
        .await?
        .into_iter()
        .map(|r| (r.uri, r.record_id))
        .collect())
}

/// The key under which [`pages`] and a finding's evidence URL meet (the fetcher's
/// normalisation).
pub fn page_key(url: &str) -> String {
    key_of(url)
}

/// Read and render one archived page (banner, policy, links rewritten through `files`).
fn render(
    archive: &Archive,
    row: &PageRow,
    file: &str,
    files: &HashMap<String, String>,
) -> Result<(EvidencePage, String), ArchiveError> {
    let (record, path) = archive.read(&row.payload_file, row.payload_offset, row.payload_length)?;
    let http = record.http().map_err(|message| ArchiveError::Record {
        path,
        offset: row.payload_offset as u64,
        message,
    })?;
    let decoded = decode_html(&http.payload, row.mime.as_deref());
    let page = EvidencePage {
        url: row.uri.clone(),
        fetched_at: row.fetched_at.clone(),
        record_id: row.record_id.clone(),
        warc: row.file.clone(),
        offset: row.offset as u64,
        file: file.to_string(),
    };
    let html_out = offline_page(&decoded.text, &page, files);
    Ok((page, html_out))
}

/// One archived page of check `check_id`, the one whose `WARC-Record-ID` is `record_id`,
/// rendered as [`export`] writes it (存档于 banner, the policy that runs no script and loads
/// nothing, links to the check's other archived pages rewritten), those links pointing at
/// `link(record_id)` of the page linked to. `None` when the check has no such page.
///
/// # Errors
///
/// A database error, or a record that cannot be read (naming file and offset).
pub async fn page(
    archive: &Archive,
    check_id: i64,
    record_id: &str,
    link: impl Fn(&str) -> String,
) -> Result<Option<(EvidencePage, String)>, ArchiveError> {
    let rows = shown_rows(archive, check_id).await?;
    let Some(row) = rows.iter().find(|r| r.record_id == record_id) else {
        return Ok(None);
    };
    let files: HashMap<String, String> = rows
        .iter()
        .map(|r| (key_of(&r.uri), link(&r.record_id)))
        .collect();
    render(archive, row, &link(record_id), &files).map(Some)
}

/// Write the archived pages of check `check_id` (only `only_url`'s, when given) into `out`;
/// returns the pages written, `index.html` listing them.
///
/// # Errors
///
/// [`ArchiveError::NotArchived`] when the check has no capture (or none of its pages is
/// `only_url`), a record that cannot be read (naming file and offset), or a file that cannot
/// be written.
pub async fn export(
    archive: &Archive,
    check_id: i64,
    only_url: Option<&str>,
    out: &Path,
) -> Result<Vec<EvidencePage>, ArchiveError> {
    if archive.capture_of(check_id).await?.is_none() {
        return Err(ArchiveError::NotArchived { check_id });
    }
    let rows = shown_rows(archive, check_id).await?;
    let mut files: HashMap<String, String> = HashMap::new();
    let mut pages = Vec::new();
    for row in &rows {
        let file = format!("page-{:04}.html", files.len() + 1);
        files.insert(key_of(&row.uri), file.clone());
        pages.push((row, file));
    }
    if let Some(only) = only_url {
        let key = key_of(only);
        pages.retain(|(row, _)| key_of(&row.uri) == key);
        if pages.is_empty() {
            return Err(ArchiveError::BadCheck {
                check_id,
                message: format!("no archived page of {only}"),
            });
        }
    }
    let io = |path: PathBuf| move |source| ArchiveError::Io { path, source };
    std::fs::create_dir_all(out).map_err(io(out.to_path_buf()))?;
    let mut written = Vec::new();
    for (row, file) in pages {
        let (page, html_out) = render(archive, row, &file, &files)?;
        let target = out.join(&file);
        std::fs::write(&target, html_out).map_err(io(target.clone()))?;
        written.push(page);
    }
    let index = out.join("index.html");
    std::fs::write(&index, index_page(check_id, &written)).map_err(io(index.clone()))?;
    Ok(written)
}

fn key_of(url: &str) -> String {
    Url::parse(url)
        .map(|u| normalize(&u).to_string())
        .unwrap_or_else(|_| url.to_string())
}

/// The Beijing date of a `WARC-Date` (RFC 3339).
pub fn beijing_day(warc_date: &str) -> Option<chrono::NaiveDate> {
    let tz = FixedOffset::east_opt(8 * 3600)?;
    DateTime::parse_from_rfc3339(warc_date)
        .ok()
        .map(|t| t.with_timezone(&tz).date_naive())
}

/// `2018年03月01日 08:00:00（北京时间）`.
pub fn beijing_time(warc_date: &str) -> String {
    let beijing = FixedOffset::east_opt(8 * 3600);
    match (DateTime::parse_from_rfc3339(warc_date), beijing) {
        (Ok(t), Some(tz)) => t
            .with_timezone(&Utc)
            .with_timezone(&tz)
            .format("%Y年%m月%d日 %H:%M:%S（北京时间）")
            .to_string(),
        _ => warc_date.to_string(),
    }
}

/// The policy of an archived page: no script runs, nothing loads from the network (in the page
/// as a `<meta>`, and as a header where the console serves it).
pub const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const HEAD: &str = "<meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">";

fn banner(page: &EvidencePage) -> String {
    format!(
        "<div style=\"all:initial;display:block;position:sticky;top:0;z-index:2147483647;\
         background:#fff3cd;color:#000;border-bottom:2px solid #c00;padding:6px 10px;\
         font:14px sans-serif\">存档于 {}　原网址 {}　存档记录 {}（{} 第 {} 字节）</div>",
        html::text(&beijing_time(&page.fetched_at)),
        html::text(&page.url),
        html::text(&page.record_id),
        html::text(&page.warc),
        page.offset
    )
}

/// The page with the charset and policy first, the banner after `<body>` (or first), and its
/// links to archived pages pointing at their files.
fn offline_page(text: &str, page: &EvidencePage, files: &HashMap<String, String>) -> String {
    let base = Url::parse(&page.url).ok();
    let links = link_regex();
    let rewritten = links.replace_all(text, |c: &regex::Captures<'_>| {
        let whole = c.get(0).map_or("", |m| m.as_str());
        let value = c.get(3).or_else(|| c.get(4)).map_or("", |m| m.as_str());
        let target = base.as_ref().and_then(|b| b.join(value.trim()).ok());
        match target.and_then(|t| files.get(&normalize(&t).to_string())) {
            Some(file) => format!("{}=\"{}\"", &c[1], file),
            None => whole.to_string(),
        }
    });
    let body = body_regex();
    let with_banner = match body.find(&rewritten) {
        Some(m) => format!(
            "{}{}{}",
            &rewritten[..m.end()],
            banner(page),
            &rewritten[m.end()..]
        ),
        None => format!("{}{}", banner(page), rewritten),
    };
    format!("{HEAD}\n{with_banner}")
}

// Fixed patterns (not input): they compile, as the unit test below shows.
fn link_regex() -> Regex {
    Regex::new(r#"(?i)\b(href|src)\s*=\s*("([^"]*)"|'([^']*)')"#).expect("fixed pattern")
}

fn body_regex() -> Regex {
    Regex::new(r"(?i)<body\b[^>]*>").expect("fixed pattern")
}

fn index_page(check_id: i64, pages: &[EvidencePage]) -> String {
    let mut rows = String::new();
    for p in pages {
        rows.push_str(&format!(
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{} @ {}</td></tr>\n",
            html::text(&p.file),
            html::text(&p.url),
            html::text(&beijing_time(&p.fetched_at)),
            html::text(&p.record_id),
            html::text(&p.warc),
            p.offset
        ));
    }
    format!(
        "{HEAD}\n<title>检查 {check_id} 存档页面</title>\n<h1>检查 {check_id} 存档页面</h1>\n\
         <table border=\"1\" cellpadding=\"4\"><tr><th>原网址</th><th>存档时间</th>\
         <th>存档记录</th><th>WARC 文件 @ 字节</th></tr>\n{rows}</table>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_carries_the_policy_the_console_sends() {
        assert!(HEAD.contains(&format!("content=\"{POLICY}\"")), "{HEAD}");
    }

    #[test]
    fn links_to_archived_pages_are_rewritten_and_the_banner_follows_body() {
        let page = EvidencePage {
            url: "http://www.example.gov.cn/index.html".into(),
            fetched_at: "2018-03-01T00:30:00Z".into(),
            record_id: "<urn:uuid:x>".into(),
            warc: "2018-03/a.warc.gz".into(),
            offset: 10,
            file: "page-0001.html".into(),
        };
        let mut files = HashMap::new();
        files.insert(
            key_of("http://www.example.gov.cn/gzdt/"),
            "page-0002.html".to_string(),
        );
        let out = offline_page(
            "<html><BODY class=x><a href='gzdt/'>工作动态</a><a href=\"/other\">x</a></body>",
            &page,
            &files,
        );
        assert!(out.starts_with("<meta charset=\"utf-8\">"), "{out}");
        assert!(out.contains("href=\"page-0002.html\""), "{out}");
        assert!(out.contains("href=\"/other\""), "{out}");
        let banner_at = out
            .find("存档于 2018年03月01日 08:30:00（北京时间）")
            .expect("banner");
        assert!(
            banner_at > out.find("<BODY class=x>").expect("body"),
            "{out}"
        );
        assert!(out.contains("原网址 http://www.example.gov.cn/index.html"));
    }
}
