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
    for (rec, id) in recs.iter().zip(&ids) {
        if let Some(capture) = rec.capture {
            sqlx::query("UPDATE archive_captures SET check_id = ? WHERE id = ?")
                .bind(id)
                .bind(capture)
                .execute(&mut **tx)
                .await?;
        }
    }

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
            crate::deep::db::attach_requests_to_check(tx, crawl, *id).await?;
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
mod tests;
