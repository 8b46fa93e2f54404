//! 疑似伪造发稿日期 from captures (issue 15's leftover): a site audited twice, whose 通知公告 shows
//! in the second capture an item the first did not list although it is dated before the first
//! capture was taken. The finding is `review` (it fails nothing by itself), names both captures,
//! and a re-evaluation of the second check reproduces it byte for byte.

use govaudit::sim::SimServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_new_since_the_last_capture_but_dated_before_it_is_for_review() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("b.db");
    let as_of = super::AS_OF.parse().expect("date");
    let check = |server: &SimServer| {
        super::govaudit(
            Some(server),
            &db,
            &[
                "check",
                "http://bd.gov.test/",
                "--as-of",
                super::AS_OF,
                "--format",
                "json",
            ],
        )
    };
    let first = {
        let server = SimServer::start(crate::support::scenario("backdated-before"), as_of)
            .await
            .expect("server");
        check(&server)
    };
    let first_json: serde_json::Value = serde_json::from_slice(&first.stdout).expect("json");
    let rules = |v: &serde_json::Value| -> Vec<String> {
        v["findings"]
            .as_array()
            .map(|f| {
                f.iter()
                    .map(|f| f["rule"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert!(
        !rules(&first_json).contains(&"content.backdated".to_string()),
        "{first_json}"
    );

    let server = SimServer::start(crate::support::scenario("backdated-after"), as_of)
        .await
        .expect("server");
    let second = check(&server);
    let json: serde_json::Value = serde_json::from_slice(&second.stdout).expect("json");
    let finding = json["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["rule"] == "content.backdated"))
        .unwrap_or_else(|| panic!("no content.backdated finding: {json}"));
    assert_eq!(finding["severity"], "review");
    assert_eq!(
        json["verdict"], first_json["verdict"],
        "review findings fail nothing"
    );
    let evidence = finding["evidence"].as_array().expect("evidence");
    assert_eq!(evidence.len(), 1, "{finding}");
    assert_eq!(evidence[0]["url"], "http://bd.gov.test/art/tzgg/4.html");
    let detail = evidence[0]["detail"].as_str().expect("detail");
    assert!(detail.contains("2018-02-14"), "the date shown: {detail}");
    assert_eq!(
        detail.matches("存档记录 <urn:uuid:").count(),
        2,
        "both captures: {detail}"
    );

    server.reset_stats();
    let again = super::govaudit(
        Some(&server),
        &db,
        &["reevaluate", "--check", "2", "--format", "json"],
    );
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        String::from_utf8_lossy(&second.stdout),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let hits: usize = server.all_host_stats().values().map(|s| s.hits).sum();
    assert_eq!(hits, 0);
}
