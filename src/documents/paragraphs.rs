//! The paragraphs of 一、总体情况, 二、主要问题 and 三、下一步工作要求, filled from the templates
//! and the office's settings (报送截止日期, 联系人).

use super::notice::{subtotal, StoredFinding};
use super::templates::{chinese_number, fill, NoticeTemplate};
use super::{Section, Templates};
use crate::config::NoticeConfig;
use crate::stats::{QuarterStats, SUBTOTAL_LOCAL, SUBTOTAL_REGION};

/// 一、总体情况: running sites by level, then sampled sites, ratio and pass rates.
pub(crate) fn overview(st: &QuarterStats, t: &NoticeTemplate, base: &[(&str, String)]) -> Section {
    let o = &t.overview;
    let levels: Vec<String> = st
        .by_level
        .iter()
        .filter(|l| l.running > 0)
        .map(|l| {
            let name = o.level_names.get(&l.level).unwrap_or(&l.level);
            fill(
                &o.level_item,
                &[("level", name.clone()), ("count", l.running.to_string())],
            )
        })
        .collect();
    let mut vars: Vec<(&str, String)> = base.to_vec();
    let tot = &st.total;
    vars.extend([
        ("running", tot.running.to_string()),
        ("levels", levels.join(&o.level_separator)),
        ("sampled", tot.sampled.to_string()),
        ("sample_ratio", tot.sample_ratio_text.clone()),
        ("failed", tot.failed.to_string()),
        ("pass_rate", tot.pass_rate_text.clone()),
    ]);
    let subtotals = [
        (
            ["local_sampled", "local_failed", "local_pass_rate"],
            SUBTOTAL_LOCAL,
        ),
        (
            ["region_sampled", "region_failed", "region_pass_rate"],
            SUBTOTAL_REGION,
        ),
    ];
    for ([sampled, failed, rate], label) in subtotals {
        let row = subtotal(st, label);
        vars.push((
            sampled,
            row.map_or_else(String::new, |r| r.sampled.to_string()),
        ));
        vars.push((
            failed,
            row.map_or_else(String::new, |r| r.failed.to_string()),
        ));
        vars.push((
            rate,
            row.map_or_else(String::new, |r| r.pass_rate_text.clone()),
        ));
    }
    Section {
        heading: o.heading.clone(),
        paragraphs: vec![fill(&o.running, &vars), fill(&o.sampled, &vars)],
    }
}

/// The line of a notice made from re-evaluations: how many checks, when, with which profiles
/// and rules (after 一、总体情况's sentences).
pub(crate) fn reevaluated(
    basis: &super::Reevaluation,
    t: &NoticeTemplate,
    base: &[(&str, String)],
) -> String {
    let o = &t.overview;
    let rules: Vec<String> = basis
        .rules_dirs
        .iter()
        .map(|d| match d {
            None => o.rules_builtin.clone(),
            // The folder's own name, not the office machine's path to it.
            Some(dir) => {
                let name = std::path::Path::new(dir)
                    .file_name()
                    .map_or_else(|| dir.clone(), |n| n.to_string_lossy().into_owned());
                fill(&o.rules_dir, &[("dir", format!("“{name}”"))])
            }
        })
        .collect();
    // The date in Beijing time, as every date of the notice.
    let on = chrono::DateTime::parse_from_rfc3339(&basis.newest_at)
        .ok()
        .and_then(|d| chrono::FixedOffset::east_opt(8 * 3600).map(|bj| d.with_timezone(&bj)))
        .map_or_else(
            || basis.newest_at.clone(),
            |d| super::chinese_date(d.date_naive()),
        );
    let mut vars = base.to_vec();
    vars.extend([
        ("evaluated", basis.evaluated.to_string()),
        ("checks", basis.checks.to_string()),
        ("evaluated_on", on),
        ("profiles", basis.profiles.join(&o.reevaluated_separator)),
        ("rules", rules.join(&o.reevaluated_separator)),
    ]);
    fill(&o.reevaluated, &vars)
}

/// `items` joined with `sep`, at most `max` of them, and whether the list was cut short (the
/// caller ends it with 等).
pub(crate) fn capped(items: &[String], max: usize, sep: &str) -> (String, bool) {
    let shown: Vec<&str> = items.iter().take(max).map(String::as_str).collect();
    (shown.join(sep), items.len() > shown.len())
}

