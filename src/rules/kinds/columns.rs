//! Kinds about columns (栏目): `column_staleness` (栏目不更新: 动态要闻/通知公告/政策文件 and
//! 应更新但长期未更新), `blank_columns` (空白栏目) and `column_presence` (a class of column must
//! exist, e.g. 调查征集类).
//!
//! How one column is judged by `column_staleness`, in this order:
//!
//! 1. its class has no window in `windows`, or `top_level_only` lists its class and its level is
//!    above 1 (level 0, unknown, counts as top-level) → not considered;
//! 2. its page failed to load (`error`) → counted only when `count_errors`; otherwise listed in a
//!    separate `info` finding when `report_errors`;
//! 3. blank (`blank == true`) → counted only when `count_blank` (blank columns have their own
//!    rule, `blank_columns`);
//! 4. has a newest date → stale when it is before `as_of − window` (evidence: newest date and
//!    days overdue);
//! 5. items but no date at all → stale when undated items count as not updated (profile
//!    setting 「未注明信息发布时间的视为不更新」, or the `undated_is_stale` param);
//! 6. no items, not blank (the list could not be read) → not counted, reported with errors.

use std::collections::HashMap;

use serde::Deserialize;

use crate::findings::{Evidence, Finding, Severity};
use crate::observation::{ColumnClass, ColumnObservation, DateSource};

use super::{Ctx, RuleMeta, Window};

/// `column_staleness` placeholders: `{count}` columns counted, `{threshold}`, `{classes}`
/// (e.g. 动态要闻类、通知公告类、政策文件类).
pub const STALENESS_PLACEHOLDERS: &[&str] = &["count", "threshold", "classes"];
/// `blank_columns` placeholders: `{count}`, `{threshold}`.
pub const BLANK_PLACEHOLDERS: &[&str] = &["count", "threshold"];
/// `column_presence` placeholders: `{class}` (e.g. 调查征集类), `{columns}` (columns seen).
pub const PRESENCE_PLACEHOLDERS: &[&str] = &["class", "columns"];

fn yes() -> bool {
    true
}

/// Params of `column_staleness`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StalenessParams {
    /// Class → update window, e.g. `{ dynamic = "14d", notice = "6m", policy = "6m" }`.
    pub windows: HashMap<ColumnClass, Window>,
    /// Counted columns ≥ threshold → the rule fires with its severity.
    pub threshold: usize,
    /// Classes counted only for top-level columns (一级栏目; 2019 rules for 通知公告/政策文件).
    #[serde(default)]
    pub top_level_only: Vec<ColumnClass>,
    /// Count blank columns (of the windowed classes) as not updated. Default false.
    #[serde(default)]
    pub count_blank: bool,
    /// Count columns whose page failed to load as not updated. Default false.
    #[serde(default)]
    pub count_errors: bool,
    /// List failed and unreadable columns in an `info` finding. Default false.
    #[serde(default)]
    pub report_errors: bool,
    /// Report counted columns below the threshold as an `info` finding. Default true.
    #[serde(default = "yes")]
    pub report_below_threshold: bool,
    /// Overrides the profile's 「未注明信息发布时间的视为不更新」 setting.
    #[serde(default)]
    pub undated_is_stale: Option<bool>,
}

impl StalenessParams {
    /// Checks values serde cannot.
    pub fn validate(&self) -> Result<(), String> {
        if self.windows.is_empty() {
            return Err("[params]: `windows` must name at least one class".into());
        }
        if self.threshold == 0 {
            return Err("[params]: `threshold` must be at least 1".into());
        }
        Ok(())
    }

    fn classes(&self) -> Vec<(ColumnClass, Window)> {
        ColumnClass::ALL
            .iter()
            .filter_map(|c| self.windows.get(c).map(|w| (*c, *w)))
            .collect()
    }
}

/// Params of `blank_columns`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlankParams {
    /// Blank columns ≥ threshold → fires.
    pub threshold: usize,
    /// Only these classes (default: every class).
    #[serde(default)]
    pub classes: Option<Vec<ColumnClass>>,
    /// Report blank columns below the threshold as an `info` finding. Default true.
    #[serde(default = "yes")]
    pub report_below_threshold: bool,
}

