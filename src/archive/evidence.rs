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
    let capture = archive
        .capture_of(check_id)
        .await?
        .ok_or(ArchiveError::NotArchived { check_id })?;
    let rows: Vec<PageRow> = archive
        .page_rows(capture)
        .await?
        .into_iter()
        .filter(|r| r.mime.as_deref().is_none_or(|m| m.contains("html")))
        .collect();
    // The first capture of each URL is the one shown (a later one is a retry of it).
    let mut files: HashMap<String, String> = HashMap::new();
    let mut pages = Vec::new();
    for row in &rows {
        let key = key_of(&row.uri);
        if files.contains_key(&key) {
            continue;
        }
        let file = format!("page-{:04}.html", files.len() + 1);
        files.insert(key, file.clone());
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
        let (record, path) =
            archive.read(&row.payload_file, row.payload_offset, row.payload_length)?;
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
            file: file.clone(),
        };
        let html_out = offline_page(&decoded.text, &page, &files);
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
