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

/// `records` of a round as its checks' newest re-evaluations judged them (`govaudit
/// reevaluate`, table `evaluations`): same sites and round, the re-evaluation's verdict and
/// findings. Checks never re-evaluated keep their stored record.
///
/// # Errors
///
/// A database error, or a stored re-evaluation that is not the `check --format json` object.
pub async fn reevaluated_records(
    store: &Store,
    records: &[AuditRecord],
) -> Result<Vec<AuditRecord>, RoundError> {
    let mut out = Vec::with_capacity(records.len());
    for rec in records {
        let json: Option<String> = sqlx::query_scalar(
            "SELECT result_json FROM evaluations WHERE check_id = ? ORDER BY id DESC LIMIT 1",
        )
        .bind(rec.check_id)
        .fetch_optional(store.pool())
        .await?;
        let Some(json) = json else {
            out.push(rec.clone());
            continue;
        };
        let doc: serde_json::Value =
            serde_json::from_str(&json).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        let mut rules = Vec::new();
        let mut evidence = Vec::new();
        for f in doc["findings"].as_array().into_iter().flatten() {
            let (Some(rule), Some(message)) = (f["rule"].as_str(), f["message"].as_str()) else {
                continue;
            };
            if f["severity"] == "info" {
                continue;
            }
            if !rules.iter().any(|r| r == rule) {
                rules.push(rule.to_string());
            }
            evidence.push((rule.to_string(), message.to_string()));
        }
        out.push(AuditRecord {
            verdict: if doc["verdict"] == "pass" {
                Verdict::Pass
            } else {
                Verdict::Fail
            },
            rules,
            evidence,
            ..rec.clone()
        });
    }
    Ok(out)
}
