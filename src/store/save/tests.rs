//! Tests of batched check writes: each check of a batch gets its own rows; a taken round slot
//! fails the batch, names the slot and keeps nothing.

use chrono::{NaiveDate, Utc};
use sqlx::Row;

use super::*;
use crate::fetch::RequestRecord;
use crate::findings::{Evaluation, Evidence, Finding, Severity, Verdict};
use crate::observation::{ColumnObservation, Observation};

/// A site's observation with `columns` columns, an evaluation with `findings` findings and
/// `requests` requests.
fn site(
    url: &str,
    columns: usize,
    findings: usize,
    requests: usize,
) -> (Observation, Evaluation, Vec<RequestRecord>) {
    let obs = Observation {
        url: url.into(),
        as_of: NaiveDate::from_ymd_opt(2018, 3, 1).expect("date"),
        columns: (0..columns)
            .map(|i| ColumnObservation {
                name: format!("栏目{i}"),
                url: format!("{url}col/{i}/"),
                ..ColumnObservation::default()
            })
            .collect(),
        ..Observation::default()
    };
    let eval = Evaluation {
        profile: "gb2015".into(),
        verdict: Verdict::Pass,
        score: 100.0,
        vetoes: Vec::new(),
        findings: (0..findings)
            .map(|i| Finding {
                rule: format!("rule.{i}"),
                severity: Severity::Deduction,
                message: format!("{url} 问题{i}"),
                points: 1.0,
                evidence: vec![Evidence::default()],
            })
            .collect(),
        not_evaluated: Vec::new(),
    };
    let reqs = (0..requests)
        .map(|i| RequestRecord {
            url: format!("{url}{i}"),
            method: "GET".into(),
            status: Some(200),
            elapsed_ms: 1,
            bytes: 10,
            error: None,
            at: Utc::now(),
        })
        .collect();
    (obs, eval, reqs)
}

fn record<'a>(
    s: &'a (Observation, Evaluation, Vec<RequestRecord>),
    round: Option<RoundSlot>,
) -> CheckRecord<'a> {
    CheckRecord {
        round,
        started_at: Utc::now(),
        finished_at: Utc::now(),
        observation: &s.0,
        evaluation: &s.1,
        requests: &s.2,
        deep: None,
        capture: None,
    }
}

/// (url of its site, findings, columns, requests) of check `id`, as stored.
async fn stored(store: &Store, id: i64) -> (String, i64, i64, i64) {
    let row = sqlx::query(
        "SELECT s.url AS site_url, c.url AS url,
                (SELECT count(*) FROM findings f WHERE f.check_id = c.id) AS findings,
                (SELECT count(*) FROM columns k WHERE k.check_id = c.id) AS columns,
                (SELECT count(*) FROM requests r WHERE r.check_id = c.id) AS requests,
                (SELECT min(message) FROM findings f WHERE f.check_id = c.id) AS message
         FROM checks c JOIN sites s ON s.id = c.site_id WHERE c.id = ?",
    )
    .bind(id)
    .fetch_one(store.pool())
    .await
    .expect("stored check");
    let site_url: String = row.get("site_url");
    assert_eq!(
        site_url,
        row.get::<String, _>("url"),
        "check points at its own site"
    );
    if let Some(message) = row.get::<Option<String>, _>("message") {
        assert!(
            message.starts_with(&site_url),
            "{message} belongs to {site_url}"
        );
    }
    (
        site_url,
        row.get("findings"),
        row.get("columns"),
        row.get("requests"),
    )
}

/// A round with slots for the sites of `urls` (added to `sites` when new).
async fn round_with(store: &Store, urls: &[&str]) -> Vec<RoundSlot> {
    let round_id: i64 = sqlx::query_scalar(
        "INSERT INTO rounds (kind, month, source, profile, created_at)
         VALUES ('regular', '2018-03', 'sample', 'gb2015', '2018-03-01') RETURNING id",
    )
    .fetch_one(store.pool())
    .await
    .expect("round");
    let mut slots = Vec::new();
    for (position, url) in urls.iter().enumerate() {
        let site_id: i64 = sqlx::query_scalar(
            "INSERT INTO sites (url, created_at) VALUES (?, '2018-03-01')
             ON CONFLICT(url) DO UPDATE SET url = excluded.url RETURNING id",
        )
        .bind(url)
        .fetch_one(store.pool())
        .await
        .expect("site");
        sqlx::query("INSERT INTO round_sites (round_id, site_id, position) VALUES (?, ?, ?)")
            .bind(round_id)
            .bind(site_id)
            .bind(position as i64)
            .execute(store.pool())
            .await
            .expect("slot");
        slots.push(RoundSlot { round_id, site_id });
    }
    slots
}

