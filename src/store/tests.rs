//! Tests of the store: a check round-trips, a corrupt verdict or severity fails to decode, a
//! failed write or batch leaves nothing behind, new databases opened together are migrated once.

use chrono::NaiveDate;

use super::*;
use crate::findings::{Evidence, Finding, Severity};
use crate::observation::ColumnObservation;

fn sample() -> (Observation, Evaluation, Vec<RequestRecord>) {
    let obs = Observation {
        url: "http://www.example.gov.test/".into(),
        as_of: NaiveDate::from_ymd_opt(2018, 3, 1).expect("date"),
        columns: vec![ColumnObservation {
            name: "工作动态".into(),
            url: "http://www.example.gov.test/col/gzdt/".into(),
            items: 3,
            ..ColumnObservation::default()
        }],
        ..Observation::default()
    };
    let eval = Evaluation {
        profile: "gb2015".into(),
        verdict: Verdict::Fail,
        score: 98.0,
        vetoes: vec!["columns.blank".into()],
        findings: vec![Finding {
            rule: "columns.blank".into(),
            severity: Severity::Veto,
            message: "空白栏目5个".into(),
            points: 0.0,
            evidence: vec![Evidence::default()],
        }],
        not_evaluated: Vec::new(),
    };
    let req = RequestRecord {
        url: obs.url.clone(),
        method: "GET".into(),
        status: Some(200),
        elapsed_ms: 12,
        bytes: 2048,
        error: None,
        at: Utc::now(),
    };
    (obs, eval, vec![req])
}

async fn count(store: &Store, table: &str) -> i64 {
    let sql = match table {
        "checks" => "SELECT COUNT(*) FROM checks",
        "findings" => "SELECT COUNT(*) FROM findings",
        _ => "SELECT COUNT(*) FROM requests",
    };
    sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .expect("count")
}

#[tokio::test]
async fn a_check_round_trips() {
    let store = Store::open_memory().await.expect("open");
    let (obs, eval, reqs) = sample();
    let now = Utc::now();
    let rec = CheckRecord {
        round: None,
        started_at: now,
        finished_at: now,
        observation: &obs,
        evaluation: &eval,
        requests: &reqs,
        deep: None,
        capture: None,
    };
    let id = store.save_check(&rec).await.expect("save");
    let back = store.load_check(id).await.expect("load");
    assert_eq!(back.url, obs.url);
    assert_eq!(back.verdict, Verdict::Fail);
    assert_eq!((back.findings, back.columns, back.requests), (1, 1, 1));
    let again = store
        .save_check(&rec)
        .await
        .expect("second check of the same site");
    assert_ne!(id, again);
    assert!(matches!(
        store.load_check(9999).await,
        Err(StoreError::NotFound(9999))
    ));
}

/// A stored verdict or severity no version wrote is a decode error, never read as 不合格
/// or 提示.
#[tokio::test]
async fn a_corrupt_verdict_or_severity_fails_to_decode() {
    let store = Store::open_memory().await.expect("open");
    let (obs, mut eval, reqs) = sample();
    eval.findings[0].severity = Severity::Review;
    let now = Utc::now();
    let rec = CheckRecord {
        round: None,
        started_at: now,
        finished_at: now,
        observation: &obs,
        evaluation: &eval,
        requests: &reqs,
        deep: None,
        capture: None,
    };
    let id = store.save_check(&rec).await.expect("save");
    // The schema's CHECK constraints keep this from happening through govaudit; a file
    // edited by another tool (or damaged) need not have kept them.
    async fn corrupt(store: &Store, sql: &str, value: &str, id: i64) {
        let mut conn = store.pool().acquire().await.expect("conn");
        sqlx::query("PRAGMA ignore_check_constraints = ON")
            .execute(&mut *conn)
            .await
            .expect("pragma");
        sqlx::query(sql)
            .bind(value)
            .bind(id)
            .execute(&mut *conn)
            .await
            .expect("corrupt");
    }
    for bad in ["passed", "PASS", ""] {
        corrupt(
            &store,
            "UPDATE checks SET verdict = ? WHERE id = ?",
            bad,
            id,
        )
        .await;
        let err = store.load_check(id).await.expect_err(bad);
        assert!(
            matches!(err, StoreError::Sql(sqlx::Error::ColumnDecode { .. })),
            "{bad:?}: {err:?}"
        );
    }
    let finding: i64 = sqlx::query_scalar("SELECT id FROM findings WHERE check_id = ?")
        .bind(id)
        .fetch_one(store.pool())
        .await
        .expect("finding");
    let sql = "UPDATE findings SET severity = ? WHERE id = ?";
    corrupt(&store, sql, "Review", finding).await;
    let err = store
        .review_finding(finding, review::Decision::Confirmed, None)
        .await
        .expect_err("corrupt severity");
    assert!(
        matches!(err, StoreError::Sql(sqlx::Error::ColumnDecode { .. })),
        "{err:?}"
    );
    // With a sound finding, rejecting it reads the check's verdict back: still corrupt, so an
    // error, not a 合格 printed by `confirm`.
    corrupt(&store, sql, "review", finding).await;
    let err = store
        .review_finding(finding, review::Decision::Rejected, None)
        .await
        .expect_err("corrupt verdict");
    assert!(
        matches!(err, StoreError::Sql(sqlx::Error::ColumnDecode { .. })),
        "{err:?}"
    );
}

