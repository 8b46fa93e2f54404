//! The one link-check engine (issue 18): the audit, the deep crawl (`--deep`) and
//! `govaudit links` check the same links on loopback and must report each in the same state,
//! with the same status and reason — the judgement lives in `linkcheck::judge` only.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use chrono::NaiveDate;
use govaudit::audit::Auditor;
use govaudit::config::Config;
use govaudit::deep::DeepSettings;
use govaudit::linkcheck::LinkChecker;
use govaudit::observation::{LinkObservation, LinkState};
use govaudit::store::Store;
use url::Url;

const HOST: &str = "www.engine.gov.cn";
const DEAD: &str = "dead.engine.gov.cn";

/// Every kind of link outcome, with the state it must be reported in (`None`: not a problem).
fn cases() -> Vec<(String, Option<LinkState>)> {
    let on = |p: &str| format!("http://{HOST}{p}");
    vec![
        (on("/ok"), None),
        (on("/gone"), Some(LinkState::Broken)),
        (on("/removed"), Some(LinkState::Broken)),
        (on("/forbidden"), Some(LinkState::Broken)),
        (on("/login"), Some(LinkState::Suspected)),
        (on("/busy"), Some(LinkState::Suspected)),
        (on("/throttled"), Some(LinkState::Suspected)),
        (format!("http://{DEAD}/"), Some(LinkState::Broken)),
        (
            "http://10.1.2.3/intranet".to_string(),
            Some(LinkState::Blocked),
        ),
    ]
}

fn anchors() -> String {
    cases()
        .iter()
        .map(|(u, _)| format!(r#"<a href="{u}">链接</a>"#))
        .collect()
}

async fn serve(uri: Uri) -> Response {
    let page = |body: String| Html(format!("<html><body>{body}</body></html>")).into_response();
    match uri.path() {
        // The homepage carries the links (the audit checks them), and so does a page only the
        // deep crawl reads.
        "/" => page(format!(r#"{}<a href="/deeper.html">下一页</a>"#, anchors())),
        "/deeper.html" => page(anchors()),
        "/ok" => page("ok".into()),
        "/gone" => StatusCode::NOT_FOUND.into_response(),
        "/removed" => StatusCode::GONE.into_response(),
        "/forbidden" => StatusCode::FORBIDDEN.into_response(),
        "/login" => StatusCode::UNAUTHORIZED.into_response(),
        "/busy" => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        "/throttled" => StatusCode::TOO_MANY_REQUESTS.into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn start() -> (SocketAddr, u16) {
    let app = Router::new().fallback(serve);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead_port = closed.local_addr().expect("addr").port();
    drop(closed);
    (addr, dead_port)
}

fn config(addr: SocketAddr, dead_port: u16) -> Config {
    let mut cfg = Config::default();
    cfg.fetch.resolve = vec![
        format!("{HOST}={addr}"),
        format!("{DEAD}=127.0.0.1:{dead_port}"),
    ];
    cfg.fetch.host_rate = 0.0;
    cfg.fetch.host_concurrency = 8;
    cfg.fetch.timeout_secs = 5.0;
    cfg.fetch.backoff_ms = 10;
    cfg
}

/// (state, status, reason) per problem URL.
type Judged = BTreeMap<String, (LinkState, Option<u16>, String)>;

fn judged(links: &LinkObservation) -> Judged {
    links
        .problems
        .iter()
        .map(|p| (p.url.clone(), (p.state, p.status, p.reason.clone())))
        .collect()
}

#[tokio::test]
async fn the_audit_the_deep_crawl_and_links_judge_every_link_alike() {
    let (addr, dead_port) = start().await;
    let cfg = config(addr, dead_port);
    let home = Url::parse(&format!("http://{HOST}/")).expect("url");
    let as_of = NaiveDate::from_ymd_opt(2018, 3, 1).expect("date");

    let audit = Auditor::from_config(&cfg).expect("auditor");
    let audited = judged(&audit.audit(&home, as_of).await.observation.links);

    // A fresh auditor: the deep crawl's own checks, not the audit's cached results, for the
    // links it reads on /deeper.html.
    let deep = Auditor::from_config(&cfg).expect("auditor");
    let store = Store::open_memory().await.expect("store");
    let settings = DeepSettings::from_config(&cfg.crawl);
    let (_, outcome) = deep
        .audit_deep(&home, as_of, &store, &settings)
        .await
        .expect("deep crawl");
    assert!(outcome.pages >= 2, "the deep crawl read /deeper.html");
    let crawled = judged(&outcome.links);

    let fetcher = govaudit::fetch::Fetcher::new(&cfg.fetch).expect("fetcher");
    let vocab = govaudit::rules::RuleSet::builtin("gb2015")
        .expect("rules")
        .vocabulary;
    let checker = LinkChecker::new(std::sync::Arc::new(fetcher), vocab, 8);
    let deeper = Url::parse(&format!("http://{HOST}/deeper.html")).expect("url");
    let listed = judged(&checker.run(&[deeper]).await.links);

    let expected: BTreeMap<String, LinkState> = cases()
        .into_iter()
        .filter_map(|(u, s)| Some((Url::parse(&u).expect("url").to_string(), s?)))
        .collect();
    for (what, got) in [
        ("audit", &audited),
        ("deep crawl", &crawled),
        ("links", &listed),
    ] {
        let states: BTreeMap<String, LinkState> =
            got.iter().map(|(u, (s, _, _))| (u.clone(), *s)).collect();
        assert_eq!(states, expected, "{what}: {got:#?}");
    }
    assert_eq!(
        audited, crawled,
        "same status and reason, audit and deep crawl"
    );
    assert_eq!(audited, listed, "same status and reason, audit and links");
}
