//! The `govaudit` binary's contract: one JSON object with the documented keys, exit codes
//! 0 (合格) / 1 (不合格) / 2 (error), errors that name the bad input, results in the database.

use crate::support;

use std::process::Output;

use chrono::NaiveDate;
use govaudit::sim::SimServer;
use govaudit::store::Store;
use tokio::process::Command;

async fn govaudit(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .args(args)
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .output()
        .await
        .expect("binary runs")
}

fn net_args(server: &SimServer) -> Vec<String> {
    let mut a = vec![
        "--host-rate".to_string(),
        "0".to_string(),
        "--host-concurrency".into(),
        "8".into(),
    ];
    for r in server.resolve_entries() {
        a.push("--resolve".into());
        a.push(r);
    }
    a
}

async fn start() -> SimServer {
    let as_of = NaiveDate::from_ymd_opt(2018, 3, 1).expect("date");
    SimServer::start(support::scenario("thresholds"), as_of)
        .await
        .expect("server")
}

#[tokio::test]
async fn json_output_is_one_object_with_the_documented_keys() {
    let server = start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    let mut args: Vec<String> = [
        "check",
        "http://base.gov.test/",
        "--as-of",
        "2018-03-01",
        "--format",
        "json",
        "--db",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(db.display().to_string());
    args.extend(net_args(&server));
    let out = govaudit(&args).await;
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut stream = serde_json::Deserializer::from_str(&stdout).into_iter::<serde_json::Value>();
    let doc = stream.next().expect("one value").expect("valid JSON");
    assert!(stream.next().is_none(), "exactly one JSON value on stdout");
    assert_eq!(doc["url"], "http://base.gov.test/");
    assert_eq!(doc["as_of"], "2018-03-01");
    assert_eq!(doc["verdict"], "pass");
    assert!(doc["score"].as_f64().is_some());
    assert!(doc["findings"].is_array());
    let cols = doc["columns"].as_array().expect("columns");
    assert!(!cols.is_empty());
    for key in ["name", "url", "class", "newest", "items", "blank"] {
        assert!(cols[0].get(key).is_some(), "column key {key}");
    }
    let gzdt = cols
        .iter()
        .find(|c| c["name"] == "工作动态")
        .expect("工作动态");
    assert_eq!(gzdt["class"], "dynamic");
    assert_eq!(gzdt["newest"], "2018-02-28");
    let footer = &doc["footer"];
    for key in ["icp", "site_code", "police_record", "conac", "jiucuo"] {
        assert!(footer.get(key).is_some(), "footer key {key}");
    }
    assert_eq!(footer["site_code"], "6499010001");
    // Evidence you can quote: the exact text read for each footer item, and where.
    assert_eq!(footer["evidence"]["site_code"]["source"], "footer");
    assert_eq!(
        footer["evidence"]["site_code"]["text"],
        "网站标识码：6499010001"
    );
    assert_eq!(footer["evidence"]["conac"]["source"], "link");
    assert!(footer["text"]
        .as_str()
        .is_some_and(|t| t.contains("网站标识码")));
    // The homepage's items whatever rule fires.
    let home = &doc["homepage"];
    assert_eq!(home["newest"], "2018-02-28");
    for key in ["items", "dated", "undated", "recent", "opened"] {
        assert!(home[key].as_u64().is_some(), "homepage key {key}");
    }
    assert!(home["recent"].as_u64() <= home["dated"].as_u64());
    assert_eq!(gzdt["date_source"], "list");
    assert!(gzdt["newest_title"].as_str().is_some());
    assert!(doc["links"]["checked"].as_u64().expect("checked") > 0);
    assert!(doc["links"]["broken"].is_array());
    assert!(doc["pages_fetched"].as_u64().expect("pages") >= 4);

    // Stored: the check, its columns and its request log.
    let id = doc["check_id"].as_i64().expect("stored check id");
    let store = Store::open(&db).await.expect("db opens");
    let stored = store.load_check(id).await.expect("check stored");
    assert_eq!(stored.url, "http://base.gov.test/");
    assert!(stored.columns >= 3 && stored.requests >= 4, "{stored:?}");
}

#[tokio::test]
async fn failing_site_exits_1_and_text_speaks_chinese() {
    let server = start().await;
    let mut args: Vec<String> = [
        "check",
        "blank5.gov.test",
        "--as-of",
        "2018-03-01",
        "--no-store",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(net_args(&server));
    let out = govaudit(&args).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        text.contains("不合格") && text.contains("空白栏目") && text.contains("单项否决"),
        "{text}"
    );
}

#[tokio::test]
async fn a_site_that_did_not_open_is_judged_unreachable_and_nothing_else() {
    // A port nobody listens on: connection refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let url = format!("http://127.0.0.1:{port}/");
    let base = ["check", url.as_str(), "--as-of", "2018-03-01", "--no-store"];
    let mut args: Vec<String> = base.iter().map(|s| s.to_string()).collect();
    args.extend(["--format".to_string(), "json".into()]);
    // Loopback is private: the user chose it, so allow it as the tests' sites are.
    let cfg_dir = tempfile::tempdir().expect("tempdir");
    let cfg = cfg_dir.path().join("c.toml");
    std::fs::write(&cfg, "[fetch]\nallow_private = true\nretries = 0\n").expect("write");
    args.extend(["--config".to_string(), cfg.display().to_string()]);
    let out = govaudit(&args).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["reachable"], false);
    assert_eq!(doc["vetoes"], serde_json::json!(["site.unreachable"]));
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(rules, ["site.unreachable"]);
    let not_evaluated = doc["not_evaluated"].as_array().expect("not_evaluated");
    assert!(not_evaluated
        .iter()
        .any(|r| r == "footer.missing_identifier"));
    assert!(doc["score"].is_null() && doc["footer"].is_null() && doc["homepage"].is_null());

    // The text says what was not read instead of calling every footer item missing.
    let mut args: Vec<String> = base.iter().map(|s| s.to_string()).collect();
    args.extend(["--config".to_string(), cfg.display().to_string()]);
    let out = govaudit(&args).await;
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("不合格（单项否决：网站无法访问）"), "{text}");
    assert!(text.contains("未评估") && !text.contains("缺失"), "{text}");
    assert!(!text.contains("得分"), "no score beside a veto: {text}");
}

