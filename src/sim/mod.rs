//! Simulated government sites on loopback, for `govaudit demo` and the tests.
//!
//! One HTTP server answers for every simulated host, routing by the `Host` header (or by the
//! absolute URI of a proxy-style request), and also for the identifier services footers link to
//! (beian.miit.gov.cn, bszs.conac.cn …), so nothing leaves the machine. The simulated world speaks
//! plain HTTP only, so footers link those services over http://. The auditor reaches it
//! through `--resolve HOST=127.0.0.1:PORT` ([`SimServer::resolve_entries`]) or by using it as
//! its HTTP proxy ([`SimServer::proxy_url`]; the only way to reach IP-hosted sites such as
//! `http://218.95.179.142/gysfgw`), and sees only HTTP.
//!
//! [`province`] generates a whole province (the 2018 Q1 Ningxia notice) as a [`Scenario`].

pub mod province;
pub mod render;
pub mod spec;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, Request, Response, StatusCode};
use chrono::NaiveDate;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::monitor::{Clock, SystemClock};
use spec::Behaviour;
pub use spec::{OutageSpec, Scenario, SiteSpec, SpecError};

/// Hosts of the national identifier services that real footers link to.
pub const SERVICE_HOSTS: &[&str] = &[
    "beian.miit.gov.cn",
    "www.beian.gov.cn",
    "bszs.conac.cn",
    "dcs.conac.cn",
    "zfwzgl.www.gov.cn",
];

struct World {
    scenario: Scenario,
    /// The sites of each host (several when they differ by path prefix), by index: a round of
    /// 14,000 sites must not scan them all for every request.
    by_host: HashMap<String, Vec<usize>>,
    as_of: RwLock<NaiveDate>,
    hits: Mutex<HashMap<String, HostStats>>,
    /// Homepage requests per flaky site (by URL), to fail every other one.
    flaky: Mutex<HashMap<String, usize>>,
    /// The time scheduled outages are judged by: the system clock, or a test's simulated one.
    clock: RwLock<Arc<dyn Clock>>,
}

impl World {
    fn as_of(&self) -> NaiveDate {
        self.as_of
            .read()
            .map(|d| *d)
            .unwrap_or_else(|poisoned| *poisoned.into_inner())
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        match self.clock.read() {
            Ok(c) => c.now(),
            Err(poisoned) => poisoned.into_inner().now(),
        }
    }

    /// Whether this homepage request of a flaky site is the one that fails.
    fn flaky_fails(&self, site: &SiteSpec) -> bool {
        let Ok(mut map) = self.flaky.lock() else {
            return false;
        };
        let n = map.entry(site.url()).or_default();
        *n += 1;
        *n % 2 == 1
    }
}

/// What one host has been asked so far.
#[derive(Debug, Clone, Copy, Default)]
pub struct HostStats {
    /// Requests received.
    pub hits: usize,
    /// Requests being answered right now.
    pub in_flight: usize,
    /// Most requests ever answered at once.
    pub max_in_flight: usize,
}

/// Counts a request in flight for as long as it lives.
struct InFlight<'a> {
    world: &'a World,
    host: String,
}

