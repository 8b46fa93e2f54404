//! `govaudit links` end to end on loopback: a small axum server counts the requests per path,
//! the binary checks its pages' links (hosts routed with `--resolve`), and the tests read the
//! exit code, the JSON, the Markdown and the server's hit counts.

use crate::support;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use serde_json::Value;

type Hits = Arc<Mutex<HashMap<String, usize>>>;

/// Requests being answered now, and the most ever answered at once (over every path).
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
static MAX_IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

const HOST: &str = "www.links.gov.cn";
const DEAD: &str = "dead.links.gov.cn";

async fn serve(State(hits): State<Hits>, uri: Uri) -> Response {
    let path = uri.path().to_string();
    *hits.lock().expect("hits").entry(path.clone()).or_default() += 1;
    let page = |body: String| Html(format!("<html><body>{body}</body></html>")).into_response();
    match path.as_str() {
        "/p1.html" => page(format!(
            r#"<a href="/ok">好</a><a href="/missing">坏</a><a href="/shared">共享</a>
               <a href="http://{DEAD}/gone">不通</a>"#
        )),
        "/p2.html" => page(r#"<a href="/shared">共享</a><img src="/logo.png">"#.into()),
        // A Hanweb list whose records carry an attribute: only the fixture vocabulary of
        // tests/fixtures/rules-vocab reads them.
        "/hanweb.html" => page(
            r#"<a href="/ok">好</a><script type="text/xml"><datastore><recordset>
               <record id="1"><![CDATA[<li><a href="/record-gone">记录</a></li>]]></record>
               </recordset></datastore></script>"#
                .into(),
        ),
        "/ok" | "/shared" | "/logo.png" => page("ok".into()),
        "/slow.html" => page(
            (0..6)
                .map(|i| format!(r#"<a href="/slow/{i}">慢</a>"#))
                .collect(),
        ),
        p if p.starts_with("/slow/") => {
            let now = IN_FLIGHT.fetch_add(1, Ordering::SeqCst) + 1;
            MAX_IN_FLIGHT.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(30)).await;
            IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
            page("ok".into())
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Start the server; returns its address, the hit counts and a closed port for `DEAD`.
async fn start() -> (SocketAddr, Hits, u16) {
    let hits: Hits = Arc::default();
    let app = Router::new().fallback(serve).with_state(Arc::clone(&hits));
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
    (addr, hits, dead_port)
}

async fn govaudit(addr: SocketAddr, dead_port: u16, args: &[&str]) -> (i32, String) {
    let lifted = ["--host-rate", "0", "--host-concurrency", "8"];
    govaudit_polite(addr, dead_port, args, &lifted).await
}

async fn govaudit_polite(
    addr: SocketAddr,
    dead_port: u16,
    args: &[&str],
    politeness: &[&str],
) -> (i32, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .arg("links")
        .args(args)
        .args(["--resolve", &format!("{HOST}={addr}")])
        .args(["--resolve", &format!("{DEAD}=127.0.0.1:{dead_port}")])
        .args(politeness)
        .output()
        .await
        .expect("govaudit runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code().is_some(), "killed: {stderr}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn page(n: u8) -> String {
    format!("http://{HOST}/p{n}.html")
}

#[tokio::test]
async fn broken_links_are_listed_with_their_pages_and_each_is_checked_once() {
    let (addr, hits, dead) = start().await;
    let (code, out) = govaudit(addr, dead, &[&page(1), &page(2), "--format", "json"]).await;
    assert_eq!(code, 1, "{out}");
    let v: Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(v["checked"], 5, "{v}");
    let broken = v["broken"].as_array().expect("broken[]");
    let urls: Vec<&str> = broken.iter().filter_map(|b| b["url"].as_str()).collect();
    assert_eq!(
        urls,
        [
            format!("http://{DEAD}/gone").as_str(),
            format!("http://{HOST}/missing").as_str()
        ]
    );
    let missing = &broken[1];
    assert_eq!(missing["status"], 404);
    assert_eq!(missing["pages"], serde_json::json!([page(1)]));
    assert_eq!(broken[0]["status"], Value::Null);

    let hits = hits.lock().expect("hits").clone();
    // Linked from both pages, asked once (HEAD succeeds).
    assert_eq!(hits.get("/shared"), Some(&1), "{hits:?}");
    assert_eq!(hits.get("/ok"), Some(&1), "{hits:?}");
    // The pages themselves are fetched once each.
    assert_eq!(hits.get("/p1.html"), Some(&1), "{hits:?}");
    assert_eq!(hits.get("/p2.html"), Some(&1), "{hits:?}");
}

#[tokio::test]
async fn pages_come_from_a_file_and_clean_pages_exit_zero() {
    let (addr, _hits, dead) = start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let list = dir.path().join("pages.txt");
    std::fs::write(&list, format!("# pages\n\n{}\n", page(2))).expect("write");
    let list = list.display().to_string();
    let (code, out) = govaudit(addr, dead, &["--from-file", &list, "--format", "json"]).await;
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(out.trim()).expect("JSON");
    assert_eq!(v["checked"], 2);
    assert!(v["broken"].as_array().is_some_and(Vec::is_empty));
}

#[tokio::test]
async fn markdown_and_text_name_broken_links_in_chinese() {
    let (addr, _hits, dead) = start().await;
    let (code, md) = govaudit(addr, dead, &[&page(1), "--format", "md"]).await;
    assert_eq!(code, 1);
    assert!(md.contains("## 不可用链接"), "{md}");
    assert!(md.contains(&format!("http://{HOST}/missing")), "{md}");
    assert!(md.contains(&page(1)), "{md}");
    let (code, text) = govaudit(addr, dead, &[&page(1)]).await;
    assert_eq!(code, 1);
    assert!(text.contains("不可用链接（2 个）"), "{text}");
}

#[tokio::test]
async fn no_page_or_no_readable_page_is_an_error() {
    let (addr, _hits, dead) = start().await;
    let (code, _) = govaudit(addr, dead, &[]).await;
    assert_eq!(code, 2);
    let (code, _) = govaudit(addr, dead, &[&format!("http://{HOST}/nope.html")]).await;
    assert_eq!(code, 2);
}

#[tokio::test]
async fn the_politeness_options_apply() {
    let (addr, _hits, dead) = start().await;
    let slow = format!("http://{HOST}/slow.html");
    let polite = ["--host-rate", "0", "--host-concurrency", "1"];
    let (code, out) = govaudit_polite(addr, dead, &[&slow, "--format", "json"], &polite).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(MAX_IN_FLIGHT.load(Ordering::SeqCst), 1);
    let started = std::time::Instant::now();
    let polite = ["--host-rate", "20", "--host-concurrency", "4"];
    let (code, _) = govaudit_polite(addr, dead, &[&slow], &polite).await;
    assert_eq!(code, 0);
    // The page and 6 links at 20 requests/s: at least 6 × 50 ms after the first.
    assert!(
        started.elapsed() >= Duration::from_millis(290),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_rules_option_gives_the_page_vocabulary() {
    let (addr, hits, dead) = start().await;
    let hanweb = format!("http://{HOST}/hanweb.html");
    // Built-in vocabulary: `<record id="1">` is not a record, the page has one good link.
    let (code, out) = govaudit(addr, dead, &[&hanweb, "--format", "json"]).await;
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(out.trim()).expect("JSON");
    assert_eq!(v["checked"], 1, "{v}");
    assert!(!hits.lock().expect("hits").contains_key("/record-gone"));

    // The fixture's page.toml reads records with attributes: the record's link is broken.
    let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rules-vocab");
    let args = [hanweb.as_str(), "--rules", rules, "--format", "json"];
    let (code, out) = govaudit(addr, dead, &args).await;
    assert_eq!(code, 1, "{out}");
    let v: Value = serde_json::from_str(out.trim()).expect("JSON");
    assert_eq!(v["checked"], 2, "{v}");
    assert_eq!(
        v["broken"][0]["url"],
        format!("http://{HOST}/record-gone").as_str(),
        "{v}"
    );
    assert!(hits.lock().expect("hits").contains_key("/record-gone"));

    // An unknown profile is an error, as in `check`.
    let args = [hanweb.as_str(), "--rules", rules, "--profile", "nope"];
    let (code, _) = govaudit(addr, dead, &args).await;
    assert_eq!(code, 2);
    let (code, _) = govaudit(addr, dead, &[hanweb.as_str(), "--profile", "nope"]).await;
    assert_eq!(code, 2);
}

/// A report with a link in every state, a page that would not open, and page text that must stay
/// inert (a `|` in a URL, Markdown and a terminal escape in a reason), in the three formats of
/// `govaudit links`; and an empty report. Whole, as insta snapshots: moving the renderers
/// (issue 18) must not change a character.
#[test]
fn the_links_report_reads_the_same_in_every_format() {
    use govaudit::linkcheck::{LinkReport, UnreadablePage};
    use govaudit::observation::{LinkObservation, LinkProblem, LinkState};
    use govaudit::render::{json::links_json, markdown::links_markdown, text::links_text};

    let problem = |url: &str, state, status, reason: &str, pages: &[&str]| LinkProblem {
        url: url.into(),
        state,
        status,
        reason: reason.into(),
        pages: pages.iter().map(|p| p.to_string()).collect(),
    };
    let report = LinkReport {
        pages: 3,
        links: LinkObservation {
            checked: 9,
            problems: vec![
                problem(
                    "http://www.links.gov.cn/a|b",
                    LinkState::Broken,
                    Some(404),
                    "HTTP 404",
                    &[
                        "http://www.links.gov.cn/p1.html",
                        "http://www.links.gov.cn/p2.html",
                    ],
                ),
                problem(
                    "http://www.links.gov.cn/moved",
                    LinkState::Broken,
                    Some(302),
                    "redirect to *javascript:x* <b>\u{1b}[31mred",
                    &["http://www.links.gov.cn/p1.html"],
                ),
                problem(
                    "http://slow.links.gov.cn/",
                    LinkState::Suspected,
                    None,
                    "timed out after 15 s",
                    &["http://www.links.gov.cn/p2.html"],
                ),
                problem(
                    "http://waf.links.gov.cn/",
                    LinkState::Blocked,
                    Some(403),
                    "HTTP 403",
                    &["http://www.links.gov.cn/p1.html"],
                ),
            ],
        },
        unreadable: vec![UnreadablePage {
            url: "http://dead.links.gov.cn/p3.html".into(),
            reason: "connection refused: [x](y)".into(),
        }],
    };
    support::snapshot("links.txt", &links_text(&report));
    support::snapshot("links.md", &links_markdown(&report));
    let json = govaudit::escape::json::to_string_pretty(&links_json(&report)).expect("json");
    support::snapshot("links.json", &json);
    let empty = LinkReport::default();
    support::snapshot("links-empty.txt", &links_text(&empty));
    support::snapshot("links-empty.md", &links_markdown(&empty));
}
