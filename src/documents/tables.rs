//! The rows of 附件1 (per unit), 附件2 (problem sites, every reason) and the detail table (one row
//! per piece of evidence of the findings that made each site fail, with its archived record).

use std::collections::HashMap;

use super::notice::StoredFinding;
use super::Templates;
use crate::archive::RecordIndex;
use crate::findings::Evidence;
use crate::stats::{FailedSite, QuarterStats};

/// 附件1: units, then the subtotals, then the total.
pub(crate) fn unit_rows(st: &QuarterStats) -> Vec<Vec<String>> {
    st.units
        .iter()
        .chain(&st.subtotals)
        .chain([&st.total])
        .map(|r| {
            vec![
                r.unit.clone(),
                r.running.to_string(),
                r.sampled.to_string(),
                r.failed.to_string(),
                r.pass_rate_text.clone(),
            ]
        })
        .collect()
}

/// 附件2: 序号, 网站名称, 网址, and the site's categories, each once (the seed's short
/// reasons: 多个栏目更新不及时; the evidence is in the detail table).
pub(crate) fn site_rows(st: &QuarterStats, templates: &Templates) -> Vec<Vec<String>> {
    let a = &templates.notice.attachments;
    st.failed_sites
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut reasons: Vec<String> = Vec::new();
            for r in &f.reasons {
                let label = templates.label(&r.rule);
                if !reasons.iter().any(|x| x == label) {
                    reasons.push(label.to_string());
                }
            }
            vec![
                (i + 1).to_string(),
                f.name.clone(),
                f.url.clone(),
                reasons.join(&a.reason_separator),
            ]
        })
        .collect()
}

/// One row per piece of evidence (a finding without evidence gets one row), in 附件2 order; the
/// last cell names the archived record of the evidence's URL in its check's capture (`records`),
/// empty when there is none.
pub(crate) fn detail_rows(
    failed: &[FailedSite],
    findings: &[Vec<StoredFinding>],
    records: &HashMap<i64, RecordIndex>,
    templates: &Templates,
) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for (f, list) in failed.iter().zip(findings) {
        for d in list {
            let month = f
                .failed_audits
                .iter()
                .find(|a| a.check_id == d.check_id)
                .map(|a| a.month.clone())
                .unwrap_or_default();
            let none = [Evidence::default()];
            let evidence = if d.evidence.is_empty() {
                &none[..]
            } else {
                &d.evidence[..]
            };
            for e in evidence {
                let opt = |v: Option<String>| v.unwrap_or_default();
                rows.push(vec![
                    (rows.len() + 1).to_string(),
                    f.name.clone(),
                    f.url.clone(),
                    f.unit.clone(),
                    month.clone(),
                    d.check_id.to_string(),
                    templates.label(&d.rule).to_string(),
                    d.severity.label().to_string(),
                    d.message.clone(),
                    opt(e.column.clone()),
                    opt(e.url.clone()),
                    opt(e.newest.map(|n| n.to_string())),
                    opt(e.days_overdue.map(|n| n.to_string())),
                    opt(e.status.map(|n| n.to_string())),
                    opt(e.detail.clone()),
                    opt(e
                        .url
                        .as_deref()
                        .and_then(|u| records.get(&d.check_id)?.get(u))
                        .map(|r| r.name())),
                ]);
            }
        }
    }
    rows
}
