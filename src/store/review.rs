//! A person's decision on a finding that needs one (severity `review`, 待人工确认: 严重错误
//! candidates). Confirming makes it a 单项否决 and its check 不合格 (statistics and notices read
//! the check's verdict and findings, so they follow); rejecting makes it a 提示. Both happen in
//! one transaction with the decision recorded in `finding_reviews`; a finding is decided once.

use chrono::Utc;

use super::{Store, StoreError};
use crate::findings::{Severity, Verdict};

/// What a person decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// 待人工确认 confirmed: the finding becomes a 单项否决 and its check 不合格.
    Confirmed,
    /// Rejected: the finding becomes a 提示 (info); the verdict is unchanged.
    Rejected,
}

impl Decision {
    fn key(self) -> &'static str {
        match self {
            Decision::Confirmed => "confirmed",
            Decision::Rejected => "rejected",
        }
    }
}

/// The finding decided and its check.
#[derive(Debug, Clone, PartialEq)]
pub struct Reviewed {
    /// Id of the finding decided.
    pub finding_id: i64,
    /// Id of the check the finding belongs to.
    pub check_id: i64,
    /// The finding's rule id (e.g. `content.serious_error`).
    pub rule: String,
    /// The finding's message as stored.
    pub message: String,
    /// The check's verdict after the decision.
    pub verdict: Verdict,
}

/// A finding awaiting a decision, as `govaudit confirm --list` lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingFinding {
    /// The finding's id (`findings.id`).
    pub id: i64,
    /// Id of the check it belongs to.
    pub check_id: i64,
    /// The site URL that check audited.
    pub url: String,
    /// The finding's message as stored.
    pub message: String,
}

/// The finding a decision is about, as stored.
#[derive(sqlx::FromRow)]
struct FindingRow {
    check_id: i64,
    rule: String,
    severity: Severity,
    message: String,
}

impl Store {
    /// Record a decision on finding `id`, which must be awaiting one.
    pub async fn review_finding(
        &self,
        id: i64,
        decision: Decision,
        note: Option<&str>,
    ) -> Result<Reviewed, StoreError> {
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query_as::<_, FindingRow>(
            "SELECT check_id, rule, severity, message FROM findings WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(FindingRow {
            check_id,
            rule,
            severity,
            message,
        }) = row
        else {
            return Err(StoreError::NoFinding(id));
        };
        if severity != Severity::Review {
            return Err(StoreError::NotForReview {
                id,
                severity: severity.key().to_string(),
            });
        }
        let new = match decision {
            Decision::Confirmed => Severity::Veto,
            Decision::Rejected => Severity::Info,
        };
        sqlx::query("UPDATE findings SET severity = ? WHERE id = ?")
            .bind(new)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO finding_reviews (finding_id, decision, note, decided_at) VALUES (?, ?, ?, ?)",
        )
        .bind(id)
        .bind(decision.key())
        .bind(note)
        .bind(Utc::now().to_rfc3339())
        .execute(&mut *tx)
        .await?;
        if decision == Decision::Confirmed {
            sqlx::query("UPDATE checks SET verdict = ? WHERE id = ?")
                .bind(Verdict::Fail)
                .bind(check_id)
                .execute(&mut *tx)
                .await?;
        }
        let verdict: Verdict = sqlx::query_scalar("SELECT verdict FROM checks WHERE id = ?")
            .bind(check_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Reviewed {
            finding_id: id,
            check_id,
            rule,
            message,
            verdict,
        })
    }

    /// Findings awaiting a decision, oldest first.
    pub async fn findings_for_review(&self) -> Result<Vec<PendingFinding>, StoreError> {
        Ok(sqlx::query_as::<_, PendingFinding>(
            "SELECT f.id, f.check_id, c.url, f.message FROM findings f JOIN checks c ON c.id = f.check_id \
             WHERE f.severity = 'review' ORDER BY f.id",
        )
        .fetch_all(self.pool())
        .await?)
    }
}
