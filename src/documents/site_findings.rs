//! The findings of a self-check report (自查报告) as a webmaster reads them: vetoes first, each
//! finding named by its indicator (the rule's name, e.g. 栏目不更新（动态要闻类、通知公告类、政策文件类）),
//! its evidence as a table of only the columns it has, 超期 said against the limit
//! (超过2周期限4天), what the page shows quoted once (页面底部显示：「…」), and columns a 提示
//! would list again when a 单项否决 or 扣分 already lists them left out with a note.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::Serialize;

use super::notice::StoredFinding;
use super::templates::fill;
use super::Templates;
use crate::archive::{RecordIndex, RecordRef};
use crate::findings::Severity;
use crate::observation::Observation;
use crate::rules::kinds::{Kind, Window};
use crate::rules::RuleSet;

/// One piece of evidence of a finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteEvidence {
    /// The URL concerned (column page, broken link, homepage), if any.
    pub url: Option<String>,
    /// Column name (栏目), when the evidence is about a column.
    pub column: Option<String>,
    /// Newest item date in the column (最新信息日期), when about freshness.
    pub newest: Option<NaiveDate>,
    /// Days past the column's window (超期天数), when about freshness.
    pub days_overdue: Option<i64>,
    /// 超期 in words against the column's limit, e.g. 超过2周期限4天.
    pub overdue: Option<String>,
    /// HTTP status of a broken link.
    pub status: Option<u16>,
    /// Free-text detail (the malformed value, the blank marker …), if any.
    pub detail: Option<String>,
    /// What the page shows there, quoted (the footer's text, the newest list item …).
    pub seen: Option<String>,
    /// The archived record of `url` in the check's capture (存档记录), when it was archived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived: Option<RecordRef>,
}

impl SiteEvidence {
    /// As table cells, in the order of `evidence_headers` (栏目, 网址, 最新信息日期, 超期情况,
    /// HTTP状态, 说明), then `archived_header` (存档记录).
    pub fn cells(&self) -> Vec<String> {
        let o = |v: Option<String>| v.unwrap_or_default();
        vec![
            o(self.column.clone()),
            o(self.url.clone()),
            o(self.newest.map(|d| d.to_string())),
            o(self.overdue.clone()),
            o(self.status.map(|d| d.to_string())),
            o(self.detail.clone()),
            o(self.archived.as_ref().map(RecordRef::name)),
        ]
    }
}

/// One finding with its evidence and fix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteFinding {
    /// Stable rule id, e.g. `columns.blank`.
    pub rule: String,
    /// The indicator's name (the rule's `name`), else the notice's category.
    pub label: String,
    /// 单项否决 / 扣分 / 提示.
    pub severity: String,
    /// The stored finding's Chinese message.
    pub message: String,
    /// The filled `finding` line.
    pub text: String,
    /// The filled `fix` line.
    pub fix: String,
    /// Evidence shown in the table; entries an earlier finding already lists are left out of a 提示.
    pub evidence: Vec<SiteEvidence>,
    /// The evidence table: only the headers of columns some row fills, and its rows.
    pub headers: Vec<String>,
    /// The table's rows, one per evidence, cells matching `headers`.
    pub rows: Vec<Vec<String>>,
    /// What the page shows, each quote once (the footer's text …).
    pub seen: Vec<String>,
    /// Evidence left out because an earlier finding lists it (the `repeated` line), if any.
    pub note: Option<String>,
}

/// A window in words: 2周, 10天, 6个月, 1年.
pub(crate) fn window_words(w: Window) -> String {
    match w {
        Window::Days(d) if d % 7 == 0 => format!("{}周", d / 7),
        Window::Days(d) => format!("{d}天"),
        Window::Months(m) if m % 12 == 0 => format!("{}年", m / 12),
        Window::Months(m) => format!("{m}个月"),
    }
}

