//! The paragraphs of 一、总体情况 and 二、主要问题, filled from the templates.

use super::build::{subtotal, StoredFinding};
use super::template::{chinese_number, fill, NoticeTemplate};
use super::{Section, Templates};
use crate::stats::{QuarterStats, SUBTOTAL_LOCAL, SUBTOTAL_REGION};

/// Columns named in a phrase's `{columns}`, at most.
const MAX_COLUMNS: usize = 5;

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

/// 二、主要问题: one paragraph per problem category naming sites with their evidence, then the
/// repeat offenders.
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
    let mut n = 0;
    for c in &st.categories {
        n += 1;
        let mut examples = Vec::new();
        for (f, list) in st.failed_sites.iter().zip(findings) {
            if examples.len() >= p.max_examples {
                break;
            }
            if !f.reasons.iter().any(|r| r.rule == c.rule) {
                continue;
            }
            // The latest failing check showing the rule.
            let latest = list
                .iter()
                .filter(|d| d.rule == c.rule)
                .map(|d| d.check_id)
                .max();
            let of_rule: Vec<&StoredFinding> = list
                .iter()
                .filter(|d| d.rule == c.rule && Some(d.check_id) == latest)
                .collect();
            let count: usize = of_rule.iter().map(|d| d.evidence.len().max(1)).sum();
            let mut columns: Vec<&str> = Vec::new();
            for e in of_rule.iter().flat_map(|d| &d.evidence) {
                if let Some(col) = e.column.as_deref() {
                    if !columns.contains(&col) && columns.len() < MAX_COLUMNS {
                        columns.push(col);
                    }
                }
            }
            let columns = if columns.is_empty() {
                String::new()
            } else {
                fill(&p.columns, &[("list", columns.join("、"))])
            };
            examples.push(fill(
                templates.phrase(&c.rule),
                &[
                    ("name", f.name.clone()),
                    ("count", count.max(1).to_string()),
                    ("columns", columns),
                    ("label", templates.label(&c.rule).to_string()),
                ],
            ));
        }
        let examples = if examples.is_empty() {
            String::new()
        } else {
            fill(
                &p.examples,
                &[("list", examples.join(&p.example_separator))],
            )
        };
        let mut vars = base.to_vec();
        vars.extend([
            ("n", chinese_number(n)),
            ("label", templates.label(&c.rule).to_string()),
            ("failed", st.total.failed.to_string()),
            ("sites", c.sites.to_string()),
            ("share", c.share_text.clone()),
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
        let mut vars = base.to_vec();
        vars.extend([
            ("n", chinese_number(n + 1)),
            ("list", names.join(&p.site_separator)),
        ]);
        paragraphs.push(fill(&p.repeat, &vars));
    }
    Section {
        heading: p.heading.clone(),
        paragraphs,
    }
}
