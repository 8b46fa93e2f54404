//! Writing checks: a batch of checks — their sites, findings, columns and request logs, and the
//! round slots they fill — goes in with a statement or two per table for the whole batch, in
//! one transaction, so a round of thousands of sites is not held up by its own bookkeeping (each
//! statement is a round trip to SQLite's thread). A batch is stored whole or not at all.

use sqlx::{QueryBuilder, Sqlite, Transaction};

use super::{json, verdict_key, CheckRecord, RoundSlot, Store, StoreError};

/// Rows per multi-row INSERT (SQLite allows 32,766 bound values; 8 per request row).
const ROWS_PER_INSERT: usize = 500;

impl Store {
    /// Store one check atomically; returns its id.
    pub async fn save_check(&self, rec: &CheckRecord<'_>) -> Result<i64, StoreError> {
        let ids = self.save_checks(std::slice::from_ref(rec)).await?;
        ids.first()
            .copied()
            .ok_or_else(|| StoreError::NoId(rec.observation.url.clone()))
    }

    /// Store several checks in one transaction, all or none; returns their ids in order. A
    /// round slot already filled fails the whole batch with [`StoreError::SlotTaken`].
    pub async fn save_checks(&self, recs: &[CheckRecord<'_>]) -> Result<Vec<i64>, StoreError> {
        if recs.is_empty() {
            return Ok(Vec::new());
        }
        let encoded = recs
            .iter()
            .map(Encoded::new)
            .collect::<Result<Vec<_>, _>>()?;
        let mut tx = self.pool.begin().await?;
        let ids = insert_checks(&mut tx, recs, &encoded).await?;
        tx.commit().await?;
        Ok(ids)
    }
}

/// A check's values that are stored as JSON text, encoded before the transaction starts.
struct Encoded {
    footer: String,
    observation: String,
    /// One per finding.
    evidence: Vec<String>,
    /// One per column.
    date_sources: Vec<String>,
}

impl Encoded {
    fn new(rec: &CheckRecord<'_>) -> Result<Encoded, StoreError> {
        let obs = rec.observation;
        Ok(Encoded {
            footer: json("footer", &obs.footer)?,
            observation: json("observation", obs)?,
            evidence: rec
                .evaluation
                .findings
                .iter()
                .map(|f| json("evidence", &f.evidence))
                .collect::<Result<_, _>>()?,
            date_sources: obs
                .columns
                .iter()
                .map(|c| {
                    Ok(json("date_source", &c.date_source)?
                        .trim_matches('"')
                        .to_string())
                })
                .collect::<Result<_, StoreError>>()?,
        })
    }
}

/// Insert `recs` with a statement or two per table for the whole batch (not per check: each
/// statement is a round trip to SQLite's thread). Returns the checks' ids in order.
async fn insert_checks(
    tx: &mut Transaction<'_, Sqlite>,
    recs: &[CheckRecord<'_>],
    encoded: &[Encoded],
) -> Result<Vec<i64>, StoreError> {
    let site_ids = upsert_sites(tx, recs).await?;
    // The upsert took the write lock, so no other writer can take ids between here and the
    // insert: the batch's checks get the next ids in order.
    let last: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM checks")
        .fetch_one(&mut **tx)
        .await?;
    let ids: Vec<i64> = (1..).map(|i| last + i).take(recs.len()).collect();

    let rows: Vec<_> = recs.iter().zip(encoded).zip(&ids).zip(&site_ids).collect();
    for chunk in rows.chunks(ROWS_PER_INSERT / 2) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO checks (id, site_id, url, profile, as_of, started_at, finished_at, \
             verdict, score, pages_fetched, links_checked, footer_json, observation_json, \
             round_id, deep, deep_crawl_id) ",
        );
        q.push_values(chunk, |mut row, (((rec, enc), id), site_id)| {
            let (obs, eval) = (rec.observation, rec.evaluation);
            row.push_bind(**id)
                .push_bind(**site_id)
                .push_bind(&obs.url)
                .push_bind(&eval.profile)
                .push_bind(obs.as_of.to_string())
                .push_bind(rec.started_at.to_rfc3339())
                .push_bind(rec.finished_at.to_rfc3339())
                .push_bind(verdict_key(eval.verdict))
                .push_bind(eval.score)
                .push_bind(obs.pages_fetched as i64)
                .push_bind(obs.links.checked as i64)
                .push_bind(enc.footer.as_str())
                .push_bind(enc.observation.as_str())
                .push_bind(rec.round.map(|r| r.round_id))
                .push_bind(rec.deep.is_some())
                .push_bind(rec.deep.flatten());
        });
        q.build().execute(&mut **tx).await?;
    }
    fill_slots(tx, recs, &ids).await?;

