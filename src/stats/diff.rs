//! [`round_diff`]: what changed between two rounds (`govaudit round diff A B`), e.g. a monthly
//! round and its 复核 round, or two monthly rounds.
//!
//! Each site's latest audit in a round (by as-of date, then check id) stands for the round. Sites
//! in both rounds are newly failing (pass → fail), fixed (fail → pass, 已整改), still failing
//! (fail → fail, 仍不合格) or still passing; the others are only in A or only in B. Per site, the
//! rule ids are split into new (only in B), fixed (only in A) and still present (in both).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{AuditRecord, SiteRecord};
use crate::findings::Verdict;

/// One site's change between round A and round B.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteDiff {
    /// The site's id in the `sites` table.
    pub site_id: i64,
    /// Empty for a site missing from the registry.
    pub unit: String,
    /// Site name; empty for a site missing from the registry.
    pub name: String,
    /// Homepage URL as registered; empty for a site missing from the registry.
    pub url: String,
    /// Verdict of the site's latest audit in round A; `None` when not in A.
    pub verdict_a: Option<Verdict>,
    /// Verdict of the site's latest audit in round B; `None` when not in B.
    pub verdict_b: Option<Verdict>,
    /// Check id of that audit in round A; `None` when not in A.
    pub check_a: Option<i64>,
    /// Check id of that audit in round B; `None` when not in B.
    pub check_b: Option<i64>,
    /// Rule ids found in B and not in A.
    pub rules_new: Vec<String>,
    /// Rule ids found in A and not in B.
    pub rules_fixed: Vec<String>,
    /// Rule ids found in both.
    pub rules_still: Vec<String>,
}

/// The diff of two rounds; lists in the registry's order (unregistered sites last, by id).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundDiff {
    /// Round ids seen in A and in B (normally one each).
    pub rounds_a: Vec<i64>,
    /// Round ids seen in B (normally one).
    pub rounds_b: Vec<i64>,
    /// Passed in A, failed in B.
    pub newly_failing: Vec<SiteDiff>,
    /// Failed in A, passed in B (已整改).
    pub fixed: Vec<SiteDiff>,
    /// Failed in both (仍不合格).
    pub still_failing: Vec<SiteDiff>,
    /// Passed in both.
    pub still_passing: Vec<SiteDiff>,
    /// Audited in A only.
    pub only_in_a: Vec<SiteDiff>,
    /// Audited in B only.
    pub only_in_b: Vec<SiteDiff>,
}

/// Each site's latest audit of a round.
fn latest(audits: &[AuditRecord]) -> BTreeMap<i64, &AuditRecord> {
    let mut m: BTreeMap<i64, &AuditRecord> = BTreeMap::new();
    for a in audits {
        let newer = m
            .get(&a.site_id)
            .is_none_or(|b| (a.as_of, a.check_id) > (b.as_of, b.check_id));
        if newer {
            m.insert(a.site_id, a);
        }
    }
    m
}

/// The distinct items of `v`, in first-appearance order.
fn uniq(v: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in v {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

fn round_ids(audits: &[AuditRecord]) -> Vec<i64> {
    let mut v: Vec<i64> = audits.iter().map(|a| a.round_id).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// What changed from round A to round B (see the module doc).
pub fn round_diff(a: &[AuditRecord], b: &[AuditRecord], sites: &[SiteRecord]) -> RoundDiff {
    let la = latest(a);
    let lb = latest(b);
    let mut ids: Vec<i64> = la.keys().chain(lb.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let pos = |id: i64| sites.iter().position(|s| s.site_id == id);
    ids.sort_by_key(|&id| (pos(id).unwrap_or(usize::MAX), id));

    let mut d = RoundDiff {
        rounds_a: round_ids(a),
        rounds_b: round_ids(b),
        newly_failing: Vec::new(),
        fixed: Vec::new(),
        still_failing: Vec::new(),
        still_passing: Vec::new(),
        only_in_a: Vec::new(),
        only_in_b: Vec::new(),
    };
    for id in ids {
        let (xa, xb) = (la.get(&id).copied(), lb.get(&id).copied());
        let rules = |x: Option<&AuditRecord>| x.map(|x| x.rules.clone()).unwrap_or_default();
        let (ra, rb) = (rules(xa), rules(xb));
        let site = pos(id).map(|i| &sites[i]);
        let entry = SiteDiff {
            site_id: id,
            unit: site.map(|s| s.unit.clone()).unwrap_or_default(),
            name: site.map(|s| s.name.clone()).unwrap_or_default(),
            url: site.map(|s| s.url.clone()).unwrap_or_default(),
            verdict_a: xa.map(|x| x.verdict),
            verdict_b: xb.map(|x| x.verdict),
            check_a: xa.map(|x| x.check_id),
            check_b: xb.map(|x| x.check_id),
            rules_new: uniq(rb.iter().filter(|r| !ra.contains(r)).cloned().collect()),
            rules_fixed: uniq(ra.iter().filter(|r| !rb.contains(r)).cloned().collect()),
            rules_still: uniq(ra.iter().filter(|r| rb.contains(r)).cloned().collect()),
        };
        let list = match (entry.verdict_a, entry.verdict_b) {
            (Some(Verdict::Pass), Some(Verdict::Fail)) => &mut d.newly_failing,
            (Some(Verdict::Fail), Some(Verdict::Pass)) => &mut d.fixed,
            (Some(Verdict::Fail), Some(Verdict::Fail)) => &mut d.still_failing,
            (Some(Verdict::Pass), Some(Verdict::Pass)) => &mut d.still_passing,
            (Some(_), None) => &mut d.only_in_a,
            (None, _) => &mut d.only_in_b,
        };
        list.push(entry);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(check: i64, site: i64, day: u32, fail: bool, rules: &[&str]) -> AuditRecord {
        AuditRecord {
            check_id: check,
            site_id: site,
            round_id: 1,
            round_kind: super::super::RoundKind::Regular,
            month: "2018-01".into(),
            as_of: chrono::NaiveDate::from_ymd_opt(2018, 1, day).unwrap_or_default(),
            verdict: if fail { Verdict::Fail } else { Verdict::Pass },
            rules: rules.iter().map(|r| r.to_string()).collect(),
            evidence: Vec::new(),
            rechecks_check: None,
        }
    }

    #[test]
    fn latest_audit_per_site_and_duplicate_rules() {
        let xs = [
            a(5, 1, 10, true, &[]),
            a(2, 1, 12, false, &[]),
            a(9, 1, 12, true, &[]),
        ];
        assert_eq!(latest(&xs).get(&1).map(|x| x.check_id), Some(9));
        let d = round_diff(
            &[a(1, 1, 1, true, &["r", "r"])],
            &[a(2, 1, 2, true, &["r", "s", "s"])],
            &[],
        );
        assert_eq!(d.still_failing[0].rules_still, ["r"]);
        assert_eq!(d.still_failing[0].rules_new, ["s"]);
        assert_eq!(uniq(vec!["b".into(), "a".into(), "b".into()]), ["b", "a"]);
    }
}