/// The window of `rule` for the column of `e`: by the column's class in the observation (by
/// URL, else name), else the one window whose cutoff is `days_overdue` after `newest`.
fn window_of(rules: &RuleSet, rule: &str, obs: &Observation, e: &SiteEvidence) -> Option<Window> {
    let Kind::ColumnStaleness(p) = &rules.rule(rule)?.kind else {
        return None;
    };
    let col = obs.columns.iter().find(|c| {
        e.url.as_deref() == Some(c.url.as_str()) || e.column.as_deref() == Some(c.name.as_str())
    });
    if let Some(w) = col.and_then(|c| p.windows.get(&c.class)) {
        return Some(*w);
    }
    let (newest, overdue) = (e.newest?, e.days_overdue?);
    p.windows
        .values()
        .find(|w| (w.cutoff(obs.as_of) - newest).num_days() == overdue)
        .copied()
}

fn severity_rank(s: Severity) -> u8 {
    match s {
        Severity::Veto => 0,
        Severity::Review => 1,
        Severity::Deduction => 2,
        Severity::Info => 3,
    }
}

/// The report's findings: vetoes, then those awaiting a person (待人工确认), then deductions, then
/// 提示, each in stored order; each piece of evidence with its archived record in `records`.
pub(crate) fn site_findings(
    stored: Vec<StoredFinding>,
    obs: &Observation,
    rules: &RuleSet,
    templates: &Templates,
    records: &RecordIndex,
) -> Vec<SiteFinding> {
    let t = &templates.site;
    let mut stored = stored;
    stored.sort_by_key(|f| severity_rank(f.severity));
    // Columns (by URL or name) already listed, and under which item number.
    let mut listed: Vec<(String, usize)> = Vec::new();
    let mut out = Vec::new();
    for (i, f) in stored.into_iter().enumerate() {
        let n = i + 1;
        let label = rules
            .rule(&f.rule)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| templates.label(&f.rule).to_string());
        let mut evidence = Vec::new();
        let mut repeated: Vec<usize> = Vec::new();
        let mut repeated_count = 0;
        for e in f.evidence {
            let key = e.column.clone().or_else(|| e.url.clone());
            let earlier = key.as_ref().and_then(|k| {
                listed
                    .iter()
                    .find(|(l, _)| l == k && e.column.is_some())
                    .map(|(_, at)| *at)
            });
            if let (Severity::Info, Some(at)) = (f.severity, earlier) {
                repeated_count += 1;
                if !repeated.contains(&at) {
                    repeated.push(at);
                }
                continue;
            }
            let mut se = SiteEvidence {
                archived: e.url.as_deref().and_then(|u| records.get(u)).cloned(),
                url: e.url,
                column: e.column,
                newest: e.newest,
                days_overdue: e.days_overdue,
                overdue: None,
                status: e.status,
                detail: e.detail,
                seen: e.seen,
            };
            se.overdue = se.days_overdue.map(|d| {
                let days = ("days", d.to_string());
                match window_of(rules, &f.rule, obs, &se) {
                    Some(w) => fill(&t.overdue, &[("window", window_words(w)), days]),
                    None => fill(&t.overdue_bare, &[days]),
                }
            });
            if f.severity != Severity::Info && se.column.is_some() {
                if let Some(k) = key {
                    listed.push((k, n));
                }
            }
            evidence.push(se);
        }
        let note = (repeated_count > 0).then(|| {
            let items: Vec<String> = repeated.iter().map(|a| a.to_string()).collect();
            fill(
                &t.repeated,
                &[
                    ("count", repeated_count.to_string()),
                    ("items", items.join("、")),
                ],
            )
        });
        let all_headers: Vec<&String> = t
            .evidence_headers
            .iter()
            .chain([&t.archived_header])
            .collect();
        let cells: Vec<Vec<String>> = evidence.iter().map(SiteEvidence::cells).collect();
        let keep: Vec<usize> = (0..all_headers.len())
            .filter(|c| {
                cells
                    .iter()
                    .any(|r| r.get(*c).is_some_and(|v| !v.is_empty()))
            })
            .collect();
        let headers = keep.iter().map(|c| all_headers[*c].to_string()).collect();
        let rows = cells
            .iter()
            .map(|r| {
                keep.iter()
                    .map(|c| r.get(*c).cloned().unwrap_or_default())
                    .collect()
            })
            .collect();
        let mut seen: Vec<String> = Vec::new();
        for s in evidence.iter().filter_map(|e| e.seen.as_ref()) {
            if !seen.contains(s) {
                seen.push(s.clone());
            }
        }
        let severity = f.severity.label().to_string();
        out.push(SiteFinding {
            text: fill(
                &t.finding,
                &[
                    ("n", n.to_string()),
                    ("label", label.clone()),
                    ("severity", severity.clone()),
                    ("message", f.message.clone()),
                ],
            ),
            fix: fill(&t.fix, &[("fix", templates.fix(&f.rule).to_string())]),
            evidence,
            headers,
            rows,
            seen,
            note,
            rule: f.rule,
            label,
            severity,
            message: f.message,
        });
    }
    out
}

