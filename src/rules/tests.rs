//! Unit tests of loading and evaluation (the rule files' own cases run in `tests/rules.rs`).

use super::*;
use crate::findings::Severity;
use crate::observation::{ColumnObservation, LinkProblem, LinkState, Reachability};

fn gb2015() -> RuleSet {
    RuleSet::builtin("gb2015").expect("builtin gb2015 loads")
}

fn obs(as_of: &str) -> Observation {
    Observation {
        as_of: as_of.parse().expect("date"),
        ..Observation::default()
    }
}

#[test]
fn builtin_profile_loads_with_every_rule() {
    let set = gb2015();
    let ids: Vec<&str> = set.rules().iter().map(|r| r.id()).collect();
    for id in [
        "site.unreachable",
        "homepage.stale",
        "homepage.few_updates",
        "columns.stale",
        "columns.long_unupdated",
        "columns.blank",
        "links.broken",
        "links.suspected",
        "links.blocked",
        "footer.missing_identifier",
        "interaction.no_survey",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert_eq!(set.profile_info().pass_score, 60.0);
    assert!(set.profile_info().settings.undated_counts_as_not_updated);
}

#[test]
fn unknown_builtin_profile_is_an_error() {
    let Err(err) = RuleSet::builtin("gb1999") else {
        panic!("no such profile")
    };
    assert!(err.to_string().contains("gb2015"), "{err}");
}

#[test]
fn classify_uses_classes_toml() {
    let set = gb2015();
    assert_eq!(set.classify("部门动态", None), ColumnClass::Dynamic);
    assert_eq!(set.classify("政策解读", None), ColumnClass::Other);
    assert_eq!(set.classify("意见征集", None), ColumnClass::Survey);
    assert_eq!(set.classify("栏目", Some("工作动态")), ColumnClass::Dynamic);
}

#[test]
fn unreachable_site_only_gets_the_unreachable_veto() {
    let mut o = obs("2018-03-01");
    o.reachability = Reachability {
        ok: false,
        status: None,
        error: Some("DNS failure".into()),
        attempts: 3,
    };
    let e = gb2015().evaluate(&o);
    assert_eq!(e.verdict, Verdict::Fail);
    assert_eq!(e.vetoes, vec!["site.unreachable".to_string()]);
    assert_eq!(e.findings.len(), 1);
}

#[test]
fn empty_reachable_site_fails_on_homepage_and_scores_deductions() {
    let e = gb2015().evaluate(&obs("2018-03-01"));
    assert_eq!(e.verdict, Verdict::Fail);
    assert!(e.vetoes.contains(&"homepage.stale".to_string()));
    // Deductions are still computed: footer (5, capped) + no survey (5).
    assert_eq!(e.score, 90.0);
    let footer = e
        .findings
        .iter()
        .find(|f| f.rule == "footer.missing_identifier")
        .expect("footer finding");
    assert_eq!(footer.severity, Severity::Deduction);
    assert_eq!(footer.evidence.len(), 5);
}

#[test]
fn stale_column_evidence_has_dates_and_overdue_days() {
    let mut o = obs("2018-03-01");
    o.columns = (0..5)
        .map(|i| ColumnObservation {
            name: format!("动态{i}"),
            url: format!("http://x.gov.cn/c{i}/"),
            class: ColumnClass::Dynamic,
            newest: Some("2018-02-10".parse().expect("date")),
            items: 3,
            ..ColumnObservation::default()
        })
        .collect();
    let e = gb2015().evaluate(&o);
    let f = e
        .findings
        .iter()
        .find(|f| f.rule == "columns.stale")
        .expect("columns.stale");
    assert_eq!(f.severity, Severity::Veto);
    assert_eq!(f.evidence.len(), 5);
    let ev = &f.evidence[0];
    assert_eq!(ev.column.as_deref(), Some("动态0"));
    assert_eq!(ev.url.as_deref(), Some("http://x.gov.cn/c0/"));
    assert_eq!(ev.newest, Some("2018-02-10".parse().expect("date")));
    // Cutoff 2018-02-15; newest 2018-02-10 → 5 days overdue.
    assert_eq!(ev.days_overdue, Some(5));
}

#[test]
fn links_deduction_is_capped_per_rule() {
    let mut o = obs("2018-03-01");
    o.links.problems = (0..30)
        .map(|i| LinkProblem {
            url: format!("http://x.gov.cn/{i}"),
            state: LinkState::Broken,
            status: Some(404),
            reason: "HTTP 404".into(),
            pages: vec![],
        })
        .collect();
    let e = gb2015().evaluate(&o);
    let f = e
        .findings
        .iter()
        .find(|f| f.rule == "links.broken")
        .expect("links.broken");
    assert_eq!(f.points, 10.0);
    assert_eq!(f.evidence.len(), 30);
}

#[test]
fn builtin_self_tests_pass() {
    let report = gb2015().self_test();
    let failures: Vec<String> = report.failures.iter().map(|f| f.to_string()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(report.passed > 50, "only {} tests ran", report.passed);
}

#[test]
fn score_does_not_drift_below_the_pass_line() {
    let f = |points: f64| Finding {
        rule: "r".into(),
        severity: Severity::Deduction,
        message: String::new(),
        points,
        evidence: vec![],
    };
    // 39.7 + 0.1 + 0.2 = 40.00000000000001 in f64, so the raw score is just below 60.
    let raw: f64 = [39.7, 0.1, 0.2].iter().sum();
    assert_ne!(100.0 - raw, 60.0);
    assert_eq!(score(&[f(39.7), f(0.1), f(0.2)]), 60.0);
    assert_eq!(score(&[f(40.1)]), 59.9);
    assert_eq!(score(&[]), 100.0);
}
