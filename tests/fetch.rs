//! Integration tests of the fetch layer against axum servers on 127.0.0.1. No test leaves the
//! machine: public-looking host names are routed to loopback with `resolve`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use govaudit::config::{FetchConfig, HostOverride, RobotsPolicy};
use govaudit::fetch::{CharsetSource, FetchFailure, Fetcher};
use govaudit::linkcheck::judge::state;
use govaudit::observation::LinkState;
use url::Url;

/// A loopback server and what it saw.
mod support {
    use super::*;

    /// Counters shared between a test and its server's handlers.
    #[derive(Default)]
    pub struct Seen {
        pub hits: AtomicUsize,
        pub robots: AtomicUsize,
        pub in_flight: AtomicUsize,
        pub max_in_flight: AtomicUsize,
        pub hosts: Mutex<Vec<String>>,
    }

    impl Seen {
        pub fn enter(&self) {
            self.hits.fetch_add(1, Ordering::SeqCst);
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        }
        pub fn leave(&self) {
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Serve `router` on an ephemeral loopback port.
    pub async fn serve(router: Router) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        addr
    }

    /// A server that accepts connections and never answers.
    pub async fn silent() -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        addr
    }

    /// A loopback port nobody listens on.
    pub async fn closed_port() -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        addr
    }

    /// Fast settings for tests: 1 s timeouts, short backoff, no rate limit, no robots.txt.
    pub fn cfg() -> FetchConfig {
        FetchConfig {
            timeout_secs: 1.0,
            connect_timeout_secs: 1.0,
            retries: 2,
            backoff_ms: 50,
            host_rate: 0.0,
            robots: RobotsPolicy::Ignore,
            ..FetchConfig::default()
        }
    }

    /// A fetcher that trusts 127.0.0.1 (the test servers' address, given "by the user").
    pub fn fetcher(cfg: &FetchConfig) -> Fetcher {
        let f = Fetcher::new(cfg).unwrap();
        f.trust_host("127.0.0.1");
        f
    }

    pub fn url(addr: SocketAddr, path: &str) -> Url {
        Url::parse(&format!("http://{addr}{path}")).unwrap()
    }
}

use support::{cfg, fetcher, serve, url, Seen};

fn counting_router(seen: Arc<Seen>, delay: Duration) -> Router {
    Router::new()
        .route(
            "/",
            get(
                move |State(seen): State<Arc<Seen>>, headers: HeaderMap| async move {
                    seen.enter();
                    if let Some(h) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
                        seen.hosts.lock().unwrap().push(h.to_string());
                    }
                    tokio::time::sleep(delay).await;
                    seen.leave();
                    "<html><body>ok</body></html>"
                },
            ),
        )
        .with_state(seen)
}

