//! `round run --deep` and the deep crawl's reporting on the loopback site of `tests/deep/`:
//! the sites of one round share their deep-crawl link results (an external URL linked from
//! every site is requested once per round, again in a new round), the stored checks count the
//! deep crawl's broken links as `check --deep` does and hold its requests, a killed deep round
//! resumes without redoing finished sites, and `check --deep --format json` has its `deep`
//! object.

use crate::deep::site;

use std::path::Path;
use std::time::{Duration, Instant};

use govaudit::audit::Auditor;
use govaudit::deep::DeepSettings;
use govaudit::registry;
use govaudit::rounds::{self, PlanOptions, Round, RunOptions};
use govaudit::store::Store;
use serde_json::Value;
use site::{as_of, config, resolve, serve, Site, DEEP_EXT, SITE, SITE2, SMALL};
use sqlx::Row;
use url::Url;

/// A database whose registry holds `sites`, and a round drawing all of them.
async fn round_of(db: &Path, sites: &[&str]) -> (Store, Round) {
    let store = Store::open(db).await.expect("db");
    let csv = db.with_extension("csv");
    let mut text = String::from("unit,level,name,url\n");
    for (i, s) in sites.iter().enumerate() {
        text.push_str(&format!("测试县,县级门户,站点{i},{s}\n"));
    }
    std::fs::write(&csv, text).expect("csv");
    let parsed = registry::load_file(&csv).expect("registry");
    registry::import(&store, &parsed).await.expect("import");
    let round = plan(&store).await;
    (store, round)
}

async fn plan(store: &Store) -> Round {
    let opts = PlanOptions {
        month: "2018-02".into(),
        ratio: 1.0,
        seed: 1,
        profile: "gb2015".into(),
        as_of: Some(as_of()),
    };
    rounds::plan_sample(store, &opts).await.expect("plan").0
}

/// Requests of any method for paths starting with `prefix`.
fn requested(site: &Site, prefix: &str) -> usize {
    ["GET", "HEAD"]
        .iter()
        .flat_map(|m| site.hits(m, prefix))
        .map(|(_, c)| c)
        .sum()
}

