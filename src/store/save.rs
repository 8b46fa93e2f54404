//! Writing checks: each check — its site, findings, columns and request log, and the round slot
//! it fills — goes in with a handful of multi-row statements, and a batch of checks in one
//! transaction, so a round of thousands of sites is not held up by its own bookkeeping. A batch
//! is stored whole or not at all.

use sqlx::{QueryBuilder, Sqlite, Transaction};

use super::{json, verdict_key, CheckRecord, Store, StoreError};

/// Rows per multi-row INSERT (SQLite allows 32,766 bound values; 8 per request row).
const ROWS_PER_INSERT: usize = 500;

impl Store {
    /// Store one check atomically; returns its id.
    pub async fn save_check(&self, rec: &CheckRecord<'_>) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id = insert_check(&mut tx, rec).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Store several checks in one transaction, all or none; returns their ids in order. A
    /// round slot already filled fails the whole batch with [`StoreError::SlotTaken`].
    pub async fn save_checks(&self, recs: &[CheckRecord<'_>]) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut ids = Vec::with_capacity(recs.len());
        for rec in recs {
            ids.push(insert_check(&mut tx, rec).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }
}

async fn insert_check(
    tx: &mut Transaction<'_, Sqlite>,
    rec: &CheckRecord<'_>,
) -> Result<i64, StoreError> {
    let obs = rec.observation;
    let eval = rec.evaluation;
    let footer_json = json("footer", &obs.footer)?;
    let observation_json = json("observation", obs)?;

    // The no-op update makes RETURNING give the id of an existing site too.
    let site_id: i64 = sqlx::query_scalar(
        "INSERT INTO sites (url, created_at) VALUES (?, ?) \
         ON CONFLICT(url) DO UPDATE SET url = excluded.url RETURNING id",
    )
    .bind(&obs.url)
    .bind(rec.started_at.to_rfc3339())
    .fetch_one(&mut **tx)
    .await?;
    let check_id = sqlx::query(
        "INSERT INTO checks (site_id, url, profile, as_of, started_at, finished_at, verdict, \
         score, pages_fetched, links_checked, footer_json, observation_json, round_id, deep, \
         deep_crawl_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(site_id)
    .bind(&obs.url)
    .bind(&eval.profile)
    .bind(obs.as_of.to_string())
    .bind(rec.started_at.to_rfc3339())
    .bind(rec.finished_at.to_rfc3339())
    .bind(verdict_key(eval.verdict))
    .bind(eval.score)
    .bind(obs.pages_fetched as i64)
    .bind(obs.links.checked as i64)
    .bind(footer_json)
    .bind(observation_json)
    .bind(rec.round.map(|r| r.round_id))
    .bind(rec.deep.is_some())
    .bind(rec.deep.flatten())
    .execute(&mut **tx)
    .await?
    .last_insert_rowid();
    if let Some(slot) = rec.round {
        let filled = sqlx::query(
            "UPDATE round_sites SET check_id = ? \
             WHERE round_id = ? AND site_id = ? AND check_id IS NULL",
        )
        .bind(check_id)
        .bind(slot.round_id)
        .bind(slot.site_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if filled != 1 {
            // Dropping the transaction rolls the check back: a slot is filled once.
            return Err(StoreError::SlotTaken {
                round_id: slot.round_id,
                site_id: slot.site_id,
            });
        }
    }

    let mut evidence = Vec::with_capacity(eval.findings.len());
    for f in &eval.findings {
        evidence.push(json("evidence", &f.evidence)?);
    }
    for chunk in eval
        .findings
        .iter()
        .zip(&evidence)
        .collect::<Vec<_>>()
        .chunks(ROWS_PER_INSERT)
    {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO findings (check_id, rule, severity, message, points, evidence_json) ",
        );
        q.push_values(chunk, |mut row, (f, ev)| {
            row.push_bind(check_id)
                .push_bind(&f.rule)
                .push_bind(f.severity.key())
                .push_bind(&f.message)
                .push_bind(f.points)
                .push_bind(ev.as_str());
        });
        q.build().execute(&mut **tx).await?;
    }

    let mut sources = Vec::with_capacity(obs.columns.len());
    for c in &obs.columns {
        sources.push(
            json("date_source", &c.date_source)?
                .trim_matches('"')
                .to_string(),
        );
    }
    for chunk in obs
        .columns
        .iter()
        .zip(&sources)
        .collect::<Vec<_>>()
        .chunks(ROWS_PER_INSERT)
    {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO columns (check_id, name, url, class, level, newest, items, blank, \
             blank_marker, date_source, error) ",
        );
        q.push_values(chunk, |mut row, (c, source)| {
            row.push_bind(check_id)
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

    for chunk in rec.requests.chunks(ROWS_PER_INSERT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO requests (check_id, url, method, status, elapsed_ms, bytes, error, at) ",
        );
        q.push_values(chunk, |mut row, r| {
            row.push_bind(check_id)
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
    if let Some(Some(crawl)) = rec.deep {
        crate::deep::requests::attach_to_check(tx, crawl, check_id).await?;
    }
    Ok(check_id)
}