impl<'a> InFlight<'a> {
    fn enter(world: &'a World, host: &str) -> InFlight<'a> {
        if let Ok(mut map) = world.hits.lock() {
            let st = map.entry(host.to_string()).or_default();
            st.hits += 1;
            st.in_flight += 1;
            st.max_in_flight = st.max_in_flight.max(st.in_flight);
        }
        InFlight {
            world,
            host: host.to_string(),
        }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Ok(mut map) = self.world.hits.lock() {
            if let Some(st) = map.get_mut(&self.host) {
                st.in_flight = st.in_flight.saturating_sub(1);
            }
        }
    }
}

/// A running simulated world. Dropping it stops the server.
pub struct SimServer {
    /// The loopback address it listens on; every simulated host resolves here.
    pub addr: SocketAddr,
    world: Arc<World>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl SimServer {
    /// Serve a scenario on an ephemeral loopback port, rendering dates relative to `as_of`.
    pub async fn start(scenario: Scenario, as_of: NaiveDate) -> std::io::Result<SimServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let mut by_host: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, site) in scenario.sites.iter().enumerate() {
            by_host.entry(site.host.clone()).or_default().push(i);
        }
        let world = Arc::new(World {
            scenario,
            by_host,
            as_of: RwLock::new(as_of),
            hits: Mutex::new(HashMap::new()),
            flaky: Mutex::new(HashMap::new()),
            clock: RwLock::new(Arc::new(SystemClock)),
        });
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(world.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = served.await {
                tracing::warn!(error = %e, "Simulated server stopped.");
            }
        });
        Ok(SimServer {
            addr,
            world,
            shutdown: Some(tx),
        })
    }

    /// `HOST=127.0.0.1:PORT` routes for every simulated host and service host. IP-literal
    /// hosts are left out: a resolver is never asked about them, so such sites are reachable
    /// only through [`SimServer::proxy_url`].
    pub fn resolve_entries(&self) -> Vec<String> {
        let mut hosts: Vec<&str> = self
            .world
            .scenario
            .sites
            .iter()
            .map(|s| s.host.as_str())
            .filter(|h| h.parse::<std::net::IpAddr>().is_err())
            .collect();
        hosts.extend(SERVICE_HOSTS);
        hosts.sort_unstable();
        hosts.dedup();
        hosts.iter().map(|h| format!("{h}={}", self.addr)).collect()
    }

    /// The proxy URL (`http://127.0.0.1:PORT`): a client using it as its HTTP proxy reaches
    /// every simulated host, IP-hosted sites included, with no `--resolve` entries.
    pub fn proxy_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Render dates relative to another as-of date from now on (the next round of a quarter).
    pub fn set_as_of(&self, as_of: NaiveDate) {
        match self.world.as_of.write() {
            Ok(mut d) => *d = as_of,
            Err(poisoned) => *poisoned.into_inner() = as_of,
        }
    }

    /// Judge scheduled outages (`[[site.outage]]`) by this clock from now on (default: the
    /// system clock), so a test driving a [`SimClock`](crate::monitor::SimClock) sees them.
    pub fn set_clock(&self, clock: Arc<dyn Clock>) {
        match self.world.clock.write() {
            Ok(mut c) => *c = clock,
            Err(poisoned) => *poisoned.into_inner() = clock,
        }
    }

    /// Hosts that received requests, with their counts.
    pub fn all_host_stats(&self) -> HashMap<String, HostStats> {
        self.world
            .hits
            .lock()
            .map(|h| h.clone())
            .unwrap_or_default()
    }

    /// Forget the request counts (e.g. between rounds).
    pub fn reset_stats(&self) {
        if let Ok(mut h) = self.world.hits.lock() {
            h.clear();
        }
    }

    /// The sites served: (name, registered URL).
    pub fn sites(&self) -> Vec<(String, String)> {
        self.world
            .scenario
            .sites
            .iter()
            .map(|s| (s.name.clone(), s.url()))
            .collect()
    }

    /// Requests received for a host so far, and how many were in flight at once.
    pub fn host_stats(&self, host: &str) -> HostStats {
        self.world
            .hits
            .lock()
            .map(|h| h.get(host).copied().unwrap_or_default())
            .unwrap_or_default()
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

async fn handle(State(world): State<Arc<World>>, req: Request<Body>) -> Response<Body> {
    let host = req
        .uri()
        .host()
        .map(str::to_string)
        .or_else(|| {
            req.headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(|h| h.split(':').next().unwrap_or(h).to_string())
        })
        .unwrap_or_default()
        .to_ascii_lowercase();
    let _in_flight = InFlight::enter(&world, &host);
    let path = req.uri().path().to_string();
    if SERVICE_HOSTS.contains(&host.as_str()) {
        return html(StatusCode::OK, render::plain_page(&host), "utf-8");
    }
    let site = world
        .by_host
        .get(&host)
        .into_iter()
        .flatten()
        .filter_map(|&i| world.scenario.sites.get(i))
        .find(|s| {
            s.prefix.is_empty() || path == s.prefix || path.starts_with(&format!("{}/", s.prefix))
        });
    let Some(site) = site else {
        return html(
            StatusCode::NOT_FOUND,
            render::plain_page("404 Not Found"),
            "utf-8",
        );
    };
    if site.delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(site.delay_ms)).await;
    }
    let now = world.now();
    if site.behaviour == Behaviour::Down || site.outages.iter().any(|o| o.covers(now)) {
        return html(
            StatusCode::SERVICE_UNAVAILABLE,
            render::plain_page("503 Service Unavailable"),
            "utf-8",
        );
    }
    let rest = path.get(site.prefix.len()..).unwrap_or_default();
    let is_home = matches!(rest, "" | "/" | "/index.html");
    if site.behaviour == Behaviour::Flaky && is_home && world.flaky_fails(site) {
        return html(
            StatusCode::SERVICE_UNAVAILABLE,
            render::plain_page("503 Service Temporarily Unavailable"),
            "utf-8",
        );
    }
    match route(site, rest, world.as_of()) {
        Some(body) => html(StatusCode::OK, body, &site.encoding),
        None => html(
            StatusCode::NOT_FOUND,
            render::plain_page("404 Not Found"),
            "utf-8",
        ),
    }
}