#[tokio::test]
async fn a_deep_round_requests_a_shared_external_url_once_and_a_new_round_again() {
    let (site, addr) = serve(30, false, Duration::ZERO).await;
    let cfg = config(addr);
    let dir = tempfile::tempdir().expect("tmp");
    let (store, round) = round_of(&dir.path().join("r.db"), &[SITE, SITE2]).await;
    let auditor = Auditor::from_config(&cfg).expect("auditor");
    let settings = DeepSettings::from_config(&cfg.crawl);
    // Both sites at once: the in-flight deduplication shares the check.
    let opts = RunOptions {
        sites_at_once: 2,
        deep: Some(settings),
    };
    let summary = rounds::run_round_with(&auditor, &store, &round, as_of(), &opts, |_| {})
        .await
        .expect("run");
    assert_eq!((summary.audited, summary.finished), (2, true));
    assert_eq!(requested(&site, DEEP_EXT), 1, "once in the round");
    // Both sites' last pages were crawled.
    assert_eq!(site.hits("GET", "deep.gov.test/p/29.html").len(), 1);
    assert_eq!(site.hits("GET", "deep2.gov.test/p/29.html").len(), 1);

    let pool = store.pool();
    let rows = sqlx::query(
        "SELECT c.url, c.deep, c.deep_crawl_id, c.score, \
         (SELECT COUNT(*) FROM requests r WHERE r.check_id = c.id AND r.deep = 1) AS deep_requests, \
         (SELECT COUNT(*) FROM findings f WHERE f.check_id = c.id AND f.rule = 'links.broken') \
           AS broken_findings, c.observation_json \
         FROM checks c WHERE c.round_id = ? ORDER BY c.url",
    )
    .bind(round.id)
    .fetch_all(pool)
    .await
    .expect("checks");
    assert_eq!(rows.len(), 2);
    for r in &rows {
        let url: String = r.get("url");
        assert_eq!(r.get::<i64, _>("deep"), 1, "{url}");
        assert!(r.get::<Option<i64>, _>("deep_crawl_id").is_some(), "{url}");
        assert!(r.get::<i64, _>("deep_requests") > 30, "{url}");
        assert_eq!(r.get::<i64, _>("broken_findings"), 1, "{url}");
        let obs: String = r.get("observation_json");
        assert!(
            obs.contains("/p/29.html"),
            "the deep broken link's page: {url}"
        );
        assert!(obs.contains("missing-deep.html"), "{url}");
    }
    // The shared URL's request is in exactly one check's log; the crawl logs were moved.
    let logged: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM requests r JOIN checks c ON c.id = r.check_id \
         WHERE c.round_id = ? AND r.url LIKE '%deep-shared%'",
    )
    .bind(round.id)
    .fetch_one(pool)
    .await
    .expect("log");
    assert_eq!(logged, 1);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM crawl_requests")
        .fetch_one(pool)
        .await
        .expect("left");
    assert_eq!(left, 0);
    let shown = rounds::round_sites(&store, round.id).await.expect("show");
    assert!(
        shown.iter().all(|s| s.deep),
        "round show says deep: {shown:?}"
    );

    // The stored result counts the deep crawl's broken links exactly as `check --deep` does.
    let alone = Store::open_memory().await.expect("store");
    let (single, _) = auditor
        .with_fresh_links()
        .audit_deep(&Url::parse(SITE).expect("url"), as_of(), &alone, &settings)
        .await
        .expect("check --deep");
    let score: f64 = rows[0].get("score");
    assert_eq!(score, single.evaluation.score);

    // A new round checks anew, one site after the other: the second site reads the first's
    // result from the round's table, not from the network.
    let again = plan(&store).await;
    let opts = RunOptions {
        sites_at_once: 1,
        deep: Some(settings),
    };
    rounds::run_round_with(&auditor, &store, &again, as_of(), &opts, |_| {})
        .await
        .expect("second round");
    // Once more in the new round (the lone `check --deep` above made one more).
    assert_eq!(requested(&site, DEEP_EXT), 3);
    let shared: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM round_links WHERE url LIKE '%deep-shared%' AND round_id IN (?, ?)",
    )
    .bind(round.id)
    .bind(again.id)
    .fetch_one(pool)
    .await
    .expect("round_links");
    assert_eq!(shared, 2, "one row per round");
}

async fn round_state(db: &Path, round: i64) -> (i64, i64) {
    let Ok(store) = Store::open(db).await else {
        return (0, 0);
    };
    let done: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM round_sites WHERE round_id = ? AND check_id IS NOT NULL",
    )
    .bind(round)
    .fetch_one(store.pool())
    .await
    .unwrap_or(0);
    let pages: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM crawl_frontier f JOIN deep_crawls d ON d.id = f.crawl_id \
         WHERE d.site = ? AND f.state = 'done'",
    )
    .bind(SITE)
    .fetch_one(store.pool())
    .await
    .unwrap_or(0);
    (done, pages)
}

