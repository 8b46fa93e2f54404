//! Loading the statistics' inputs from the database: registered sites and every stored check
//! of every round, with the rule ids and messages of its veto and deduction findings.

use std::collections::HashMap;

use sqlx::Row;

use super::RoundError;
use crate::findings::{Finding, Severity, Verdict};
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

/// A check's newest re-evaluation (`govaudit reevaluate`, table `evaluations`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewestEvaluation {
    /// Id of the re-evaluation (`evaluations.id`).
    pub id: i64,
    /// The check it judged again.
    pub check_id: i64,
    /// When it was made (RFC 3339, UTC).
    pub created_at: String,
    /// The rule profile it was judged under.
    pub profile: String,
    /// The rules folder (`--rules DIR`), `None` for the built-in rules.
    pub rules_dir: Option<String>,
    /// Its verdict.
    pub verdict: Verdict,
    /// Its findings, every severity, in the order of the `check --format json` object.
    pub findings: Vec<Finding>,
}

/// The part of a stored `check --format json` object a re-evaluation is read for.
#[derive(serde::Deserialize)]
struct StoredResult {
    verdict: Verdict,
    #[serde(default)]
    findings: Vec<Finding>,
}

/// The newest re-evaluation of each of `check_ids` that has one.
///
/// # Errors
///
/// A database error, or a stored re-evaluation that is not the `check --format json` object.
pub async fn newest_evaluations(
    store: &Store,
    check_ids: &[i64],
) -> Result<HashMap<i64, NewestEvaluation>, RoundError> {
    let mut out = HashMap::new();
    for &check_id in check_ids {
        if out.contains_key(&check_id) {
            continue;
        }
        let row = sqlx::query(
            "SELECT id, created_at, profile, rules_dir, result_json FROM evaluations \
             WHERE check_id = ? ORDER BY id DESC LIMIT 1",
        )
        .bind(check_id)
        .fetch_optional(store.pool())
        .await?;
        let Some(row) = row else { continue };
        let json: String = row.try_get("result_json")?;
        let doc: StoredResult =
            serde_json::from_str(&json).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        out.insert(
            check_id,
            NewestEvaluation {
                id: row.try_get("id")?,
                check_id,
                created_at: row.try_get("created_at")?,
                profile: row.try_get("profile")?,
                rules_dir: row.try_get("rules_dir")?,
                verdict: doc.verdict,
                findings: doc.findings,
            },
        );
    }
    Ok(out)
}

/// `records` as their checks' newest re-evaluations (`evaluations`) judged them: same sites
/// and rounds, the re-evaluation's verdict and findings; checks never re-evaluated keep their
/// stored record.
pub fn apply_evaluations(
    records: &[AuditRecord],
    evaluations: &HashMap<i64, NewestEvaluation>,
) -> Vec<AuditRecord> {
    records
        .iter()
        .map(|rec| {
            let Some(e) = evaluations.get(&rec.check_id) else {
                return rec.clone();
            };
            let mut rules: Vec<String> = Vec::new();
            let mut evidence = Vec::new();
            for f in e.findings.iter().filter(|f| f.severity != Severity::Info) {
                if !rules.contains(&f.rule) {
                    rules.push(f.rule.clone());
                }
                evidence.push((f.rule.clone(), f.message.clone()));
            }
            AuditRecord {
                verdict: e.verdict,
                rules,
                evidence,
                ..rec.clone()
            }
        })
        .collect()
}

/// `records` of a round as its checks' newest re-evaluations judged them
/// ([`newest_evaluations`], [`apply_evaluations`]). Checks never re-evaluated keep their
/// stored record.
///
/// # Errors
///
/// A database error, or a stored re-evaluation that is not the `check --format json` object.
pub async fn reevaluated_records(
    store: &Store,
    records: &[AuditRecord],
) -> Result<Vec<AuditRecord>, RoundError> {
    let ids: Vec<i64> = records.iter().map(|r| r.check_id).collect();
    let evaluations = newest_evaluations(store, &ids).await?;
    Ok(apply_evaluations(records, &evaluations))
}
