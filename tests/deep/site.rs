//! The generated loopback site of the deep-crawl tests: a binary tree of pages, an external
//! host, a broken link and an external link only on the last page, crawler traps, a
//! redirecting old host, and hit counts per request as the server saw them. Every host but
//! `ext.gov.test` and `old.gov.test` serves the same tree (`small.*` hosts only 5 pages), so a
//! round can hold several sites linking to the same external URLs.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use chrono::NaiveDate;
use govaudit::config::Config;

pub const SITE: &str = "http://deep.gov.test/";
/// A second site with the same tree.
#[allow(dead_code, reason = "used by tests/deep_round.rs only")]
pub const SITE2: &str = "http://deep2.gov.test/";
/// A site of 5 pages.
#[allow(dead_code, reason = "used by tests/deep_round.rs only")]
pub const SMALL: &str = "http://small.gov.test/";
/// The external link found only on the last page of every site.
pub const DEEP_EXT: &str = "ext.gov.test/deep-shared";

/// A generated site: pages `/p/0.html` … `/p/{n-1}.html` in a binary tree under the homepage,
/// an external link on every page, a broken link on the last page and, when `traps`, a
/// calendar, a session-id trap and a repeated-segment trap.
pub struct Site {
    n: usize,
    traps: bool,
    delay: Duration,
    hits: Mutex<HashMap<String, usize>>,
    session: Mutex<u64>,
}

impl Site {
    pub fn hits(&self, method: &str, prefix: &str) -> Vec<(String, usize)> {
        let hits = self.hits.lock().expect("lock");
        let mut v: Vec<_> = hits
            .iter()
            .filter(|(k, _)| k.starts_with(&format!("{method} {prefix}")))
            .map(|(k, c)| (k.clone(), *c))
            .collect();
        v.sort();
        v
    }
}

fn html(title: &str, links: &[String]) -> Response {
    let items: String = links
        .iter()
        .map(|l| format!("<li><a href=\"{l}\">{l}</a></li>"))
        .collect();
    let body = format!(
        "<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><ul>{items}</ul></body></html>"
    );
    ([("content-type", "text/html; charset=utf-8")], body).into_response()
}

async fn handle(
    State(site): State<Arc<Site>>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .split(':')
        .next()
        .unwrap_or("")
        .to_string();
    let path = uri.path().to_string();
    let full = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    *site
        .hits
        .lock()
        .expect("lock")
        .entry(format!("{method} {host}{full}"))
        .or_default() += 1;
    if !site.delay.is_zero() && method == Method::GET {
        tokio::time::sleep(site.delay).await;
    }
    if host == "ext.gov.test" {
        return html("ext", &[]);
    }
    if host == "old.gov.test" {
        return (StatusCode::FOUND, [("location", SITE)]).into_response();
    }
    let query = uri.query().unwrap_or("");
    let n = if host.starts_with("small.") {
        site.n.min(5)
    } else {
        site.n
    };
    if path == "/" {
        let mut links = vec!["/p/0.html".to_string(), "http://ext.gov.test/ok".into()];
        if site.traps {
            links.push("/cal?date=2018-03-01".into());
            links.push("/cal2/2018/03/".into());
            links.push("/s/a?sid=0".into());
            links.push("/loop/".into());
        }
        return html("home", &links);
    }
    if let Some(num) = path
        .strip_prefix("/p/")
        .and_then(|p| p.strip_suffix(".html"))
    {
        let Ok(i) = num.parse::<usize>() else {
            return StatusCode::NOT_FOUND.into_response();
        };
        if i >= n {
            return StatusCode::NOT_FOUND.into_response();
        }
        let mut links = vec!["/".to_string(), "http://ext.gov.test/ok".into()];
        for c in [2 * i + 1, 2 * i + 2] {
            if c < n {
                links.push(format!("/p/{c}.html"));
            }
        }
        if i == n - 1 {
            links.push("/missing-deep.html".into());
            links.push(format!("http://{DEEP_EXT}"));
        }
        return html(&format!("page {i}"), &links);
    }
    if !site.traps {
        return StatusCode::NOT_FOUND.into_response();
    }
    if path == "/cal" {
        let day = query
            .strip_prefix("date=")
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .unwrap_or_default();
        let links: Vec<String> = [day.pred_opt(), day.succ_opt()]
            .into_iter()
            .flatten()
            .map(|d| format!("/cal?date={d}"))
            .collect();
        return html("calendar", &links);
    }
    if let Some(rest) = path.strip_prefix("/cal2/") {
        let mut parts = rest.split('/');
        let y: i32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(2018);
        let m: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(3);
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        return html("calendar", &[format!("/cal2/{ny}/{nm:02}/")]);
    }
    if path.starts_with("/s/") {
        let sid = {
            let mut s = site.session.lock().expect("lock");
            *s += 1;
            *s
        };
        return html(
            "session",
            &[
                format!("/s/a?sid={sid}"),
                format!("/s/b;jsessionid={sid}"),
                format!("/s/c?PHPSESSID={sid}&x=1"),
            ],
        );
    }
    if path.starts_with("/loop/") {
        return html("loop", &["a/b/".to_string()]);
    }
    StatusCode::NOT_FOUND.into_response()
}

pub async fn serve(n: usize, traps: bool, delay: Duration) -> (Arc<Site>, SocketAddr) {
    let site = Arc::new(Site {
        n,
        traps,
        delay,
        hits: Mutex::new(HashMap::new()),
        session: Mutex::new(0),
    });
    let app = Router::new().fallback(handle).with_state(site.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (site, addr)
}

pub fn resolve(addr: SocketAddr) -> Vec<String> {
    vec![
        format!("deep.gov.test={addr}"),
        format!("deep2.gov.test={addr}"),
        format!("small.gov.test={addr}"),
        format!("ext.gov.test={addr}"),
        format!("old.gov.test={addr}"),
    ]
}

pub fn config(addr: SocketAddr) -> Config {
    let mut cfg = Config::default();
    cfg.fetch.resolve = resolve(addr);
    cfg.fetch.host_rate = 0.0;
    cfg.fetch.host_concurrency = 16;
    cfg.fetch.timeout_secs = 5.0;
    cfg.fetch.backoff_ms = 50;
    cfg
}

pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2018, 3, 1).expect("date")
}