#[tokio::test]
async fn per_host_rate_and_hosts_in_parallel() {
    let seen = Arc::new(Seen::default());
    let addr = serve(counting_router(seen.clone(), Duration::ZERO)).await;
    let mut c = cfg();
    c.host_rate = 2.0;
    c.resolve = vec![
        format!("a.example.gov.cn={addr}"),
        format!("b.example.gov.cn={addr}"),
    ];
    let f = Arc::new(Fetcher::new(&c).unwrap());

    let start = Instant::now();
    let mut tasks = Vec::new();
    for host in ["a.example.gov.cn", "b.example.gov.cn"] {
        for _ in 0..6 {
            let f = Arc::clone(&f);
            let u = Url::parse(&format!("http://{host}/")).unwrap();
            tasks.push(tokio::spawn(async move {
                let page = f.page(&u).await;
                assert!(page.result.is_ok(), "{:?}", page.result);
                (u.host_str().unwrap().to_string(), start.elapsed())
            }));
        }
    }
    let mut last = std::collections::HashMap::new();
    for t in tasks {
        let (host, at) = t.await.unwrap();
        let e = last.entry(host).or_insert(Duration::ZERO);
        *e = (*e).max(at);
    }
    // 6 requests at 2/s with a burst of 1: the 6th starts 2.5 s after the first.
    for (host, at) in &last {
        assert!(
            *at >= Duration::from_millis(2400),
            "{host} finished after {at:?}"
        );
    }
    // The two hosts did not wait for each other (serially it would take 5.5 s).
    assert!(
        start.elapsed() < Duration::from_millis(4500),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(seen.hits.load(Ordering::SeqCst), 12);
}

#[tokio::test]
async fn host_concurrency_cap_seen_by_server() {
    let seen = Arc::new(Seen::default());
    let addr = serve(counting_router(seen.clone(), Duration::from_millis(200))).await;
    let mut c = cfg();
    c.host_concurrency = 2;
    let f = Arc::new(fetcher(&c));
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let f = Arc::clone(&f);
            tokio::spawn(async move { f.page(&url(addr, "/")).await.result.is_ok() })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap());
    }
    assert_eq!(seen.hits.load(Ordering::SeqCst), 6);
    assert_eq!(seen.max_in_flight.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn host_override_and_global_cap() {
    let seen = Arc::new(Seen::default());
    let addr = serve(counting_router(seen.clone(), Duration::from_millis(200))).await;
    let mut c = cfg();
    c.host_concurrency = 1;
    c.concurrency = 3;
    c.hosts.insert(
        "wide.gov.cn".into(),
        HostOverride {
            rate: None,
            concurrency: Some(10),
        },
    );
    c.resolve = vec![format!("wide.gov.cn={addr}")];
    let f = Arc::new(Fetcher::new(&c).unwrap());
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let f = Arc::clone(&f);
            tokio::spawn(async move {
                f.page(&Url::parse("http://wide.gov.cn/").unwrap())
                    .await
                    .result
                    .is_ok()
            })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap());
    }
    // The host allows 10, the global cap 3.
    assert_eq!(seen.max_in_flight.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn retry_after_429_then_success() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    let router = Router::new().route(
        "/",
        get(move || async move {
            if c2.fetch_add(1, Ordering::SeqCst) == 0 {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, "1")],
                    "slow down",
                )
                    .into_response()
            } else {
                "<p>ok</p>".into_response()
            }
        }),
    );
    let addr = serve(router).await;
    let f = fetcher(&cfg());
    let start = Instant::now();
    let page = f.page(&url(addr, "/")).await;
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    let p = page.result.unwrap();
    assert_eq!(p.status, 200);
    assert_eq!(page.attempts, 2);
    assert_eq!(page.log.len(), 2);
    assert_eq!(page.log[0].status, Some(429));
    assert_eq!(page.log[1].status, Some(200));
}

#[tokio::test]
async fn retry_after_too_long_gives_up_at_once() {
    let router = Router::new().route(
        "/",
        get(|| async {
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, "3600")],
                "",
            )
        }),
    );
    let addr = serve(router).await;
    let f = fetcher(&cfg());
    let page = f.page(&url(addr, "/")).await;
    assert_eq!(
        page.result.unwrap_err(),
        FetchFailure::Status { status: 429 }
    );
    assert_eq!(page.log.len(), 1);
}

#[tokio::test]
async fn persistent_503_fails_after_retries_with_backoff() {
    let router = Router::new().route("/", get(|| async { StatusCode::SERVICE_UNAVAILABLE }));
    let addr = serve(router).await;
    let mut c = cfg();
    c.retries = 2;
    c.backoff_ms = 100;
    let f = fetcher(&c);
    let start = Instant::now();
    let page = f.page(&url(addr, "/")).await;
    // Backoff 100 ms then 200 ms.
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "{:?}",
        start.elapsed()
    );
    let failure = page.result.unwrap_err();
    assert_eq!(failure, FetchFailure::Status { status: 503 });
    assert_eq!(state(&failure), Some(LinkState::Suspected));
    assert_eq!(page.attempts, 3);
    assert_eq!(page.log.len(), 3);
    assert!(page
        .log
        .iter()
        .all(|r| r.status == Some(503) && r.method == "GET"));
}

