//! The department's self-check report (自查报告) of one site: its particulars (主办单位 read
//! from the page footer's 主办单位/主办 label), the conclusion (单项否决 and which, or the score),
//! every finding of its latest (or one round's) stored check with its evidence and how to fix
//! it ([`super::site_findings`]), and early warnings — columns that are still fresh at the
//! check's date but go stale within the next `warn_days` days under the staleness windows of
//! the rule profile.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::notice::check_findings;
use super::site_findings::{site_findings, veto_names, SiteFinding};
use super::templates::fill;
use super::{NoticeError, Templates};
use crate::findings::Verdict;
use crate::observation::{ColumnClass, Observation};
use crate::registry::{self, RegistryError};
use crate::rounds;
use crate::rules::kinds::{Kind, Window};
use crate::rules::RuleSet;
use crate::store::Store;

/// A column that goes stale within the warning period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaleWarning {
    /// Column name (栏目) as the navigation shows it.
    pub column: String,
    /// Column class label (栏目类别), e.g. 动态要闻类.
    pub class: String,
    /// URL of the column's list page.
    pub url: String,
    /// Newest item date in the column (最新信息日期).
    pub newest: NaiveDate,
    /// First day the column counts as stale if nothing is published.
    pub stale_on: NaiveDate,
    /// Days from the check's date to `stale_on`.
    pub days_left: i64,
    /// The warning as one sentence, from the `warning` template.
    pub text: String,
}

/// A self-check report, format-neutral.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteReport {
    /// Report title, from the template with the site name filled in.
    pub title: String,
    /// The site's id in the `sites` table.
    pub site_id: i64,
    /// Site name (网站名称); its URL when the registry has no name.
    pub name: String,
    /// The site's URL as stored in the `sites` table.
    pub url: String,
    /// Unit (单位) of the site; empty when not registered.
    pub unit: String,
    /// Id of the stored check reported on.
    pub check_id: i64,
    /// The round of that check; `None` for a check outside any round.
    pub round_id: Option<i64>,
    /// The as-of date the check judged the site at.
    pub as_of: NaiveDate,
    /// The check's verdict: 合格 or 不合格.
    pub verdict: Verdict,
    /// Score out of 100 after deductions (扣分), stored even when a veto fired.
    pub score: f64,
    /// 主办单位 as the page footer names it, when it does.
    pub sponsor: Option<String>,
    /// The names of the 单项否决 that fired.
    pub vetoes: Vec<String>,
    /// 检查结论: 不合格（单项否决：…）, or the verdict with the score.
    pub conclusion: String,
    /// The particulars, one a line (网站名称, 网址, 主办单位, 检查日期, 检查结论 …).
    pub summary: Vec<String>,
    /// Heading of the findings section, from the templates.
    pub findings_heading: String,
    /// Shown when there are no findings.
    pub findings_none: String,
    /// Every finding of the check with its evidence and how to fix it.
    pub findings: Vec<SiteFinding>,
    /// Days ahead the early warnings look (`--warn-days`, `report.warn_days`).
    pub warn_days: u32,
    /// Heading of the early-warning section, from the templates.
    pub warnings_heading: String,
    /// Shown when no column goes stale within `warn_days`.
    pub warnings_none: String,
    /// Columns fresh at the check's date that go stale within `warn_days`, soonest first.
    pub warnings: Vec<StaleWarning>,
    /// The availability monitor's last 7 days (`govaudit monitor`), when it has a record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uptime: Option<UptimeSection>,
}

/// 站点可用性监测: the monitor's last window, judged by the official test (issue 14).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UptimeSection {
    /// The section heading, e.g. 站点可用性监测（近7天）.
    pub heading: String,
    /// One line with the window, the counts, the share and the verdict.
    pub text: String,
    /// The worst outages, in words.
    pub outages: Vec<String>,
}

/// The uptime section of `site_id`, when the monitor has probes of it.
async fn uptime_section(
    store: &Store,
    site_id: i64,
    rules: &RuleSet,
) -> Result<Option<UptimeSection>, NoticeError> {
    use crate::rules::kinds::site::{number, outage_text, percent};
    let p = rules.availability();
    let window = crate::monitor::last_window(store, site_id, &p).await?;
    Ok(window.map(|w| {
        let r = &w.record;
        let mut text = format!(
            "{}至{}监测首页{}次，超过（含）{}秒仍打不开{}次，占{}（超过（含）{}即单项否决）：{}",
            r.from,
            r.to,
            r.probes,
            number(p.limit_secs),
            r.failures,
            percent(w.share),
            percent(p.veto_share),
            w.verdict.label()
        );
        if let Some(gap) = &w.gap {
            text.push_str(&format!("（{gap}）"));
        }
        UptimeSection {
            heading: format!("站点可用性监测（近{}天）", p.window_days),
            text,
            outages: r
                .outages
                .iter()
                .map(|o| format!("中断：{}", outage_text(o)))
                .collect(),
        }
    }))
}