/// Params of `column_presence`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresenceParams {
    /// The class that must have at least one column.
    pub class: ColumnClass,
}

/// What the column page showed, quoted for evidence: the marker and the empty list for a blank
/// column, else the newest item (title, date, and the page the date was read on when it came
/// from the article).
fn column_seen(c: &ColumnObservation) -> Option<String> {
    if c.blank {
        let mut parts = Vec::new();
        if let Some(m) = &c.blank_marker {
            parts.push(format!("页面显示「{m}」"));
        }
        if let Some(l) = &c.empty_list {
            parts.push(format!("列表为空：{l}"));
        }
        return (!parts.is_empty()).then(|| parts.join("；"));
    }
    let title = c.newest_title.as_ref()?;
    let date = c
        .newest
        .map_or("未注明发布时间".to_string(), |d| d.to_string());
    let mut seen = format!("最新信息《{title}》（{date}）");
    if c.date_source == DateSource::Article {
        if let Some(u) = &c.newest_url {
            seen.push_str(&format!("，发布时间见{u}"));
        }
    }
    Some(seen)
}

fn column_evidence(c: &ColumnObservation, detail: String) -> Evidence {
    Evidence {
        url: Some(c.url.clone()).filter(|u| !u.is_empty()),
        column: Some(c.name.clone()),
        newest: c.newest,
        detail: Some(detail),
        seen: column_seen(c),
        ..Evidence::default()
    }
}

fn info(rule: &RuleMeta, message: String, evidence: Vec<Evidence>) -> Finding {
    Finding {
        rule: rule.id.clone(),
        severity: Severity::Info,
        message,
        points: 0.0,
        evidence,
    }
}

/// Evaluates `column_staleness`.
pub fn staleness(p: &StalenessParams, rule: &RuleMeta, ctx: &Ctx) -> Vec<Finding> {
    let as_of = ctx.obs.as_of;
    let undated_is_stale = p.undated_is_stale.unwrap_or(ctx.undated_is_stale);
    let mut counted = Vec::new();
    let mut unreadable = Vec::new();
    for c in &ctx.obs.columns {
        let Some(window) = p.windows.get(&c.class).copied() else {
            continue;
        };
        if c.level > 1 && p.top_level_only.contains(&c.class) {
            continue;
        }
        let label = c.class.label();
        let wl = window.label();
        if let Some(err) = &c.error {
            let detail = format!("{label}栏目页面无法打开：{err}");
            if p.count_errors {
                counted.push(column_evidence(c, detail));
            } else {
                unreadable.push(column_evidence(c, detail));
            }
        } else if c.blank {
            if p.count_blank {
                counted.push(column_evidence(
                    c,
                    format!("{label}空白栏目（有栏目无内容）"),
                ));
            }
        } else if let Some(newest) = c.newest {
            if let Some(days) = window.overdue(newest, as_of) {
                let mut e = column_evidence(c, format!("{label}栏目，超过{wl}未更新"));
                e.days_overdue = Some(days);
                counted.push(e);
            }
        } else if c.items > 0 {
            if undated_is_stale {
                counted.push(column_evidence(
                    c,
                    format!("{label}栏目，未注明信息发布时间（视为不更新）"),
                ));
            }
        } else {
            unreadable.push(column_evidence(
                c,
                format!("{label}栏目未识别到信息条目，无法判断更新情况"),
            ));
        }
    }
    let classes = p
        .classes()
        .iter()
        .map(|(c, _)| c.label())
        .collect::<Vec<_>>()
        .join("、");
    let count = counted.len();
    let vars = [
        ("count", count.to_string()),
        ("threshold", p.threshold.to_string()),
        ("classes", classes.clone()),
    ];
    let mut out = Vec::new();
    if count >= p.threshold {
        out.push(rule.finding(rule.severity.level, count, &vars, counted));
    } else if count > 0 && p.report_below_threshold {
        out.push(rule.finding(Severity::Info, count, &vars, counted));
    }
    if p.report_errors && !unreadable.is_empty() {
        out.push(info(
            rule,
            format!(
                "{}个{}栏目页面无法打开或无法识别，未计入栏目更新统计",
                unreadable.len(),
                classes
            ),
            unreadable,
        ));
    }
    out
}