#[tokio::test]
async fn not_found_is_not_retried() {
    let addr = serve(Router::new()).await;
    let f = fetcher(&cfg());
    let check = f.check_link(&url(addr, "/missing")).await;
    let failure = check.result.unwrap_err();
    assert_eq!(failure, FetchFailure::Status { status: 404 });
    assert_eq!(state(&failure), Some(LinkState::Broken));
    // HEAD 404, then GET 404 (HEAD-only 404s exist); neither retried.
    let methods: Vec<_> = check.log.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["HEAD", "GET"]);
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

#[tokio::test]
async fn redirect_loop_is_detected() {
    let router = Router::new()
        .route("/a", get(|| async { redirect("/b") }))
        .route("/b", get(|| async { redirect("/a#frag") }));
    let addr = serve(router).await;
    let f = fetcher(&cfg());
    let page = f.page(&url(addr, "/a")).await;
    let failure = page.result.unwrap_err();
    assert!(
        matches!(failure, FetchFailure::RedirectLoop { .. }),
        "{failure:?}"
    );
    assert_eq!(state(&failure), Some(LinkState::Broken));
    assert_eq!(page.log.len(), 2);
}

#[tokio::test]
async fn too_many_redirects() {
    let router = Router::new().fallback(|uri: Uri| async move {
        let n: u32 = uri.path().trim_start_matches("/r").parse().unwrap_or(0);
        redirect(&format!("/r{}", n + 1))
    });
    let addr = serve(router).await;
    let mut c = cfg();
    c.max_redirects = 3;
    let f = fetcher(&c);
    let page = f.page(&url(addr, "/r0")).await;
    assert_eq!(
        page.result.unwrap_err(),
        FetchFailure::TooManyRedirects { max: 3 }
    );
    assert_eq!(page.log.len(), 4);
}

#[tokio::test]
async fn redirect_is_followed_to_final_url() {
    let router = Router::new()
        .route("/old", get(|| async { redirect("/new/") }))
        .route("/new/", get(|| async { "<p>moved</p>" }));
    let addr = serve(router).await;
    let f = fetcher(&cfg());
    let page = f.page(&url(addr, "/old")).await;
    let p = page.result.unwrap();
    assert_eq!(p.url, url(addr, "/new/"));
    assert!(p.html.contains("moved"));
    assert_eq!(page.log.len(), 2);
}

