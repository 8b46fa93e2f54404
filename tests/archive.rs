//! The evidence archive (issue 16) end to end on loopback, through the binary: `check` leaves a
//! WARC capture indexed in the database; every index row's byte range holds a complete record;
//! an independent reader (Python `warcio`, when installed) reads every file; `reevaluate`
//! makes no request and gives the same JSON byte for byte, or the changed verdict under
//! changed thresholds; a round killed mid-way leaves an archive with no row pointing at a
//! missing or half-written record.

use crate::support;

#[path = "archive/backdated.rs"]
mod backdated;
#[path = "archive/consistency.rs"]
mod consistency;
#[path = "archive/notice.rs"]
mod notice;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use govaudit::sim::SimServer;

pub const AS_OF: &str = "2018-03-01";

/// Run the binary against the server's hosts with database `db`.
pub fn govaudit(server: Option<&SimServer>, db: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_govaudit"));
    cmd.arg("--db").arg(db).args(["--host-rate", "0"]);
    if let Some(server) = server {
        for r in server.resolve_entries() {
            cmd.args(["--resolve", &r]);
        }
    }
    cmd.args(args).output().expect("govaudit runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Total requests the simulated server has answered.
fn hits(server: &SimServer) -> u64 {
    server
        .all_host_stats()
        .values()
        .map(|s| s.hits as u64)
        .sum()
}

/// Every `*.warc.gz` file under `dir`.
pub fn warc_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("archive folder").flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(".warc.gz") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// Read every file with Python's `warcio` (an independent WARC reader); `None` when it is not
/// installed (the caller skips with a note).
pub fn warcio_check(files: &[PathBuf]) -> Option<()> {
    let probe = Command::new("python3")
        .args(["-c", "import warcio"])
        .output()
        .ok()?;
    if !probe.status.success() {
        eprintln!("note: Python warcio is not installed (pip install warcio); independent WARC check skipped");
        return None;
    }
    for f in files {
        let out = Command::new("python3")
            .args([
                "-c",
                "import sys; from warcio.cli import main; main(sys.argv[1:])",
                "index",
                "-f",
                "warc-type,warc-target-uri,length,offset",
            ])
            .arg(f)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "warcio index {}: {}",
            f.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let index = String::from_utf8_lossy(&out.stdout);
        assert!(index.contains("\"response\""), "{}: {index}", f.display());
    }
    Some(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_archives_its_pages_and_reevaluates_them_offline_byte_for_byte() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("a.db");
    let server = SimServer::start(
        support::scenario("thresholds"),
        AS_OF.parse().expect("date"),
    )
    .await
    .expect("server");
    let url = "http://home15.gov.test/";
    let live = govaudit(
        Some(&server),
        &db,
        &["check", url, "--as-of", AS_OF, "--format", "json"],
    );
    assert_eq!(live.status.code(), Some(1), "{}", stderr(&live));
    let archive = dir.path().join("a-archive");
    let files = warc_files(&archive);
    assert_eq!(files.len(), 1, "one capture for one check: {files:?}");
    consistency::assert_index_consistent(&db, &archive).await;
    warcio_check(&files);

    // The pages as the audit saw them, for a browser offline.
    let out_dir = dir.path().join("evidence");
    let out_arg = out_dir.display().to_string();
    let ev = govaudit(None, &db, &["evidence", "1", "--out", &out_arg]);
    assert_eq!(ev.status.code(), Some(0), "{}", stderr(&ev));
    let index = std::fs::read_to_string(out_dir.join("index.html")).expect("index.html");
    assert!(index.contains("http://home15.gov.test/"), "{index}");
    let home = std::fs::read_to_string(out_dir.join("page-0001.html")).expect("homepage");
    assert!(home.contains("存档于 2"), "banner: {home}");
    assert!(home.contains("原网址 http://home15.gov.test/"), "{home}");
    assert!(home.contains("script-src") || home.contains("default-src 'none'"));
    assert!(
        home.contains("href=\"page-0002.html\""),
        "a link to an archived column page points at its file: {home}"
    );

    // Offline: not one request reaches the server, and the JSON is the same, byte for byte.
    server.reset_stats();
    let again = govaudit(
        Some(&server),
        &db,
        &["reevaluate", "--check", "1", "--format", "json"],
    );
    assert_eq!(again.status.code(), Some(1), "{}", stderr(&again));
    assert_eq!(hits(&server), 0, "reevaluate made a network request");
    assert_eq!(stdout(&again), stdout(&live), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("stored as evaluation 1"),
        "{}",
        stderr(&again)
    );

    // The text report names the record too.
    let text = govaudit(Some(&server), &db, &["reevaluate", "--check", "1"]);
    assert!(
        stdout(&text).contains("存档记录 <urn:uuid:"),
        "{}",
        stdout(&text)
    );
    assert_eq!(hits(&server), 0, "reevaluate made a network request");

    // Changed thresholds: 网站不更新 judged over 30 days instead of 2 weeks.
    let rules = dir.path().join("rules");
    copy_dir(&support::fixture("../../rules"), &rules);
    let stale = rules.join("gb2015/homepage.stale.toml");
    let text = std::fs::read_to_string(&stale).expect("rule");
    assert!(text.contains("window = \"14d\""));
    std::fs::write(&stale, text.replace("window = \"14d\"", "window = \"30d\"")).expect("write");
    let rules_arg = rules.display().to_string();
    let changed = govaudit(
        Some(&server),
        &db,
        &[
            "reevaluate",
            "--check",
            "1",
            "--format",
            "json",
            "--rules",
            &rules_arg,
        ],
    );
    assert_eq!(hits(&server), 0, "reevaluate made a network request");
    let before: serde_json::Value = serde_json::from_slice(&live.stdout).expect("json");
    let after: serde_json::Value = serde_json::from_slice(&changed.stdout).expect("json");
    // The finding names the archived record of the page it is about.
    let stale = before["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["rule"] == "homepage.stale"))
        .expect("homepage.stale finding");
    let archived = &stale["evidence"][0]["archived"];
    assert!(
        archived["record"]
            .as_str()
            .is_some_and(|r| r.starts_with("<urn:uuid:")),
        "{stale}"
    );
    assert!(
        archived["warc"]
            .as_str()
            .is_some_and(|w| w.ends_with(".warc.gz")),
        "{stale}"
    );
    let vetoes = |v: &serde_json::Value| v["vetoes"].to_string();
    assert!(vetoes(&before).contains("homepage.stale"), "{before}");
    assert!(!vetoes(&after).contains("homepage.stale"), "{after}");
    assert_eq!(
        before["columns"], after["columns"],
        "the same pages were read"
    );

    // The original check is never overwritten; both evaluations are kept beside it.
    let store = govaudit::store::Store::open(&db).await.expect("db");
    let stored = store.load_check(1).await.expect("check");
    assert_eq!(stored.verdict, govaudit::findings::Verdict::Fail);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM evaluations WHERE check_id = 1")
        .fetch_one(store.pool())
        .await
        .expect("count");
    assert_eq!(n, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_archive_keeps_nothing_and_reevaluate_says_why_it_cannot() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("n.db");
    let server = SimServer::start(
        support::scenario("thresholds"),
        AS_OF.parse().expect("date"),
    )
    .await
    .expect("server");
    let out = govaudit(
        Some(&server),
        &db,
        &[
            "check",
            "http://base.gov.test/",
            "--as-of",
            AS_OF,
            "--no-archive",
        ],
    );
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let archive = dir.path().join("n-archive");
    assert!(!archive.exists() || warc_files(&archive).is_empty());
    let again = govaudit(None, &db, &["reevaluate", "--check", "1"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("check 1 has no archived capture"),
        "{}",
        stderr(&again)
    );

    // A self-check report of an unarchived check names no record, and is not an error.
    let out = govaudit(
        Some(&server),
        &db,
        &[
            "check",
            "http://home15.gov.test/",
            "--as-of",
            AS_OF,
            "--no-archive",
        ],
    );
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let site = govaudit(
        None,
        &db,
        &[
            "report",
            "site",
            "http://home15.gov.test/",
            "--format",
            "json",
        ],
    );
    assert_eq!(site.status.code(), Some(0), "{}", stderr(&site));
    let site: serde_json::Value = serde_json::from_slice(&site.stdout).expect("json");
    let findings = site["findings"].as_array().expect("findings");
    assert!(
        findings.iter().any(|f| f["evidence"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["url"].is_string()))),
        "{site}"
    );
    let text = site["findings"].to_string();
    assert!(
        !text.contains("\"archived\"") && !text.contains("存档记录"),
        "{text}"
    );
}

/// A deep check is re-evaluated with the limits it ran with, not the configuration's of today:
/// the same pages are crawled from the capture, so the JSON is the same byte for byte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deep_check_is_reevaluated_with_its_own_crawl_limits() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("d.db");
    let config = dir.path().join("config.toml");
    let config_arg = config.display().to_string();
    std::fs::write(&config, "[crawl]\ndeep_max_pages = 3\ndeep_max_depth = 1\n").expect("config");
    let server = SimServer::start(
        support::scenario("thresholds"),
        AS_OF.parse().expect("date"),
    )
    .await
    .expect("server");
    let live = govaudit(
        Some(&server),
        &db,
        &[
            "--config",
            &config_arg,
            "check",
            "http://home15.gov.test/",
            "--deep",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ],
    );
    assert_ne!(live.status.code(), Some(2), "{}", stderr(&live));
    let json: serde_json::Value = serde_json::from_slice(&live.stdout).expect("json");
    assert_eq!(
        json["deep"]["pages"], 3,
        "the small limit held: {}",
        json["deep"]
    );

    // Today's configuration would crawl further than the capture holds.
    std::fs::write(
        &config,
        "[crawl]\ndeep_max_pages = 500\ndeep_max_depth = 10\n",
    )
    .expect("config");
    server.reset_stats();
    let again = govaudit(
        Some(&server),
        &db,
        &[
            "--config",
            &config_arg,
            "reevaluate",
            "--check",
            "1",
            "--format",
            "json",
        ],
    );
    assert_eq!(hits(&server), 0, "reevaluate made a network request");
    assert_eq!(
        again.status.code(),
        live.status.code(),
        "{}",
        stderr(&again)
    );
    assert_eq!(stdout(&again), stdout(&live), "{}", stderr(&again));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read").flatten() {
        let p = entry.path();
        let target = to.join(entry.file_name());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).expect("copy");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_capture_deduplicates_and_prune_keeps_what_it_refers_to() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("p.db");
    let archive = dir.path().join("p-archive");
    let server = SimServer::start(
        support::scenario("thresholds"),
        AS_OF.parse().expect("date"),
    )
    .await
    .expect("server");
    for _ in 0..2 {
        let out = govaudit(
            Some(&server),
            &db,
            &["check", "http://base.gov.test/", "--as-of", AS_OF],
        );
        assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    }
    let files = warc_files(&archive);
    assert_eq!(files.len(), 2);
    let store = govaudit::store::Store::open(&db).await.expect("db");
    let count = |sql: &'static str| {
        let pool = store.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .expect("count")
        }
    };
    // The same pages again: the second capture's bodies are revisits of the first's.
    let revisits =
        count("SELECT COUNT(*) FROM archive_records WHERE capture_id = 2 AND kind = 'revisit'")
            .await;
    let responses = count("SELECT COUNT(*) FROM archive_records WHERE capture_id = 2 AND kind = 'response' AND payload_digest IS NOT NULL").await;
    assert!(
        revisits > 0 && responses == 0,
        "{revisits} revisits, {responses} new bodies"
    );
    let sizes: Vec<u64> = {
        let names: Vec<String> =
            sqlx::query_scalar("SELECT file FROM archive_captures ORDER BY id")
                .fetch_all(store.pool())
                .await
                .expect("files");
        names
            .iter()
            .map(|f| std::fs::metadata(archive.join(f)).expect("meta").len())
            .collect()
    };
    assert!(
        sizes[1] < sizes[0],
        "the deduplicated capture is smaller: {sizes:?}"
    );
    consistency::assert_index_consistent(&db, &archive).await;
    warcio_check(&files);

    // Capture 1 is three years old: capture 2 refers to its payloads, so it stays.
    sqlx::query(
        "UPDATE archive_captures SET started_at = '2023-01-01T00:00:00+00:00' WHERE id = 1",
    )
    .execute(store.pool())
    .await
    .expect("age");
    let prune = govaudit(None, &db, &["archive", "prune", "--older-than", "2y"]);
    assert_eq!(prune.status.code(), Some(0), "{}", stderr(&prune));
    assert!(
        stderr(&prune).contains("removed 0 captures"),
        "{}",
        stderr(&prune)
    );
    assert!(
        stderr(&prune).contains("kept 1 older"),
        "{}",
        stderr(&prune)
    );
    assert_eq!(warc_files(&archive).len(), 2);
    // Both old: both go, files and rows, and what remains is consistent.
    sqlx::query("UPDATE archive_captures SET started_at = '2023-01-01T00:00:00+00:00'")
        .execute(store.pool())
        .await
        .expect("age");
    let prune = govaudit(None, &db, &["archive", "prune", "--older-than", "2y"]);
    assert!(
        stderr(&prune).contains("removed 2 captures"),
        "{}",
        stderr(&prune)
    );
    assert!(warc_files(&archive).is_empty());
    assert_eq!(count("SELECT COUNT(*) FROM archive_records").await, 0);
    assert_eq!(count("SELECT COUNT(*) FROM archive_payloads").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_size_cap_keeps_headers_only_past_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("c.db");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[archive]\nmax_site_bytes = 4000\n").expect("config");
    let server = SimServer::start(
        support::scenario("thresholds"),
        AS_OF.parse().expect("date"),
    )
    .await
    .expect("server");
    let config_arg = config.display().to_string();
    let out = govaudit(
        Some(&server),
        &db,
        &[
            "--config",
            &config_arg,
            "check",
            "http://base.gov.test/",
            "--as-of",
            AS_OF,
        ],
    );
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let archive = dir.path().join("c-archive");
    consistency::assert_index_consistent(&db, &archive).await;
    warcio_check(&warc_files(&archive));
    let store = govaudit::store::Store::open(&db).await.expect("db");
    let (skipped, bytes): (i64, i64) =
        sqlx::query_as("SELECT bodies_skipped, bytes FROM archive_captures")
            .fetch_one(store.pool())
            .await
            .expect("capture");
    assert!(skipped > 0, "bodies past the cap are left out");
    let bodies: i64 = sqlx::query_scalar(
        "SELECT COALESCE(SUM(payload_length), 0) FROM archive_records WHERE kind = 'response'",
    )
    .fetch_one(store.pool())
    .await
    .expect("sum");
    assert!(
        bodies <= 4000 + 2000,
        "kept bodies stop near the cap: {bodies} of {bytes}"
    );
}
