//! Repeat offenders (多次被抽查通报 / 复核仍不合格): sites failing again and again.
//!
//! Looking at a site's audits up to the quarter's last month: failing regular audits in two or
//! more distinct rounds, or a failed re-check (a `Recheck` audit with `rechecks_check` set).
//! Reported in a quarter only when at least one of those failures falls in the quarter.

use std::collections::BTreeSet;

use serde::Serialize;

use super::compute::{round_ref, RoundRef};
use super::{AuditRecord, Quarter, RoundKind, SiteRecord};
use crate::findings::Verdict;

/// A site failing again and again (多次被抽查通报 / 复核仍不合格).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepeatOffender {
    /// The site's id in the `sites` table.
    pub site_id: i64,
    /// Unit (单位) of the site.
    pub unit: String,
    /// Site name (网站名称).
    pub name: String,
    /// Homepage URL as registered.
    pub url: String,
    /// One failing regular audit per failing round, up to the quarter's end, oldest first.
    pub failed_rounds: Vec<RoundRef>,
    /// Failed re-check audits up to the quarter's end, oldest first.
    pub failed_rechecks: Vec<RoundRef>,
    /// Why it is listed, in Chinese.
    pub reasons: Vec<String>,
}

/// The site's record as a repeat offender, if it is one (`list`: its audits up to the quarter's
/// end, oldest first).
pub(crate) fn repeat_offender(
    s: &SiteRecord,
    list: &[&AuditRecord],
    quarter: &Quarter,
) -> Option<RepeatOffender> {
    let mut seen_rounds = BTreeSet::new();
    let failed_rounds: Vec<&AuditRecord> = list
        .iter()
        .copied()
        .filter(|a| a.round_kind == RoundKind::Regular && a.verdict == Verdict::Fail)
        .filter(|a| seen_rounds.insert(a.round_id))
        .collect();
    let failed_rechecks: Vec<&AuditRecord> = list
        .iter()
        .copied()
        .filter(|a| a.round_kind == RoundKind::Recheck && a.verdict == Verdict::Fail)
        .filter(|a| a.rechecks_check.is_some())
        .collect();
    let repeated = failed_rounds.len() >= 2;
    if !repeated && failed_rechecks.is_empty() {
        return None;
    }
    let in_quarter = failed_rounds
        .iter()
        .chain(&failed_rechecks)
        .any(|a| quarter.contains(&a.month));
    if !in_quarter {
        return None;
    }
    let months = |v: &[&AuditRecord]| {
        let mut m: Vec<&str> = v.iter().map(|a| a.month.as_str()).collect();
        m.dedup();
        m.join("、")
    };
    let mut reasons = Vec::new();
    if repeated {
        reasons.push(format!(
            "{}轮抽查不合格（{}），多次被抽查通报",
            failed_rounds.len(),
            months(&failed_rounds)
        ));
    }
    if !failed_rechecks.is_empty() {
        reasons.push(format!(
            "整改后复核仍不合格（{}）",
            months(&failed_rechecks)
        ));
    }
    Some(RepeatOffender {
        site_id: s.site_id,
        unit: s.unit.clone(),
        name: s.name.clone(),
        url: s.url.clone(),
        failed_rounds: failed_rounds.iter().map(|a| round_ref(a)).collect(),
        failed_rechecks: failed_rechecks.iter().map(|a| round_ref(a)).collect(),
        reasons,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(check: i64, round: i64, month: &str, kind: RoundKind, fail: bool) -> AuditRecord {
        AuditRecord {
            check_id: check,
            site_id: 1,
            round_id: round,
            round_kind: kind,
            month: month.into(),
            as_of: chrono::NaiveDate::from_ymd_opt(2018, 1, 1).unwrap_or_default(),
            verdict: if fail { Verdict::Fail } else { Verdict::Pass },
            rules: Vec::new(),
            evidence: Vec::new(),
            rechecks_check: (kind == RoundKind::Recheck).then_some(1),
        }
    }

    #[test]
    fn rounds_rechecks_and_the_quarter() {
        let s = SiteRecord {
            site_id: 1,
            unit: "甲".into(),
            level: "市级部门".into(),
            name: "n".into(),
            url: "http://n".into(),
            running: true,
        };
        let q = Quarter::new(2018, 1).expect("quarter");
        let two = [
            a(1, 1, "2017-12", RoundKind::Regular, true),
            a(2, 2, "2018-01", RoundKind::Regular, true),
        ];
        let refs: Vec<&AuditRecord> = two.iter().collect();
        let o = repeat_offender(&s, &refs, &q).expect("offender");
        assert_eq!(
            o.reasons,
            ["2轮抽查不合格（2017-12、2018-01），多次被抽查通报"]
        );
        // Two failures in one round are one round.
        let same = [
            a(1, 2, "2018-01", RoundKind::Regular, true),
            a(2, 2, "2018-01", RoundKind::Regular, true),
        ];
        let refs: Vec<&AuditRecord> = same.iter().collect();
        assert!(repeat_offender(&s, &refs, &q).is_none());
        // A failed re-check alone.
        let re = [a(3, 3, "2018-02", RoundKind::Recheck, true)];
        let refs: Vec<&AuditRecord> = re.iter().collect();
        let o = repeat_offender(&s, &refs, &q).expect("offender");
        assert_eq!(o.reasons, ["整改后复核仍不合格（2018-02）"]);
        // Failures only before the quarter: not reported in it.
        let old = [
            a(1, 1, "2017-11", RoundKind::Regular, true),
            a(2, 2, "2017-12", RoundKind::Regular, true),
        ];
        let refs: Vec<&AuditRecord> = old.iter().collect();
        assert!(repeat_offender(&s, &refs, &q).is_none());
    }
}