/// 主办单位 from the footer's text: what follows a 主办单位 / 主办 label up to the next
/// separator or label (承办, 地址, 电话 …).
pub(crate) fn footer_sponsor(footer: &str) -> Option<String> {
    let start = ["主办单位：", "主办单位:", "主办：", "主办:"]
        .iter()
        .filter_map(|l| footer.find(l).map(|i| i + l.len()))
        .min()?;
    let rest = footer[start..].trim_start();
    let stops = [
        "承办",
        "协办",
        "技术支持",
        "维护",
        "运维",
        "地址",
        "电话",
        "邮编",
        "联系",
        "网站标识码",
        "备案",
        "ICP",
        "京公网安备",
        "版权",
        "Copyright",
        "©",
    ];
    let mut end = rest
        .find(|c: char| c.is_whitespace() || "|｜　，,；;。".contains(c))
        .unwrap_or(rest.len());
    for s in stops {
        if let Some(i) = rest.find(s) {
            end = end.min(i);
        }
    }
    let name = rest[..end].trim();
    (!name.is_empty()).then(|| name.chars().take(60).collect())
}

/// The shortest staleness window per column class over the profile's staleness rules.
fn windows(rules: &RuleSet, as_of: NaiveDate) -> HashMap<ColumnClass, Window> {
    let mut out: HashMap<ColumnClass, Window> = HashMap::new();
    for r in rules.rules() {
        if let Kind::ColumnStaleness(p) = &r.kind {
            for (class, w) in &p.windows {
                let shorter = out
                    .get(class)
                    .is_none_or(|o| w.cutoff(as_of) > o.cutoff(as_of));
                if shorter {
                    out.insert(*class, *w);
                }
            }
        }
    }
    out
}

/// Columns fresh at `as_of` that go stale within `warn_days` days.
fn stale_warnings(
    obs: &Observation,
    rules: &RuleSet,
    warn_days: u32,
    templates: &Templates,
) -> Vec<StaleWarning> {
    let as_of = obs.as_of;
    let windows = windows(rules, as_of);
    let mut out = Vec::new();
    for c in &obs.columns {
        let (Some(newest), Some(w)) = (c.newest, windows.get(&c.class)) else {
            continue;
        };
        if newest < w.cutoff(as_of) {
            continue; // already stale: a finding, not a warning
        }
        let stale_on = (1..=i64::from(warn_days))
            .filter_map(|d| as_of.checked_add_signed(chrono::Duration::days(d)))
            .find(|d| newest < w.cutoff(*d));
        let Some(stale_on) = stale_on else { continue };
        let days_left = (stale_on - as_of).num_days();
        let text = fill(
            &templates.site.warning,
            &[
                ("column", c.name.clone()),
                ("class", c.class.label().to_string()),
                ("url", c.url.clone()),
                ("newest", newest.to_string()),
                ("stale_on", stale_on.to_string()),
                ("days_left", days_left.to_string()),
            ],
        );
        out.push(StaleWarning {
            column: c.name.clone(),
            class: c.class.label().to_string(),
            url: c.url.clone(),
            newest,
            stale_on,
            days_left,
            text,
        });
    }
    out.sort_by_key(|w| (w.stale_on, w.column.clone()));
    out
}

