//! Statistics over sampling rounds: quarterly 合格率 per unit, problem categories, repeat
//! offenders, and the diff of two rounds. Pure: no database, no network — the caller loads
//! [`SiteRecord`]s and [`AuditRecord`]s (from SQLite) and calls [`quarter_stats`] or
//! [`round_diff`].
//!
//! # Semantics of [`quarter_stats`]
//!
//! * **Which audits count.** Only audits of rounds whose `month` lies in the quarter count toward
//!   `sampled` / `failed`. Re-check (复核, [`RoundKind::Recheck`]) audits never count toward them.
//! * **Per unit (单位)**, in first-appearance order of the sites list:
//!   - `running`: sites of the unit with `running = true`;
//!   - `sampled`: distinct sites with at least one regular audit in the quarter (a site sampled in
//!     several rounds counts once; a site sampled while running and closed later still counts);
//!   - `failed`: sampled sites that failed, per [`FailRule`] — `AnyRegular` (default): any of its
//!     regular audits in the quarter failed; `LatestRegular`: its latest regular audit in the
//!     quarter (by month, then `as_of`, then `check_id`) failed;
//!   - `pass_rate` = (sampled − failed) / sampled, `None` when nothing was sampled;
//!     `sample_ratio` = sampled / running, `None` when nothing runs.
//! * **Subtotals**: 自治区部门（单位） = levels 自治区门户 + 自治区部门; 市、县（区） = every other
//!   level (an unknown level too); `total` = everything. `by_level` counts sites per level in the
//!   order of [`LEVELS`] (unknown levels after them, in first-appearance order).
//! * **Categories (问题类别)**: for each rule id, how many failed sites show it in the audits that
//!   made them fail (AnyRegular: every failing regular audit of the quarter; LatestRegular: the
//!   latest one), and the share of all failed sites. Ordered as the label table
//!   [`CATEGORIES`] (the notice's order), unknown rule ids after it, alphabetically.
//! * **Failed sites** (附件2): every failed site with every reason (rule label and the evidence
//!   messages of the audits that made it fail).
//! * **Repeat offenders (多次被抽查通报 / 复核仍不合格)**: looking at all history up to the
//!   quarter's last month, a site that failed regular audits in two or more distinct rounds, or
//!   whose re-check (a `Recheck` audit with `rechecks_check` set) failed. Decision: a site is
//!   reported in a quarter only when at least one of those failures falls in the quarter, so a
//!   site that failed twice in 2017 and passes since is not called out again in every later notice.
//! * Audits of sites missing from the sites list, and audits whose month is not `YYYY-MM`, are
//!   skipped and reported in `warnings`.
//!
//! Percentages are formatted as in the seed notice's tables by [`format_rate`]. The figures are
//! written for people by [`crate::render::text::quarter_stats_text`] and
//! [`crate::render::text::round_diff_text`]; their JSON is serde's.

mod categories;
mod compute;
mod diff;
mod format;
mod quarter;
mod repeat;

pub use categories::{category_label, category_reason, CATEGORIES};
pub use compute::{
    quarter_stats, CategoryRow, FailReason, FailedSite, LevelRow, QuarterStats, RoundRef, UnitRow,
    TOTAL_LABEL,
};
pub use diff::{round_diff, RoundDiff, SiteDiff};
pub(crate) use format::ratio;
pub use format::{format_percent, format_rate};
pub use quarter::{Quarter, QuarterError};
pub use repeat::RepeatOffender;

use serde::{Deserialize, Serialize};

use crate::findings::Verdict;

/// The registry's levels (级别), in the order of the notice's first paragraph.
pub const LEVELS: [&str; 6] = [
    "自治区门户",
    "自治区部门",
    "市级门户",
    "市级部门",
    "县级门户",
    "县级以下",
];

/// Levels counted in the 自治区部门（单位） subtotal; every other level is 市、县（区）.
pub const REGION_LEVELS: [&str; 2] = ["自治区门户", "自治区部门"];

/// Subtotal labels, as in the notice's 附件1.
pub const SUBTOTAL_REGION: &str = "自治区部门（单位）";
/// Subtotal label of the sites of cities and counties.
pub const SUBTOTAL_LOCAL: &str = "市、县（区）";

/// One registered site, as the registry holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteRecord {
    /// Row id in the `sites` table (网站编号).
    pub site_id: i64,
    /// 单位, e.g. 区直部门（单位）, 银川市(本级), 兴庆区.
    pub unit: String,
    /// One of [`LEVELS`].
    pub level: String,
    /// Site name (网站名称); empty when the registry has none.
    pub name: String,
    /// Homepage URL as registered.
    pub url: String,
    /// Running (not closed). Defaults to `true` when absent.
    #[serde(default = "default_true")]
    pub running: bool,
}

