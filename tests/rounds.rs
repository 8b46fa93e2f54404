//! Rounds end to end on loopback: a sampled round audited and stored, a 复核 round of its
//! failing sites due 5 working days after the notice, and a run killed mid-way that resumes
//! with nothing lost and nothing duplicated.

use crate::support;

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use govaudit::audit::Auditor;
use govaudit::calendar::Calendar;
use govaudit::findings::Verdict;
use govaudit::registry;
use govaudit::rounds::{self, PlanOptions, RoundKind};
use govaudit::sim::SimServer;
use govaudit::store::Store;
use sqlx::Row;

fn date(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

async fn registry_db(path: &std::path::Path) -> Store {
    let store = Store::open(path).await.expect("db");
    let sites = registry::load_file(&support::fixture("registry/rounds.csv")).expect("registry");
    registry::import(&store, &sites).await.expect("import");
    store
}

fn opts(ratio: f64) -> PlanOptions {
    PlanOptions {
        month: "2018-02".into(),
        ratio,
        seed: 42,
        profile: "gb2015".into(),
        as_of: Some(date("2018-03-01")),
    }
}

#[tokio::test]
async fn a_sampled_round_runs_and_its_failures_are_rechecked() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = registry_db(&dir.path().join("r.db")).await;

    // ratio 0.25: every unit gets ceil(0.25 × running) ≥ 1; the closed site is never drawn.
    let (small, sample) = rounds::plan_sample(&store, &opts(0.25))
        .await
        .expect("plan");
    assert_eq!(small.sites, 3, "one site per unit: {sample:?}");
    let (again, _) = rounds::plan_sample(&store, &opts(0.25))
        .await
        .expect("plan again");
    let a: Vec<i64> = rounds::round_sites(&store, small.id)
        .await
        .expect("sites")
        .iter()
        .map(|s| s.site_id)
        .collect();
    let b: Vec<i64> = rounds::round_sites(&store, again.id)
        .await
        .expect("sites")
        .iter()
        .map(|s| s.site_id)
        .collect();
    assert_eq!(a, b, "same seed, same sample");

    let (round, _) = rounds::plan_sample(&store, &opts(1.0))
        .await
        .expect("plan all");
    assert_eq!(round.sites, 8, "every running site, not the closed one");
    let as_of = date("2018-03-01");
    let server = SimServer::start(support::scenario("thresholds"), as_of)
        .await
        .expect("server");
    let auditor = Auditor::from_config(&support::config_for(&server, false)).expect("auditor");
    let mut seen = 0;
    let summary = rounds::run_round(&auditor, &store, &round, as_of, 8, |_| seen += 1)
        .await
        .expect("run");
    assert_eq!((summary.audited, seen), (8, 8));
    assert!(summary.finished);
    let done = rounds::get(&store, round.id).await.expect("round");
    assert_eq!(done.done, 8);
    // blank5 (空白栏目), home15 (首页不更新), stale5 (栏目不更新), down (无法访问) fail.
    assert_eq!(
        done.failed,
        4,
        "{:#?}",
        rounds::round_sites(&store, round.id).await
    );
    assert!(done.finished_at.is_some());
    assert!(
        rounds::newest_unfinished(&store)
            .await
            .expect("q")
            .map(|r| r.id)
            != Some(round.id)
    );

    // 复核: notice on Tue 2018-02-13, 5 working days over 春节 → Mon 2018-02-26.
    let (re, warning) = rounds::plan_recheck(
        &store,
        round.id,
        date("2018-02-13"),
        5,
        &Calendar::builtin(),
    )
    .await
    .expect("recheck");
    assert!(warning.is_none());
    assert_eq!(re.kind, RoundKind::Recheck);
    assert_eq!(re.due_date, Some(date("2018-02-26")));
    assert_eq!(re.sites, 4);
    let rows = rounds::round_sites(&store, re.id).await.expect("rows");
    assert!(
        rows.iter().all(|r| r.original_check_id.is_some()),
        "linked to the failing checks"
    );
    let summary = rounds::run_round(&auditor, &store, &re, as_of, 8, |_| {})
        .await
        .expect("run recheck");
    assert_eq!(summary.audited, 4);
    let rows = rounds::round_sites(&store, re.id).await.expect("rows");
    assert!(
        rows.iter().all(|r| r.verdict == Some(Verdict::Fail)),
        "nothing was rectified"
    );
}

#[tokio::test]
async fn explicit_lists_name_unknown_sites_by_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = registry_db(&dir.path().join("l.db")).await;
    let list = dir.path().join("list.txt");
    std::fs::write(&list, "# 抽查名单\nhttp://base.gov.test/\ngbk.gov.test\n").expect("write");
    let round = rounds::plan_list(&store, &opts(0.25), &list)
        .await
        .expect("plan list");
    assert_eq!(round.sites, 2);
    std::fs::write(&list, "http://base.gov.test/\n\nhttp://nowhere.gov.test/\n").expect("write");
    let err = rounds::plan_list(&store, &opts(0.25), &list)
        .await
        .expect_err("unknown site");
    let msg = err.to_string();
    assert!(
        msg.contains("list.txt:3") && msg.contains("nowhere.gov.test"),
        "{msg}"
    );
    assert_eq!(
        rounds::list(&store).await.expect("list").len(),
        1,
        "the failed plan stored nothing"
    );
}

