//! [`quarter_stats`]: the quarterly figures of the notice from sites and audits (semantics in the
//! module doc of [`crate::stats`]).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::categories::{category_label, category_rank};
use super::format::{format_rate, ratio};
use super::repeat::{repeat_offender, RepeatOffender};
use super::{
    parse_month, AuditRecord, FailRule, Quarter, RoundKind, SiteRecord, StatsSettings, LEVELS,
    REGION_LEVELS, SUBTOTAL_LOCAL, SUBTOTAL_REGION,
};
use crate::findings::Verdict;

/// Label of the overall total row.
pub const TOTAL_LABEL: &str = "合计";

/// One row of 附件1: a unit, a subtotal or the total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitRow {
    /// Unit name (单位), or the subtotal / total label.
    pub unit: String,
    /// Running sites (运行网站数).
    pub running: usize,
    /// Distinct sites with a regular audit in the quarter (抽查网站数).
    pub sampled: usize,
    /// Sampled sites that failed per the fail rule (不合格网站数).
    pub failed: usize,
    /// (sampled − failed) / sampled; `None` when nothing was sampled.
    pub pass_rate: Option<f64>,
    /// As the notice prints it ([`super::format_rate`]).
    pub pass_rate_text: String,
    /// sampled / running; `None` when nothing runs.
    pub sample_ratio: Option<f64>,
    /// `sample_ratio` as the notice prints it (抽查比例); `—` when nothing runs.
    pub sample_ratio_text: String,
}

/// Sites of one level (级别).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelRow {
    /// The level (级别), one of [`super::LEVELS`] or an unknown level from the registry.
    pub level: String,
    /// Running sites of the level.
    pub running: usize,
    /// Distinct sites of the level with a regular audit in the quarter.
    pub sampled: usize,
    /// Sampled sites of the level that failed per the fail rule.
    pub failed: usize,
    /// (sampled − failed) / sampled; `None` when nothing was sampled.
    pub pass_rate: Option<f64>,
    /// `pass_rate` as the notice prints it ([`super::format_rate`]); `—` when `None`.
    pub pass_rate_text: String,
}

/// One problem category: how many failed sites show a rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryRow {
    /// Rule id, e.g. `columns.blank`.
    pub rule: String,
    /// The category's Chinese label (问题类别); the rule id when it has none.
    pub label: String,
    /// Failed sites showing the rule.
    pub sites: usize,
    /// sites / all failed sites.
    pub share: Option<f64>,
    /// `share` as the notice prints it ([`super::format_rate`]).
    pub share_text: String,
}

/// One audit, as a reference in the outputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundRef {
    /// Id of the round.
    pub round_id: i64,
    /// The round's month, `YYYY-MM`.
    pub month: String,
    /// Id of the stored check.
    pub check_id: i64,
    /// The as-of date the check judged the site at.
    pub as_of: chrono::NaiveDate,
}

/// One reason a site failed: a rule and the evidence messages of the audits that made it fail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailReason {
    /// Rule id of a veto or deduction finding.
    pub rule: String,
    /// The rule's Chinese category label ([`super::category_label`]).
    pub label: String,
    /// Distinct evidence messages of the rule's findings in the failing audits.
    pub messages: Vec<String>,
}

/// A failed site of the quarter (附件2), with every reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailedSite {
    /// The site's id in the `sites` table.
    pub site_id: i64,
    /// Unit (单位) of the site.
    pub unit: String,
    /// Level (级别) of the site.
    pub level: String,
    /// Site name (网站名称).
    pub name: String,
    /// Homepage URL as registered.
    pub url: String,
    /// The audits that made it fail (per the fail rule), oldest first.
    pub failed_audits: Vec<RoundRef>,
    /// Every rule that fired in those audits, in category order.
    pub reasons: Vec<FailReason>,
}

