//! Crawler-trap guards for the deep crawl.
//!
//! - **Session ids**: [`crawl_key`] strips `jsessionid`, `sid`, `PHPSESSID`, `ASPSESSIONID…`,
//!   `sessionid`, `session_id`, `CFID`, `CFTOKEN` query parameters and `;jsessionid=…` path
//!   parameters, so a site that writes a fresh session id into every link is one page per page.
//! - **Calendars**: [`is_calendar_trap`] rejects URLs with a date-like path segment or query
//!   value (`2018-03-01`, `20180301`, `2018/03/01`, `year=2018`) dated more than a year after the
//!   as-of date or before 1990: a calendar's "next month" links walk forever.
//! - **Repeated path segments**: [`has_repeated_segments`] rejects `/a/b/a/b/a/b` (relative links
//!   resolved against the wrong base pile up).
//! - **Query explosions** are capped in the store: at most `deep_max_query_variants` distinct
//!   queries per path are admitted.

use chrono::{Datelike, NaiveDate};
use url::Url;

use crate::fetch::normalize;

/// Query parameter names that carry a session id (compared lowercase).
fn is_session_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "jsessionid" | "sid" | "phpsessid" | "sessionid" | "session_id" | "cfid" | "cftoken"
    ) || n.starts_with("aspsessionid")
}

/// The key a URL is crawled and checked under: normalised, with session ids removed.
pub fn crawl_key(url: &Url) -> Url {
    let mut out = normalize(url);
    // `;jsessionid=…` path parameters (Java servlet containers).
    let path = out.path().to_string();
    let lower = path.to_ascii_lowercase();
    if let Some(at) = lower.find(";jsessionid=") {
        let rest = &path[at + 1..];
        let end = rest.find('/').map(|i| at + 1 + i).unwrap_or(path.len());
        let cleaned = format!("{}{}", &path[..at], &path[end..]);
        out.set_path(&cleaned);
    }
    if out.query().is_some() {
        let kept: Vec<(String, String)> = out
            .query_pairs()
            .filter(|(k, _)| !is_session_param(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let had = out.query_pairs().count();
        if kept.len() != had {
            if kept.is_empty() {
                out.set_query(None);
            } else {
                out.query_pairs_mut().clear().extend_pairs(kept);
            }
        }
    }
    out
}

/// The URL without its query: the unit of the query-variant cap.
pub fn path_key(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.to_string()
}

/// Whether some path segment occurs more than `max_repeats` times.
pub fn has_repeated_segments(url: &Url, max_repeats: usize) -> bool {
    let segs: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|x| !x.is_empty()).collect())
        .unwrap_or_default();
    segs.iter()
        .any(|s| segs.iter().filter(|t| *t == s).count() > max_repeats)
}

/// Dates found in path segments and query values.
fn dates_in(url: &Url) -> Vec<(i32, Option<u32>)> {
    let mut out = Vec::new();
    let mut texts: Vec<String> = url
        .path_segments()
        .map(|s| s.map(str::to_string).collect())
        .unwrap_or_default();
    // `/2018/03/01/` as one date: a 4-digit segment followed by a month segment.
    for w in texts.clone().windows(2) {
        if let (Ok(y), Ok(m)) = (w[0].parse::<i32>(), w[1].parse::<u32>()) {
            if w[0].len() == 4 && w[1].len() <= 2 && (1..=12).contains(&m) {
                out.push((y, Some(m)));
            }
        }
    }
    for (k, v) in url.query_pairs() {
        let k = k.to_ascii_lowercase();
        if matches!(k.as_str(), "year" | "y" | "yr") {
            if let Ok(y) = v.parse::<i32>() {
                out.push((y, None));
            }
        }
        texts.push(v.into_owned());
    }
    for t in texts {
        let digits: String = t.chars().filter(char::is_ascii_digit).collect();
        let sep_ok = t.chars().all(|c| c.is_ascii_digit() || "-/._".contains(c));
        if sep_ok && (digits.len() == 8 || digits.len() == 6) && t.len() <= 10 {
            let y = digits[..4].parse::<i32>().ok();
            let m = digits[4..6].parse::<u32>().ok();
            if let (Some(y), Some(m)) = (y, m) {
                if (1..=12).contains(&m) {
                    out.push((y, Some(m)));
                }
            }
        }
    }
    out
}

/// Whether a URL carries a date outside `[1990, as_of + 1 year]`: a calendar walking on.
pub fn is_calendar_trap(url: &Url, as_of: NaiveDate) -> bool {
    let last = (as_of.year() + 1, as_of.month());
    dates_in(url).into_iter().any(|(y, m)| {
        if y < 1990 {
            return true;
        }
        match m {
            Some(m) => (y, m) > last,
            None => y > last.0,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn session_ids_are_stripped() {
        assert_eq!(
            crawl_key(&u("http://h.cn/a.jsp;jsessionid=ABC123?x=1&PHPSESSID=9")).as_str(),
            "http://h.cn/a.jsp?x=1"
        );
        assert_eq!(
            crawl_key(&u("http://h.cn/a?sid=1&ASPSESSIONIDQQ=2")).as_str(),
            "http://h.cn/a"
        );
        assert_eq!(
            crawl_key(&u("http://h.cn/a?b=2&a=1")).as_str(),
            "http://h.cn/a?b=2&a=1"
        );
    }

    #[test]
    fn repeated_segments() {
        assert!(has_repeated_segments(&u("http://h.cn/a/b/a/b/a/b/"), 2));
        assert!(!has_repeated_segments(&u("http://h.cn/a/b/a/b/"), 2));
        assert!(!has_repeated_segments(
            &u("http://h.cn/zwgk/tzgg/index.html"),
            2
        ));
    }

    #[test]
    fn calendars() {
        let as_of = NaiveDate::from_ymd_opt(2018, 3, 1).expect("date");
        assert!(is_calendar_trap(
            &u("http://h.cn/cal?date=2019-04-01"),
            as_of
        ));
        assert!(is_calendar_trap(&u("http://h.cn/cal/2020/01/"), as_of));
        assert!(is_calendar_trap(&u("http://h.cn/cal?year=1980"), as_of));
        assert!(!is_calendar_trap(
            &u("http://h.cn/cal?date=2018-12-31"),
            as_of
        ));
        assert!(!is_calendar_trap(
            &u("http://h.cn/zwgk/201712/t20171201_1.html"),
            as_of
        ));
        assert!(!is_calendar_trap(&u("http://h.cn/a?id=12345678"), as_of));
    }
}