/// 二、主要问题: one paragraph per problem category — rules sharing a label are one category,
/// a site counted once — naming sites with their counts, then the repeat offenders (整改不彻底).
pub(crate) fn problems(
    st: &QuarterStats,
    findings: &[Vec<StoredFinding>],
    templates: &Templates,
    base: &[(&str, String)],
) -> Section {
    let p = &templates.notice.problems;
    let mut paragraphs = Vec::new();
    if st.total.failed == 0 {
        paragraphs.push(fill(&p.none, base));
    }
    // Categories by label, in the statistics' order (most sites first).
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for c in &st.categories {
        let label = templates.label(&c.rule);
        match groups.iter_mut().find(|(l, _)| *l == label) {
            Some((_, rules)) => rules.push(&c.rule),
            None => groups.push((label, vec![&c.rule])),
        }
    }
    let mut n = 0;
    for (label, rules) in &groups {
        n += 1;
        let mut examples = Vec::new();
        let mut sites = 0;
        for (f, list) in st.failed_sites.iter().zip(findings) {
            let Some(rule) = rules
                .iter()
                .find(|r| f.reasons.iter().any(|x| x.rule == **r))
            else {
                continue;
            };
            sites += 1;
            // The latest failing check showing the rule: how many items its evidence lists.
            let latest = list
                .iter()
                .filter(|d| d.rule == *rule)
                .map(|d| d.check_id)
                .max();
            let count: usize = list
                .iter()
                .filter(|d| d.rule == *rule && Some(d.check_id) == latest)
                .map(|d| d.evidence.len().max(1))
                .sum();
            examples.push(fill(
                templates.phrase(rule),
                &[
                    ("name", f.name.clone()),
                    ("count", count.max(1).to_string()),
                    ("label", label.to_string()),
                ],
            ));
        }
        let (list, cut) = capped(&examples, p.max_examples, &p.example_separator);
        let examples = if examples.is_empty() {
            String::new()
        } else {
            let etc = if cut { p.etc.clone() } else { String::new() };
            fill(&p.examples, &[("list", list), ("etc", etc)])
        };
        let share = crate::stats::format_percent(
            (st.total.failed > 0).then(|| sites as f64 / st.total.failed as f64),
        );
        let mut vars = base.to_vec();
        vars.extend([
            ("n", chinese_number(n)),
            ("label", label.to_string()),
            ("failed", st.total.failed.to_string()),
            ("sites", sites.to_string()),
            ("share", share),
            ("examples", examples),
        ]);
        paragraphs.push(fill(&p.category, &vars));
    }
    if !st.repeat_offenders.is_empty() {
        let names: Vec<String> = st
            .repeat_offenders
            .iter()
            .map(|o| fill(&p.site_name, &[("name", o.name.clone())]))
            .collect();
        let (list, cut) = capped(&names, p.max_examples, &p.site_separator);
        let mut vars = base.to_vec();
        vars.extend([
            ("n", chinese_number(n + 1)),
            ("list", list),
            ("etc", if cut { p.etc.clone() } else { String::new() }),
        ]);
        paragraphs.push(fill(&p.repeat, &vars));
    }
    Section {
        heading: p.heading.clone(),
        paragraphs,
    }
}

/// 三、下一步工作要求: the template's paragraphs, then the closing paragraph with the 报送
/// deadline and the 联系人 line when the office configured them.
pub(crate) fn requirements(
    t: &NoticeTemplate,
    office: &NoticeConfig,
    base: &[(&str, String)],
) -> Section {
    let r = &t.requirements;
    let mut paragraphs: Vec<String> = r.paragraphs.iter().map(|p| fill(p, base)).collect();
    let mut closing = fill(&r.closing, base);
    if let Some(d) = office.report_deadline {
        let vars = [
            ("deadline", super::chinese_date(d)),
            ("issuer", office.issuer.clone()),
        ];
        closing.push_str(&fill(&r.deadline, &vars));
    }
    if let Some(c) = office.contact.as_deref().filter(|c| !c.trim().is_empty()) {
        closing.push_str(&fill(&r.contact, &[("contact", c.to_string())]));
    }
    if !closing.is_empty() {
        paragraphs.push(closing);
    }
    Section {
        heading: r.heading.clone(),
        paragraphs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_cut_short_says_so() {
        let items: Vec<String> = ["甲", "乙", "丙"].map(String::from).to_vec();
        assert_eq!(capped(&items, 2, "、"), ("甲、乙".to_string(), true));
        assert_eq!(capped(&items, 3, "、"), ("甲、乙、丙".to_string(), false));
    }
}
