//! The calendar trap served to `check --deep`: a month calendar whose pages link to the next
//! month and the next year (`/cal/YYYY/MM/`), and an events list whose pages link to the next
//! day (`/events?date=YYYY-MM-DD`). Both walk on forever; the deep crawl's guards (dates
//! beyond a year after the as-of date, query variants per path) must stop them.

use axum::response::{Html, IntoResponse, Response};
use chrono::{Datelike, NaiveDate};

/// The page at `path` (path and query).
pub fn page(path: &str) -> Response {
    if path == "/" {
        return Html(super::hosts::homepage(
            &[],
            &["/cal/2018/03/", "/events?date=2018-03-01"],
        ))
        .into_response();
    }
    if let Some((y, m)) = month(path) {
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        return Html(format!(
            "<html><body><a href=\"/cal/{ny}/{nm:02}/\">下一月</a>\
             <a href=\"/cal/{}/{m:02}/\">下一年</a></body></html>",
            y + 1
        ))
        .into_response();
    }
    if let Some(day) = event_day(path) {
        let next = day.succ_opt().unwrap_or(day);
        return Html(format!(
            "<html><body><a href=\"/events?date={next}\">后一天</a></body></html>"
        ))
        .into_response();
    }
    axum::http::StatusCode::NOT_FOUND.into_response()
}

/// `/cal/YYYY/MM/` → (year, month).
pub fn month(path: &str) -> Option<(i32, u32)> {
    let rest = path.strip_prefix("/cal/")?;
    let mut parts = rest.trim_end_matches('/').split('/');
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    (1..=12).contains(&m).then_some((y, m))
}

/// `/events?date=YYYY-MM-DD` → the date.
pub fn event_day(path: &str) -> Option<NaiveDate> {
    let d = path.strip_prefix("/events?date=")?;
    let day: NaiveDate = d.parse().ok()?;
    (day.year() > 0).then_some(day)
}