#[tokio::test]
async fn silent_host_times_out() {
    let addr = support::silent().await;
    let mut c = cfg();
    c.retries = 1;
    let f = fetcher(&c);
    let start = Instant::now();
    let page = f.page(&url(addr, "/")).await;
    let elapsed = start.elapsed();
    let failure = page.result.unwrap_err();
    assert_eq!(failure, FetchFailure::Timeout { secs: 1 });
    assert_eq!(state(&failure), Some(LinkState::Suspected));
    assert_eq!(page.attempts, 2);
    assert_eq!(page.log.len(), 2);
    // timeout × attempts + backoff.
    assert!(
        elapsed >= Duration::from_millis(1900) && elapsed < Duration::from_millis(3500),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn connection_refused_is_not_retried() {
    let addr = support::closed_port().await;
    let f = fetcher(&cfg());
    let page = f.page(&url(addr, "/")).await;
    let failure = page.result.unwrap_err();
    assert!(
        matches!(failure, FetchFailure::Refused { .. }),
        "{failure:?}"
    );
    assert_eq!(state(&failure), Some(LinkState::Broken));
    assert_eq!(page.log.len(), 1);
    assert!(page.log[0].error.is_some());
}

#[tokio::test]
async fn unknown_name_is_dns_failure() {
    let f = fetcher(&cfg());
    let page = f
        .page(&Url::parse("http://no-such-host.invalid/").unwrap())
        .await;
    let failure = page.result.unwrap_err();
    assert!(matches!(failure, FetchFailure::Dns { .. }), "{failure:?}");
    assert_eq!(state(&failure), Some(LinkState::Broken));
}

#[tokio::test]
async fn body_is_cut_at_the_cap() {
    let router = Router::new().route("/", get(|| async { "x".repeat(200_000) }));
    let addr = serve(router).await;
    let mut c = cfg();
    c.max_body_bytes = 10_000;
    let f = fetcher(&c);
    let page = f.page(&url(addr, "/")).await;
    let p = page.result.unwrap();
    assert!(p.truncated);
    assert_eq!(p.bytes, 10_000);
    assert_eq!(p.html.len(), 10_000);
    assert_eq!(page.log[0].bytes, 10_000);
}

#[tokio::test]
async fn gbk_page_declared_only_in_meta() {
    let html =
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">\
                <title>固原市发展和改革委员会</title></head><body>通知公告</body></html>";
    let (bytes, _, _) = encoding_rs::GBK.encode(html);
    let bytes = bytes.into_owned();
    let router = Router::new().route(
        "/",
        get(move || async move { ([(header::CONTENT_TYPE, "text/html")], bytes) }),
    );
    let addr = serve(router).await;
    let f = fetcher(&cfg());
    let p = f.page(&url(addr, "/")).await.result.unwrap();
    assert_eq!(p.charset_source, CharsetSource::Meta);
    assert_eq!(p.encoding, "GBK");
    assert!(p.html.contains("固原市发展和改革委员会"), "{}", p.html);
    assert_eq!(p.content_type.as_deref(), Some("text/html"));
}

#[tokio::test]
async fn head_405_falls_back_to_get() {
    let router = Router::new().route(
        "/doc",
        get(|| async { "document" }).head(|| async { StatusCode::METHOD_NOT_ALLOWED }),
    );
    let addr = serve(router).await;
    let f = fetcher(&cfg());
    let check = f.check_link(&url(addr, "/doc")).await;
    assert_eq!(check.result, Ok(200));
    let methods: Vec<_> = check
        .log
        .iter()
        .map(|r| (r.method.as_str(), r.status))
        .collect();
    assert_eq!(methods, [("HEAD", Some(405)), ("GET", Some(200))]);
}

#[tokio::test]
async fn head_success_needs_no_get() {
    let addr = serve(Router::new().route("/ok", get(|| async { "ok" }))).await;
    let f = fetcher(&cfg());
    let check = f.check_link(&url(addr, "/ok")).await;
    assert_eq!(check.result, Ok(200));
    assert_eq!(check.log.len(), 1);
    assert_eq!(check.log[0].method, "HEAD");
}

fn ssrf_router(port: u16) -> Router {
    Router::new()
        .route(
            "/go",
            get(move || async move { redirect(&format!("http://127.0.0.1:{port}/inside")) }),
        )
        .route("/inside", get(|| async { "secret" }))
}

#[tokio::test]
async fn redirect_into_loopback_is_blocked() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, ssrf_router(addr.port()))
            .await
            .unwrap()
    });
    let mut c = cfg();
    c.resolve = vec![format!("www.public.gov.cn={addr}")];
    let start = Url::parse("http://www.public.gov.cn/go").unwrap();

    let f = Fetcher::new(&c).unwrap();
    f.trust_host("www.public.gov.cn");
    let page = f.page(&start).await;
    let failure = page.result.unwrap_err();
    assert!(
        matches!(&failure, FetchFailure::Blocked { url, .. } if url.contains("127.0.0.1")),
        "{failure:?}"
    );
    assert_eq!(state(&failure), Some(LinkState::Blocked));
    assert_eq!(page.log.len(), 1, "the private URL must not be requested");

    c.allow_private = true;
    let f = Fetcher::new(&c).unwrap();
    let p = f.page(&start).await.result.unwrap();
    assert!(p.html.contains("secret"));
}

