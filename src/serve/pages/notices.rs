//! 通报 (`/notices`): the quarterly or round notice in every format of [`crate::render`]
//! (DOCX, XLSX, HTML, Markdown, JSON, CSV), built on request from the stored rounds. For the
//! office only.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::super::auth::Auth;
use super::super::{render, App};
use super::overview::quarter_of;
use crate::documents::{Notice, NoticeError, NoticeSettings};
use crate::render::csv::CsvTable;
use crate::stats::Quarter;

/// MIME type of DOCX.
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
/// MIME type of XLSX.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A download: `Content-Disposition: attachment` with the file name (RFC 5987 for Chinese).
pub fn attachment(name: &str, mime: &str, body: Vec<u8>) -> Response {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /notices`.
pub async fn page(State(app): State<Arc<App>>, auth: Auth) -> Response {
    if let Err(r) = auth.admin_only(&app) {
        return r;
    }
    let all = match app.cache.rounds(&app.store).await {
        Ok(v) => v,
        Err(e) => return app.fail(Some(&auth.0), e),
    };
    let quarters: BTreeSet<(i32, u8)> = all
        .iter()
        .filter_map(|r| quarter_of(&r.month))
        .map(|q| (q.year, q.q))
        .collect();
    let quarters: Vec<_> = quarters
        .into_iter()
        .rev()
        .filter_map(|(y, q)| Quarter::new(y, q).ok())
        .map(|q| minijinja::context! { key => format!("{}Q{}", q.year, q.q), label => q.label() })
        .collect();
    let round_rows: Vec<_> = all
        .iter()
        .rev()
        .map(|r| {
            minijinja::context! {
                id => r.id, kind => r.kind.label(), month => r.month.clone(),
                sites => r.sites, done => r.done, failed => r.failed,
            }
        })
        .collect();
    render::page(
        &app.env,
        "notices.html",
        Some(&auth.0),
        minijinja::context! {
            active => "notices",
            quarters => quarters,
            rounds => round_rows,
            formats => [
                ("docx", "Word（DOCX）"), ("xlsx", "Excel（XLSX）"), ("html", "网页（HTML）"),
                ("md", "Markdown"), ("json", "JSON"), ("csv", "CSV（问题网站）"),
            ],
        },
    )
}

/// `?quarter=2018Q1` or `?round=ID`, and `format`.
#[derive(Debug, Deserialize)]
pub struct Download {
    pub quarter: Option<String>,
    pub round: Option<i64>,
    pub format: String,
    /// CSV only: sites, units or detail.
    pub table: Option<String>,
}

/// `GET /notices/download`.
pub async fn download(
    State(app): State<Arc<App>>,
    auth: Auth,
    Query(d): Query<Download>,
) -> Response {
    if let Err(r) = auth.admin_only(&app) {
        return r;
    }
    let user = &auth.0;
    let settings = NoticeSettings {
        stats: app.cfg.stats,
        date: None,
        office: app.cfg.notice.clone(),
        reevaluated: false,
    };
    let (built, stem) = match (d.round, d.quarter.as_deref()) {
        (Some(id), _) => (
            Notice::for_round(&app.store, id, &settings, &app.templates).await,
            format!("通报-第{id}轮"),
        ),
        (None, Some(q)) => match q.parse::<Quarter>() {
            Ok(q) => (
                Notice::for_quarter(&app.store, &q, &settings, &app.templates).await,
                format!("通报-{}Q{}", q.year, q.q),
            ),
            Err(e) => return super::bad_request(&app, user, &format!("季度格式有误：{e}")),
        },
        (None, None) => return super::bad_request(&app, user, "请指定季度或轮次。"),
    };
    let n = match built {
        Ok(n) => n,
        Err(NoticeError::NotFound(m)) => return super::missing(&app, &auth, &m),
        Err(e) => return app.fail(Some(user), e),
    };
    let text = |ext: &str, mime: &str, body: String| {
        attachment(&format!("{stem}.{ext}"), mime, body.into_bytes())
    };
    let result = match d.format.as_str() {
        "docx" => crate::render::docx::render_notice(&n)
            .map(|b| attachment(&format!("{stem}.docx"), DOCX, b)),
        "xlsx" => crate::render::xlsx::render_notice(&n)
            .map(|b| attachment(&format!("{stem}.xlsx"), XLSX, b)),
        "html" => Ok(text(
            "html",
            "text/html; charset=utf-8",
            crate::render::html::render_notice(&n),
        )),
        "md" => Ok(text(
            "md",
            "text/markdown; charset=utf-8",
            crate::render::markdown::render_notice(&n),
        )),
        "json" => crate::render::json::render_notice(&n)
            .map(|j| text("json", "application/json", j + "\n")),
        "csv" => {
            let table = match d.table.as_deref() {
                Some("units") => CsvTable::Units,
                Some("detail") => CsvTable::Detail,
                _ => CsvTable::Sites,
            };
            crate::render::csv::render_notice(&n, table)
                .map(|c| text("csv", "text/csv; charset=utf-8", c))
        }
        _ => {
            return super::bad_request(
                &app,
                user,
                "未知格式：应为 docx、xlsx、html、md、json 或 csv。",
            )
        }
    };
    result.unwrap_or_else(|e| app.fail(Some(user), e))
}
