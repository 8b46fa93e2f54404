//! Loading the statistics' inputs from the database: registered sites and every stored check
//! of every round, with the rule ids and messages of its veto and deduction findings.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{RoundError, RoundKind};
use crate::findings::{Finding, Severity, Verdict};
use crate::stats::{AuditRecord, SiteRecord};
use crate::store::Store;

/// A check's rule ids and its (rule id, message) pairs.
type CheckFindings = (Vec<String>, Vec<(String, String)>);

/// A registered site as the statistics read it, before its level is labelled.
#[derive(sqlx::FromRow)]
struct SiteRow {
    id: i64,
    unit: String,
    level: String,
    name: Option<String>,
    url: String,
    status: Option<String>,
}

impl From<SiteRow> for SiteRecord {
    fn from(r: SiteRow) -> SiteRecord {
        let level = r
            .level
            .parse::<crate::registry::Level>()
            .map(|l| l.label().to_string())
            .unwrap_or(r.level);
        SiteRecord {
            site_id: r.id,
            unit: r.unit,
            level,
            name: r.name.unwrap_or_default(),
            url: r.url,
            running: r.status.as_deref() != Some("closed"),
        }
    }
}

/// Registered sites, in registry (import) order.
pub async fn site_records(store: &Store) -> Result<Vec<SiteRecord>, RoundError> {
    let rows = sqlx::query_as::<_, SiteRow>(
        "SELECT id, unit, level, name, url, status FROM sites \
         WHERE unit IS NOT NULL AND level IS NOT NULL ORDER BY id",
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows.into_iter().map(SiteRecord::from).collect())
}

/// A veto or deduction finding of a round's check.
#[derive(sqlx::FromRow)]
struct FindingRow {
    check_id: i64,
    rule: String,
    message: String,
}

/// A check that answers a round slot, without its findings.
#[derive(sqlx::FromRow)]
struct AuditRow {
    check_id: i64,
    site_id: i64,
    round_id: i64,
    kind: RoundKind,
    month: String,
    as_of: NaiveDate,
    verdict: Verdict,
    original_check_id: Option<i64>,
}

/// Every check that answers a round slot, with its findings.
pub async fn audit_records(store: &Store) -> Result<Vec<AuditRecord>, RoundError> {
    let mut findings: HashMap<i64, CheckFindings> = HashMap::new();
    let rows = sqlx::query_as::<_, FindingRow>(
        "SELECT f.check_id, f.rule, f.message FROM findings f \
         JOIN round_sites s ON s.check_id = f.check_id \
         WHERE f.severity != 'info' ORDER BY f.id",
    )
    .fetch_all(store.pool())
    .await?;
    for r in rows {
        let entry = findings.entry(r.check_id).or_default();
        if !entry.0.contains(&r.rule) {
            entry.0.push(r.rule.clone());
        }
        entry.1.push((r.rule, r.message));
    }
    let rows = sqlx::query_as::<_, AuditRow>(
        "SELECT c.id AS check_id, s.site_id, r.id AS round_id, r.kind, r.month, c.as_of, \
         c.verdict, s.original_check_id FROM round_sites s \
         JOIN rounds r ON r.id = s.round_id JOIN checks c ON c.id = s.check_id \
         ORDER BY r.id, s.position",
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let (rules, evidence) = findings.remove(&r.check_id).unwrap_or_default();
            AuditRecord {
                check_id: r.check_id,
                site_id: r.site_id,
                round_id: r.round_id,
                round_kind: r.kind,
                month: r.month,
                as_of: r.as_of,
                verdict: r.verdict,
                rules,
                evidence,
                rechecks_check: r.original_check_id,
            }
        })
        .collect())
}

/// A text that changes whenever what [`site_records`] and [`audit_records`] read changes (a
/// check stored or reviewed, a round planned or filled, a site imported or edited): the
/// console reads them again only when it changed.
pub async fn records_fingerprint(store: &Store) -> Result<String, RoundError> {
    Ok(sqlx::query_scalar(
        "SELECT \
         (SELECT COUNT(*) || ':' || IFNULL(MAX(id), 0) FROM checks) || '/' || \
         (SELECT COUNT(*) || ':' || IFNULL(MAX(decided_at), '') FROM finding_reviews) || '/' || \
         (SELECT COUNT(*) || ':' || IFNULL(MAX(id), 0) FROM rounds) || '/' || \
         (SELECT COUNT(*) FROM round_sites WHERE check_id IS NOT NULL) || '/' || \
         (SELECT COUNT(*) || ':' || IFNULL(MAX(COALESCE(updated_at, created_at)), '') FROM sites)",
    )
    .fetch_one(store.pool())
    .await?)
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

/// A stored re-evaluation, its result still JSON text.
#[derive(sqlx::FromRow)]
struct EvaluationRow {
    id: i64,
    created_at: String,
    profile: String,
    rules_dir: Option<String>,
    result_json: String,
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
        let row = sqlx::query_as::<_, EvaluationRow>(
            "SELECT id, created_at, profile, rules_dir, result_json FROM evaluations \
             WHERE check_id = ? ORDER BY id DESC LIMIT 1",
        )
        .bind(check_id)
        .fetch_optional(store.pool())
        .await?;
        let Some(row) = row else { continue };
        let doc: StoredResult =
            serde_json::from_str(&row.result_json).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        out.insert(
            check_id,
            NewestEvaluation {
                id: row.id,
                check_id,
                created_at: row.created_at,
                profile: row.profile,
                rules_dir: row.rules_dir,
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
