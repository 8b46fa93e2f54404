//! Findings and verdicts: what the rules engine concludes about an [`Observation`].
//!
//! [`Observation`]: crate::observation::Observation

use serde::{Deserialize, Serialize};

/// How much a finding weighs. Stored as its [`key`](Severity::key) (`veto`, `deduction`,
/// `info`, `review`); any other stored text is a decode error, never read as one of them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum Severity {
    /// 单项否决: the site fails whatever its score.
    Veto,
    /// 扣分: points deducted from 100 (capped per rule).
    Deduction,
    /// Reported for information (e.g. suspected links, early warnings); no effect on the verdict.
    Info,
    /// 待人工确认: a candidate a person must confirm (严重错误: a leader's name written wrong). No
    /// effect on the verdict until `govaudit confirm` makes it a veto (or dismisses it to info).
    Review,
}

impl Severity {
    /// The snake_case key used in JSON and the database.
    pub fn key(self) -> &'static str {
        match self {
            Severity::Veto => "veto",
            Severity::Deduction => "deduction",
            Severity::Info => "info",
            Severity::Review => "review",
        }
    }

    /// Chinese label for reports.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Veto => "单项否决",
            Severity::Deduction => "扣分",
            Severity::Info => "提示",
            Severity::Review => "待人工确认",
        }
    }
}

/// One piece of evidence: what was seen where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Evidence {
    /// The URL concerned (column page, broken link, homepage).
    pub url: Option<String>,
    /// Column name, when the evidence is about a column.
    pub column: Option<String>,
    /// Newest date seen, when about freshness.
    pub newest: Option<chrono::NaiveDate>,
    /// Days past the allowed window.
    pub days_overdue: Option<i64>,
    /// HTTP status, when about a link.
    pub status: Option<u16>,
    /// Pages a link appears on.
    pub pages: Vec<String>,
    /// Free text detail (the malformed value, the blank marker …).
    pub detail: Option<String>,
    /// What the page shows there, quoted: the footer's text, the newest list item, the empty
    /// list's markup or the marker.
    pub seen: Option<String>,
}

/// One finding of one rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule id, e.g. `columns.blank`.
    pub rule: String,
    /// 单项否决, 扣分, 提示 or 待人工确认.
    pub severity: Severity,
    /// Chinese message for reports, e.g. `空白栏目5个（超过（含）5个即单项否决）`.
    pub message: String,
    /// Points deducted by this finding (after the rule's cap); 0 for vetoes and info.
    pub points: f64,
    /// What was seen.
    pub evidence: Vec<Evidence>,
}

/// 合格 or 不合格. Stored as `pass` / `fail`; any other stored text is a decode error, never
/// read as 不合格.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum Verdict {
    /// 合格.
    Pass,
    /// 不合格.
    Fail,
}

impl Verdict {
    /// 合格 / 不合格.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "合格",
            Verdict::Fail => "不合格",
        }
    }
}

/// The result of evaluating a rule profile on one observation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Profile id, e.g. `gb2015`.
    pub profile: String,
    /// 不合格 when any veto fired or the score is below `pass_score`, else 合格.
    pub verdict: Verdict,
    /// 100 − capped deductions. Reported even when a veto fired.
    pub score: f64,
    /// Rule ids whose veto fired.
    pub vetoes: Vec<String>,
    /// Every finding of every rule evaluated (all severities), in the profile's rule order.
    pub findings: Vec<Finding>,
    /// Rules not evaluated because what they judge was never read (the homepage did not open:
    /// only `site.unreachable` is judged). Not evaluated is never "missing".
    #[serde(default)]
    pub not_evaluated: Vec<String>,
}

impl Evaluation {
    /// Whether the site was read at all (some rule besides reachability was evaluated).
    pub fn site_was_read(&self) -> bool {
        self.not_evaluated.is_empty()
    }
}