async fn counts(store: &Store, round_id: i64) -> (i64, i64, i64) {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM checks WHERE round_id = ?1), \
         (SELECT COUNT(*) FROM round_sites WHERE round_id = ?1 AND check_id IS NOT NULL), \
         (SELECT COUNT(DISTINCT check_id) FROM round_sites WHERE round_id = ?1 AND check_id IS NOT NULL)",
    )
    .bind(round_id)
    .fetch_one(store.pool())
    .await
    .expect("counts");
    (row.get(0), row.get(1), row.get(2))
}

#[tokio::test]
async fn a_killed_run_resumes_without_losing_or_duplicating_sites() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("k.db");
    let store = registry_db(&db).await;
    let (round, _) = rounds::plan_sample(&store, &opts(1.0)).await.expect("plan");
    let as_of = date("2018-03-01");
    let server = SimServer::start(support::scenario("thresholds"), as_of)
        .await
        .expect("server");
    let mut args: Vec<String> = vec!["--db".into(), db.display().to_string()];
    for r in server.resolve_entries() {
        args.extend(["--resolve".to_string(), r]);
    }
    let run = |extra: &[&str]| {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_govaudit"));
        cmd.args(&args)
            .args(["round", "run", "--as-of", "2018-03-01"])
            .args(extra);
        cmd.stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        cmd
    };

    // Default politeness: the big sites take many seconds, the small ones finish first.
    let mut child = run(&[]).spawn().expect("spawn");
    let started = Instant::now();
    loop {
        let (_, done, _) = counts(&store, round.id).await;
        if done >= 1 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no site finished within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.start_kill().expect("kill");
    let _ = child.wait().await;
    let (checks, done, distinct) = counts(&store, round.id).await;
    assert!((1..8).contains(&done), "killed mid-round: {done} of 8 done");
    assert_eq!(
        (checks, distinct),
        (done, done),
        "every stored check fills exactly one slot"
    );

    let status = run(&["--host-rate", "0"]).status().await.expect("resume");
    assert!(status.success());
    let (checks, done, distinct) = counts(&store, round.id).await;
    assert_eq!(
        (checks, done, distinct),
        (8, 8, 8),
        "resumed: each site once"
    );
    assert!(rounds::get(&store, round.id)
        .await
        .expect("round")
        .finished_at
        .is_some());
}