    let findings: Vec<_> = recs
        .iter()
        .zip(encoded)
        .zip(&ids)
        .flat_map(|((rec, enc), id)| {
            rec.evaluation
                .findings
                .iter()
                .zip(&enc.evidence)
                .map(move |(f, ev)| (*id, f, ev))
        })
        .collect();
    for chunk in findings.chunks(ROWS_PER_INSERT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO findings (check_id, rule, severity, message, points, evidence_json) ",
        );
        q.push_values(chunk, |mut row, (id, f, ev)| {
            row.push_bind(*id)
                .push_bind(&f.rule)
                .push_bind(f.severity.key())
                .push_bind(&f.message)
                .push_bind(f.points)
                .push_bind(ev.as_str());
        });
        q.build().execute(&mut **tx).await?;
    }

    let columns: Vec<_> = recs
        .iter()
        .zip(encoded)
        .zip(&ids)
        .flat_map(|((rec, enc), id)| {
            rec.observation
                .columns
                .iter()
                .zip(&enc.date_sources)
                .map(move |(c, source)| (*id, c, source))
        })
        .collect();
    for chunk in columns.chunks(ROWS_PER_INSERT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO columns (check_id, name, url, class, level, newest, items, blank, \
             blank_marker, date_source, error) ",
        );
        q.push_values(chunk, |mut row, (id, c, source)| {
            row.push_bind(*id)
                .push_bind(&c.name)
                .push_bind(&c.url)
                .push_bind(c.class.key())
                .push_bind(i64::from(c.level))
                .push_bind(c.newest.map(|d| d.to_string()))
                .push_bind(c.items as i64)
                .push_bind(c.blank)
                .push_bind(&c.blank_marker)
                .push_bind(source.as_str())
                .push_bind(&c.error);
        });
        q.build().execute(&mut **tx).await?;
    }

    let requests: Vec<_> = recs
        .iter()
        .zip(&ids)
        .flat_map(|(rec, id)| rec.requests.iter().map(move |r| (*id, r)))
        .collect();
    for chunk in requests.chunks(ROWS_PER_INSERT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO requests (check_id, url, method, status, elapsed_ms, bytes, error, at) ",
        );
        q.push_values(chunk, |mut row, (id, r)| {
            row.push_bind(*id)
                .push_bind(&r.url)
                .push_bind(&r.method)
                .push_bind(r.status.map(i64::from))
                .push_bind(r.elapsed_ms as i64)
                .push_bind(r.bytes as i64)
                .push_bind(&r.error)
                .push_bind(r.at.to_rfc3339());
        });
        q.build().execute(&mut **tx).await?;
    }
    // A deep crawl's requests were logged as they happened; they join the check now.
    for (rec, id) in recs.iter().zip(&ids) {
        if let Some(Some(crawl)) = rec.deep {
            crate::deep::requests::attach_to_check(tx, crawl, *id).await?;
        }
    }
    Ok(ids)
}

/// The sites of `recs` (added when new), their ids in the order of `recs`.
async fn upsert_sites(
    tx: &mut Transaction<'_, Sqlite>,
    recs: &[CheckRecord<'_>],
) -> Result<Vec<i64>, StoreError> {
    let mut by_url = std::collections::HashMap::with_capacity(recs.len());
    for chunk in recs.chunks(ROWS_PER_INSERT) {
        // The no-op update makes RETURNING give the id of an existing site too. RETURNING
        // gives rows in no set order, hence the URL with each.
        let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO sites (url, created_at) ");
        q.push_values(chunk, |mut row, rec| {
            row.push_bind(&rec.observation.url)
                .push_bind(rec.started_at.to_rfc3339());
        });
        q.push(" ON CONFLICT(url) DO UPDATE SET url = excluded.url RETURNING id, url");
        let rows: Vec<(i64, String)> = q.build_query_as().fetch_all(&mut **tx).await?;
        by_url.extend(rows.into_iter().map(|(id, url)| (url, id)));
    }
    recs.iter()
        .map(|rec| {
            by_url
                .get(&rec.observation.url)
                .copied()
                .ok_or_else(|| StoreError::NoId(rec.observation.url.clone()))
        })
        .collect()
}

/// Fill the round slots of `recs` with their checks' `ids`; a slot already filled (or not in
/// its round) fails the batch with [`StoreError::SlotTaken`] naming it, and dropping the
/// transaction then rolls the checks back: a slot is filled once.
async fn fill_slots(
    tx: &mut Transaction<'_, Sqlite>,
    recs: &[CheckRecord<'_>],
    ids: &[i64],
) -> Result<(), StoreError> {
    let slots: Vec<(RoundSlot, i64)> = recs
        .iter()
        .zip(ids)
        .filter_map(|(rec, id)| rec.round.map(|slot| (slot, *id)))
        .collect();
    for chunk in slots.chunks(ROWS_PER_INSERT) {
        let mut q =
            QueryBuilder::<Sqlite>::new("UPDATE round_sites SET check_id = v.column3 FROM (");
        q.push_values(chunk, |mut row, (slot, id)| {
            row.push_bind(slot.round_id)
                .push_bind(slot.site_id)
                .push_bind(*id);
        });
        q.push(
            ") AS v WHERE round_sites.round_id = v.column1 AND round_sites.site_id = v.column2 \
             AND round_sites.check_id IS NULL",
        );
        let filled = q.build().execute(&mut **tx).await?.rows_affected();
        if filled != chunk.len() as u64 {
            return Err(taken_slot(tx, chunk).await?);
        }
    }
    Ok(())
}

/// Which of `slots` was not filled with its check: the error naming it.
async fn taken_slot(
    tx: &mut Transaction<'_, Sqlite>,
    slots: &[(RoundSlot, i64)],
) -> Result<StoreError, StoreError> {
    for (slot, id) in slots {
        let holder: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT check_id FROM round_sites WHERE round_id = ? AND site_id = ?",
        )
        .bind(slot.round_id)
        .bind(slot.site_id)
        .fetch_optional(&mut **tx)
        .await?;
        if holder != Some(Some(*id)) {
            return Ok(StoreError::SlotTaken {
                round_id: slot.round_id,
                site_id: slot.site_id,
            });
        }
    }
    // Not reached: a slot given twice in one batch holds the first check's id, not the
    // second's. Name the batch's first slot rather than panic.
    let slot = slots.first().map_or(
        RoundSlot {
            round_id: 0,
            site_id: 0,
        },
        |(slot, _)| *slot,
    );
    Ok(StoreError::SlotTaken {
        round_id: slot.round_id,
        site_id: slot.site_id,
    })
}

#[cfg(test)]
mod tests {
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
}