#[tokio::test]
async fn bad_input_exits_2_naming_it() {
    let out = govaudit(&["check".into(), "ftp://x".into(), "--no-store".into()]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ftp://x"));
    // Whatever cannot be a site's address is an error, not an unreachable site.
    for bad in [
        "http://",
        "javascript:alert(1)",
        "mailto:office@example.gov.cn",
        "http://exa mple.gov.cn/",
        "",
        "file:///etc/passwd",
    ] {
        let out = govaudit(&["check".into(), bad.into(), "--no-store".into()]).await;
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(out.stdout.is_empty(), "{bad:?}: no report for a non-site");
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("broken.toml");
    std::fs::write(&cfg, "[fetch]\nhost_rate = \"fast\"\n").expect("write");
    let out = govaudit(&[
        "--config".into(),
        cfg.display().to_string(),
        "check".into(),
        "http://base.gov.test/".into(),
        "--no-store".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken.toml") && err.contains("host_rate"),
        "{err}"
    );

    let out = govaudit(&[
        "check".into(),
        "x.gov.test".into(),
        "--no-store".into(),
        "--resolve".into(),
        "nonsense".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nonsense"));
}

#[tokio::test]
async fn through_a_proxy_host_names_are_left_to_the_proxy() {
    // The simulated server also answers proxy-style requests (absolute URIs), so real-looking
    // host names reach it with no local DNS and no --resolve.
    let server = start().await;
    let proxy = format!("http://{}", server.addr);
    let base = [
        "check",
        "http://base.gov.test/",
        "--as-of",
        "2018-03-01",
        "--format",
        "json",
        "--no-store",
    ];
    let mut args: Vec<String> = base.iter().map(|s| s.to_string()).collect();
    args.extend([
        "--proxy".to_string(),
        proxy.clone(),
        "--host-rate".into(),
        "0".into(),
    ]);
    let out = govaudit(&args).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["verdict"], "pass");
    assert!(doc["columns"].as_array().is_some_and(|c| c.len() >= 3));
    assert!(server.host_stats("base.gov.test").hits >= 4);

    // HTTP_PROXY is honoured when no proxy is configured.
    let before = server.host_stats("base.gov.test").hits;
    let mut args: Vec<String> = base.iter().map(|s| s.to_string()).collect();
    args.extend(["--host-rate".to_string(), "0".into()]);
    let out = Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .args(&args)
        .env("HTTP_PROXY", &proxy)
        .env("http_proxy", &proxy)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .await
        .expect("binary runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        server.host_stats("base.gov.test").hits > before,
        "requests went through HTTP_PROXY"
    );
}

#[tokio::test]
async fn a_misprinted_leader_name_is_a_candidate_until_a_person_confirms_it() {
    let as_of = NaiveDate::from_ymd_opt(2018, 3, 1).expect("date");
    let server = SimServer::start(support::scenario("interaction"), as_of)
        .await
        .expect("server");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db").display().to_string();
    let mut args: Vec<String> = [
        "check",
        "http://misprint.gov.test/",
        "--as-of",
        "2018-03-01",
        "--format",
        "json",
        "--db",
        &db,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(net_args(&server));
    let out = govaudit(&args).await;
    // A candidate never fails a site by itself.
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let candidate = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "content.serious_error")
        .expect("candidate")
        .clone();
    assert_eq!(candidate["severity"], "review");
    assert!(candidate["evidence"][0]["seen"]
        .as_str()
        .is_some_and(|s| s.contains("习进平总书记")));
    let check_id = doc["check_id"].as_i64().expect("check id");

    let list = govaudit(&["--db".into(), db.clone(), "confirm".into(), "--list".into()]).await;
    assert_eq!(list.status.code(), Some(0));
    let listed = String::from_utf8(list.stdout).expect("utf-8");
    let id: i64 = listed
        .lines()
        .find(|l| l.contains("习进平"))
        .and_then(|l| l.split('\t').next())
        .and_then(|n| n.parse().ok())
        .expect("listed with its id");

    let confirmed = govaudit(&["--db".into(), db.clone(), "confirm".into(), id.to_string()]).await;
    assert_eq!(
        confirmed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&confirmed.stderr)
    );
    let store = Store::open(std::path::Path::new(&db)).await.expect("db");
    let verdict: String = sqlx::query_scalar("SELECT verdict FROM checks WHERE id = ?")
        .bind(check_id)
        .fetch_one(store.pool())
        .await
        .expect("verdict");
    assert_eq!(verdict, "fail", "confirmed: 单项否决");
    let severity: String = sqlx::query_scalar("SELECT severity FROM findings WHERE id = ?")
        .bind(id)
        .fetch_one(store.pool())
        .await
        .expect("severity");
    assert_eq!(severity, "veto");
    store.close().await;
    // Decided once; an unknown id names itself.
    let again = govaudit(&["--db".into(), db.clone(), "confirm".into(), id.to_string()]).await;
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("not awaiting a decision"));
    let unknown = govaudit(&["--db".into(), db, "confirm".into(), "999999".into()]).await;
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("finding 999999 not found"));
}