/// Commands started together on a new database (two terminals, a script) each open it;
/// its schema is created once, not by each of them half-way, and none finds the new file
/// "locked" while another turns it to WAL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_opening_a_new_database_together_all_succeed() {
    for round in 0..20 {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join(format!("race{round}.db"));
        let opens = (0..8).map(|_| {
            let path = path.clone();
            tokio::spawn(async move { Store::open(&path).await.map(|s| s.pool().clone()) })
        });
        for r in futures::future::join_all(opens).await {
            let pool = r.expect("task").expect("every command opens the database");
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
                .fetch_one(&pool)
                .await
                .expect("migrations table");
            assert!(n > 0);
        }
    }
}

#[tokio::test]
async fn a_failed_write_leaves_nothing_behind() {
    let store = Store::open_memory().await.expect("open");
    let (obs, mut eval, reqs) = sample();
    // SQLite stores NaN as NULL, which the NOT NULL column refuses mid-transaction.
    eval.findings[0].points = f64::NAN;
    let now = Utc::now();
    let rec = CheckRecord {
        round: None,
        started_at: now,
        finished_at: now,
        observation: &obs,
        evaluation: &eval,
        requests: &reqs,
        deep: None,
        capture: None,
    };
    assert!(store.save_check(&rec).await.is_err());
    assert_eq!(count(&store, "checks").await, 0, "no half-written check");
    assert_eq!(count(&store, "requests").await, 0);
}

#[tokio::test]
async fn a_batch_is_stored_whole_or_not_at_all() {
    let store = Store::open_memory().await.expect("open");
    let (obs, eval, reqs) = sample();
    let (_, mut bad, _) = sample();
    bad.findings[0].points = f64::NAN;
    let now = Utc::now();
    let rec = |evaluation| CheckRecord {
        round: None,
        started_at: now,
        finished_at: now,
        observation: &obs,
        evaluation,
        requests: &reqs,
        deep: None,
        capture: None,
    };
    let ids = store
        .save_checks(&[rec(&eval), rec(&eval)])
        .await
        .expect("a good batch");
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
    assert_eq!(store.load_check(ids[1]).await.expect("load").score, 98.0);
    assert_eq!(count(&store, "requests").await, 2 * reqs.len() as i64);
    // One bad check in a batch: none of the batch is stored.
    assert!(store.save_checks(&[rec(&eval), rec(&bad)]).await.is_err());
    assert_eq!(count(&store, "checks").await, 2);
    assert_eq!(count(&store, "requests").await, 2 * reqs.len() as i64);
}

#[tokio::test]
async fn a_file_database_survives_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("g.db");
    let (obs, eval, reqs) = sample();
    let now = Utc::now();
    let id = {
        let store = Store::open(&path).await.expect("open");
        store
            .save_check(&CheckRecord {
                round: None,
                started_at: now,
                finished_at: now,
                observation: &obs,
                evaluation: &eval,
                requests: &reqs,
                deep: None,
                capture: None,
            })
            .await
            .expect("save")
    };
    let store = Store::open(&path)
        .await
        .expect("reopen runs migrations again");
    assert_eq!(store.load_check(id).await.expect("load").score, 98.0);
}