/// The quarter's figures; serialized as the JSON of `govaudit stats --format json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarterStats {
    /// The quarter the figures are for.
    pub quarter: Quarter,
    /// e.g. 2018年第一季度.
    pub quarter_label: String,
    /// The quarter's three months, `YYYY-MM`.
    pub months: Vec<String>,
    /// The rule that decided which sampled sites count as failed.
    pub fail_rule: FailRule,
    /// One row per unit (附件1), in first-appearance order of the sites list.
    pub units: Vec<UnitRow>,
    /// 自治区部门（单位）, then 市、县（区）.
    pub subtotals: Vec<UnitRow>,
    /// All sites (合计).
    pub total: UnitRow,
    /// One row per level, in the order of [`super::LEVELS`], unknown levels after.
    pub by_level: Vec<LevelRow>,
    /// Problem categories (问题类别), in the notice's order.
    pub categories: Vec<CategoryRow>,
    /// Every failed site with its reasons (附件2), by unit then registry order.
    pub failed_sites: Vec<FailedSite>,
    /// Repeat offenders (多次被抽查通报 / 复核仍不合格) with a failure in the quarter.
    pub repeat_offenders: Vec<RepeatOffender>,
    /// Skipped inputs (unknown sites, malformed months, duplicate site ids).
    pub warnings: Vec<String>,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    running: usize,
    sampled: usize,
    failed: usize,
}

impl Counts {
    fn row(self, unit: &str) -> UnitRow {
        let pass_rate = ratio(self.sampled - self.failed, self.sampled);
        let sample_ratio = ratio(self.sampled, self.running);
        UnitRow {
            unit: unit.to_string(),
            running: self.running,
            sampled: self.sampled,
            failed: self.failed,
            pass_rate,
            pass_rate_text: format_rate(pass_rate),
            sample_ratio,
            sample_ratio_text: format_rate(sample_ratio),
        }
    }
}

pub(crate) fn round_ref(a: &AuditRecord) -> RoundRef {
    RoundRef {
        round_id: a.round_id,
        month: a.month.clone(),
        check_id: a.check_id,
        as_of: a.as_of,
    }
}

/// Chronological order of audits: round month, then as-of date, then check id.
fn chrono_key(a: &AuditRecord) -> ((i32, u8), chrono::NaiveDate, i64) {
    (parse_month(&a.month).unwrap_or((0, 0)), a.as_of, a.check_id)
}