fn route(site: &SiteSpec, rest: &str, as_of: NaiveDate) -> Option<String> {
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        [] | ["index.html"] => Some(render::homepage(site, as_of)),
        ["col", slug] | ["col", slug, "index.html"] => {
            let col = site
                .columns
                .iter()
                .find(|c| c.slug == *slug && !c.missing)?;
            Some(render::column_page(site, col, as_of))
        }
        ["col", slug, file] => {
            let col = site
                .columns
                .iter()
                .find(|c| c.slug == *slug && !c.missing)?;
            let n: usize = file
                .strip_prefix("index_")?
                .strip_suffix(".html")?
                .parse()
                .ok()?;
            (n >= 1 && n < render::page_count(col))
                .then(|| render::column_page_n(site, col, n, as_of))
        }
        ["art", slug, file] => {
            let col = site
                .columns
                .iter()
                .find(|c| c.slug == *slug && !c.missing)?;
            let n: usize = file.strip_suffix(".html")?.parse().ok()?;
            (n >= 1 && n <= col.items).then(|| render::article_page(site, col, n, as_of))
        }
        ["letter", slug, file] => {
            let col = site
                .columns
                .iter()
                .find(|c| c.slug == *slug && !c.missing)?;
            let n: usize = file.strip_suffix(".html")?.parse().ok()?;
            render::letter_page(site, col, n, as_of)
        }
        ["guide", slug, file] => {
            let col = site
                .columns
                .iter()
                .find(|c| c.slug == *slug && !c.missing)?;
            let n: usize = file.strip_suffix(".html")?.parse().ok()?;
            render::guide_page(site, col, n)
        }
        ["lxwm"] => Some(render::plain_page("联系我们")),
        _ => None,
    }
}

fn html(status: StatusCode, body: String, encoding: &str) -> Response<Body> {
    let (bytes, ctype) = if encoding == "gbk" {
        // GBK pages declare their charset only in <meta>, as many government pages do.
        let (b, _, _) = encoding_rs::GBK.encode(&body);
        (b.into_owned(), "text/html")
    } else {
        (body.into_bytes(), "text/html; charset=utf-8")
    };
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, ctype)
        .body(Body::from(bytes))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteSpec {
        let text = "[[site]]\nname = \"示例\"\nhost = \"a.test\"\n\
                    [[site.column]]\nname = \"工作动态\"\nslug = \"gzdt\"\nitems = 8\npage_size = 5\n\
                    [[site.column]]\nname = \"法律服务\"\nslug = \"flfw\"\nmissing = true\n";
        let sc = Scenario::from_toml(text, "t.toml").expect("parses");
        sc.sites.into_iter().next().expect("one site")
    }

    #[test]
    fn lists_paginate_behind_a_next_link() {
        let s = site();
        let as_of = NaiveDate::from_ymd_opt(2018, 3, 1).expect("date");
        let first = route(&s, "/col/gzdt/", as_of).expect("page 1");
        assert!(first.contains("/col/gzdt/index_1.html\">下一页"), "{first}");
        assert_eq!(first.matches("/art/gzdt/").count(), 5);
        let second = route(&s, "/col/gzdt/index_1.html", as_of).expect("page 2");
        assert!(second.contains("/art/gzdt/8.html") && !second.contains("下一页"));
        assert!(route(&s, "/col/gzdt/index_2.html", as_of).is_none());
    }

    #[test]
    fn missing_columns_are_linked_but_answer_404() {
        let s = site();
        let as_of = NaiveDate::from_ymd_opt(2018, 3, 1).expect("date");
        let home = route(&s, "", as_of).expect("home");
        assert!(home.contains("/col/flfw/"));
        assert!(route(&s, "/col/flfw/", as_of).is_none());
        assert!(route(&s, "/art/flfw/1.html", as_of).is_none());
    }
}
