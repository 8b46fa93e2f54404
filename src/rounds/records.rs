//! Loading the statistics' inputs from the database: registered sites and every stored check
//! of every round, with the rule ids and messages of its veto and deduction findings.

use std::collections::HashMap;

use sqlx::Row;

use super::RoundError;
use crate::findings::Verdict;
use crate::stats::{AuditRecord, SiteRecord};
use crate::store::Store;

/// A check's rule ids and its (rule id, message) pairs.
type CheckFindings = (Vec<String>, Vec<(String, String)>);

/// Registered sites, in registry (import) order.
pub async fn site_records(store: &Store) -> Result<Vec<SiteRecord>, RoundError> {
    let rows = sqlx::query(
        "SELECT id, unit, level, name, url, status FROM sites \
         WHERE unit IS NOT NULL AND level IS NOT NULL ORDER BY id",
    )
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let level: String = r.try_get("level")?;
        let level = level
            .parse::<crate::registry::Level>()
            .map(|l| l.label().to_string())
            .unwrap_or(level);
        let status: Option<String> = r.try_get("status")?;
        out.push(SiteRecord {
            site_id: r.try_get("id")?,
            unit: r.try_get("unit")?,
            level,
            name: r.try_get::<Option<String>, _>("name")?.unwrap_or_default(),
            url: r.try_get("url")?,
            running: status.as_deref() != Some("closed"),
        });
    }
    Ok(out)
}

/// Every check that answers a round slot, with its findings.
pub async fn audit_records(store: &Store) -> Result<Vec<AuditRecord>, RoundError> {
    let mut findings: HashMap<i64, CheckFindings> = HashMap::new();
    let rows = sqlx::query(
        "SELECT f.check_id, f.rule, f.message FROM findings f \
         JOIN round_sites s ON s.check_id = f.check_id \
         WHERE f.severity != 'info' ORDER BY f.id",
    )
    .fetch_all(store.pool())
    .await?;
    for r in &rows {
        let entry = findings.entry(r.try_get("check_id")?).or_default();
        let rule: String = r.try_get("rule")?;
        if !entry.0.contains(&rule) {
            entry.0.push(rule.clone());
        }
        entry.1.push((rule, r.try_get("message")?));
    }
    let rows = sqlx::query(
        "SELECT c.id AS check_id, s.site_id, r.id AS round_id, r.kind, r.month, c.as_of, \
         c.verdict, s.original_check_id FROM round_sites s \
         JOIN rounds r ON r.id = s.round_id JOIN checks c ON c.id = s.check_id \
         ORDER BY r.id, s.position",
    )
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let check_id: i64 = r.try_get("check_id")?;
        let as_of: String = r.try_get("as_of")?;
        let (rules, evidence) = findings.remove(&check_id).unwrap_or_default();
        out.push(AuditRecord {
            check_id,
            site_id: r.try_get("site_id")?,
            round_id: r.try_get("round_id")?,
            round_kind: r.try_get("kind")?,
            month: r.try_get("month")?,
            as_of: as_of
                .parse()
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            verdict: r.try_get::<Verdict, _>("verdict")?,
            rules,
            evidence,
            rechecks_check: r.try_get("original_check_id")?,
        });
    }
    Ok(out)
}