/// The veto rules' names, each once, for the conclusion (单项否决：…).
pub(crate) fn veto_names(findings: &[SiteFinding]) -> Vec<String> {
    let veto = Severity::Veto.label();
    let mut seen = HashSet::new();
    findings
        .iter()
        .filter(|f| f.severity == veto && seen.insert(f.label.clone()))
        .map(|f| f.label.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Evidence;
    use crate::observation::{ColumnClass, ColumnObservation};

    fn col_evidence(name: &str, days: i64) -> Evidence {
        Evidence {
            url: Some(format!("http://x/{name}/")),
            column: Some(name.into()),
            newest: "2018-01-01".parse().ok(),
            days_overdue: Some(days),
            ..Evidence::default()
        }
    }

    #[test]
    fn vetoes_come_first_and_a_hint_does_not_list_their_columns_again() {
        let rules = RuleSet::builtin("gb2015").expect("rules");
        let t = Templates::builtin().expect("templates");
        let obs = Observation {
            columns: vec![ColumnObservation {
                name: "工作动态".into(),
                url: "http://x/工作动态/".into(),
                class: ColumnClass::Dynamic,
                ..ColumnObservation::default()
            }],
            ..Observation::default()
        };
        let stored = vec![
            StoredFinding {
                check_id: 1,
                rule: "columns.long_unupdated".into(),
                severity: Severity::Info,
                message: "应更新但长期未更新的栏目2个".into(),
                evidence: vec![col_evidence("工作动态", 4), col_evidence("人事信息", 30)],
            },
            StoredFinding {
                check_id: 1,
                rule: "columns.stale".into(),
                severity: Severity::Veto,
                message: "栏目未更新5个".into(),
                evidence: vec![col_evidence("工作动态", 4)],
            },
        ];
        let f = site_findings(stored, &obs, &rules, &t, &RecordIndex::default());
        assert_eq!(f[0].rule, "columns.stale");
        assert_eq!(f[0].evidence[0].overdue.as_deref(), Some("超过2周期限4天"));
        assert!(
            !f[0].headers.contains(&"HTTP状态".to_string()),
            "{:?}",
            f[0].headers
        );
        assert_eq!(f[1].evidence.len(), 1, "工作动态 is listed under item 1");
        assert_eq!(f[1].evidence[0].column.as_deref(), Some("人事信息"));
        assert!(
            f[1].note.as_deref().is_some_and(|n| n.contains('1')),
            "{:?}",
            f[1].note
        );
        assert_eq!(veto_names(&f), [f[0].label.clone()]);
    }

    #[test]
    fn windows_in_words() {
        assert_eq!(window_words(Window::Days(14)), "2周");
        assert_eq!(window_words(Window::Days(10)), "10天");
        assert_eq!(window_words(Window::Months(6)), "6个月");
        assert_eq!(window_words(Window::Months(12)), "1年");
    }
}