#[tokio::test]
async fn a_killed_deep_round_resumes_without_redoing_finished_sites() {
    let n = 600;
    let (site, addr) = serve(n, false, Duration::from_millis(10)).await;
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("k.db");
    let (_, round) = round_of(&db, &[SMALL, SITE]).await;
    let cfg_file = dir.path().join("config.toml");
    std::fs::write(
        &cfg_file,
        "[crawl]\ndeep_batch = 4\ndeep_max_depth = 20\ncheck_links = false\n",
    )
    .expect("config");
    let mut args: Vec<String> = vec!["--db".into(), db.display().to_string()];
    args.extend(["--config".into(), cfg_file.display().to_string()]);
    args.extend(["--host-rate".into(), "0".into()]);
    args.extend(["--host-concurrency".into(), "4".into()]);
    for r in resolve(addr) {
        args.extend(["--resolve".to_string(), r]);
    }
    let log = dir.path().join("stderr.txt");
    let run = || {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_govaudit"));
        let stderr = std::fs::File::create(&log).expect("log");
        cmd.args(&args)
            .args(["round", "run", &round.id.to_string(), "--deep"])
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .stdout(std::process::Stdio::null())
            .stderr(stderr);
        cmd
    };
    let mut child = run().spawn().expect("spawn");
    let started = Instant::now();
    let mut state = (0, 0);
    while started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        state = round_state(&db, round.id).await;
        if state.0 >= 1 && state.1 >= 60 {
            break;
        }
    }
    child.start_kill().expect("kill");
    let _ = child.wait().await;
    let (done, pages) = state;
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(
        done, 1,
        "the small site is done, the big one is not: {stderr}"
    );
    assert!(
        (60..n as i64).contains(&pages),
        "killed after {pages} pages"
    );
    let small_before = requested(&site, "small.gov.test/");

    let status = run().status().await.expect("resume");
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(status.success(), "{stderr}");
    assert_eq!(
        requested(&site, "small.gov.test/"),
        small_before,
        "the finished site is not redone"
    );
    let store = Store::open(&db).await.expect("db");
    let pool = store.pool();
    let (checks, deep): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), SUM(deep) FROM checks WHERE round_id = ?")
            .bind(round.id)
            .fetch_one(pool)
            .await
            .expect("checks");
    assert_eq!((checks, deep), (2, 2));
    let crawls: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT site, finished_at FROM deep_crawls WHERE round_id = ?")
            .bind(round.id)
            .fetch_all(pool)
            .await
            .expect("crawls");
    assert_eq!(
        crawls.len(),
        2,
        "the big site's crawl was resumed: {crawls:?}"
    );
    assert!(crawls.iter().all(|c| c.1.is_some()), "{crawls:?}");
    // The small site checked the shared URL before the kill; the big one read its result.
    assert_eq!(requested(&site, DEEP_EXT), 1);
}

async fn check_json(addr: std::net::SocketAddr, db: &Path, format: &str) -> (i32, String) {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_govaudit"));
    cmd.args([
        "check",
        SITE,
        "--deep",
        "--as-of",
        "2018-03-01",
        "--format",
        format,
    ])
    .args(["--db", &db.display().to_string(), "--host-rate", "0"])
    .env_remove("HTTP_PROXY")
    .env_remove("http_proxy");
    for r in resolve(addr) {
        cmd.args(["--resolve", &r]);
    }
    let out = cmd.output().await.expect("check");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[tokio::test]
async fn check_deep_json_has_a_deep_object_and_its_requests_are_stored() {
    let (_site, addr) = serve(20, false, Duration::ZERO).await;
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("c.db");
    let (code, out) = check_json(addr, &db, "json").await;
    assert!(code == 0 || code == 1, "{out}");
    let v: Value = serde_json::from_str(out.trim()).expect("one JSON object");
    let d = &v["deep"];
    assert!(d["crawl_id"].as_i64().is_some(), "{d}");
    assert_eq!(d["resumed"], false);
    assert_eq!(d["pages"], 22, "20 pages, the homepage and the 404: {d}");
    assert!(d["links_checked"].as_u64().is_some_and(|c| c >= 22), "{d}");
    let broken = d["broken"].as_array().expect("broken[]");
    assert_eq!(broken.len(), 1, "{d}");
    assert_eq!(broken[0]["url"], "http://deep.gov.test/missing-deep.html");
    assert_eq!(broken[0]["status"], 404);
    assert_eq!(
        broken[0]["pages"],
        serde_json::json!(["http://deep.gov.test/p/19.html"])
    );
    assert!(d["suspected"].as_array().is_some_and(Vec::is_empty));
    let peak = d["peak_in_memory_frontier"].as_u64().expect("peak");
    assert!((1..=64).contains(&peak), "{d}");
    let deep_requests = d["requests"].as_i64().expect("requests");
    assert!(deep_requests >= 22, "{d}");
    assert!(v["requests"].as_i64().is_some_and(|r| r > deep_requests));

    // The stored request log holds the deep crawl's requests, marked as such.
    let store = Store::open(&db).await.expect("db");
    let check_id = v["check_id"].as_i64().expect("check_id");
    let (all, deep): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), SUM(deep) FROM requests WHERE check_id = ?")
            .bind(check_id)
            .fetch_one(store.pool())
            .await
            .expect("requests");
    assert_eq!(deep, deep_requests);
    assert_eq!(Some(all), v["requests"].as_i64());

    // Text and Markdown carry a short deep section.
    let (_, text) = check_json(addr, &db, "text").await;
    assert!(text.contains("全站深度检查"), "{text}");
    assert!(text.contains("不可用链接 1 个"), "{text}");
    let (_, md) = check_json(addr, &db, "md").await;
    assert!(md.contains("## 全站深度检查"), "{md}");
}