/// The quarter's figures (semantics in the module doc of [`crate::stats`]).
pub fn quarter_stats(
    sites: &[SiteRecord],
    audits: &[AuditRecord],
    quarter: &Quarter,
    settings: &StatsSettings,
) -> QuarterStats {
    let mut warnings = Vec::new();
    let mut index: HashMap<i64, usize> = HashMap::new();
    for (i, s) in sites.iter().enumerate() {
        if index.insert(s.site_id, i).is_some() {
            warnings.push(format!("网站编号{}重复，以第一条为准", s.site_id));
        }
    }
    for (i, s) in sites.iter().enumerate().rev() {
        index.insert(s.site_id, i);
    }

    // Valid audits up to the quarter's end, grouped by site index, in chronological order.
    let mut history: BTreeMap<usize, Vec<&AuditRecord>> = BTreeMap::new();
    for a in audits {
        if parse_month(&a.month).is_none() {
            warnings.push(format!(
                "检查{}的轮次月份“{}”无效，已跳过",
                a.check_id, a.month
            ));
            continue;
        }
        let Some(&i) = index.get(&a.site_id) else {
            warnings.push(format!(
                "检查{}的网站{}未登记，已跳过",
                a.check_id, a.site_id
            ));
            continue;
        };
        if quarter.is_up_to_end(&a.month) {
            history.entry(i).or_default().push(a);
        }
    }
    for list in history.values_mut() {
        list.sort_by_key(|a| chrono_key(a));
    }

    // Sampled sites and the audits that make each fail.
    let mut deciding: BTreeMap<usize, Vec<&AuditRecord>> = BTreeMap::new();
    for (&i, list) in &history {
        let regular: Vec<&AuditRecord> = list
            .iter()
            .copied()
            .filter(|a| a.round_kind == RoundKind::Regular && quarter.contains(&a.month))
            .collect();
        let Some(&latest) = regular.last() else {
            continue;
        };
        let failing = match settings.fail_rule {
            FailRule::AnyRegular => regular
                .into_iter()
                .filter(|a| a.verdict == Verdict::Fail)
                .collect(),
            FailRule::LatestRegular if latest.verdict == Verdict::Fail => vec![latest],
            FailRule::LatestRegular => Vec::new(),
        };
        deciding.insert(i, failing);
    }

    // Per unit, per level, subtotals, total.
    let mut unit_order: Vec<&str> = Vec::new();
    let mut per_unit: HashMap<&str, Counts> = HashMap::new();
    let mut level_order: Vec<&str> = LEVELS.to_vec();
    let mut per_level: HashMap<&str, Counts> = HashMap::new();
    let (mut region, mut local, mut total) =
        (Counts::default(), Counts::default(), Counts::default());
    for (i, s) in sites.iter().enumerate() {
        if index.get(&s.site_id) != Some(&i) {
            continue; // a duplicate id
        }
        if !per_unit.contains_key(s.unit.as_str()) {
            unit_order.push(&s.unit);
        }
        if !level_order.contains(&s.level.as_str()) {
            level_order.push(&s.level);
        }
        let sub = if REGION_LEVELS.contains(&s.level.as_str()) {
            &mut region
        } else {
            &mut local
        };
        let sampled = deciding.get(&i);
        let failed = sampled.is_some_and(|d| !d.is_empty());
        for c in [
            per_unit.entry(&s.unit).or_default(),
            per_level.entry(&s.level).or_default(),
            sub,
            &mut total,
        ] {
            c.running += usize::from(s.running);
            c.sampled += usize::from(sampled.is_some());
            c.failed += usize::from(failed);
        }
    }
    let units = unit_order
        .iter()
        .map(|u| per_unit.get(u).copied().unwrap_or_default().row(u))
        .collect();
    let by_level = level_order
        .iter()
        .map(|l| {
            let r = per_level.get(l).copied().unwrap_or_default().row(l);
            LevelRow {
                level: r.unit,
                running: r.running,
                sampled: r.sampled,
                failed: r.failed,
                pass_rate: r.pass_rate,
                pass_rate_text: r.pass_rate_text,
            }
        })
        .collect();

    // Failed sites with every reason; categories.
    let mut failed_sites = Vec::new();
    let mut category_sites: BTreeMap<String, usize> = BTreeMap::new();
    for (&i, failing) in deciding.iter().filter(|(_, d)| !d.is_empty()) {
        let s = &sites[i];
        let mut reasons: Vec<FailReason> = Vec::new();
        for a in failing {
            for rule in &a.rules {
                if !reasons.iter().any(|r| &r.rule == rule) {
                    reasons.push(FailReason {
                        rule: rule.clone(),
                        label: category_label(rule).to_string(),
                        messages: Vec::new(),
                    });
                }
            }
            for (rule, message) in &a.evidence {
                let Some(r) = reasons.iter_mut().find(|r| &r.rule == rule) else {
                    continue; // evidence of an info finding
                };
                if !r.messages.contains(message) {
                    r.messages.push(message.clone());
                }
            }
        }
        reasons.sort_by_key(|r| category_rank(&r.rule));
        for r in &reasons {
            *category_sites.entry(r.rule.clone()).or_default() += 1;
        }
        failed_sites.push((
            i,
            FailedSite {
                site_id: s.site_id,
                unit: s.unit.clone(),
                level: s.level.clone(),
                name: s.name.clone(),
                url: s.url.clone(),
                failed_audits: failing.iter().map(|a| round_ref(a)).collect(),
                reasons,
            },
        ));
    }
    // 附件2 order: by unit (first appearance), then the sites list.
    failed_sites.sort_by_key(|(i, f)| {
        let u = unit_order.iter().position(|u| *u == f.unit);
        (u, *i)
    });
    let failed_sites: Vec<FailedSite> = failed_sites.into_iter().map(|(_, f)| f).collect();
    let mut categories: Vec<CategoryRow> = category_sites
        .into_iter()
        .map(|(rule, n)| {
            let share = ratio(n, total.failed);
            CategoryRow {
                label: category_label(&rule).to_string(),
                rule,
                sites: n,
                share,
                share_text: format_rate(share),
            }
        })
        .collect();
    categories.sort_by_key(|c| category_rank(&c.rule)); // stable: unknown ids stay alphabetical

    let repeat_offenders = history
        .iter()
        .filter_map(|(&i, list)| repeat_offender(&sites[i], list, quarter))
        .collect();

    QuarterStats {
        quarter: *quarter,
        quarter_label: quarter.label(),
        months: quarter.months(),
        fail_rule: settings.fail_rule,
        units,
        subtotals: vec![region.row(SUBTOTAL_REGION), local.row(SUBTOTAL_LOCAL)],
        total: total.row(TOTAL_LABEL),
        by_level,
        categories,
        failed_sites,
        repeat_offenders,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: i64, unit: &str, level: &str) -> SiteRecord {
        SiteRecord {
            site_id: id,
            unit: unit.into(),
            level: level.into(),
            name: format!("s{id}"),
            url: format!("http://s{id}"),
            running: true,
        }
    }

    fn audit(check: i64, site: i64, month: &str, fail: bool, rules: &[&str]) -> AuditRecord {
        AuditRecord {
            check_id: check,
            site_id: site,
            round_id: check,
            round_kind: RoundKind::Regular,
            month: month.into(),
            as_of: chrono::NaiveDate::from_ymd_opt(2018, 1, 20).unwrap_or_default(),
            verdict: if fail { Verdict::Fail } else { Verdict::Pass },
            rules: rules.iter().map(|r| r.to_string()).collect(),
            evidence: vec![("columns.blank".into(), "空白栏目6个".into())],
            rechecks_check: None,
        }
    }

    #[test]
    fn units_in_first_appearance_order_levels_and_subtotals() {
        let mut closed = site(4, "乙", "县级以下");
        closed.running = false;
        let sites = [
            site(1, "乙", "县级门户"),
            site(2, "甲", "自治区部门"),
            site(3, "乙", "乡镇"),
            closed,
        ];
        let audits = [
            audit(1, 1, "2018-02", true, &["columns.blank", "x.other"]),
            audit(2, 2, "2018-03", false, &[]),
            audit(3, 4, "2018-01", false, &[]),
        ];
        let q = Quarter::new(2018, 1).expect("quarter");
        let st = quarter_stats(&sites, &audits, &q, &StatsSettings::default());
        let units: Vec<(&str, usize, usize, usize)> = st
            .units
            .iter()
            .map(|u| (u.unit.as_str(), u.running, u.sampled, u.failed))
            .collect();
        assert_eq!(units, [("乙", 2, 2, 1), ("甲", 1, 1, 0)]);
        assert_eq!(st.subtotals[0].unit, SUBTOTAL_REGION);
        assert_eq!((st.subtotals[1].running, st.subtotals[1].sampled), (2, 2));
        assert_eq!(st.by_level.len(), 7, "the six levels and the unknown 乡镇");
        assert_eq!(st.by_level[6].level, "乡镇");
        // A closed site sampled before it closed still counts as sampled.
        assert_eq!(st.total.sample_ratio_text, "100%");
        let rules: Vec<&str> = st.categories.iter().map(|c| c.rule.as_str()).collect();
        assert_eq!(rules, ["columns.blank", "x.other"]);
        assert_eq!(st.failed_sites[0].reasons[0].messages, ["空白栏目6个"]);
        assert!(st.failed_sites[0].reasons[1].messages.is_empty());
    }

    #[test]
    fn duplicate_site_ids_keep_the_first() {
        let sites = [site(1, "甲", "市级门户"), site(1, "乙", "市级部门")];
        let q = Quarter::new(2018, 1).expect("quarter");
        let st = quarter_stats(&sites, &[], &q, &StatsSettings::default());
        assert_eq!(st.units.len(), 1);
        assert_eq!(st.warnings.len(), 1);
    }
}