#[tokio::test]
async fn private_links_are_blocked_without_a_request() {
    let f = Fetcher::new(&cfg()).unwrap();
    for link in [
        "http://10.1.2.3/",
        "http://localhost:9/",
        "http://[::1]:9/",
        "http://169.254.169.254/latest/meta-data/",
    ] {
        let check = f.check_link(&Url::parse(link).unwrap()).await;
        let failure = check.result.unwrap_err();
        assert_eq!(
            state(&failure),
            Some(LinkState::Blocked),
            "{link}: {failure:?}"
        );
        assert!(check.log.is_empty(), "{link}");
    }
}

#[tokio::test]
async fn name_resolving_to_loopback_is_blocked_by_the_resolver() {
    // Needs a name (other than localhost) that the system resolves to loopback only.
    let mut name = None;
    for candidate in ["vm", "runsc", "ip6-localhost", "localhost.localdomain"] {
        if let Ok(addrs) = tokio::net::lookup_host((candidate, 0)).await {
            let addrs: Vec<_> = addrs.collect();
            if !addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback()) {
                name = Some(candidate);
                break;
            }
        }
    }
    let Some(name) = name else {
        eprintln!("skipped: no loopback-only name besides localhost on this machine");
        return;
    };
    let addr = serve(Router::new().route("/", get(|| async { "ok" }))).await;
    let u = Url::parse(&format!("http://{name}:{}/", addr.port())).unwrap();
    let f = Fetcher::new(&cfg()).unwrap();
    let failure = f.page(&u).await.result.unwrap_err();
    assert!(
        matches!(failure, FetchFailure::Blocked { .. }),
        "{failure:?}"
    );
    f.trust_host(name);
    assert!(f.page(&u).await.result.is_ok());
}

fn robots_router(seen: Arc<Seen>, robots: &'static str) -> Router {
    Router::new()
        .route(
            "/robots.txt",
            get(move |State(seen): State<Arc<Seen>>| async move {
                seen.robots.fetch_add(1, Ordering::SeqCst);
                robots
            }),
        )
        .fallback(|State(seen): State<Arc<Seen>>| async move {
            seen.hits.fetch_add(1, Ordering::SeqCst);
            "page"
        })
        .with_state(seen)
}