#[tokio::test]
async fn a_deep_crawl_finished_but_not_stored_is_taken_up_not_crawled_again() {
    // A run killed after a site's deep crawl finished but before its check was stored (checks
    // are stored in batches) leaves a finished crawl that no check refers to.
    let (site, addr) = serve(30, false, Duration::ZERO).await;
    let cfg = config(addr);
    let dir = tempfile::tempdir().expect("tmp");
    let (store, round) = round_of(&dir.path().join("f.db"), &[SITE]).await;
    let auditor = Auditor::from_config(&cfg).expect("auditor");
    let settings = DeepSettings::from_config(&cfg.crawl);
    let left = govaudit::deep::deep_crawl(
        &auditor.fetcher,
        &auditor.links,
        &auditor.rules,
        store.pool(),
        &Url::parse(SITE).expect("url"),
        as_of(),
        &DeepSettings {
            round: Some(round.id),
            ..settings
        },
    )
    .await
    .expect("the crawl the killed run finished");
    assert_eq!(requested(&site, "deep.gov.test/p/29.html"), 1);

    let opts = RunOptions {
        sites_at_once: 1,
        deep: Some(settings),
    };
    let summary = rounds::run_round_with(&auditor, &store, &round, as_of(), &opts, |_| {})
        .await
        .expect("rerun");
    assert_eq!((summary.audited, summary.finished), (1, true));
    assert_eq!(
        requested(&site, "deep.gov.test/p/29.html"),
        1,
        "the finished crawl is taken up, not crawled again"
    );
    let row = sqlx::query(
        "SELECT c.deep_crawl_id, \
         (SELECT COUNT(*) FROM requests r WHERE r.check_id = c.id AND r.deep = 1) AS deep_requests, \
         (SELECT COUNT(*) FROM findings f WHERE f.check_id = c.id AND f.rule = 'links.broken') \
           AS broken FROM checks c WHERE c.round_id = ?",
    )
    .bind(round.id)
    .fetch_one(store.pool())
    .await
    .expect("check");
    assert_eq!(
        row.get::<Option<i64>, _>("deep_crawl_id"),
        Some(left.crawl_id)
    );
    assert!(
        row.get::<i64, _>("deep_requests") > 30,
        "its requests join the check"
    );
    assert_eq!(row.get::<i64, _>("broken"), 1, "its broken link counts");

    // Once a check refers to it, a new round's crawl starts afresh.
    let again = plan(&store).await;
    rounds::run_round_with(&auditor, &store, &again, as_of(), &opts, |_| {})
        .await
        .expect("new round");
    assert_eq!(requested(&site, "deep.gov.test/p/29.html"), 2);
}