async fn slot_check(store: &Store, slot: RoundSlot) -> Option<i64> {
    sqlx::query_scalar("SELECT check_id FROM round_sites WHERE round_id = ? AND site_id = ?")
        .bind(slot.round_id)
        .bind(slot.site_id)
        .fetch_one(store.pool())
        .await
        .expect("slot")
}

#[tokio::test]
async fn each_check_of_a_batch_gets_its_own_rows() {
    let store = Store::open_memory().await.expect("open");
    // One site is known already, one appears twice in the batch, sizes differ.
    let a = site("http://a.gov.test/", 2, 0, 3);
    let b = site("http://b.gov.test/", 0, 3, 1);
    let c = site("http://c.gov.test/", 5, 1, 11);
    let first = store.save_check(&record(&a, None)).await.expect("a");
    let ids = store
        .save_checks(&[
            record(&b, None),
            record(&a, None),
            record(&c, None),
            record(&b, None),
        ])
        .await
        .expect("batch");
    assert_eq!(ids.len(), 4);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids in order: {ids:?}");
    assert!(ids[0] > first);
    let expect = |s: &(Observation, Evaluation, Vec<RequestRecord>)| {
        (
            s.0.url.clone(),
            s.1.findings.len() as i64,
            s.0.columns.len() as i64,
            s.2.len() as i64,
        )
    };
    for (id, s) in ids.iter().zip([&b, &a, &c, &b]) {
        assert_eq!(stored(&store, *id).await, expect(s), "check {id}");
    }
    let sites: i64 = sqlx::query_scalar("SELECT count(*) FROM sites")
        .fetch_one(store.pool())
        .await
        .expect("sites");
    assert_eq!(sites, 3, "one row per site, known or new");
    // A batch over the statement size limits still lands whole.
    let many: Vec<_> = (0..700)
        .map(|i| site(&format!("http://s{i}.gov.test/"), 1, 1, 11))
        .collect();
    let recs: Vec<_> = many.iter().map(|s| record(s, None)).collect();
    let ids = store.save_checks(&recs).await.expect("big batch");
    assert_eq!(stored(&store, ids[699]).await, expect(&many[699]));
}

#[tokio::test]
async fn a_taken_slot_fails_the_batch_naming_that_slot() {
    let store = Store::open_memory().await.expect("open");
    let urls = [
        "http://a.gov.test/",
        "http://b.gov.test/",
        "http://c.gov.test/",
    ];
    let slots = round_with(&store, &urls).await;
    let sites: Vec<_> = urls.iter().map(|u| site(u, 1, 1, 2)).collect();
    // b's slot is filled by an earlier run.
    let earlier = store
        .save_check(&record(&sites[1], Some(slots[1])))
        .await
        .expect("b");
    let batch: Vec<_> = sites
        .iter()
        .zip(&slots)
        .map(|(s, slot)| record(s, Some(*slot)))
        .collect();
    match store.save_checks(&batch).await {
        Err(StoreError::SlotTaken { round_id, site_id }) => {
            assert_eq!((round_id, site_id), (slots[1].round_id, slots[1].site_id));
        }
        other => panic!("expected SlotTaken for b, got {other:?}"),
    }
    assert_eq!(
        slot_check(&store, slots[0]).await,
        None,
        "nothing of the batch kept"
    );
    assert_eq!(slot_check(&store, slots[1]).await, Some(earlier));
    let checks: i64 = sqlx::query_scalar("SELECT count(*) FROM checks")
        .fetch_one(store.pool())
        .await
        .expect("checks");
    assert_eq!(checks, 1);
    // The same slot twice in one batch is refused too.
    let twice = [
        record(&sites[0], Some(slots[0])),
        record(&sites[0], Some(slots[0])),
    ];
    assert!(matches!(
        store.save_checks(&twice).await,
        Err(StoreError::SlotTaken { site_id, .. }) if site_id == slots[0].site_id
    ));
    // The open slots fill with their own checks.
    let ids = store
        .save_checks(&[batch[2].clone(), batch[0].clone()])
        .await
        .expect("open slots");
    assert_eq!(slot_check(&store, slots[2]).await, Some(ids[0]));
    assert_eq!(slot_check(&store, slots[0]).await, Some(ids[1]));
}
