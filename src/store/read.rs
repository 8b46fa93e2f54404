//! Reading checks back: a stored check's summary ([`Store::load_check`]), a site's stored
//! checks, newest first ([`Store::site_history`]), the site of a check ([`Store::check_site`]),
//! the check a self-check report is about ([`Store::report_check`]) and a check's findings
//! ([`Store::findings_of`]). Rows are decoded into typed values: a
//! verdict or date no version wrote is an error naming the column.

use chrono::NaiveDate;

use super::{Store, StoreError};
use crate::findings::{Severity, Verdict};

/// A stored check as read back.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredCheck {
    /// The check's id (`checks.id`).
    pub id: i64,
    /// The site URL audited.
    pub url: String,
    /// The date it was judged as of.
    pub as_of: NaiveDate,
    /// The rule profile (e.g. `gb2015`).
    pub profile: String,
    /// 合格 or 不合格 as stored.
    pub verdict: Verdict,
    /// The score (100 − capped deductions).
    pub score: f64,
    /// Findings stored, every severity.
    #[sqlx(try_from = "i64")]
    pub findings: usize,
    /// Columns stored.
    #[sqlx(try_from = "i64")]
    pub columns: usize,
    /// HTTP requests logged.
    #[sqlx(try_from = "i64")]
    pub requests: usize,
}

/// One stored check of a site, as its history lists it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SiteCheck {
    /// The check's id (`checks.id`).
    pub id: i64,
    /// The round whose slot it fills, if any.
    pub round_id: Option<i64>,
    /// That round's month (`YYYY-MM`), if any.
    pub month: Option<String>,
    /// The date it was judged as of, as stored (`YYYY-MM-DD`).
    pub as_of: String,
    /// 合格 or 不合格 as stored.
    pub verdict: Verdict,
    /// The score (100 − capped deductions).
    pub score: f64,
    /// When the audit finished, as stored (RFC 3339, UTC).
    pub finished_at: String,
}

/// The check a site's self-check report (自查报告) is about, with its observation as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportCheck {
    /// The check's id (`checks.id`).
    pub id: i64,
    /// The round whose slot it fills, if any.
    pub round_id: Option<i64>,
    /// 合格 or 不合格 as stored.
    pub verdict: Verdict,
    /// The score (100 − capped deductions).
    pub score: f64,
    /// The observation, as the JSON it was stored as.
    pub observation_json: String,
}

/// One stored finding of a check, its evidence still the JSON it was stored as.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FindingRow {
    /// The rule's id (e.g. `columns.stale`).
    pub rule: String,
    /// 单项否决, 扣分, 待人工确认 or 提示 as stored.
    pub severity: Severity,
    /// The finding's message.
    pub message: String,
    /// Its evidence items, as JSON.
    pub evidence_json: String,
}

impl Store {
    /// Read back the summary of a stored check.
    ///
    /// # Errors
    ///
    /// [`StoreError::NotFound`] when no check has this id; a database or decode error.
    pub async fn load_check(&self, id: i64) -> Result<StoredCheck, StoreError> {
        sqlx::query_as::<_, StoredCheck>(
            "SELECT c.id, c.url, c.as_of, c.profile, c.verdict, c.score, \
             (SELECT COUNT(*) FROM findings f WHERE f.check_id = c.id) AS findings, \
             (SELECT COUNT(*) FROM columns k WHERE k.check_id = c.id) AS columns, \
             (SELECT COUNT(*) FROM requests r WHERE r.check_id = c.id) AS requests \
             FROM checks c WHERE c.id = ?",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound(id))
    }

    /// The site (its registry id) of stored check `check_id`; `None` when no check has this id.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn check_site(&self, check_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT site_id FROM checks WHERE id = ?")
                .bind(check_id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Every stored check of site `site_id` (its registry id), newest as-of date first.
    ///
    /// # Errors
    ///
    /// A database or decode error.
    pub async fn site_history(&self, site_id: i64) -> Result<Vec<SiteCheck>, StoreError> {
        Ok(sqlx::query_as::<_, SiteCheck>(
            "SELECT c.id, c.round_id, r.month, c.as_of, c.verdict, c.score, c.finished_at \
             FROM checks c LEFT JOIN rounds r ON r.id = c.round_id WHERE c.site_id = ? \
             ORDER BY c.as_of DESC, c.id DESC",
        )
        .bind(site_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The check of site `site_id` a self-check report is about: its check in round `round`,
    /// or its latest stored check (newest as-of date, then newest id).
    ///
    /// # Errors
    ///
    /// A database or decode error; `Ok(None)` when there is no such check.
    pub async fn report_check(
        &self,
        site_id: i64,
        round: Option<i64>,
    ) -> Result<Option<ReportCheck>, StoreError> {
        let query = match round {
            Some(r) => sqlx::query_as::<_, ReportCheck>(
                "SELECT c.id, c.round_id, c.verdict, c.score, c.observation_json \
                 FROM round_sites s JOIN checks c ON c.id = s.check_id \
                 WHERE s.round_id = ? AND s.site_id = ?",
            )
            .bind(r)
            .bind(site_id),
            None => sqlx::query_as::<_, ReportCheck>(
                "SELECT id, round_id, verdict, score, observation_json FROM checks \
                 WHERE site_id = ? ORDER BY as_of DESC, id DESC LIMIT 1",
            )
            .bind(site_id),
        };
        Ok(query.fetch_optional(self.pool()).await?)
    }

    /// The findings stored with check `check_id`, in stored order.
    ///
    /// # Errors
    ///
    /// A database or decode error (a severity no version wrote included).
    pub async fn findings_of(&self, check_id: i64) -> Result<Vec<FindingRow>, StoreError> {
        Ok(sqlx::query_as::<_, FindingRow>(
            "SELECT rule, severity, message, evidence_json FROM findings WHERE check_id = ? \
             ORDER BY id",
        )
        .bind(check_id)
        .fetch_all(self.pool())
        .await?)
    }
}
