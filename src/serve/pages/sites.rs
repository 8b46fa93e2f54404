//! 网站名录 (`/sites`) and 网站详情 (`/sites/{id}`): the registry with filters, and every check
//! of one site over time with the findings and evidence of the chosen check (the self-check
//! report of [`crate::documents::SiteReport`]), each evidence item linked to its archived page
//! (存档页面, [`super::archive`]) when it has one; its report downloads as DOCX or HTML.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use minijinja::Value;
use serde::{Deserialize, Serialize};

use super::super::auth::Auth;
use super::super::{render, App, ServeError};
use crate::documents::{NoticeError, SiteReport};
use crate::findings::Verdict;
use crate::registry::{self, Level, SiteFilter, SiteRecord, Status};

/// Filters of `/sites`.
#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    pub unit: Option<String>,
    pub level: Option<String>,
    pub status: Option<String>,
    pub q: Option<String>,
    /// 1-based page of [`PAGE_SIZE`] rows.
    pub page: Option<usize>,
}

/// Rows per page of the registry.
pub const PAGE_SIZE: usize = 100;

#[derive(Debug, Serialize)]
struct Row_ {
    id: i64,
    unit: String,
    level: String,
    name: String,
    url: String,
    site_code: String,
    status: String,
}

fn row(s: &SiteRecord) -> Row_ {
    Row_ {
        id: s.id,
        unit: s.unit.clone().unwrap_or_default(),
        level: s.level.map(|l| l.label().to_string()).unwrap_or_default(),
        name: s.name.clone().unwrap_or_default(),
        url: s.url.clone(),
        site_code: s.site_code.clone().unwrap_or_default(),
        status: s.status.map(|x| x.label().to_string()).unwrap_or_default(),
    }
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `GET /sites`.
pub async fn list(State(app): State<Arc<App>>, auth: Auth, Query(f): Query<Filters>) -> Response {
    list_page(&app, &auth, f, Value::from(())).await
}

/// The registry page, with the outcome of an import when there is one.
pub(crate) async fn list_page(app: &App, auth: &Auth, f: Filters, import: Value) -> Response {
    let user = &auth.0;
    let mut filter = SiteFilter {
        registered_only: true,
        unit: nonempty(&f.unit).map(str::to_string),
        ..SiteFilter::default()
    };
    if let Some(l) = nonempty(&f.level) {
        match l.parse::<Level>() {
            Ok(l) => filter.level = Some(l),
            Err(e) => return super::bad_request(app, user, &e),
        }
    }
    if let Some(s) = nonempty(&f.status) {
        match s.parse::<Status>() {
            Ok(s) => filter.status = Some(s),
            Err(e) => return super::bad_request(app, user, &e),
        }
    }
    if !user.is_admin() {
        filter.unit = user.unit.clone();
    }
    let all = match app.cache.registry(&app.store).await {
        Ok(v) => v,
        Err(e) => return app.fail(Some(user), e),
    };
    let mut units: Vec<String> = all
        .iter()
        .filter_map(|s| s.unit.as_deref())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(str::to_string)
        .collect();
    if !user.is_admin() {
        units.retain(|u| Some(u) == user.unit.as_ref());
    }
    let sites: Vec<&SiteRecord> = all
        .iter()
        .filter(|s| {
            filter
                .unit
                .as_ref()
                .is_none_or(|u| s.unit.as_deref() == Some(u.trim()))
        })
        .filter(|s| filter.level.is_none_or(|l| s.level == Some(l)))
        .filter(|s| filter.status.is_none_or(|x| s.status == Some(x)))
        .collect();
    let needle = nonempty(&f.q).map(str::to_lowercase);
    let matching: Vec<&SiteRecord> = sites
        .into_iter()
        .filter(|s| {
            needle.as_ref().is_none_or(|n| {
                s.url.to_lowercase().contains(n)
                    || s.name
                        .as_deref()
                        .is_some_and(|x| x.to_lowercase().contains(n))
                    || s.site_code
                        .as_deref()
                        .is_some_and(|x| x.contains(n.as_str()))
            })
        })
        .collect();
    let total = matching.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = f.page.unwrap_or(1).clamp(1, pages);
    let rows: Vec<Row_> = matching
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(row)
        .collect();
    // The filters as a query string, for the page links.
    let query: String = [
        ("unit", &f.unit),
        ("level", &f.level),
        ("status", &f.status),
        ("q", &f.q),
    ]
    .iter()
    .filter_map(|(k, v)| {
        let v = nonempty(v)?;
        let v: String = url::form_urlencoded::byte_serialize(v.as_bytes()).collect();
        Some(format!("{k}={v}&"))
    })
    .collect();
    render::page(
        &app.env,
        "sites.html",
        Some(user),
        minijinja::context! {
            active => "sites",
            sites => Value::from_serialize(&rows),
            total => total,
            page => page,
            pages => pages,
            query => query,
            units => units,
            levels => Level::ALL.iter().map(|l| l.label()).collect::<Vec<_>>(),
            f => minijinja::context! {
                unit => nonempty(&f.unit).unwrap_or(""),
                level => nonempty(&f.level).unwrap_or(""),
                status => nonempty(&f.status).unwrap_or(""),
                q => nonempty(&f.q).unwrap_or(""),
            },
            import => import,
        },
    )
}

/// One stored check in the site's history.
#[derive(Debug, Serialize)]
struct CheckRow {
    id: i64,
    round_id: Option<i64>,
    month: Option<String>,
    as_of: String,
    verdict: String,
    score: f64,
    finished_at: String,
}

/// A stored RFC 3339 time in Beijing time, to the second.
fn beijing(t: &str) -> String {
    let east8 = chrono::FixedOffset::east_opt(8 * 3600);
    match (chrono::DateTime::parse_from_rfc3339(t), east8) {
        (Ok(d), Some(tz)) => d.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string(),
        _ => t.to_string(),
    }
}

async fn history(app: &App, site_id: i64) -> Result<Vec<CheckRow>, ServeError> {
    Ok(app
        .store
        .site_history(site_id)
        .await?
        .into_iter()
        .map(|c| CheckRow {
            id: c.id,
            round_id: c.round_id,
            month: c.month,
            as_of: c.as_of,
            verdict: match c.verdict {
                Verdict::Pass => "合格",
                Verdict::Fail => "不合格",
            }
            .into(),
            score: c.score,
            finished_at: beijing(&c.finished_at),
        })
        .collect())
}

/// `?round=ID`: the check of that round instead of the latest.
#[derive(Debug, Deserialize)]
pub struct Which {
    pub round: Option<i64>,
    pub format: Option<String>,
}

/// The site if the user may see it; the response to send otherwise.
pub(crate) async fn visible_site(app: &App, auth: &Auth, id: i64) -> Result<SiteRecord, Response> {
    match registry::get(&app.store, &id.to_string()).await {
        Ok(s) if auth.0.may_see(s.unit.as_deref()) => Ok(s),
        Ok(_) => Err(super::forbidden(app, &auth.0)),
        Err(registry::RegistryError::NotFound(_)) => {
            Err(super::missing(app, auth, "没有这个网站。"))
        }
        Err(e) => Err(app.fail(Some(&auth.0), e)),
    }
}

pub(crate) async fn site_report(
    app: &App,
    id: i64,
    round: Option<i64>,
) -> Result<Option<SiteReport>, ServeError> {
    match SiteReport::for_site(
        &app.store,
        &id.to_string(),
        round,
        app.cfg.report.warn_days,
        &app.rules,
        &app.templates,
    )
    .await
    {
        Ok(r) => Ok(Some(r)),
        Err(NoticeError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `GET /sites/{id}`.
pub async fn show(
    State(app): State<Arc<App>>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(w): Query<Which>,
) -> Response {
    let site = match visible_site(&app, &auth, id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let checks = match history(&app, id).await {
        Ok(c) => c,
        Err(e) => return app.fail(Some(&auth.0), e),
    };
    let report = match site_report(&app, id, w.round).await {
        Ok(r) => r,
        Err(e) => return app.fail(Some(&auth.0), e),
    };
    let archived = match super::archive::links(&app, report.as_ref()).await {
        Ok(a) => a,
        Err(e) => return app.fail(Some(&auth.0), e),
    };
    render::page(
        &app.env,
        "site.html",
        Some(&auth.0),
        minijinja::context! {
            active => "sites",
            site => Value::from_serialize(row(&site)),
            checks => Value::from_serialize(&checks),
            report => Value::from_serialize(&report),
            archived => archived,
            round => w.round,
        },
    )
}

/// `GET /sites/{id}/report?format=docx|html[&round=ID]`: the self-check report (自查报告).
pub async fn report(
    State(app): State<Arc<App>>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(w): Query<Which>,
) -> Response {
    if let Err(r) = visible_site(&app, &auth, id).await {
        return r;
    }
    let r = match site_report(&app, id, w.round).await {
        Ok(Some(r)) => r,
        Ok(None) => return super::missing(&app, &auth, "该网站还没有检查记录。"),
        Err(e) => return app.fail(Some(&auth.0), e),
    };
    let name = format!("自查报告-{id}");
    match w.format.as_deref() {
        Some("docx") => match crate::render::docx::render_site(&r) {
            Ok(bytes) => {
                super::notices::attachment(&format!("{name}.docx"), super::notices::DOCX, bytes)
            }
            Err(e) => app.fail(Some(&auth.0), e),
        },
        Some("html") | None => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            crate::render::html::render_site(&r),
        )
            .into_response(),
        Some(_) => super::bad_request(&app, &auth.0, "格式应为 docx 或 html。"),
    }
}