fn default_true() -> bool {
    true
}

pub use crate::rounds::RoundKind;

/// One stored audit (check) of one site in one round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Id of the stored check (`checks` table).
    pub check_id: i64,
    /// The audited site's id in the `sites` table ([`SiteRecord::site_id`]).
    pub site_id: i64,
    /// Id of the round the check answers.
    pub round_id: i64,
    /// Defaults to `regular` when absent.
    #[serde(default)]
    pub round_kind: RoundKind,
    /// The round's month, `YYYY-MM` (e.g. `2018-02`).
    pub month: String,
    /// The as-of date (检查时点) the check judged the site at.
    pub as_of: chrono::NaiveDate,
    /// The check's verdict: 合格 or 不合格.
    pub verdict: Verdict,
    /// Rule ids of veto / deduction findings (not info).
    #[serde(default)]
    pub rules: Vec<String>,
    /// (rule id, Chinese message) for notices.
    #[serde(default)]
    pub evidence: Vec<(String, String)>,
    /// For a re-check audit: the failing check it re-checks.
    #[serde(default)]
    pub rechecks_check: Option<i64>,
}

/// When a site sampled in a quarter counts as failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailRule {
    /// Any of its regular audits in the quarter failed (default; the notice's practice: a site
    /// found failing in any monthly round is a 问题网站 of the quarter).
    #[default]
    AnyRegular,
    /// Its latest regular audit in the quarter failed.
    LatestRegular,
}

impl FailRule {
    /// Chinese description for reports.
    pub fn label(self) -> &'static str {
        match self {
            FailRule::AnyRegular => "本季度任一次常规抽查不合格即计为不合格",
            FailRule::LatestRegular => "以本季度最近一次常规抽查结果为准",
        }
    }
}

/// An unknown [`FailRule`] name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fail rule {0:?}: expected any_regular or latest_regular")]
pub struct FailRuleError(pub String);

impl std::str::FromStr for FailRule {
    type Err = FailRuleError;

    /// `any_regular` / `latest_regular` (also with `-`), as in JSON and config files.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().replace('-', "_").as_str() {
            "any_regular" => Ok(FailRule::AnyRegular),
            "latest_regular" => Ok(FailRule::LatestRegular),
            _ => Err(FailRuleError(s.to_string())),
        }
    }
}

/// Settings of the statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StatsSettings {
    /// When a sampled site counts as failed; default [`FailRule::AnyRegular`].
    pub fail_rule: FailRule,
}

/// `YYYY-MM` → (year, month), or `None` when malformed.
pub(crate) fn parse_month(month: &str) -> Option<(i32, u8)> {
    let (y, m) = month.trim().split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let y: i32 = y.parse().ok()?;
    let m: u8 = m.parse().ok()?;
    (1..=12).contains(&m).then_some((y, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_rules_parse() {
        assert_eq!("any_regular".parse(), Ok(FailRule::AnyRegular));
        assert_eq!("latest-regular".parse(), Ok(FailRule::LatestRegular));
        assert!("latest".parse::<FailRule>().is_err());
        assert_eq!(StatsSettings::default().fail_rule, FailRule::AnyRegular);
    }

    #[test]
    fn months_parse_strictly() {
        assert_eq!(parse_month("2018-02"), Some((2018, 2)));
        assert_eq!(parse_month(" 2018-12 "), Some((2018, 12)));
        assert_eq!(parse_month("2018-2"), None);
        assert_eq!(parse_month("2018-13"), None);
        assert_eq!(parse_month("2018/02"), None);
        assert_eq!(parse_month(""), None);
    }

    #[test]
    fn records_deserialize_with_defaults() {
        let a: AuditRecord = serde_json::from_str(
            r#"{"check_id":1,"site_id":2,"round_id":3,"month":"2018-01","as_of":"2018-01-20","verdict":"fail"}"#,
        )
        .expect("audit");
        assert_eq!(a.round_kind, RoundKind::Regular);
        assert!(a.rules.is_empty() && a.evidence.is_empty() && a.rechecks_check.is_none());
        let s: SiteRecord = serde_json::from_str(
            r#"{"site_id":1,"unit":"兴庆区","level":"县级门户","name":"兴庆区","url":"http://x"}"#,
        )
        .expect("site");
        assert!(s.running);
    }
}