/// Evaluates `blank_columns`. Columns whose page failed to load are never counted.
pub fn blank(p: &BlankParams, rule: &RuleMeta, ctx: &Ctx) -> Vec<Finding> {
    let evidence: Vec<Evidence> = ctx
        .obs
        .columns
        .iter()
        .filter(|c| c.blank && c.error.is_none())
        .filter(|c| p.classes.as_ref().is_none_or(|cl| cl.contains(&c.class)))
        .map(|c| {
            let why = match (&c.blank_marker, &c.empty_list) {
                (Some(m), _) => format!("页面显示「{m}」"),
                (None, Some(_)) => "栏目列表无任何信息".into(),
                (None, None) => "栏目无内容".into(),
            };
            column_evidence(c, format!("空白栏目：{why}"))
        })
        .collect();
    let count = evidence.len();
    let vars = [
        ("count", count.to_string()),
        ("threshold", p.threshold.to_string()),
    ];
    let mut out = if count >= p.threshold.max(1) {
        vec![rule.finding(rule.severity.level, count, &vars, evidence)]
    } else if count > 0 && p.report_below_threshold {
        vec![rule.finding(Severity::Info, count, &vars, evidence)]
    } else {
        vec![]
    };
    // Lists a script fills in the browser: empty in the HTML, not judged, left to a person.
    let scripted: Vec<Evidence> = ctx
        .obs
        .columns
        .iter()
        .filter(|c| c.list_by_script && !c.blank && c.items == 0 && c.error.is_none())
        .filter(|c| p.classes.as_ref().is_none_or(|cl| cl.contains(&c.class)))
        .map(|c| {
            let mut e = column_evidence(c, "栏目列表由页面脚本加载，网页源码中为空".into());
            e.seen = c.empty_list.as_ref().map(|l| format!("列表为空：{l}"));
            e
        })
        .collect();
    if !scripted.is_empty() {
        out.push(info(
            rule,
            format!(
                "{}个栏目的信息列表由页面脚本加载，未判定是否为空白栏目，请人工核实",
                scripted.len()
            ),
            scripted,
        ));
    }
    out
}

/// Evaluates `column_presence`: fires (one instance) when no column has the class.
pub fn presence(p: &PresenceParams, rule: &RuleMeta, ctx: &Ctx) -> Vec<Finding> {
    let cols = &ctx.obs.columns;
    if cols.iter().any(|c| c.class == p.class) {
        return vec![];
    }
    let label = p.class.label();
    let evidence = vec![Evidence {
        url: Some(ctx.obs.url.clone()).filter(|u| !u.is_empty()),
        detail: Some(format!("共识别栏目{}个，其中无{label}栏目", cols.len())),
        ..Evidence::default()
    }];
    vec![rule.finding(
        rule.severity.level,
        1,
        &[
            ("class", label.to_string()),
            ("columns", cols.len().to_string()),
        ],
        evidence,
    )]
}

#[cfg(test)]
mod tests {
    use super::super::RuleSeverity;
    use super::*;
    use crate::observation::Observation;

    fn meta() -> RuleMeta {
        RuleMeta::for_test(Severity::Veto, 0.0, 0.0, "{count}/{threshold} {classes}")
    }

    fn params(extra: &str) -> StalenessParams {
        toml::from_str(&format!(
            "windows = {{ dynamic = \"14d\", notice = \"6m\" }}\nthreshold = 2\n{extra}"
        ))
        .expect("params")
    }

    fn col(class: ColumnClass, newest: Option<&str>, items: usize) -> ColumnObservation {
        ColumnObservation {
            name: "c".into(),
            class,
            newest: newest.map(|d| d.parse().expect("date")),
            items,
            ..ColumnObservation::default()
        }
    }