#[tokio::test]
async fn quarterly_stats_and_round_diff_come_from_the_stored_rounds() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("s.db");
    let store = registry_db(&db).await;
    let as_of = date("2018-03-01");
    let server = SimServer::start(support::scenario("thresholds"), as_of)
        .await
        .expect("server");
    let auditor = Auditor::from_config(&support::config_for(&server, false)).expect("auditor");
    let (feb, _) = rounds::plan_sample(&store, &opts(1.0)).await.expect("plan");
    rounds::run_round(&auditor, &store, &feb, as_of, 8, |_| {})
        .await
        .expect("run");
    let (re, _) = rounds::plan_recheck(&store, feb.id, date("2018-02-13"), 5, &Calendar::builtin())
        .await
        .expect("recheck");
    rounds::run_round(&auditor, &store, &re, as_of, 8, |_| {})
        .await
        .expect("run recheck");
    let mut march = opts(1.0);
    march.month = "2018-03".into();
    let (mar, _) = rounds::plan_sample(&store, &march).await.expect("plan");
    rounds::run_round(&auditor, &store, &mar, as_of, 8, |_| {})
        .await
        .expect("run");

    let cli = |args: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_govaudit"));
        cmd.arg("--db").arg(&db).args(args);
        cmd.output().expect("runs")
    };
    let out = cli(&["stats", "--quarter", "2018Q1", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let total = &doc["total"];
    // 8 running sites (the closed one is not counted), all sampled (twice: counted once),
    // 4 failed: blank5, home15, stale5, down.
    assert_eq!(
        (
            total["running"].as_u64(),
            total["sampled"].as_u64(),
            total["failed"].as_u64()
        ),
        (Some(8), Some(8), Some(4))
    );
    let unit = |name: &str| {
        doc["units"]
            .as_array()
            .expect("units")
            .iter()
            .find(|u| u["unit"] == name)
            .cloned()
            .expect("unit row")
    };
    assert_eq!(unit("区直部门（单位）")["failed"], 2);
    assert_eq!(unit("测试市(本级)")["sampled"], 3);
    assert_eq!(unit("测试县")["failed"], 1);
    let cat = |rule: &str| {
        doc["categories"]
            .as_array()
            .expect("categories")
            .iter()
            .find(|c| c["rule"] == rule)
            .cloned()
    };
    assert_eq!(cat("columns.blank").expect("blank")["sites"], 1);
    assert_eq!(cat("columns.stale").expect("stale")["sites"], 1);
    // All four failed their 复核 as well: repeat offenders.
    assert_eq!(doc["repeat_offenders"].as_array().map(Vec::len), Some(4));

    let text = cli(&["stats", "--quarter", "2018Q1"]);
    let text = String::from_utf8(text.stdout).expect("utf-8");
    assert!(
        text.contains("合格率") && text.contains("区直部门（单位）"),
        "{text}"
    );

    let out = cli(&[
        "round",
        "diff",
        &feb.id.to_string(),
        &mar.id.to_string(),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let diff: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(diff["still_failing"].as_array().map(Vec::len), Some(4));
    assert_eq!(diff["fixed"].as_array().map(Vec::len), Some(0));
}

/// Commands that write leave one self-contained database file: the write-ahead log is
/// checkpointed into it and removed, so copying `govaudit.db` elsewhere copies everything.
#[tokio::test]
async fn writing_commands_leave_a_checkpointed_database() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("c.db");
    let server = SimServer::start(support::scenario("thresholds"), date("2018-03-01"))
        .await
        .expect("server");
    let registry = support::fixture("registry/rounds.csv");
    let site = server.sites().into_iter().next().expect("a site").1;
    let steps: [Vec<String>; 4] = [
        vec![
            "sites".into(),
            "import".into(),
            registry.display().to_string(),
        ],
        [
            "round", "plan", "--month", "2018-03", "--ratio", "1", "--seed", "1",
        ]
        .map(String::from)
        .to_vec(),
        ["round", "run", "--as-of", "2018-03-01"]
            .map(String::from)
            .to_vec(),
        vec!["check".into(), site, "--as-of".into(), "2018-03-01".into()],
    ];
    for step in steps {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_govaudit"))
            .arg("--db")
            .arg(&db)
            .args(["--proxy", &server.proxy_url(), "--host-rate", "0"])
            .args(&step)
            .output()
            .await
            .expect("govaudit");
        assert!(
            out.status.code() == Some(0) || (step[0] == "check" && out.status.code() == Some(1)),
            "{step:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let wal = dir.path().join("c.db-wal");
        let wal_bytes = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        assert_eq!(
            wal_bytes, 0,
            "after {step:?} the WAL holds {wal_bytes} bytes"
        );
    }
    let store = Store::open(&db).await.expect("reopen");
    let (checks, done, _) = counts(&store, 1).await;
    assert_eq!((checks, done), (8, 8));
}

/// Two runs of one round at once (two terminals, two machines): a site the other run stored
/// first keeps the other run's check, and this run goes on with the rest instead of failing.
#[tokio::test]
async fn a_site_stored_first_by_another_run_is_skipped_not_fatal() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = registry_db(&dir.path().join("t.db")).await;
    let (round, _) = rounds::plan_sample(&store, &opts(1.0)).await.expect("plan");
    let as_of = date("2018-03-01");
    let server = SimServer::start(support::scenario("thresholds"), as_of)
        .await
        .expect("server");
    // This run is polite (sites take seconds); the "other run" is not.
    let mut polite = support::config_for(&server, true);
    polite.fetch.host_rate = 20.0;
    let auditor = Auditor::from_config(&polite).expect("auditor");
    let other = Auditor::from_config(&support::config_for(&server, false)).expect("auditor");

    let run = rounds::run_round(&auditor, &store, &round, as_of, 8, |_| {});
    let interfere = async {
        // Once this run has stored a site, the other run stores one still pending here.
        loop {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let slots = rounds::round_sites(&store, round.id).await.expect("slots");
            if slots.iter().all(|s| s.check_id.is_none()) {
                continue;
            }
            for s in slots.iter().filter(|s| s.check_id.is_none()) {
                let url = url::Url::parse(&s.url).expect("url");
                let result = other.audit(&url, as_of).await;
                let slot = govaudit::store::RoundSlot {
                    round_id: round.id,
                    site_id: s.site_id,
                };
                if let Ok(id) = result.save_in(&store, Some(slot)).await {
                    return (slot, id);
                }
            }
            panic!("every site was stored before the other run could store one");
        }
    };
    let (summary, (slot, foreign)) = tokio::join!(run, interfere);
    let summary = summary.expect("the run goes on");
    assert_eq!(summary.done_elsewhere, 1, "{summary:?}");
    assert_eq!(summary.audited, 7);
    assert!(summary.finished);
    let slots = rounds::round_sites(&store, round.id).await.expect("slots");
    let held = slots
        .iter()
        .find(|s| s.site_id == slot.site_id)
        .and_then(|s| s.check_id);
    assert_eq!(held, Some(foreign), "the other run's check stands");
    let (checks, done, distinct) = counts(&store, round.id).await;
    assert_eq!((checks, done, distinct), (8, 8, 8), "no check stored twice");
}