#[tokio::test]
async fn robots_respect_skips_disallowed_and_delay_only_does_not() {
    let seen = Arc::new(Seen::default());
    let addr = serve(robots_router(
        seen.clone(),
        "User-agent: *\nDisallow: /private\n",
    ))
    .await;
    let mut c = cfg();
    c.robots = RobotsPolicy::Respect;
    let f = fetcher(&c);
    let page = f.page(&url(addr, "/private/a.html")).await;
    let failure = page.result.unwrap_err();
    assert_eq!(failure, FetchFailure::RobotsDisallowed);
    assert_eq!(state(&failure), None, "robots.txt is no link problem");
    assert_eq!(page.log.len(), 1, "only robots.txt was requested");
    assert!(page.log[0].url.ends_with("/robots.txt"));
    assert!(f.page(&url(addr, "/public.html")).await.result.is_ok());
    assert_eq!(seen.hits.load(Ordering::SeqCst), 1);

    c.robots = RobotsPolicy::DelayOnly;
    let f = fetcher(&c);
    assert!(f.page(&url(addr, "/private/a.html")).await.result.is_ok());
    assert!(f.page(&url(addr, "/private/b.html")).await.result.is_ok());
    // Fetched once per fetcher: once for Respect, once for DelayOnly.
    assert_eq!(seen.robots.load(Ordering::SeqCst), 2);

    c.robots = RobotsPolicy::Ignore;
    let f = fetcher(&c);
    assert!(f.page(&url(addr, "/private/c.html")).await.result.is_ok());
    assert_eq!(seen.robots.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn robots_crawl_delay_lowers_the_rate() {
    let seen = Arc::new(Seen::default());
    let addr = serve(robots_router(
        seen.clone(),
        "User-agent: govaudit\nCrawl-delay: 0.5\n",
    ))
    .await;
    let mut c = cfg();
    c.robots = RobotsPolicy::DelayOnly;
    let f = Arc::new(fetcher(&c));
    assert_eq!(f.host_rate("127.0.0.1"), 0.0);
    let start = Instant::now();
    let tasks: Vec<_> = (0..3)
        .map(|i| {
            let f = Arc::clone(&f);
            tokio::spawn(async move { f.page(&url(addr, &format!("/p{i}"))).await.result.is_ok() })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap());
    }
    assert_eq!(f.host_rate("127.0.0.1"), 2.0);
    // robots.txt, then three pages at least 0.5 s apart.
    assert!(
        start.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(seen.robots.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn missing_robots_allows_all() {
    let addr = serve(Router::new().route("/x", get(|| async { "x" }))).await;
    let mut c = cfg();
    c.robots = RobotsPolicy::Respect;
    let f = fetcher(&c);
    let page = f.page(&url(addr, "/x")).await;
    assert!(page.result.is_ok());
    assert_eq!(page.log.len(), 2);
    assert_eq!(page.log[0].status, Some(404));
}

#[tokio::test]
async fn resolve_routes_a_real_looking_host_to_loopback() {
    let seen = Arc::new(Seen::default());
    let addr = serve(counting_router(seen.clone(), Duration::ZERO)).await;
    let mut c = cfg();
    c.resolve = vec![format!("www.nxep.gov.cn={addr}")];
    let f = Fetcher::new(&c).unwrap();
    // No explicit port: the route's port is used.
    let p = f
        .page(&Url::parse("http://www.nxep.gov.cn/").unwrap())
        .await
        .result
        .unwrap();
    assert!(p.html.contains("ok"));
    // An explicit port in the URL is overridden too, and the Host header keeps it.
    let check = f
        .check_link(&Url::parse("http://www.nxep.gov.cn:8080/").unwrap())
        .await;
    assert_eq!(check.result, Ok(200));
    let hosts = seen.hosts.lock().unwrap().clone();
    assert_eq!(hosts, ["www.nxep.gov.cn", "www.nxep.gov.cn:8080"]);
}

#[tokio::test]
async fn user_agent_from_config() {
    let router = Router::new().route(
        "/",
        get(|headers: HeaderMap| async move {
            headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        }),
    );
    let addr = serve(router).await;
    let mut c = cfg();
    c.user_agent = "govaudit-test/1.0".into();
    let f = fetcher(&c);
    let p = f.page(&url(addr, "/")).await.result.unwrap();
    assert_eq!(p.html, "govaudit-test/1.0");
}

#[tokio::test]
async fn retries_pass_through_politeness() {
    let router = Router::new().route("/", get(|| async { StatusCode::BAD_GATEWAY }));
    let addr = serve(router).await;
    let mut c = cfg();
    c.retries = 2;
    c.backoff_ms = 0;
    c.host_rate = 4.0;
    let f = fetcher(&c);
    let start = Instant::now();
    let page = f.page(&url(addr, "/")).await;
    assert_eq!(
        page.result.unwrap_err(),
        FetchFailure::Status { status: 502 }
    );
    assert_eq!(page.log.len(), 3);
    // No backoff, but three requests at 4/s still take 0.5 s.
    assert!(
        start.elapsed() >= Duration::from_millis(450),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn head_only_404_falls_back_to_get() {
    let router = Router::new().route(
        "/file.pdf",
        get(|| async { "pdf" }).head(|| async { StatusCode::NOT_FOUND }),
    );
    let addr = serve(router).await;
    let f = fetcher(&cfg());
    let check = f.check_link(&url(addr, "/file.pdf")).await;
    assert_eq!(check.result, Ok(200));
    assert_eq!(check.log.len(), 2);
}