    fn obs(columns: Vec<ColumnObservation>) -> Observation {
        Observation {
            as_of: "2018-03-01".parse().expect("date"),
            columns,
            ..Observation::default()
        }
    }

    fn run(p: &StalenessParams, o: &Observation, undated_is_stale: bool) -> Vec<Finding> {
        staleness(
            p,
            &meta(),
            &Ctx {
                obs: o,
                undated_is_stale,
            },
        )
    }

    #[test]
    fn undated_columns_follow_the_profile_setting_unless_overridden() {
        let o = obs(vec![
            col(ColumnClass::Dynamic, None, 5),
            col(ColumnClass::Notice, None, 5),
        ]);
        let p = params("");
        assert_eq!(run(&p, &o, true)[0].severity, Severity::Veto);
        assert!(run(&p, &o, false).is_empty());
        let p = params("undated_is_stale = false");
        assert!(run(&p, &o, true).is_empty());
    }

    #[test]
    fn messages_list_the_windowed_classes_in_class_order() {
        let o = obs(vec![
            col(ColumnClass::Notice, Some("2017-01-01"), 5),
            col(ColumnClass::Dynamic, Some("2018-01-01"), 5),
        ]);
        let f = run(&params(""), &o, true);
        assert_eq!(f[0].message, "2/2 动态要闻类、通知公告类");
    }

    #[test]
    fn failed_pages_are_counted_only_when_asked() {
        let mut a = col(ColumnClass::Dynamic, None, 0);
        a.error = Some("HTTP 404".into());
        let o = obs(vec![a.clone(), a]);
        assert!(run(&params(""), &o, true).is_empty());
        let f = run(&params("report_errors = true"), &o, true);
        assert_eq!((f.len(), f[0].severity), (1, Severity::Info));
        let f = run(&params("count_errors = true"), &o, true);
        assert_eq!(f[0].severity, Severity::Veto);
    }

    #[test]
    fn top_level_only_skips_deeper_columns_of_those_classes() {
        let mut n = col(ColumnClass::Notice, Some("2017-01-01"), 5);
        n.level = 2;
        let mut d = col(ColumnClass::Dynamic, Some("2018-01-01"), 5);
        d.level = 2;
        let o = obs(vec![n.clone(), n, d]);
        let f = run(&params("top_level_only = [\"notice\"]"), &o, true);
        assert_eq!(f[0].severity, Severity::Info);
        assert_eq!(f[0].evidence.len(), 1);
    }

    #[test]
    fn deduction_severity_counts_points_per_column_up_to_the_cap() {
        let mut m = meta();
        m.severity = RuleSeverity {
            level: Severity::Deduction,
            points: 5.0,
            cap: 12.0,
        };
        let o = obs(vec![col(ColumnClass::Notice, Some("2016-01-01"), 5); 3]);
        let p = params("");
        let f = staleness(
            &p,
            &m,
            &Ctx {
                obs: &o,
                undated_is_stale: true,
            },
        );
        assert_eq!(f[0].points, 12.0);
    }

    #[test]
    fn blank_and_presence() {
        let mut b = col(ColumnClass::Other, None, 0);
        b.blank = true;
        let o = obs(vec![b.clone(), b]);
        let ctx = Ctx {
            obs: &o,
            undated_is_stale: true,
        };
        let bp: BlankParams = toml::from_str("threshold = 2").expect("params");
        assert_eq!(blank(&bp, &meta(), &ctx)[0].severity, Severity::Veto);
        let bp: BlankParams =
            toml::from_str("threshold = 2\nclasses = [\"dynamic\"]").expect("params");
        assert!(blank(&bp, &meta(), &ctx).is_empty());
        let pp: PresenceParams = toml::from_str("class = \"other\"").expect("params");
        assert!(presence(&pp, &meta(), &ctx).is_empty());
        let pp: PresenceParams = toml::from_str("class = \"survey\"").expect("params");
        assert_eq!(presence(&pp, &meta(), &ctx).len(), 1);
    }
}