impl SiteReport {
    /// The report of a site (`site`: its id or URL) for its latest stored check, or for its check
    /// in round `round_id`.
    pub async fn for_site(
        store: &Store,
        site: &str,
        round_id: Option<i64>,
        warn_days: u32,
        rules: &RuleSet,
        templates: &Templates,
    ) -> Result<SiteReport, NoticeError> {
        let s = registry::get(store, site).await.map_err(|e| match e {
            RegistryError::NotFound(_) => {
                NoticeError::NotFound(format!("site {site:?} is not in the database"))
            }
            e => NoticeError::Registry(e),
        })?;
        let check = store.report_check(s.id, round_id).await?.ok_or_else(|| {
            NoticeError::NotFound(match round_id {
                Some(r) => format!("site {site:?} has no stored check in round {r}"),
                None => format!("site {site:?} has no stored check"),
            })
        })?;
        let site_id = s.id;
        let check_id = check.id;
        let stored_round = check.round_id;
        let obs: Observation = serde_json::from_str(&check.observation_json).map_err(|source| {
            NoticeError::StoredJson {
                what: "observation",
                check_id,
                source,
            }
        })?;
        let verdict = check.verdict;
        let score = check.score;
        let url = s.url.clone();
        let name = s
            .name
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| url.clone());
        let unit = s.unit.unwrap_or_default();
        let month = match stored_round {
            Some(r) => Some(rounds::get(store, r).await?.month),
            None => None,
        };
        let t = &templates.site;
        let round_text = match (stored_round, month) {
            (Some(r), Some(m)) => fill(&t.round_some, &[("round_id", r.to_string()), ("month", m)]),
            _ => t.round_none.clone(),
        };
        let findings = site_findings(
            check_findings(store, check_id, true).await?,
            &obs,
            rules,
            templates,
            &crate::archive::RecordIndex::for_check(store.pool(), check_id).await?,
        );
        let vetoes = veto_names(&findings);
        let conclusion = if vetoes.is_empty() {
            fill(
                &t.conclusion_score,
                &[
                    ("verdict", verdict.label().to_string()),
                    ("score", format!("{score:.1}")),
                ],
            )
        } else {
            fill(&t.conclusion_veto, &[("vetoes", vetoes.join("、"))])
        };
        let sponsor = obs.footer.text.as_deref().and_then(footer_sponsor);
        let vars = [
            ("name", name.clone()),
            ("url", url.clone()),
            (
                "sponsor",
                sponsor.clone().unwrap_or_else(|| t.sponsor_unknown.clone()),
            ),
            ("unit", unit.clone()),
            ("check_id", check_id.to_string()),
            ("round", round_text),
            ("as_of", obs.as_of.to_string()),
            ("conclusion", conclusion.clone()),
        ];
        let summary = t.summary.iter().map(|l| fill(l, &vars)).collect();
        let days = [("warn_days", warn_days.to_string())];
        let uptime = uptime_section(store, site_id, rules).await?;
        Ok(SiteReport {
            title: fill(&t.title, &[("name", name.clone())]),
            site_id,
            name,
            url,
            unit,
            check_id,
            round_id: stored_round,
            as_of: obs.as_of,
            verdict,
            score,
            sponsor,
            vetoes,
            conclusion,
            summary,
            findings_heading: t.findings_heading.clone(),
            findings_none: t.findings_none.clone(),
            findings,
            warn_days,
            warnings_heading: fill(&t.warnings_heading, &days),
            warnings_none: fill(&t.warnings_none, &days),
            warnings: stale_warnings(&obs, rules, warn_days, templates),
            uptime,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observation::ColumnObservation;

    fn col(name: &str, class: ColumnClass, newest: &str) -> ColumnObservation {
        ColumnObservation {
            name: name.into(),
            url: format!("http://x/{name}"),
            class,
            level: 1,
            newest: newest.parse().ok(),
            ..ColumnObservation::default()
        }
    }

    #[test]
    fn the_sponsor_is_read_from_the_footer() {
        let f = "主办单位：宁夏回族自治区环境保护厅　承办：信息中心 地址：银川市 网站标识码：6400000001";
        assert_eq!(
            footer_sponsor(f).as_deref(),
            Some("宁夏回族自治区环境保护厅")
        );
        assert_eq!(
            footer_sponsor("版权所有 主办:固原市公安局|技术支持：某公司").as_deref(),
            Some("固原市公安局")
        );
        assert_eq!(footer_sponsor("网站标识码：6400000001"), None);
        assert_eq!(footer_sponsor("主办单位： "), None);
    }

    #[test]
    fn warns_of_columns_going_stale_within_the_period() {
        let rules = RuleSet::builtin("gb2015").expect("rules");
        let t = Templates::builtin().expect("templates");
        let obs = Observation {
            as_of: "2018-03-01".parse().expect("date"),
            columns: vec![
                col("工作动态", ColumnClass::Dynamic, "2018-02-20"),
                col("要闻", ColumnClass::Dynamic, "2018-02-28"),
                col("旧闻", ColumnClass::Dynamic, "2018-01-01"),
                col("通知公告", ColumnClass::Notice, "2017-09-05"),
                col("其他", ColumnClass::Other, "2017-01-01"),
            ],
            ..Observation::default()
        };
        let w = stale_warnings(&obs, &rules, 7, &t);
        let got: Vec<(&str, String, i64)> = w
            .iter()
            .map(|w| (w.column.as_str(), w.stale_on.to_string(), w.days_left))
            .collect();
        // 14 days: newest 02-20 is stale when before as_of − 14d, i.e. from 03-07.
        assert_eq!(
            got,
            [
                ("通知公告", "2018-03-06".to_string(), 5),
                ("工作动态", "2018-03-07".to_string(), 6),
            ]
        );
        assert!(w[1].text.contains("工作动态"), "{}", w[1].text);
        assert!(stale_warnings(&obs, &rules, 0, &t).is_empty());
    }
}
